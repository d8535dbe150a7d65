//! `SqlService` on SQLite (a file per test in the temporary directory),
//! through the public API: every method and multi form, Feathers' query
//! operators translated to SQL, pagination with a counted total, fields
//! checked against the table's columns, database errors as Feathers errors,
//! and client input that tries to become SQL.

use auth_core::prelude::*;
use auth_core::query::Paginate;
use auth_core::sql::{SqlOptions, SqlService};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tests::sqlite::TempDatabase;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Message {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<i64>,
    text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    votes: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    done: Option<bool>,
}

fn message(text: &str, votes: Option<i64>) -> Message {
    Message {
        id: None,
        text: text.to_owned(),
        votes,
        done: None,
    }
}

const SCHEMA: &str = "CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL UNIQUE,
    votes INTEGER,
    done BOOLEAN
)";

/// A fresh database file with the messages table, removed when dropped.
async fn database() -> TempDatabase {
    TempDatabase::new(SCHEMA, 4).await
}

/// The messages service, and the database it lives in.
struct Messages {
    handle: ServiceHandle<SqlService<Message>>,
    database: TempDatabase,
}

impl std::ops::Deref for Messages {
    type Target = ServiceHandle<SqlService<Message>>;

    fn deref(&self) -> &Self::Target {
        &self.handle
    }
}

async fn service(options: SqlOptions) -> Messages {
    let database = database().await;
    let messages = SqlService::<Message>::new(database.pool(), "messages", options)
        .await
        .unwrap();
    Messages {
        handle: App::new()
            .register("messages", messages)
            .service::<SqlService<Message>>("messages"),
        database,
    }
}

/// An untyped service on the messages table of `database`.
async fn raw(database: &TempDatabase) -> ServiceHandle<SqlService> {
    let raw = SqlService::<Value>::new(database.pool(), "messages", SqlOptions::new())
        .await
        .unwrap();
    App::new().register("raw", raw).service::<SqlService>("raw")
}

/// Four messages: a (3 votes), b (7), c (none), d (7).
async fn seeded(options: SqlOptions) -> Messages {
    let messages = service(options).await;
    for (text, votes) in [("a", Some(3)), ("b", Some(7)), ("c", None), ("d", Some(7))] {
        messages
            .create(message(text, votes), Params::new())
            .await
            .unwrap();
    }
    messages
}

fn query(query: Value) -> Params {
    Params::new().with_query(query)
}

async fn texts(messages: &Messages, q: Value) -> Vec<String> {
    let found = messages.find(query(q)).await.unwrap();
    found.data().iter().map(|m| m.text.clone()).collect()
}

#[tokio::test]
async fn every_method_round_trips_a_typed_record_with_ids_from_the_database() {
    let messages = service(SqlOptions::new()).await;
    let created = messages
        .create(message("hello", Some(1)), Params::new())
        .await
        .unwrap();
    assert_eq!(created.id, Some(1));
    let second = messages
        .create(message("again", None), Params::new())
        .await
        .unwrap();
    assert_eq!(second.id, Some(2));

    assert_eq!(messages.get(1, Params::new()).await.unwrap(), created);
    assert_eq!(messages.get("1", Params::new()).await.unwrap(), created);

    let patched = messages
        .patch(1, json!({ "votes": 5, "done": true }), Params::new())
        .await
        .unwrap();
    assert_eq!((patched.votes, patched.done), (Some(5), Some(true)));
    assert_eq!(patched.text, "hello");

    // `update` replaces: fields the data leaves out become null.
    let updated = messages
        .update(1, message("replaced", None), Params::new())
        .await
        .unwrap();
    assert_eq!(
        updated,
        Message {
            id: Some(1),
            text: "replaced".into(),
            votes: None,
            done: None
        }
    );

    let removed = messages.remove(1, Params::new()).await.unwrap();
    assert_eq!(removed, updated);
    let error = messages.get(1, Params::new()).await.unwrap_err();
    assert_eq!(
        (error.code(), error.message()),
        (404, "No record found for id '1'")
    );
    assert_eq!(
        messages.get("x", Params::new()).await.unwrap_err().code(),
        404
    );
}

