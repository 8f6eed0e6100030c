//! PostgreSQL for tests: a uniquely named database per server, owned by a migration role,
//! used by a runtime role, dropped afterwards. `ASCENDIA_TEST_POSTGRES_URL` is a superuser
//! URL, e.g. postgres://postgres@127.0.0.1:5432/postgres.

use sqlx::{AssertSqlSafe, Connection, PgConnection};

pub const OWNER: &str = "ascendia_test_owner";
pub const RUNTIME: &str = "ascendia_test_app";

/// The superuser URL, or None (and a note on stderr) when PostgreSQL tests are not asked for.
pub fn url(test: &str) -> Option<String> {
    match std::env::var("ASCENDIA_TEST_POSTGRES_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            eprintln!("SKIPPED {test}: set ASCENDIA_TEST_POSTGRES_URL to run the PostgreSQL tests");
            None
        }
    }
}

/// Whether the HTTP and WebSocket suites run on PostgreSQL (CI's second pass).
pub fn selected() -> bool {
    std::env::var("ASCENDIA_TEST_DATABASE").is_ok_and(|v| v == "postgres")
}

fn with_database(url: &str, user: Option<&str>, database: &str) -> String {
    let (scheme_and_auth, rest) = url.split_once('@').unwrap_or(("postgres://postgres", url));
    let host = rest.split('/').next().unwrap_or(rest);
    let auth = match user {
        Some(user) => format!("postgres://{user}"),
        None => scheme_and_auth.to_owned(),
    };
    format!("{auth}@{host}/{database}")
}

pub async fn admin() -> PgConnection {
    let url = std::env::var("ASCENDIA_TEST_POSTGRES_URL").expect(
        "ASCENDIA_TEST_DATABASE=postgres needs ASCENDIA_TEST_POSTGRES_URL (a superuser URL)",
    );
    PgConnection::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at ASCENDIA_TEST_POSTGRES_URL is unreachable: {e}"))
}

pub struct TestDatabase {
    pub name: String,
    /// The migration role, owner of the database.
    pub owner_url: String,
    /// The runtime role the server uses.
    pub runtime_url: String,
    pub superuser_url: String,
}

impl TestDatabase {
    pub async fn create() -> Self {
        let superuser_url = std::env::var("ASCENDIA_TEST_POSTGRES_URL").unwrap_or_default();
        let mut conn = admin().await;
        for role in [OWNER, RUNTIME] {
            sqlx::raw_sql(AssertSqlSafe(format!(
                "DO $$ BEGIN CREATE ROLE {role} LOGIN;
                 EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;"
            )))
            .execute(&mut conn)
            .await
            .expect("test roles");
        }
        let name = format!("ascendia_test_{}", uuid::Uuid::new_v4().simple());
        sqlx::raw_sql(AssertSqlSafe(format!(
            "CREATE DATABASE {name} OWNER {OWNER}"
        )))
        .execute(&mut conn)
        .await
        .expect("test database");
        let _ = conn.close().await;
        Self {
            owner_url: with_database(&superuser_url, Some(OWNER), &name),
            runtime_url: with_database(&superuser_url, Some(RUNTIME), &name),
            superuser_url: with_database(&superuser_url, None, &name),
            name,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs inside the test's runtime: use a thread with its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let mut conn = admin().await;
                sqlx::raw_sql(AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut conn)
                .await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(_))) {
            eprintln!("could not drop test database {}", self.name);
        }
    }
}
