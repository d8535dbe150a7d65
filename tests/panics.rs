//! A panic in a hook or a service (CONTRACT.md, "Wire protocol (REST)"):
//! a `500 GeneralError` in Feathers' JSON, logged with the panic's message
//! and the call's method and path, never a dropped connection; over the
//! socket, an error acknowledgement, the socket still usable.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use auth_core::prelude::*;
use auth_core::socketio::SocketIo;
use serde_json::{Value, json};
use tests::keep_alive::{KeepAlive, request};
use tests::socketio::Client;
use tests::{Log, Recorded};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};

const GENERAL_ERROR: &str =
    r#"{"name":"GeneralError","message":"Internal error","code":500,"className":"general-error"}"#;

/// A service whose every method panics, the message naming the method.
struct Boom;

impl Service for Boom {
    type Item = Value;
    type Data = Value;
    type Patch = Value;

    async fn find(&self, _params: &Params) -> Result<Found<Value>> {
        panic!("boom in find, {}", "formatted");
    }
    async fn get(&self, id: &Id, _params: &Params) -> Result<Value> {
        let id = id.as_number().expect("boom in get: a numeric id");
        Ok(json!(id))
    }
    async fn create(&self, _data: Value, _params: &Params) -> Result<Value> {
        panic!("boom in create");
    }
}

/// A before hook on `things` get that panics for the id `panic`.
async fn panicking_hook(ctx: &mut HookContext<Recorded>) -> Result<()> {
    if ctx.id == Some(Id::String("panic".into())) {
        panic!("the hook panicked");
    }
    Ok(())
}

/// `boom` (a panicking service) beside `things` (a recording one with a
/// panicking hook), with the socket transport.
fn app(log: &Log) -> App {
    let app = App::new()
        .register("boom", Boom)
        .register("things", Recorded { log: log.clone() })
        .configure(SocketIo::new());
    app.service::<Recorded>("things")
        .hooks(ServiceHooks::new().before("get", panicking_hook))
        .expect("things is registered");
    app
}

/// Serves the app on a free port until the test ends.
async fn serve(log: &Log) -> SocketAddr {
    captured();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(app(log).serve(listener, std::future::pending()));
    address
}

// ---------------------------------------------------------------------------
// The log, captured: every event as `message key=value ...` (its own
// fields only, not its spans').
// ---------------------------------------------------------------------------

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<String>>>);

impl Captured {
    /// The events holding `needle`.
    fn lines_with(&self, needle: &str) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|line| line.contains(needle))
            .cloned()
            .collect()
    }
}

struct Line(String);

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push_str(&format!(" {}={value}", field.name()));
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Captured {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        let mut line = Line(format!("{}", event.metadata().level()));
        event.record(&mut line);
        self.0.lock().unwrap().push(line.0);
    }
}

/// The process's log from the first call on.
fn captured() -> &'static Captured {
    static LOG: OnceLock<Captured> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Captured::default();
        let _ = tracing::subscriber::set_global_default(
            tracing_subscriber::registry().with(log.clone()),
        );
        log
    })
}

// ---------------------------------------------------------------------------
// REST
// ---------------------------------------------------------------------------

/// Each panic is a 500 in Feathers' JSON, and the same kept-alive
/// connection serves the next request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_a_panic_is_a_500_and_the_connection_serves_the_next_request() {
    let log = Log::new();
    let address = serve(&log).await;
    let mut connection = KeepAlive::connect(address).await;
    let json = "Content-Type: application/json";
    for (what, panicking) in [
        ("a service's find", request("GET", "/boom?a=1", &[], b"")),
        ("a service's expect", request("GET", "/boom/x", &[], b"")),
        (
            "a service's create",
            request("POST", "/boom", &[json], b"{}"),
        ),
        ("a hook", request("GET", "/things/panic", &[], b"")),
    ] {
        let res = connection
            .send(&panicking)
            .await
            .unwrap_or_else(|error| panic!("{what}: no answer: {error}"));
        assert_eq!(res.status, 500, "{what}: {}", res.shown());
        assert!(res.is_json(), "{what}: {:?}", res.content_type);
        assert_eq!(res.text(), GENERAL_ERROR, "{what}");
        let res = connection
            .send(&request("GET", "/things/1", &[], b""))
            .await
            .unwrap_or_else(|error| panic!("after {what}: no answer: {error}"));
        assert_eq!(res.status, 200, "after {what}: {}", res.shown());
        assert_eq!(res.json(), json!({ "id": "1", "data": null }));
    }
    // The hook panicked before the method: only the four gets after each
    // panic reached it.
    assert_eq!(log.take().len(), 4);
}

