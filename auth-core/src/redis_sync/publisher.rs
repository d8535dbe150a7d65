//! The publishing task: every service event of this instance, as one
//! message on the channel.
//!
//! It reads the app's event channel like any subscriber, so a service
//! call never waits on Redis: that channel is bounded (1,024 events) and
//! a reader that falls behind misses the oldest instead of slowing the
//! call. While Redis is unreachable the task keeps reading and drops what
//! it reads, counted, so an outage costs the events published during it
//! and nothing queues up to arrive late.

use std::sync::Arc;

use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::{Instant, timeout, timeout_at};

use super::server::{Backoff, CONNECT_TIMEOUT, Link, Server};
use super::wire::WireEvent;
use crate::events::ServiceEvent;

type Events = Receiver<Arc<ServiceEvent>>;

/// Publishes the events of `events` until the app is gone.
pub(super) async fn run(server: Arc<Server>, instance: Arc<str>, mut events: Events) {
    let mut link = Link::new(
        "publishing",
        "on",
        "events of this instance do not reach the others until it is back",
    );
    let mut backoff = Backoff::new();
    loop {
        let mut connection = match connect(&server).await {
            Ok(connection) => connection,
            Err(error) => {
                link.down(&server, &error);
                if drop_events_for(backoff.next_wait(), &mut events, &mut link)
                    .await
                    .is_closed()
                {
                    return;
                }
                continue;
            }
        };
        backoff.reset();
        link.up(&server);
        // Whether the server refuses PUBLISH now (said once, until it
        // takes one again).
        let mut refusing = false;
        loop {
            let event = match events.recv().await {
                Ok(event) => event,
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(
                        missed,
                        "redis sync: publishing fell behind: events not sent to other instances"
                    );
                    continue;
                }
                Err(RecvError::Closed) => return,
            };
            let message = match WireEvent::from_event(&instance, &event).to_json() {
                Ok(message) => message,
                Err(error) => {
                    tracing::warn!(path = %event.path, event = %event.event, %error, "redis sync: event not sent: not JSON");
                    continue;
                }
            };
            let sent = redis::cmd("PUBLISH")
                .arg(&server.key)
                .arg(message)
                .query_async::<i64>(&mut connection)
                .await;
            match sent {
                Ok(_) => refusing = false,
                // The server answered with an error (an ACL without
                // PUBLISH, a read-only replica): the connection is fine,
                // and reconnecting would only repeat the refusal.
                Err(error) if refused_by_server(&error) => {
                    if !refusing {
                        tracing::warn!(
                            "redis sync: {} refuses to publish on {:?}: {error}; events of this instance do not reach the others until it accepts",
                            server.shown,
                            server.key
                        );
                        refusing = true;
                    }
                }
                Err(error) => {
                    link.lost += 1;
                    link.down(&server, &error);
                    break;
                }
            }
        }
    }
}

/// An error the server answered with, rather than a lost connection.
fn refused_by_server(error: &redis::RedisError) -> bool {
    matches!(
        error.kind(),
        redis::ErrorKind::Server(_) | redis::ErrorKind::Extension
    )
}

async fn connect(server: &Server) -> Result<redis::aio::MultiplexedConnection, String> {
    match timeout(
        CONNECT_TIMEOUT,
        server.client.get_multiplexed_async_connection(),
    )
    .await
    {
        Ok(Ok(connection)) => Ok(connection),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err(format!("no answer within {CONNECT_TIMEOUT:?}")),
    }
}

/// Whether the app's event channel is still open after a wait.
#[derive(PartialEq)]
enum Open {
    Yes,
    Closed,
}

impl Open {
    fn is_closed(&self) -> bool {
        *self == Open::Closed
    }
}

/// Waits `wait`, reading and dropping the events published meanwhile
/// (counted in `link.lost`).
async fn drop_events_for(wait: std::time::Duration, events: &mut Events, link: &mut Link) -> Open {
    debug_assert!(!link.is_up());
    let deadline = Instant::now() + wait;
    while let Ok(received) = timeout_at(deadline, events.recv()).await {
        match received {
            Ok(_) => link.lost += 1,
            Err(RecvError::Lagged(missed)) => link.lost += missed,
            Err(RecvError::Closed) => return Open::Closed,
        }
    }
    Open::Yes
}
