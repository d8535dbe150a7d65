//! The connection bounds of the REST transport over real sockets (issue
//! 15, points 1 and 2): a client that stalls in its request head, or idles
//! on a kept-alive connection, is dropped once `header_read_timeout` has
//! passed; thousands of stalled clients never keep a normal request
//! waiting; past `max_connections` a new connection waits until one
//! closes, and the ones being served go on; a body the app refuses (`413`)
//! is drained, so that a client writing all of it reads the answer rather
//! than a reset connection, and the connection is kept alive. Bounds are configured in code and in the
//! `[rest]` section of the configuration.

use std::time::{Duration, Instant};

use auth_core::memory::MemoryService;
use auth_core::prelude::*;
use auth_core::rest::RestOptions;
use examples::chat::web;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Far more than any bound under test: a connection still open after it
/// was never going to be closed.
const GENEROUS: Duration = Duration::from_secs(10);

/// A request head cut short: no blank line, ever.
const HALF_HEAD: &[u8] = b"GET /messages HTTP/1.1\r\nHost: localhost\r\nAccept: applic";

const GET: &[u8] = b"GET /messages HTTP/1.1\r\nHost: localhost\r\n\r\n";

fn notes_app() -> App {
    App::new().register("messages", MemoryService::<Value>::new())
}

/// Serves `app` with `options` on an ephemeral port; its address.
async fn serve(app: App, options: RestOptions) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    tokio::spawn(app.serve_with(listener, options, std::future::pending()));
    address
}

fn with_head_timeout(timeout: Duration) -> RestOptions {
    RestOptions {
        header_read_timeout: Some(timeout),
        ..RestOptions::default()
    }
}

/// How long until the server closes `stream` (reads nothing more, or a
/// reset), at most `limit`; `None` when it is still open then.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut buffer = [0u8; 4096];
    let closing = async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(limit, closing)
        .await
        .ok()
        .map(|()| start.elapsed())
}

/// One response read off a kept-alive connection: its status and body
/// (the body by its `Content-Length`).
async fn read_response(stream: &mut TcpStream) -> std::io::Result<(u16, Vec<u8>)> {
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = bytes.windows(4).position(|window| window == b"\r\n\r\n") {
            break at + 4;
        }
        let read = stream.read(&mut buffer).await?;
        if read == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        bytes.extend_from_slice(&buffer[..read]);
    };
    let head = String::from_utf8_lossy(&bytes[..head_end]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = bytes[head_end..].to_vec();
    while body.len() < length {
        let read = stream.read(&mut buffer).await?;
        if read == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        body.extend_from_slice(&buffer[..read]);
    }
    body.truncate(length);
    Ok((status, body))
}

/// Sends a `GET /messages` on `stream` and reads its answer, within
/// `limit`.
async fn get_on(stream: &mut TcpStream, limit: Duration) -> Result<u16, String> {
    let exchange = async {
        stream.write_all(GET).await?;
        read_response(stream).await
    };
    match tokio::time::timeout(limit, exchange).await {
        Ok(Ok((status, _))) => Ok(status),
        Ok(Err(error)) => Err(format!("no answer: {error}")),
        Err(_) => Err(format!("no answer within {limit:?}")),
    }
}

/// The soft limit on open files of this process, from `/proc` (Linux).
fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// A client that sends half a request head, or nothing at all, is closed
/// once the header-read timeout has passed: here 1 s, set in the `[rest]`
/// section of the configuration that `App::serve` reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_head_is_closed_within_the_bound() {
    let dir = std::env::temp_dir().join(format!("http-bounds-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("default.toml"),
        "[rest]\nheader_read_timeout = 1\n",
    )
    .unwrap();
    let app = notes_app().configure(Configuration::new().dir(&dir).env_vars([("X", "1")]));
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        app.rest_options().unwrap().header_read_timeout,
        Some(Duration::from_secs(1))
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(app.serve(listener, std::future::pending()));

    let mut half = TcpStream::connect(address).await.unwrap();
    half.write_all(HALF_HEAD).await.unwrap();
    let mut silent = TcpStream::connect(address).await.unwrap();
    let closed = closed_within(&mut half, GENEROUS).await;
    assert!(
        closed.is_some(),
        "half a head still open after {GENEROUS:?}"
    );
    assert!(
        closed_within(&mut silent, GENEROUS).await.is_some(),
        "a silent connection still open after {GENEROUS:?}"
    );
    // A complete request on a fresh connection is still answered.
    let mut fresh = TcpStream::connect(address).await.unwrap();
    assert_eq!(get_on(&mut fresh, GENEROUS).await, Ok(200));
}

