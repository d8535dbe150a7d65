//! A socket as a connection's [`Sink`]: events are queued in socketioxide's
//! bounded per-socket buffer, never waited for.

use std::sync::{Arc, RwLock};

use serde_json::Value;
use socketioxide::extract::SocketRef;
use socketioxide::{SendError, SocketError};

use crate::realtime::Sink;
use crate::sync::{read, write};

/// The socket of a connection, until it disconnects: then it is let go,
/// so that the connection (which the socket's handlers hold) and the
/// socket never keep each other alive.
#[derive(Clone, Default)]
pub(crate) struct SocketSink(Arc<RwLock<Option<SocketRef>>>);

impl SocketSink {
    pub(crate) fn new(socket: SocketRef) -> SocketSink {
        SocketSink(Arc::new(RwLock::new(Some(socket))))
    }

    /// Lets the socket go (it disconnected).
    pub(crate) fn detach(&self) {
        write(&self.0).take();
    }
}

impl Sink for SocketSink {
    fn send(&self, event: &str, data: &Value) -> bool {
        let Some(socket) = read(&self.0).clone() else {
            return false;
        };
        match socket.emit(event, data) {
            Ok(()) => true,
            Err(SendError::Socket(SocketError::InternalChannelFull)) => false,
            Err(error) => {
                // Closed: the disconnect handler is on its way. A record
                // that does not serialize is the only other case.
                tracing::debug!(%error, "event not sent to a socket");
                true
            }
        }
    }

    fn close(&self) {
        if let Some(socket) = write(&self.0).take() {
            let _ = socket.disconnect();
        }
    }
}
