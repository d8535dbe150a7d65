//! Real-time, transport-neutral: connections and the channels events are
//! sent to, as Feathers' channels API has them (`app.channel(name)`,
//! `join`, `leave`, `filter`, `send`). A transport (Socket.IO) owns the
//! sockets and only delivers; which connection gets which event is
//! decided here.
//!
//! Publishers ([`App::publish`](crate::App::publish),
//! [`ServiceHandle::publish`](crate::ServiceHandle::publish)) say which
//! channels each service event goes to; [`App::channels_for`](crate::App::channels_for)
//! answers it for one event.
//!
//! Named channels live in the app: `app.channel("authenticated")` names
//! one, created when a connection first joins it and gone when the last
//! one leaves; `app.channel(["anonymous", "authenticated"])` names several
//! at once (joining or leaving applies to each, and their connections are
//! counted once). [`Channel`] is a detached set, what `filter` and `send`
//! give.
//!
//! ```
//! use auth_core::prelude::*;
//! use auth_core::realtime::Connection;
//!
//! let app = App::new();
//! let (ada, bob) = (Connection::new(Params::new()), Connection::new(Params::new()));
//! app.channel("anonymous").join(&ada).join(&bob);
//! app.channel("anonymous").leave(&ada);
//! app.channel(["authenticated", "users/1"]).join(&ada);
//!
//! assert_eq!(app.channel_names(), ["anonymous", "authenticated", "users/1"]);
//! let everyone = app.channel(["anonymous", "authenticated"]);
//! assert_eq!(everyone.len(), 2);
//! app.channel(app.channel_names()).leave(&ada); // a disconnect
//! assert_eq!(app.channel_names(), ["anonymous"]);
//! ```

mod channel;
mod connection;
mod dispatch;
mod lifecycle;
mod publish;

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::Value;

pub use channel::Channel;
pub use connection::{Connection, Sink};
pub use dispatch::{Delivered, spawn_delivery};
pub use lifecycle::AuthenticationEvent;
pub(crate) use lifecycle::Lifecycle;
pub use publish::Publisher;
pub(crate) use publish::Publishers;

use crate::sync::lock;

/// The app's named channels.
#[derive(Default)]
pub(crate) struct Registry {
    named: Mutex<HashMap<String, Vec<Connection>>>,
}

/// The names `app.channel(..)` takes: one (`"authenticated"`) or several
/// (`["anonymous", "authenticated"]`, a `Vec`, a slice).
pub trait ChannelNames {
    /// The names, in order.
    fn into_names(self) -> Vec<String>;
}

impl ChannelNames for &str {
    fn into_names(self) -> Vec<String> {
        vec![self.to_owned()]
    }
}

impl ChannelNames for String {
    fn into_names(self) -> Vec<String> {
        vec![self]
    }
}

impl ChannelNames for &String {
    fn into_names(self) -> Vec<String> {
        vec![self.clone()]
    }
}

impl<S: AsRef<str>, const N: usize> ChannelNames for [S; N] {
    fn into_names(self) -> Vec<String> {
        self.iter().map(|name| name.as_ref().to_owned()).collect()
    }
}

impl<S: AsRef<str>> ChannelNames for &[S] {
    fn into_names(self) -> Vec<String> {
        self.iter().map(|name| name.as_ref().to_owned()).collect()
    }
}

impl<S: AsRef<str>> ChannelNames for Vec<S> {
    fn into_names(self) -> Vec<String> {
        self.iter().map(|name| name.as_ref().to_owned()).collect()
    }
}

/// Channels of the app by name: joining and leaving change the app's
/// channels; reading gives their connections, each once. No names is an
/// empty set that nothing joins.
#[must_use]
pub struct NamedChannels<'a> {
    registry: &'a Registry,
    names: Vec<String>,
}

impl Registry {
    pub(crate) fn named(&self, names: impl ChannelNames) -> NamedChannels<'_> {
        NamedChannels {
            registry: self,
            names: names.into_names(),
        }
    }

    /// The names of the channels holding a connection, sorted.
    pub(crate) fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = lock(&self.named).keys().cloned().collect();
        names.sort();
        names
    }
}

impl NamedChannels<'_> {
    /// Adds `connection` to each channel named (once: joining again
    /// changes nothing).
    pub fn join(&self, connection: &Connection) -> &Self {
        let mut named = lock(&self.registry.named);
        for name in &self.names {
            let members = named.entry(name.clone()).or_default();
            if !members.contains(connection) {
                members.push(connection.clone());
            }
        }
        self
    }

    /// Removes `connection` from each channel named.
    pub fn leave(&self, connection: &Connection) -> &Self {
        self.leave_where(|member| member == connection)
    }

    /// Removes from each channel named the connections for which `leaves`
    /// is true (Feathers' `leave(connection => ..)`); a channel left empty
    /// is gone.
    pub fn leave_where(&self, mut leaves: impl FnMut(&Connection) -> bool) -> &Self {
        let mut named = lock(&self.registry.named);
        for name in &self.names {
            if let Some(members) = named.get_mut(name) {
                members.retain(|member| !leaves(member));
                if members.is_empty() {
                    named.remove(name);
                }
            }
        }
        self
    }

    /// Their connections now, each once, as a detached [`Channel`].
    pub fn channel(&self) -> Channel {
        let named = lock(&self.registry.named);
        Channel::from_connections(
            self.names
                .iter()
                .filter_map(|name| named.get(name))
                .flatten()
                .cloned()
                .collect::<Vec<_>>(),
        )
    }

    /// How many connections they hold, each counted once.
    pub fn len(&self) -> usize {
        self.channel().len()
    }

    /// Whether they hold none.
    pub fn is_empty(&self) -> bool {
        self.channel().is_empty()
    }

    /// Their connections for which `keep` is true.
    pub fn filter(&self, keep: impl FnMut(&Connection) -> bool) -> Channel {
        self.channel().filter(keep)
    }

    /// Their connections, receiving `data` instead of an event's own.
    pub fn send(&self, data: Value) -> Channel {
        self.channel().send(data)
    }
}

impl From<NamedChannels<'_>> for Channel {
    fn from(named: NamedChannels<'_>) -> Channel {
        named.channel()
    }
}
