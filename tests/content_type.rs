//! Request bodies and their `Content-Type` over REST (CONTRACT.md, "Wire
//! protocol (REST)"): the bodies of `create`, `update`, `patch` and custom
//! methods are JSON (`application/json` or `application/*+json`, UTF-8);
//! any other type, and a body with none, is `415 UnsupportedMediaType` in
//! Feathers' error JSON and never reaches the service; an empty body with
//! no type is `{}`. The decisions are in `docs/design.md` (E1 to E7).

use auth_core::rest::RestOptions;
use reqwest::Method;
use serde_json::{Value, json};
use tests::http_cases::*;
use tests::keep_alive::{KeepAlive, request};
use tests::{Log, recorded_app};

/// The recording app (`things`, custom method `shout`) on a real socket.
async fn things(log: &Log) -> Server {
    Server::start(recorded_app(log), RestOptions::default()).await
}

/// A request with a body of this `Content-Type` (none when `None`).
fn typed(method: Method, path: &str, content_type: Option<&str>, body: &str) -> Req {
    let req = Req::new(method, path).body(body);
    match content_type {
        Some(value) => req.header("content-type", value.to_owned()),
        None => req,
    }
}

/// A method that reads a body: its name, HTTP method, path and extra
/// header.
type Write = (
    &'static str,
    Method,
    &'static str,
    Option<(&'static str, &'static str)>,
);

