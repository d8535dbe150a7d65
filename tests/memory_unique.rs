//! `MemoryOptions::unique`: a field's value held at most once across
//! records, as a SQL unique index, for every write and under concurrency.

use auth_core::memory::{MemoryOptions, MemoryService};
use auth_core::prelude::*;
use serde_json::{Value, json};

async fn users(multi: bool) -> ServiceHandle<MemoryService> {
    let options = MemoryOptions::new().unique(["email"]).multi(multi);
    let app = App::new().register("users", MemoryService::<Value>::with_options(options));
    let users = app.service::<MemoryService>("users");
    for email in ["ada@example.com", "bob@example.com"] {
        users
            .create(json!({ "email": email }), Params::new())
            .await
            .unwrap();
    }
    users
}

async fn emails(users: &ServiceHandle<MemoryService>) -> Vec<Value> {
    let Found::All(all) = users.find(Params::new()).await.unwrap() else {
        panic!("not a list")
    };
    all.into_iter().map(|user| user["email"].clone()).collect()
}

#[track_caller]
fn assert_conflict<T: std::fmt::Debug>(result: Result<T>) {
    let error = result.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Conflict, "{error:?}");
    assert_eq!(error.message(), "email: value already exists");
    assert_eq!(error.errors(), Some(&json!({ "email": "already exists" })));
}

#[tokio::test]
async fn create_update_and_patch_never_repeat_a_unique_value() {
    let users = users(false).await;
    assert_conflict(
        users
            .create(json!({ "email": "ada@example.com" }), Params::new())
            .await,
    );
    assert_conflict(
        users
            .update(1, json!({ "email": "ada@example.com" }), Params::new())
            .await,
    );
    assert_conflict(
        users
            .patch(1, json!({ "email": "ada@example.com" }), Params::new())
            .await,
    );
    assert_eq!(emails(&users).await, ["ada@example.com", "bob@example.com"]);
    // A record keeps its own value; another value is free.
    users
        .patch(
            0,
            json!({ "email": "ada@example.com", "name": "Ada" }),
            Params::new(),
        )
        .await
        .unwrap();
    users
        .update(1, json!({ "email": "bob@example.com" }), Params::new())
        .await
        .unwrap();
    users
        .patch(1, json!({ "email": "robert@example.com" }), Params::new())
        .await
        .unwrap();
    // The value Bob left is free again.
    users
        .create(json!({ "email": "bob@example.com" }), Params::new())
        .await
        .unwrap();
}

#[tokio::test]
async fn missing_and_null_values_are_no_value() {
    let users = users(false).await;
    for record in [
        json!({}),
        json!({}),
        json!({ "email": null }),
        json!({ "email": null }),
    ] {
        users.create(record, Params::new()).await.unwrap();
    }
    assert_eq!(emails(&users).await.len(), 6);
}

#[tokio::test]
async fn multi_writes_are_checked_against_the_store_and_each_other() {
    let users = users(true).await;
    assert_conflict(
        users
            .create_many(
                vec![
                    json!({ "email": "cy@example.com" }),
                    json!({ "email": "cy@example.com" }),
                ],
                Params::new(),
            )
            .await,
    );
    assert_conflict(
        users
            .create_many(
                vec![
                    json!({ "email": "cy@example.com" }),
                    json!({ "email": "bob@example.com" }),
                ],
                Params::new(),
            )
            .await,
    );
    assert_conflict(
        users
            .patch_many(json!({ "email": "same@example.com" }), Params::new())
            .await,
    );
    // Nothing of a refused call is stored.
    assert_eq!(emails(&users).await, ["ada@example.com", "bob@example.com"]);
    let one = Params::new().with_query(json!({ "email": "bob@example.com" }));
    users
        .patch_many(json!({ "email": "robert@example.com" }), one)
        .await
        .unwrap();
    assert_eq!(
        emails(&users).await,
        ["ada@example.com", "robert@example.com"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_of_one_value_store_it_once() {
    let users = users(false).await;
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let users = users.clone();
            tokio::spawn(async move {
                users
                    .create(json!({ "email": "cy@example.com" }), Params::new())
                    .await
            })
        })
        .collect();
    let mut created = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => created += 1,
            Err(error) => assert_eq!(error.kind(), ErrorKind::Conflict),
        }
    }
    assert_eq!(created, 1);
    assert_eq!(emails(&users).await.len(), 3);
}
