//! Two instances in one process, and what the tests read them with: the
//! connection's recorded events, the channel's subscribers, the raw wire,
//! and the process's log.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use auth_core::memory::MemoryService;
use auth_core::prelude::*;
use auth_core::realtime::{Connection, Sink, spawn_delivery};
use auth_core::redis_sync::{RedisSync, SyncHandle};
use serde_json::{Value, json};
use tokio::time::{Instant, sleep};

/// What a connection received: `(event name, data)`.
#[derive(Clone, Default)]
pub(crate) struct Received(Arc<Mutex<Vec<(String, Value)>>>);

impl Sink for Received {
    fn send(&self, event: &str, data: &Value) -> bool {
        self.0
            .lock()
            .unwrap()
            .push((event.to_owned(), data.clone()));
        true
    }

    fn close(&self) {}
}

impl Received {
    /// The texts of the `messages created` events received, in order.
    pub(crate) fn texts(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|(event, _)| event == "messages created")
            .map(|(_, data)| data["text"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Waits (at most 15 s) until a `messages created` with `text` arrived.
    pub(crate) async fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while !self.texts().iter().any(|seen| seen == text) {
            assert!(
                Instant::now() < deadline,
                "{text:?} never arrived; got {:?}",
                self.texts()
            );
            sleep(Duration::from_millis(10)).await;
        }
    }
}

/// One instance: an app, its recording connection, its running sync.
pub(crate) struct Instance {
    pub(crate) app: App,
    pub(crate) received: Received,
    pub(crate) sync: SyncHandle,
}

impl Instance {
    pub(crate) fn start(redis_url: &str, key: &str) -> Instance {
        Instance::with(RedisSync::new(redis_url).key(key))
    }

    pub(crate) fn with(sync: RedisSync) -> Instance {
        let app = App::new().register("messages", MemoryService::<Value>::new());
        app.publish(|_event, app| app.channel("everyone").channel());
        let received = Received::default();
        let connection = Connection::with_sink(
            Params::external(Provider::Other("socketio".into())),
            received.clone(),
        );
        app.channel("everyone").join(&connection);
        spawn_delivery(&app);
        let sync = sync.start(&app).unwrap();
        Instance {
            app,
            received,
            sync,
        }
    }

    pub(crate) async fn create(&self, text: &str, params: Params) -> Result<Value> {
        self.app
            .service::<MemoryService<Value>>("messages")
            .create(json!({ "text": text }), params)
            .await
    }
}

/// How many connections are subscribed to `key`.
pub(crate) async fn subscribers(redis_url: &str, key: &str) -> Option<i64> {
    let client = redis::Client::open(redis_url).ok()?;
    let mut connection = client.get_multiplexed_async_connection().await.ok()?;
    let (_, count): (String, i64) = redis::cmd("PUBSUB")
        .arg("NUMSUB")
        .arg(key)
        .query_async(&mut connection)
        .await
        .ok()?;
    Some(count)
}

/// Waits (at most 15 s) until `count` connections listen on `key`: the
/// syncs connect in the background, and a message published before a
/// subscriber is there is not for it.
pub(crate) async fn wait_for_subscribers(redis_url: &str, key: &str, count: i64) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while subscribers(redis_url, key).await != Some(count) {
        assert!(
            Instant::now() < deadline,
            "{count} subscribers never listened on {key}"
        );
        sleep(Duration::from_millis(20)).await;
    }
}

/// A connection of the test's own subscribed to `key`, to read the wire.
pub(crate) async fn raw_subscriber(redis_url: &str, key: &str) -> redis::aio::PubSub {
    let client = redis::Client::open(redis_url).unwrap();
    let mut pubsub = client.get_async_pubsub().await.unwrap();
    pubsub.subscribe(key).await.unwrap();
    pubsub
}

pub(crate) async fn publish_raw(redis_url: &str, key: &str, message: &str) {
    let client = redis::Client::open(redis_url).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let _: i64 = redis::cmd("PUBLISH")
        .arg(key)
        .arg(message)
        .query_async(&mut connection)
        .await
        .unwrap();
}

/// Creates `text-N` on `from` every 200 ms until `to` received one (at
/// most 30 s): after an outage, each sync reconnects on its own backoff.
pub(crate) async fn until_it_crosses(from: &Instance, to: &Instance, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    for n in 0.. {
        from.create(&format!("{text}-{n}"), Params::new())
            .await
            .unwrap();
        sleep(Duration::from_millis(200)).await;
        if to
            .received
            .texts()
            .iter()
            .any(|seen| seen.starts_with(text))
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no {text} crossed after Redis came back"
        );
    }
}

/// Changes what the default user may run (`+publish`, `-publish`).
pub(crate) async fn acl(redis_url: &str, rule: &str) {
    let client = redis::Client::open(redis_url).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let () = redis::cmd("ACL")
        .arg("SETUSER")
        .arg("default")
        .arg(rule)
        .query_async(&mut connection)
        .await
        .unwrap();
}
