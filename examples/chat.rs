//! The chat app of CONTRACT.md over HTTP and Socket.IO.
//!
//! `cargo run --release --example chat` serves it on 127.0.0.1:3030;
//! `HOST`, `PORT` and `AUTH_SECRET` override the address, the port and the
//! JWT secret (without `AUTH_SECRET`, a random secret is made at start, so
//! tokens do not outlive the process). `DATABASE_URL` chooses where users
//! and messages are kept: unset, the SQLite file `chat.db` in the working
//! directory (created and migrated at start, so they survive a restart);
//! `sqlite://PATH` another SQLite file; `memory://` process memory.
//! `REDIS_URL` (optional) shares service events with the other instances
//! on that Redis server, so the sockets of every instance get them.
//! `CORS_ORIGINS` narrows which origins' pages may call the app (any by
//! default): `none`, or a comma-separated list of origins.
//! `LOGIN_LIMITS=off` turns the login limits off (for load tests; see
//! `examples::chat::LoginLimits` for the defaults). `RUST_LOG` filters the
//! logs (`info` by default, `off` for none; see `auth_core::config::logging`).
//!
//! The chat page is at `/` once `npm ci` has installed its browser
//! libraries in `examples/chat-web/` (`CHAT_WEB_DIR` names another folder).

use auth_core::Error;
use auth_core::redis_sync::RedisSync;
use auth_core::rest::{Cors, RestOptions};
use examples::chat::{Storage, web};

fn random_secret() -> Result<String, Error> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes)
        .map_err(|error| Error::general(format!("No randomness for a secret: {error}")))?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    // One line per request (the access log) and the app's own messages,
    // `info` unless RUST_LOG says otherwise (`RUST_LOG=off`: none), written
    // to stdout by a thread of their own through a bounded queue: a slow or
    // stalled stdout blocks no request, and lines it can not take are
    // dropped and counted. The guard writes what is queued at exit.
    let _log = auth_core::config::logging::Logging::new().install()?;
    let host = std::env::var("HOST").unwrap_or_else(|_| "127.0.0.1".to_owned());
    let port = std::env::var("PORT").unwrap_or_else(|_| "3030".to_owned());
    // A bad DATABASE_URL stops the app before anything else is done.
    let storage = Storage::from_env()?;
    let secret = match std::env::var("AUTH_SECRET") {
        Ok(secret) if !secret.is_empty() => secret,
        _ => {
            tracing::warn!(
                "AUTH_SECRET is not set: tokens are signed with a random secret made now"
            );
            random_secret()?
        }
    };
    match &storage {
        Storage::Memory => tracing::info!("records kept in memory (DATABASE_URL=memory://)"),
        Storage::Sqlite(options) => tracing::info!(
            file = %options.get_filename().display(),
            "records kept in SQLite"
        ),
        // Host and database only: the URL may carry a password.
        Storage::Postgres(options) => tracing::info!(
            host = options.get_host(),
            port = options.get_port(),
            database = options.get_database().unwrap_or_default(),
            "records kept in PostgreSQL"
        ),
    }
    let limits = match std::env::var("LOGIN_LIMITS").as_deref() {
        Ok("off") => {
            tracing::warn!("LOGIN_LIMITS=off: logins are not rate-limited");
            examples::chat::LoginLimits::none()
        }
        _ => examples::chat::LoginLimits::default(),
    };
    let mut app = examples::chat::app_with(&secret, &storage, limits).await?;
    if let Some(url) = std::env::var("REDIS_URL")
        .ok()
        .filter(|url| !url.is_empty())
    {
        let sync = RedisSync::new(url);
        tracing::info!(redis = %sync.shown_url(), "service events shared through Redis (REDIS_URL)");
        app = app.configure(sync);
        // A REDIS_URL that is not a Redis URL stops the app here.
        app.setup()?;
    }
    // The page at `/`, the services and their transports everywhere else.
    let web_dir = web::dir_from_env();
    match web::missing_install(&web_dir) {
        None => tracing::info!(folder = %web_dir.display(), "the chat page is at /"),
        Some(missing) => tracing::warn!(
            folder = %web_dir.display(),
            missing,
            "the chat page needs its browser libraries: run `npm ci` in its folder"
        ),
    }
    // Pages of any origin may call the app, unless CORS_ORIGINS says
    // otherwise (a bad value stops the app here).
    let cors = web::cors_from_env()?;
    match &cors {
        Cors::Off => tracing::info!("CORS off: only pages of this origin call the app"),
        Cors::AnyOrigin => tracing::info!("CORS: pages of any origin may call the app"),
        Cors::Origins(origins) => {
            tracing::info!(origins = %origins.join(","), "CORS: pages of these origins may call the app");
        }
    }
    let options = RestOptions {
        cors,
        ..web::rest_options()
    };
    let router = web::router_with(app, web_dir, options.clone())?;
    // The same options bound its connections (stalled heads, idle
    // keep-alives, how many at once, draining refused bodies).
    auth_core::rest::listen_router_with(router, &format!("{host}:{port}"), &options).await
}