#[tokio::test]
async fn feathers_operators_run_as_sql() {
    let messages = seeded(SqlOptions::new()).await;
    let cases = [
        (json!({ "votes": 7 }), vec!["b", "d"]),
        (json!({ "votes": "7" }), vec!["b", "d"]),
        (json!({ "votes": { "$gt": "3" } }), vec!["b", "d"]),
        (json!({ "votes": { "$gte": 3, "$lt": 7 } }), vec!["a"]),
        (json!({ "votes": { "$lte": 3 } }), vec!["a"]),
        (json!({ "votes": { "$in": [3, "7"] } }), vec!["a", "b", "d"]),
        (json!({ "votes": { "$nin": [7] } }), vec!["a", "c"]),
        (json!({ "votes": { "$ne": 7 } }), vec!["a", "c"]),
        (json!({ "votes": null }), vec!["c"]),
        (json!({ "votes": { "$ne": null } }), vec!["a", "b", "d"]),
        (json!({ "votes": "abc" }), vec![]),
        (
            json!({ "$or": [{ "text": "a" }, { "votes": { "$gt": 5 } }] }),
            vec!["a", "b", "d"],
        ),
        (
            json!({ "$and": [{ "$or": [{ "text": "a" }, { "text": "b" }] }, { "votes": 7 }] }),
            vec!["b"],
        ),
        (
            json!({ "$sort": { "votes": -1, "text": -1 } }),
            vec!["d", "b", "a", "c"],
        ),
        (
            json!({ "$sort": { "text": 1 }, "$skip": 1, "$limit": 2 }),
            vec!["b", "c"],
        ),
        (json!({ "$skip": "3" }), vec!["d"]),
    ];
    for (q, expected) in cases {
        assert_eq!(texts(&messages, q.clone()).await, expected, "{q}");
    }
}

#[tokio::test]
async fn pages_count_their_total_and_limit_zero_only_counts() {
    let messages = seeded(SqlOptions::new().paginate(Paginate { default: 2, max: 3 })).await;
    let Found::Page(page) = messages
        .find(query(json!({ "$sort": { "text": 1 } })))
        .await
        .unwrap()
    else {
        panic!("not a page")
    };
    assert_eq!((page.total, page.limit, page.skip), (4, 2, 0));
    assert_eq!(page.data.len(), 2);

    let Found::Page(page) = messages
        .find(query(json!({ "$limit": 100, "votes": 7 })))
        .await
        .unwrap()
    else {
        panic!("not a page")
    };
    assert_eq!((page.total, page.limit, page.data.len()), (2, 3, 2));

    let Found::Page(page) = messages.find(query(json!({ "$limit": 0 }))).await.unwrap() else {
        panic!("not a page")
    };
    assert_eq!((page.total, page.limit, page.data.len()), (4, 0, 0));
}

#[tokio::test]
async fn select_trims_what_the_record_type_allows() {
    let messages = seeded(SqlOptions::new()).await;
    let found = messages
        .find(query(json!({ "text": "a", "$select": ["text"] })))
        .await
        .unwrap();
    assert_eq!(
        found.data(),
        [Message {
            id: Some(1),
            text: "a".into(),
            votes: None,
            done: None
        }]
    );
}

#[tokio::test]
async fn unknown_fields_are_400_naming_them_and_never_reach_sql() {
    let messages = seeded(SqlOptions::new()).await;
    for q in [
        json!({ "title": "a" }),
        json!({ "$or": [{ "text": "a" }, { "title": "a" }] }),
        json!({ "$sort": { "title": 1 } }),
        json!({ "$select": ["text", "title"] }),
        json!({ "id; DROP TABLE messages; --": 1 }),
        json!({ "$sort": { "text; DROP TABLE messages": 1 } }),
    ] {
        let error = messages.find(query(q.clone())).await.unwrap_err();
        assert_eq!(error.code(), 400, "{q}");
        assert!(
            error.message().starts_with("Unknown field '"),
            "{q}: {error}"
        );
    }
    let database = database().await;
    let raw = raw(&database).await;
    let error = raw
        .create(json!({ "text": "x", "title": "y" }), Params::new())
        .await
        .unwrap_err();
    assert_eq!(
        (error.code(), error.message(), error.errors()),
        (
            400,
            "Unknown field 'title'",
            Some(&json!({ "title": "unknown field" }))
        )
    );
    // The table is intact and values are stored as given, quotes and all.
    let evil = "'); DROP TABLE messages; --";
    messages
        .create(message(evil, None), Params::new())
        .await
        .unwrap();
    assert_eq!(texts(&messages, json!({ "text": evil })).await, [evil]);
    assert_eq!(texts(&messages, json!({})).await.len(), 5);
}

