//! The database a [`SqlService`](super::SqlService) keeps its table in:
//! SQLite (feature `sqlite`) or PostgreSQL (feature `postgres`), chosen at
//! run time by the pool the service is given.
//!
//! One service type for both, as Feathers' knex adapter is one adapter for
//! every client: an app picks its database from its configuration
//! (`DATABASE_URL`) without a type parameter changing through its code.
//! What differs between the two is kept here and in the two backend
//! modules: how a statement is built and run, how a table's columns are
//! read, and how a row becomes JSON.

use sea_query_binder::SqlxBinder;

use crate::error::{Error, Result};
use crate::sql::columns::Column;
use crate::sql::errors::database_error;
use crate::sql::row::Cell;

#[cfg(feature = "postgres")]
use crate::sql::postgres;
#[cfg(feature = "sqlite")]
use crate::sql::sqlite;

/// A pool of connections to the database a [`SqlService`](super::SqlService)
/// keeps its table in. Made from sqlx's pools with `into()`:
///
/// ```
/// use auth_core::sql::{SqlPool, sqlx};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let sqlite = sqlx::sqlite::SqlitePoolOptions::new().connect("sqlite::memory:").await.unwrap();
/// let pool: SqlPool = sqlite.into();
/// assert_eq!(pool.backend(), "SQLite");
/// # });
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SqlPool {
    /// An SQLite database (feature `sqlite`).
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::SqlitePool),
    /// A PostgreSQL database (feature `postgres`).
    #[cfg(feature = "postgres")]
    Postgres(sqlx::PgPool),
}

#[cfg(feature = "sqlite")]
impl From<sqlx::SqlitePool> for SqlPool {
    fn from(pool: sqlx::SqlitePool) -> SqlPool {
        SqlPool::Sqlite(pool)
    }
}

#[cfg(feature = "sqlite")]
impl From<&sqlx::SqlitePool> for SqlPool {
    fn from(pool: &sqlx::SqlitePool) -> SqlPool {
        SqlPool::Sqlite(pool.clone())
    }
}

#[cfg(feature = "postgres")]
impl From<sqlx::PgPool> for SqlPool {
    fn from(pool: sqlx::PgPool) -> SqlPool {
        SqlPool::Postgres(pool)
    }
}

#[cfg(feature = "postgres")]
impl From<&sqlx::PgPool> for SqlPool {
    fn from(pool: &sqlx::PgPool) -> SqlPool {
        SqlPool::Postgres(pool.clone())
    }
}

impl From<&SqlPool> for SqlPool {
    fn from(pool: &SqlPool) -> SqlPool {
        pool.clone()
    }
}

/// The SQL a statement is written in. Public only for the fuzz targets
/// (through `auth_core::__fuzz`); a service takes its dialect from its pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite's (feature `sqlite`).
    #[cfg(feature = "sqlite")]
    Sqlite,
    /// PostgreSQL's (feature `postgres`).
    #[cfg(feature = "postgres")]
    Postgres,
}

impl Dialect {
    /// `statement`'s SQL text in this dialect, its values as placeholders
    /// (`?` on SQLite, `$1`, `$2`.. on PostgreSQL), and the values.
    pub(crate) fn build(
        self,
        statement: &sea_query::SelectStatement,
    ) -> (String, sea_query::Values) {
        match self {
            #[cfg(feature = "sqlite")]
            Dialect::Sqlite => statement.build(sea_query::SqliteQueryBuilder),
            #[cfg(feature = "postgres")]
            Dialect::Postgres => statement.build(sea_query::PostgresQueryBuilder),
        }
    }

    /// Whether its text can not hold the NUL character (PostgreSQL's can
    /// not; SQLite's can).
    pub(crate) fn refuses_nul(self) -> bool {
        match self {
            #[cfg(feature = "sqlite")]
            Dialect::Sqlite => false,
            #[cfg(feature = "postgres")]
            Dialect::Postgres => true,
        }
    }
}