/// 2,000 clients stalled in their request heads (fewer when the process
/// may not open that many sockets) do not keep a normal request from
/// being answered promptly, and are all closed once their bound passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_clients_do_not_keep_a_normal_request_waiting() {
    // Each stalled client is two sockets in this process (its end and the
    // server's), with room to spare for the rest of the test.
    let limit = open_files_limit().unwrap_or(1024);
    let mut count = 2000usize;
    if limit < 4096 {
        count = usize::try_from(limit.saturating_sub(256) / 2).unwrap_or(0);
        eprintln!("open files limited to {limit}: {count} stalled clients instead of 2000");
    }
    let bound = Duration::from_secs(3);
    let address = serve(notes_app(), with_head_timeout(bound)).await;

    let started = Instant::now();
    let stalled: Vec<_> = (0..count)
        .map(|_| {
            let address = address.clone();
            tokio::spawn(async move {
                let mut stream = TcpStream::connect(&address).await.ok()?;
                stream.write_all(HALF_HEAD).await.ok()?;
                Some(stream)
            })
        })
        .collect();
    let mut streams = Vec::with_capacity(count);
    for task in stalled {
        if let Some(stream) = task.await.unwrap() {
            streams.push(stream);
        }
    }
    let opened = streams.len();
    assert!(opened >= count * 9 / 10, "only {opened} of {count} opened");

    let asked = Instant::now();
    let answer = reqwest::Client::new()
        .get(format!("http://{address}/messages"))
        .timeout(GENEROUS)
        .send()
        .await
        .expect("a normal request answered while clients stall");
    let waited = asked.elapsed();
    assert_eq!(answer.status(), 200);
    assert!(
        waited < Duration::from_secs(5),
        "a normal request waited {waited:?} behind {opened} stalled clients"
    );

    // Every stalled client is dropped soon after its bound.
    let mut open = 0;
    for stream in &mut streams {
        let left = (bound + GENEROUS).saturating_sub(started.elapsed());
        if closed_within(stream, left).await.is_none() {
            open += 1;
        }
    }
    assert_eq!(
        open,
        0,
        "{open} of {opened} stalled clients still open {:?} after they connected",
        started.elapsed()
    );
}

/// A kept-alive connection left idle after its answer is closed once the
/// header-read timeout has passed (hyper's one timer for both), and one
/// in use is not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed_after_its_timeout() {
    let address = serve(notes_app(), with_head_timeout(Duration::from_secs(3))).await;
    let mut stream = TcpStream::connect(&address).await.unwrap();
    // Requests closer together than the bound keep it open.
    for _ in 0..3 {
        assert_eq!(get_on(&mut stream, GENEROUS).await, Ok(200));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        closed_within(&mut stream, GENEROUS).await.is_some(),
        "an idle kept-alive connection still open after {GENEROUS:?}"
    );
}