#[tokio::test]
async fn database_errors_are_feathers_errors_without_sql() {
    let messages = seeded(SqlOptions::new()).await;
    let error = messages
        .create(message("a", None), Params::new())
        .await
        .unwrap_err();
    assert_eq!(
        (error.code(), error.message(), error.errors()),
        (
            409,
            "text: value already exists",
            Some(&json!({ "text": "already exists" }))
        )
    );
    // A brought id in use is a conflict, never a replacement.
    let mut taken = message("new", None);
    taken.id = Some(1);
    let error = messages.create(taken, Params::new()).await.unwrap_err();
    assert_eq!(
        (error.code(), error.message()),
        (409, "A record with id '1' already exists")
    );
    assert_eq!(messages.get(1, Params::new()).await.unwrap().text, "a");

    let database = database().await;
    let raw = raw(&database).await;
    let error = raw
        .create(json!({ "votes": 1 }), Params::new())
        .await
        .unwrap_err();
    assert_eq!((error.code(), error.message()), (400, "'text' is required"));
    let error = raw
        .create(json!({ "text": "x", "votes": "many" }), Params::new())
        .await
        .unwrap_err();
    assert_eq!(
        (error.code(), error.message()),
        (400, "Invalid value for 'votes'")
    );
}

#[tokio::test]
async fn a_patch_that_would_break_the_record_type_stores_nothing() {
    let messages = seeded(SqlOptions::new()).await;
    let error = messages
        .patch(1, json!({ "text": null }), Params::new())
        .await
        .unwrap_err();
    assert_eq!(error.code(), 400, "{error}");
    assert_eq!(messages.get(1, Params::new()).await.unwrap().text, "a");
}

#[tokio::test]
async fn multi_calls_need_the_option_and_return_what_they_touched() {
    let messages = seeded(SqlOptions::new()).await;
    let error = messages
        .patch_many(json!({ "done": true }), Params::new())
        .await
        .unwrap_err();
    assert_eq!(error.code(), 405);

    let messages = seeded(SqlOptions::new().multi(true)).await;
    let created = messages
        .create_many(
            vec![message("e", None), message("f", Some(1))],
            Params::new(),
        )
        .await
        .unwrap();
    assert_eq!(
        created.iter().map(|m| m.id).collect::<Vec<_>>(),
        [Some(5), Some(6)]
    );
    // One failing record stores none of the list.
    let error = messages
        .create_many(vec![message("g", None), message("a", None)], Params::new())
        .await
        .unwrap_err();
    assert_eq!(error.code(), 409);
    assert_eq!(
        texts(&messages, json!({ "text": "g" })).await,
        Vec::<String>::new()
    );

    let patched = messages
        .patch_many(json!({ "done": true }), query(json!({ "votes": 7 })))
        .await
        .unwrap();
    assert_eq!(
        patched
            .iter()
            .map(|m| (m.text.as_str(), m.done))
            .collect::<Vec<_>>(),
        [("b", Some(true)), ("d", Some(true))]
    );
    let removed = messages
        .remove_many(query(json!({ "done": true })))
        .await
        .unwrap();
    assert_eq!(removed.len(), 2);
    assert_eq!(texts(&messages, json!({})).await, ["a", "c", "e", "f"]);
}

#[tokio::test]
async fn unicode_and_large_ids_round_trip() {
    let messages = service(SqlOptions::new()).await;
    let text = "héllo 世界 🦀 \u{0}";
    let mut big = message(text, Some(i64::MIN));
    big.id = Some(i64::MAX);
    let created = messages.create(big.clone(), Params::new()).await.unwrap();
    assert_eq!(created, big);
    assert_eq!(
        messages
            .get(i64::MAX.to_string().as_str(), Params::new())
            .await
            .unwrap(),
        big
    );
    assert_eq!(texts(&messages, json!({ "text": text })).await, [text]);
}

