//! `RateLimit`: a before hook that refuses a key's calls beyond `max` per
//! window with Feathers' `429 TooManyRequests`, to slow down password
//! guessing on the authentication service.
//!
//! The key is a field of the call's data (`email`: per account) or a
//! request header set by a proxy you trust (`x-real-ip`: per client).
//! Internal calls are never limited.
//!
//! Memory is bounded: keys are stored as 64-bit hashes (a megabyte-long
//! email costs no more than a short one), closed windows are dropped when
//! the table is full, and beyond `max_keys` open windows the oldest is
//! dropped to make room, so a flood of distinct keys costs memory up to the
//! cap and no more.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::authentication::hooks::value_at;
use crate::error::{Error, Result};
use crate::hook::{AnyContext, AppContext, BeforeHook, HookContext};
use crate::params::PeerAddr;
use crate::service::Service;

/// How many keys a [`RateLimit`] tracks at most unless told otherwise.
pub const DEFAULT_MAX_KEYS: usize = 10_000;

/// What a [`RateLimit`] counts by.
#[derive(Debug, Clone)]
enum Key {
    /// A string field of the data (a dot path), trimmed and lowercased.
    Field(String),
    /// A request header (lowercase name), as sent.
    Header(String),
    /// The peer's IP address ([`PeerAddr`]).
    Peer,
}

/// One key's current window.
#[derive(Debug, Clone, Copy)]
struct Window {
    opened: Instant,
    calls: u32,
}

/// The windows of every key, by hash.
#[derive(Debug)]
struct Table {
    hasher: RandomState,
    windows: HashMap<u64, Window>,
}

/// A before hook limiting calls per key: at most `max` calls in a window
/// of `window`, which opens at a key's first call once its previous window
/// has closed; further calls in it fail with `429 TooManyRequests` (with
/// `data: {"retryAfter": <seconds>}`) before the service is called.
///
/// Every call counts, successful or not, so a per-account limit also caps
/// how often its owner may log in; choose `max` with that in mind. A limit
/// per account lets anyone hold that account's logins back for a window
/// (the price of stopping guesses spread over many clients); a limit per
/// client does not, and the two can be registered together. Known and
/// unknown emails are limited alike, so a 429 says nothing about which
/// accounts exist.
///
/// Register it before `create` on the authentication service, as a
/// run-time hook; clones share their counts, so one limiter can guard
/// several services.
///
/// ```
/// use std::time::Duration;
/// use auth_core::prelude::*;
/// use auth_core::memory::MemoryService;
/// use serde_json::{json, Value};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let app = App::new()
///     .register("users", MemoryService::<Value>::new())
///     .configure(
///         Authentication::new(AuthConfig::new("a long secret").auth_strategies(["local", "jwt"]))
///             .strategy(Jwt::default())
///             .strategy(Local::default()),
///     );
/// app.setup()?;
/// // Five login attempts per email per minute.
/// let authentication = app.service::<AuthenticationService>("authentication");
/// authentication.hooks(
///     ServiceHooks::new().before("create", RateLimit::per_field("email", 5, Duration::from_secs(60))),
/// )?;
///
/// let guess = || {
///     AuthenticationRequest::new("local")
///         .with("email", "ada@example.com")
///         .with("password", "a guess")
/// };
/// let external = || Params::external(Provider::Rest);
/// for _ in 0..5 {
///     let error = authentication.create(guess(), external()).await.unwrap_err();
///     assert_eq!(error.message(), "Invalid login");
/// }
/// let error = authentication.create(guess(), external()).await.unwrap_err();
/// assert_eq!(error.kind(), ErrorKind::TooManyRequests);
/// assert_eq!(error.code(), 429);
/// # Ok::<_, Error>(()) }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct RateLimit {
    key: Key,
    max: u32,
    window: Duration,
    max_keys: usize,
    table: Arc<Mutex<Table>>,
}

