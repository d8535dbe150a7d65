//! `Store<T>` through the public API: the same calls, every method and
//! multi form, `custom` and the hooks of `#[hooks(..)]` included, answer
//! alike whether the store holds a `MemoryService` or an `SqlService`.

use auth_core::memory::{MemoryOptions, MemoryService};
use auth_core::prelude::*;
use auth_core::query::Paginate;
use auth_core::sql::sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use auth_core::sql::{SqlOptions, SqlService, sqlx};
use auth_core::store::Store;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Note {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<i64>,
    text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    votes: Option<i64>,
}

fn note(text: &str, votes: i64) -> Note {
    Note {
        id: None,
        text: text.to_owned(),
        votes: Some(votes),
    }
}

/// Upper-cases a single create's text: proof that the struct's chain runs
/// before the store.
async fn shout(ctx: &mut HookContext<Notes>) -> Result<()> {
    if let Some(Payload::One(note)) = &mut ctx.data {
        note.text = note.text.to_uppercase();
    }
    Ok(())
}

#[hooks(before(create = [shout]))]
struct Notes(Store<Note>);

const PAGE: Paginate = Paginate { default: 2, max: 3 };

fn memory() -> Store<Note> {
    MemoryService::with_options(MemoryOptions::new().multi(true).paginate(PAGE)).into()
}

static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

async fn sqlite() -> Store<Note> {
    let path = std::env::temp_dir().join(format!(
        "auth-core-store-{}-{}.db",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let _ = std::fs::remove_file(&path);
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(2)
        .connect_with(options)
        .await
        .unwrap();
    sqlx::query("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL, votes INTEGER)")
        .execute(&pool)
        .await
        .unwrap();
    SqlService::new(pool, "notes", SqlOptions::new().multi(true).paginate(PAGE))
        .await
        .unwrap()
        .into()
}

/// Every method through the store, with the chain of `Notes`; the texts
/// it saw, for comparison across adapters.
async fn exercise(store: Store<Note>) -> Vec<String> {
    let app = App::new().register("notes", Notes(store));
    let notes = app.service::<Notes>("notes");
    let mut seen = Vec::new();

    let a = notes.create(note("a", 1), Params::new()).await.unwrap();
    assert_eq!(a.text, "A", "the struct's hook ran before the store");
    let many = notes
        .create_many(vec![note("b", 5), note("c", 9)], Params::new())
        .await
        .unwrap();
    assert_eq!(many.len(), 2);
    let a_id = a.id.unwrap();

    let got = notes.get(a_id, Params::new()).await.unwrap();
    assert_eq!(got, a);

    let page = notes.find(Params::new()).await.unwrap();
    let Found::Page(page) = page else {
        panic!("a paginated store answers a page")
    };
    assert_eq!((page.total, page.limit, page.data.len()), (3, 2, 2));

    let query =
        Params::new().with_query(json!({ "votes": { "$gt": "4" }, "$sort": { "votes": -1 } }));
    let found = notes.find(query).await.unwrap();
    seen.extend(found.data().iter().map(|note| note.text.clone()));

    let updated = notes
        .update(a_id, note("replaced", 2), Params::new())
        .await
        .unwrap();
    assert_eq!(
        (updated.text.as_str(), updated.votes),
        ("replaced", Some(2))
    );
    let patched = notes
        .patch(a_id, json!({ "votes": 3 }), Params::new())
        .await
        .unwrap();
    assert_eq!(
        (patched.text.as_str(), patched.votes),
        ("replaced", Some(3))
    );

    let bumped = notes
        .patch_many(
            json!({ "votes": 0 }),
            Params::new().with_query(json!({ "votes": { "$gte": 5 } })),
        )
        .await
        .unwrap();
    seen.extend(
        bumped
            .iter()
            .map(|note| format!("{} {:?}", note.text, note.votes)),
    );

    let removed = notes.remove(a_id, Params::new()).await.unwrap();
    assert_eq!(removed.text, "replaced");
    let missing = notes.get(a_id, Params::new()).await.unwrap_err();
    assert_eq!(missing.code(), 404, "{missing:?}");
    let rest = notes.remove_many(Params::new()).await.unwrap();
    seen.extend(rest.iter().map(|note| note.text.clone()));

    let custom = notes
        .custom("shout", json!({}), Params::new())
        .await
        .unwrap_err();
    assert_eq!(custom.code(), 405, "{custom:?}");

    let unknown = notes
        .find(Params::new().with_query(json!({ "$sort": { "votes": 2 } })))
        .await
        .unwrap_err();
    seen.push(format!("{} {}", unknown.code(), unknown.message()));
    seen
}

#[tokio::test]
async fn every_method_goes_to_the_adapter_held_and_both_answer_alike() {
    let in_memory = exercise(memory()).await;
    let on_sqlite = exercise(sqlite().await).await;
    assert_eq!(
        in_memory,
        [
            "c",
            "b",
            "b Some(0)",
            "c Some(0)",
            "b",
            "c",
            "400 Invalid $sort direction for votes: expected 1 or -1"
        ]
    );
    assert_eq!(in_memory, on_sqlite);
}

#[tokio::test]
async fn options_of_the_adapter_held_apply() {
    // No multi on this memory store: its refusal comes through the store.
    let app = App::new().register("notes", Notes(MemoryService::new().into()));
    let notes = app.service::<Notes>("notes");
    let error = notes
        .create_many(vec![note("a", 1)], Params::new())
        .await
        .unwrap_err();
    assert_eq!(error.code(), 405);
    assert_eq!(error.message(), "Can not create multiple entries");
}
