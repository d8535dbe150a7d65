//! The chat app on a PostgreSQL server of the test's own, which crashes
//! (`pg_ctl stop -m immediate`) while writers post messages, then comes
//! back on the same port. Every call is answered within the pool's
//! acquire timeout and a margin: `201`, or `503 Unavailable` in Feathers'
//! shape while the database is down, never a 500 and never a hang. Once
//! the server is back, the same app (not restarted) serves again, and
//! every write it acknowledged is there.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use auth_core::sql::sqlx::postgres::PgConnectOptions;
use examples::chat::{ACQUIRE_TIMEOUT, Storage};
use serde_json::Value;
use tests::logs::Logged;
use tests::postgres::OwnPostgres;
use tokio::task::spawn_blocking;
use tokio::time::{Instant, sleep, timeout};

use crate::harness::{Acked, Answer, SECRET, assert_all_kept, assert_unavailable, post_message};

const NAME: &str =
    "a_postgres_crash_is_a_bounded_503_and_the_same_app_serves_again_with_every_write";

/// Writers posting at once.
const WRITERS: usize = 4;

/// On top of the acquire timeout, for a loaded 2-core machine.
const MARGIN: Duration = Duration::from_secs(10);

/// What the writers share with the test.
#[derive(Default)]
struct Shared {
    /// Set before the server is crashed: a 503 before that fails.
    crashing: AtomicBool,
    /// Set when the writers must finish.
    stop: AtomicBool,
    /// `201`s so far, all writers.
    acked: AtomicUsize,
    /// `503`s so far, per writer.
    unavailable: [AtomicUsize; WRITERS],
    /// The longest a writer waited for an answer, in milliseconds.
    slowest: AtomicU64,
}

/// One writer: posts `w<writer>-<n>` until told to stop, every answer
/// bounded and checked; the messages acknowledged.
async fn writer(writer: usize, base: String, shared: Arc<Shared>, bound: Duration) -> Vec<Acked> {
    let client = reqwest::Client::new();
    let mut acked = Vec::new();
    for n in 0.. {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let text = format!("w{writer}-{n}");
        let sent = Instant::now();
        let answer = timeout(bound, post_message(&client, &base, &text))
            .await
            .unwrap_or_else(|_| panic!("POST {text:?} got no answer within {bound:?}"))
            .unwrap_or_else(|error| panic!("POST {text:?}: the app did not answer: {error}"));
        let waited = u64::try_from(sent.elapsed().as_millis()).unwrap_or(u64::MAX);
        shared.slowest.fetch_max(waited, Ordering::SeqCst);
        match answer {
            Answer::Created(message) => {
                acked.push(message);
                shared.acked.fetch_add(1, Ordering::SeqCst);
            }
            Answer::Unavailable => {
                assert!(
                    shared.crashing.load(Ordering::SeqCst),
                    "POST {text:?}: 503 while the database was up"
                );
                shared.unavailable[writer].fetch_add(1, Ordering::SeqCst);
            }
        }
    }
    acked
}

/// Waits (at most `within`) until `done` holds, failing with `what`.
async fn wait_until(within: Duration, what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + within;
    while !done() {
        assert!(Instant::now() < deadline, "{what} within {within:?}");
        sleep(Duration::from_millis(20)).await;
    }
}

/// `GET path` answers `503 Unavailable` within `bound`.
async fn read_is_unavailable(client: &reqwest::Client, url: &str, bound: Duration) {
    let response = timeout(bound, client.get(url).send())
        .await
        .unwrap_or_else(|_| panic!("GET {url} got no answer within {bound:?}"))
        .expect("the app answers");
    assert_eq!(response.status(), 503, "GET {url}");
    assert_unavailable(&response.json::<Value>().await.expect("a JSON error"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_crash_is_a_bounded_503_and_the_same_app_serves_again_with_every_write() {
    if tests::postgres::skip(NAME) {
        return;
    }
    let log = Logged::capture();
    let server = Arc::new(
        spawn_blocking(OwnPostgres::start)
            .await
            .expect("the test's own PostgreSQL starts"),
    );
    let options: PgConnectOptions = server.url().parse().expect("a PostgreSQL URL");
    let app = examples::chat::app_on(SECRET, &Storage::postgres(options))
        .await
        .expect("the chat app starts on the test's own PostgreSQL");
    let (address, serving) = crate::harness::serve(app).await;
    let base = format!("http://{address}");
    let bound = ACQUIRE_TIMEOUT + MARGIN;
    let shared = Arc::new(Shared::default());
    let writers: Vec<_> = (0..WRITERS)
        .map(|n| tokio::spawn(writer(n, base.clone(), shared.clone(), bound)))
        .collect();

    // Written to, then crashed while the writers go on.
    wait_until(Duration::from_secs(30), "20 messages acknowledged", || {
        shared.acked.load(Ordering::SeqCst) >= 20
    })
    .await;
    let acked_before = shared.acked.load(Ordering::SeqCst);
    shared.crashing.store(true, Ordering::SeqCst);
    let crashed = server.clone();
    spawn_blocking(move || crashed.crash())
        .await
        .expect("the server is stopped");

    // Down: every writer is answered 503, twice (so at least once after
    // waiting out the pool's acquire timeout), and reads are too.
    let client = reqwest::Client::new();
    read_is_unavailable(&client, &format!("{base}/messages/1"), bound).await;
    read_is_unavailable(&client, &format!("{base}/messages"), bound).await;
    wait_until(
        2 * bound + Duration::from_secs(10),
        "every writer answered 503 twice",
        || {
            shared
                .unavailable
                .iter()
                .all(|count| count.load(Ordering::SeqCst) >= 2)
        },
    )
    .await;

    // Back on the same port: the same app writes again, within a bound.
    let restarted = server.clone();
    spawn_blocking(move || restarted.restart())
        .await
        .expect("the server starts again");
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut after = Vec::new();
    for n in 0.. {
        let text = format!("after-restart-{n}");
        let answer = timeout(bound, post_message(&client, &base, &text))
            .await
            .unwrap_or_else(|_| panic!("POST {text:?} got no answer within {bound:?}"))
            .expect("the app answers");
        if let Answer::Created(message) = answer {
            after.push(message);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the app did not write again within 30 s of the database's return"
        );
        sleep(Duration::from_millis(100)).await;
    }

    shared.stop.store(true, Ordering::SeqCst);
    let mut acked = after;
    for writer in writers {
        let written = timeout(bound + Duration::from_secs(5), writer)
            .await
            .expect("a writer finishes")
            .expect("a writer's checks pass");
        acked.extend(written);
    }
    assert!(!serving.is_finished(), "the server stopped");
    // Each 503 is logged as the database's unavailability, never as
    // another database error (the 500s' line).
    let unavailable_lines = log.lines_with("database unavailable");
    assert!(!unavailable_lines.is_empty(), "the outage was not logged");
    assert!(
        log.lines_with("database error").is_empty(),
        "{}",
        log.lines_with("database error")
    );

    assert_all_kept(&client, &base, &acked).await;
    let unavailable: usize = shared
        .unavailable
        .iter()
        .map(|count| count.load(Ordering::SeqCst))
        .sum();
    eprintln!(
        "{NAME}: {} messages acknowledged ({acked_before} before the crash), all read back; \
         {unavailable} answered 503 ({} lines of the log say why); the slowest answer took {} ms \
         (bound {bound:?})",
        acked.len(),
        unavailable_lines.lines().count(),
        shared.slowest.load(Ordering::SeqCst)
    );
}
