//! What the fault tests share: the chat app served on a free port, and
//! `POST /messages` whose answers are checked as they come.

use std::net::SocketAddr;

use auth_core::prelude::*;
use serde_json::{Value, json};
use tokio::task::JoinHandle;

/// The JWT secret of the apps under test.
pub(crate) const SECRET: &str = "faults-test-secret-0123456789abcdef";

/// Serves `app` (REST and Socket.IO) on a free port of 127.0.0.1 until the
/// test ends: its address, and the serving task (finished only if the
/// server stopped).
pub(crate) async fn serve(app: App) -> (SocketAddr, JoinHandle<Result<()>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let address = listener.local_addr().expect("the listener's address");
    let server = tokio::spawn(app.serve(listener, std::future::pending()));
    (address, server)
}

/// A message the app acknowledged (`201 Created`): its id and text.
#[derive(Debug, Clone)]
pub(crate) struct Acked {
    pub(crate) id: Value,
    pub(crate) text: String,
}

/// What one `POST /messages` was answered.
#[derive(Debug)]
pub(crate) enum Answer {
    /// `201`, the record created.
    Created(Acked),
    /// `503` in Feathers' error shape, `Unavailable` (checked).
    Unavailable,
}

/// Posts a message with `text` to the app at `base`. Any answer but a
/// `201` with the record or a `503 Unavailable` in Feathers' error shape
/// fails the test; a request that got no answer at all is the `Err`.
pub(crate) async fn post_message(
    client: &reqwest::Client,
    base: &str,
    text: &str,
) -> reqwest::Result<Answer> {
    let response = client
        .post(format!("{base}/messages"))
        .json(&json!({ "text": text }))
        .send()
        .await?;
    let status = response.status().as_u16();
    let body: Value = response.json().await?;
    match status {
        201 => {
            assert_eq!(body["text"], text, "{body}");
            assert!(body["id"].is_i64(), "{body}");
            Ok(Answer::Created(Acked {
                id: body["id"].clone(),
                text: text.to_owned(),
            }))
        }
        503 => {
            assert_unavailable(&body);
            Ok(Answer::Unavailable)
        }
        _ => panic!("POST /messages {text:?} answered {status}: {body}"),
    }
}

/// `body` is Feathers' `Unavailable` error, with nothing else in it (no
/// driver message, no SQL).
pub(crate) fn assert_unavailable(body: &Value) {
    assert_eq!(body["name"], "Unavailable", "{body}");
    assert_eq!(body["code"], 503, "{body}");
    assert_eq!(body["className"], "unavailable", "{body}");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|text| !text.is_empty()),
        "{body}"
    );
    assert_eq!(
        body.as_object().map(serde_json::Map::len),
        Some(4),
        "{body}"
    );
}

/// Every message of `acked` reads back (`GET /messages/<id>`) with its
/// text; fails naming all those that do not.
pub(crate) async fn assert_all_kept(client: &reqwest::Client, base: &str, acked: &[Acked]) {
    let mut lost = Vec::new();
    for message in acked {
        let response = client
            .get(format!("{base}/messages/{}", message.id))
            .send()
            .await
            .expect("the app answers");
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if status != 200 || body["text"] != message.text.as_str() {
            lost.push(format!("{message:?}: {status} {body}"));
        }
    }
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged messages lost:\n{}",
        lost.len(),
        acked.len(),
        lost.join("\n")
    );
}