#[tokio::test]
async fn concurrent_creates_each_get_their_own_id() {
    let messages = service(SqlOptions::new()).await;
    let calls = (0..20).map(|n| {
        let messages = messages.clone();
        tokio::spawn(async move {
            messages
                .create(message(&format!("m{n}"), Some(n)), Params::new())
                .await
        })
    });
    let mut ids = Vec::new();
    for call in calls {
        ids.push(call.await.unwrap().unwrap().id.unwrap());
    }
    ids.sort();
    assert_eq!(ids, (1..=20).collect::<Vec<i64>>());
}

/// The adapter form of `#[hooks]` works on `SqlService` as on the memory
/// adapter.
#[tokio::test]
async fn an_adapter_struct_carries_hooks_over_sql() {
    async fn shout(ctx: &mut HookContext<Shouted>) -> Result<()> {
        if let Some(Payload::One(message)) = &mut ctx.data {
            message.text = message.text.to_uppercase();
        }
        Ok(())
    }

    #[hooks(before(create = [shout]))]
    struct Shouted(SqlService<Message>);

    let database = database().await;
    let store = SqlService::new(database.pool(), "messages", SqlOptions::new())
        .await
        .unwrap();
    let app = App::new().register("messages", Shouted(store));
    let messages = app.service::<Shouted>("messages");
    let created = messages
        .create(message("quiet", None), Params::new())
        .await
        .unwrap();
    assert_eq!(created.text, "QUIET");
    assert_eq!(messages.get(1, Params::new()).await.unwrap().text, "QUIET");
}

#[tokio::test]
async fn a_missing_table_is_an_error_naming_it() {
    let database = database().await;
    let Err(error) =
        SqlService::<Message>::new(database.pool(), "nothing", SqlOptions::new()).await
    else {
        panic!("a service on a missing table")
    };
    assert!(
        error.message().contains("'nothing' does not exist"),
        "{error}"
    );
}

/// Client input meant as SQL, through every place a query carries it:
/// `$select` names, `$in`/`$nin` members, `$sort` directions, `$or`
/// branches. Names are checked against the columns, values are bound: each
/// is a 400 or a value compared as it is, and the table stays whole.
#[tokio::test]
async fn injection_through_select_in_and_sort_is_refused_or_bound() {
    let messages = seeded(SqlOptions::new()).await;
    let evil = "a' OR '1'='1";
    for q in [
        json!({ "$select": ["text\" FROM messages; DROP TABLE messages; --"] }),
        json!({ "$select": "*" }),
        json!({ "$select": ["text", "votes) FROM messages --"] }),
        json!({ "$select": [{ "text": 1 }] }),
        json!({ "$sort": { "text": "1; DROP TABLE messages" } }),
        json!({ "$sort": { "text": { "$gt": 1 } } }),
    ] {
        let error = messages.find(query(q.clone())).await.unwrap_err();
        assert_eq!(error.code(), 400, "{q}: {error}");
    }
    let cases = [
        (
            json!({ "text": { "$in": ["a", evil, "') OR 1=1 --"] } }),
            vec!["a"],
        ),
        (
            json!({ "text": { "$nin": [evil, "b"] } }),
            vec!["a", "c", "d"],
        ),
        (json!({ "votes": { "$in": ["3 OR 1=1", 3] } }), vec!["a"]),
        (
            json!({ "votes": { "$in": ["7); DROP TABLE messages; --"] } }),
            vec![],
        ),
        (
            json!({ "$or": [{ "text": evil }, { "votes": "1 OR 1=1" }] }),
            vec![],
        ),
        (
            json!({ "text": { "$gt": "' OR 1=1 --" } }),
            vec!["a", "b", "c", "d"],
        ),
    ];
    for (q, expected) in cases {
        assert_eq!(texts(&messages, q.clone()).await, expected, "{q}");
    }
    assert_eq!(texts(&messages, json!({})).await, ["a", "b", "c", "d"]);
}

