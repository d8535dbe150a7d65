//! PostgreSQL for the tests: the server's URL from `TEST_POSTGRES_URL`
//! (`scripts/postgres.sh run -- cargo test` starts a throwaway one and sets
//! it), a clear skip when there is none, and fresh schemas, one per test,
//! that go away with it.
//!
//! Tests needing PostgreSQL begin with
//! `if tests::postgres::skip("name") { return; }`: without a server they
//! pass with a message, unless `REQUIRE_POSTGRES` is set (CI), where a
//! missing server is a failure.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::Write;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use auth_core::sql::sqlx;
use auth_core::sql::sqlx::Connection;
use auth_core::sql::sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};

/// The variable holding the server's URL.
pub const URL_VARIABLE: &str = "TEST_POSTGRES_URL";

/// The variable that, set (to anything but empty or `0`), makes a missing
/// server a failure rather than a skip.
pub const REQUIRE_VARIABLE: &str = "REQUIRE_POSTGRES";

/// How long dropping a [`TempSchema`] may take before it gives up and leaves
/// the schema behind (a throwaway server's schemas go with it anyway).
const DROP_TIMEOUT: Duration = Duration::from_secs(5);

static SCHEMAS: AtomicUsize = AtomicUsize::new(0);

/// The URL of the PostgreSQL server for the tests: `TEST_POSTGRES_URL`,
/// if set and not empty.
pub fn url() -> Option<String> {
    std::env::var(URL_VARIABLE)
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// Whether `test` must be skipped for want of a server: true when there is
/// no [`url`], saying so on stderr. With `REQUIRE_POSTGRES` set it panics
/// instead, so CI never passes without having run the PostgreSQL tests.
pub fn skip(test: &str) -> bool {
    if url().is_some() {
        return false;
    }
    let required =
        std::env::var(REQUIRE_VARIABLE).is_ok_and(|value| !value.is_empty() && value != "0");
    assert!(
        !required,
        "{test}: {REQUIRE_VARIABLE} is set but {URL_VARIABLE} is not: no PostgreSQL server to test on \
         (CI starts one with scripts/postgres.sh; locally, run scripts/postgres.sh run -- cargo test)"
    );
    // Straight to stderr, as libtest captures `eprintln!` and never shows a
    // passing test's output; in one write, so that the line is not cut by
    // libtest's own (stderr is unbuffered).
    let message = format!(
        "skipped {test}: no PostgreSQL (set {URL_VARIABLE}, or run scripts/postgres.sh run -- cargo test)\n"
    );
    let _ = std::io::stderr().write_all(message.as_bytes());
    true
}

/// A fresh schema on the test server, with a pool whose connections all
/// work in it (their `search_path`), so that tests running at once, in one
/// binary or several, never see each other's tables. The schema and all in
/// it is dropped when this is dropped: keep it as long as the services on
/// its pool.
pub struct TempSchema {
    name: String,
    server: String,
    pool: PgPool,
}

impl TempSchema {
    /// A new schema in which `schema` (any number of statements) has run,
    /// with a pool of up to `connections`. Panics without a server: call
    /// [`skip`] first.
    pub async fn new(schema: &str, connections: u32) -> TempSchema {
        let server = url().unwrap_or_else(|| {
            panic!("TempSchema::new without {URL_VARIABLE}: begin the test with postgres::skip")
        });
        let name = unique_name();
        let mut admin = PgConnection::connect(&server)
            .await
            .unwrap_or_else(|error| panic!("connecting to {URL_VARIABLE}={server}: {error}"));
        sqlx::raw_sql(&format!("CREATE SCHEMA {name}"))
            .execute(&mut admin)
            .await
            .expect("the schema is created");
        let _ = admin.close().await;
        let options = PgConnectOptions::from_str(&server)
            .expect("TEST_POSTGRES_URL is a PostgreSQL URL")
            .options([("search_path", &name)]);
        let pool = PgPoolOptions::new()
            .max_connections(connections)
            .connect_with(options)
            .await
            .expect("a pool on the test server");
        let temp = TempSchema { name, server, pool };
        sqlx::raw_sql(schema)
            .execute(&temp.pool)
            .await
            .expect("the schema's statements run");
        temp
    }

    /// The schema's name (lowercase letters, digits and `_`: no quoting
    /// needed).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The schema's pool (a handle on the same connections).
    pub fn pool(&self) -> PgPool {
        self.pool.clone()
    }

    /// A URL whose connections work in this schema, for what takes a
    /// `DATABASE_URL` (the chat app's binary, `App` setups): the server's
    /// URL with `options=-csearch_path=<name>`, as libpq and sqlx read it.
    pub fn url(&self) -> String {
        let separator = if self.server.contains('?') { '&' } else { '?' };
        format!(
            "{}{separator}options=-csearch_path%3D{}",
            self.server, self.name
        )
    }
}

impl Drop for TempSchema {
    /// Drops the schema on a connection of its own. Drop cannot await and
    /// may run inside a runtime, so this is done on a short-lived thread
    /// with a runtime of its own, bounded by [`DROP_TIMEOUT`] (a lock held
    /// by a leftover transaction must not hang the test); errors are
    /// ignored, as the server is a throwaway one.
    fn drop(&mut self) {
        let server = self.server.clone();
        // The server gives up waiting for a lock before we stop waiting for
        // it, rather than leave a backend queued behind the lock.
        let statement = format!(
            "SET lock_timeout = '2s'; DROP SCHEMA IF EXISTS {} CASCADE",
            self.name
        );
        let dropper = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                let _ = tokio::time::timeout(DROP_TIMEOUT, async {
                    let mut connection = PgConnection::connect(&server).await?;
                    sqlx::raw_sql(&statement).execute(&mut connection).await?;
                    connection.close().await
                })
                .await;
            });
        });
        let _ = dropper.join();
    }
}

