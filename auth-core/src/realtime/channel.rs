//! Channels: sets of connections events are sent to, as Feathers' channels
//! API has them. A [`Channel`] is a detached set, each connection once,
//! with the data that connection receives instead of the event's own
//! (Feathers' `channel.send(data)`).

use std::collections::HashSet;

use serde_json::Value;

use crate::realtime::Connection;

/// A set of connections, each once, and what each receives in place of an
/// event's data (`None`: the event's own).
///
/// ```
/// use auth_core::prelude::*;
/// use auth_core::realtime::{Channel, Connection};
/// use serde_json::json;
///
/// let (a, b) = (Connection::new(Params::new()), Connection::new(Params::new()));
/// let everyone = Channel::from_connections([a.clone(), b.clone()]);
/// let only_a = everyone.filter(|connection| *connection == a).send(json!({ "short": true }));
/// let combined = Channel::combine([only_a, everyone]);
/// assert_eq!(combined.len(), 2);
/// assert_eq!(combined.data_for(&a), Some(&json!({ "short": true })));
/// assert_eq!(combined.data_for(&b), None);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Channel {
    members: Vec<(Connection, Option<Value>)>,
}

impl Channel {
    /// A channel of `connections` (each once), receiving events' own data.
    pub fn from_connections(connections: impl IntoIterator<Item = Connection>) -> Channel {
        let mut seen = HashSet::new();
        Channel {
            members: connections
                .into_iter()
                .filter(|connection| seen.insert(connection.id()))
                .map(|connection| (connection, None))
                .collect(),
        }
    }

    /// The union of `channels`: each connection once, with the data of the
    /// first channel that holds it (Feathers' combined channel).
    pub fn combine(channels: impl IntoIterator<Item = Channel>) -> Channel {
        let mut seen = HashSet::new();
        let mut members = Vec::new();
        for channel in channels {
            for (connection, data) in channel.members {
                if seen.insert(connection.id()) {
                    members.push((connection, data));
                }
            }
        }
        Channel { members }
    }

    /// Its connections.
    pub fn connections(&self) -> impl Iterator<Item = &Connection> {
        self.members.iter().map(|(connection, _)| connection)
    }

    /// Its connections with what each receives instead of an event's data.
    pub(crate) fn members(&self) -> impl Iterator<Item = (&Connection, Option<&Value>)> {
        self.members
            .iter()
            .map(|(connection, data)| (connection, data.as_ref()))
    }

    /// How many connections it holds.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Whether it holds `connection`.
    pub fn contains(&self, connection: &Connection) -> bool {
        self.members.iter().any(|(member, _)| member == connection)
    }

    /// The connections for which `keep` is true, with their data.
    #[must_use]
    pub fn filter(&self, mut keep: impl FnMut(&Connection) -> bool) -> Channel {
        Channel {
            members: self
                .members
                .iter()
                .filter(|(connection, _)| keep(connection))
                .cloned()
                .collect(),
        }
    }

    /// The same connections, receiving `data` instead of an event's own.
    #[must_use]
    pub fn send(&self, data: Value) -> Channel {
        Channel {
            members: self
                .members
                .iter()
                .map(|(connection, _)| (connection.clone(), Some(data.clone())))
                .collect(),
        }
    }

    /// What `connection` receives instead of an event's data, if anything.
    pub fn data_for(&self, connection: &Connection) -> Option<&Value> {
        self.members
            .iter()
            .find(|(member, _)| member == connection)
            .and_then(|(_, data)| data.as_ref())
    }
}