/// Ids arrive as numbers from code and as strings from URLs: both name the
/// same row for every method, and an id that is no integer (or one
/// carrying SQL) names none.
#[tokio::test]
async fn ids_as_strings_and_numbers_name_the_same_row() {
    let messages = seeded(SqlOptions::new()).await;
    let one = messages.get(1, Params::new()).await.unwrap();
    assert_eq!(messages.get("1", Params::new()).await.unwrap(), one);
    let patched = messages
        .patch("1", json!({ "votes": 4 }), Params::new())
        .await
        .unwrap();
    assert_eq!((patched.id, patched.votes), (Some(1), Some(4)));
    let updated = messages
        .update("1", message("one", Some(5)), Params::new())
        .await
        .unwrap();
    assert_eq!((updated.id, updated.text.as_str()), (Some(1), "one"));
    for other in ["1 OR 1=1", "1; DROP TABLE messages", "01", "1.0", "", "abc"] {
        let error = messages.remove(other, Params::new()).await.unwrap_err();
        assert_eq!(error.code(), 404, "{other:?}");
    }
    assert_eq!(messages.remove("1", Params::new()).await.unwrap(), updated);
    assert_eq!(texts(&messages, json!({})).await, ["b", "c", "d"]);
}

/// The SQL side of the suite's memory-only tests (`tests/adapter/
/// memory_only.rs`): what a memory record may be and an SQL row may not.
#[tokio::test]
async fn what_only_the_memory_adapter_allows_is_refused_with_a_400() {
    let database = database().await;
    let raw = raw(&database).await;
    raw.create(json!({ "text": "a", "votes": 1 }), Params::new())
        .await
        .unwrap();
    let unknown = |field: &str| format!("Unknown field '{field}'");
    // Fields the table does not have, in data or in a query.
    let error = raw
        .create(json!({ "text": "b", "nickname": "B" }), Params::new())
        .await
        .unwrap_err();
    assert_eq!(
        (error.code(), error.message()),
        (400, unknown("nickname").as_str())
    );
    let error = raw
        .patch(1, json!({ "seen": true }), Params::new())
        .await
        .unwrap_err();
    assert_eq!(
        (error.code(), error.message()),
        (400, unknown("seen").as_str())
    );
    for (q, field) in [
        (json!({ "$select": ["text", "nope"] }), "nope"),
        (json!({ "address.city": "Paris" }), "address.city"),
        (json!({ "$sort": { "address.city": 1 } }), "address.city"),
    ] {
        let error = raw.find(query(q.clone())).await.unwrap_err();
        assert_eq!(
            (error.code(), error.message()),
            (400, unknown(field).as_str()),
            "{q}"
        );
    }
    // An array is no value of a column: refused in data, no row in a query.
    let error = raw
        .create(json!({ "text": ["a", "b"] }), Params::new())
        .await
        .unwrap_err();
    assert_eq!(
        (error.code(), error.message()),
        (400, "Invalid value for 'text'")
    );
    let found = raw.find(query(json!({ "text": ["a"] }))).await.unwrap();
    assert!(found.data().is_empty());
    // An integer id column holds no string id; assigned ids go on from the
    // largest.
    let error = raw
        .create(json!({ "id": "abc", "text": "b" }), Params::new())
        .await
        .unwrap_err();
    assert_eq!(
        (error.code(), error.message()),
        (400, "Invalid value for 'id'")
    );
    raw.create(json!({ "id": 10, "text": "ten" }), Params::new())
        .await
        .unwrap();
    let next = raw
        .create(json!({ "text": "next" }), Params::new())
        .await
        .unwrap();
    assert_eq!(next["id"], 11);
}

