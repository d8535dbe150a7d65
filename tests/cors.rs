//! Cross-origin browsers (CONTRACT.md, "Wire protocol (REST)"): a CORS
//! preflight is answered and the real request carries
//! `Access-Control-Allow-Origin`, with the origins configurable
//! (`RestOptions::cors`): same-origin only by default in the library, any
//! origin by default in the chat app. Over real HTTP, as a browser sends
//! them.

use auth_core::App;
use auth_core::rest::{Cors, RestOptions};
use examples::chat::web;
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::json;
use tests::{Log, recorded_app};

const ELSEWHERE: &str = "https://elsewhere.example";

/// Serves `router` on a free port until the test ends; its base URL.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(auth_core::rest::serve_router(
        router,
        listener,
        std::future::pending(),
    ));
    url
}

/// The recording app (`things`) served with `cors`.
async fn things(log: &Log, cors: Cors) -> String {
    let options = RestOptions {
        cors,
        ..RestOptions::default()
    };
    serve(recorded_app(log).into_router_with(options).unwrap()).await
}

/// A browser's preflight from `origin` for a `method` with Feathers'
/// headers: the status and the headers of the answer.
async fn preflight(url: &str, origin: &str, method: &str) -> (u16, HeaderMap) {
    let response = reqwest::Client::new()
        .request(Method::OPTIONS, url)
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header(
            "access-control-request-headers",
            "authorization,content-type,x-service-method",
        )
        .send()
        .await
        .unwrap_or_else(|error| panic!("{url}: no answer: {error}"));
    (response.status().as_u16(), response.headers().clone())
}

/// A request from a page of `origin`, with a JSON body when given.
async fn from_page(
    method: Method,
    url: &str,
    origin: &str,
    body: Option<serde_json::Value>,
) -> (u16, HeaderMap) {
    let mut request = reqwest::Client::new()
        .request(method, url)
        .header("origin", origin);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|error| panic!("{url}: no answer: {error}"));
    (response.status().as_u16(), response.headers().clone())
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// The comma-separated items of a header, lowercased.
fn items(headers: &HeaderMap, name: &str) -> Vec<String> {
    header(headers, name)
        .unwrap_or_default()
        .split(',')
        .map(|item| item.trim().to_ascii_lowercase())
        .filter(|item| !item.is_empty())
        .collect()
}

