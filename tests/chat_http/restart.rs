//! A test for the storages that keep records in a database: users and
//! messages survive a restart. Included by `chat_http_sqlite.rs` and
//! `chat_http_postgres.rs`, each with its database.

use auth_core::JsonCall;
use auth_core::prelude::*;
use examples::chat::{Message, Messages, Storage, User, Users};
use serde_json::json;

/// "Storage [...] users and messages survive a restart": an app built on
/// `database`, then dropped, and another built on it; ids start at 1 and
/// are never given twice.
pub async fn records_survive_a_restart(database: &Storage) {
    let external = || Params::external(Provider::Rest);

    let first = examples::chat::app_on("secret", database).await.unwrap();
    let ada = first
        .service::<Users>("users")
        .create(
            User {
                id: None,
                email: "ada@example.com".to_owned(),
                password: Some("s3cret-Pa55".to_owned()),
                token_epoch: None,
            },
            external(),
        )
        .await
        .unwrap();
    assert_eq!(
        ada.id,
        Some(1),
        "ids start at 1, as on SQLite and in memory"
    );
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
    let second = examples::chat::app_on("secret", database).await.unwrap();
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
    let messages = second.service::<Messages>("messages");
    let read = messages
        .get(i64::try_from(written.id.unwrap()).unwrap(), Params::new())
        .await
        .unwrap();
    assert_eq!(read.text, "still here");

    // A removed record's id is never given again.
    messages
        .remove(i64::try_from(written.id.unwrap()).unwrap(), Params::new())
        .await
        .unwrap();
    let again = messages
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
