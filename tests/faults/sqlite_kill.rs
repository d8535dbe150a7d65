//! The chat app as a process of its own on an SQLite file, stopped while
//! writers post messages: killed (SIGKILL: a crash, an out-of-memory
//! kill) or terminated (SIGTERM: a service manager stopping it), then
//! started again on the same file. Every write it acknowledged (`201`)
//! is there, and the file is whole.
//!
//! What holds, with the chat app's WAL journal and `synchronous =
//! NORMAL` (`examples/src/chat/storage.rs`): a commit is in the WAL file
//! (written, not yet synced to the disk) before the `201` is sent, so a
//! killed process loses nothing it acknowledged: the kernel keeps the
//! written pages. A power cut or a kernel crash may lose the last commits
//! (never corrupting the file), which `synchronous = FULL` would keep at
//! the cost of a sync per commit; no test here can cut the power.
//!
//! The process is this test binary run again ([`chat_process`], an
//! ignored test that serves the chat app when `FAULTS_CHAT_DATABASE_URL`
//! is set), serving it as `examples/chat.rs` does: the storage from the
//! database URL (`Storage::from_url`), `app_with`, the page's router, and
//! `serve_router_with` stopping on SIGTERM (`rest::shutdown_signal`). The
//! example binary itself is not run: `cargo test -p tests` does not build
//! it, so the test could not tell whether it is there and up to date.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use auth_core::sql::sqlx;
use auth_core::sql::sqlx::Connection;
use auth_core::sql::sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use examples::chat::{LoginLimits, Storage, web};
use serde_json::Value;
use tokio::task::spawn_blocking;
use tokio::time::{Instant, sleep, timeout};

use crate::harness::{Acked, Answer, SECRET, assert_all_kept, post_message};

/// The variable naming the database the chat process serves.
const DATABASE_VARIABLE: &str = "FAULTS_CHAT_DATABASE_URL";

/// What the chat process prints, followed by its address, once it serves.
const LISTENING: &str = "faults: the chat app listens on ";

/// Writers posting at once.
const WRITERS: usize = 8;

/// Messages acknowledged before the process is stopped.
const BEFORE_SIGNAL: usize = 200;

/// Any one step: a generous bound for a loaded machine.
const STEP: Duration = Duration::from_secs(30);

#[test]
#[ignore = "the chat process of the kill tests, which run it with FAULTS_CHAT_DATABASE_URL set"]
fn chat_process() {
    let Ok(url) = std::env::var(DATABASE_VARIABLE) else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let storage = Storage::from_url(Some(&url)).expect("a database URL");
        let app = examples::chat::app_with(SECRET, &storage, LoginLimits::default())
            .await
            .expect("the chat app starts");
        let options = web::rest_options();
        let router = web::router_with(app, web::dir_from_env(), options.clone())
            .expect("the chat app's router");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let address = listener.local_addr().expect("the listener's address");
        // A whole line, flushed at once (stdout is line-buffered).
        println!("{LISTENING}{address}");
        auth_core::rest::serve_router_with(
            router,
            listener,
            &options,
            auth_core::rest::shutdown_signal(),
        )
        .await
        .expect("the chat app serves");
    });
}

/// The chat app in a process of its own (this test binary, running
/// [`chat_process`]). Killed when dropped.
struct ChatProcess {
    child: Child,
    base: String,
}

impl ChatProcess {
    /// Starts it on the database `url`, waiting (at most [`STEP`]) until it
    /// serves.
    fn start(url: &str) -> ChatProcess {
        let mut child = Command::new(std::env::current_exe().expect("this test binary"))
            .args([
                "sqlite_kill::chat_process",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(DATABASE_VARIABLE, url)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the chat process starts");
        let stdout = child.stdout.take().expect("its stdout");
        let (address, listening) = std::sync::mpsc::channel();
        // Reads its stdout to the end, so that it never blocks on a full
        // pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                // After libtest's `test <name> ... `, on the same line.
                if let Some((_, rest)) = line.split_once(LISTENING) {
                    let _ = address.send(rest.trim().to_owned());
                }
            }
        });
        match listening.recv_timeout(STEP) {
            Ok(address) => ChatProcess {
                child,
                base: format!("http://{address}"),
            },
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the chat process did not serve within {STEP:?}");
            }
        }
    }

    /// SIGKILL, as a crash: nothing of the process runs after it.
    fn kill(&mut self) {
        self.child.kill().expect("the chat process is killed");
        self.child.wait().expect("the chat process is gone");
    }

    /// SIGTERM, then waits (at most [`STEP`]) for it to exit.
    async fn terminate(&mut self) -> ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -TERM failed");
        let deadline = Instant::now() + STEP;
        loop {
            if let Some(status) = self.child.try_wait().expect("the process's status") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the chat process did not exit within {STEP:?} of SIGTERM"
            );
            sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for ChatProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How a writer's last request failed when the process went away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// No connection: the process no longer listened.
    Refused,
    /// Sent, and the connection closed without an answer.
    Cut,
}

