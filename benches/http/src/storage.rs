//! Where the baseline keeps its users and messages, chosen by
//! `DATABASE_URL` as in the chat app: unset or `memory://`, process memory;
//! `sqlite://PATH`, an SQLite file through sqlx; `postgres://...`, a
//! PostgreSQL database through sqlx.
//!
//! The SQL storages open their pool as the chat app opens its own
//! (`examples/src/chat/storage.rs`): sqlx's default pool size (10), a 5 s
//! acquire timeout, and for SQLite a WAL journal with `synchronous =
//! NORMAL`. The tables are the chat app's, made from its migration files
//! (`examples/migrations/`) on a database that has none yet. Every query
//! is written by hand for one dialect: no query builder, no JSON in
//! between, rows read straight into typed records.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::RwLock;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::{ApiError, Message};

/// The chat app's acquire timeout (`ACQUIRE_TIMEOUT` in its storage.rs).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// The chat app's schema on SQLite: its own migration files.
const SQLITE_SCHEMA: [&str; 2] = [
    include_str!("../../../examples/migrations/sqlite/0001_create_users.sql"),
    include_str!("../../../examples/migrations/sqlite/0002_create_messages.sql"),
];

/// The chat app's schema on PostgreSQL: its own migration files.
const POSTGRES_SCHEMA: [&str; 2] = [
    include_str!("../../../examples/migrations/postgres/0001_create_users.sql"),
    include_str!("../../../examples/migrations/postgres/0002_create_messages.sql"),
];

/// A message row: `id, text, "userId", anonymous`.
type MessageRow = (i64, String, Option<i64>, Option<bool>);

/// A stored user as the routes need it: its id and password hash.
pub struct Credentials {
    pub id: u64,
    pub hash: String,
}

/// Records in memory, in id order, ids from 1 as the chat app gives them.
struct Table<T> {
    next: u64,
    records: BTreeMap<u64, T>,
}

impl<T> Table<T> {
    fn new() -> Self {
        Table {
            next: 1,
            records: BTreeMap::new(),
        }
    }
}

struct MemoryUser {
    email: String,
    hash: String,
}

/// The in-memory storage (the baseline's only one before issue 13).
pub struct Memory {
    messages: RwLock<Table<Message>>,
    users: RwLock<Table<MemoryUser>>,
}

/// Where the records are.
pub enum Storage {
    Memory(Memory),
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

fn poisoned<T>(_: T) -> ApiError {
    ApiError::general("poisoned")
}

/// A database error as the client sees it (as the chat adapter answers):
/// a unique violation is a 409, an unreachable database a 503, anything
/// else a 500 that says nothing of the SQL.
fn database_error(error: sqlx::Error) -> ApiError {
    match &error {
        sqlx::Error::Database(database) if database.is_unique_violation() => {
            ApiError::conflict("A record with this value already exists")
        }
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            eprintln!("database unavailable: {error}");
            ApiError::unavailable("The database is unavailable")
        }
        _ => {
            eprintln!("database error: {error}");
            ApiError::general("Database error")
        }
    }
}

fn to_message((id, text, user_id, anonymous): MessageRow) -> Message {
    Message {
        // Ids come from 1 up; a negative one is never written.
        id: u64::try_from(id).unwrap_or_default(),
        text,
        user_id: user_id.and_then(|user| u64::try_from(user).ok()),
        anonymous,
    }
}

fn to_id(id: i64) -> u64 {
    u64::try_from(id).unwrap_or_default()
}

