//! Database errors as Feathers errors: what the client broke is a 4xx, a
//! database that can not be reached is `503 Unavailable`, anything else a
//! `500` whose message says nothing of the SQL (the details are logged).

use serde_json::json;

use crate::error::Error;

/// `error` as the Feathers error a client receives.
pub(crate) fn database_error(error: sqlx::Error) -> Error {
    match &error {
        sqlx::Error::Database(database) if database.is_unique_violation() => {
            match constrained_field(database.message()) {
                Some(field) => Error::conflict(format!("{field}: value already exists"))
                    .with_errors(json!({ field: "already exists" })),
                None => Error::conflict("A record with this value already exists"),
            }
        }
        sqlx::Error::Database(database)
            if database.is_foreign_key_violation() || database.is_check_violation() =>
        {
            Error::bad_request("The data breaks a constraint of the table")
        }
        sqlx::Error::Database(database) if database.message().contains("NOT NULL") => {
            match constrained_field(database.message()) {
                Some(field) => Error::bad_request(format!("'{field}' is required"))
                    .with_errors(json!({ field: "is required" })),
                None => Error::bad_request("A required field is missing"),
            }
        }
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            tracing::error!(%error, "database unavailable");
            Error::unavailable("The database is unavailable")
        }
        _ => {
            tracing::error!(%error, "database error");
            Error::general("Database error")
        }
    }
}

/// The column a SQLite constraint message names: the first `table.column`
/// after its colon (`UNIQUE constraint failed: users.email` gives `email`).
fn constrained_field(message: &str) -> Option<&str> {
    let (_, columns) = message.split_once(':')?;
    let first = columns.split(',').next()?.trim();
    let (_, column) = first.split_once('.')?;
    (!column.is_empty()).then_some(column)
}

#[cfg(test)]
mod tests {
    use super::constrained_field;

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
}
