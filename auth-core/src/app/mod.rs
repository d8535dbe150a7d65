//! `App`: the service registry, app-level hooks, settings and events.
//!
//! ```
//! use auth_core::prelude::*;
//! use auth_core::memory::MemoryService;
//! use serde_json::{json, Value};
//!
//! async fn stamp(ctx: &mut AppContext) -> Result<()> {
//!     ctx.params_mut().set_field("stamped", true);
//!     Ok(())
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let app = App::new()
//!     .hooks(AppHooks::new().before_all(stamp))
//!     .register("messages", MemoryService::<Value>::new());
//! app.setup()?;
//!
//! let messages = app.service::<MemoryService<Value>>("messages");
//! let created = messages.create(json!({ "text": "hello" }), Params::new()).await?;
//! assert_eq!(created, json!({ "id": 0, "text": "hello" }));
//! assert_eq!(messages.get(0, Params::new()).await?, created);
//! # Ok::<_, Error>(()) }).unwrap();
//! ```

mod handle;
mod json;
mod method_keys;
mod registry;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use tokio::sync::broadcast;

use crate::error::{Error, Result};
use crate::events::{DEFAULT_CAPACITY, EventKind, Events, ServiceEvent};
use crate::hook::{AppHooks, Requirement};
use crate::service::Service;
use crate::sync::{lock, read, write};

pub use handle::ServiceHandle;
pub use json::{JsonCall, JsonService, Reply};
use method_keys::check_method_keys;
#[cfg(feature = "auth")]
pub(crate) use registry::{EntityLookup, FoundEntity};
use registry::{ErasedService, Registered, unqueryable_fields};

/// Something that sets up an app: a plugin, the configuration loader, the
/// authentication service. Closures `FnOnce(&App) -> Result<()>` are too.
pub trait Configure {
    /// Sets up `app`. An error makes [`App::setup`] fail.
    fn configure(self, app: &App) -> Result<()>;
}

impl<F: FnOnce(&App) -> Result<()>> Configure for F {
    fn configure(self, app: &App) -> Result<()> {
        self(app)
    }
}

/// A check [`App::setup`] runs once configuration is done.
type SetupCheck = Arc<dyn Fn(&App) -> Result<()> + Send + Sync>;

struct AppInner {
    /// Keyed by path with foldhash (seeded per process, as serde_json's
    /// maps): every call looks its service up, and SipHash was most of
    /// the lookup's cost. The paths are the app's own, never a caller's.
    services: RwLock<HashMap<Arc<str>, Arc<dyn ErasedService>, foldhash::fast::RandomState>>,
    /// The authentication service hooks and transports use, set once by the
    /// authentication plugin (a per-request lookup by name costs a lock, a
    /// hash and a downcast).
    #[cfg(feature = "auth")]
    authentication: std::sync::OnceLock<Arc<dyn std::any::Any + Send + Sync>>,
    /// The entity caches of the authentication services, with the path of
    /// the entity service each holds the records of.
    #[cfg(feature = "auth")]
    entity_caches: RwLock<Vec<(Arc<str>, Arc<crate::authentication::EntityCache>)>>,
    setup_checks: Mutex<Vec<SetupCheck>>,
    hooks: RwLock<Option<Arc<AppHooks>>>,
    /// The fields the app's hooks (`protect(..)`) declare no external
    /// query may name, for every service.
    unqueryable: RwLock<Arc<[&'static str]>>,
    settings: RwLock<Map<String, Value>>,
    /// Counts the changes to `settings`, so that what was read from them
    /// can be kept until the next change.
    settings_version: AtomicU64,
    events: Events,
    setup_errors: Mutex<Vec<Error>>,
    /// Whether the app passed [`App::setup`] since it last changed: bit 0
    /// set when it did, the other bits count changes (so a change made
    /// while `setup` runs is never taken as checked). Every call reads it
    /// once; a call on an app not known to be ready runs `setup` first,
    /// so an error met while building the app is never lost because
    /// nobody called `setup`.
    readiness: AtomicU64,
    /// The named real-time channels (`App::channel`).
    channels: crate::realtime::Registry,
    /// Which channels service events go to (`App::publish`).
    publishers: crate::realtime::Publishers,
    /// The handlers of connection events (`App::on_login`, ...).
    lifecycle: crate::realtime::Lifecycle,
    /// Set by `configure(SocketIo)`: serve Socket.IO on the router.
    #[cfg(feature = "socketio")]
    socketio: std::sync::OnceLock<crate::socketio::SocketOptions>,
}

/// `readiness` with its ready bit set.
const READY: u64 = 1;

/// An application: services by path, app-level hooks, settings and events.
///
/// `App` is a cheap handle (an `Arc`); clones share everything. Build it
/// with the chaining methods, then call [`App::setup`] (transports do) to
/// surface any error met while configuring.
#[derive(Clone)]
pub struct App {
    inner: Arc<AppInner>,
}

/// A handle on an [`App`] that does not keep it alive: for services that
/// call other services, so the app and its services do not own each other.
#[derive(Clone)]
pub struct WeakApp {
    inner: Weak<AppInner>,
}

impl WeakApp {
    /// The app, while it is alive.
    pub fn upgrade(&self) -> Option<App> {
        self.inner.upgrade().map(|inner| App { inner })
    }
}

/// Feathers' `stripSlashes`: `"/messages/"` and `"messages"` are one path.
/// By bytes (`/` is ASCII, so the cuts fall between characters): every
/// call trims its path, and `str::trim_matches` walks a char searcher.
pub(crate) fn normalize_path(path: &str) -> &str {
    let bytes = path.as_bytes();
    let start = bytes
        .iter()
        .position(|&byte| byte != b'/')
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&byte| byte != b'/')
        .map_or(start, |last| last + 1);
    &path[start..end]
}

