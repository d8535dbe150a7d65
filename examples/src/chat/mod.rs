//! The chat app of CONTRACT.md: users, messages (anonymous readers and
//! writers welcome), secrets (users only), and authentication with the
//! `jwt`, `local` and `anonymous` strategies. Users and messages are kept
//! in the [`Storage`] `DATABASE_URL` names: an SQLite file by default.
//! Served over REST and Socket.IO, with the real-time [`channels`] of
//! CONTRACT.md.

mod anonymous;
pub mod channels;
mod messages;
pub mod migrations;
mod secrets;
mod storage;
mod users;

use auth_core::prelude::*;

pub use anonymous::Anonymous;
pub use messages::{Message, Messages};
pub use secrets::Secrets;
use storage::Stores;
pub use storage::{DEFAULT_FILE, Storage};
pub use users::{User, Users};

/// The chat app with its records in memory, its JWTs signed with `secret`.
///
/// # Errors
///
/// As [`App::setup`].
pub fn app(secret: &str) -> Result<App> {
    build(secret, Stores::in_memory())
}

/// The chat app with its records in `storage` (opened, and migrated when it
/// is a database, first), its JWTs signed with `secret`.
///
/// # Errors
///
/// `Unavailable` when the database can not be opened, `GeneralError` when
/// migrating it fails, or as [`App::setup`].
pub async fn app_on(secret: &str, storage: &Storage) -> Result<App> {
    build(secret, storage.open().await?)
}

fn build(secret: &str, stores: Stores) -> Result<App> {
    let app = App::new()
        .register("users", Users(stores.users))
        .register("messages", Messages(stores.messages))
        .register("secrets", Secrets)
        .configure(
            Authentication::new(AuthConfig::new(secret).auth_strategies(["jwt", "local"]))
                .strategy(Jwt::default())
                .strategy(Local::default())
                .strategy(Anonymous),
        )
        .configure(auth_core::socketio::SocketIo::new())
        .configure(channels::configure);
    app.setup()?;
    Ok(app)
}
