//! A table-driven HTTP harness: an app served on a real socket, requests
//! sent with `reqwest` or as raw bytes on a `tokio::net::TcpStream`, and
//! [`Case`]s checked against the exact status and Feathers' error JSON.
//!
//! A case is one expression: `case(name, request, expect)`, optionally
//! `.message(..)`. [`run`] sends every case and collects every failure, so
//! one run shows all that is wrong. No request may hang (each has
//! [`CLIENT_TIMEOUT`]) nor go unanswered: a panicking handler drops its
//! connection, which shows as a request with no answer.

use std::time::{Duration, Instant};

use auth_core::App;
use auth_core::rest::RestOptions;
use reqwest::Method;
use serde_json::{Map, Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The longest a request may take before it counts as a hang.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(15);

// ---------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------

/// One row of a table: a request and what it must get.
pub struct Case {
    /// What the row is about, shown when it fails.
    pub name: String,
    /// The request.
    pub request: Request,
    /// What it must get.
    pub expect: Expect,
    /// The error's `message`, when the row pins it.
    pub message: Option<String>,
}

impl Case {
    /// Also requires the error's `message` to be exactly `message`.
    pub fn message(mut self, message: &str) -> Case {
        self.message = Some(message.to_owned());
        self
    }
}

/// A row of a table.
pub fn case(name: &str, request: impl Into<Request>, expect: Expect) -> Case {
    Case {
        name: name.to_owned(),
        request: request.into(),
        expect,
        message: None,
    }
}

/// What a case must get.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// Feathers' error JSON with this status and `name`, `code` equal to the
    /// status and the `className` `@feathersjs/errors` gives that name.
    Error(u16, &'static str),
    /// A JSON answer with this (success) status.
    Answer(u16),
    /// Refused below the app by the HTTP server: this status and no body,
    /// as Node's own HTTP server refuses such requests under Feathers.
    Refused(u16),
}

/// `400 BadRequest`.
pub const BAD_REQUEST: Expect = Expect::Error(400, "BadRequest");
/// `401 NotAuthenticated`.
pub const NOT_AUTHENTICATED: Expect = Expect::Error(401, "NotAuthenticated");
/// `404 NotFound`.
pub const NOT_FOUND: Expect = Expect::Error(404, "NotFound");
/// `405 MethodNotAllowed`.
pub const METHOD_NOT_ALLOWED: Expect = Expect::Error(405, "MethodNotAllowed");
/// `408 Timeout`.
pub const TIMEOUT: Expect = Expect::Error(408, "Timeout");
/// `413 PayloadTooLarge`.
pub const TOO_LARGE: Expect = Expect::Error(413, "PayloadTooLarge");
/// `415 UnsupportedMediaType`.
pub const UNSUPPORTED: Expect = Expect::Error(415, "UnsupportedMediaType");
/// A JSON `200`.
pub const OK: Expect = Expect::Answer(200);
/// A JSON `201`.
pub const CREATED: Expect = Expect::Answer(201);

/// `@feathersjs/errors`' status code, `name` and `className` of each
/// error, written out here rather than taken from `auth_core`, so that the
/// tests do not check the library against itself.
const FEATHERS_ERRORS: [(u16, &str, &str); 19] = [
    (400, "BadRequest", "bad-request"),
    (401, "NotAuthenticated", "not-authenticated"),
    (402, "PaymentError", "payment-error"),
    (403, "Forbidden", "forbidden"),
    (404, "NotFound", "not-found"),
    (405, "MethodNotAllowed", "method-not-allowed"),
    (406, "NotAcceptable", "not-acceptable"),
    (408, "Timeout", "timeout"),
    (409, "Conflict", "conflict"),
    (410, "Gone", "gone"),
    (411, "LengthRequired", "length-required"),
    (413, "PayloadTooLarge", "payload-too-large"),
    (415, "UnsupportedMediaType", "unsupported-media-type"),
    (422, "Unprocessable", "unprocessable"),
    (429, "TooManyRequests", "too-many-requests"),
    (500, "GeneralError", "general-error"),
    (501, "NotImplemented", "not-implemented"),
    (502, "BadGateway", "bad-gateway"),
    (503, "Unavailable", "unavailable"),
];

/// Feathers' `name` and `className` for an error status code.
pub fn feathers_error(code: u16) -> Option<(&'static str, &'static str)> {
    FEATHERS_ERRORS
        .iter()
        .find(|(known, _, _)| *known == code)
        .map(|&(_, name, class_name)| (name, class_name))
}

/// Feathers' `className` for an error `name`.
fn class_name(name: &str) -> Option<&'static str> {
    FEATHERS_ERRORS
        .iter()
        .find(|(_, known, _)| *known == name)
        .map(|&(_, _, class_name)| class_name)
}