impl RateLimit {
    fn new(key: Key, max: u32, window: Duration) -> RateLimit {
        RateLimit {
            key,
            max,
            window,
            max_keys: DEFAULT_MAX_KEYS,
            table: Arc::new(Mutex::new(Table {
                hasher: RandomState::new(),
                windows: HashMap::new(),
            })),
        }
    }

    /// At most `max` calls per `window` for each value of the data's
    /// `field` (a key, or a dot path such as `auth.email`), compared
    /// trimmed and lowercased, so `Ada@Example.com ` is `ada@example.com`.
    ///
    /// Calls whose data has no such string field (a `jwt`
    /// re-authentication, a logout) are not counted.
    #[must_use]
    pub fn per_field(field: impl Into<String>, max: u32, window: Duration) -> RateLimit {
        RateLimit::new(Key::Field(field.into()), max, window)
    }

    /// At most `max` calls per `window` for each value of the request
    /// header `name` (for example `x-real-ip`), compared as sent.
    ///
    /// Use a header that a proxy you trust sets, overwriting what the
    /// client sent: a header the client controls (`x-forwarded-for` as
    /// received, where a client can add entries) lets it pick a new key
    /// per call. Calls without the header are not counted.
    #[must_use]
    pub fn per_header(name: &str, max: u32, window: Duration) -> RateLimit {
        RateLimit::new(Key::Header(name.to_ascii_lowercase()), max, window)
    }

    /// At most `max` calls per `window` for each IP address calls come
    /// from: the [`PeerAddr`] the REST transport records from the
    /// connection. `App::listen` and `App::serve` give it; a router from
    /// `App::into_router` gives it when served with
    /// `router.into_make_service_with_connect_info::<SocketAddr>()`, but
    /// not under a plain `axum::serve(listener, router)`, which hands the
    /// app no peer address. Behind a proxy every call comes from the
    /// proxy: use [`RateLimit::per_header`] with the header it sets
    /// instead.
    ///
    /// Internal calls are not counted. An external call without a peer
    /// address is refused with a `500 GeneralError` that says how to serve
    /// the app, since it could not be limited: a limit that silently
    /// limits nothing would be worse.
    #[must_use]
    pub fn per_peer(max: u32, window: Duration) -> RateLimit {
        RateLimit::new(Key::Peer, max, window)
    }

    /// Tracks at most `max_keys` keys ([`DEFAULT_MAX_KEYS`] by default).
    /// When a new key finds the table full, closed windows are dropped,
    /// and if none is closed the oldest window is, which forgets that
    /// key's count: under a flood of distinct keys the limit weakens
    /// rather than memory growing.
    #[must_use]
    pub fn max_keys(mut self, max_keys: usize) -> RateLimit {
        self.max_keys = max_keys.max(1);
        self
    }

    /// How many keys have a window in the table now (closed windows
    /// included until they are dropped). Never more than the cap.
    pub fn tracked_keys(&self) -> usize {
        crate::sync::lock(&self.table).windows.len()
    }

