//! Fresh SQLite databases for the SQL adapter's tests: a file each, in a
//! temporary directory of its own that goes away with the test.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use auth_core::sql::sqlx;
use auth_core::sql::sqlx::sqlite::{
    SqliteConnectOptions, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

static DATABASES: AtomicUsize = AtomicUsize::new(0);

/// A database file made with a schema; the directory holding it (and
/// SQLite's journal files) is removed when this is dropped, so keep it as
/// long as the services on its pool.
pub struct TempDatabase {
    dir: PathBuf,
    pool: SqlitePool,
}

impl TempDatabase {
    /// A new database on which `schema` (one statement) has run, with a
    /// pool of up to `connections`.
    pub async fn new(schema: &str, connections: u32) -> TempDatabase {
        let dir = std::env::temp_dir().join(format!(
            "auth-core-sqlite-{}-{}",
            std::process::id(),
            DATABASES.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let options = SqliteConnectOptions::new()
            .filename(dir.join("test.db"))
            .create_if_missing(true)
            // Nothing here has to survive a power cut: no fsync per commit.
            .synchronous(SqliteSynchronous::Off);
        let database = TempDatabase {
            dir,
            pool: SqlitePoolOptions::new()
                .max_connections(connections)
                .connect_with(options)
                .await
                .expect("a SQLite database"),
        };
        sqlx::query(schema)
            .execute(&database.pool)
            .await
            .expect("the schema runs");
        database
    }

    /// The database's pool (a handle on the same connections).
    pub fn pool(&self) -> SqlitePool {
        self.pool.clone()
    }
}

impl Drop for TempDatabase {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