/// The keys of an error object that Feathers' error JSON never has (it
/// has `name`, `message`, `code`, `className`, `data` and `errors`).
pub fn keys_feathers_does_not_send(error: &Map<String, Value>) -> Vec<&String> {
    const KEYS: [&str; 6] = ["name", "message", "code", "className", "data", "errors"];
    error
        .keys()
        .filter(|key| !KEYS.contains(&key.as_str()))
        .collect()
}

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

/// How a case's request travels.
pub enum Request {
    /// Sent with `reqwest`.
    Client(Req),
    /// Written as it is to a fresh TCP connection, for what a client refuses
    /// or normalises: bytes that are not UTF-8, `..` segments, request lines
    /// that are not HTTP, bodies the server refuses before reading them.
    Raw(Vec<u8>),
}

impl From<Req> for Request {
    fn from(req: Req) -> Request {
        Request::Client(req)
    }
}

/// An ordinary request, sent with `reqwest`.
pub struct Req {
    method: Method,
    path: String,
    headers: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
}

impl Req {
    /// `method path` (`path` with its query string), no headers, no body.
    pub fn new(method: Method, path: &str) -> Req {
        Req {
            method,
            path: path.to_owned(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// Adds a header; a name given twice is sent on two lines.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Req {
        self.headers.push((name, value.into()));
        self
    }

    /// Adds `Authorization: Bearer <token>`.
    pub fn bearer(self, token: &str) -> Req {
        self.header("authorization", format!("Bearer {token}"))
    }

    /// A body, with no `Content-Type`.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Req {
        self.body = Some(body.into());
        self
    }

    /// A body with `Content-Type: application/json`.
    pub fn json(self, body: impl Into<Vec<u8>>) -> Req {
        self.header("content-type", "application/json").body(body)
    }
}

/// `GET path`.
pub fn get(path: &str) -> Req {
    Req::new(Method::GET, path)
}

/// `POST path` with a JSON body.
pub fn post(path: &str, body: impl Into<Vec<u8>>) -> Req {
    Req::new(Method::POST, path).json(body)
}

/// `PUT path` with a JSON body.
pub fn put(path: &str, body: impl Into<Vec<u8>>) -> Req {
    Req::new(Method::PUT, path).json(body)
}

/// `PATCH path` with a JSON body.
pub fn patch(path: &str, body: impl Into<Vec<u8>>) -> Req {
    Req::new(Method::PATCH, path).json(body)
}

/// `DELETE path`.
pub fn delete(path: &str) -> Req {
    Req::new(Method::DELETE, path)
}

/// `Content-Type: application/json`, as a raw header line.
pub const JSON: &[u8] = b"Content-Type: application/json";

/// The head of a raw request: `method target HTTP/1.1`, `Host`,
/// `Connection: close`, the header lines as given, and the blank line.
pub fn raw_head(method: &str, target: &[u8], headers: &[&[u8]]) -> Vec<u8> {
    let mut bytes = format!("{method} ").into_bytes();
    bytes.extend_from_slice(target);
    bytes.extend_from_slice(b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for header in headers {
        bytes.extend_from_slice(header);
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(b"\r\n");
    bytes
}

/// A raw request ([`raw_head`]) with `body` and, when it is not empty, its
/// `Content-Length`.
pub fn raw_request(method: &str, target: &[u8], headers: &[&[u8]], body: &[u8]) -> Request {
    let length = format!("Content-Length: {}", body.len());
    let mut headers = headers.to_vec();
    if !body.is_empty() {
        headers.push(length.as_bytes());
    }
    let mut bytes = raw_head(method, target, &headers);
    bytes.extend_from_slice(body);
    Request::Raw(bytes)
}

/// A raw `GET` of `target` with these header lines.
pub fn raw_get(target: &[u8], headers: &[&[u8]]) -> Request {
    raw_request("GET", target, headers, b"")
}

/// A raw request with a JSON body. For bodies the server refuses before
/// reading them all: a client like `reqwest` may lose the answer to the
/// connection reset that follows, while the raw client reads what arrived
/// before it.
pub fn raw_json(method: &str, target: &[u8], body: &[u8]) -> Request {
    raw_request(method, target, &[JSON], body)
}

/// A raw JSON `POST` of `body` in the chunked encoding (64 KiB chunks),
/// with no `Content-Length`.
pub fn raw_chunked(target: &[u8], body: &[u8]) -> Request {
    let mut bytes = raw_head("POST", target, &[JSON, b"Transfer-Encoding: chunked"]);
    for chunk in body.chunks(64 * 1024) {
        bytes.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        bytes.extend_from_slice(chunk);
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(b"0\r\n\r\n");
    Request::Raw(bytes)
}

/// `{"text":"aaa.."}` of exactly `size` bytes (at least 11).
pub fn message_of(size: usize) -> Vec<u8> {
    let overhead = r#"{"text":""}"#.len();
    format!(r#"{{"text":"{}"}}"#, "a".repeat(size - overhead)).into_bytes()
}

// ---------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------

/// A response, read whole.
#[derive(Debug)]
pub struct Res {
    /// The status code.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

impl Res {
    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The start of the body, to show in a failure.
    pub fn shown(&self) -> String {
        shorten(&self.text())
    }

    /// Whether the `Content-Type` is JSON.
    pub fn is_json(&self) -> bool {
        self.content_type
            .as_deref()
            .is_some_and(|value| value.starts_with("application/json"))
    }

    /// The body as JSON; panics when it is not.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {:?}", self.shown()))
    }
}

/// An app served on an ephemeral port, and a client for it.
pub struct Server {
    address: String,
    client: reqwest::Client,
}

impl Server {
    /// Serves `app` with `options` on `127.0.0.1`, port 0, until the test's
    /// runtime ends.
    pub async fn start(app: App, options: RestOptions) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        tokio::spawn(app.serve_with(listener, options, std::future::pending()));
        Server {
            address,
            client: reqwest::Client::builder()
                .timeout(CLIENT_TIMEOUT)
                .build()
                .unwrap(),
        }
    }

    /// The server's address, `127.0.0.1:PORT`.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// Sends a request; `Err` when there is no answer (a refused or dropped
    /// connection, a panic in the server, or no answer in time).
    pub async fn send(&self, request: &Request) -> Result<Res, String> {
        match request {
            Request::Client(req) => self.send_client(req).await,
            Request::Raw(bytes) => {
                match tokio::time::timeout(CLIENT_TIMEOUT, self.send_raw(bytes)).await {
                    Ok(res) => res,
                    Err(_) => Err(format!("no answer in {CLIENT_TIMEOUT:?}")),
                }
            }
        }
    }

    async fn send_client(&self, req: &Req) -> Result<Res, String> {
        let url = format!("http://{}{}", self.address, req.path);
        let mut builder = self.client.request(req.method.clone(), url);
        for (name, value) in &req.headers {
            builder = builder.header(*name, value);
        }
        if let Some(body) = &req.body {
            builder = builder.body(body.clone());
        }
        let response = builder
            .send()
            .await
            .map_err(|error| shorten(&format!("{error:?}")))?;
        read_response(response).await
    }

    async fn send_raw(&self, bytes: &[u8]) -> Result<Res, String> {
        let mut stream = tokio::net::TcpStream::connect(&self.address)
            .await
            .map_err(|error| format!("can not connect: {error}"))?;
        // The server may answer (413, 400) and close before reading it all:
        // the write then fails, and the answer is still there to read.
        let _ = stream.write_all(bytes).await;
        let mut answer = Vec::new();
        // A reset after the answer leaves what was read in `answer`.
        let _ = stream.read_to_end(&mut answer).await;
        parse_response(&answer)
    }

    /// A `GET`, with a Bearer token when given; panics when there is no
    /// answer.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Res {
        let mut req = get(path);
        if let Some(token) = token {
            req = req.bearer(token);
        }
        self.send_client(&req).await.unwrap()
    }

    /// A JSON `POST`; panics when there is no answer.
    pub async fn post(&self, path: &str, body: Value) -> Res {
        self.send_client(&post(path, body.to_string()))
            .await
            .unwrap()
    }

    /// Signs up at `/users` and logs in with the `local` strategy (as the
    /// chat app allows); the user's id (as JSON text) and access token.
    pub async fn user(&self, email: &str, password: &str) -> (String, String) {
        let res = self
            .post("/users", json!({ "email": email, "password": password }))
            .await;
        assert_eq!(res.status, 201, "{}", res.shown());
        let id = res.json()["id"].to_string();
        let res = self
            .post(
                "/authentication",
                json!({ "strategy": "local", "email": email, "password": password }),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.shown());
        let token = res.json()["accessToken"].as_str().unwrap().to_owned();
        (id, token)
    }
}

/// A client's response, read whole.
pub async fn read_response(response: reqwest::Response) -> Result<Res, String> {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body = response
        .bytes()
        .await
        .map_err(|error| format!("the body can not be read: {error:?}"))?;
    Ok(Res {
        status,
        content_type,
        body: body.to_vec(),
    })
}

/// `text`, cut to 300 characters.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(300) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_owned(),
    }
}

/// Reads an HTTP/1.1 response written on a connection that then closed.
pub fn parse_response(bytes: &[u8]) -> Result<Res, String> {
    let split = bytes
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .ok_or_else(|| {
            format!(
                "no HTTP answer (connection closed): {:?}",
                shorten(&String::from_utf8_lossy(bytes))
            )
        })?;
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("no status line: {head:?}"))?;
    let mut content_type = None;
    let mut length = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-type") {
            content_type = Some(value.to_owned());
        } else if name.eq_ignore_ascii_case("content-length") {
            length = value.parse::<usize>().ok();
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(format!("unexpected transfer-encoding {value}"));
        }
    }
    let mut body = bytes[split + 4..].to_vec();
    if let Some(length) = length {
        body.truncate(length);
    }
    Ok(Res {
        status,
        content_type,
        body,
    })
}

