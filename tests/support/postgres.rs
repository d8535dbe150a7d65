//! PostgreSQL for tests (provisional; replaced by the pgci branch).

use std::sync::atomic::{AtomicUsize, Ordering};

use auth_core::sql::sqlx;
use auth_core::sql::sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

static SCHEMAS: AtomicUsize = AtomicUsize::new(0);

pub fn url() -> Option<String> {
    std::env::var("TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty())
}

pub fn skip(test: &str) -> bool {
    if url().is_some() {
        return false;
    }
    if std::env::var_os("REQUIRE_POSTGRES").is_some() {
        panic!("REQUIRE_POSTGRES is set but TEST_POSTGRES_URL is not");
    }
    eprintln!(
        "skipped {test}: no PostgreSQL (set TEST_POSTGRES_URL, or run scripts/postgres.sh run -- cargo test)"
    );
    true
}

pub struct TempSchema {
    name: String,
    pool: PgPool,
}

impl TempSchema {
    pub async fn new(schema: &str, connections: u32) -> TempSchema {
        let url = url().expect("TEST_POSTGRES_URL");
        let name = format!(
            "t_{}_{}",
            std::process::id(),
            SCHEMAS.fetch_add(1, Ordering::Relaxed)
        );
        let admin = PgPool::connect(&url).await.expect("PostgreSQL");
        sqlx::query(&format!("DROP SCHEMA IF EXISTS {name} CASCADE; "))
            .execute(&admin)
            .await
            .unwrap();
        sqlx::query(&format!("CREATE SCHEMA {name}"))
            .execute(&admin)
            .await
            .unwrap();
        let options: PgConnectOptions = url.parse().unwrap();
        let pool = PgPoolOptions::new()
            .max_connections(connections)
            .connect_with(options.options([("search_path", name.as_str())]))
            .await
            .unwrap();
        sqlx::raw_sql(schema)
            .execute(&pool)
            .await
            .expect("the schema runs");
        TempSchema { name, pool }
    }

    pub fn pool(&self) -> PgPool {
        self.pool.clone()
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}
