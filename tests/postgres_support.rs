//! The PostgreSQL test support (`tests::postgres`): schemas that keep tests
//! apart and go away with them, a URL that lands in the schema, and the
//! skip (a message without a server, a failure when CI requires one).
//!
//! Run with a server: `scripts/postgres.sh run -- cargo test -p tests --test
//! postgres_support`.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use auth_core::sql::sqlx;
use auth_core::sql::sqlx::Connection;
use auth_core::sql::sqlx::postgres::{PgConnection, PgPoolOptions};
use tests::postgres::{REQUIRE_VARIABLE, TempSchema, URL_VARIABLE};

/// Several statements, as migrations have.
const SCHEMA: &str = "CREATE TABLE notes (id BIGSERIAL PRIMARY KEY, text TEXT NOT NULL);
    CREATE INDEX notes_text ON notes (text);";

async fn texts(temp: &TempSchema) -> Vec<String> {
    sqlx::query_scalar("SELECT text FROM notes ORDER BY id")
        .fetch_all(&temp.pool())
        .await
        .expect("notes are read")
}

async fn insert(temp: &TempSchema, text: &str) {
    sqlx::query("INSERT INTO notes (text) VALUES ($1)")
        .bind(text)
        .execute(&temp.pool())
        .await
        .expect("a note is inserted");
}

/// Whether a schema of that name exists, asked on a connection of its own.
async fn schema_exists(name: &str) -> bool {
    let url = tests::postgres::url().expect("a server");
    let mut connection = PgConnection::connect(&url).await.expect("a connection");
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)")
        .bind(name)
        .fetch_one(&mut connection)
        .await
        .expect("the catalog is read")
}

#[tokio::test]
async fn two_schemas_do_not_see_each_other() {
    if tests::postgres::skip("two_schemas_do_not_see_each_other") {
        return;
    }
    let one = TempSchema::new(SCHEMA, 2).await;
    let two = TempSchema::new(&format!("{SCHEMA} CREATE TABLE only_two (id INT);"), 2).await;
    assert_ne!(one.name(), two.name());

    insert(&one, "in one").await;
    insert(&two, "in two").await;
    insert(&two, "also in two").await;

    assert_eq!(texts(&one).await, ["in one"]);
    assert_eq!(texts(&two).await, ["in two", "also in two"]);
    let unseen = sqlx::query("SELECT * FROM only_two")
        .execute(&one.pool())
        .await
        .expect_err("only_two is in the other schema");
    assert!(
        unseen.to_string().contains("only_two"),
        "unexpected error: {unseen}"
    );
}

#[tokio::test]
async fn every_connection_of_the_pool_works_in_the_schema() {
    if tests::postgres::skip("every_connection_of_the_pool_works_in_the_schema") {
        return;
    }
    let temp = TempSchema::new(SCHEMA, 3).await;
    // Three connections held at once: each is a fresh one of the pool.
    let pool = temp.pool();
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(pool.acquire().await.expect("a connection"));
    }
    for connection in &mut held {
        let schema: String = sqlx::query_scalar("SELECT current_schema()")
            .fetch_one(&mut **connection)
            .await
            .expect("the current schema");
        assert_eq!(schema, temp.name());
    }
}

#[tokio::test]
async fn the_url_connects_into_the_schema() {
    if tests::postgres::skip("the_url_connects_into_the_schema") {
        return;
    }
    let temp = TempSchema::new(SCHEMA, 1).await;
    insert(&temp, "through the pool").await;

    let url = temp.url();
    assert!(url.starts_with(&tests::postgres::url().expect("a server")));
    // As the chat app would open it: a pool from the URL alone.
    let other = PgPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .expect("a pool from the schema's URL");
    let schema: String = sqlx::query_scalar("SELECT current_schema()")
        .fetch_one(&other)
        .await
        .expect("the current schema");
    assert_eq!(schema, temp.name());
    let text: String = sqlx::query_scalar("SELECT text FROM notes")
        .fetch_one(&other)
        .await
        .expect("the note, unqualified");
    assert_eq!(text, "through the pool");
    other.close().await;
}