// ---------------------------------------------------------------------------
// Checking
// ---------------------------------------------------------------------------

/// What is wrong with `res` as the answer `expect`s (and with the error's
/// `message`, when given), if anything.
pub fn problem(expect: Expect, message: Option<&str>, res: &Res) -> Option<String> {
    let (status, name) = match expect {
        Expect::Error(status, name) => (status, Some(name)),
        Expect::Answer(status) => (status, None),
        Expect::Refused(status) => {
            if res.status != status {
                return Some(format!("status {} instead of {status}", res.status));
            }
            if !res.body.is_empty() {
                return Some(format!("a body from below the app: {:?}", res.shown()));
            }
            return None;
        }
    };
    if res.status != status {
        return Some(format!(
            "status {} instead of {status}: {}",
            res.status,
            res.shown()
        ));
    }
    if !res
        .content_type
        .as_deref()
        .is_some_and(|value| value.starts_with("application/json"))
    {
        return Some(format!("content type {:?}", res.content_type));
    }
    let Ok(body) = serde_json::from_slice::<Value>(&res.body) else {
        return Some(format!("not JSON: {:?}", res.shown()));
    };
    let name = name?;
    let Value::Object(error) = &body else {
        return Some(format!(
            "not an error object: {}",
            shorten(&body.to_string())
        ));
    };
    let expected_class = class_name(name).expect("a name the tables use");
    let mut problems = Vec::new();
    if error.get("name") != Some(&json!(name)) {
        problems.push(format!("name {:?} instead of {name}", error.get("name")));
    }
    if error.get("code") != Some(&json!(status)) {
        problems.push(format!("code {:?} instead of {status}", error.get("code")));
    }
    if error.get("className") != Some(&json!(expected_class)) {
        problems.push(format!(
            "className {:?} instead of {expected_class}",
            error.get("className")
        ));
    }
    match error.get("message").and_then(Value::as_str) {
        None | Some("") => problems.push("no message".to_owned()),
        Some(actual) => {
            if let Some(expected) = message.filter(|expected| *expected != actual) {
                problems.push(format!("message {actual:?} instead of {expected:?}"));
            }
        }
    }
    let extra = keys_feathers_does_not_send(error);
    if !extra.is_empty() {
        problems.push(format!("fields Feathers does not send: {extra:?}"));
    }
    if problems.is_empty() {
        None
    } else {
        Some(format!(
            "{}: {}",
            problems.join(", "),
            shorten(&body.to_string())
        ))
    }
}

/// Sends every case, one after the other, to `server`; the failures, one
/// line each, named after their case. A 5xx fails whatever was expected.
pub async fn run(server: &Server, cases: &[Case]) -> Vec<String> {
    let mut failures = Vec::new();
    for case in cases {
        let started = Instant::now();
        let failure = match server.send(&case.request).await {
            Err(error) => Some(format!(
                "no answer after {:?} (panic, hang or dropped connection): {error}",
                started.elapsed()
            )),
            Ok(res) if res.status >= 500 => {
                Some(format!("a server error {}: {}", res.status, res.shown()))
            }
            Ok(res) => problem(case.expect, case.message.as_deref(), &res),
        };
        if let Some(failure) = failure {
            failures.push(format!("{}: {failure}", case.name));
        }
    }
    failures
}

/// Runs `cases` on `server` and fails with every failure at once.
pub async fn assert_cases(server: &Server, cases: &[Case]) {
    let failures = run(server, cases).await;
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
