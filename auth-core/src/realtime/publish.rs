//! Publishers: which channels a service event goes to, as Feathers'
//! `app.publish(..)` and `service.publish(..)` decide it.
//!
//! A publisher is a function of the event and the app giving a
//! [`Channel`] (empty: nobody). One is registered for the app or for a
//! service, for one event or for all; for an event, the first found of
//! these publishes it, in Feathers' order: the service's for that event,
//! the service's for all, the app's for that event, the app's for all.
//! With none, the event goes nowhere.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::app::App;
use crate::events::{EventKind, ServiceEvent};
use crate::realtime::Channel;
use crate::sync::{read, write};

/// A publisher: the channel an event goes to.
pub type Publisher = Arc<dyn Fn(&ServiceEvent, &App) -> Channel + Send + Sync>;

/// Who a publisher is registered for: a service (by path) or the app, one
/// event or all.
type Scope = (Option<Arc<str>>, Option<EventKind>);

/// The app's publishers.
#[derive(Default)]
pub(crate) struct Publishers {
    by_scope: RwLock<HashMap<Scope, Publisher>>,
}

impl Publishers {
    /// Registers `publisher` for `scope`, replacing the one there.
    pub(crate) fn set(
        &self,
        path: Option<Arc<str>>,
        event: Option<EventKind>,
        publisher: Publisher,
    ) {
        write(&self.by_scope).insert((path, event), publisher);
    }

    /// The publisher of `event`, by Feathers' precedence.
    pub(crate) fn find(&self, event: &ServiceEvent) -> Option<Publisher> {
        let by_scope = read(&self.by_scope);
        let path = Some(event.path.clone());
        [
            (path.clone(), Some(event.event)),
            (path, None),
            (None, Some(event.event)),
            (None, None),
        ]
        .iter()
        .find_map(|scope| by_scope.get(scope).cloned())
    }
}
