//! The chat app's HTTP contract tests (`chat_http/suite.rs`), its records
//! in SQLite: a fresh file per app, created and migrated as the binary's
//! default `chat.db` is. Also: records survive a restart.

use auth_core::JsonCall;
use auth_core::prelude::*;
use examples::chat::{Message, Messages, Storage, User, Users};
use serde_json::json;

/// Where each app of the suite keeps its records.
fn storage() -> Storage {
    Storage::sqlite_file(tests::scratch_file("chat.db"))
}

#[path = "chat_http/suite.rs"]
mod suite;

// "Storage [...] unset, an embedded SQLite file [...] (created and migrated
// at start, so users and messages survive a restart)": an app built on a
// file, then dropped, and another built on the same file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_survive_a_restart_on_sqlite() {
    let file = Storage::sqlite_file(tests::scratch_file("restart.db"));
    let external = || Params::external(Provider::Rest);

    let first = examples::chat::app_on("secret", &file).await.unwrap();
    let ada = first
        .service::<Users>("users")
        .create(
            User {
                id: None,
                email: "ada@example.com".to_owned(),
                password: Some("s3cret-Pa55".to_owned()),
            },
            external(),
        )
        .await
        .unwrap();
    let written = first
        .service::<Messages>("messages")
        .create(
            Message {
                id: None,
                text: "still here".to_owned(),
                user_id: None,
                anonymous: None,
            },
            Params::new(),
        )
        .await
        .unwrap();
    drop(first);

    // Migrating again is a no-op: the schema and the records are kept.
    let second = examples::chat::app_on("secret", &file).await.unwrap();
    let login = second
        .json_service("authentication")
        .unwrap()
        .call(JsonCall::new(Method::Create, external()).data(
            json!({ "strategy": "local", "email": "ada@example.com", "password": "s3cret-Pa55" }),
        ))
        .await
        .unwrap()
        .to_json()
        .unwrap();
    assert_eq!(login["user"]["id"], json!(ada.id), "{login}");
    let read = second
        .service::<Messages>("messages")
        .get(i64::try_from(written.id.unwrap()).unwrap(), Params::new())
        .await
        .unwrap();
    assert_eq!(read.text, "still here");

    // A new record takes a new id: none is given twice across restarts.
    let again = second
        .service::<Messages>("messages")
        .create(
            Message {
                id: None,
                text: "after".to_owned(),
                user_id: None,
                anonymous: Some(true),
            },
            Params::new(),
        )
        .await
        .unwrap();
    assert!(again.id > written.id, "{again:?} after {written:?}");
}
