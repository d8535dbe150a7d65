//! Delivery: each service event to the connections its publisher names,
//! through their transports, never waiting on one.

use std::panic::{AssertUnwindSafe, catch_unwind};

use tokio::sync::broadcast::error::RecvError;

use crate::app::App;
use crate::events::ServiceEvent;
use crate::realtime::Channel;

/// What one event's delivery did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivered {
    /// Connections that received it.
    pub sent: usize,
    /// Connections that could not take it and were closed (a full buffer:
    /// a client that does not read).
    pub dropped: usize,
}

impl App {
    /// Sends `event` to the connections its publisher names (see
    /// [`App::channels_for`]), as `"<path> <event>"` with the record, or
    /// with the data the channel gives a connection instead. A connection
    /// whose transport cannot take it is closed, never waited for.
    ///
    /// Transports that own connections run [`spawn_delivery`] rather than
    /// call this per event; the event sync across instances calls it for
    /// the events of other instances.
    pub fn dispatch(&self, event: &ServiceEvent) -> Delivered {
        // A publisher is the app's code: a panic in it loses this event
        // only, never the delivery of the ones after.
        let channel = match catch_unwind(AssertUnwindSafe(|| self.channels_for(event))) {
            Ok(channel) => channel,
            Err(_) => {
                tracing::error!(path = %event.path, event = %event.event, "a publisher panicked: event not delivered");
                return Delivered::default();
            }
        };
        deliver(self, event, &channel)
    }
}

fn deliver(app: &App, event: &ServiceEvent, channel: &Channel) -> Delivered {
    let mut delivered = Delivered::default();
    if channel.is_empty() {
        return delivered;
    }
    let name = format!("{} {}", event.path, event.event);
    for (connection, data) in channel.members() {
        if connection.send(&name, data.unwrap_or(&event.data)) {
            delivered.sent += 1;
        } else {
            delivered.dropped += 1;
            tracing::warn!(connection = connection.id(), event = %name, "connection dropped: it does not take events");
            // Out of every channel at once, then closed: the transport
            // may need a while to tell the client.
            app.emit_disconnect(connection);
            connection.close();
        }
    }
    delivered
}

/// Starts delivering the app's service events to its connections, in
/// the background, in the order they were published; the task ends when
/// the app is gone. A transport that owns connections starts it once.
///
/// The events wait in the app's event channel (1,024 of them); a
/// delivery that falls further behind skips the oldest and logs how many.
pub fn spawn_delivery(app: &App) -> tokio::task::JoinHandle<()> {
    let mut events = app.subscribe();
    let app = app.downgrade();
    tokio::spawn(async move {
        loop {
            match events.recv().await {
                Ok(event) => {
                    let Some(app) = app.upgrade() else { return };
                    app.dispatch(&event);
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(
                        missed,
                        "real-time delivery fell behind: events not delivered"
                    );
                }
                Err(RecvError::Closed) => return,
            }
        }
    })
}
