//! Headers every REST answer of the chat app carries: `nosniff` on all of
//! them, errors included, and
//! `Cache-Control: no-store` on answers that carry a token or an account
//! (the authentication and users services), never on others.

use std::net::SocketAddr;

use reqwest::{Method, Response};
use serde_json::json;

async fn serve() -> SocketAddr {
    let app = examples::chat::app("headers-test-secret").unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(app.serve(listener, std::future::pending()));
    address
}

async fn send(
    address: SocketAddr,
    method: Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> Response {
    let mut request = reqwest::Client::new().request(method, format!("http://{address}{path}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

fn header<'a>(response: &'a Response, name: &str) -> Option<&'a str> {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_says_nosniff_and_credentials_are_never_stored() {
    let address = serve().await;
    let account = json!({"email": "ada@example.com", "password": "pa55word"});
    let login = json!({"strategy": "local", "email": "ada@example.com", "password": "pa55word"});
    let wrong = json!({"strategy": "local", "email": "ada@example.com", "password": "wrong"});
    let cases = [
        (Method::POST, "/users", Some(account), 201, true),
        (Method::POST, "/authentication", Some(login), 201, true),
        (Method::POST, "/authentication", Some(wrong), 401, true),
        (Method::GET, "/users", None, 401, true),
        (Method::GET, "/users/1", None, 401, true),
        (Method::GET, "/messages", None, 200, false),
        (
            Method::POST,
            "/messages",
            Some(json!({"text": "hi"})),
            201,
            false,
        ),
        (Method::GET, "/nowhere", None, 404, false),
        (Method::GET, "/usersx", None, 404, false),
    ];
    for (method, path, body, status, private) in cases {
        let response = send(address, method.clone(), path, body).await;
        assert_eq!(response.status(), status, "{method} {path}");
        assert_eq!(
            header(&response, "x-content-type-options"),
            Some("nosniff"),
            "{method} {path}"
        );
        let stored = header(&response, "cache-control");
        assert_eq!(
            stored == Some("no-store"),
            private,
            "{method} {path}: {stored:?}"
        );
    }
}