impl Storage {
    /// The storage `url` names (`None`: memory).
    ///
    /// # Errors
    ///
    /// A message naming the scheme (never the URL, which may carry a
    /// password) when the URL is unknown or the database can not be
    /// opened or given its schema.
    pub async fn open(url: Option<&str>) -> Result<Storage, String> {
        let url = url.map(str::trim).unwrap_or_default();
        let scheme = url.split_once(':').map_or(url, |(scheme, _)| scheme);
        match scheme {
            "" | "memory" => Ok(Storage::Memory(Memory {
                messages: RwLock::new(Table::new()),
                users: RwLock::new(Table::new()),
            })),
            "sqlite" => {
                let options = SqliteConnectOptions::from_str(url)
                    .map_err(|error| format!("DATABASE_URL is not a valid SQLite URL: {error}"))?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal);
                let pool = SqlitePoolOptions::new()
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect_with(options)
                    .await
                    .map_err(|error| format!("Can not open the SQLite database: {error}"))?;
                let (exists,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'messages'",
                )
                .fetch_one(&pool)
                .await
                .map_err(|error| format!("Can not read the SQLite schema: {error}"))?;
                if exists == 0 {
                    for sql in SQLITE_SCHEMA {
                        sqlx::raw_sql(sql)
                            .execute(&pool)
                            .await
                            .map_err(|error| format!("Can not create the schema: {error}"))?;
                    }
                }
                Ok(Storage::Sqlite(pool))
            }
            "postgres" | "postgresql" => {
                let pool = PgPoolOptions::new()
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect(url)
                    .await
                    .map_err(|error| format!("Can not open the PostgreSQL database: {error}"))?;
                let (exists,): (bool,) =
                    sqlx::query_as("SELECT to_regclass('messages') IS NOT NULL")
                        .fetch_one(&pool)
                        .await
                        .map_err(|error| format!("Can not read the PostgreSQL schema: {error}"))?;
                if !exists {
                    for sql in POSTGRES_SCHEMA {
                        sqlx::raw_sql(sql)
                            .execute(&pool)
                            .await
                            .map_err(|error| format!("Can not create the schema: {error}"))?;
                    }
                }
                Ok(Storage::Postgres(pool))
            }
            _ => Err(format!(
                "DATABASE_URL has the unknown scheme '{scheme}': use memory://, sqlite://PATH or postgres://..."
            )),
        }
    }

    /// `answer` applied to the message `id` (`None` when not stored). In
    /// memory the message is read in place, under the lock, as before the
    /// SQL storages: the memory figures stay comparable with earlier ones.
    pub async fn with_message<R>(
        &self,
        id: u64,
        answer: impl FnOnce(Option<&Message>) -> R,
    ) -> Result<R, ApiError> {
        // An id the column can not hold names no message.
        let key = i64::try_from(id).ok();
        let row: Option<MessageRow> = match (self, key) {
            (Storage::Memory(memory), _) => {
                let messages = memory.messages.read().map_err(poisoned)?;
                return Ok(answer(messages.records.get(&id)));
            }
            (_, None) => return Ok(answer(None)),
            (Storage::Sqlite(pool), Some(key)) => {
                sqlx::query_as(r#"SELECT id, text, "userId", anonymous FROM messages WHERE id = ?"#)
                    .bind(key)
                    .fetch_optional(pool)
                    .await
            }
            (Storage::Postgres(pool), Some(key)) => {
                sqlx::query_as(
                    r#"SELECT id, text, "userId", anonymous FROM messages WHERE id = $1"#,
                )
                .bind(key)
                .fetch_optional(pool)
                .await
            }
        }
        .map_err(database_error)?;
        Ok(answer(row.map(to_message).as_ref()))
    }

    /// `answer` applied to how many messages there are and to `limit` of
    /// them after `skip`, in id order (read in place in memory).
    pub async fn with_page<R>(
        &self,
        limit: usize,
        skip: usize,
        answer: impl FnOnce(usize, Vec<&Message>) -> R,
    ) -> Result<R, ApiError> {
        let (limit_sql, skip_sql) = (
            i64::try_from(limit).unwrap_or(i64::MAX),
            i64::try_from(skip).unwrap_or(i64::MAX),
        );
        let (total, rows): ((i64,), Vec<MessageRow>) = match self {
            Storage::Memory(memory) => {
                let messages = memory.messages.read().map_err(poisoned)?;
                let page = messages.records.values().skip(skip).take(limit).collect();
                return Ok(answer(messages.records.len(), page));
            }
            Storage::Sqlite(pool) => (
                sqlx::query_as("SELECT COUNT(*) FROM messages")
                    .fetch_one(pool)
                    .await
                    .map_err(database_error)?,
                sqlx::query_as(
                    r#"SELECT id, text, "userId", anonymous FROM messages ORDER BY id LIMIT ? OFFSET ?"#,
                )
                .bind(limit_sql)
                .bind(skip_sql)
                .fetch_all(pool)
                .await
                .map_err(database_error)?,
            ),
            Storage::Postgres(pool) => (
                sqlx::query_as("SELECT COUNT(*) FROM messages")
                    .fetch_one(pool)
                    .await
                    .map_err(database_error)?,
                sqlx::query_as(
                    r#"SELECT id, text, "userId", anonymous FROM messages ORDER BY id LIMIT $1 OFFSET $2"#,
                )
                .bind(limit_sql)
                .bind(skip_sql)
                .fetch_all(pool)
                .await
                .map_err(database_error)?,
            ),
        };
        let total = usize::try_from(total.0).unwrap_or_default();
        let page: Vec<Message> = rows.into_iter().map(to_message).collect();
        Ok(answer(total, page.iter().collect()))
    }

    /// Stores a new message and returns it with its id.
    pub async fn create_message(
        &self,
        text: String,
        user_id: Option<u64>,
        anonymous: Option<bool>,
    ) -> Result<Message, ApiError> {
        let author = user_id.and_then(|user| i64::try_from(user).ok());
        let id: (i64,) = match self {
            Storage::Memory(memory) => {
                let mut messages = memory.messages.write().map_err(poisoned)?;
                let id = messages.next;
                messages.next += 1;
                let message = Message {
                    id,
                    text,
                    user_id,
                    anonymous,
                };
                messages.records.insert(id, message.clone());
                return Ok(message);
            }
            Storage::Sqlite(pool) => {
                sqlx::query_as(
                    r#"INSERT INTO messages (text, "userId", anonymous) VALUES (?, ?, ?) RETURNING id"#,
                )
                .bind(&text)
                .bind(author)
                .bind(anonymous)
                .fetch_one(pool)
                .await
            }
            Storage::Postgres(pool) => {
                sqlx::query_as(
                    r#"INSERT INTO messages (text, "userId", anonymous) VALUES ($1, $2, $3) RETURNING id"#,
                )
                .bind(&text)
                .bind(author)
                .bind(anonymous)
                .fetch_one(pool)
                .await
            }
        }
        .map_err(database_error)?;
        Ok(Message {
            id: to_id(id.0),
            text,
            user_id,
            anonymous,
        })
    }

    /// Stores a new user and returns its id; an email already stored is a
    /// 409 on the SQL storages (their `UNIQUE` column), as in the chat app.
    pub async fn create_user(&self, email: &str, hash: String) -> Result<u64, ApiError> {
        let id: (i64,) = match self {
            Storage::Memory(memory) => {
                let mut users = memory.users.write().map_err(poisoned)?;
                let id = users.next;
                users.next += 1;
                users.records.insert(
                    id,
                    MemoryUser {
                        email: email.to_owned(),
                        hash,
                    },
                );
                return Ok(id);
            }
            Storage::Sqlite(pool) => {
                sqlx::query_as("INSERT INTO users (email, password) VALUES (?, ?) RETURNING id")
                    .bind(email)
                    .bind(hash)
                    .fetch_one(pool)
                    .await
            }
            Storage::Postgres(pool) => {
                sqlx::query_as("INSERT INTO users (email, password) VALUES ($1, $2) RETURNING id")
                    .bind(email)
                    .bind(hash)
                    .fetch_one(pool)
                    .await
            }
        }
        .map_err(database_error)?;
        Ok(to_id(id.0))
    }

    /// The email of the user `id`, if stored.
    pub async fn user_email(&self, id: u64) -> Result<Option<String>, ApiError> {
        let Ok(key) = i64::try_from(id) else {
            return Ok(None);
        };
        let row: Option<(String,)> = match self {
            Storage::Memory(memory) => {
                let users = memory.users.read().map_err(poisoned)?;
                return Ok(users.records.get(&id).map(|user| user.email.clone()));
            }
            Storage::Sqlite(pool) => {
                sqlx::query_as("SELECT email FROM users WHERE id = ?")
                    .bind(key)
                    .fetch_optional(pool)
                    .await
            }
            Storage::Postgres(pool) => {
                sqlx::query_as("SELECT email FROM users WHERE id = $1")
                    .bind(key)
                    .fetch_optional(pool)
                    .await
            }
        }
        .map_err(database_error)?;
        Ok(row.map(|(email,)| email))
    }

    /// The id and password hash of the user with `email`, if stored.
    pub async fn credentials(&self, email: &str) -> Result<Option<Credentials>, ApiError> {
        let row: Option<(i64, Option<String>)> = match self {
            Storage::Memory(memory) => {
                let users = memory.users.read().map_err(poisoned)?;
                return Ok(users
                    .records
                    .iter()
                    .find(|(_, user)| user.email == email)
                    .map(|(id, user)| Credentials {
                        id: *id,
                        hash: user.hash.clone(),
                    }));
            }
            Storage::Sqlite(pool) => {
                sqlx::query_as("SELECT id, password FROM users WHERE email = ?")
                    .bind(email)
                    .fetch_optional(pool)
                    .await
            }
            Storage::Postgres(pool) => {
                sqlx::query_as("SELECT id, password FROM users WHERE email = $1")
                    .bind(email)
                    .fetch_optional(pool)
                    .await
            }
        }
        .map_err(database_error)?;
        Ok(row.map(|(id, hash)| Credentials {
            id: to_id(id),
            hash: hash.unwrap_or_default(),
        }))
    }
}
