//! The chat app's HTTP contract tests (`chat_http/suite.rs`), its records
//! in SQLite: a fresh file per app, created and migrated as the binary's
//! default `chat.db` is. Also: records survive a restart.

use auth_core::prelude::*;
use examples::chat::{Messages, Storage, Users};
use serde_json::json;

/// Where each app of the suite keeps its records.
async fn storage() -> Storage {
    Storage::sqlite_file(tests::scratch_file("chat.db"))
}

#[path = "chat_http/suite.rs"]
mod suite;

#[path = "chat_http/restart.rs"]
mod restart;

// "Storage [...] unset, an embedded SQLite file [...] (created and migrated
// at start, so users and messages survive a restart)": an app built on a
// file, then dropped, and another built on the same file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_survive_a_restart_on_sqlite() {
    let file = Storage::sqlite_file(tests::scratch_file("restart.db"));
    restart::records_survive_a_restart(&file).await;
}

/// "Filtered, sorted, limited finds use indexes and never load a table
/// into memory": the query plans of the chat's finds on SQLite.
#[tokio::test]
async fn the_chats_finds_use_indexes() {
    use auth_core::store::Store;

    let app = examples::chat::app_on("secret", &storage().await)
        .await
        .unwrap();
    let messages = app.service::<Messages>("messages");
    let Store::Sql(messages) = &messages.inner().unwrap().0 else {
        panic!("the chat's messages are not in SQLite")
    };
    let users = app.service::<Users>("users");
    let Store::Sql(users) = &users.inner().unwrap().0 else {
        panic!("the chat's users are not in SQLite")
    };
    let plan = |plan: Vec<String>| plan.join("; ");
    let cases = [
        // The first page, newest first (`$sort[id]=-1`).
        (
            plan(
                messages
                    .explain_find(&Params::new().with_query(json!({ "$sort": { "id": -1 } })))
                    .await
                    .unwrap(),
            ),
            "SCAN messages",
        ),
        // One author's messages (`?userId=`, and `restrict_to_owner`).
        (
            plan(
                messages
                    .explain_find(&Params::new().with_query(json!({ "userId": 1 })))
                    .await
                    .unwrap(),
            ),
            "USING INDEX messages_user_id",
        ),
        // A message by id, as `get` reads it.
        (
            plan(
                messages
                    .explain_find(&Params::new().with_query(json!({ "id": 1 })))
                    .await
                    .unwrap(),
            ),
            "USING INTEGER PRIMARY KEY",
        ),
        // The `local` strategy's login lookup.
        (
            plan(
                users
                    .explain_find(&Params::new().with_query(json!({ "email": "ada@example.com" })))
                    .await
                    .unwrap(),
            ),
            "USING INDEX sqlite_autoindex_users_1",
        ),
    ];
    for (plan, expected) in cases {
        assert!(plan.contains(expected), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "sorted in memory: {plan}");
    }
}