impl Default for App {
    fn default() -> Self {
        App::new()
    }
}

impl App {
    /// An app with no service, hook or setting.
    #[must_use]
    pub fn new() -> App {
        App {
            inner: Arc::new(AppInner {
                services: RwLock::new(HashMap::default()),
                #[cfg(feature = "auth")]
                authentication: std::sync::OnceLock::new(),
                #[cfg(feature = "auth")]
                entity_caches: RwLock::new(Vec::new()),
                setup_checks: Mutex::new(Vec::new()),
                hooks: RwLock::new(None),
                unqueryable: RwLock::new(Arc::from([])),
                settings: RwLock::new(Map::new()),
                settings_version: AtomicU64::new(0),
                events: Events::new(DEFAULT_CAPACITY),
                setup_errors: Mutex::new(Vec::new()),
                // Nothing to check yet.
                readiness: AtomicU64::new(READY),
                channels: crate::realtime::Registry::default(),
                publishers: crate::realtime::Publishers::default(),
                lifecycle: crate::realtime::Lifecycle::default(),
                #[cfg(feature = "socketio")]
                socketio: std::sync::OnceLock::new(),
            }),
        }
    }

    /// A handle that does not keep the app alive.
    pub fn downgrade(&self) -> WeakApp {
        WeakApp {
            inner: Arc::downgrade(&self.inner),
        }
    }

    /// Registers `service` at `path` (Feathers' `app.use(path, service)`).
    ///
    /// An error from the service's `setup` is reported by [`App::setup`]
    /// (and by every call until it is fixed).
    #[must_use = "the app with the service registered"]
    pub fn register<S: Service>(self, path: &str, service: S) -> App {
        let outcome = self.add_service(path, service);
        self.record(outcome);
        self
    }

    /// Registers `service` at `path` on a shared app (for plugins).
    ///
    /// # Errors
    ///
    /// The service's own [`Service::setup`] error; the service is then
    /// not registered.
    pub fn add_service<S: Service>(&self, path: &str, mut service: S) -> Result<()> {
        let path = normalize_path(path);
        service.setup(self, path)?;
        let path: Arc<str> = path.into();
        let entry: Arc<dyn ErasedService> = Arc::new(Registered::new(service, path.clone()));
        if write(&self.inner.services)
            .insert(path.clone(), entry)
            .is_some()
        {
            tracing::warn!(%path, "a service was registered again at the same path and replaces the first");
        }
        // After the insert, so that a `setup` running meanwhile can not
        // take the app as checked without this service.
        self.changed();
        Ok(())
    }

