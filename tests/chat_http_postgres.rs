//! The chat app's HTTP contract tests (`chat_http/suite.rs`), its records
//! in PostgreSQL: a fresh schema per app on the server `TEST_POSTGRES_URL`
//! names (`scripts/postgres.sh run -- cargo test` starts one), migrated as
//! the binary migrates its database at start. Also: records survive a
//! restart, and the chat's finds use indexes.
//!
//! Without a server the suite says so once and runs on memory instead
//! (its cases need an app); in CI (`REQUIRE_POSTGRES`) a missing server
//! fails every test.

use std::sync::atomic::{AtomicUsize, Ordering};

use auth_core::prelude::*;
use auth_core::sql::sqlx;
use auth_core::sql::sqlx::postgres::PgConnectOptions;
use examples::chat::{Messages, Storage, Users};
use serde_json::json;
use tokio::sync::OnceCell;

/// The prefix of the schemas this binary makes; those of an earlier run
/// are dropped when it starts.
const PREFIX: &str = "chat_http_";

static SCHEMAS: AtomicUsize = AtomicUsize::new(0);
static SWEPT: OnceCell<()> = OnceCell::const_new();

/// Connect options on a fresh, empty schema of the test server (its
/// `search_path`), or `None` without a server.
async fn fresh_schema() -> Option<PgConnectOptions> {
    if tests::postgres::skip("chat_http_postgres (the suite runs on memory instead)") {
        return None;
    }
    let url = tests::postgres::url()?;
    let options: PgConnectOptions = url.parse().expect("TEST_POSTGRES_URL is a PostgreSQL URL");
    let admin = sqlx::PgPool::connect_with(options.clone())
        .await
        .expect("the test PostgreSQL server answers");
    SWEPT
        .get_or_init(|| async {
            let stale: Vec<(String,)> = sqlx::query_as(
                "SELECT nspname::text FROM pg_namespace WHERE starts_with(nspname, $1)",
            )
            .bind(PREFIX)
            .fetch_all(&admin)
            .await
            .expect("the schemas are listed");
            for (schema,) in stale {
                // Names this binary made: a prefix and digits.
                sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
                    .execute(&admin)
                    .await
                    .expect("a stale schema is dropped");
            }
        })
        .await;
    let schema = format!(
        "{PREFIX}{}_{}",
        std::process::id(),
        SCHEMAS.fetch_add(1, Ordering::Relaxed)
    );
    sqlx::query(&format!("CREATE SCHEMA \"{schema}\""))
        .execute(&admin)
        .await
        .expect("a schema is created");
    admin.close().await;
    Some(options.options([("search_path", schema.as_str())]))
}

/// Where each app of the suite keeps its records.
async fn storage() -> Storage {
    match fresh_schema().await {
        Some(options) => Storage::postgres(options),
        None => Storage::Memory,
    }
}

#[path = "chat_http/suite.rs"]
mod suite;

#[path = "chat_http/restart.rs"]
mod restart;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_survive_a_restart_on_postgres() {
    let Some(options) = fresh_schema().await else {
        return;
    };
    restart::records_survive_a_restart(&Storage::postgres(options)).await;
}

/// "Filtered, sorted, limited finds use indexes": the plans of the chat's
/// finds on PostgreSQL. Its planner scans a small table whatever indexes
/// it has, so sequential scans are switched off for this app's
/// connections: a plan that still scans the table has no index to use.
#[tokio::test]
async fn the_chats_finds_use_indexes_on_postgres() {
    use auth_core::store::Store;

    let Some(options) = fresh_schema().await else {
        return;
    };
    let options = options.options([("enable_seqscan", "off")]);
    let app = examples::chat::app_on("secret", &Storage::postgres(options))
        .await
        .unwrap();
    let messages = app.service::<Messages>("messages");
    let Store::Sql(messages) = &messages.inner().unwrap().0 else {
        panic!("the chat's messages are not in PostgreSQL")
    };
    let users = app.service::<Users>("users");
    let Store::Sql(users) = &users.inner().unwrap().0 else {
        panic!("the chat's users are not in PostgreSQL")
    };
    let cases = [
        // The first page, newest first (`$sort[id]=-1`): the primary key
        // read backwards, no sort.
        (
            messages
                .explain_find(&Params::new().with_query(json!({ "$sort": { "id": -1 } })))
                .await
                .unwrap(),
            "Index Scan Backward using messages_pkey",
        ),
        // One author's messages (`?userId=`, and `restrict_to_owner`).
        (
            messages
                .explain_find(&Params::new().with_query(json!({ "userId": 1 })))
                .await
                .unwrap(),
            "messages_user_id",
        ),
        // A message by id, as `get` reads it.
        (
            messages
                .explain_find(&Params::new().with_query(json!({ "id": 1 })))
                .await
                .unwrap(),
            "using messages_pkey",
        ),
        // The `local` strategy's login lookup.
        (
            users
                .explain_find(&Params::new().with_query(json!({ "email": "ada@example.com" })))
                .await
                .unwrap(),
            "using users_email_key",
        ),
    ];
    for (plan, expected) in cases {
        let plan = plan.join("; ");
        assert!(plan.contains(expected), "{plan}");
        assert!(!plan.contains("Seq Scan"), "{plan}");
    }
}