/// With `max_connections` 2, a third connection waits (it is not served
/// while two are open), the two open ones are still served meanwhile, and
/// the third is answered once one of them closes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_connection_cap_a_connection_waits_its_turn() {
    let options = RestOptions {
        max_connections: Some(2),
        ..RestOptions::default()
    };
    let address = serve(notes_app(), options).await;
    let mut first = TcpStream::connect(&address).await.unwrap();
    let mut second = TcpStream::connect(&address).await.unwrap();
    assert_eq!(get_on(&mut first, GENEROUS).await, Ok(200));
    assert_eq!(get_on(&mut second, GENEROUS).await, Ok(200));

    // The kernel completes the third connection; the server does not take
    // it up while two are open.
    let mut third = TcpStream::connect(&address).await.unwrap();
    third.write_all(GET).await.unwrap();
    let waiting =
        tokio::time::timeout(Duration::from_millis(1500), read_response(&mut third)).await;
    assert!(
        waiting.is_err(),
        "a third connection served past a cap of 2: {waiting:?}"
    );
    // The two being served are not starved.
    assert_eq!(get_on(&mut first, GENEROUS).await, Ok(200));

    drop(first);
    let served = tokio::time::timeout(GENEROUS, read_response(&mut third))
        .await
        .expect("the third connection served once one closed")
        .unwrap();
    assert_eq!(served.0, 200);
}

/// The chat app, as its binary serves it (`web::router` through
/// `rest::listen_router`'s defaults); its address.
async fn chat() -> String {
    let app = examples::chat::app("http-bounds-secret").unwrap();
    let router = web::router(app, web::DEFAULT_DIR).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    tokio::spawn(auth_core::rest::serve_router(
        router,
        listener,
        std::future::pending(),
    ));
    address
}

const TWO_MIB: usize = 2 * 1024 * 1024;

/// Writes `head` then a 2 MiB JSON body (in 64 KiB pieces, chunked or
/// not) on a fresh connection, every byte of it, then reads the answer.
async fn post_two_mib(address: &str, chunked: bool) -> Result<(u16, Value), String> {
    let mut stream = TcpStream::connect(address)
        .await
        .map_err(|error| format!("connect: {error}"))?;
    post_two_mib_on(&mut stream, chunked).await
}

/// [`post_two_mib`] on an open connection.
async fn post_two_mib_on(stream: &mut TcpStream, chunked: bool) -> Result<(u16, Value), String> {
    let body = format!(r#"{{"text":"{}"}}"#, "a".repeat(TWO_MIB - 11));
    let framing = if chunked {
        "Transfer-Encoding: chunked".to_owned()
    } else {
        format!("Content-Length: {}", body.len())
    };
    let head = format!(
        "POST /messages HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n{framing}\r\n\r\n"
    );
    stream
        .write_all(head.as_bytes())
        .await
        .map_err(|error| format!("writing the head: {error}"))?;
    for (index, piece) in body.as_bytes().chunks(64 * 1024).enumerate() {
        let written = if chunked {
            let mut framed = format!("{:x}\r\n", piece.len()).into_bytes();
            framed.extend_from_slice(piece);
            framed.extend_from_slice(b"\r\n");
            stream.write_all(&framed).await
        } else {
            stream.write_all(piece).await
        };
        written.map_err(|error| format!("writing piece {index} of the body: {error}"))?;
    }
    if chunked {
        stream
            .write_all(b"0\r\n\r\n")
            .await
            .map_err(|error| format!("ending the body: {error}"))?;
    }
    let (status, body) = read_response(stream)
        .await
        .map_err(|error| format!("reading the answer: {error}"))?;
    let json = serde_json::from_slice(&body)
        .map_err(|error| format!("not JSON ({error}): {}", String::from_utf8_lossy(&body)))?;
    Ok((status, json))
}

/// A client that writes a whole 2 MiB body (over the 1 MiB limit), with a
/// `Content-Length` (refused before it is read) or chunked (refused once
/// 1 MiB of it is read), and only then reads, gets every byte written and
/// the `413` in Feathers' JSON, 20 times out of 20.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_writing_a_large_body_reads_its_413() {
    let address = chat().await;
    for chunked in [false, true] {
        let mut failures = Vec::new();
        for attempt in 0..20 {
            match post_two_mib(&address, chunked).await {
                Ok((413, json)) => {
                    assert_eq!(json["code"], 413, "{json}");
                    assert_eq!(json["name"], "PayloadTooLarge", "{json}");
                }
                Ok((status, json)) => failures.push(format!("{attempt}: {status} {json}")),
                Err(error) => failures.push(format!("{attempt}: {error}")),
            }
        }
        assert!(
            failures.is_empty(),
            "chunked: {chunked}: {} of 20 without their 413: {failures:#?}",
            failures.len()
        );
        // Drained, the body leaves the connection usable for the next
        // request.
        let mut stream = TcpStream::connect(&address).await.unwrap();
        let (status, _) = post_two_mib_on(&mut stream, chunked).await.unwrap();
        assert_eq!(status, 413);
        assert_eq!(get_on(&mut stream, GENEROUS).await, Ok(200));
    }
}