    /// Adds app-level hooks, which run around every service's own hooks.
    /// Hooks added later run after those added earlier.
    ///
    /// Their method keys may be `all`, the six standard methods or a
    /// custom method of any registered service; [`App::setup`] checks them
    /// once every service is registered, so an unknown key (`"crate"`)
    /// makes it fail with the closest valid name.
    #[must_use = "the app with the hooks added"]
    pub fn hooks(self, hooks: AppHooks) -> App {
        self.add_hooks(hooks);
        self
    }

    /// Adds app-level hooks on a shared app (for plugins).
    pub fn add_hooks(&self, hooks: AppHooks) {
        hooks.append_to(&self.inner.hooks);
        let requirements = self.app_hooks().map(|hooks| hooks.requirements());
        *write(&self.inner.unqueryable) = unqueryable_fields(&requirements.unwrap_or_default());
        self.changed();
    }

    pub(crate) fn app_hooks(&self) -> Option<Arc<AppHooks>> {
        read(&self.inner.hooks).clone()
    }

    /// The fields the app's hooks make unqueryable for every service.
    pub(crate) fn unqueryable(&self) -> &RwLock<Arc<[&'static str]>> {
        &self.inner.unqueryable
    }

    /// Runs a plugin (Feathers' `app.configure`). Its error is reported by
    /// [`App::setup`] (and by every call until it is fixed).
    #[must_use = "the app the plugin configured"]
    pub fn configure(self, plugin: impl Configure) -> App {
        let outcome = plugin.configure(&self);
        self.record(outcome);
        self
    }

    fn record(&self, outcome: Result<()>) {
        if let Err(error) = outcome {
            tracing::error!(%error, "app configuration failed");
            lock(&self.inner.setup_errors).push(error);
            self.changed();
        }
    }

