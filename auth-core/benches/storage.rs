//! The adapters side by side: a `get` by id, and a filtered, sorted,
//! limited `find` (`votes >= 900`, newest first by votes, 10 records), over
//! 10 000 and 100 000 records, in memory, in SQLite (a file in the
//! temporary directory) and in PostgreSQL (a schema of its own on the
//! server `BENCH_POSTGRES_URL` names, dropped at the end; skipped, saying
//! so, without it), with an index on `votes`, each called through the app
//! as a service is.
//!
//! Run: `cargo bench -p auth-core --features sqlite,postgres --bench storage`
//! (`scripts/postgres.sh start DIR` prints a URL for `BENCH_POSTGRES_URL`).

use std::hint::black_box;

use auth_core::memory::MemoryService;
use auth_core::prelude::*;
use auth_core::sql::sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use auth_core::sql::sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use auth_core::sql::{SqlOptions, SqlService, sqlx};
use criterion::{Criterion, criterion_group, criterion_main};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Message {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<i64>,
    text: String,
    votes: i64,
}

fn record(n: i64) -> Message {
    Message {
        id: Some(n + 1),
        text: format!("message {n}"),
        votes: (n * 7919) % 1000,
    }
}

/// A SQLite file holding `count` messages, indexed on `votes`.
async fn sqlite(count: i64) -> SqlService<Message> {
    let path =
        std::env::temp_dir().join(format!("auth-core-bench-{}-{count}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .expect("a SQLite file in the temporary directory");
    for statement in [
        "CREATE TABLE messages (id INTEGER PRIMARY KEY, text TEXT NOT NULL, votes INTEGER NOT NULL)",
        "CREATE INDEX messages_votes ON messages (votes)",
    ] {
        sqlx::query(statement)
            .execute(&pool)
            .await
            .expect("the schema");
    }
    let mut tx = pool.begin().await.expect("a transaction");
    for n in 0..count {
        let message = record(n);
        sqlx::query("INSERT INTO messages (id, text, votes) VALUES (?1, ?2, ?3)")
            .bind(message.id)
            .bind(message.text)
            .bind(message.votes)
            .execute(&mut *tx)
            .await
            .expect("a row");
    }
    tx.commit().await.expect("the rows");
    SqlService::new(pool, "messages", SqlOptions::new())
        .await
        .expect("the service")
}

/// The schema the PostgreSQL runs use.
const POSTGRES_SCHEMA: &str = "auth_core_storage_bench";

/// The PostgreSQL database `BENCH_POSTGRES_URL` names, holding `count`
/// messages indexed on `votes` in a schema of its own; `None` without it.
async fn postgres(count: i64) -> Option<SqlService<Message>> {
    let url = std::env::var("BENCH_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty())?;
    let options: PgConnectOptions = url.parse().expect("BENCH_POSTGRES_URL is a PostgreSQL URL");
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .connect_with(options.options([("search_path", POSTGRES_SCHEMA)]))
        .await
        .expect("the PostgreSQL server answers");
    for statement in [
        format!("DROP SCHEMA IF EXISTS {POSTGRES_SCHEMA} CASCADE"),
        format!("CREATE SCHEMA {POSTGRES_SCHEMA}"),
        "CREATE TABLE messages (id BIGINT PRIMARY KEY, text TEXT NOT NULL, votes BIGINT NOT NULL)"
            .to_owned(),
        "CREATE INDEX messages_votes ON messages (votes)".to_owned(),
    ] {
        sqlx::query(&statement)
            .execute(&pool)
            .await
            .expect("the schema");
    }
    // One statement per 10 000 rows: `generate_series` on the server.
    sqlx::query(
        "INSERT INTO messages (id, text, votes) \
         SELECT n + 1, 'message ' || n, (n * 7919) % 1000 FROM generate_series(0, $1 - 1) AS n",
    )
    .bind(count)
    .execute(&pool)
    .await
    .expect("the rows");
    sqlx::query("ANALYZE messages")
        .execute(&pool)
        .await
        .expect("statistics");
    Some(
        SqlService::new(pool, "messages", SqlOptions::new())
            .await
            .expect("the service"),
    )
}

fn bench_storage<S: Service<Item = Message>>(
    c: &mut Criterion,
    runtime: &tokio::runtime::Runtime,
    name: &str,
    app: &App,
) {
    let handle = app.service::<S>("messages");
    let query = json!({ "votes": { "$gte": 900 }, "$sort": { "votes": -1 }, "$limit": 10 });
    c.bench_function(&format!("{name}/get by id"), |b| {
        b.iter(|| {
            runtime
                .block_on(handle.get(black_box(4242), Params::new()))
                .expect("the record")
        })
    });
    c.bench_function(&format!("{name}/find: filtered, sorted, 10"), |b| {
        b.iter(|| {
            runtime
                .block_on(handle.find(Params::new().with_query(query.clone())))
                .expect("the page")
        })
    });
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    for count in [10_000, 100_000] {
        let memory = MemoryService::<Message>::new();
        let app = App::new().register("messages", memory);
        let handle = app.service::<MemoryService<Message>>("messages");
        runtime.block_on(async {
            for n in 0..count {
                handle
                    .create(record(n), Params::new())
                    .await
                    .expect("a record");
            }
        });
        bench_storage::<MemoryService<Message>>(c, &runtime, &format!("memory {count}"), &app);

        let app = App::new().register("messages", runtime.block_on(sqlite(count)));
        bench_storage::<SqlService<Message>>(c, &runtime, &format!("sqlite {count}"), &app);

        match runtime.block_on(postgres(count)) {
            Some(service) => {
                let app = App::new().register("messages", service);
                bench_storage::<SqlService<Message>>(
                    c,
                    &runtime,
                    &format!("postgres {count}"),
                    &app,
                );
            }
            None => eprintln!("postgres {count}: skipped (BENCH_POSTGRES_URL is not set)"),
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
