//! Service events across instances through Redis (`auth_core::redis_sync`),
//! in one process: two apps, A and B, each with its own sync on the same
//! Redis channel, a publisher sending every `messages` event to one
//! channel, and a connection in it whose sink records what it gets.
//!
//! Exactly once is checked by order, not by waiting: Redis delivers a
//! channel's messages to each subscriber in the order they were
//! published, so once B has received an event A published after seeing
//! B's, B has also seen (and skipped) its own earlier messages.
//!
//! Needs a Redis server (`TEST_REDIS_URL`; `scripts/redis.sh run -- cargo
//! test`); the outage test starts a redis-server of its own, since it
//! stops it.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use auth_core::memory::MemoryService;
use auth_core::prelude::*;
use auth_core::realtime::{Connection, Sink, spawn_delivery};
use auth_core::redis_sync::{RedisSync, SyncHandle};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tests::redis::{OwnRedis, REQUIRE_VARIABLE, URL_VARIABLE, skip, unique_key, url};
use tokio::time::{Instant, sleep, timeout};

/// What a connection received: `(event name, data)`.
#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<(String, Value)>>>);

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
    fn texts(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|(event, _)| event == "messages created")
            .map(|(_, data)| data["text"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Waits (at most 15 s) until a `messages created` with `text` arrived.
    async fn wait_for(&self, text: &str) {
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
struct Instance {
    app: App,
    received: Received,
    sync: SyncHandle,
}

impl Instance {
    fn start(redis_url: &str, key: &str) -> Instance {
        Instance::with(RedisSync::new(redis_url).key(key))
    }

    fn with(sync: RedisSync) -> Instance {
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

    async fn create(&self, text: &str, params: Params) -> Result<Value> {
        self.app
            .service::<MemoryService<Value>>("messages")
            .create(json!({ "text": text }), params)
            .await
    }
}

/// How many connections are subscribed to `key`.
async fn subscribers(redis_url: &str, key: &str) -> Option<i64> {
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
async fn wait_for_subscribers(redis_url: &str, key: &str, count: i64) {
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
async fn raw_subscriber(redis_url: &str, key: &str) -> redis::aio::PubSub {
    let client = redis::Client::open(redis_url).unwrap();
    let mut pubsub = client.get_async_pubsub().await.unwrap();
    pubsub.subscribe(key).await.unwrap();
    pubsub
}

async fn publish_raw(redis_url: &str, key: &str, message: &str) {
    let client = redis::Client::open(redis_url).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let _: i64 = redis::cmd("PUBLISH")
        .arg(key)
        .arg(message)
        .query_async(&mut connection)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_event_of_one_instance_reaches_each_connection_of_both_exactly_once() {
    if skip("an_event_of_one_instance_reaches_each_connection_of_both_exactly_once") {
        return;
    }
    let (redis_url, key) = (url().unwrap(), unique_key("once"));
    let a = Instance::start(&redis_url, &key);
    let b = Instance::start(&redis_url, &key);
    assert_ne!(a.sync.instance(), b.sync.instance());
    wait_for_subscribers(&redis_url, &key, 2).await;

    b.create("from b", Params::external(Provider::Rest))
        .await
        .unwrap();
    a.received.wait_for("from b").await;
    // Published after A saw B's event, so B gets it after its own echo.
    a.create("from a", Params::new()).await.unwrap();
    b.received.wait_for("from a").await;

    assert_eq!(a.received.texts(), ["from b", "from a"]);
    assert_eq!(b.received.texts(), ["from b", "from a"]);
}

#[tokio::test]
async fn credentials_never_cross_to_other_instances() {
    if skip("credentials_never_cross_to_other_instances") {
        return;
    }
    let (redis_url, key) = (url().unwrap(), unique_key("credentials"));
    let a = Instance::start(&redis_url, &key);
    let b = Instance::start(&redis_url, &key);
    let mut wire = raw_subscriber(&redis_url, &key).await;
    wait_for_subscribers(&redis_url, &key, 3).await;

    let mut params = Params::external(Provider::Rest);
    params.headers.insert(
        http::header::AUTHORIZATION,
        "Bearer header.token.value".parse().unwrap(),
    );
    params.headers.insert(
        http::header::COOKIE,
        "session=cookie-value".parse().unwrap(),
    );
    params.authentication =
        Some(AuthenticationRequest::new("jwt").with("accessToken", "request.token.value"));
    params.authenticated = true;
    params.user = Some(json!({ "id": 1, "email": "ada@example.com", "password": "the-hash" }));
    params.set_field(
        "authentication",
        json!({ "strategy": "jwt", "accessToken": "result.token.value" }),
    );
    params.set_field("accessToken", "field.token.value");
    params.set_field("payload", json!({ "sub": "1" }));
    params.query.insert("$limit".into(), json!(5));
    b.create("secretless", params).await.unwrap();

    let message = timeout(Duration::from_secs(15), wire.on_message().next())
        .await
        .expect("the event is published")
        .expect("the subscription is open");
    let text: String = message.get_payload().unwrap();
    for secret in [
        "header.token.value",
        "cookie-value",
        "request.token.value",
        "result.token.value",
        "field.token.value",
        "the-hash",
        "authorization",
        "\"authentication\"",
        "headers",
    ] {
        assert!(
            !text.to_lowercase().contains(&secret.to_lowercase()),
            "{secret} crossed: {text}"
        );
    }
    let json: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["instance"], b.sync.instance());
    assert_eq!(json["path"], "messages");
    assert_eq!(json["event"], "created");
    assert_eq!(json["method"], "create");
    assert_eq!(json["data"]["text"], "secretless");
    let params = &json["params"];
    assert_eq!(params["provider"], "rest");
    assert_eq!(params["authenticated"], true);
    assert_eq!(
        params["user"],
        json!({ "id": 1, "email": "ada@example.com" })
    );
    assert_eq!(params["query"], json!({ "$limit": 5 }));
    assert_eq!(params["fields"], json!({ "payload": { "sub": "1" } }));

    a.received.wait_for("secretless").await;
}

#[tokio::test]
async fn a_malformed_message_is_skipped_and_later_events_arrive() {
    if skip("a_malformed_message_is_skipped_and_later_events_arrive") {
        return;
    }
    let (redis_url, key) = (url().unwrap(), unique_key("malformed"));
    let a = Instance::start(&redis_url, &key);
    let b = Instance::start(&redis_url, &key);
    wait_for_subscribers(&redis_url, &key, 2).await;

    for junk in [
        "not json",
        "[1, 2]",
        r#"{"instance":"elsewhere"}"#,
        r#"{"instance":"elsewhere","path":"messages","event":"exploded","method":"create","data":{"text":"junk"}}"#,
        r#"{"instance":"elsewhere","path":"messages","event":"created","method":"create","id":0.5,"data":{"text":"junk"}}"#,
        r#"{"instance":"elsewhere","path":"messages","event":"created","method":"create","data":{"text":"junk"},"params":{"user":"x","query":7}}"#,
    ] {
        publish_raw(&redis_url, &key, junk).await;
    }
    b.create("after junk", Params::new()).await.unwrap();
    a.received.wait_for("after junk").await;
    assert_eq!(a.received.texts(), ["after junk"]);
}

/// What the `tracing` events of this test binary print: one subscriber
/// for the process, as `tracing` caches per call site whether anybody
/// listens, so a subscriber of one test's thread misses the lines whose
/// call site another test's thread reached first. A test reads the lines
/// naming its own server.
#[derive(Clone, Default)]
struct Logged(Arc<Mutex<Vec<u8>>>);

impl Write for Logged {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logged {
    /// The process's log, capturing from the first call on.
    fn capture() -> &'static Logged {
        static LOG: OnceLock<Logged> = OnceLock::new();
        LOG.get_or_init(|| {
            let log = Logged::default();
            let writer = log.clone();
            let _ = tracing::subscriber::set_global_default(
                tracing_subscriber::fmt()
                    .with_writer(move || writer.clone())
                    .with_ansi(false)
                    .finish(),
            );
            log
        })
    }

    /// The lines holding `needle`.
    fn lines_with(&self, needle: &str) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap())
            .lines()
            .filter(|line| line.contains(needle))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Creates `text-N` on `from` every 200 ms until `to` received one (at
/// most 30 s): after an outage, each sync reconnects on its own backoff.
async fn until_it_crosses(from: &Instance, to: &Instance, text: &str) {
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

#[tokio::test]
async fn a_redis_outage_never_blocks_a_call_and_the_sync_comes_back_by_itself() {
    if skip("a_redis_outage_never_blocks_a_call_and_the_sync_comes_back_by_itself") {
        return;
    }
    let log = Logged::capture();
    let mut redis = OwnRedis::start();
    let key = unique_key("outage");
    let a = Instance::start(&redis.url(), &key);
    let b = Instance::start(&redis.url(), &key);
    wait_for_subscribers(&redis.url(), &key, 2).await;
    b.create("before", Params::new()).await.unwrap();
    a.received.wait_for("before").await;

    redis.stop();
    for n in 0..20 {
        let text = format!("during-{n}");
        timeout(Duration::from_secs(10), a.create(&text, Params::new()))
            .await
            .expect("a call returns while Redis is down")
            .expect("and succeeds");
    }
    a.received.wait_for("during-19").await;

    redis.restart();
    until_it_crosses(&a, &b, "after-a").await;
    until_it_crosses(&b, &a, "after-b").await;
    // Events are dropped during the outage, never queued for later.
    assert!(
        !b.received
            .texts()
            .iter()
            .any(|text| text.starts_with("during")),
        "{:?}",
        b.received.texts()
    );

    let url = redis.url();
    let log = log.lines_with(&url);
    let connected = format!("redis sync: connected to {url}");
    assert!(
        log.contains(&format!("lost the connection to {url}")),
        "{log}"
    );
    assert!(
        log.matches(&connected).count() >= 8,
        "each of the four connections connects, and reconnects after the outage: {log}"
    );
    assert!(
        log.contains("were not sent to the others meanwhile"),
        "{log}"
    );
}

#[tokio::test]
async fn a_hung_redis_never_blocks_a_call_and_the_subscription_notices_it() {
    if skip("a_hung_redis_never_blocks_a_call_and_the_subscription_notices_it") {
        return;
    }
    let log = Logged::capture();
    let redis = OwnRedis::start();
    let (url, key) = (redis.url(), unique_key("hung"));
    let keepalive = Duration::from_millis(300);
    let a = Instance::with(RedisSync::new(&url).key(&key).keepalive(keepalive));
    let b = Instance::with(RedisSync::new(&url).key(&key).keepalive(keepalive));
    wait_for_subscribers(&url, &key, 2).await;
    b.create("before", Params::new()).await.unwrap();
    a.received.wait_for("before").await;

    redis.pause();
    for n in 0..5 {
        let text = format!("during-{n}");
        timeout(Duration::from_secs(10), a.create(&text, Params::new()))
            .await
            .expect("a call returns while Redis hangs")
            .expect("and succeeds");
    }
    a.received.wait_for("during-4").await;
    // Nothing closes the connections: only the keepalive tells.
    let deadline = Instant::now() + Duration::from_secs(15);
    while !log
        .lines_with(&url)
        .contains("(subscribed): no answer to PING")
    {
        assert!(
            Instant::now() < deadline,
            "the subscription never noticed: {}",
            log.lines_with(&url)
        );
        sleep(Duration::from_millis(50)).await;
    }

    redis.resume();
    until_it_crosses(&a, &b, "after-a").await;
    until_it_crosses(&b, &a, "after-b").await;
}

#[tokio::test]
async fn a_refused_publish_is_said_once_and_keeps_the_connection() {
    if skip("a_refused_publish_is_said_once_and_keeps_the_connection") {
        return;
    }
    let log = Logged::capture();
    let redis = OwnRedis::start();
    let (url, key) = (redis.url(), unique_key("refused"));
    let a = Instance::start(&url, &key);
    let b = Instance::start(&url, &key);
    wait_for_subscribers(&url, &key, 2).await;

    acl(&url, "-publish").await;
    for n in 0..10 {
        a.create(&format!("refused-{n}"), Params::new())
            .await
            .unwrap();
    }
    a.received.wait_for("refused-9").await;
    let deadline = Instant::now() + Duration::from_secs(15);
    while !log.lines_with(&url).contains("refuses to publish") {
        assert!(Instant::now() < deadline, "{}", log.lines_with(&url));
        sleep(Duration::from_millis(20)).await;
    }
    acl(&url, "+publish").await;
    until_it_crosses(&a, &b, "accepted").await;

    let lines = log.lines_with(&url);
    assert_eq!(lines.matches("refuses to publish").count(), 1, "{lines}");
    assert!(!lines.contains("lost the connection"), "{lines}");
    assert!(
        !b.received
            .texts()
            .iter()
            .any(|text| text.starts_with("refused"))
    );
}

/// Changes what the default user may run (`+publish`, `-publish`).
async fn acl(redis_url: &str, rule: &str) {
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

/// Runs [`skip_probe`] in a child process of this test binary with only
/// `env` of the Redis variables set, and returns what it did.
fn probe(env: &[(&str, &str)]) -> std::process::Output {
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command
        .args(["skip_probe", "--exact", "--ignored", "--nocapture"])
        .env_remove(URL_VARIABLE)
        .env_remove(REQUIRE_VARIABLE);
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("the probe runs")
}

#[test]
#[ignore = "run by the skip test, in a child process with the environment it sets"]
fn skip_probe() {
    println!("skip returned {}", skip("skip_probe"));
}

#[test]
fn without_redis_a_test_is_skipped_with_a_message_unless_redis_is_required() {
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    for env in [&[][..], &[(URL_VARIABLE, "")], &[(REQUIRE_VARIABLE, "0")]] {
        let output = probe(env);
        assert!(output.status.success(), "{env:?}: {output:?}");
        assert!(
            text(&output.stdout).contains("skip returned true"),
            "{output:?}"
        );
        assert!(
            text(&output.stderr).contains(
                "skipped skip_probe: no Redis (set TEST_REDIS_URL, or run scripts/redis.sh run -- cargo test)"
            ),
            "{output:?}"
        );
    }
    let required = probe(&[(REQUIRE_VARIABLE, "1")]);
    assert!(!required.status.success(), "{required:?}");
    assert!(
        text(&required.stderr).contains("REQUIRE_REDIS is set but TEST_REDIS_URL is not"),
        "{required:?}"
    );
    let with_url = probe(&[
        (URL_VARIABLE, "redis://127.0.0.1:1"),
        (REQUIRE_VARIABLE, "1"),
    ]);
    assert!(
        text(&with_url.stdout).contains("skip returned false"),
        "{with_url:?}"
    );
}