/// A schema name no other test, in this process or another one running at
/// the same time, can have: the process id, a counter, and random bits
/// (process ids are reused, and two machines may share a server).
fn unique_name() -> String {
    let mut random = RandomState::new().build_hasher();
    random.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos()),
    );
    format!(
        "test_{}_{}_{:08x}",
        std::process::id(),
        SCHEMAS.fetch_add(1, Ordering::Relaxed),
        random.finish() as u32
    )
}

/// A PostgreSQL server of one test's own, for the tests that stop it:
/// `scripts/postgres.sh start` in a scratch directory (a cluster on a free
/// port of 127.0.0.1), stopped and removed when dropped. Its commits are
/// durable across a crash of the server (`synchronous_commit = on`, where
/// the script's throwaway servers turn it off for speed), so a test may
/// stop it as a crash would ([`OwnPostgres::crash`]) and expect every
/// acknowledged write back.
///
/// Its methods wait for the script: from an async test, call them through
/// `tokio::task::spawn_blocking` while the app under test must go on.
pub struct OwnPostgres {
    dir: std::path::PathBuf,
    url: String,
}

impl OwnPostgres {
    /// Starts one (`scripts/postgres.sh start`), waiting until it accepts
    /// connections. Panics when it can not start: call [`skip`] first,
    /// so that without PostgreSQL the test is skipped (or fails in CI).
    pub fn start() -> OwnPostgres {
        let dir = crate::scratch_file("postgres");
        let output = script("start", &dir, &[])
            .output()
            .expect("scripts/postgres.sh runs");
        assert!(
            output.status.success(),
            "scripts/postgres.sh start {} failed: {}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        let url = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        let server = OwnPostgres { dir, url };
        server.make_commits_durable();
        server
    }

    /// The URL of its database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Stops it at once, as a crash would (`pg_ctl stop -m immediate`):
    /// its connections are cut, new ones refused, nothing is checkpointed.
    pub fn crash(&self) {
        self.run("stop-server", &["immediate"]);
    }

    /// Starts it again on the same port after [`OwnPostgres::crash`],
    /// waiting until it accepts connections (after its crash recovery).
    pub fn restart(&self) {
        self.run("restart", &[]);
    }

    fn run(&self, command: &str, extra: &[&str]) {
        let output = script(command, &self.dir, extra)
            .output()
            .expect("scripts/postgres.sh runs");
        assert!(
            output.status.success(),
            "scripts/postgres.sh {command} {} failed: {}",
            self.dir.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// `synchronous_commit = on` for the whole server: a commit is
    /// acknowledged once its WAL is written, so a killed server keeps it.
    /// (`fsync` stays off: a test crashes the server, never the machine.)
    fn make_commits_durable(&self) {
        let url = self.url.clone();
        let done = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                let mut connection = PgConnection::connect(&url)
                    .await
                    .expect("the test's own server answers");
                // One statement each: ALTER SYSTEM refuses a transaction
                // block, which several statements in one query would be.
                for statement in [
                    "ALTER SYSTEM SET synchronous_commit = on",
                    "SELECT pg_reload_conf()",
                ] {
                    sqlx::raw_sql(statement)
                        .execute(&mut connection)
                        .await
                        .expect("the server's settings change");
                }
                let _ = connection.close().await;
            });
        });
        done.join().expect("the settings are changed");
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let _ = script("stop", &self.dir, &[]).output();
    }
}

/// `scripts/postgres.sh COMMAND DIR EXTRA..`, to run with its output kept.
fn script(command: &str, dir: &std::path::Path, extra: &[&str]) -> std::process::Command {
    let mut script = std::process::Command::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scripts/postgres.sh"
    ));
    script
        .arg(command)
        .arg(dir)
        .args(extra)
        .stdin(std::process::Stdio::null());
    script
}
