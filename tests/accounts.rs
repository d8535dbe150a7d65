//! Accounts and tokens under abuse (issue 15, point 7), against the chat
//! app over real sockets: its default login limits, fair password hashing
//! under a flood, emails as stored and looked up, and the revocation of
//! tokens by logout and by a change of password.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const SECRET: &str = "accounts-secret";
const PASSWORD: &str = "s3cret-Pa55";

/// The chat app served on an ephemeral port (with the peers' addresses,
/// as `App::serve` gives them); its base URL.
async fn serve(app: auth_core::App) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(app.serve(listener, std::future::pending()));
    base
}

/// The in-memory chat app with its default login limits, served.
async fn chat() -> String {
    serve(examples::chat::app(SECRET).unwrap()).await
}

/// A client whose connections come from `address` (any 127.x.x.x is the
/// loopback on Linux), so that the server sees several clients.
fn client_from(address: Ipv4Addr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(address))
        .build()
        .unwrap()
}

/// One answer: its status and its JSON body (`null` when it has none).
async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}

async fn signup(client: &reqwest::Client, base: &str, email: &str, password: &str) -> (u16, Value) {
    send(
        client
            .post(format!("{base}/users"))
            .json(&json!({ "email": email, "password": password })),
    )
    .await
}

async fn login(client: &reqwest::Client, base: &str, email: &str, password: &str) -> (u16, Value) {
    send(
        client
            .post(format!("{base}/authentication"))
            .json(&json!({ "strategy": "local", "email": email, "password": password })),
    )
    .await
}

fn token(answer: &(u16, Value)) -> String {
    assert_eq!(answer.0, 201, "{}", answer.1);
    answer.1["accessToken"].as_str().unwrap().to_owned()
}

