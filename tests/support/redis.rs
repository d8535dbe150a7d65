//! Redis for the tests: the server's URL from `TEST_REDIS_URL`
//! (`scripts/redis.sh run -- cargo test` starts a throwaway one and sets
//! it), a clear skip when there is none, keys no other test shares, and a
//! redis-server of a test's own ([`OwnRedis`]) for the tests that stop it.
//!
//! Tests needing Redis begin with `if tests::redis::skip("name") { return; }`:
//! without a server they pass with a message, unless `REQUIRE_REDIS` is
//! set (CI), where a missing server is a failure.

use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The variable holding the server's URL.
pub const URL_VARIABLE: &str = "TEST_REDIS_URL";

/// The variable that, set (to anything but empty or `0`), makes a missing
/// server a failure rather than a skip.
pub const REQUIRE_VARIABLE: &str = "REQUIRE_REDIS";

static KEYS: AtomicUsize = AtomicUsize::new(0);

/// The URL of the Redis server for the tests: `TEST_REDIS_URL`, if set and
/// not empty.
pub fn url() -> Option<String> {
    std::env::var(URL_VARIABLE)
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// Whether `test` must be skipped for want of a server: true when there is
/// no [`url`], saying so on stderr. With `REQUIRE_REDIS` set it panics
/// instead, so CI never passes without having run the Redis tests.
pub fn skip(test: &str) -> bool {
    if url().is_some() {
        return false;
    }
    let required =
        std::env::var(REQUIRE_VARIABLE).is_ok_and(|value| !value.is_empty() && value != "0");
    assert!(
        !required,
        "{test}: {REQUIRE_VARIABLE} is set but {URL_VARIABLE} is not: no Redis server to test on \
         (CI starts one with scripts/redis.sh; locally, run scripts/redis.sh run -- cargo test)"
    );
    // One write straight to stderr, as in `postgres::skip`.
    let message = format!(
        "skipped {test}: no Redis (set {URL_VARIABLE}, or run scripts/redis.sh run -- cargo test)\n"
    );
    let _ = std::io::stderr().write_all(message.as_bytes());
    true
}

/// A pub/sub key no other test, in this process or another, uses.
pub fn unique_key(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    format!(
        "test-{test}-{}-{}-{nanos}",
        std::process::id(),
        KEYS.fetch_add(1, Ordering::Relaxed)
    )
}

/// A redis-server of one test's own, on a free port of 127.0.0.1, with
/// no persistence and its files in a scratch directory: stopping it hurts
/// no other test. Killed when dropped.
pub struct OwnRedis {
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl OwnRedis {
    /// Starts one (`redis-server` from PATH, where scripts/redis.sh
    /// installs it), waiting until it answers.
    pub fn start() -> OwnRedis {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let dir = crate::scratch_file(&format!("redis-{port}"));
        std::fs::create_dir_all(&dir).expect("a directory for redis-server");
        let mut redis = OwnRedis {
            port,
            dir,
            child: None,
        };
        redis.restart();
        redis
    }

    /// Its URL.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills it (as a crash would) and waits until it is gone.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Freezes it (SIGSTOP): its connections stay open and nothing is
    /// answered, as with a hung server or a network path that died
    /// silently.
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    /// Lets a paused server go on (SIGCONT).
    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let child = self.child.as_ref().expect("the server runs");
        let status = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill {signal} failed");
    }

    /// Starts it again on the same port, waiting until it answers.
    pub fn restart(&mut self) {
        self.stop();
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server runs (scripts/redis.sh installs it)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.answers() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not answer on port {} within 10 s",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether it answers PING.
    fn answers(&self) -> bool {
        use std::io::Read;
        let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
        let mut reply = [0u8; 7];
        stream.write_all(b"PING\r\n").is_ok()
            && stream.read_exact(&mut reply).is_ok()
            && &reply == b"+PONG\r\n"
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
