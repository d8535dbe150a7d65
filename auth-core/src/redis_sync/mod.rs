//! Service events across instances through Redis pub/sub, in
//! feathers-sync's design (feature `redis`).
//!
//! Each instance publishes the service events of its own app to one Redis
//! channel ([`RedisSync::key`], `"feathers-sync"` by default) and
//! delivers what it receives from the *other* instances to its own
//! connections with [`App::dispatch`], so its own publishers decide who
//! gets each event. Every message names the instance that sent it; an
//! instance skips its own, which [`realtime::spawn_delivery`] already
//! delivered. So a connection gets each event exactly once, and delivery
//! within an instance goes on while Redis is down. Received events never
//! enter [`App::subscribe`]: they are not published again.
//!
//! A service call never waits on Redis. While Redis is unreachable an
//! instance's events do not reach the others (they are dropped, counted,
//! and the count logged when Redis is back); both connections retry by
//! themselves, 100 ms after a failure, doubling up to 5 s, and the
//! subscription checks every [`RedisSync::keepalive`] that the server still
//! answers (a hung server is an outage too). The log says
//! `warn` when a connection is lost and `info` when it is made
//! (`redis sync: connected to redis://host:port ...`, never with a
//! password).
//!
//! The message is JSON, `{"instance", "path", "event", "method", "id",
//! "data", "params"}`, `data` being the record as callers receive it and
//! `params` the call's provider, query, route, `authenticated`, user and
//! fields, without headers, without `authentication` and without any key
//! that looks like a credential (`password`, `token`, `secret`, ...).
//!
//! ```no_run
//! use auth_core::prelude::*;
//! use auth_core::redis_sync::RedisSync;
//!
//! # async fn run() -> Result<()> {
//! // Inside the tokio runtime: configuring starts the sync.
//! let app = App::new().configure(RedisSync::new("redis://127.0.0.1:6379").key("chat-events"));
//! app.setup()?;
//! # Ok(()) }
//! ```
//!
//! [`realtime::spawn_delivery`]: crate::realtime::spawn_delivery

mod publisher;
mod server;
mod subscriber;
mod wire;

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::app::{App, Configure};
use crate::error::{Error, Result};
use server::{Server, shown_url};

/// The channel instances share when none is named (feathers-sync's).
pub const DEFAULT_KEY: &str = "feathers-sync";

/// How often a subscription checks that Redis answers, by default.
pub const DEFAULT_KEEPALIVE: Duration = Duration::from_secs(15);

/// Service events across instances through one Redis server: see the
/// [module docs](self).
///
/// It starts when the app is configured with it (`App::configure`) or by
/// [`RedisSync::start`], which must happen inside a tokio runtime; the
/// connections are made in the background, so an app starts even while
/// Redis is down, and syncs once it is up. Configure it once per app: two
/// would deliver each event of other instances twice.
#[must_use]
#[derive(Clone)]
pub struct RedisSync {
    url: String,
    key: String,
    keepalive: Duration,
}

impl RedisSync {
    /// A sync through the Redis server at `url` (`redis://[user:password@]host:port[/db]`).
    pub fn new(url: impl Into<String>) -> RedisSync {
        RedisSync {
            url: url.into(),
            key: DEFAULT_KEY.to_owned(),
            keepalive: DEFAULT_KEEPALIVE,
        }
    }

    /// The pub/sub channel; every instance of one app must use the same,
    /// and different apps on one Redis different ones.
    pub fn key(self, key: impl Into<String>) -> RedisSync {
        RedisSync {
            key: key.into(),
            ..self
        }
    }

    /// How often the subscription checks that the server still answers
    /// (a PING, answered within the same time; 15 s by default), so a
    /// server that hangs, or a network path that died without closing the
    /// connection, is noticed and the subscription made again. Zero is
    /// taken as one millisecond.
    pub fn keepalive(self, keepalive: Duration) -> RedisSync {
        RedisSync {
            keepalive: keepalive.max(Duration::from_millis(1)),
            ..self
        }
    }