/// A transaction open on a [`SqlPool`].
pub(crate) enum Tx {
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    #[cfg(feature = "postgres")]
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Tx {
    /// Commits it.
    pub(crate) async fn commit(self) -> Result<()> {
        match self {
            #[cfg(feature = "sqlite")]
            Tx::Sqlite(tx) => tx.commit().await,
            #[cfg(feature = "postgres")]
            Tx::Postgres(tx) => tx.commit().await,
        }
        .map_err(database_error)
    }

    /// Rolls it back.
    pub(crate) async fn rollback(self) -> Result<()> {
        match self {
            #[cfg(feature = "sqlite")]
            Tx::Sqlite(tx) => tx.rollback().await,
            #[cfg(feature = "postgres")]
            Tx::Postgres(tx) => tx.rollback().await,
        }
        .map_err(database_error)
    }
}

/// The error of a call whose transaction (opened by a hook) is on another
/// database than the service's: a mistake in the app's hooks.
#[cfg(all(feature = "sqlite", feature = "postgres"))]
fn another_database() -> Error {
    Error::general("The call's transaction is on another database than the service's table")
}

/// Runs `$body` with `$executor` bound to the transaction when there is
/// one, else to the pool; `$variant` is the backend's `Tx` variant.
macro_rules! on_executor {
    ($pool:expr, $tx:expr, $variant:ident, |$executor:ident| $body:expr) => {
        match $tx {
            None => {
                let $executor = $pool;
                $body
            }
            Some(Tx::$variant(tx)) => {
                let $executor = &mut **tx;
                $body
            }
            #[cfg(all(feature = "sqlite", feature = "postgres"))]
            Some(_) => return Err(another_database()),
        }
    };
}

/// `$query` with `$value` bound directly (the values an id can be), not
/// through sea-query-binder's list of values: the one bind of the most
/// frequent statement.
macro_rules! bind_one {
    ($query:expr, $value:expr) => {
        match $value {
            sea_query::Value::BigInt(value) => $query.bind(value),
            sea_query::Value::Double(value) => $query.bind(value),
            sea_query::Value::Bool(value) => $query.bind(value),
            sea_query::Value::String(value) => $query.bind(value.map(|text| *text)),
            other => {
                return Err(Error::general(format!(
                    "An id can not be bound as {other:?}"
                )))
            }
        }
    };
}

impl SqlPool {
    /// The database's name, as messages and logs show it: `"SQLite"` or
    /// `"PostgreSQL"`.
    pub fn backend(&self) -> &'static str {
        match self {
            #[cfg(feature = "sqlite")]
            SqlPool::Sqlite(_) => "SQLite",
            #[cfg(feature = "postgres")]
            SqlPool::Postgres(_) => "PostgreSQL",
        }
    }

