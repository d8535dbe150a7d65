//! The Socket.IO transport against the chat app and small apps of its
//! own, through a real socket: Feathers' method events and
//! acknowledgements, errors for malformed calls, login and logout over
//! the socket, handshake credentials, token expiry, the contract's
//! channels, and the bounds (connections, calls in flight, message size,
//! a client that does not read).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use auth_core::authentication::JwtOptions;
use auth_core::memory::MemoryService;
use auth_core::prelude::*;
use auth_core::realtime::{Connection, Sink};
use auth_core::socketio::{SocketIo, SocketOptions};
use serde_json::{Value, json};
use tests::socketio::Client;

const SECRET: &str = "socket-test-secret";

/// Serves `app` on a free port until the test ends.
async fn serve(app: App) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(app.serve(listener, std::future::pending()));
    address
}

async fn chat() -> SocketAddr {
    serve(examples::chat::app(SECRET).unwrap()).await
}

/// Signs up and logs `socket` in; the user's id.
async fn log_in(socket: &mut Client, email: &str) -> Value {
    let user = socket
        .ok(
            "create",
            &[
                json!("users"),
                json!({"email": email, "password": "pa55word"}),
            ],
        )
        .await;
    let result = socket
        .ok(
            "create",
            &[
                json!("authentication"),
                json!({"strategy": "local", "email": email, "password": "pa55word"}),
            ],
        )
        .await;
    assert!(result["accessToken"].is_string());
    assert_eq!(result["user"]["email"], email);
    assert!(result["user"].get("password").is_none(), "{result}");
    user["id"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_answer_with_feathers_acknowledgements() {
    let address = chat().await;
    let mut socket = Client::connect(address).await;
    let created = socket
        .ok(
            "create",
            &[json!("messages"), json!({"text": "hi"}), json!({})],
        )
        .await;
    assert_eq!(created["text"], "hi");
    assert_eq!(created["anonymous"], true);
    let id = created["id"].clone();
    assert_eq!(
        socket.ok("get", &[json!("messages"), id.clone()]).await,
        created
    );
    let page = socket
        .ok(
            "find",
            &[json!("messages"), json!({"$limit": 1, "text": "hi"})],
        )
        .await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["limit"], 1);
    assert_eq!(page["data"][0], created);
    // A string id, as REST sends it, names the same record.
    let by_string = socket
        .ok("get", &[json!("messages"), json!(id.to_string())])
        .await;
    assert_eq!(by_string, created);
    // `$select` as over REST, though the service's records are typed.
    let selected = socket
        .ok("find", &[json!("messages"), json!({"$select": ["text"]})])
        .await;
    assert_eq!(selected["data"][0], json!({"id": id, "text": "hi"}));
    let selected = socket
        .ok(
            "get",
            &[json!("messages"), id.clone(), json!({"$select": "text"})],
        )
        .await;
    assert_eq!(selected, json!({"id": id, "text": "hi"}));
    let error = socket.error("find", &[json!("secrets")]).await;
    assert_eq!(error["name"], "NotAuthenticated");
    assert_eq!(error["code"], 401);
    assert_eq!(error["className"], "not-authenticated");
    let error = socket
        .error("create", &[json!("messages"), json!({"text": ""})])
        .await;
    assert_eq!(error["code"], 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_calls_get_4xx_acknowledgements_and_the_socket_goes_on() {
    let address = chat().await;
    let mut socket = Client::connect(address).await;
    let cases: Vec<(&str, Vec<Value>, u16, &str)> = vec![
        (
            "find",
            vec![json!("nowhere")],
            404,
            "Service 'nowhere' not found",
        ),
        ("find", vec![json!(42)], 404, "Invalid service path"),
        ("find", vec![], 404, "Invalid service path"),
        (
            "frobnicate",
            vec![json!("messages"), json!({})],
            405,
            "Method 'frobnicate' not allowed on service 'messages'",
        ),
        (
            "find",
            vec![json!("messages"), json!({}), json!({})],
            400,
            "Too many arguments for 'find' method",
        ),
        (
            "get",
            vec![json!("messages"), json!(1), json!({}), json!({})],
            400,
            "Too many arguments for 'get' method",
        ),
        (
            "update",
            vec![
                json!("messages"),
                json!(1),
                json!({}),
                json!({}),
                json!({}),
                json!({}),
                json!({}),
            ],
            400,
            "Too many arguments for 'update' method",
        ),
        (
            "get",
            vec![json!("messages"), json!({"not": "an id"})],
            400,
            "Invalid id for 'get'",
        ),
        (
            "get",
            vec![json!("messages")],
            400,
            "An id is required for 'get'",
        ),
        (
            "find",
            vec![json!("messages"), json!("not params")],
            400,
            "The params of a call must be an object",
        ),
        (
            "create",
            vec![json!("messages"), json!("not a message")],
            400,
            "",
        ),
    ];
    for (method, args, code, message) in cases {
        let error = socket.error(method, &args).await;
        assert_eq!(error["code"], code, "{method} {args:?}: {error}");
        assert!(
            error["message"]
                .as_str()
                .unwrap_or_default()
                .starts_with(message),
            "{method} {args:?}: {error}"
        );
    }
    let answer = socket.call_raw(r#"["find","messages",{"$limit":0}]"#).await;
    let answer = answer.expect("the socket still answers");
    assert_eq!(answer[1]["limit"], 0);
    // Packets that are not Socket.IO at all end the socket that sent them,
    // as Socket.IO's own parser does, and nobody else's.
    let mut other = Client::connect(address).await;
    for garbage in [
        "42{\"an\":\"object\"}",
        "42[",
        "4",
        "42[\"find\",\"messages\"",
        "9",
    ] {
        let mut sender = Client::connect(address).await;
        sender.send_raw(garbage).await;
        assert!(
            sender.closed_by_server().await,
            "{garbage} was taken as a packet"
        );
        assert_eq!(other.ok("find", &[json!("messages")]).await["total"], 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_are_external_with_the_socketio_provider() {
    async fn report(ctx: &mut HookContext<MemoryService>) -> Result<()> {
        ctx.params.query.clear();
        let provider = ctx.params.provider.as_ref().map(|p| p.to_string());
        ctx.result = Some(Output::Many(vec![json!({
            "provider": provider,
            "connection": ctx.params.extensions.get::<Connection>().is_some(),
        })]));
        Ok(())
    }
    let app = App::new()
        .register("probe", MemoryService::<Value>::new())
        .configure(SocketIo::new());
    app.service::<MemoryService>("probe")
        .hooks(ServiceHooks::new().before("find", report))
        .unwrap();
    let mut socket = Client::connect(serve(app).await).await;
    let answer = socket.ok("find", &[json!("probe"), json!({"a": 1})]).await;
    assert_eq!(
        answer,
        json!([{"provider": "socketio", "connection": true}])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_and_logout_over_the_socket_change_what_it_may_do() {
    let address = chat().await;
    let mut socket = Client::connect(address).await;
    log_in(&mut socket, "ada@example.com").await;
    assert_eq!(
        socket.ok("find", &[json!("secrets")]).await,
        json!([{"secret": "ok"}])
    );
    let created = socket
        .ok("create", &[json!("messages"), json!({"text": "signed"})])
        .await;
    assert!(created["userId"].is_number(), "{created}");
    let logout = socket
        .ok("remove", &[json!("authentication"), Value::Null])
        .await;
    assert!(logout["accessToken"].is_string());
    assert_eq!(socket.error("find", &[json!("secrets")]).await["code"], 401);
    // A bad password is a 401, and the socket stays usable anonymously.
    let error = socket
        .error(
            "create",
            &[
                json!("authentication"),
                json!({"strategy": "local", "email": "ada@example.com", "password": "wrong"}),
            ],
        )
        .await;
    assert_eq!(error["code"], 401);
    let created = socket
        .ok(
            "create",
            &[json!("messages"), json!({"text": "anonymous again"})],
        )
        .await;
    assert_eq!(created["anonymous"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handshake_authorization_header_logs_the_socket_in() {
    let address = chat().await;
    let mut first = Client::connect(address).await;
    log_in(&mut first, "bob@example.com").await;
    let token = first
        .ok(
            "create",
            &[
                json!("authentication"),
                json!({"strategy": "local", "email": "bob@example.com", "password": "pa55word"}),
            ],
        )
        .await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let bearer = format!("Bearer {token}");
    let mut socket = Client::connect_with(address, &[("authorization", &bearer)])
        .await
        .expect("a valid token connects");
    assert_eq!(
        socket.ok("find", &[json!("secrets")]).await,
        json!([{"secret": "ok"}])
    );
    // A bad one is refused: the server ends the socket.
    let refused = Client::connect_with(address, &[("authorization", "Bearer not.a.token")]).await;
    match refused {
        Err(_) => {}
        Ok(mut socket) => assert!(
            socket.closed_by_server().await,
            "a bad token's socket is closed"
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_login_disconnects_the_socket() {
    let address = chat().await;
    let mut socket = Client::connect(address).await;
    let id = log_in(&mut socket, "eve@example.com").await;
    let short = tests::sign(SECRET, &JwtOptions::default(), &id.to_string(), Some(1));
    let mut expiring = Client::connect(address).await;
    expiring
        .ok(
            "create",
            &[
                json!("authentication"),
                json!({"strategy": "jwt", "accessToken": short}),
            ],
        )
        .await;
    assert!(
        expiring.closed_by_server().await,
        "the socket outlived its token"
    );
    // The other socket is untouched.
    assert_eq!(
        socket.ok("find", &[json!("secrets")]).await,
        json!([{"secret": "ok"}])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_follow_the_contracts_channels() {
    let address = chat().await;
    let mut anonymous = Client::connect(address).await;
    let mut ada = Client::connect(address).await;
    let mut bob = Client::connect(address).await;
    let ada_id = log_in(&mut ada, "ada@example.com").await;
    let bob_id = log_in(&mut bob, "bob@example.com").await;

    let created = bob
        .ok(
            "create",
            &[json!("messages"), json!({"text": "to everyone"})],
        )
        .await;
    for socket in [&mut anonymous, &mut ada, &mut bob] {
        assert_eq!(socket.event("messages created").await.unwrap(), created);
    }
    let patched = ada
        .ok(
            "patch",
            &[
                json!("users"),
                ada_id.clone(),
                json!({"email": "ada@example.org"}),
            ],
        )
        .await;
    assert!(patched.get("password").is_none());
    let event = ada.event("users patched").await.unwrap();
    assert_eq!(event, patched);
    assert!(event.get("password").is_none(), "{event}");
    // Nobody else hears of Ada's record, nor of a user created anonymously.
    anonymous
        .ok(
            "create",
            &[
                json!("users"),
                json!({"email": "carl@example.com", "password": "pa55word"}),
            ],
        )
        .await;
    for socket in [&mut anonymous, &mut bob] {
        let heard = socket.events_within(Duration::from_millis(300)).await;
        assert!(
            heard.iter().all(|(name, _)| !name.starts_with("users")),
            "{heard:?}"
        );
    }
    // After a logout, Bob is anonymous: messages still, his record no more.
    bob.ok("remove", &[json!("authentication"), Value::Null])
        .await;
    ada.ok(
        "create",
        &[json!("messages"), json!({"text": "still here?"})],
    )
    .await;
    assert_eq!(
        bob.event("messages created").await.unwrap()["text"],
        "still here?"
    );
    // The logout itself patched Bob's record (a fresh token epoch), and
    // that `users patched` may or may not have reached this socket: it is
    // dispatched while the logout leaves Bob's channels. Events arrive in
    // order, so whatever it was is here by now; what counts below is what
    // this socket hears of Bob's later change.
    let _ = bob.events_within(Duration::ZERO).await;
    let mut bob_again = Client::connect(address).await;
    bob_again
        .ok(
            "create",
            &[
                json!("authentication"),
                json!({"strategy": "local", "email": "bob@example.com", "password": "pa55word"}),
            ],
        )
        .await;
    bob_again
        .ok(
            "patch",
            &[json!("users"), bob_id, json!({"email": "bob@example.org"})],
        )
        .await;
    assert!(bob_again.event("users patched").await.is_ok());
    let heard = bob.events_within(Duration::from_millis(300)).await;
    assert!(
        heard.iter().all(|(name, _)| name != "users patched"),
        "{heard:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_writes_publish_to_sockets() {
    let address = chat().await;
    let mut socket = Client::connect(address).await;
    let response = reqwest::Client::new()
        .post(format!("http://{address}/messages"))
        .json(&json!({"text": "over REST"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    assert_eq!(socket.event("messages created").await.unwrap(), created);
}

/// A sink that keeps what it is sent.
struct Recorder(Arc<Mutex<Vec<Value>>>);

impl Sink for Recorder {
    fn send(&self, _event: &str, data: &Value) -> bool {
        self.0.lock().unwrap().push(data.clone());
        true
    }

    fn close(&self) {}
}

/// An app whose `things` events go to every connection.
fn broadcasting_app(options: SocketOptions) -> App {
    let app = App::new()
        .register("things", MemoryService::<Value>::new())
        .configure(SocketIo::with_options(options));
    app.on_connection(|app, connection| {
        app.channel("everyone").join(connection);
    });
    app.publish(|_event, app| app.channel("everyone").channel());
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_bound_are_refused() {
    let options = SocketOptions {
        max_connections: 2,
        ..SocketOptions::default()
    };
    let address = serve(broadcasting_app(options)).await;
    let mut first = Client::connect(address).await;
    let _second = Client::connect(address).await;
    match Client::connect_with(address, &[]).await {
        Err(_) => {}
        Ok(mut third) => assert!(third.closed_by_server().await, "a third socket was served"),
    }
    assert_eq!(first.ok("find", &[json!("things")]).await, json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_in_flight_beyond_the_bound_are_429() {
    async fn slow(_ctx: &mut HookContext<MemoryService>) -> Result<()> {
        tokio::time::sleep(Duration::from_secs(2)).await;
        Ok(())
    }
    let options = SocketOptions {
        max_calls_in_flight: 1,
        ..SocketOptions::default()
    };
    let app = broadcasting_app(options);
    app.service::<MemoryService>("things")
        .hooks(ServiceHooks::new().before("find", slow))
        .unwrap();
    let mut socket = Client::connect(serve(app).await).await;
    // Two calls at once: whichever runs first holds the only slot.
    socket.send_call("find", &[json!("things")]).await;
    socket.send_call("find", &[json!("things")]).await;
    let mut answers = vec![
        socket.any_ack().await.unwrap().1,
        socket.any_ack().await.unwrap().1,
    ];
    answers.sort_by_key(|answer| answer.len());
    assert_eq!(answers[0][0]["code"], 429, "{answers:?}");
    assert_eq!(answers[1], vec![Value::Null, json!([])]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_over_the_size_bound_closes_only_its_socket() {
    let options = SocketOptions {
        max_message_size: 64 * 1024,
        ..SocketOptions::default()
    };
    let address = serve(broadcasting_app(options)).await;
    let mut big = Client::connect(address).await;
    let mut other = Client::connect(address).await;
    let text = "x".repeat(128 * 1024);
    big.send_raw(&format!(
        "420[\"create\",\"things\",{{\"text\":\"{text}\"}}]"
    ))
    .await;
    assert!(
        big.closed_by_server().await,
        "an oversized message was read"
    );
    assert_eq!(other.ok("find", &[json!("things")]).await, json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_that_does_not_read_is_dropped_and_never_holds_back_a_publisher() {
    let options = SocketOptions {
        buffer: 16,
        ..SocketOptions::default()
    };
    let app = broadcasting_app(options);
    let address = serve(app.clone()).await;
    let _stalled = Client::connect(address).await; // never reads again
    let things = app.service::<MemoryService<Value>>("things");
    let big = "y".repeat(64 * 1024);
    for n in 0..400 {
        tokio::time::timeout(
            Duration::from_secs(10),
            things.create(json!({"n": n, "text": big}), Params::new()),
        )
        .await
        .expect("a create never waits on a socket")
        .unwrap();
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !app.channel("everyone").is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the stalled socket is still served"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Delivery goes on for the sockets that read. A connection of the
    // test's own tells when the events queued before are through.
    let seen = Arc::new(Mutex::new(Vec::new()));
    let probe = Connection::with_sink(Params::new(), Recorder(seen.clone()));
    app.channel("everyone").join(&probe);
    let marker = things
        .create(json!({"marker": true}), Params::new())
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !seen.lock().unwrap().contains(&marker) {
        assert!(tokio::time::Instant::now() < deadline, "delivery stopped");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut reader = Client::connect(address).await;
    for n in 0..50 {
        let created = things.create(json!({"n": n}), Params::new()).await.unwrap();
        assert_eq!(reader.event("things created").await.unwrap(), created);
    }
}
