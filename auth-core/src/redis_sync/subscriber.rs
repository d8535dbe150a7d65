//! The subscribing task: the messages of the other instances, delivered
//! to this instance's connections through its own publishers
//! ([`App::dispatch`]). They never enter the app's event channel, so they
//! are never published again: no loop between instances.

use std::sync::Arc;

use futures_util::StreamExt;
use tokio::sync::oneshot;
use tokio::time::{Instant, MissedTickBehavior, interval_at, timeout};

use super::server::{Backoff, CONNECT_TIMEOUT, Link, Server};
use super::wire::WireEvent;
use crate::app::{App, WeakApp};

/// Delivers the other instances' events to `app` until `stop` resolves
/// (the publishing task ended: the app is gone) or the app is gone.
pub(super) async fn run(
    server: Arc<Server>,
    instance: Arc<str>,
    app: WeakApp,
    mut stop: oneshot::Receiver<()>,
) {
    let mut link = Link::new(
        "subscribed",
        "to",
        "events of other instances do not reach this one until it is back",
    );
    let mut backoff = Backoff::new();
    loop {
        let (mut sink, mut messages) = match subscribe(&server).await {
            Ok(pubsub) => pubsub.split(),
            Err(error) => {
                link.down(&server, &error);
                tokio::select! {
                    _ = &mut stop => return,
                    () = tokio::time::sleep(backoff.next_wait()) => continue,
                }
            }
        };
        backoff.reset();
        link.up(&server);
        // Changes made elsewhere while no event came through may be
        // missed: no cached entity is trusted past this point.
        if let Some(app) = app.upgrade() {
            app.forget_cached_entities();
        }
        // A subscription only reads: without asking, it would wait forever
        // on a server that hangs or a network path that died silently.
        let mut keepalive = interval_at(Instant::now() + server.keepalive, server.keepalive);
        keepalive.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            let message = tokio::select! {
                _ = &mut stop => return,
                _ = keepalive.tick() => {
                    // Messages meanwhile wait in the connection's buffer.
                    match timeout(server.keepalive, sink.ping::<redis::Value>()).await {
                        Ok(Ok(_)) => continue,
                        Ok(Err(error)) => link.down(&server, &error),
                        Err(_) => link.down(
                            &server,
                            &format!("no answer to PING within {:?}", server.keepalive),
                        ),
                    }
                    break;
                }
                message = messages.next() => message,
            };
            // The stream ends when the connection does.
            let Some(message) = message else {
                link.down(&server, &"connection closed");
                break;
            };
            let Some(app) = app.upgrade() else { return };
            deliver(&app, &instance, message.get_payload_bytes());
        }
    }
}

async fn subscribe(server: &Server) -> Result<redis::aio::PubSub, String> {
    let subscribed = timeout(CONNECT_TIMEOUT, async {
        let mut pubsub = server.client.get_async_pubsub().await?;
        pubsub.subscribe(&server.key).await?;
        Ok::<_, redis::RedisError>(pubsub)
    })
    .await;
    match subscribed {
        Ok(Ok(pubsub)) => Ok(pubsub),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err(format!("no answer within {CONNECT_TIMEOUT:?}")),
    }
}

/// Dispatches one message unless it is this instance's own (already
/// delivered here) or malformed (logged and skipped).
fn deliver(app: &App, instance: &str, payload: &[u8]) {
    let wire = match WireEvent::from_json(payload) {
        Ok(wire) => wire,
        Err(error) => {
            tracing::warn!(%error, bytes = payload.len(), "redis sync: malformed message skipped");
            return;
        }
    };
    if wire.instance == instance {
        return;
    }
    match wire.into_event() {
        Ok(event) => {
            // Another instance changed a record: entities cached from its
            // service may be stale.
            if event.event != crate::events::EventKind::Created {
                app.records_changed(&event.path);
            }
            app.dispatch(&event);
        }
        Err(error) => {
            tracing::warn!(%error, "redis sync: malformed message skipped");
        }
    }
}