// ---------------------------------------------------------------------------
// Login limits
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_app_limits_logins_per_email() {
    let base = chat().await;
    let one = client_from(Ipv4Addr::new(127, 0, 0, 1));
    assert_eq!(
        signup(&one, &base, "ada@example.com", PASSWORD).await.0,
        201
    );
    // Five guesses at once (the burst), then 429, even with the right
    // password, and from another client, however the email is written.
    for attempt in 1..=5 {
        let (status, body) = login(&one, &base, "ada@example.com", "a guess").await;
        assert_eq!(status, 401, "attempt {attempt}: {body}");
    }
    let (status, body) = login(&one, &base, "ada@example.com", PASSWORD).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["name"], "TooManyRequests");
    let retry_after = body["data"]["retryAfter"].as_u64().unwrap();
    assert!((1..=6).contains(&retry_after), "{body}");
    let two = client_from(Ipv4Addr::new(127, 0, 0, 2));
    let (status, _) = login(&two, &base, " ADA@example.com", PASSWORD).await;
    assert_eq!(status, 429);
    // Another account is not held back.
    let (status, _) = login(&one, &base, "bob@example.com", "a guess").await;
    assert_eq!(status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_app_limits_logins_per_client() {
    let base = chat().await;
    let guesser = client_from(Ipv4Addr::new(127, 0, 0, 3));
    // 30 logins at once from one address, each with another email, then 429.
    // No password: the strategy refuses them without a hash, so this is quick.
    let mut statuses = Vec::new();
    for n in 0..32 {
        let (status, _) = send(guesser.post(format!("{base}/authentication")).json(
            &json!({ "strategy": "local", "email": format!("u{n}@example.com"), "password": "" }),
        ))
        .await;
        statuses.push(status);
    }
    assert!(
        statuses[..30].iter().all(|status| *status == 401),
        "{statuses:?}"
    );
    assert_eq!(statuses[30..], [429, 429]);
    // Another client logs in.
    let other = client_from(Ipv4Addr::new(127, 0, 0, 4));
    assert_eq!(
        signup(&other, &base, "ada@example.com", PASSWORD).await.0,
        201
    );
    let ada = token(&login(&other, &base, "ada@example.com", PASSWORD).await);
    // jwt re-authentications are not local logins: never limited.
    for _ in 0..40 {
        let (status, body) = send(
            guesser
                .post(format!("{base}/authentication"))
                .json(&json!({ "strategy": "jwt", "accessToken": ada })),
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }
}

// ---------------------------------------------------------------------------
// Emails
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emails_are_folded_and_empty_credentials_refused() {
    let base = chat().await;
    let client = reqwest::Client::new();
    assert_eq!(
        signup(&client, &base, "ada@example.com", PASSWORD).await.0,
        201
    );
    // The same address written otherwise can not squat it.
    let (status, body) = signup(&client, &base, " Ada@Example.COM ", PASSWORD).await;
    assert_eq!(status, 409, "{body}");
    let (status, body) = signup(&client, &base, "mallory@example.com ", PASSWORD).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["email"], "mallory@example.com");
    // Written otherwise, it logs in.
    let answer = login(&client, &base, "ADA@example.com ", PASSWORD).await;
    assert_eq!(answer.1["user"]["email"], "ada@example.com");
    token(&answer);
    // Empty: 400 at sign-up, Feathers' 401 Invalid login at login.
    for (email, password) in [("", PASSWORD), ("   ", PASSWORD), ("eve@example.com", "")] {
        let (status, body) = signup(&client, &base, email, password).await;
        assert_eq!(status, 400, "{email:?} {password:?}: {body}");
    }
    for (email, password) in [("", PASSWORD), ("   ", PASSWORD), ("ada@example.com", "")] {
        let (status, body) = login(&client, &base, email, password).await;
        assert_eq!(status, 401, "{email:?} {password:?}: {body}");
        assert_eq!(body["message"], "Invalid login");
    }
}

// ---------------------------------------------------------------------------
// Revocation
// ---------------------------------------------------------------------------

async fn secrets(client: &reqwest::Client, base: &str, token: &str) -> u16 {
    send(client.get(format!("{base}/secrets")).bearer_auth(token))
        .await
        .0
}

async fn logout(client: &reqwest::Client, base: &str, token: &str) -> (u16, Value) {
    send(
        client
            .delete(format!("{base}/authentication"))
            .bearer_auth(token),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_revokes_the_token_and_a_new_login_in_the_same_second_works() {
    let base = chat().await;
    let client = reqwest::Client::new();
    signup(&client, &base, "ada@example.com", PASSWORD).await;
    let first = token(&login(&client, &base, "ada@example.com", PASSWORD).await);
    assert_eq!(secrets(&client, &base, &first).await, 200);
    let (status, body) = logout(&client, &base, &first).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["accessToken"], first.as_str());
    // The token no longer works, for any call, nor for another logout.
    assert_eq!(secrets(&client, &base, &first).await, 401);
    let (status, body) = send(
        client
            .post(format!("{base}/authentication"))
            .json(&json!({ "strategy": "jwt", "accessToken": first })),
    )
    .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(logout(&client, &base, &first).await.0, 401);
    // Logging in again at once (within the same second as the logout:
    // `iat` is the same) gives a token that works, until its own logout,
    // here with the token as the id.
    let started = Instant::now();
    let second = token(&login(&client, &base, "ada@example.com", PASSWORD).await);
    assert_eq!(secrets(&client, &base, &second).await, 200);
    let (status, _) = send(
        client
            .delete(format!("{base}/authentication/{second}"))
            .bearer_auth(&second),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(secrets(&client, &base, &second).await, 401);
    let third = token(&login(&client, &base, "ada@example.com", PASSWORD).await);
    assert_eq!(secrets(&client, &base, &third).await, 200);
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_ends_every_session_of_the_user_and_no_one_elses() {
    let base = chat().await;
    let client = reqwest::Client::new();
    signup(&client, &base, "ada@example.com", PASSWORD).await;
    signup(&client, &base, "bob@example.com", PASSWORD).await;
    let laptop = token(&login(&client, &base, "ada@example.com", PASSWORD).await);
    let phone = token(&login(&client, &base, "ada@example.com", PASSWORD).await);
    let bob = token(&login(&client, &base, "bob@example.com", PASSWORD).await);
    assert_eq!(logout(&client, &base, &laptop).await.0, 200);
    assert_eq!(
        secrets(&client, &base, &phone).await,
        401,
        "ada's other session"
    );
    assert_eq!(secrets(&client, &base, &bob).await, 200, "bob's session");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_password_revokes_older_tokens() {
    let base = chat().await;
    let client = reqwest::Client::new();
    let (_, ada) = signup(&client, &base, "ada@example.com", PASSWORD).await;
    let id = ada["id"].as_u64().unwrap();
    let old = token(&login(&client, &base, "ada@example.com", PASSWORD).await);
    // Another field changed: the token still works.
    let (status, body) = send(
        client
            .patch(format!("{base}/users/{id}"))
            .bearer_auth(&old)
            .json(&json!({ "email": "ada@example.org" })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("tokenEpoch").is_none(), "{body}");
    assert_eq!(secrets(&client, &base, &old).await, 200);
    // A client can not set its epoch (it would bring a revoked token back).
    let (status, body) = send(
        client
            .patch(format!("{base}/users/{id}"))
            .bearer_auth(&old)
            .json(&json!({ "password": "n3w-Pa55word" })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.get("password").is_none() && body.get("tokenEpoch").is_none(),
        "{body}"
    );
    assert_eq!(secrets(&client, &base, &old).await, 401);
    assert_eq!(
        login(&client, &base, "ada@example.org", PASSWORD).await.0,
        401
    );
    let fresh = token(&login(&client, &base, "ada@example.org", "n3w-Pa55word").await);
    assert_eq!(secrets(&client, &base, &fresh).await, 200);
    // A client's own `tokenEpoch` is dropped: the fresh token stays valid.
    let (status, body) = send(
        client
            .patch(format!("{base}/users/{id}"))
            .bearer_auth(&fresh)
            .json(&json!({ "tokenEpoch": null })),
    )
    .await;
    assert!(status == 200 || status == 400, "{status} {body}");
    assert_eq!(secrets(&client, &base, &fresh).await, 200);
    assert_eq!(secrets(&client, &base, &old).await, 401);
}

/// Two chat apps served on one storage, and ada signed up on the first:
/// their base URLs and a client.
async fn two_instances_with_ada(
    storage: &examples::chat::Storage,
) -> (String, String, reqwest::Client) {
    let one = serve(examples::chat::app_on(SECRET, storage).await.unwrap()).await;
    let two = serve(examples::chat::app_on(SECRET, storage).await.unwrap()).await;
    let client = reqwest::Client::new();
    assert_eq!(
        signup(&client, &one, "ada@example.com", PASSWORD).await.0,
        201
    );
    (one, two, client)
}

/// Two instances on one database: a logout on one revokes the token on
/// the other.
async fn revocation_holds_across_instances(storage: &examples::chat::Storage) {
    let (one, two, client) = two_instances_with_ada(storage).await;
    let token = token(&login(&client, &two, "ada@example.com", PASSWORD).await);
    assert_eq!(secrets(&client, &one, &token).await, 200);
    assert_eq!(logout(&client, &one, &token).await.0, 200);
    assert_eq!(secrets(&client, &two, &token).await, 401);
    // Then a password change on the second, with a token of the first.
    let again = self::token(&login(&client, &one, "ada@example.com", PASSWORD).await);
    let id = 1;
    let (status, body) = send(
        client
            .patch(format!("{two}/users/{id}"))
            .bearer_auth(&again)
            .json(&json!({ "password": "n3w-Pa55word" })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(secrets(&client, &one, &again).await, 401);
}

/// Two instances on one database, each keeping users in its entity cache,
/// no event sync: after a logout on one, a new login on the other works
/// there at once, though that instance still keeps the user with the old
/// epoch (a kept record never refuses a token); the new token's check
/// brings the kept record up to date, so the old token is then refused
/// there too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_login_after_another_instances_logout_works_at_once() {
    let storage = examples::chat::Storage::sqlite_file(tests::scratch_file("accounts-cache.db"));
    let (one, two, client) = two_instances_with_ada(&storage).await;
    let old = token(&login(&client, &two, "ada@example.com", PASSWORD).await);
    // Two keeps ada with her first epoch.
    assert_eq!(secrets(&client, &two, &old).await, 200);
    assert_eq!(logout(&client, &one, &old).await.0, 200);
    let fresh = token(&login(&client, &two, "ada@example.com", PASSWORD).await);
    assert_eq!(secrets(&client, &two, &fresh).await, 200);
    // The kept record now has the new epoch: the old token is refused.
    assert_eq!(secrets(&client, &two, &old).await, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revocation_holds_across_instances_sharing_sqlite() {
    let storage = examples::chat::Storage::sqlite_file(tests::scratch_file("accounts.db"));
    revocation_holds_across_instances(&storage).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revocation_holds_across_instances_sharing_postgres() {
    if tests::postgres::skip("revocation_holds_across_instances_sharing_postgres") {
        return;
    }
    // An empty schema: the chat app migrates it.
    let schema = tests::postgres::TempSchema::new("SELECT 1", 1).await;
    let storage = examples::chat::Storage::from_url(Some(&schema.url())).unwrap();
    revocation_holds_across_instances(&storage).await;
}

// ---------------------------------------------------------------------------
// Access log
// ---------------------------------------------------------------------------

/// Everything the process logs from the first call on, as text.
fn captured_log() -> &'static std::sync::Arc<std::sync::Mutex<Vec<u8>>> {
    static LOG: std::sync::OnceLock<std::sync::Arc<std::sync::Mutex<Vec<u8>>>> =
        std::sync::OnceLock::new();
    LOG.get_or_init(|| {
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let writer = LogWriter(log.clone());
        tracing::subscriber::set_global_default(
            tracing_subscriber::fmt()
                .with_max_level(tracing::Level::DEBUG)
                .with_writer(move || writer.clone())
                .with_ansi(false)
                .finish(),
        )
        .expect("no other subscriber in this test binary");
        log
    })
}

#[derive(Clone)]
struct LogWriter(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_access_log_never_writes_a_token_nor_a_query_and_cuts_long_uris() {
    let log = captured_log();
    // The chat app as its binary serves it: the page in front of the app.
    let app = examples::chat::app(SECRET).unwrap();
    let router = examples::chat::web::router(app, examples::chat::web::DEFAULT_DIR).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(auth_core::rest::serve_router(
        router,
        listener,
        std::future::pending(),
    ));
    let client = reqwest::Client::new();
    signup(&client, &base, "ada@example.com", PASSWORD).await;
    let token = token(&login(&client, &base, "ada@example.com", PASSWORD).await);
    let (status, _) = send(
        client
            .delete(format!("{base}/authentication/{token}"))
            .bearer_auth(&token),
    )
    .await;
    assert_eq!(status, 200);
    // Tokens elsewhere in a path, and query strings, of the app and the page.
    send(client.get(format!("{base}/users/{token}"))).await;
    send(client.get(format!("{base}/messages?accessToken=query-secret-1"))).await;
    send(client.get(format!("{base}/app.js?accessToken=query-secret-2"))).await;
    let long = "x".repeat(4000);
    send(client.get(format!("{base}/messages/{long}"))).await;

    let written = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
    let requests: Vec<&str> = written
        .lines()
        .filter(|line| line.contains("access_log") && line.contains("uri="))
        .collect();
    assert!(requests.len() >= 6, "{written}");
    let signature = token.rsplit('.').next().unwrap();
    for secret in [
        token.as_str(),
        signature,
        "query-secret-1",
        "query-secret-2",
    ] {
        assert!(
            !written.contains(secret),
            "{secret} is in the log:\n{written}"
        );
    }
    assert!(!written.contains(&long), "the long path is written whole");
    let has = |needle: &str| requests.iter().any(|line| line.contains(needle));
    assert!(has("uri=/authentication/[redacted]"), "{written}");
    assert!(has("uri=/users/[redacted]"), "{written}");
    assert!(has("uri=/messages?[query omitted]"), "{written}");
    assert!(has("uri=/app.js?[query omitted]"), "{written}");
    assert!(has("[cut: 4010 bytes]"), "{written}");
}

// ---------------------------------------------------------------------------
// Fair hashing
// ---------------------------------------------------------------------------

/// With the login limits off (they would stop the flood before any hash),
/// 300 connections guessing from one client hold another client's login
/// back by about a hash per client, not by the flood's hashes: before the
/// per-client queue it waited behind the flood's (~150 of them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_guesses_from_one_client_does_not_hold_back_anothers_login() {
    let app = examples::chat::app_with(
        SECRET,
        &examples::chat::Storage::Memory,
        examples::chat::LoginLimits::none(),
    )
    .await
    .unwrap();
    let base = serve(app).await;
    let honest = client_from(Ipv4Addr::new(127, 0, 0, 6));
    assert_eq!(
        signup(&honest, &base, "ada@example.com", PASSWORD).await.0,
        201
    );

    let flooder = client_from(Ipv4Addr::new(127, 0, 0, 5));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let answered = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u16>::new()));
    let mut flood = Vec::new();
    for _ in 0..300 {
        let (flooder, base, stop, answered) = (
            flooder.clone(),
            base.clone(),
            stop.clone(),
            answered.clone(),
        );
        flood.push(tokio::spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let (status, _) = login(&flooder, &base, "ada@example.com", "a guess").await;
                answered.lock().unwrap().push(status);
                if status == 429 {
                    // Refused at once: come back a little later (the
                    // test's client and server share two threads).
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
            }
        }));
    }
    // The flood is under way: the queue is full of its guesses.
    let deadline = Instant::now() + Duration::from_secs(30);
    while answered
        .lock()
        .unwrap()
        .iter()
        .filter(|status| **status == 401)
        .count()
        < 10
    {
        assert!(Instant::now() < deadline, "the flood never got answers");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let guessed = || {
        answered
            .lock()
            .unwrap()
            .iter()
            .filter(|status| **status == 401)
            .count()
    };
    let (mut slowest, mut most_passed) = (Duration::ZERO, 0);
    for _ in 0..3 {
        let (started, before) = (Instant::now(), guessed());
        let answer = login(&honest, &base, "ada@example.com", PASSWORD).await;
        slowest = slowest.max(started.elapsed());
        most_passed = most_passed.max(guessed() - before);
        token(&answer);
    }
    eprintln!(
        "during the flood: slowest honest login {slowest:?}, {most_passed} guesses hashed meanwhile"
    );
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for task in flood {
        task.await.unwrap();
    }
    let answered = answered.lock().unwrap();
    assert!(
        answered.contains(&429),
        "the flooder's surplus is refused at once"
    );
    // Counted rather than timed (the machine may be slow): the honest
    // login waits for a few of the flood's hashes, not for the queue of
    // them (in arrival order it waited for ~150 of them).
    assert!(
        most_passed <= 24,
        "{most_passed} of the flood's guesses were hashed while a login waited"
    );
    assert!(
        slowest < Duration::from_secs(10),
        "a login took {slowest:?}"
    );
}

/// A logout over the socket (`remove` on `authentication`) revokes the
/// token for REST too, and a socket logged in with a token revoked
/// elsewhere is refused on its next call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_logout_revokes_the_token_everywhere() {
    use tests::socketio::Client;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let base = format!("http://{address}");
    tokio::spawn(
        examples::chat::app(SECRET)
            .unwrap()
            .serve(listener, std::future::pending()),
    );
    let client = reqwest::Client::new();
    signup(&client, &base, "ada@example.com", PASSWORD).await;
    let login = [
        json!("authentication"),
        json!({ "strategy": "local", "email": "ada@example.com", "password": PASSWORD }),
    ];
    let mut one = Client::connect(address).await;
    let mut two = Client::connect(address).await;
    let first = one.ok("create", &login).await;
    let first = first["accessToken"].as_str().unwrap().to_owned();
    two.ok("create", &login).await;
    assert_eq!(
        two.ok("find", &[json!("secrets")]).await,
        json!([{ "secret": "ok" }])
    );
    assert_eq!(secrets(&client, &base, &first).await, 200);
    one.ok("remove", &[json!("authentication"), Value::Null])
        .await;
    assert_eq!(secrets(&client, &base, &first).await, 401);
    // The other socket's session was ada's too: it ends on its next call.
    assert_eq!(two.error("find", &[json!("secrets")]).await["code"], 401);
}
