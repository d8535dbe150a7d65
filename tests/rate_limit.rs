//! `RateLimit` on the authentication service, through the public API: a
//! run-time before hook on `create`, over HTTP and as typed external calls.

use std::time::Duration;

use auth_core::prelude::*;
use examples::chat::Users;
use serde_json::{Value, json};

const SECRET: &str = "rate-limit-secret";
const PASSWORD: &str = "s3cret-Pa55";
const MINUTE: Duration = Duration::from_secs(60);

/// The chat app without its own login limits, `limit` before the
/// authentication service's `create`, and one user, ada@example.com.
async fn chat_with(limit: RateLimit) -> App {
    let app = examples::chat::app_with(
        SECRET,
        &examples::chat::Storage::Memory,
        examples::chat::LoginLimits::none(),
    )
    .await
    .unwrap();
    app.service::<AuthenticationService>("authentication")
        .hooks(ServiceHooks::new().before("create", limit))
        .unwrap();
    app.service::<Users>("users")
        .create(
            serde_json::from_value(json!({ "email": "ada@example.com", "password": PASSWORD }))
                .unwrap(),
            Params::new(),
        )
        .await
        .unwrap();
    app
}

fn local(email: &str, password: &str) -> AuthenticationRequest {
    AuthenticationRequest::new("local")
        .with("email", email)
        .with("password", password)
}

