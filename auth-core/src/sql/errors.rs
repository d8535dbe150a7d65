//! Database errors as Feathers errors: what the client broke is a 4xx, a
//! database that can not be reached is `503 Unavailable`, anything else a
//! `500` whose message says nothing of the SQL (the details are logged).

use serde_json::json;
use sqlx::error::{DatabaseError, ErrorKind};

use crate::error::Error;

/// `error` as the Feathers error a client receives.
pub(crate) fn database_error(error: sqlx::Error) -> Error {
    match &error {
        sqlx::Error::Database(database) => match database.kind() {
            ErrorKind::UniqueViolation => match unique_field(database.as_ref()) {
                Some(field) => Error::conflict(format!("{field}: value already exists"))
                    .with_errors(json!({ field: "already exists" })),
                None => Error::conflict("A record with this value already exists"),
            },
            ErrorKind::ForeignKeyViolation | ErrorKind::CheckViolation => {
                Error::bad_request("The data breaks a constraint of the table")
            }
            ErrorKind::NotNullViolation => match not_null_field(database.as_ref()) {
                Some(field) => Error::bad_request(format!("'{field}' is required"))
                    .with_errors(json!({ field: "is required" })),
                None => Error::bad_request("A required field is missing"),
            },
            _ => match cause(database.as_ref()) {
                Cause::Data => Error::bad_request("A value does not fit its column"),
                Cause::Unavailable => unavailable(&error),
                Cause::Other => general(&error),
            },
        },
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => unavailable(&error),
        _ => general(&error),
    }
}

fn unavailable(error: &sqlx::Error) -> Error {
    tracing::error!(%error, "database unavailable");
    Error::unavailable("The database is unavailable")
}

fn general(error: &sqlx::Error) -> Error {
    tracing::error!(%error, "database error");
    Error::general("Database error")
}

/// What a database error other than a constraint violation says of the
/// call.
enum Cause {
    /// A value the column can not hold (an integer out of its range).
    Data,
    /// The database can not serve now: not reachable, busy, out of
    /// resources, shutting down.
    Unavailable,
    /// Anything else: the app's or the database's fault.
    Other,
}

fn cause(error: &dyn DatabaseError) -> Cause {
    #[cfg(feature = "postgres")]
    if let Some(postgres) = error.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        // SQLSTATE classes: 22 data exception; 08 connection exception, 53
        // insufficient resources, 57 operator intervention (shutdown).
        return match postgres.code().get(..2) {
            Some("22") => Cause::Data,
            Some("08" | "53" | "57") => Cause::Unavailable,
            _ => Cause::Other,
        };
    }
    // SQLite's extended result code; its low byte is the primary code:
    // BUSY 5, LOCKED 6, NOMEM 7, IOERR 10, FULL 13, CANTOPEN 14; TOOBIG
    // 18 and MISMATCH 20 are values the database does not take.
    let primary = error
        .code()
        .and_then(|code| code.parse::<i32>().ok())
        .map(|code| code & 0xff);
    match primary {
        Some(5 | 6 | 7 | 10 | 13 | 14) => Cause::Unavailable,
        Some(18 | 20) => Cause::Data,
        _ => Cause::Other,
    }
}

/// The column a unique violation names: SQLite's message names it,
/// PostgreSQL's detail (`Key (email)=(..) already exists.`).
fn unique_field(error: &dyn DatabaseError) -> Option<String> {
    #[cfg(feature = "postgres")]
    if let Some(postgres) = error.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        return postgres.detail().and_then(key_column).map(str::to_owned);
    }
    constrained_field(error.message()).map(str::to_owned)
}

/// The column a `NOT NULL` violation names: in SQLite's message, or in
/// PostgreSQL's error fields.
fn not_null_field(error: &dyn DatabaseError) -> Option<String> {
    #[cfg(feature = "postgres")]
    if let Some(postgres) = error.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        return postgres.column().map(str::to_owned);
    }
    constrained_field(error.message()).map(str::to_owned)
}

/// The column a SQLite constraint message names: the first `table.column`
/// after its colon (`UNIQUE constraint failed: users.email` gives `email`).
fn constrained_field(message: &str) -> Option<&str> {
    let (_, columns) = message.split_once(':')?;
    let first = columns.split(',').next()?.trim();
    let (_, column) = first.split_once('.')?;
    (!column.is_empty()).then_some(column)
}

/// The first column of the key a PostgreSQL detail names: `Key
/// (email)=(a@b) already exists.` gives `email`, `Key ("userId", x)=..`
/// gives `userId`. The value is never read: it may be another user's.
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
fn key_column(detail: &str) -> Option<&str> {
    let columns = detail.strip_prefix("Key (")?;
    let (columns, _) = columns.split_once(")=(")?;
    let first = columns.split(',').next()?.trim();
    let first = first
        .strip_prefix('"')
        .and_then(|quoted| quoted.strip_suffix('"'))
        .unwrap_or(first);
    (!first.is_empty()).then_some(first)
}

#[cfg(test)]
mod tests {
    use super::{constrained_field, key_column};

    #[test]
    fn the_column_is_read_from_sqlites_constraint_messages() {
        assert_eq!(
            constrained_field("UNIQUE constraint failed: users.email"),
            Some("email")
        );
        assert_eq!(
            constrained_field("NOT NULL constraint failed: messages.text"),
            Some("text")
        );
        assert_eq!(
            constrained_field("UNIQUE constraint failed: t.a, t.b"),
            Some("a")
        );
        assert_eq!(constrained_field("database is locked"), None);
    }

    #[test]
    fn the_column_is_read_from_postgres_key_details() {
        assert_eq!(
            key_column("Key (email)=(ada@example.com) already exists."),
            Some("email")
        );
        assert_eq!(
            key_column("Key (\"userId\", text)=(1, a) already exists."),
            Some("userId")
        );
        assert_eq!(key_column("Failing row contains (1, null)."), None);
    }
}
