//! The chat app's schema: the SQL files of `examples/migrations/sqlite/`
//! and `examples/migrations/postgres/` (one set per database: their SQL
//! differs, in how ids are assigned), embedded in the binary and run by
//! sqlx's migrator at start.
//!
//! sqlx's `migrate!` macro would embed them too, but it needs sqlx's
//! `macros` feature, a heavy build (sqlx-macros-core and its
//! dependencies) for one directory listing. Instead each file is named
//! once below and read with `include_str!`; the migrator gets them through
//! its public `MigrationSource` trait, so versions, checksums and the
//! `_sqlx_migrations` table are sqlx's own, as with the macro.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use auth_core::sql::SqlPool;
use auth_core::{Error, Result};
use sqlx::error::BoxDynError;
use sqlx::migrate::{MigrationSource, MigrationType, Migrator};

/// A file of `examples/migrations/<database>/` by its name without
/// `.sql`, embedded.
macro_rules! migration {
    ($database:literal, $name:literal) => {
        (
            $name,
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/migrations/",
                $database,
                "/",
                $name,
                ".sql"
            )),
        )
    };
}

/// Every SQLite migration, in order, as (file name without `.sql`, SQL).
/// A test checks that this list and the directory agree.
pub const SQLITE: &[(&str, &str)] = &[
    migration!("sqlite", "0001_create_users"),
    migration!("sqlite", "0002_create_messages"),
    migration!("sqlite", "0003_add_users_token_epoch"),
];

/// Every PostgreSQL migration, in order, as [`SQLITE`]'s twin: the same
/// versions and tables.
pub const POSTGRES: &[(&str, &str)] = &[
    migration!("postgres", "0001_create_users"),
    migration!("postgres", "0002_create_messages"),
    migration!("postgres", "0003_add_users_token_epoch"),
];

/// Migrations embedded in the binary, for sqlx's [`Migrator`].
#[derive(Debug)]
struct Embedded(&'static [(&'static str, &'static str)]);

/// `<VERSION>_<DESCRIPTION>`, read as sqlx reads a migration's file name.
fn version_and_description(name: &str) -> std::result::Result<(i64, String), BoxDynError> {
    let (version, description) = name
        .split_once('_')
        .ok_or_else(|| format!("migration '{name}' is not named <VERSION>_<DESCRIPTION>"))?;
    let version = version
        .parse::<i64>()
        .map_err(|_| format!("migration '{name}' does not start with a version number"))?;
    Ok((version, description.replace('_', " ")))
}

impl MigrationSource<'static> for Embedded {
    fn resolve(
        self,
    ) -> Pin<
        Box<
            dyn Future<Output = std::result::Result<Vec<sqlx::migrate::Migration>, BoxDynError>>
                + Send,
        >,
    > {
        Box::pin(async move {
            self.0
                .iter()
                .map(|(name, sql)| {
                    let (version, description) = version_and_description(name)?;
                    Ok(sqlx::migrate::Migration::new(
                        version,
                        Cow::Owned(description),
                        MigrationType::Simple,
                        Cow::Borrowed(*sql),
                        false,
                    ))
                })
                .collect()
        })
    }
}

/// Brings the database of `pool` to the latest schema; migrations already
/// applied are skipped (sqlx records them, with their checksums).
///
/// # Errors
///
/// `GeneralError` naming the cause when a migration fails, or when one
/// already applied was changed since.
pub async fn run(pool: &SqlPool) -> Result<()> {
    let migrations = match pool {
        SqlPool::Sqlite(_) => SQLITE,
        SqlPool::Postgres(_) => POSTGRES,
        _ => {
            return Err(Error::general(
                "The chat app has no migrations for this database",
            ));
        }
    };
    let migrator = Migrator::new(Embedded(migrations))
        .await
        .map_err(|error| Error::general(format!("Reading the migrations failed: {error}")))?;
    match pool {
        SqlPool::Sqlite(pool) => migrator.run(pool).await,
        SqlPool::Postgres(pool) => migrator.run(pool).await,
        _ => Ok(()),
    }
    .map_err(|error| Error::general(format!("Migrating the database failed: {error}")))
}

#[cfg(test)]
mod tests {
    use super::{POSTGRES, SQLITE, version_and_description};

    #[test]
    fn every_file_of_the_migrations_directories_is_embedded_in_order() {
        for (database, migrations) in [("sqlite", SQLITE), ("postgres", POSTGRES)] {
            let directory = format!("{}/migrations/{database}", env!("CARGO_MANIFEST_DIR"));
            let mut files: Vec<String> = std::fs::read_dir(directory)
                .unwrap()
                .map(|entry| entry.unwrap().file_name().into_string().unwrap())
                .filter_map(|name| name.strip_suffix(".sql").map(str::to_owned))
                .collect();
            files.sort();
            let embedded: Vec<&str> = migrations.iter().map(|(name, _)| *name).collect();
            assert_eq!(embedded, files, "{database}");
        }
    }

    #[test]
    fn names_read_as_sqlx_reads_them() {
        assert_eq!(
            version_and_description("0002_create_messages").unwrap(),
            (2, "create messages".to_owned())
        );
        assert!(version_and_description("create").is_err());
        assert!(version_and_description("v1_create").is_err());
    }
}