/// The log line of a panic has its message, the transport, the method
/// and the path, and neither the query string nor an id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_a_panic_is_logged_with_its_message_and_path() {
    let log = Log::new();
    let address = serve(&log).await;
    let mut connection = KeepAlive::connect(address).await;
    let res = connection
        .send(&request("GET", "/boom?token=query-secret", &[], b""))
        .await
        .unwrap();
    assert_eq!(res.status, 500);
    let res = connection
        .send(&request("GET", "/boom/id-secret", &[], b""))
        .await
        .unwrap();
    assert_eq!(res.status, 500);
    // (The other tests of this binary panic the same way, in the same log.)
    let lines = captured().lines_with("boom in find, formatted");
    assert!(!lines.is_empty());
    for line in &lines {
        assert!(line.starts_with("ERROR"), "{line}");
        for part in [
            "message=a call panicked",
            "transport=rest",
            "method=GET",
            "path=/boom ",
        ] {
            assert!(line.contains(part), "{part:?} is not in {line}");
        }
    }
    let lines = captured().lines_with("boom in get: a numeric id");
    assert!(!lines.is_empty());
    for line in &lines {
        assert!(line.contains("path=/boom/:id "), "{line}");
    }
    // No line has the query; only the access log's own line (`uri=`,
    // the path as the contract asks, ids included) has the id.
    let everything = captured().lines_with("");
    assert!(
        everything.iter().all(|line| !line.contains("query-secret")
            && (line.contains(" uri=/boom/id-secret") || !line.contains("id-secret"))),
        "{everything:#?}"
    );
}

// ---------------------------------------------------------------------------
// Socket.IO
// ---------------------------------------------------------------------------

/// A panicking call is acknowledged with the GeneralError, and the same
/// socket's next calls are answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn socket_a_panic_is_an_error_acknowledgement_and_the_socket_goes_on() {
    let log = Log::new();
    let address = serve(&log).await;
    let mut socket = Client::connect(address).await;
    let general: Value = serde_json::from_str(GENERAL_ERROR).unwrap();
    for (what, method, args) in [
        ("a service's find", "find", vec![json!("boom"), json!({})]),
        (
            "a service's create",
            "create",
            vec![json!("boom"), json!({}), json!({})],
        ),
        ("a hook", "get", vec![json!("things"), json!("panic")]),
    ] {
        // Bounded: before panics were caught, no acknowledgement came, and
        // the client's pongs would keep it waiting for ever.
        let answer = tokio::time::timeout(Duration::from_secs(30), socket.call(method, &args))
            .await
            .unwrap_or_else(|_| panic!("{what}: no acknowledgement in 30 s"))
            .expect("the socket is open");
        assert_eq!(answer, std::slice::from_ref(&general), "{what}");
        let answer = socket.ok("get", &[json!("things"), json!(7)]).await;
        assert_eq!(answer, json!({ "id": 7, "data": null }), "after {what}");
    }
    let lines = captured().lines_with("boom in create");
    assert!(
        lines.iter().any(|line| line.contains("transport=socketio")
            && line.contains("method=create")
            && line.contains("path=/boom")),
        "{lines:?}"
    );
}