/// A client that reads nothing of its answer, once the kernel's buffers
/// are full, is dropped after `write_timeout`: what it reads afterwards is
/// the answer cut short, then the end of the connection. (Without the
/// bound the server would wait, and the whole answer would come.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_reads_nothing_is_dropped_after_the_write_timeout() {
    const ANSWER: usize = 32 * 1024 * 1024;
    let app = notes_app();
    app.service::<MemoryService<Value>>("messages")
        .create(
            serde_json::json!({ "id": 1, "text": "x".repeat(ANSWER) }),
            Params::new(),
        )
        .await
        .unwrap();
    let options = RestOptions {
        write_timeout: Some(Duration::from_secs(1)),
        ..RestOptions::default()
    };
    let address = serve(app, options).await;
    let mut stream = TcpStream::connect(&address).await.unwrap();
    stream
        .write_all(b"GET /messages/1 HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    // Far longer than the bound, reading nothing.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let mut received = Vec::new();
    let ended = tokio::time::timeout(GENEROUS, stream.read_to_end(&mut received)).await;
    assert!(ended.is_ok(), "the connection is still open");
    assert!(
        received.starts_with(b"HTTP/1.1 200"),
        "the answer began: {:?}",
        String::from_utf8_lossy(&received[..received.len().min(64)])
    );
    assert!(
        received.len() < ANSWER,
        "the whole answer came ({} bytes): the server waited for the client",
        received.len()
    );
}

/// The bounds, as `RestOptions` documents them, and the `[rest]` section
/// of the configuration over them; a bad section is an error naming it.
#[test]
fn defaults_and_the_rest_section() {
    let defaults = RestOptions::default();
    assert_eq!(defaults.header_read_timeout, Some(Duration::from_secs(20)));
    assert_eq!(defaults.write_timeout, Some(Duration::from_secs(30)));
    assert!(defaults.keep_alive);
    assert_eq!(defaults.max_connections, Some(10_000));
    assert_eq!(defaults.drain_limit, 4 * 1024 * 1024);
    assert_eq!(defaults.drain_timeout, Duration::from_secs(5));
    assert_eq!(App::new().rest_options().unwrap(), defaults);

    let app = App::new().configure(Configuration::new().env_vars([
        ("APP_REST__MAX_CONNECTIONS", "100"),
        ("APP_REST__DRAIN_TIMEOUT", "0.5"),
        ("APP_REST__KEEP_ALIVE", "false"),
        ("APP_CONFIG_DIR", env!("CARGO_MANIFEST_DIR")),
    ]));
    let options = app.rest_options().unwrap();
    assert_eq!(options.max_connections, Some(100));
    assert_eq!(options.drain_timeout, Duration::from_millis(500));
    assert!(!options.keep_alive);
    assert_eq!(options.header_read_timeout, defaults.header_read_timeout);

    for (section, named) in [
        (
            serde_json::json!({ "header_read_timout": 5 }),
            "header_read_timout",
        ),
        (
            serde_json::json!({ "header_read_timeout": 0 }),
            "header_read_timeout",
        ),
        (serde_json::json!({ "write_timeout": -1 }), "write_timeout"),
        (
            serde_json::json!({ "max_connections": 0 }),
            "max_connections",
        ),
        (
            serde_json::json!({ "keep_alive": "sometimes" }),
            "sometimes",
        ),
    ] {
        let app = App::new();
        app.set("rest", &section);
        let error = app.rest_options().unwrap_err();
        assert!(error.message().contains(named), "{section}: {error}");
    }
}