/// Each method that reads a body: `create`, `update`, `patch` and the
/// custom method.
fn writes() -> [Write; 4] {
    [
        ("create", Method::POST, "/things", None),
        ("update", Method::PUT, "/things/1", None),
        ("patch", Method::PATCH, "/things/1", None),
        (
            "custom",
            Method::POST,
            "/things",
            Some(("x-service-method", "shout")),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_in_every_spelling_reaches_the_service() {
    let log = Log::new();
    let server = things(&log).await;
    let mut cases = Vec::new();
    for content_type in [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON;Charset=\"UTF-8\"",
        "application/json; charset=utf8",
        "application/merge-patch+json",
        "application/vnd.api+json; charset=utf-8",
    ] {
        for (name, method, path, header) in writes() {
            let mut req = typed(method, path, Some(content_type), r#"{"text":"hi"}"#);
            if let Some((header, value)) = header {
                req = req.header(header, value);
            }
            let expect = if name == "create" { CREATED } else { OK };
            cases.push(case(&format!("{name} as {content_type}"), req, expect));
        }
    }
    let count = cases.len();
    assert_cases(&server, &cases).await;
    assert_eq!(log.take().len(), count, "every call reached the service");
    // The body arrives as sent.
    let res = server
        .send(
            &typed(
                Method::POST,
                "/things",
                Some("application/merge-patch+json"),
                r#"{"a":[1,2]}"#,
            )
            .into(),
        )
        .await
        .unwrap();
    assert_eq!(res.json(), json!({ "data": { "a": [1, 2] } }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_types_are_415_and_never_reach_the_service() {
    let log = Log::new();
    let server = things(&log).await;
    let json_body = r#"{"text":"hi"}"#;
    let mut cases = Vec::new();
    for (content_type, body, message) in [
        // Read as JSON until now: a page on any origin can send it with
        // no preflight.
        (
            Some("text/plain"),
            json_body,
            "Unsupported Content-Type: a request body must be application/json",
        ),
        (
            Some("text/plain;charset=UTF-8"),
            json_body,
            "Unsupported Content-Type: a request body must be application/json",
        ),
        (
            Some("application/x-www-form-urlencoded"),
            "text=hi",
            "Unsupported Content-Type: a request body must be application/json",
        ),
        (
            Some("multipart/form-data; boundary=x"),
            "--x\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nhi\r\n--x--\r\n",
            "Unsupported Content-Type: a request body must be application/json",
        ),
        (
            Some("application/xml"),
            "<text>hi</text>",
            "Unsupported Content-Type: a request body must be application/json",
        ),
        (
            Some("text/json"),
            json_body,
            "Unsupported Content-Type: a request body must be application/json",
        ),
        (
            Some("application/jsonx"),
            json_body,
            "Unsupported Content-Type: a request body must be application/json",
        ),
        (
            Some(";;;="),
            json_body,
            "Unsupported Content-Type: a request body must be application/json",
        ),
        (
            Some("json"),
            json_body,
            "Unsupported Content-Type: a request body must be application/json",
        ),
        (
            Some("application/json; charset=utf-16"),
            json_body,
            "Unsupported charset: a JSON request body is UTF-8",
        ),
        (
            Some("application/json; charset=latin1"),
            json_body,
            "Unsupported charset: a JSON request body is UTF-8",
        ),
        (
            None,
            json_body,
            "A request body needs the Content-Type application/json",
        ),
        // An empty body with a type that is not JSON is refused too: the
        // type is what the client says it sends.
        (
            Some("text/plain"),
            "",
            "Unsupported Content-Type: a request body must be application/json",
        ),
    ] {
        for (name, method, path, header) in writes() {
            let mut req = typed(method, path, content_type, body);
            if let Some((header, value)) = header {
                req = req.header(header, value);
            }
            let shown = content_type.unwrap_or("no type");
            cases.push(
                case(&format!("{name} as {shown}: {body:?}"), req, UNSUPPORTED).message(message),
            );
        }
    }
    assert_cases(&server, &cases).await;
    assert_eq!(
        log.take(),
        Vec::<String>::new(),
        "no call reached the service"
    );
    // Byte for byte, Feathers' shape.
    let res = server
        .send(&typed(Method::POST, "/things", Some("text/plain"), json_body).into())
        .await
        .unwrap();
    assert_eq!(
        res.text(),
        r#"{"name":"UnsupportedMediaType","message":"Unsupported Content-Type: a request body must be application/json","code":415,"className":"unsupported-media-type"}"#
    );
    assert!(res.is_json());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_body_is_an_empty_object() {
    let log = Log::new();
    let server = things(&log).await;
    for content_type in [None, Some("application/json")] {
        for body in ["", " \r\n"] {
            let res = server
                .send(&typed(Method::POST, "/things", content_type, body).into())
                .await
                .unwrap();
            assert_eq!(
                res.status,
                201,
                "{content_type:?} {body:?}: {}",
                res.shown()
            );
            assert_eq!(res.json(), json!({ "data": {} }));
            let res = server
                .send(
                    &typed(Method::POST, "/things", content_type, body)
                        .header("x-service-method", "shout")
                        .into(),
                )
                .await
                .unwrap();
            assert_eq!(res.status, 200, "{}", res.shown());
            assert_eq!(res.json(), json!({ "method": "shout", "data": {} }));
        }
    }
    // A read or a remove never looks at the type.
    for (method, path) in [
        (Method::GET, "/things"),
        (Method::GET, "/things/1"),
        (Method::DELETE, "/things/1"),
    ] {
        let res = server
            .send(&typed(method.clone(), path, Some("text/plain"), "").into())
            .await
            .unwrap();
        assert_eq!(res.status, 200, "{method} {path}: {}", res.shown());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_content_types_are_a_bad_request() {
    let log = Log::new();
    let server = things(&log).await;
    let req = typed(
        Method::POST,
        "/things",
        Some("application/json"),
        r#"{"a":1}"#,
    )
    .header("content-type", "text/plain");
    assert_cases(
        &server,
        &[case("application/json and text/plain", req, BAD_REQUEST)
            .message("More than one Content-Type")],
    )
    .await;
    assert!(log.take().is_empty());
}

/// A refused body is read (within the body limit) before the answer, so
/// the connection serves the next request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_body_leaves_the_connection_usable() {
    let log = Log::new();
    let server = things(&log).await;
    let mut connection = KeepAlive::connect(server.address()).await;
    let body = vec![b'x'; 200 * 1024];
    let res = connection
        .send(&request(
            "POST",
            "/things",
            &["Content-Type: text/plain"],
            &body,
        ))
        .await
        .unwrap();
    assert_eq!(res.status, 415, "{}", res.shown());
    let res = connection
        .send(&request(
            "POST",
            "/things",
            &["Content-Type: application/json"],
            br#"{"after":1}"#,
        ))
        .await
        .unwrap();
    assert_eq!(res.status, 201, "{}", res.shown());
    assert_eq!(res.json(), json!({ "data": { "after": 1 } }));
    assert_eq!(log.take(), ["method"]);
    let _: Value = res.json();
}
