#!/bin/sh
# Creates Ascendia's two roles and its database, once, on a fresh PostgreSQL data directory:
# the official postgres image runs this from /docker-entrypoint-initdb.d (see compose.yaml).
# By hand against any server, as a superuser:
#   ASCENDIA_OWNER_PASSWORD=… ASCENDIA_APP_PASSWORD=… PGHOST=db.internal PGUSER=postgres sh postgres-init.sh
#
# ascendia_owner owns the schema and migrates (`ascendia db migrate`); ascendia_app is the role
# the server runs as: not a superuser, no BYPASSRLS, owns nothing (the server refuses it
# otherwise). Migrating grants ascendia_app what it needs.
set -eu
: "${ASCENDIA_OWNER_PASSWORD:?set ASCENDIA_OWNER_PASSWORD}"
: "${ASCENDIA_APP_PASSWORD:?set ASCENDIA_APP_PASSWORD}"
database="${ASCENDIA_DATABASE:-ascendia}"

# psql's :'name' quotes the passwords as literals and :"name" the database as an identifier.
psql -v ON_ERROR_STOP=1 --no-psqlrc \
    --username "${POSTGRES_USER:-${PGUSER:-postgres}}" --dbname "${POSTGRES_DB:-postgres}" \
    -v owner_password="$ASCENDIA_OWNER_PASSWORD" \
    -v app_password="$ASCENDIA_APP_PASSWORD" \
    -v database="$database" <<'SQL'
CREATE ROLE ascendia_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE ascendia_app LOGIN PASSWORD :'app_password';
CREATE DATABASE :"database" OWNER ascendia_owner;
-- Only the two roles connect to it.
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"database" TO ascendia_app;
SQL
