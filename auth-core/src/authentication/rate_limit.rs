//! `RateLimit`: a before hook that refuses a key's calls beyond its quota
//! with Feathers' `429 TooManyRequests`, to slow down password guessing on
//! the authentication service.
//!
//! The key is a field of the call's data (`email`: per account), the
//! client's address (per client), or a request header set by a proxy you
//! trust (`x-real-ip`). Internal calls are never limited.
//!
//! The quota is governor's GCRA (the generic cell rate algorithm, a
//! leaky bucket without a timer): a key starts with `burst` calls, each call
//! spends one, and one comes back every `window / max`, never more than
//! `burst` banked. So `max` calls per `window` is the long-run rate, with
//! no window edge to time a second burst against.
//!
//! Memory is bounded: keys are stored as 64-bit hashes (a megabyte-long
//! email costs no more than a short one) in a state store of this module
//! with at most `max_keys` entries: when a new key finds it full, the keys
//! whose bucket is full again (as good as never seen) are dropped, and if
//! none is, the one closest to it, so a flood of distinct keys costs memory
//! up to the cap and no more, and a key that is being held back is the last
//! one forgotten.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::StateStore;
use governor::{Quota, RateLimiter};
use serde_json::{Value, json};

use crate::authentication::hooks::value_at;
use crate::error::{Error, Result};
use crate::hook::{AnyContext, AppContext, BeforeHook, HookContext};
use crate::params::PeerAddr;
use crate::service::Service;
use crate::sync::lock;

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

/// The limiter's clock: monotonic time since the limiter was made, plus an
/// offset that only this module's tests move.
#[derive(Debug, Clone)]
struct LimitClock {
    start: Instant,
    offset: Arc<AtomicU64>,
}

impl Clock for LimitClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        Nanos::from(self.start.elapsed()) + Nanos::from(self.offset.load(Ordering::Relaxed))
    }
}

/// Governor's state store for [`RateLimit`]: each key's theoretical
/// arrival time (TAT) by hash, at most `max_keys` of them.
#[derive(Debug)]
struct BoundedStore {
    max_keys: usize,
    /// The quota's period: a new key's TAT is `now + period`.
    period: Nanos,
    tats: Mutex<HashMap<u64, Nanos>>,
}

impl BoundedStore {
    /// Room for one more key in a full table, at `now`: the keys whose
    /// bucket is full again go (their TAT is past: forgetting them changes
    /// nothing), and if none has, the one with the earliest TAT, the key
    /// nearest to that.
    fn make_room(&self, tats: &mut HashMap<u64, Nanos>, now: Nanos) {
        tats.retain(|_, tat| *tat > now);
        if tats.len() >= self.max_keys {
            let nearest = tats
                .iter()
                .min_by_key(|(_, tat)| **tat)
                .map(|(key, _)| *key);
            if let Some(nearest) = nearest {
                tats.remove(&nearest);
            }
        }
    }
}

/// The store as governor holds it, shared with [`RateLimit::tracked_keys`].
#[derive(Debug)]
struct SharedStore(Arc<BoundedStore>);

impl StateStore for SharedStore {
    type Key = u64;

    fn measure_and_replace<T, F, E>(&self, key: &u64, f: F) -> std::result::Result<T, E>
    where
        F: Fn(Option<Nanos>) -> std::result::Result<(T, Nanos), E>,
    {
        let store = &self.0;
        let mut tats = lock(&store.tats);
        let previous = tats.get(key).copied();
        let (outcome, tat) = f(previous)?;
        if previous.is_none() && tats.len() >= store.max_keys {
            // For a new key governor answers `now + period`.
            store.make_room(&mut tats, tat.saturating_sub(store.period));
        }
        tats.insert(*key, tat);
        Ok(outcome)
    }
}

type Limiter = RateLimiter<u64, SharedStore, LimitClock, NoOpMiddleware<Nanos>>;

/// The shared state of a [`RateLimit`] and its clones.
#[derive(Debug)]
struct Shared {
    hasher: RandomState,
    clock: LimitClock,
    store: Arc<BoundedStore>,
    limiter: Limiter,
}

/// A before hook limiting calls per key: each key has a quota of `max`
/// calls per `window`, at most `burst` of them at once (`max` unless
/// [`RateLimit::burst`] says otherwise); a call beyond it fails with
/// `429 TooManyRequests` (with `data: {"retryAfter": <seconds>}`, the
/// wait until the key may call again) before the service is called.
///
/// The quota is governor's GCRA: a key starts with `burst` calls, and one
/// comes back every `window / max`. With `per_field("email", 10, 60 s)
/// .burst(5)`, five guesses go at once, then one every six seconds.
///
/// Every call counts, successful or not, so a per-account limit also caps
/// how often its owner may log in; choose the quota with that in mind. A
/// limit per account lets anyone hold that account's logins back (the
/// price of stopping guesses spread over many clients); a limit per client
/// does not, and the two can be registered together. Known and unknown
/// emails are limited alike, so a 429 says nothing about which accounts
/// exist.
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
    burst: u32,
    max_keys: usize,
    strategy: Option<String>,
    skip_without_peer: bool,
    shared: Arc<Shared>,
}

