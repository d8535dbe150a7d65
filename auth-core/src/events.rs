//! Service events: `created`, `updated`, `patched` and `removed`, published
//! after every successful mutating call, as Feathers emits them.
//!
//! Events go out on a `tokio::sync::broadcast` channel, so publishing never
//! waits for a subscriber: one that falls behind misses events (its
//! receiver reports `Lagged`) instead of slowing service calls down.
//! Nothing is serialized while nobody subscribes.
//!
//! ```
//! use auth_core::prelude::*;
//! use auth_core::memory::MemoryService;
//! use serde_json::{json, Value};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let app = App::new().register("messages", MemoryService::<Value>::new());
//! let mut events = app.subscribe();
//!
//! app.service::<MemoryService<Value>>("messages")
//!     .create(json!({ "text": "hi" }), Params::new())
//!     .await?;
//!
//! let event = events.recv().await.unwrap();
//! assert_eq!(event.event, EventKind::Created);
//! assert_eq!(event.path.as_ref(), "messages");
//! assert_eq!(event.data, json!({ "id": 0, "text": "hi" }));
//! # Ok::<_, Error>(()) }).unwrap();
//! ```

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;
use tokio::sync::broadcast;

use crate::params::Params;
use crate::redact;
use crate::service::{Id, Method};

/// Which event a call published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// After `create`.
    Created,
    /// After `update`.
    Updated,
    /// After `patch`.
    Patched,
    /// After `remove`.
    Removed,
}

impl EventKind {
    /// The event a successful call of `method` publishes, if any.
    pub fn for_method(method: &Method) -> Option<EventKind> {
        match method {
            Method::Create => Some(EventKind::Created),
            Method::Update => Some(EventKind::Updated),
            Method::Patch => Some(EventKind::Patched),
            Method::Remove => Some(EventKind::Removed),
            _ => None,
        }
    }

    /// The event's name as Feathers spells it (`"created"`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Updated => "updated",
            EventKind::Patched => "patched",
            EventKind::Removed => "removed",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One published event: a record a call created, updated, patched or
/// removed, with the call's context. A multi call publishes one event per
/// record, as Feathers does.
///
/// Its `Debug` hides credentials in `data` and `params` by the rule
/// [`Params`] states, so `tracing::info!(?event)` logs no token.
#[derive(Clone)]
pub struct ServiceEvent {
    /// The service's path.
    pub path: Arc<str>,
    /// The event.
    pub event: EventKind,
    /// The method called.
    pub method: Method,
    /// The id the call named, if any.
    pub id: Option<Id>,
    /// The record as callers receive it, as JSON: from the call's
    /// `dispatch` when a hook set one (`protect(..)` does, so an event
    /// never carries a protected field), else from its result.
    pub data: Value,
    /// The call's parameters.
    pub params: Params,
}

impl fmt::Debug for ServiceEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceEvent")
            .field("path", &self.path)
            .field("event", &self.event)
            .field("method", &self.method)
            .field("id", &self.id)
            .field("data", &redact::Json(&self.data))
            .field("params", &self.params)
            .finish()
    }
}

/// The app's event channel.
pub(crate) struct Events {
    sender: broadcast::Sender<Arc<ServiceEvent>>,
}

/// How many events a subscriber may fall behind before it misses some.
pub(crate) const DEFAULT_CAPACITY: usize = 1024;

impl Events {
    pub(crate) fn new(capacity: usize) -> Events {
        let (sender, _) = broadcast::channel(capacity.max(1));
        Events { sender }
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Arc<ServiceEvent>> {
        self.sender.subscribe()
    }

    /// True when somebody listens, so that callers serialize only then.
    pub(crate) fn has_subscribers(&self) -> bool {
        self.sender.receiver_count() > 0
    }

    /// Publishes one event per record. Records that cannot be serialized
    /// are logged and skipped: an event never fails the call it reports.
    pub(crate) fn publish<T: Serialize>(
        &self,
        path: &Arc<str>,
        method: &Method,
        id: Option<&Id>,
        params: &Params,
        records: &[T],
    ) {
        let Some(event) = EventKind::for_method(method) else {
            return;
        };
        for record in records {
            let data = match serde_json::to_value(record) {
                Ok(data) => data,
                Err(error) => {
                    tracing::warn!(%path, %event, %error, "event not published: record is not JSON");
                    continue;
                }
            };
            // An error here only means every subscriber has gone.
            let _ = self.sender.send(Arc::new(ServiceEvent {
                path: path.clone(),
                event,
                method: method.clone(),
                id: id.cloned(),
                data,
                params: params.clone(),
            }));
        }
    }
}
