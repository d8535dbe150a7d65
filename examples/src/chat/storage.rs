//! Where the chat app keeps its users and messages, chosen by
//! `DATABASE_URL` (CONTRACT.md, "Start"):
//!
//! | `DATABASE_URL` | storage |
//! | --- | --- |
//! | unset (or empty) | the SQLite file `chat.db` in the working directory |
//! | `sqlite://PATH` (sqlx's SQLite URL: `sqlite:PATH`, `?mode=..` too) | the SQLite file `PATH` |
//! | `memory://` | process memory (tests, benchmarks): gone at exit |
//! | `postgres://...` (or `postgresql://`; sqlx's PostgreSQL URL) | that PostgreSQL database |
//!
//! A SQLite file is created if missing; either database is migrated at
//! start ([`migrations`](super::migrations)), so records survive a restart.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use auth_core::memory::{MemoryOptions, MemoryService};
use auth_core::query::Paginate;
use auth_core::sql::sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use auth_core::sql::sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use auth_core::sql::{SqlOptions, SqlPool, SqlService};
use auth_core::store::Store;
use auth_core::{Error, Result};

use super::{Message, User, migrations};

/// The SQLite file used when `DATABASE_URL` is unset.
pub const DEFAULT_FILE: &str = "chat.db";

/// `/messages` pages: 10 records by default, at most 50.
const MESSAGE_PAGES: Paginate = Paginate {
    default: 10,
    max: 50,
};

/// The first id given, on every storage: SQLite's first rowid is 1, as is
/// the first value of PostgreSQL's identity columns, and memory starts
/// there too, so a client sees the same ids whatever the storage.
const FIRST_ID: i64 = 1;

/// How long a call waits for a database connection before it is a `503
/// Unavailable`: for a free one when the pool is busy, and for a new one
/// when the database is down (sqlx retries connecting until then, so the
/// pool reconnects by itself once the database is back). sqlx's default,
/// 30 s, is the whole request budget.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the chat app keeps its records.
#[derive(Debug, Clone)]
pub enum Storage {
    /// In process memory.
    Memory,
    /// In an SQLite database (boxed: the options are large beside `Memory`).
    Sqlite(Box<SqliteConnectOptions>),
    /// In a PostgreSQL database.
    Postgres(Box<PgConnectOptions>),
}

impl Storage {
    /// The storage `DATABASE_URL` names (see the module docs).
    ///
    /// # Errors
    ///
    /// `GeneralError` when the variable is not UTF-8 or names a storage that
    /// is unknown or not built.
    pub fn from_env() -> Result<Storage> {
        match std::env::var("DATABASE_URL") {
            Ok(url) => Storage::from_url(Some(&url)),
            Err(std::env::VarError::NotPresent) => Storage::from_url(None),
            Err(std::env::VarError::NotUnicode(_)) => {
                Err(Error::general("DATABASE_URL is not valid UTF-8"))
            }
        }
    }

    /// The storage `url` names; `None` or an empty one is the default
    /// SQLite file.
    ///
    /// # Errors
    ///
    /// `GeneralError` when `url` is malformed or names an unknown storage.
    pub fn from_url(url: Option<&str>) -> Result<Storage> {
        let url = url.map(str::trim).unwrap_or_default();
        if url.is_empty() {
            return Ok(Storage::sqlite_file(DEFAULT_FILE));
        }
        // Only the scheme is ever repeated in a message: a database URL
        // may carry a password.
        let scheme = url.split_once(':').map_or(url, |(scheme, _)| scheme);
        match scheme {
            "memory" => Ok(Storage::Memory),
            "sqlite" => SqliteConnectOptions::from_str(url)
                .map(|options| Storage::Sqlite(Box::new(options.create_if_missing(true))))
                .map_err(|error| {
                    Error::general(format!("DATABASE_URL is not a valid SQLite URL: {error}"))
                }),
            "postgres" | "postgresql" => PgConnectOptions::from_str(url)
                .map(|options| Storage::Postgres(Box::new(options)))
                .map_err(|error| {
                    Error::general(format!(
                        "DATABASE_URL is not a valid PostgreSQL URL: {error}"
                    ))
                }),
            _ => Err(Error::general(format!(
                "DATABASE_URL has the unknown scheme '{scheme}': \
                 use sqlite://PATH, postgres://... or memory://"
            ))),
        }
    }

