//! One HTTP/1.1 connection kept open across requests: each request is
//! written as raw bytes and its answer read whole (by `Content-Length`)
//! before the next is sent, so a test can tell that the server kept the
//! connection usable after an answer (a refusal, a panic).

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, ToSocketAddrs};

use crate::http_cases::{Res, parse_response};

/// How long one answer may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(15);

/// A kept-alive connection to a server.
pub struct KeepAlive {
    stream: TcpStream,
    read: Vec<u8>,
}

impl KeepAlive {
    /// Connects to `address`; panics when it can not.
    pub async fn connect(address: impl ToSocketAddrs) -> KeepAlive {
        KeepAlive {
            stream: TcpStream::connect(address)
                .await
                .expect("the server accepts"),
            read: Vec::new(),
        }
    }

    /// Writes `request` (see [`request`]) and reads its answer; `Err` when
    /// the connection is closed before a whole answer, or none comes in
    /// [`WAIT`].
    pub async fn send(&mut self, request: &[u8]) -> Result<Res, String> {
        self.stream
            .write_all(request)
            .await
            .map_err(|error| format!("can not write: {error}"))?;
        match tokio::time::timeout(WAIT, self.answer()).await {
            Ok(answer) => answer,
            Err(_) => Err(format!("no answer in {WAIT:?}")),
        }
    }

    async fn answer(&mut self) -> Result<Res, String> {
        loop {
            if let Some(end) = complete(&self.read) {
                let answer: Vec<u8> = self.read.drain(..end).collect();
                return parse_response(&answer);
            }
            let mut chunk = [0u8; 8192];
            let read = self
                .stream
                .read(&mut chunk)
                .await
                .map_err(|error| format!("connection lost: {error}"))?;
            if read == 0 {
                return Err(format!(
                    "connection closed after {} bytes of an answer",
                    self.read.len()
                ));
            }
            self.read.extend_from_slice(&chunk[..read]);
        }
    }
}

/// The length of the first whole answer in `bytes` (head and
/// `Content-Length` body), if it has arrived.
fn complete(bytes: &[u8]) -> Option<usize> {
    let head = bytes.windows(4).position(|window| window == b"\r\n\r\n")? + 4;
    let length = String::from_utf8_lossy(&bytes[..head])
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    (bytes.len() >= head + length).then_some(head + length)
}

/// A request to send on a kept-alive connection: `method target HTTP/1.1`,
/// `Host`, the header lines as given, `Content-Length` when `body` is not
/// empty, and the body.
pub fn request(method: &str, target: &str, headers: &[&str], body: &[u8]) -> Vec<u8> {
    let mut bytes = format!("{method} {target} HTTP/1.1\r\nHost: localhost\r\n").into_bytes();
    for header in headers {
        bytes.extend_from_slice(header.as_bytes());
        bytes.extend_from_slice(b"\r\n");
    }
    if !body.is_empty() {
        bytes.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    bytes.extend_from_slice(b"\r\n");
    bytes.extend_from_slice(body);
    bytes
}
