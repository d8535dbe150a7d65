//! What the memory adapter does and the SQL adapter deliberately does not:
//! a memory record is any JSON object, an SQL row has the table's columns.
//! Each test says why the SQL adapter differs; `tests/sql_adapter.rs`
//! asserts the SQL side of each (`what_only_the_memory_adapter_allows`).

use auth_core::prelude::*;
use serde_json::json;

use crate::harness::*;

// A memory record keeps any field it is given, and a query may name any
// field. An SQL table has declared columns: a field it lacks is a 400
// naming it, in data and in queries alike (DESIGN.md, "Storage"), so that a
// typo is an error instead of a silent empty answer.
async fn records_of_any_shape<S: Storage>() {
    let people = S::service(base("id")).await;
    let doug = people
        .create(
            json!({ "name": "Doug", "nickname": "D", "tags": ["a", "b"] }),
            Params::new(),
        )
        .await
        .unwrap();
    assert_eq!(doug["nickname"], "D");
    let id = id_of(&doug, "id");
    let patched = people
        .patch(&id, json!({ "seen": true }), Params::new())
        .await
        .unwrap();
    assert_eq!(patched["seen"], true);
    let data = find_list(&people, query(json!({ "nickname": "D" }))).await;
    assert_eq!(names(&data), ["Doug"]);
    // `$select` of a field no record has: it stays missing.
    let data = people
        .get(&id, query(json!({ "$select": ["name", "nope"] })))
        .await
        .unwrap();
    assert_eq!(data, json!({ "id": id.to_json(), "name": "Doug" }));
}

// A dot path descends into nested objects, as Feathers' memory adapter
// (sift) does. SQL columns hold no nested objects to descend into; a dot
// path names no column, so it is an unknown field there.
async fn dot_paths_into_nested_objects<S: Storage>() {
    let people = S::service(base("id")).await;
    for (name, city) in [("Bob", "Rome"), ("Alice", "Paris"), ("Doug", "Paris")] {
        people
            .create(
                json!({ "name": name, "address": { "city": city } }),
                Params::new(),
            )
            .await
            .unwrap();
    }
    let data = find_list(
        &people,
        query(json!({ "address.city": "Paris", "$sort": { "name": -1 } })),
    )
    .await;
    assert_eq!(names(&data), ["Doug", "Alice"]);
    let data = find_list(
        &people,
        query(json!({ "$sort": { "address.city": 1, "name": 1 } })),
    )
    .await;
    assert_eq!(names(&data), ["Alice", "Doug", "Bob"]);
}

// Arrays and objects compare deeply, and a record array matches a value
// one of its elements equals (Mongo's and sift's semantics). An SQL column
// holds a scalar: an array or object is no value of it (400 in data, no
// row in a query).
async fn arrays_compare_deeply<S: Storage>() {
    let people = S::service(base("id")).await;
    for (name, tags) in [("Bob", json!(["a", "b"])), ("Alice", json!(["b"]))] {
        people
            .create(json!({ "name": name, "tags": tags }), Params::new())
            .await
            .unwrap();
    }
    let data = find_list(&people, query(json!({ "tags": ["a", "b"] }))).await;
    assert_eq!(names(&data), ["Bob"]);
    let data = find_list(&people, query(json!({ "tags": "b" }))).await;
    assert_eq!(names(&data), ["Bob", "Alice"]);
}

// The memory adapter counts ids from 0 (`start_id`) and goes on counting
// past ids records bring; an id may be a string. SQLite's `INTEGER PRIMARY
// KEY` assigns the largest id plus one, from 1, and holds integers only (a
// string id that is not one is a 400 on create, and finds nothing).
async fn ids_count_from_zero_and_may_be_strings<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = S::service(base(id_field).multi(true)).await;
        for expected in 0..3 {
            let record = people
                .create(json!({ "name": format!("p{expected}") }), Params::new())
                .await
                .unwrap();
            assert_eq!(record[id_field], expected);
        }
        let own = people
            .create(json!({ id_field: 10, "name": "ten" }), Params::new())
            .await
            .unwrap();
        assert_eq!(own[id_field], 10);
        let own = people
            .create(json!({ id_field: "abc", "name": "abc" }), Params::new())
            .await
            .unwrap();
        assert_eq!(own[id_field], "abc");
        assert_eq!(
            people.get("abc", Params::new()).await.unwrap()["name"],
            "abc"
        );
        let many = people
            .create_many(
                vec![json!({ "name": "p3" }), json!({ "name": "p4" })],
                Params::new(),
            )
            .await
            .unwrap();
        assert_eq!(
            (many[0][id_field].clone(), many[1][id_field].clone()),
            (json!(3), json!(4))
        );
        // Records of one multi create may not share a string id either.
        let twins = vec![
            json!({ id_field: "x", "name": "Ann" }),
            json!({ id_field: "x", "name": "Bea" }),
        ];
        assert_error(
            people.create_many(twins, Params::new()).await,
            ErrorKind::Conflict,
            "A record with id 'x' already exists",
        );
    }
}

storage_tests!(@on memory, crate::harness::Memory;
    records_of_any_shape,
    dot_paths_into_nested_objects,
    arrays_compare_deeply,
    ids_count_from_zero_and_may_be_strings
);