    /// The SQLite file at `path`, created if missing.
    pub fn sqlite_file(path: impl AsRef<Path>) -> Storage {
        Storage::Sqlite(Box::new(
            SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true),
        ))
    }

    /// The PostgreSQL database `options` connect to.
    pub fn postgres(options: PgConnectOptions) -> Storage {
        Storage::Postgres(Box::new(options))
    }

    /// Opens the storage (an SQLite database is created if missing; a
    /// database is migrated) and makes the stores of users and messages
    /// on it.
    pub(super) async fn open(&self) -> Result<Stores> {
        match self {
            Storage::Memory => Ok(Stores::in_memory()),
            Storage::Postgres(options) => {
                let pool = PgPoolOptions::new()
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect_with(PgConnectOptions::clone(options))
                    .await
                    .map_err(|error| {
                        Error::unavailable(format!("Can not connect to PostgreSQL: {error}"))
                    })?;
                Stores::in_database(pool.into()).await
            }
            Storage::Sqlite(options) => {
                // WAL: readers never wait for the writer; NORMAL sync is
                // durable across a crash of the process (not of the
                // machine's power), SQLite's advice for WAL.
                let options = SqliteConnectOptions::clone(options)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal);
                let pool = SqlitePoolOptions::new()
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect_with(options)
                    .await
                    .map_err(|error| {
                        Error::unavailable(format!("Can not open the SQLite database: {error}"))
                    })?;
                Stores::in_database(pool.into()).await
            }
        }
    }
}

/// The stores the chat app's services hold.
pub(super) struct Stores {
    pub(super) users: Store<User>,
    pub(super) messages: Store<Message>,
}

impl Stores {
    /// Both in tables of the database `pool` connects to, migrated first.
    async fn in_database(pool: SqlPool) -> Result<Stores> {
        migrations::run(&pool).await?;
        Ok(Stores {
            users: SqlService::new(&pool, "users", SqlOptions::new())
                .await?
                .into(),
            messages: SqlService::new(pool, "messages", SqlOptions::new().paginate(MESSAGE_PAGES))
                .await?
                .into(),
        })
    }

    /// Both in memory, with the options the SQL schema gives the tables:
    /// unique emails, paginated messages.
    pub(super) fn in_memory() -> Stores {
        Stores {
            // Emails are unique; `users.rs` folds them before they are stored.
            users: MemoryService::with_options(
                MemoryOptions::new().unique(["email"]).start_id(FIRST_ID),
            )
            .into(),
            messages: MemoryService::with_options(
                MemoryOptions::new()
                    .paginate(MESSAGE_PAGES)
                    .start_id(FIRST_ID),
            )
            .into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Storage;

    fn sqlite_path(storage: &Storage) -> String {
        match storage {
            Storage::Sqlite(options) => options.get_filename().display().to_string(),
            other => panic!("{other:?}, not SQLite"),
        }
    }

    #[test]
    fn database_url_chooses_the_storage() {
        assert_eq!(sqlite_path(&Storage::from_url(None).unwrap()), "chat.db");
        assert_eq!(
            sqlite_path(&Storage::from_url(Some("")).unwrap()),
            "chat.db"
        );
        assert_eq!(
            sqlite_path(&Storage::from_url(Some("sqlite://data/app.db")).unwrap()),
            "data/app.db"
        );
        assert!(matches!(
            Storage::from_url(Some("memory://")),
            Ok(Storage::Memory)
        ));
    }

    #[test]
    fn postgres_urls_name_a_postgres_database() {
        for url in [
            "postgres://app:hunter2@db:5433/chat",
            "postgresql://app@db/chat",
        ] {
            match Storage::from_url(Some(url)).unwrap() {
                Storage::Postgres(options) => {
                    assert_eq!(options.get_host(), "db");
                    assert_eq!(options.get_database(), Some("chat"));
                }
                other => panic!("{url}: {other:?}"),
            }
        }
    }

    #[test]
    fn malformed_and_unknown_urls_are_clear_errors_that_never_echo_the_url() {
        let postgres = Storage::from_url(Some("postgres://app:hunter2@db:port/chat")).unwrap_err();
        assert!(
            postgres.message().contains("not a valid PostgreSQL URL"),
            "{}",
            postgres.message()
        );
        assert!(!postgres.message().contains("hunter2"));
        let mysql = Storage::from_url(Some("mysql://app:hunter2@db/chat")).unwrap_err();
        assert!(
            mysql.message().contains("unknown scheme 'mysql'"),
            "{}",
            mysql.message()
        );
        assert!(!mysql.message().contains("hunter2"));
    }
}