    /// The key of a call, if it has one.
    fn key_of(&self, ctx: &dyn AnyContext) -> Result<Option<String>> {
        match &self.key {
            Key::Field(field) => {
                let Some(data) = ctx.data_json()? else {
                    return Ok(None);
                };
                Ok(value_at(&data, field)
                    .and_then(Value::as_str)
                    .map(|value| value.trim().to_lowercase()))
            }
            Key::Header(name) => Ok(ctx
                .params()
                .headers
                .get(name.as_str())
                .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())),
            Key::Peer => match ctx.params().extensions.get::<PeerAddr>() {
                Some(peer) => Ok(Some(peer.0.ip().to_string())),
                None => Err(no_peer_address()),
            },
        }
    }

    /// Counts a call for `key` at `now`; the error when it is one too many.
    fn admit(&self, key: &str, now: Instant) -> Result<()> {
        let mut table = crate::sync::lock(&self.table);
        let hash = table.hasher.hash_one(key);
        if !table.windows.contains_key(&hash) && table.windows.len() >= self.max_keys {
            self.make_room(&mut table.windows, now);
        }
        let window = table.windows.entry(hash).or_insert(Window {
            opened: now,
            calls: 0,
        });
        if now.duration_since(window.opened) >= self.window {
            *window = Window {
                opened: now,
                calls: 0,
            };
        }
        if window.calls >= self.max {
            let wait = self
                .window
                .saturating_sub(now.duration_since(window.opened));
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            return Err(Error::too_many_requests(format!(
                "Too many attempts: try again in {seconds} s"
            ))
            .with_data(json!({ "retryAfter": seconds })));
        }
        window.calls += 1;
        Ok(())
    }

    /// Drops closed windows, then, if the table is still full, the oldest.
    fn make_room(&self, windows: &mut HashMap<u64, Window>, now: Instant) {
        windows.retain(|_, window| now.duration_since(window.opened) < self.window);
        if windows.len() >= self.max_keys {
            let oldest = windows
                .iter()
                .min_by_key(|(_, window)| window.opened)
                .map(|(hash, _)| *hash);
            if let Some(oldest) = oldest {
                windows.remove(&oldest);
            }
        }
    }

    fn check(&self, ctx: &dyn AnyContext) -> Result<()> {
        if !ctx.params().is_external() {
            return Ok(());
        }
        match self.key_of(ctx)? {
            Some(key) => self.admit(&key, Instant::now()),
            None => Ok(()),
        }
    }
}

/// Why a per-peer limit refuses an external call without a peer address,
/// and how to serve the app so that it has one.
fn no_peer_address() -> Error {
    Error::general(
        "RateLimit::per_peer can not limit this call: it carries no peer address (PeerAddr). \
         Serve the app with App::listen or App::serve, or serve app.into_router() with \
         axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()): \
         a plain axum::serve(listener, router) gives the app no peer address",
    )
}

impl<S: Service> BeforeHook<HookContext<S>> for RateLimit {
    async fn run_before(&self, ctx: &mut HookContext<S>) -> Result<()> {
        self.check(ctx)
    }
}

impl BeforeHook<AppContext> for RateLimit {
    async fn run_before(&self, ctx: &mut AppContext) -> Result<()> {
        self.check(ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn a_key_gets_max_calls_per_window_then_429_until_it_closes() {
        let limit = RateLimit::per_field("email", 2, MINUTE);
        let start = Instant::now();
        assert!(limit.admit("ada", start).is_ok());
        assert!(limit.admit("ada", start + Duration::from_secs(1)).is_ok());
        let refused = limit
            .admit("ada", start + Duration::from_secs(20))
            .unwrap_err();
        assert_eq!(refused.code(), 429);
        assert_eq!(refused.data(), Some(&json!({ "retryAfter": 40 })));
        // Other keys have their own windows.
        assert!(limit.admit("bob", start + Duration::from_secs(20)).is_ok());
        // The window closes a minute after it opened.
        assert!(limit.admit("ada", start + MINUTE).is_ok());
        assert!(limit.admit("ada", start + MINUTE).is_ok());
        assert!(limit.admit("ada", start + MINUTE).is_err());
    }

    #[test]
    fn a_full_table_drops_closed_windows_first_then_the_oldest() {
        let limit = RateLimit::per_field("email", 1, MINUTE).max_keys(2);
        let start = Instant::now();
        limit.admit("a", start).unwrap();
        limit.admit("b", start + Duration::from_secs(30)).unwrap();
        // "a" is closed at +60 s: it goes, "b" stays (and still refuses).
        limit.admit("c", start + Duration::from_secs(61)).unwrap();
        assert_eq!(limit.tracked_keys(), 2);
        assert!(limit.admit("b", start + Duration::from_secs(62)).is_err());
        // Nothing closed: the oldest open window ("b") makes room for "d".
        limit.admit("d", start + Duration::from_secs(63)).unwrap();
        assert_eq!(limit.tracked_keys(), 2);
        assert!(limit.admit("b", start + Duration::from_secs(64)).is_ok());
        assert!(limit.admit("d", start + Duration::from_secs(64)).is_err());
    }
}