    pub(crate) fn dialect(&self) -> Dialect {
        match self {
            #[cfg(feature = "sqlite")]
            SqlPool::Sqlite(_) => Dialect::Sqlite,
            #[cfg(feature = "postgres")]
            SqlPool::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Opens a transaction for writes. On SQLite it takes the write lock
    /// at once (`BEGIN IMMEDIATE`), waiting for it as long as the
    /// connection's busy timeout: a transaction that reads first and then
    /// writes would instead fail with `SQLITE_BUSY` when another
    /// connection committed a write after its read, which SQLite can not
    /// wait out (found as a multi patch failing now and then).
    ///
    /// On SQLite the `BEGIN` runs in a task of its own, so that a caller
    /// dropped part-way (a client gone) can not cancel it: sqlx's
    /// `begin_with` is not cancel-safe. Dropped after its statement ran but
    /// before the transaction was handed over, it gave the connection back
    /// to the pool inside the transaction, holding the write lock, and every
    /// later write failed. Run to its end, the transaction it makes is
    /// dropped, which rolls it back.
    pub(crate) async fn begin(&self) -> Result<Tx> {
        match self {
            #[cfg(feature = "sqlite")]
            SqlPool::Sqlite(pool) => {
                let pool = pool.clone();
                tokio::spawn(async move { pool.begin_with("BEGIN IMMEDIATE").await })
                    .await
                    .map_err(|error| {
                        Error::general(format!("The task opening a transaction failed: {error}"))
                    })?
                    .map(Tx::Sqlite)
            }
            #[cfg(feature = "postgres")]
            SqlPool::Postgres(pool) => pool.begin().await.map(Tx::Postgres),
        }
        .map_err(database_error)
    }

    /// The columns of `table`, in their order.
    pub(crate) async fn read_columns(&self, table: &str) -> Result<Vec<Column>> {
        match self {
            #[cfg(feature = "sqlite")]
            SqlPool::Sqlite(pool) => sqlite::read_columns(pool, table).await,
            #[cfg(feature = "postgres")]
            SqlPool::Postgres(pool) => postgres::read_columns(pool, table).await,
        }
    }

    /// The rows `statement` returns, each made by `read` from its cells
    /// (a JSON record, a `T`), inside `tx` or on the pool.
    pub(crate) async fn fetch<R>(
        &self,
        statement: &impl SqlxBinder,
        columns: &[Column],
        tx: Option<&mut Tx>,
        read: impl Fn(&[Column], &[Cell<'_>]) -> Result<R>,
    ) -> Result<Vec<R>> {
        match self {
            #[cfg(feature = "sqlite")]
            SqlPool::Sqlite(pool) => {
                let (sql, values) = statement.build_sqlx(sea_query::SqliteQueryBuilder);
                let query = sqlx::query_with(&sql, values);
                let rows =
                    on_executor!(pool, tx, Sqlite, |executor| query.fetch_all(executor).await)
                        .map_err(database_error)?;
                rows.iter()
                    .map(|row| read(columns, &sqlite::row_cells(columns, row)?))
                    .collect()
            }
            #[cfg(feature = "postgres")]
            SqlPool::Postgres(pool) => {
                let (sql, values) = statement.build_sqlx(sea_query::PostgresQueryBuilder);
                let query = sqlx::query_with(&sql, values);
                let rows = on_executor!(pool, tx, Postgres, |executor| query
                    .fetch_all(executor)
                    .await)
                .map_err(database_error)?;
                rows.iter()
                    .map(|row| read(columns, &postgres::row_cells(columns, row)?))
                    .collect()
            }
        }
    }

    /// The SQL text of `statement` in the pool's dialect, its values left
    /// as placeholders (for a statement written once and run many times).
    pub(crate) fn sql(&self, statement: &impl SqlxBinder) -> String {
        match self {
            #[cfg(feature = "sqlite")]
            SqlPool::Sqlite(_) => statement.build_sqlx(sea_query::SqliteQueryBuilder).0,
            #[cfg(feature = "postgres")]
            SqlPool::Postgres(_) => statement.build_sqlx(sea_query::PostgresQueryBuilder).0,
        }
    }

    /// The first row `sql` (made by [`SqlPool::sql`], with one placeholder)
    /// returns with `value` bound, made by `read` from its cells, inside
    /// `tx` or on the pool; no other row is read.
    pub(crate) async fn fetch_optional<R>(
        &self,
        sql: &str,
        value: sea_query::Value,
        columns: &[Column],
        tx: Option<&mut Tx>,
        read: impl Fn(&[Column], &[Cell<'_>]) -> Result<R>,
    ) -> Result<Option<R>> {
        match self {
            #[cfg(feature = "sqlite")]
            SqlPool::Sqlite(pool) => {
                let query = bind_one!(sqlx::query(sql), value);
                let row = on_executor!(pool, tx, Sqlite, |executor| query
                    .fetch_optional(executor)
                    .await)
                .map_err(database_error)?;
                row.map(|row| read(columns, &sqlite::row_cells(columns, &row)?))
                    .transpose()
            }
            #[cfg(feature = "postgres")]
            SqlPool::Postgres(pool) => {
                let query = bind_one!(sqlx::query(sql), value);
                let row = on_executor!(pool, tx, Postgres, |executor| query
                    .fetch_optional(executor)
                    .await)
                .map_err(database_error)?;
                row.map(|row| read(columns, &postgres::row_cells(columns, &row)?))
                    .transpose()
            }
        }
    }

    /// Runs `statement`, inside `tx` or on the pool.
    pub(crate) async fn execute(
        &self,
        statement: &impl SqlxBinder,
        tx: Option<&mut Tx>,
    ) -> Result<()> {
        match self {
            #[cfg(feature = "sqlite")]
            SqlPool::Sqlite(pool) => {
                let (sql, values) = statement.build_sqlx(sea_query::SqliteQueryBuilder);
                let query = sqlx::query_with(&sql, values);
                on_executor!(pool, tx, Sqlite, |executor| query.execute(executor).await)
                    .map(drop)
                    .map_err(database_error)
            }
            #[cfg(feature = "postgres")]
            SqlPool::Postgres(pool) => {
                let (sql, values) = statement.build_sqlx(sea_query::PostgresQueryBuilder);
                let query = sqlx::query_with(&sql, values);
                on_executor!(pool, tx, Postgres, |executor| query.execute(executor).await)
                    .map(drop)
                    .map_err(database_error)
            }
        }
    }

    /// The first column of the one row `statement` returns, an integer
    /// (a `COUNT(*)`).
    pub(crate) async fn fetch_count(
        &self,
        statement: &impl SqlxBinder,
        tx: Option<&mut Tx>,
    ) -> Result<i64> {
        use sqlx::Row;
        match self {
            #[cfg(feature = "sqlite")]
            SqlPool::Sqlite(pool) => {
                let (sql, values) = statement.build_sqlx(sea_query::SqliteQueryBuilder);
                let query = sqlx::query_with(&sql, values);
                let row =
                    on_executor!(pool, tx, Sqlite, |executor| query.fetch_one(executor).await)
                        .map_err(database_error)?;
                row.try_get(0).map_err(database_error)
            }
            #[cfg(feature = "postgres")]
            SqlPool::Postgres(pool) => {
                let (sql, values) = statement.build_sqlx(sea_query::PostgresQueryBuilder);
                let query = sqlx::query_with(&sql, values);
                let row = on_executor!(pool, tx, Postgres, |executor| query
                    .fetch_one(executor)
                    .await)
                .map_err(database_error)?;
                row.try_get(0).map_err(database_error)
            }
        }
    }

    /// After a record brought its own integer `id` into `table`: moves the
    /// id column's sequence past it, so that no id the database assigns
    /// later takes it (PostgreSQL's sequences, unlike SQLite's rowids, do
    /// not look at the ids stored). SQLite needs nothing.
    pub(crate) async fn reserve_id(
        &self,
        table: &str,
        column: &str,
        id: i64,
        tx: Option<&mut Tx>,
    ) -> Result<()> {
        match self {
            #[cfg(feature = "sqlite")]
            SqlPool::Sqlite(_) => {
                let _ = (table, column, id, tx);
                Ok(())
            }
            #[cfg(feature = "postgres")]
            SqlPool::Postgres(pool) => {
                let query = postgres::reserve_id(table, column, id);
                on_executor!(pool, tx, Postgres, |executor| query.execute(executor).await)
                    .map(drop)
                    .map_err(database_error)
            }
        }
    }

    /// How the database runs `select`: the lines of SQLite's `EXPLAIN
    /// QUERY PLAN` or of PostgreSQL's `EXPLAIN`.
    pub(crate) async fn explain(&self, select: &sea_query::SelectStatement) -> Result<Vec<String>> {
        use sqlx::Row;
        match self {
            #[cfg(feature = "sqlite")]
            SqlPool::Sqlite(pool) => {
                let (sql, values) = select.build_sqlx(sea_query::SqliteQueryBuilder);
                let rows = sqlx::query_with(&format!("EXPLAIN QUERY PLAN {sql}"), values)
                    .fetch_all(pool)
                    .await
                    .map_err(database_error)?;
                rows.iter()
                    .map(|row| row.try_get::<String, _>("detail").map_err(database_error))
                    .collect()
            }
            #[cfg(feature = "postgres")]
            SqlPool::Postgres(pool) => {
                let (sql, values) = select.build_sqlx(sea_query::PostgresQueryBuilder);
                let rows = sqlx::query_with(&format!("EXPLAIN {sql}"), values)
                    .fetch_all(pool)
                    .await
                    .map_err(database_error)?;
                rows.iter()
                    .map(|row| row.try_get::<String, _>(0).map_err(database_error))
                    .collect()
            }
        }
    }
}