impl RateLimit {
    fn new(key: Key, max: u32, window: Duration) -> RateLimit {
        RateLimit {
            key,
            max,
            window,
            burst: max,
            max_keys: DEFAULT_MAX_KEYS,
            strategy: None,
            skip_without_peer: false,
            shared: Arc::new(Shared::new(max, window, max, DEFAULT_MAX_KEYS)),
        }
    }

    /// The same limit with fresh counts, after a change of its quota.
    fn renewed(mut self) -> RateLimit {
        self.shared = Arc::new(Shared::new(
            self.max,
            self.window,
            self.burst,
            self.max_keys,
        ));
        self
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
    /// from: the [`PeerAddr`] the REST and socket transports record from
    /// the connection. `App::listen` and `App::serve` give it; a router
    /// from `App::into_router` gives it when served with
    /// `router.into_make_service_with_connect_info::<SocketAddr>()`, but
    /// not under a plain `axum::serve(listener, router)`, which hands the
    /// app no peer address. Behind a proxy every call comes from the
    /// proxy: use [`RateLimit::per_header`] with the header it sets
    /// instead.
    ///
    /// Internal calls are not counted. An external call without a peer
    /// address is refused with a `500 GeneralError` that says how to serve
    /// the app, since it could not be limited: a limit that silently
    /// limits nothing would be worse (unless
    /// [`RateLimit::skip_without_peer`] says otherwise).
    #[must_use]
    pub fn per_peer(max: u32, window: Duration) -> RateLimit {
        RateLimit::new(Key::Peer, max, window)
    }

    /// At most `burst` calls at once (`max` by default); the long-run rate
    /// stays `max` per `window`. Clears the counts.
    #[must_use]
    pub fn burst(mut self, burst: u32) -> RateLimit {
        self.burst = burst;
        self.renewed()
    }

    /// Counts only the calls whose data names the strategy `name`
    /// (`{"strategy": "local", ...}`), so a limit per client spends
    /// nothing on `jwt` re-authentications and logouts.
    #[must_use]
    pub fn only_strategy(mut self, name: impl Into<String>) -> RateLimit {
        self.strategy = Some(name.into());
        self
    }

    /// For [`RateLimit::per_peer`]: an external call without a peer
    /// address is let through uncounted instead of refused. For an app
    /// that is always served with its peers' addresses but also makes
    /// external-looking calls of its own (tests calling services as a
    /// client would); pair it with a limit per field, which still applies.
    #[must_use]
    pub fn skip_without_peer(mut self) -> RateLimit {
        self.skip_without_peer = true;
        self
    }

    /// Tracks at most `max_keys` keys ([`DEFAULT_MAX_KEYS`] by default).
    /// When a new key finds the table full, the keys whose quota is whole
    /// again are dropped, and if none is, the key nearest to that, which
    /// forgets its count: under a flood of distinct keys the limit weakens
    /// rather than memory growing. Clears the counts.
    #[must_use]
    pub fn max_keys(mut self, max_keys: usize) -> RateLimit {
        self.max_keys = max_keys.max(1);
        self.renewed()
    }

    /// How many keys have a count in the table now (keys whose quota is
    /// whole again included until they are dropped). Never more than the
    /// cap.
    pub fn tracked_keys(&self) -> usize {
        lock(&self.shared.store.tats).len()
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
                None if self.skip_without_peer => Ok(None),
                None => Err(no_peer_address()),
            },
        }
    }

    /// Counts a call for `key` now; the error when it is one too many.
    fn admit(&self, key: &str) -> Result<()> {
        let shared = &self.shared;
        let hash = shared.hasher.hash_one(key);
        if self.max == 0 {
            return Err(too_many(1));
        }
        shared.limiter.check_key(&hash).map_err(|refused| {
            let wait = refused.wait_time_from(shared.clock.now());
            // Whole seconds, rounded up: never "try again in 0 s".
            let seconds = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
            too_many(seconds)
        })
    }

    /// Whether the call is one this limit counts.
    fn counts(&self, ctx: &dyn AnyContext) -> Result<bool> {
        if !ctx.params().is_external() {
            return Ok(false);
        }
        let Some(strategy) = &self.strategy else {
            return Ok(true);
        };
        let Some(data) = ctx.data_json()? else {
            return Ok(false);
        };
        Ok(data.get("strategy").and_then(Value::as_str) == Some(strategy.as_str()))
    }

    fn check(&self, ctx: &dyn AnyContext) -> Result<()> {
        if !self.counts(ctx)? {
            return Ok(());
        }
        match self.key_of(ctx)? {
            Some(key) => self.admit(&key),
            None => Ok(()),
        }
    }
}