    /// The server's URL as a log may show it: without password or query.
    pub fn shown_url(&self) -> String {
        shown_url(&self.url)
    }

    /// Starts publishing `app`'s events and delivering the other
    /// instances' ones, in two tasks on the current tokio runtime. They
    /// end when the app is gone, or by [`SyncHandle::stop`]; dropping the
    /// handle leaves them running.
    ///
    /// # Errors
    ///
    /// `GeneralError` when the URL is not a Redis URL, or when called
    /// outside a tokio runtime. An unreachable server is no error: it is
    /// retried in the background.
    pub fn start(self, app: &App) -> Result<SyncHandle> {
        let shown = shown_url(&self.url);
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            Error::general("RedisSync must start inside a tokio runtime (configure the app in one)")
        })?;
        let client = redis::Client::open(self.url.as_str())
            .map_err(|error| Error::general(format!("Invalid Redis URL {shown}: {error}")))?;
        let server = Arc::new(Server {
            client,
            shown,
            key: self.key,
            keepalive: self.keepalive,
        });
        let instance: Arc<str> = Arc::from(instance_id());
        // The publisher ends when the app's event channel closes (the app
        // is gone); dropping `stopped` then ends the subscriber, which
        // would otherwise only notice on its next message.
        let (stopped, stop) = oneshot::channel::<()>();
        let events = app.subscribe();
        let publisher = runtime.spawn({
            let (server, instance) = (server.clone(), instance.clone());
            async move {
                let _stopped = stopped;
                publisher::run(server, instance, events).await;
            }
        });
        let subscriber = runtime.spawn(subscriber::run(
            server,
            instance.clone(),
            app.downgrade(),
            stop,
        ));
        Ok(SyncHandle {
            instance,
            publisher,
            subscriber,
        })
    }
}

/// Its URL without password.
impl std::fmt::Debug for RedisSync {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisSync")
            .field("url", &self.shown_url())
            .field("key", &self.key)
            .field("keepalive", &self.keepalive)
            .finish()
    }
}

/// Starts the sync as the app is configured (see [`RedisSync::start`]);
/// its errors are the app's setup errors.
impl Configure for RedisSync {
    fn configure(self, app: &App) -> Result<()> {
        self.start(app).map(drop)
    }
}

/// The running sync of one app.
#[derive(Debug)]
pub struct SyncHandle {
    instance: Arc<str>,
    publisher: JoinHandle<()>,
    subscriber: JoinHandle<()>,
}

impl SyncHandle {
    /// This instance's id in the messages it publishes.
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// Stops publishing and receiving; the app goes on, alone.
    pub fn stop(self) {
        self.publisher.abort();
        self.subscriber.abort();
    }
}

/// 128 random bits in hex: the std hasher's keys are drawn from the
/// operating system's randomness once per process, and differ for each
/// `RandomState` made after; the clock and process id are mixed in too.
fn instance_id() -> String {
    let mut parts = [0u64; 2];
    for part in &mut parts {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |elapsed| elapsed.as_nanos()),
        );
        hasher.write_u32(std::process::id());
        *part = hasher.finish();
    }
    format!("{:016x}{:016x}", parts[0], parts[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_ids_differ() {
        let (a, b) = (instance_id(), instance_id());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }

    #[test]
    fn starting_outside_a_runtime_or_on_a_bad_url_is_an_error() {
        let app = App::new();
        let error = RedisSync::new("redis://127.0.0.1:1")
            .start(&app)
            .unwrap_err();
        assert!(error.message().contains("tokio runtime"), "{error}");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let error = RedisSync::new("http://:pw@x").start(&app).unwrap_err();
            assert!(error.message().contains("Invalid Redis URL"), "{error}");
            assert!(!error.message().contains("pw"), "{error}");
            let sync = RedisSync::new("redis://ada:pw@cache:6379");
            assert!(!format!("{sync:?}").contains("pw"), "{sync:?}");
        });
    }
}
