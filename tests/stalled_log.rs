//! A log whose reader has stalled blocks no request and does not grow:
//! the chat app served on a real socket with `config::logging`'s writer
//! (as `examples/chat.rs` sets it up), logging into a writer that blocks
//! as stdout does when nobody reads its pipe, answers 5,000 requests,
//! and the lines it could not write are dropped and counted, then
//! reported once the writer goes on.
//!
//! With the logs written where the request is answered (a plain
//! `tracing_subscriber::fmt().with_writer(..)`), the first request would
//! wait for the stalled writer, and so would every later one.

use std::io::Write;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use auth_core::config::logging::Logging;
use examples::chat::Storage;

const SECRET: &str = "stalled-log-test-secret-0123456789abcdef";
const REQUESTS: usize = 5_000;
const CLIENTS: usize = 8;
const QUEUE: usize = 256;

/// Blocks every write while `stalled` holds; then keeps what it gets.
#[derive(Clone, Default)]
struct Stdout {
    stalled: Arc<(Mutex<bool>, Condvar)>,
    written: Arc<Mutex<Vec<u8>>>,
}

impl Stdout {
    fn stall(&self) {
        *self.stalled.0.lock().unwrap() = true;
    }

    fn go_on(&self) {
        *self.stalled.0.lock().unwrap() = false;
        self.stalled.1.notify_all();
    }

    fn written(&self) -> String {
        String::from_utf8_lossy(&self.written.lock().unwrap()).into_owned()
    }
}

impl Write for Stdout {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let (flag, wake) = &*self.stalled;
        drop(
            wake.wait_while(flag.lock().unwrap(), |stalled| *stalled)
                .unwrap(),
        );
        self.written.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.write(&[]).map(|_| ())
    }
}

/// Runs `run` on a runtime of its own, on a thread of its own.
fn on_runtime<T: Send + 'static>(
    run: impl std::future::Future<Output = T> + Send + 'static,
) -> std::sync::mpsc::Receiver<T> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let _ = sender.send(runtime.block_on(run));
    });
    receiver
}

#[test]
fn a_stalled_log_blocks_no_request_and_drops_what_it_cannot_write() {
    let stdout = Stdout::default();
    stdout.stall();
    let guard = Logging::new()
        .buffered_lines(QUEUE)
        .report_every(Duration::from_millis(200))
        .install_writer(stdout.clone(), false)
        .unwrap();

    // The server on a runtime of its own: were its threads to wait for the
    // log, the clients' bound below would still run out.
    let (address, started) = std::sync::mpsc::channel();
    let _server = on_runtime(async move {
        let app = examples::chat::app_on(SECRET, &Storage::Memory)
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let _ = address.send(format!("http://{}", listener.local_addr().unwrap()));
        // Served until the test's process ends.
        app.serve(listener, std::future::pending()).await
    });
    let base = started.recv_timeout(Duration::from_secs(60)).unwrap();

    // 5,000 reads on 8 keep-alive clients, all answered within a bound
    // far above what they take (seconds in a debug build).
    let answered = on_runtime(async move {
        let client = reqwest::Client::new();
        let created = client
            .post(format!("{base}/messages"))
            .json(&serde_json::json!({ "text": "hello" }))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
        let reads: Vec<_> = (0..CLIENTS)
            .map(|_| {
                let client = client.clone();
                let url = format!("{base}/messages/1");
                tokio::spawn(async move {
                    for _ in 0..REQUESTS / CLIENTS {
                        let status = client.get(&url).send().await.unwrap().status();
                        assert_eq!(status, 200);
                    }
                })
            })
            .collect();
        for read in reads {
            read.await.unwrap();
        }
    });
    if answered.recv_timeout(Duration::from_secs(120)).is_err() {
        stdout.go_on();
        panic!("the requests waited for the stalled log (or failed)");
    }

    // Bounded: what waits is at most the queue, the writer thread's
    // 64 KiB buffer (fewer than 1,000 access-log lines of more than 70
    // bytes) and the line being written; every other line was dropped.
    let dropped = guard.dropped_lines();
    assert!(
        dropped >= REQUESTS - QUEUE - 1_000,
        "only {dropped} of {REQUESTS} lines dropped"
    );

    // Once the reader goes on, what was kept is written and the drops
    // are reported.
    stdout.go_on();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !stdout.written().contains("log lines dropped") {
        assert!(
            std::time::Instant::now() < deadline,
            "no report of the dropped lines in:\n{}",
            stdout.written()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let written = stdout.written();
    assert!(written.contains("status=200"), "{written}");
    drop(guard);
}
