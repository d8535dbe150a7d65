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
pub mod web;

use std::time::Duration;

use auth_core::authentication::EntityCacheOptions;
use auth_core::prelude::*;

pub use anonymous::Anonymous;
pub use messages::{Message, Messages};
pub use secrets::Secrets;
use storage::Stores;
pub use storage::{ACQUIRE_TIMEOUT, DEFAULT_FILE, Storage};
pub use users::{User, Users};

/// One login quota: `per_minute` local logins per minute in the long
/// run, at most `burst` of them at once (governor's GCRA, see
/// [`RateLimit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginQuota {
    /// Logins per minute.
    pub per_minute: u32,
    /// Logins at once.
    pub burst: u32,
}

/// How often the chat app lets one email and one client (IP address) try
/// a `local` login (`POST /authentication`, or `create` over the socket);
/// beyond it, `429 TooManyRequests`. `None` is no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimits {
    /// Per email, trimmed and case-folded: 10 a minute, 5 at once.
    pub per_email: Option<LoginQuota>,
    /// Per client address: 30 a minute, 30 at once.
    pub per_client: Option<LoginQuota>,
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            per_email: Some(LoginQuota {
                per_minute: 10,
                burst: 5,
            }),
            per_client: Some(LoginQuota {
                per_minute: 30,
                burst: 30,
            }),
        }
    }
}

impl LoginLimits {
    /// No login limit (for tests that log in many times from one place).
    #[must_use]
    pub fn none() -> LoginLimits {
        LoginLimits {
            per_email: None,
            per_client: None,
        }
    }

    /// The limits as before hooks for the authentication service's
    /// `create`.
    fn hooks(self) -> Vec<RateLimit> {
        const MINUTE: Duration = Duration::from_secs(60);
        let mut hooks = Vec::new();
        if let Some(quota) = self.per_email {
            hooks.push(
                RateLimit::per_field("email", quota.per_minute, MINUTE)
                    .burst(quota.burst)
                    .only_strategy("local"),
            );
        }
        if let Some(quota) = self.per_client {
            // The chat app is served with its peers' addresses (`listen`,
            // `serve`, the socket transport); a test's own external calls
            // have none and are limited per email only.
            hooks.push(
                RateLimit::per_peer(quota.per_minute, MINUTE)
                    .burst(quota.burst)
                    .only_strategy("local")
                    .skip_without_peer(),
            );
        }
        hooks
    }
}

/// The chat app with its records in memory, its JWTs signed with `secret`,
/// with the default [`LoginLimits`].
///
/// # Errors
///
/// As [`App::setup`].
pub fn app(secret: &str) -> Result<App> {
    build(secret, Stores::in_memory(), LoginLimits::default())
}

/// The chat app with its records in `storage` and the login `limits` given.
///
/// # Errors
///
/// As [`app_on`].
pub async fn app_with(secret: &str, storage: &Storage, limits: LoginLimits) -> Result<App> {
    build(secret, storage.open().await?, limits)
}

/// The chat app with its records in `storage` (opened, and migrated when it
/// is a database, first), its JWTs signed with `secret`, with the default
/// [`LoginLimits`].
///
/// # Errors
///
/// `Unavailable` when the database can not be opened, `GeneralError` when
/// migrating it fails, or as [`App::setup`].
pub async fn app_on(secret: &str, storage: &Storage) -> Result<App> {
    build(secret, storage.open().await?, LoginLimits::default())
}

fn build(secret: &str, stores: Stores, limits: LoginLimits) -> Result<App> {
    let app = App::new()
        .register("users", Users(stores.users))
        .register("messages", Messages(stores.messages))
        .register("secrets", Secrets)
        .configure(
            Authentication::new(
                AuthConfig::new(secret)
                    .auth_strategies(["jwt", "local"])
                    // Logout and a new password revoke older tokens.
                    .token_epoch_field(users::TOKEN_EPOCH)
                    // A token's user is looked up once a second at most:
                    // changes through `users` are seen at once, another
                    // instance's within the second (at once with the
                    // event sync).
                    .entity_cache(EntityCacheOptions::default()),
            )
            .strategy(Jwt::default())
            .strategy(Local::default())
            .strategy(Anonymous),
        )
        .configure(auth_core::socketio::SocketIo::new())
        .configure(channels::configure);
    app.setup()?;
    let mut hooks = ServiceHooks::new();
    for limit in limits.hooks() {
        hooks = hooks.before("create", limit);
    }
    app.service::<AuthenticationService>("authentication")
        .hooks(hooks)?;
    Ok(app)
}