impl Shared {
    fn new(max: u32, window: Duration, burst: u32, max_keys: usize) -> Shared {
        // One call back every `window / max`, at least a nanosecond.
        let period = (window / max.max(1)).max(Duration::from_nanos(1));
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX))
            .allow_burst(burst);
        let clock = LimitClock {
            start: Instant::now(),
            offset: Arc::new(AtomicU64::new(0)),
        };
        let store = Arc::new(BoundedStore {
            max_keys,
            period: Nanos::from(period),
            tats: Mutex::new(HashMap::new()),
        });
        Shared {
            hasher: RandomState::new(),
            limiter: RateLimiter::new(quota, SharedStore(Arc::clone(&store)), clock.clone()),
            clock,
            store,
        }
    }
}

/// The `429` for a key that may call again in `seconds`.
fn too_many(seconds: u64) -> Error {
    Error::too_many_requests(format!("Too many attempts: try again in {seconds} s"))
        .with_data(json!({ "retryAfter": seconds }))
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

    impl RateLimit {
        fn advance(&self, by: Duration) {
            let nanos = u64::try_from(by.as_nanos()).unwrap();
            self.shared.clock.offset.fetch_add(nanos, Ordering::Relaxed);
        }
    }

    fn retry_after(outcome: Result<()>) -> u64 {
        let refused = outcome.unwrap_err();
        assert_eq!(refused.code(), 429);
        refused.data().unwrap()["retryAfter"].as_u64().unwrap()
    }

    #[test]
    fn a_key_gets_its_burst_then_one_call_per_period() {
        // 2 per minute: a burst of two, then one every 30 s.
        let limit = RateLimit::per_field("email", 2, MINUTE);
        assert!(limit.admit("ada").is_ok());
        limit.advance(Duration::from_secs(1));
        assert!(limit.admit("ada").is_ok());
        limit.advance(Duration::from_secs(19));
        // The first call's share comes back 30 s after it was made.
        assert_eq!(retry_after(limit.admit("ada")), 10);
        // Other keys have their own quota.
        assert!(limit.admit("bob").is_ok());
        limit.advance(Duration::from_secs(10));
        assert!(limit.admit("ada").is_ok());
        assert!(limit.admit("ada").is_err());
        // A minute of quiet gives the whole burst back, and no more.
        limit.advance(MINUTE * 5);
        assert!(limit.admit("ada").is_ok());
        assert!(limit.admit("ada").is_ok());
        assert!(limit.admit("ada").is_err());
    }

    #[test]
    fn a_smaller_burst_keeps_the_rate() {
        // 10 per minute, 3 at once: then one every 6 s.
        let limit = RateLimit::per_field("email", 10, MINUTE).burst(3);
        for _ in 0..3 {
            assert!(limit.admit("ada").is_ok());
        }
        assert_eq!(retry_after(limit.admit("ada")), 6);
        limit.advance(Duration::from_secs(6));
        assert!(limit.admit("ada").is_ok());
        assert!(limit.admit("ada").is_err());
    }

    #[test]
    fn max_zero_refuses_every_counted_call() {
        let limit = RateLimit::per_field("email", 0, MINUTE);
        assert!(limit.admit("ada").is_err());
    }

    #[test]
    fn a_full_table_drops_whole_quotas_first_then_the_nearest_to_whole() {
        let limit = RateLimit::per_field("email", 1, MINUTE).max_keys(2);
        limit.admit("a").unwrap();
        limit.advance(Duration::from_secs(30));
        limit.admit("b").unwrap();
        limit.advance(Duration::from_secs(31));
        // "a" is whole again at +60 s: it goes, "b" stays (and still refuses).
        limit.admit("c").unwrap();
        assert_eq!(limit.tracked_keys(), 2);
        assert!(limit.admit("b").is_err());
        // Nothing is whole: the nearest to it ("b") makes room for "d".
        limit.advance(Duration::from_secs(2));
        limit.admit("d").unwrap();
        assert_eq!(limit.tracked_keys(), 2);
        assert!(limit.admit("b").is_ok(), "b was forgotten");
        assert!(limit.admit("d").is_err(), "d is still counted");
    }

    #[test]
    fn a_key_being_held_back_is_the_last_one_forgotten() {
        let limit = RateLimit::per_field("email", 2, MINUTE).max_keys(10);
        // The victim's quota is spent, with refused tries on top.
        for _ in 0..5 {
            let _ = limit.admit("victim");
        }
        // A flood of distinct keys, each once.
        for n in 0..100 {
            limit.admit(&format!("flood{n}")).unwrap();
            assert!(limit.tracked_keys() <= 10);
        }
        assert!(
            limit.admit("victim").is_err(),
            "the victim's count was kept"
        );
    }
}