/// A login as the REST transport makes it (an external call), with
/// `headers`.
async fn login(
    app: &App,
    request: AuthenticationRequest,
    headers: &[(&'static str, &str)],
) -> Result<AuthResult> {
    let mut params = Params::external(Provider::Rest);
    for (name, value) in headers {
        params.headers.insert(*name, value.parse().unwrap());
    }
    app.service::<AuthenticationService>("authentication")
        .create(request, params)
        .await
}

fn code(outcome: &Result<AuthResult>) -> u16 {
    match outcome {
        Ok(_) => 201,
        Err(error) => error.code(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_http_the_attempt_after_max_is_a_feathers_429() {
    let app = chat_with(RateLimit::per_field("email", 3, MINUTE)).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(app.serve(listener, std::future::pending()));
    let client = reqwest::Client::new();
    let post = |email: &str, password: &str| {
        client
            .post(format!("{base}/authentication"))
            .json(&json!({ "strategy": "local", "email": email, "password": password }))
            .send()
    };

    for attempt in 1..=3 {
        let res = post("ada@example.com", "a guess").await.unwrap();
        assert_eq!(res.status().as_u16(), 401, "attempt {attempt}");
    }
    // The right password does not get past the limit either.
    let res = post("ada@example.com", PASSWORD).await.unwrap();
    assert_eq!(res.status().as_u16(), 429);
    let body = res.json::<Value>().await.unwrap();
    assert_eq!(body["name"], "TooManyRequests");
    assert_eq!(body["code"], 429);
    assert_eq!(body["className"], "too-many-requests");
    let retry_after = body["data"]["retryAfter"].as_u64().unwrap();
    assert!((1..=60).contains(&retry_after), "{body}");
    // The same address written differently is the same key.
    let res = post("  ADA@example.com", PASSWORD).await.unwrap();
    assert_eq!(res.status().as_u16(), 429);
    // Another account is not held back.
    let res = post("bob@example.com", "a guess").await.unwrap();
    assert_eq!(res.status().as_u16(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_known_emails_are_limited_alike() {
    let app = chat_with(RateLimit::per_field("email", 2, MINUTE)).await;
    for email in ["ada@example.com", "nobody@example.com"] {
        let outcomes = [
            code(&login(&app, local(email, "a guess"), &[]).await),
            code(&login(&app, local(email, "a guess"), &[]).await),
            code(&login(&app, local(email, "a guess"), &[]).await),
        ];
        assert_eq!(outcomes, [401, 401, 429], "{email}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn successful_logins_count_too_and_the_window_closes() {
    // Two at once, then one back every 3 s (GCRA: `window / max`): long
    // beside three logins, so that none comes back before the third.
    let window = Duration::from_secs(6);
    let app = chat_with(RateLimit::per_field("email", 2, window)).await;
    let ada = || local("ada@example.com", PASSWORD);
    assert_eq!(code(&login(&app, ada(), &[]).await), 201);
    assert_eq!(code(&login(&app, ada(), &[]).await), 201);
    assert_eq!(code(&login(&app, ada(), &[]).await), 429);
    // Past one period, one call has come back.
    tokio::time::sleep(window / 2 + Duration::from_millis(500)).await;
    assert_eq!(code(&login(&app, ada(), &[]).await), 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_calls_and_calls_without_the_field_are_not_counted() {
    let app = chat_with(RateLimit::per_field("email", 1, MINUTE)).await;
    let authentication = app.service::<AuthenticationService>("authentication");
    // Internal logins (no provider) are the server's own.
    for _ in 0..3 {
        let result = authentication
            .create(local("ada@example.com", PASSWORD), Params::new())
            .await
            .unwrap();
        assert!(result.get("accessToken").is_some());
    }
    // One external login uses ada's only attempt.
    let first = login(&app, local("ada@example.com", PASSWORD), &[])
        .await
        .unwrap();
    let token = first
        .get("accessToken")
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        code(&login(&app, local("ada@example.com", PASSWORD), &[]).await),
        429
    );
    // A jwt re-authentication has no email: it is not limited.
    for _ in 0..3 {
        let jwt = AuthenticationRequest::new("jwt").with("accessToken", token.as_str());
        assert_eq!(code(&login(&app, jwt, &[]).await), 201);
    }
    // Neither is a login whose email is not a string (the strategy refuses it).
    let odd = AuthenticationRequest::new("local")
        .with("email", json!({ "$ne": "" }))
        .with("password", PASSWORD);
    assert_eq!(code(&login(&app, odd.clone(), &[]).await), 401);
    assert_eq!(code(&login(&app, odd, &[]).await), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_header_limits_each_client_and_ignores_calls_without_it() {
    let app = chat_with(RateLimit::per_header("X-Real-IP", 2, MINUTE)).await;
    let one = [("x-real-ip", "192.0.2.1")];
    let two = [("x-real-ip", "192.0.2.2")];
    // Different emails from one client share its limit.
    let outcomes = [
        code(&login(&app, local("ada@example.com", "a guess"), &one).await),
        code(&login(&app, local("bob@example.com", "a guess"), &one).await),
        code(&login(&app, local("eve@example.com", "a guess"), &one).await),
    ];
    assert_eq!(outcomes, [401, 401, 429]);
    // Another client is not held back, nor is a call without the header.
    assert_eq!(
        code(&login(&app, local("ada@example.com", PASSWORD), &two).await),
        201
    );
    for _ in 0..3 {
        assert_eq!(
            code(&login(&app, local("ada@example.com", "a guess"), &[]).await),
            401
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_distinct_keys_stays_within_max_keys() {
    let limit = RateLimit::per_field("email", 1, MINUTE).max_keys(50);
    let app = chat_with(limit.clone()).await;
    // Logins without a password never reach a hash: quick, and counted.
    for i in 0..500 {
        let request =
            AuthenticationRequest::new("local").with("email", format!("u{i}@example.com"));
        assert_eq!(code(&login(&app, request, &[]).await), 401);
        assert!(limit.tracked_keys() <= 50, "after {i} keys");
    }
    assert_eq!(limit.tracked_keys(), 50);
    // The newest keys are still counted.
    let last = AuthenticationRequest::new("local").with("email", "u499@example.com");
    assert_eq!(code(&login(&app, last, &[]).await), 429);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn as_an_app_hook_it_can_guard_sign_ups_too() {
    let limit = RateLimit::per_field("email", 1, MINUTE);
    let app = examples::chat::app(SECRET).unwrap();
    app.add_hooks(AppHooks::new().before("create", limit));
    let users = app.json_service("users").unwrap();
    let signup = |email: &str| {
        users.call(auth_core::JsonCall {
            method: Method::Create,
            id: None,
            data: Some(json!({ "email": email, "password": PASSWORD })),
            params: Params::external(Provider::Rest),
        })
    };
    assert!(signup("ada@example.com").await.is_ok());
    let error = signup("ada@example.com").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::TooManyRequests);
    assert!(signup("bob@example.com").await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_peer_limits_each_address_the_server_sees() {
    let app = chat_with(RateLimit::per_peer(2, MINUTE)).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(app.clone().serve(listener, std::future::pending()));
    // Every login over loopback comes from 127.0.0.1, whatever the email
    // and whatever the client's port.
    let statuses: Vec<u16> = three_guesses(&base)
        .await
        .into_iter()
        .map(|(status, _)| status)
        .collect();
    assert_eq!(statuses, [401, 401, 429]);

    // Typed external calls: the address is what `PeerAddr` says, and a
    // call without one is not counted.
    let from = |address: &str| {
        let mut params = Params::external(Provider::Rest);
        params.extensions.insert(PeerAddr(address.parse().unwrap()));
        params
    };
    let service = app.service::<AuthenticationService>("authentication");
    let outcome = service
        .create(local("ada@example.com", "a guess"), from("10.0.0.7:5000"))
        .await;
    assert_eq!(code(&outcome), 401, "another address has its own count");
    let outcome = service
        .create(local("ada@example.com", "a guess"), from("127.0.0.1:1"))
        .await;
    assert_eq!(
        code(&outcome),
        429,
        "the loopback address is over its limit"
    );
    // An external call without a peer address can not be limited: it is
    // refused, saying why, rather than let through uncounted.
    for _ in 0..2 {
        let error = login(&app, local("ada@example.com", PASSWORD), &[])
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::GeneralError);
        assert!(error.message().contains("no peer address"), "{error}");
    }
    // Internal calls are never limited.
    let service = app.service::<AuthenticationService>("authentication");
    let internal = service
        .create(local("ada@example.com", PASSWORD), Params::new())
        .await;
    assert_eq!(code(&internal), 201);
}

/// Three logins with a wrong password from one client to `base`.
async fn three_guesses(base: &str) -> Vec<(u16, Value)> {
    let client = reqwest::Client::new();
    let mut answers = Vec::new();
    for email in ["ada@example.com", "bob@example.com", "carol@example.com"] {
        let res = client
            .post(format!("{base}/authentication"))
            .json(&json!({ "strategy": "local", "email": email, "password": "a guess" }))
            .send()
            .await
            .unwrap();
        answers.push((res.status().as_u16(), res.json::<Value>().await.unwrap()));
    }
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_peer_under_a_plain_axum_serve_refuses_and_names_the_fix() {
    // `into_router()` served as axum's docs show: no connection info.
    let app = chat_with(RateLimit::per_peer(2, MINUTE)).await;
    let router = app.into_router().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    // Not one guess gets through unlimited: each is refused, saying how to
    // serve the app so that the limit can see the client.
    for (status, body) in three_guesses(&base).await {
        assert_eq!(status, 500, "{body}");
        assert_eq!(body["name"], "GeneralError");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains("no peer address"), "{message}");
        assert!(
            message.contains("into_make_service_with_connect_info"),
            "{message}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_peer_limits_a_router_served_with_connect_info() {
    let app = chat_with(RateLimit::per_peer(2, MINUTE)).await;
    let router = app.into_router().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });
    let statuses: Vec<u16> = three_guesses(&base)
        .await
        .into_iter()
        .map(|(status, _)| status)
        .collect();
    assert_eq!(statuses, [401, 401, 429]);
}
