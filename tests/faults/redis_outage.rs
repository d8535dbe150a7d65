//! Two chat app instances (in this process, each served on a port of its
//! own) sharing an SQLite file and a Redis server of the test's own, a
//! Socket.IO client on each. While Redis is down, REST calls on both
//! instances and the events of an instance's own sockets keep working;
//! once it is back (on the same port), events cross between instances
//! again by themselves, and the log said so: a warning when the sync was
//! lost, an info line when it was back.

use std::net::SocketAddr;
use std::time::Duration;

use auth_core::redis_sync::RedisSync;
use examples::chat::Storage;
use serde_json::{Value, json};
use tests::logs::Logged;
use tests::redis::{OwnRedis, skip};
use tests::socketio::Client;
use tokio::task::spawn_blocking;
use tokio::time::{Instant, timeout};

use crate::harness::{Answer, SECRET, post_message};

const NAME: &str = "a_redis_outage_keeps_each_instance_serving_and_events_cross_again_after_it";

/// Any one call or event: a generous bound for a loaded machine.
const BOUND: Duration = Duration::from_secs(10);

/// How long events may take to cross again once Redis is back: the
/// syncs retry connecting every 5 s at most.
const RESUME: Duration = Duration::from_secs(30);

/// A Socket.IO client on one instance, and the texts of the `messages
/// created` events it received so far.
struct Socket {
    client: Client,
    texts: Vec<String>,
}

impl Socket {
    async fn connect(address: SocketAddr) -> Socket {
        let client = timeout(BOUND, Client::connect(address))
            .await
            .expect("the socket connects in time");
        Socket {
            client,
            texts: Vec::new(),
        }
    }

    /// Reads what arrives for `wait`, keeping the messages' texts.
    async fn read_for(&mut self, wait: Duration) {
        for (event, data) in self.client.events_within(wait).await {
            if event == "messages created" {
                self.texts
                    .push(data["text"].as_str().unwrap_or_default().to_owned());
            }
        }
    }

    /// Whether a message whose text starts with `prefix` arrived.
    fn saw(&self, prefix: &str) -> bool {
        self.texts.iter().any(|text| text.starts_with(prefix))
    }

    /// Reads until the message `text` arrived, at most [`BOUND`].
    async fn wait_for(&mut self, text: &str) {
        let deadline = Instant::now() + BOUND;
        while !self.texts.iter().any(|seen| seen == text) {
            assert!(
                Instant::now() < deadline,
                "{text:?} never arrived on the socket; got {:?}",
                self.texts
            );
            self.read_for(Duration::from_millis(50)).await;
        }
    }
}

/// One chat app on `database`, its events shared through `redis`, served
/// on a free port.
async fn instance(database: &Storage, redis: &str) -> SocketAddr {
    let app = examples::chat::app_on(SECRET, database)
        .await
        .expect("the chat app starts")
        .configure(RedisSync::new(redis));
    let (address, _serving) = crate::harness::serve(app).await;
    address
}

/// `POST /messages` on `base` is a `201` within [`BOUND`]; the record.
async fn created(client: &reqwest::Client, base: &str, text: &str) -> Value {
    match timeout(BOUND, post_message(client, base, text))
        .await
        .unwrap_or_else(|_| panic!("POST {text:?} got no answer within {BOUND:?}"))
        .expect("the app answers")
    {
        Answer::Created(message) => message.id,
        Answer::Unavailable => panic!("POST {text:?}: 503"),
    }
}

/// Posts `<prefix>-N` on `base` every 200 ms until `socket` (on another
/// instance) received one, at most [`RESUME`].
async fn until_it_crosses(client: &reqwest::Client, base: &str, socket: &mut Socket, prefix: &str) {
    let deadline = Instant::now() + RESUME;
    for n in 0.. {
        created(client, base, &format!("{prefix}-{n}")).await;
        socket.read_for(Duration::from_millis(200)).await;
        if socket.saw(prefix) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no {prefix} message crossed to the other instance within {RESUME:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_outage_keeps_each_instance_serving_and_events_cross_again_after_it() {
    if skip(NAME) {
        return;
    }
    let log = Logged::capture();
    let mut redis = spawn_blocking(OwnRedis::start)
        .await
        .expect("the test's own Redis starts");
    let url = redis.url();
    let database = Storage::sqlite_file(tests::scratch_file("redis-outage.db"));
    let a = instance(&database, &url).await;
    let b = instance(&database, &url).await;
    let (on_a, on_b) = (format!("http://{a}"), format!("http://{b}"));
    let mut socket_a = Socket::connect(a).await;
    let mut socket_b = Socket::connect(b).await;
    let client = reqwest::Client::new();

    // Both syncs connect in the background: events cross both ways.
    until_it_crosses(&client, &on_a, &mut socket_b, "before-a").await;
    until_it_crosses(&client, &on_b, &mut socket_a, "before-b").await;

    redis.stop();
    // Down: REST works on both instances (they share the database), and
    // an instance's own sockets get its events.
    for n in 0..5 {
        let text = format!("during-a-{n}");
        let id = created(&client, &on_a, &text).await;
        socket_a.wait_for(&text).await;
        let read: Value = timeout(BOUND, client.get(format!("{on_b}/messages/{id}")).send())
            .await
            .expect("B answers in time")
            .expect("B answers")
            .json()
            .await
            .expect("a record");
        assert_eq!(read["text"], text.as_str(), "{read}");
    }
    let answer = timeout(
        BOUND,
        socket_b.client.call(
            "create",
            &[json!("messages"), json!({ "text": "during-b-socket" })],
        ),
    )
    .await
    .expect("a socket call is answered in time")
    .expect("an acknowledgement");
    assert!(answer[0].is_null(), "{answer:?}");
    socket_b.wait_for("during-b-socket").await;

    // Back on the same port: events cross again, both ways.
    let redis = spawn_blocking(move || {
        redis.restart();
        redis
    })
    .await
    .expect("the test's own Redis starts again");
    let back = Instant::now();
    until_it_crosses(&client, &on_a, &mut socket_b, "after-a").await;
    until_it_crosses(&client, &on_b, &mut socket_a, "after-b").await;
    eprintln!(
        "{NAME}: events crossed both ways again {} ms after Redis was back",
        back.elapsed().as_millis()
    );
    // The outage's events were dropped, not sent late.
    assert!(!socket_b.saw("during-a"), "{:?}", socket_b.texts);
    assert!(!socket_a.saw("during-b"), "{:?}", socket_a.texts);

    // The log: a warning per lost connection, then an info line once back.
    let lines = log.lines_with(&redis.url());
    for role in ["publishing", "subscribed"] {
        let lost = format!("redis sync: lost the connection to {url} ({role})");
        let back = format!("redis sync: connected to {url} ({role}");
        let lost_at = lines
            .lines()
            .position(|line| line.contains(&lost))
            .unwrap_or_else(|| panic!("no {lost:?} in:\n{lines}"));
        assert!(
            lines
                .lines()
                .nth(lost_at)
                .is_some_and(|line| line.contains(" WARN ")),
            "{lines}"
        );
        assert!(
            lines
                .lines()
                .skip(lost_at)
                .any(|line| line.contains(&back) && line.contains(" INFO ")),
            "no {back:?} after the outage in:\n{lines}"
        );
    }
}
