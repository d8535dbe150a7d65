//! A real-time connection: one client's socket as the app sees it, with
//! the params its calls and events are made with.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

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
}

impl Connection {
    /// A new connection whose calls are made with `params`.
    pub fn new(params: Params) -> Connection {
        Connection(Arc::new(Inner {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            params: RwLock::new(params),
        }))
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