/// One writer: posts `<writer>-<n>` until the process stops answering;
/// the messages acknowledged, and how the last request failed.
async fn writer(writer: usize, base: String, acked: Arc<AtomicUsize>) -> (Vec<Acked>, Failure) {
    let client = reqwest::Client::new();
    let mut written = Vec::new();
    for n in 0.. {
        let text = format!("{writer}-{n}");
        match timeout(STEP, post_message(&client, &base, &text)).await {
            Err(_) => panic!("POST {text:?} got no answer within {STEP:?}"),
            Ok(Ok(Answer::Created(message))) => {
                written.push(message);
                acked.fetch_add(1, Ordering::SeqCst);
            }
            Ok(Ok(Answer::Unavailable)) => panic!("POST {text:?}: 503 from SQLite"),
            Ok(Err(error)) if error.is_connect() => return (written, Failure::Refused),
            Ok(Err(_)) => return (written, Failure::Cut),
        }
    }
    unreachable!("a writer ends when the process is gone")
}

/// How the process is stopped.
#[derive(Debug, Clone, Copy)]
enum Stop {
    Kill,
    Terminate,
}

/// `PRAGMA name` on the database file, read on a connection of its own.
async fn pragma(file: &std::path::Path, name: &str) -> String {
    let mut connection =
        SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(file))
            .await
            .expect("the database opens");
    let (value,): (String,) = sqlx::query_as(&format!("PRAGMA {name}"))
        .fetch_one(&mut connection)
        .await
        .expect("the pragma runs");
    let _ = connection.close().await;
    value
}

/// Writes on the chat process, stops it with `stop` while writes are in
/// flight, starts it again on the same file, and reads every
/// acknowledged message back.
async fn acknowledged_writes_survive(stop: Stop) {
    let file = tests::scratch_file("faults-chat.db");
    let url = format!("sqlite://{}", file.display());
    let started = url.clone();
    let mut first = spawn_blocking(move || ChatProcess::start(&started))
        .await
        .expect("the chat process starts");
    let acked = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..WRITERS)
        .map(|n| tokio::spawn(writer(n, first.base.clone(), acked.clone())))
        .collect();
    let deadline = Instant::now() + STEP;
    while acked.load(Ordering::SeqCst) < BEFORE_SIGNAL {
        assert!(
            Instant::now() < deadline,
            "{BEFORE_SIGNAL} messages not acknowledged within {STEP:?}"
        );
        sleep(Duration::from_millis(5)).await;
    }

    match stop {
        Stop::Kill => first.kill(),
        Stop::Terminate => {
            let status = first.terminate().await;
            assert!(
                status.success(),
                "after SIGTERM the process exited with {status}"
            );
        }
    }
    let mut written = Vec::new();
    let mut failures = Vec::new();
    for writer in writers {
        let (acked, failure) = timeout(STEP, writer)
            .await
            .expect("a writer ends once the process is gone")
            .expect("a writer's checks pass");
        written.extend(acked);
        failures.push(failure);
    }

    // The file is whole and still in WAL mode (the journal mode is kept in
    // the file; `synchronous` is a connection's, set at each start).
    assert_eq!(pragma(&file, "integrity_check").await, "ok");
    assert_eq!(pragma(&file, "journal_mode").await, "wal");

    let second = spawn_blocking(move || ChatProcess::start(&url))
        .await
        .expect("the chat process starts again");
    let client = reqwest::Client::new();
    assert_all_kept(&client, &second.base, &written).await;
    let page: Value = client
        .get(format!("{}/messages?$limit=0", second.base))
        .send()
        .await
        .expect("the app answers")
        .json()
        .await
        .expect("a page");
    let stored = page["total"].as_u64().expect("a total");
    let acknowledged = written.len() as u64;
    match stop {
        // Killed, it may have committed writes it never answered.
        Stop::Kill => assert!(
            stored >= acknowledged,
            "{stored} stored, {acknowledged} acknowledged"
        ),
        // Terminated, it finishes the requests it began (and answers them)
        // before it exits.
        Stop::Terminate => assert_eq!(stored, acknowledged, "stored and acknowledged"),
    }
    let cut = failures
        .iter()
        .filter(|&&failure| failure == Failure::Cut)
        .count();
    eprintln!(
        "{stop:?}: {acknowledged} messages acknowledged, all read back, {stored} stored; \
         of the {WRITERS} writers' last requests, {cut} were cut mid-request, the others refused"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_chat_process_keeps_every_acknowledged_write_in_its_sqlite_file() {
    acknowledged_writes_survive(Stop::Kill).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminated_chat_process_keeps_every_acknowledged_write_in_its_sqlite_file() {
    acknowledged_writes_survive(Stop::Terminate).await;
}