    /// Notes that the app changed in a way [`App::setup`] checks, so the
    /// next call runs it again.
    pub(crate) fn changed(&self) {
        // Clears the ready bit and counts the change, in one step.
        let _ = self
            .inner
            .readiness
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |state| {
                Some((state | READY) + 1)
            });
    }

    /// The app's revision: it changes whenever [`App::changed`] is called
    /// (services or hooks added), whether or not `setup` ran since.
    #[cfg(feature = "auth")]
    pub(crate) fn revision(&self) -> u64 {
        self.inner.readiness.load(Ordering::Acquire) | READY
    }

    /// Keeps `cache` up to date with the records of the service at `path`.
    #[cfg(feature = "auth")]
    pub(crate) fn add_entity_cache(
        &self,
        path: Arc<str>,
        cache: Arc<crate::authentication::EntityCache>,
    ) {
        write(&self.inner.entity_caches).push((path, cache));
    }

    /// Notes that the records of the service at `path` may have changed
    /// (on this instance, or on another one whose event arrived): the
    /// entities cached from it are dropped.
    pub(crate) fn records_changed(&self, path: &str) {
        self.clear_entity_caches(Some(path));
    }

    /// Drops every cached entity: changes may have been missed (the event
    /// sync was cut off).
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn forget_cached_entities(&self) {
        self.clear_entity_caches(None);
    }

    /// Clears the entity caches of the service at `path`, or all of them.
    fn clear_entity_caches(&self, path: Option<&str>) {
        #[cfg(feature = "auth")]
        for (cached, cache) in read(&self.inner.entity_caches).iter() {
            if path.is_none_or(|path| **cached == *path) {
                cache.clear();
            }
        }
        #[cfg(not(feature = "auth"))]
        let _ = path;
    }

    /// Fails as [`App::setup`] does unless the app passed it since it last
    /// changed; every call goes through here (one atomic load when ready).
    pub(crate) fn check_ready(&self) -> Result<()> {
        if self.inner.readiness.load(Ordering::Relaxed) & READY == READY {
            return Ok(());
        }
        self.setup()
    }

    /// Adds a check that [`App::setup`] runs once configuration is done,
    /// for what only the whole app can tell (the authentication plugin
    /// checks that every strategy a hook names is registered).
    pub fn add_setup_check(&self, check: impl Fn(&App) -> Result<()> + Send + Sync + 'static) {
        lock(&self.inner.setup_checks).push(Arc::new(check));
        self.changed();
    }

    /// Checks that the app is ready to serve: reports the first error any
    /// `register` or `configure` met, then unknown method keys of the app's
    /// hooks, then the first failing setup check, with the other errors in
    /// its message. Transports call it before serving; a call on an app
    /// that changed since it last passed runs it first and fails with its
    /// error, so nothing met while building the app goes unnoticed.
    ///
    /// # Errors
    ///
    /// Every error met while building the app, and every failing check,
    /// in one error of the first one's kind.
    pub fn setup(&self) -> Result<()> {
        let before = self.inner.readiness.load(Ordering::Acquire);
        let mut errors = lock(&self.inner.setup_errors).clone();
        if let Err(error) = self.check_app_hook_keys() {
            errors.push(error);
        }
        // Checks run without the lock held: they may look at the app.
        let checks = lock(&self.inner.setup_checks).clone();
        for check in &checks {
            if let Err(error) = check(self) {
                errors.push(error);
            }
        }
        match errors.as_slice() {
            [] => {
                // Ready, unless the app changed while it was checked.
                let _ = self.inner.readiness.compare_exchange(
                    before,
                    before | READY,
                    Ordering::AcqRel,
                    Ordering::Relaxed,
                );
                Ok(())
            }
            [only] => Err(only.clone()),
            [first, rest @ ..] => {
                let others: Vec<&str> = rest.iter().map(Error::message).collect();
                Err(Error::new(
                    first.kind(),
                    format!("{} (and: {})", first.message(), others.join("; ")),
                ))
            }
        }
    }

    /// The app hooks' method keys against every registered service's
    /// methods.
    fn check_app_hook_keys(&self) -> Result<()> {
        let Some(hooks) = self.app_hooks() else {
            return Ok(());
        };
        let custom: Vec<&'static str> = read(&self.inner.services)
            .values()
            .flat_map(|service| service.custom_methods().iter().copied())
            .collect();
        check_method_keys(&hooks, "AppHooks", &custom)
    }

    /// Every requirement a hook declares (see
    /// [`Requirement`]), with where: a service's
    /// path, or `"app"` for app-level hooks. Plugins check the kinds they
    /// know in a setup check.
    pub fn requirements(&self) -> Vec<(String, Requirement)> {
        let mut requirements: Vec<(String, Requirement)> = Vec::new();
        if let Some(hooks) = self.app_hooks() {
            let app_level = hooks.requirements().into_iter();
            requirements.extend(app_level.map(|requirement| ("app".to_owned(), requirement)));
        }
        let services = read(&self.inner.services);
        let mut paths: Vec<&Arc<str>> = services.keys().collect();
        paths.sort();
        for path in paths {
            for requirement in services[path].requirements() {
                requirements.push((path.to_string(), requirement));
            }
        }
        requirements
    }

    /// A typed handle on the service at `path`, for internal calls that run
    /// its hooks. Calls through a handle on a path where no `S` is
    /// registered fail with `NotFound`.
    pub fn service<S: Service>(&self, path: &str) -> ServiceHandle<S> {
        let path = normalize_path(path);
        let entry = self.lookup(path).and_then(|entry| {
            entry.into_any().downcast::<Registered<S>>().map_err(|_| {
                Error::general(format!(
                    "The service at '{path}' is not a {}",
                    std::any::type_name::<S>()
                ))
            })
        });
        ServiceHandle::new(self.clone(), path.into(), entry)
    }

    /// The service at `path` seen through JSON, for transports.
    pub fn json_service(&self, path: &str) -> Result<JsonService> {
        self.find_json_service(path).ok_or_else(|| {
            Error::not_found(format!("Service '{}' not found", normalize_path(path)))
        })
    }

    fn lookup(&self, path: &str) -> Result<Arc<dyn ErasedService>> {
        self.find_service(path)
            .ok_or_else(|| Error::not_found(format!("Service '{path}' not found")))
    }

    fn find_service(&self, path: &str) -> Option<Arc<dyn ErasedService>> {
        read(&self.inner.services).get(path).cloned()
    }

    /// The app's real-time channels named `names` (one name, or several:
    /// `["anonymous", "authenticated"]`), to join connections to, make
    /// them leave, or read; see [`realtime`](crate::realtime).
    pub fn channel(
        &self,
        names: impl crate::realtime::ChannelNames,
    ) -> crate::realtime::NamedChannels<'_> {
        self.inner.channels.named(names)
    }

    /// Publishes every service event of every service to the channel
    /// `publisher` gives, unless a more specific publisher is registered
    /// (see [`realtime`](crate::realtime) for the order).
    ///
    /// ```
    /// use auth_core::prelude::*;
    /// use auth_core::memory::MemoryService;
    /// use auth_core::realtime::Connection;
    /// use serde_json::{json, Value};
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let app = App::new().register("messages", MemoryService::<Value>::new());
    /// app.publish(|_event, app| app.channel("authenticated").channel());
    /// let ada = Connection::new(Params::new());
    /// app.channel("authenticated").join(&ada);
    ///
    /// let mut events = app.subscribe();
    /// app.service::<MemoryService<Value>>("messages")
    ///     .create(json!({ "text": "hi" }), Params::new())
    ///     .await?;
    /// let event = events.recv().await.unwrap();
    /// assert!(app.channels_for(&event).contains(&ada));
    /// # Ok::<_, Error>(()) }).unwrap();
    /// ```
    pub fn publish(
        &self,
        publisher: impl Fn(&ServiceEvent, &App) -> crate::realtime::Channel + Send + Sync + 'static,
    ) -> &Self {
        self.inner.publishers.set(None, None, Arc::new(publisher));
        self
    }

    /// Publishes `event` of every service to the channel `publisher`
    /// gives, unless a service has its own publisher for it.
    pub fn publish_on(
        &self,
        event: EventKind,
        publisher: impl Fn(&ServiceEvent, &App) -> crate::realtime::Channel + Send + Sync + 'static,
    ) -> &Self {
        self.inner
            .publishers
            .set(None, Some(event), Arc::new(publisher));
        self
    }

    /// Registers a publisher for the service at `path` (`event`: one
    /// event, `None`: all); [`ServiceHandle::publish`] calls it.
    pub(crate) fn publish_service(
        &self,
        path: Arc<str>,
        event: Option<EventKind>,
        publisher: crate::realtime::Publisher,
    ) {
        self.inner.publishers.set(Some(path), event, publisher);
    }

    /// The connections `event` goes to, with what each receives in place
    /// of its data: the channel its publisher gives (empty when none is
    /// registered). Transports call it for every event they deliver.
    pub fn channels_for(&self, event: &ServiceEvent) -> crate::realtime::Channel {
        match self.inner.publishers.find(event) {
            Some(publisher) => publisher(event, self),
            None => crate::realtime::Channel::default(),
        }
    }

    /// The names of the channels that hold a connection, sorted
    /// (Feathers' `app.channels`).
    pub fn channel_names(&self) -> Vec<String> {
        self.inner.channels.names()
    }

    /// The service at `path` seen through JSON, or `None` (no error built:
    /// transports try several paths per request).
    pub fn find_json_service(&self, path: &str) -> Option<JsonService> {
        let path = normalize_path(path);
        let entry = self.find_service(path)?;
        Some(self.erased_as_json(entry))
    }

    /// The service a request path names, as a transport routes it: the
    /// service at the whole (normalized) path, else the one at all but its
    /// last segment, with that segment (not yet percent-decoded) as the id.
    /// Both looked up under one read of the registry.
    #[cfg(feature = "rest")]
    pub(crate) fn route_json_service<'p>(
        &self,
        path: &'p str,
    ) -> Option<(JsonService, Option<&'p str>)> {
        let path = normalize_path(path);
        let (entry, id) = {
            let services = read(&self.inner.services);
            match services.get(path) {
                Some(entry) => (Arc::clone(entry), None),
                None => {
                    let (parent, last) = path.rsplit_once('/')?;
                    (Arc::clone(services.get(parent)?), Some(last))
                }
            }
        };
        Some((self.erased_as_json(entry), id))
    }

    /// A registered service seen through JSON.
    fn erased_as_json(&self, entry: Arc<dyn ErasedService>) -> JsonService {
        JsonService {
            app: self.clone(),
            path: entry.path(),
            entry,
        }
    }

    /// Remembers the app's authentication service (the authentication
    /// plugin calls it once); the first one set stays.
    #[doc(hidden)]
    #[cfg(feature = "auth")]
    pub fn set_authentication_slot(&self, value: Arc<dyn std::any::Any + Send + Sync>) {
        let _ = self.inner.authentication.set(value);
    }

    /// What [`App::set_authentication_slot`] stored.
    #[doc(hidden)]
    #[cfg(feature = "auth")]
    pub fn authentication_slot(&self) -> Option<&Arc<dyn std::any::Any + Send + Sync>> {
        self.inner.authentication.get()
    }

    /// The paths of every registered service, sorted.
    pub fn paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = read(&self.inner.services)
            .keys()
            .map(|path| path.to_string())
            .collect();
        paths.sort();
        paths
    }

    /// A setting read as `T` (Feathers' `app.get`); `None` when it is not
    /// set or does not fit `T`.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let settings = read(&self.inner.settings);
        let value = settings.get(key)?;
        T::deserialize(value).ok()
    }

    /// Sets a setting (Feathers' `app.set`). A value that can not be
    /// represented as JSON is logged and not stored.
    pub fn set(&self, key: impl Into<String>, value: impl Serialize) {
        let key = key.into();
        match serde_json::to_value(value) {
            Ok(value) => {
                let mut settings = write(&self.inner.settings);
                settings.insert(key, value);
                // Counted while the change is held: whoever reads the new
                // count then reads the new value.
                self.inner.settings_version.fetch_add(1, Ordering::AcqRel);
            }
            Err(error) => tracing::error!(%key, %error, "setting not stored: not JSON"),
        }
    }

    /// How many times the settings have changed: what was read from them
    /// holds while this count stays the same.
    #[cfg(feature = "auth")]
    pub(crate) fn settings_version(&self) -> u64 {
        self.inner.settings_version.load(Ordering::Acquire)
    }

    /// Looks at a setting without copying it.
    pub fn with_setting<R>(&self, key: &str, look: impl FnOnce(Option<&Value>) -> R) -> R {
        look(read(&self.inner.settings).get(key))
    }

    /// Every setting, read into a typed struct; an error names what does
    /// not fit.
    pub fn settings<T: DeserializeOwned>(&self) -> Result<T> {
        let settings = Value::Object(read(&self.inner.settings).clone());
        T::deserialize(settings)
            .map_err(|error| Error::general(format!("Invalid settings: {error}")))
    }

    /// Listens to the events of every service (see [`crate::events`]).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<ServiceEvent>> {
        self.inner.events.subscribe()
    }

    /// Serves Socket.IO with `options` (the first configuration stays).
    #[cfg(feature = "socketio")]
    pub(crate) fn set_socketio_options(&self, options: crate::socketio::SocketOptions) {
        let _ = self.inner.socketio.set(options);
    }

    /// The Socket.IO options, when the app serves Socket.IO.
    #[cfg(feature = "socketio")]
    pub(crate) fn socketio_options(&self) -> Option<crate::socketio::SocketOptions> {
        self.inner.socketio.get().copied()
    }

    pub(crate) fn lifecycle(&self) -> &crate::realtime::Lifecycle {
        &self.inner.lifecycle
    }

    pub(crate) fn events(&self) -> &Events {
        &self.inner.events
    }
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("services", &self.paths())
            .finish()
    }
}

#[cfg(test)]
mod path_tests {
    use super::normalize_path;

    #[test]
    fn slashes_are_stripped_at_both_ends_only() {
        let cases = [
            ("/messages/", "messages"),
            ("messages", "messages"),
            ("//api/messages//", "api/messages"),
            ("/", ""),
            ("", ""),
            ("///", ""),
            ("/é/ü/", "é/ü"),
        ];
        for (path, normalized) in cases {
            assert_eq!(normalize_path(path), normalized, "{path:?}");
            assert_eq!(normalize_path(path), path.trim_matches('/'), "{path:?}");
        }
    }
}