#[tokio::test]
async fn the_schema_is_gone_after_drop() {
    if tests::postgres::skip("the_schema_is_gone_after_drop") {
        return;
    }
    let temp = TempSchema::new(SCHEMA, 2).await;
    insert(&temp, "gone soon").await;
    let name = temp.name().to_owned();
    assert!(schema_exists(&name).await);

    drop(temp);

    assert!(!schema_exists(&name).await, "{name} is still there");
}

#[tokio::test]
async fn drop_gives_up_rather_than_hang_on_a_held_lock() {
    if tests::postgres::skip("drop_gives_up_rather_than_hang_on_a_held_lock") {
        return;
    }
    let temp = TempSchema::new(SCHEMA, 1).await;
    let name = temp.name().to_owned();
    // A transaction left open on a pool that outlives the schema's owner,
    // holding the lock DROP SCHEMA needs.
    let pool = temp.pool();
    let mut transaction = pool.begin().await.expect("a transaction");
    sqlx::query("LOCK TABLE notes IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *transaction)
        .await
        .expect("the lock");

    let started = Instant::now();
    drop(temp);
    let took = started.elapsed();

    assert!(took < Duration::from_secs(15), "dropping took {took:?}");
    assert!(schema_exists(&name).await, "the drop could not have run");
    transaction.rollback().await.expect("the rollback");
    let url = tests::postgres::url().expect("a server");
    let mut connection = PgConnection::connect(&url).await.expect("a connection");
    sqlx::raw_sql(&format!("DROP SCHEMA {name} CASCADE"))
        .execute(&mut connection)
        .await
        .expect("the schema is dropped by hand");
}

/// Runs [`skip_probe`] in a child process of this test binary with only
/// `env` of the PostgreSQL variables set, and returns what it did.
fn probe(env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(std::env::current_exe().expect("this test binary"));
    command
        .args([
            "skip_probe",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env_remove(URL_VARIABLE)
        .env_remove(REQUIRE_VARIABLE);
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("the probe runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const SKIP_MESSAGE: &str = "skipped skip_probe: no PostgreSQL (set TEST_POSTGRES_URL, or run scripts/postgres.sh run -- cargo test)";

#[test]
#[ignore = "run by the skip tests, in a child process with the environment they set"]
fn skip_probe() {
    println!("skip returned {}", tests::postgres::skip("skip_probe"));
}

#[test]
fn without_a_server_a_test_is_skipped_with_a_message() {
    for env in [&[][..], &[(URL_VARIABLE, "")], &[(REQUIRE_VARIABLE, "0")]] {
        let output = probe(env);
        assert!(output.status.success(), "{env:?}: {output:?}");
        assert!(
            text(&output.stdout).contains("skip returned true"),
            "{env:?}: {output:?}"
        );
        assert!(
            text(&output.stderr).contains(SKIP_MESSAGE),
            "{env:?}: {output:?}"
        );
    }
}

#[test]
fn without_a_server_a_test_fails_when_postgres_is_required() {
    let output = probe(&[(REQUIRE_VARIABLE, "1")]);
    assert!(!output.status.success(), "{output:?}");
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("skip_probe: REQUIRE_POSTGRES is set but TEST_POSTGRES_URL is not"),
        "{output:?}"
    );
    assert!(
        !text(&output.stdout).contains("skip returned"),
        "{output:?}"
    );
}

#[test]
fn with_a_server_nothing_is_skipped() {
    for env in [
        &[(URL_VARIABLE, "postgres://postgres@127.0.0.1:1/none")][..],
        &[
            (URL_VARIABLE, "postgres://postgres@127.0.0.1:1/none"),
            (REQUIRE_VARIABLE, "1"),
        ],
    ] {
        let output = probe(env);
        assert!(output.status.success(), "{env:?}: {output:?}");
        assert!(
            text(&output.stdout).contains("skip returned false"),
            "{env:?}: {output:?}"
        );
        assert!(
            !text(&output.stderr).contains("skipped"),
            "{env:?}: {output:?}"
        );
    }
}