/// `$like`, `$notlike` and `$ilike` select the same records in memory and
/// in SQLite: `$like` is case-sensitive on both (a GLOB on SQLite), and
/// `$ilike` ignores ASCII case on both.
#[tokio::test]
async fn like_patterns_select_the_same_records_in_memory_and_in_sqlite() {
    use auth_core::memory::MemoryService;

    let sql = service(SqlOptions::new()).await;
    let app = App::new().register("memory", MemoryService::<Message>::new());
    let memory = app.service::<MemoryService<Message>>("memory");
    for text in [
        "Apple",
        "apple pie",
        "banana",
        "50%",
        "500",
        "a_b",
        "axb",
        "[x]*?",
    ] {
        sql.create(message(text, None), Params::new())
            .await
            .unwrap();
        memory
            .create(message(text, None), Params::new())
            .await
            .unwrap();
    }
    let cases = [
        (
            json!({ "text": { "$like": "a%" } }),
            vec!["apple pie", "a_b", "axb"],
        ),
        (
            json!({ "text": { "$ilike": "A%" } }),
            vec!["Apple", "apple pie", "a_b", "axb"],
        ),
        (json!({ "text": { "$like": "%an%" } }), vec!["banana"]),
        (json!({ "text": { "$like": "a_b" } }), vec!["a_b", "axb"]),
        (json!({ "text": { "$like": "50%" } }), vec!["50%", "500"]),
        (json!({ "text": { "$like": "[x]*?" } }), vec!["[x]*?"]),
        (
            json!({ "text": { "$notlike": "%a%" } }),
            vec!["Apple", "50%", "500", "[x]*?"],
        ),
        (
            json!({ "$or": [{ "text": { "$like": "b%" } }, { "text": { "$ilike": "APPLE" } }] }),
            vec!["Apple", "banana"],
        ),
    ];
    for (q, expected) in cases {
        let in_sql = texts(&sql, q.clone()).await;
        let found = memory.find(query(q.clone())).await.unwrap();
        let in_memory: Vec<String> = found.data().iter().map(|m| m.text.clone()).collect();
        assert_eq!(in_sql, expected, "sqlite: {q}");
        assert_eq!(in_memory, expected, "memory: {q}");
    }
    let error = sql
        .find(query(json!({ "text": { "$like": 5 } })))
        .await
        .unwrap_err();
    assert_eq!(
        (error.code(), error.message()),
        (400, "Invalid query for text: $like needs a string pattern")
    );
}

/// True when the call's result is the twin `write_twin` wrote (its own
/// create runs the same hooks).
fn is_twin(ctx: &HookContext<SqlService<Message>>) -> bool {
    matches!(&ctx.result, Some(Output::One(message)) if message.text == "twin")
}

async fn fail_after(ctx: &mut HookContext<SqlService<Message>>) -> Result<()> {
    if is_twin(ctx) {
        return Ok(());
    }
    Err(Error::unprocessable("refused after the write"))
}

/// An after hook that writes a second record through an internal call
/// with the call's params, so it joins the call's transaction.
async fn write_twin(ctx: &mut HookContext<SqlService<Message>>) -> Result<()> {
    if is_twin(ctx) {
        return Ok(());
    }
    let params = ctx.params.clone();
    ctx.app
        .service::<SqlService<Message>>(&ctx.path)
        .create(message("twin", None), params)
        .await?;
    Ok(())
}

/// A failing after hook rolls back the write before it (and what other
/// calls made with the same params wrote), with Feathers' start/end/
/// rollback hooks and with the around hook.
#[tokio::test]
async fn a_failing_after_hook_rolls_the_write_back() {
    use auth_core::sql;

    let messages = service(SqlOptions::new()).await;
    let pool = messages.database.pool();
    messages
        .hooks(
            ServiceHooks::new()
                .before_all(sql::start(&pool))
                .after("create", write_twin)
                .after("create", fail_after)
                .after("patch", sql::end())
                .after("create", sql::end())
                .error_all(sql::rollback()),
        )
        .unwrap();
    let error = messages
        .create(message("first", None), Params::new())
        .await
        .unwrap_err();
    assert_eq!(error.message(), "refused after the write");
    assert_eq!(texts(&messages, json!({})).await, Vec::<String>::new());

    let messages = service(SqlOptions::new()).await;
    let pool = messages.database.pool();
    messages
        .hooks(
            ServiceHooks::new()
                .around_all(sql::in_transaction(&pool))
                .after("create", write_twin)
                .after("update", fail_after),
        )
        .unwrap();
    // Committed when the call succeeds: the record and its twin.
    messages
        .create(message("kept", None), Params::new())
        .await
        .unwrap();
    assert_eq!(texts(&messages, json!({})).await, ["kept", "twin"]);
    // Rolled back when an after hook fails.
    let error = messages
        .update(1, message("changed", None), Params::new())
        .await
        .unwrap_err();
    assert_eq!(error.code(), 422);
    assert_eq!(messages.get(1, Params::new()).await.unwrap().text, "kept");
}
