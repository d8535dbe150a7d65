//! The chat app of CONTRACT.md: users, messages (anonymous readers and
//! writers welcome), secrets (users only), and authentication with the
//! `jwt`, `local` and `anonymous` strategies.

mod anonymous;
mod messages;
mod secrets;
mod users;

use auth_core::memory::{MemoryOptions, MemoryService};
use auth_core::prelude::*;
use auth_core::query::Paginate;

pub use anonymous::Anonymous;
pub use messages::{Message, Messages};
pub use secrets::Secrets;
pub use users::{User, Users};

/// The chat app, its JWTs signed with `secret`.
pub fn app(secret: &str) -> Result<App> {
    let app = App::new()
        .register(
            "users",
            // Emails are unique; `users.rs` folds them before they are stored.
            Users(MemoryService::with_options(
                MemoryOptions::new().unique(["email"]),
            )),
        )
        .register(
            "messages",
            Messages(MemoryService::with_options(MemoryOptions::new().paginate(
                Paginate {
                    default: 10,
                    max: 50,
                },
            ))),
        )
        .register("secrets", Secrets)
        .configure(
            Authentication::new(AuthConfig::new(secret).auth_strategies(["jwt", "local"]))
                .strategy(Jwt::default())
                .strategy(Local::default())
                .strategy(Anonymous),
        );
    app.setup()?;
    Ok(app)
}