/// A preflight answered for Feathers' clients: every method they use,
/// the three headers they send, no credentials, `nosniff`.
fn assert_preflight_allows_feathers(headers: &HeaderMap, origin: &str) {
    assert_eq!(
        header(headers, "access-control-allow-origin"),
        Some(origin),
        "{headers:?}"
    );
    let methods = items(headers, "access-control-allow-methods");
    for method in ["get", "post", "put", "patch", "delete"] {
        assert!(methods.iter().any(|m| m == method), "{method}: {methods:?}");
    }
    let allowed = items(headers, "access-control-allow-headers");
    for name in ["authorization", "content-type", "x-service-method"] {
        assert!(allowed.iter().any(|h| h == name), "{name}: {allowed:?}");
    }
    assert_eq!(header(headers, "access-control-allow-credentials"), None);
    assert_eq!(header(headers, "access-control-max-age"), Some("600"));
    assert_eq!(header(headers, "x-content-type-options"), Some("nosniff"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_library_serves_no_other_origin_by_default() {
    assert_eq!(RestOptions::default().cors, Cors::Off);
    let log = Log::new();
    let url = things(&log, Cors::Off).await;
    let (status, headers) = preflight(&format!("{url}/things"), ELSEWHERE, "POST").await;
    assert_eq!(status, 405, "{headers:?}");
    assert_eq!(header(&headers, "access-control-allow-origin"), None);
    let (status, headers) = from_page(Method::GET, &format!("{url}/things"), ELSEWHERE, None).await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "access-control-allow-origin"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_origin_answers_the_preflight_and_the_request() {
    let log = Log::new();
    let url = things(&log, Cors::AnyOrigin).await;
    for (path, method) in [
        ("/things", "POST"),
        ("/things/1", "PATCH"),
        ("/things/1", "DELETE"),
    ] {
        let (status, headers) = preflight(&format!("{url}{path}"), ELSEWHERE, method).await;
        assert_eq!(status, 200, "{path} {method}: {headers:?}");
        assert_preflight_allows_feathers(&headers, "*");
        // The same answer for every origin: nothing for a cache to vary on.
        assert!(headers.get("vary").is_none(), "{headers:?}");
    }
    assert!(
        log.take().is_empty(),
        "a preflight never reaches the service"
    );
    // The real requests, answers and errors alike.
    let things = format!("{url}/things");
    let (status, headers) =
        from_page(Method::POST, &things, ELSEWHERE, Some(json!({"a": 1}))).await;
    assert_eq!(status, 201);
    assert_eq!(header(&headers, "access-control-allow-origin"), Some("*"));
    assert_eq!(header(&headers, "access-control-allow-credentials"), None);
    for (method, path) in [(Method::GET, "/nowhere"), (Method::POST, "/things/1")] {
        let (status, headers) = from_page(method, &format!("{url}{path}"), ELSEWHERE, None).await;
        assert!(status >= 400, "{path}");
        assert_eq!(
            header(&headers, "access-control-allow-origin"),
            Some("*"),
            "{path}"
        );
    }
}

/// Status and headers of an answer, without those that differ between two
/// servers for reasons other than CORS (`date`), sorted by name.
async fn answer_of(request: reqwest::RequestBuilder) -> (u16, Vec<(String, String)>) {
    let response = request.send().await.expect("an answer");
    let mut headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .filter(|(name, _)| *name != "date" && *name != "x-content-type-options")
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap_or("?").to_owned()))
        .collect();
    headers.sort();
    (response.status().as_u16(), headers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_origin_answers_as_tower_http_configured_by_cors_layer_does() {
    // The app applies any origin by a layer of its own (its header values
    // made once); `Cors::layer` gives tower-http's, for routes of a user's.
    // Both answer the same.
    let ours = things(&Log::new(), Cors::AnyOrigin).await;
    let tower_http = Cors::AnyOrigin.layer().unwrap().expect("a layer");
    let theirs = serve(
        recorded_app(&Log::new())
            .into_router_with(RestOptions::default())
            .unwrap()
            .layer(tower_http),
    )
    .await;
    let client = reqwest::Client::new();
    type Request = fn(&reqwest::Client, String) -> reqwest::RequestBuilder;
    let requests: [(&str, &str, Request); 6] = [
        ("a preflight", "/things", |client, url| {
            client
                .request(Method::OPTIONS, url)
                .header("origin", ELSEWHERE)
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "content-type")
        }),
        ("a bare OPTIONS", "/things/1", |client, url| {
            client.request(Method::OPTIONS, url)
        }),
        ("a find from a page", "/things", |client, url| {
            client.get(url).header("origin", ELSEWHERE)
        }),
        ("a get from no page", "/things/1", |client, url| {
            client.get(url)
        }),
        ("an unknown path", "/nowhere", |client, url| {
            client.get(url).header("origin", ELSEWHERE)
        }),
        ("a malformed body", "/things", |client, url| {
            client
                .post(url)
                .header("origin", ELSEWHERE)
                .header("content-type", "application/json")
                .body("{")
        }),
    ];
    for (what, path, request) in requests {
        let mine = answer_of(request(&client, format!("{ours}{path}"))).await;
        let reference = answer_of(request(&client, format!("{theirs}{path}"))).await;
        assert_eq!(mine, reference, "{what}");
        assert!(
            mine.1
                .iter()
                .any(|(name, value)| name == "access-control-allow-origin" && value == "*"),
            "{what}: {mine:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_of_origins_allows_those_only() {
    let log = Log::new();
    let cors = Cors::parse("https://chat.example.com, http://localhost:8080").unwrap();
    let url = things(&log, cors).await;
    let things = format!("{url}/things");
    for origin in ["https://chat.example.com", "http://localhost:8080"] {
        let (status, headers) = preflight(&things, origin, "POST").await;
        assert_eq!(status, 200);
        assert_preflight_allows_feathers(&headers, origin);
        assert!(
            items(&headers, "vary").iter().any(|item| item == "origin"),
            "{headers:?}"
        );
        let (status, headers) = from_page(Method::GET, &things, origin, None).await;
        assert_eq!(status, 200);
        assert_eq!(
            header(&headers, "access-control-allow-origin"),
            Some(origin)
        );
    }
    // Another origin (a look-alike too) gets no allowance, which its
    // browser enforces.
    for origin in [ELSEWHERE, "https://chat.example.com.evil.example", "null"] {
        let (_, headers) = preflight(&things, origin, "POST").await;
        assert_eq!(
            header(&headers, "access-control-allow-origin"),
            None,
            "{origin}"
        );
        let (_, headers) = from_page(Method::GET, &things, origin, None).await;
        assert_eq!(
            header(&headers, "access-control-allow-origin"),
            None,
            "{origin}"
        );
    }
}

#[test]
fn an_origin_that_is_not_one_stops_the_router() {
    let options = RestOptions {
        cors: Cors::Origins(vec!["https://chat.example.com/".into()]),
        ..RestOptions::default()
    };
    let error = App::new().into_router_with(options).unwrap_err();
    assert!(
        error.message().contains("https://chat.example.com/"),
        "{error}"
    );
}

// ---------------------------------------------------------------------------
// The chat app, as its binary serves it (`web::router`: the page and the
// app)
// ---------------------------------------------------------------------------

async fn chat(options: RestOptions) -> String {
    let app = examples::chat::app("cors-test-secret").unwrap();
    serve(web::router_with(app, web::DEFAULT_DIR, options).unwrap()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_app_is_open_to_any_origin() {
    assert_eq!(web::rest_options().cors, Cors::AnyOrigin);
    let url = chat(web::rest_options()).await;
    // Sign-up, login, an authenticated post: each preflight, then the
    // request, as a page on another origin makes them.
    let (status, headers) = preflight(&format!("{url}/users"), ELSEWHERE, "POST").await;
    assert_eq!(status, 200);
    assert_preflight_allows_feathers(&headers, "*");
    let account = json!({"email": "ada@example.com", "password": "s3cret-Pa55"});
    let (status, headers) = from_page(
        Method::POST,
        &format!("{url}/users"),
        ELSEWHERE,
        Some(account),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(header(&headers, "access-control-allow-origin"), Some("*"));
    let (status, headers) = preflight(&format!("{url}/authentication"), ELSEWHERE, "POST").await;
    assert_eq!(status, 200);
    assert_preflight_allows_feathers(&headers, "*");
    let login = json!({"strategy": "local", "email": "ada@example.com", "password": "s3cret-Pa55"});
    let (status, headers) = from_page(
        Method::POST,
        &format!("{url}/authentication"),
        ELSEWHERE,
        Some(login),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(header(&headers, "access-control-allow-origin"), Some("*"));
    // The page's own paths and the socket's long-polling answer too.
    let (status, headers) = preflight(&format!("{url}/"), ELSEWHERE, "GET").await;
    assert_eq!(status, 200);
    assert_preflight_allows_feathers(&headers, "*");
    for path in ["/app.js", "/socket.io/?EIO=4&transport=polling"] {
        let (status, headers) =
            from_page(Method::GET, &format!("{url}{path}"), ELSEWHERE, None).await;
        assert!(status < 500, "{path}: {status}");
        assert_eq!(
            header(&headers, "access-control-allow-origin"),
            Some("*"),
            "{path}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_app_takes_a_narrower_setting() {
    let options = RestOptions {
        cors: Cors::parse("https://chat.example.com").unwrap(),
        ..web::rest_options()
    };
    let url = chat(options).await;
    for path in ["/messages", "/"] {
        let (_, headers) =
            preflight(&format!("{url}{path}"), "https://chat.example.com", "POST").await;
        assert_eq!(
            header(&headers, "access-control-allow-origin"),
            Some("https://chat.example.com"),
            "{path}"
        );
        let (_, headers) = preflight(&format!("{url}{path}"), ELSEWHERE, "POST").await;
        assert_eq!(
            header(&headers, "access-control-allow-origin"),
            None,
            "{path}"
        );
    }
    let none = RestOptions {
        cors: Cors::parse("none").unwrap(),
        ..web::rest_options()
    };
    let url = chat(none).await;
    let (status, headers) = preflight(&format!("{url}/messages"), ELSEWHERE, "POST").await;
    assert_eq!(status, 405);
    assert_eq!(header(&headers, "access-control-allow-origin"), None);
}
