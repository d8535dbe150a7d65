//! A real-time connection: one client's socket as the app sees it, with
//! the params its calls and events are made with.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use serde_json::Value;

use crate::params::Params;

/// The next connection id; ids are never reused within a process.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A client's connection (a socket), shared by the transport that owns it
/// and the channels it is in. Cloning gives another handle on the same
/// connection; two handles are equal when they name the same connection.
///
/// Its params are those of its calls: the transport sets the provider and
/// headers when the client connects, and authentication sets the user when
/// the connection logs in, as Feathers' `connection` object carries them.
///
/// ```
/// use auth_core::prelude::*;
/// use auth_core::realtime::Connection;
/// use serde_json::json;
///
/// let connection = Connection::new(Params::external(Provider::Other("socketio".into())));
/// let same = connection.clone();
/// same.update_params(|params| {
///     params.query.insert("seen".to_owned(), json!(true));
/// });
/// assert_eq!(connection.params().query["seen"], true);
/// assert_eq!(connection, same);
/// assert_ne!(connection, Connection::new(Params::new()));
/// ```
#[derive(Clone)]
pub struct Connection(Arc<Inner>);

struct Inner {
    id: u64,
    params: RwLock<Params>,
    sink: Option<Box<dyn Sink>>,
    /// What ends the connection when its token expires (set on login).
    expiry: Mutex<Option<tokio::task::AbortHandle>>,
}

/// Where a connection's events go: its transport's socket. A transport
/// makes each connection with one ([`Connection::with_sink`]).
///
/// `send` never waits: a transport queues the event in the connection's
/// bounded buffer and answers `false` when it cannot (the buffer is full,
/// or the socket is gone); the dispatcher then closes the connection, so a
/// client that does not read never holds back a publisher nor grows
/// memory.
pub trait Sink: Send + Sync + 'static {
    /// Queues `event` (`"messages created"`) with `data`; `false` when the
    /// connection cannot take it.
    fn send(&self, event: &str, data: &Value) -> bool;

    /// Closes the connection (a dropped slow reader, an expired token).
    fn close(&self);
}

impl Connection {
    /// A new connection whose calls are made with `params`, with nowhere
    /// to send events (for tests and for transports without events).
    pub fn new(params: Params) -> Connection {
        Connection::make(params, None)
    }

    /// A new connection whose calls are made with `params` and whose
    /// events go to `sink`.
    pub fn with_sink(params: Params, sink: impl Sink) -> Connection {
        Connection::make(params, Some(Box::new(sink)))
    }

    fn make(params: Params, sink: Option<Box<dyn Sink>>) -> Connection {
        Connection(Arc::new(Inner {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            params: RwLock::new(params),
            sink,
            expiry: Mutex::new(None),
        }))
    }

    /// Sends `event` with `data` to the client; `false` when its transport
    /// could not queue it (or it has none).
    pub fn send(&self, event: &str, data: &Value) -> bool {
        self.0
            .sink
            .as_ref()
            .is_some_and(|sink| sink.send(event, data))
    }

    /// Closes the connection through its transport (nothing without one).
    pub fn close(&self) {
        self.cancel_expiry();
        if let Some(sink) = &self.0.sink {
            sink.close();
        }
    }

    /// Runs `task` as what ends this connection's login (a token's
    /// expiry), replacing and stopping the one before.
    #[cfg(feature = "auth")]
    pub(crate) fn set_expiry(&self, task: tokio::task::AbortHandle) {
        if let Some(previous) = crate::sync::lock(&self.0.expiry).replace(task) {
            previous.abort();
        }
    }

    /// Stops what would end this connection's login.
    pub(crate) fn cancel_expiry(&self) {
        if let Some(previous) = crate::sync::lock(&self.0.expiry).take() {
            previous.abort();
        }
    }

    /// Its id, unique in the process.
    pub fn id(&self) -> u64 {
        self.0.id
    }

    /// A copy of its params.
    pub fn params(&self) -> Params {
        crate::sync::read(&self.0.params).clone()
    }

    /// Changes its params (a login sets the user, a logout clears it).
    pub fn update_params(&self, change: impl FnOnce(&mut Params)) {
        change(&mut crate::sync::write(&self.0.params));
    }
}

impl PartialEq for Connection {
    fn eq(&self, other: &Connection) -> bool {
        self.0.id == other.0.id
    }
}

impl Eq for Connection {}

impl Hash for Connection {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.id.hash(state);
    }
}

/// Its id and provider only: params carry credentials.
impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("id", &self.0.id)
            .field("provider", &crate::sync::read(&self.0.params).provider)
            .finish_non_exhaustive()
    }
}
