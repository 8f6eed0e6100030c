# syntax=docker/dockerfile:1
# Ascendia in a container: `docker build -t ascendia .`, then
#   docker run -d --name ascendia -p 8080:8080 -v ascendia-data:/data --stop-timeout 45 ascendia
# SQLite in the /data volume by default; set ASCENDIA_DATABASE_URL for PostgreSQL (compose.yaml).
# Other commands run the same binary: docker exec ascendia ascendia org list

ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-slim-bookworm AS build
WORKDIR /src
COPY . .
# Caches keep the registry and the build between image builds; the binary is copied out of
# the cache mount because the mount is not part of the layer.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin ascendia \
    && install -m 0755 target/release/ascendia /usr/local/bin/ascendia

FROM debian:bookworm-slim
# Everything else (migrations, the console's assets, the demo clinic) is inside the binary.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 ascendia \
    && useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin ascendia \
    && install -d -o ascendia -g ascendia -m 0750 /data
COPY --from=build /usr/local/bin/ascendia /usr/local/bin/ascendia
ENV ASCENDIA_LISTEN=0.0.0.0:8080 \
    ASCENDIA_DATABASE_URL=sqlite:///data/ascendia.db
# The working directory is the volume: an ascendia.toml placed there is read at start.
WORKDIR /data
VOLUME /data
USER 10001:10001
EXPOSE 8080
# SIGTERM drains calls for drain_secs (30 s): stop with a longer timeout (--stop-timeout 45,
# compose's stop_grace_period) or live calls are cut at Docker's default 10 s.
STOPSIGNAL SIGTERM
# No curl in the image: bash's /dev/tcp asks /readyz on the listen port over plain HTTP.
# (With built-in TLS on, override this check or use the orchestrator's HTTPS check.)
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${ASCENDIA_LISTEN##*:} && printf 'GET /readyz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && grep -q '\"status\":\"ready\"' <&3"]
ENTRYPOINT ["/usr/local/bin/ascendia"]
CMD ["serve"]
