//! Query operators through the service, beyond Feathers' suite: nulls,
//! nesting, coercion, sorting on several keys, `$select`.

use auth_core::prelude::*;
use serde_json::{Value, json};

use crate::harness::*;

/// Bob (25), Doug (32), Alice (19) and Eve (no age), created in that order.
async fn with_four<S: Storage>() -> People<S> {
    let people = with_three::<S>(base("id")).await;
    people
        .create(json!({ "name": "Eve" }), Params::new())
        .await
        .unwrap();
    people
}

async fn sorted_names<S: Storage>(people: &People<S>, mut query: Value) -> Vec<String> {
    query["$sort"] = json!({ "name": 1 });
    let data = find_list(people, Params::new().with_query(query)).await;
    names(&data).into_iter().map(str::to_owned).collect()
}

async fn query_equality<S: Storage>() {
    let people = with_four::<S>().await;
    assert_eq!(sorted_names(&people, json!({ "age": 32 })).await, ["Doug"]);
    assert_eq!(
        sorted_names(&people, json!({ "name": "Bob", "age": 25 })).await,
        ["Bob"]
    );
    assert!(
        sorted_names(&people, json!({ "name": "Bob", "age": 32 }))
            .await
            .is_empty()
    );
    // A missing field equals null.
    assert_eq!(sorted_names(&people, json!({ "age": null })).await, ["Eve"]);
}

async fn query_in_and_nin<S: Storage>() {
    let people = with_four::<S>().await;
    assert_eq!(
        sorted_names(&people, json!({ "age": { "$in": [19, 32, 99] } })).await,
        ["Alice", "Doug"]
    );
    // A single value is a list of one.
    assert_eq!(
        sorted_names(&people, json!({ "name": { "$in": "Bob" } })).await,
        ["Bob"]
    );
    assert!(
        sorted_names(&people, json!({ "age": { "$in": [] } }))
            .await
            .is_empty()
    );
    // A missing field is not in [..] but is not in [..] either way.
    assert_eq!(
        sorted_names(&people, json!({ "age": { "$nin": [19, 32] } })).await,
        ["Bob", "Eve"]
    );
    assert_eq!(
        sorted_names(&people, json!({ "age": { "$nin": [] } })).await,
        ["Alice", "Bob", "Doug", "Eve"]
    );
}

async fn query_range_operators<S: Storage>() {
    let people = with_four::<S>().await;
    // A missing field never satisfies a range operator on a number.
    assert_eq!(
        sorted_names(&people, json!({ "age": { "$lt": 25 } })).await,
        ["Alice"]
    );
    assert_eq!(
        sorted_names(&people, json!({ "age": { "$lte": 25 } })).await,
        ["Alice", "Bob"]
    );
    assert_eq!(
        sorted_names(&people, json!({ "age": { "$gt": 25 } })).await,
        ["Doug"]
    );
    assert_eq!(
        sorted_names(&people, json!({ "age": { "$gte": 25 } })).await,
        ["Bob", "Doug"]
    );
    assert_eq!(
        sorted_names(&people, json!({ "age": { "$gte": 19, "$lt": 32 } })).await,
        ["Alice", "Bob"]
    );
    // Strings order as strings.
    assert_eq!(
        sorted_names(&people, json!({ "name": { "$gt": "Bob" } })).await,
        ["Doug", "Eve"]
    );
}

async fn query_ne<S: Storage>() {
    let people = with_four::<S>().await;
    // A missing field is not equal to 25.
    assert_eq!(
        sorted_names(&people, json!({ "age": { "$ne": 25 } })).await,
        ["Alice", "Doug", "Eve"]
    );
    assert_eq!(
        sorted_names(&people, json!({ "age": { "$ne": null } })).await,
        ["Alice", "Bob", "Doug"]
    );
}

async fn query_or<S: Storage>() {
    let people = with_four::<S>().await;
    assert_eq!(
        sorted_names(
            &people,
            json!({ "$or": [{ "age": { "$lt": 20 } }, { "name": "Eve" }] })
        )
        .await,
        ["Alice", "Eve"]
    );
    // `$or` next to a field condition: both must hold.
    assert_eq!(
        sorted_names(
            &people,
            json!({ "age": { "$gt": 20 }, "$or": [{ "name": "Bob" }, { "name": "Alice" }] })
        )
        .await,
        ["Bob"]
    );
}

async fn query_and<S: Storage>() {
    let people = with_four::<S>().await;
    assert_eq!(
        sorted_names(
            &people,
            json!({ "$and": [{ "age": { "$gt": 18 } }, { "age": { "$lt": 30 } }] })
        )
        .await,
        ["Alice", "Bob"]
    );
    assert!(
        sorted_names(
            &people,
            json!({ "$and": [{ "name": "Bob" }, { "age": 32 }] })
        )
        .await
        .is_empty()
    );
}

async fn query_nested_or_in_and<S: Storage>() {
    let people = with_four::<S>().await;
    assert_eq!(
        sorted_names(
            &people,
            json!({
                "$and": [
                    { "$or": [{ "name": "Bob" }, { "name": "Doug" }, { "name": "Eve" }] },
                    { "$or": [{ "age": { "$gte": 30 } }, { "age": null }] }
                ]
            })
        )
        .await,
        ["Doug", "Eve"]
    );
    // And deeper: $or in $and in $or.
    assert_eq!(
        sorted_names(
            &people,
            json!({
                "$or": [
                    { "name": "Alice" },
                    { "$and": [{ "age": { "$gt": 20 } }, { "$or": [{ "name": "Bob" }] }] }
                ]
            })
        )
        .await,
        ["Alice", "Bob"]
    );
}

// Deliberate difference: Feathers' memory adapter compares query strings as
// they are (`{ age: "32" }` finds nothing); our query module coerces a query
// string to the record's number, as values arrive from a REST query string.
async fn query_string_coercion_over_rest<S: Storage>() {
    let people = with_four::<S>().await;
    let rest = |query: Value| Params::external(Provider::Rest).with_query(query);

    let data = find_list(&people, rest(json!({ "age": { "$gt": "30" } }))).await;
    assert_eq!(names(&data), ["Doug"]);
    let data = find_list(&people, rest(json!({ "age": "32" }))).await;
    assert_eq!(names(&data), ["Doug"]);
    let data = find_list(&people, rest(json!({ "age": { "$in": ["19", "25"] } }))).await;
    assert_eq!(names(&data), ["Bob", "Alice"]);
    let data = find_list(
        &people,
        rest(json!({ "age": { "$lte": "25" }, "$sort": { "age": "-1" } })),
    )
    .await;
    assert_eq!(names(&data), ["Bob", "Alice"]);
    let data = find_list(
        &people,
        rest(json!({ "$sort": { "name": "1" }, "$skip": "1", "$limit": "2" })),
    )
    .await;
    assert_eq!(names(&data), ["Bob", "Doug"]);
    // A string that is not a number never equals nor orders against one.
    assert!(
        find_list(&people, rest(json!({ "age": "thirty" })))
            .await
            .is_empty()
    );
    assert!(
        find_list(&people, rest(json!({ "age": { "$gt": "thirty" } })))
            .await
            .is_empty()
    );
    // The id, as it arrives in a URL, names the same record.
    let doug = find_list(&people, query(json!({ "name": "Doug" }))).await;
    let url_id = id_of(&doug[0], "id").key().into_owned();
    let found = people
        .get(url_id.as_str(), rest(json!({ "age": "32" })))
        .await
        .unwrap();
    assert_eq!(found, doug[0]);
}

async fn query_sort<S: Storage>() {
    let people = S::service(base("id")).await;
    for (name, age) in [("Alice", 30), ("Bob", 25), ("Alice", 19), ("Bob", 40)] {
        people
            .create(json!({ "name": name, "age": age }), Params::new())
            .await
            .unwrap();
    }
    let pairs = |records: Vec<Value>| -> Vec<(String, i64)> {
        records
            .iter()
            .map(|r| {
                (
                    r["name"].as_str().unwrap().to_owned(),
                    r["age"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let pair = |name: &str, age: i64| (name.to_owned(), age);

    let ascending = find_list(&people, query(json!({ "$sort": { "age": 1 } }))).await;
    let ages: Vec<_> = pairs(ascending).into_iter().map(|(_, age)| age).collect();
    assert_eq!(ages, [19, 25, 30, 40]);
    let descending = find_list(&people, query(json!({ "$sort": { "age": -1 } }))).await;
    let ages: Vec<_> = pairs(descending).into_iter().map(|(_, age)| age).collect();
    assert_eq!(ages, [40, 30, 25, 19]);

    // Several keys, the first most significant.
    let data = find_list(&people, query(json!({ "$sort": { "name": 1, "age": -1 } }))).await;
    assert_eq!(
        pairs(data),
        [
            pair("Alice", 30),
            pair("Alice", 19),
            pair("Bob", 40),
            pair("Bob", 25)
        ]
    );
    let data = find_list(&people, query(json!({ "$sort": { "name": -1, "age": 1 } }))).await;
    assert_eq!(
        pairs(data),
        [
            pair("Bob", 25),
            pair("Bob", 40),
            pair("Alice", 19),
            pair("Alice", 30)
        ]
    );
}

async fn query_select<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = with_three::<S>(base(id_field)).await;
        let by_age = find_list(&people, query(json!({ "$sort": { "age": 1 } }))).await;
        let [alice, bob, doug] = [0, 1, 2].map(|i| by_age[i][id_field].clone());
        // A single field, not in a list.
        let data = find_list(
            &people,
            query(json!({ "$select": "age", "$sort": { "age": 1 } })),
        )
        .await;
        assert_eq!(
            data,
            [
                json!({ "age": 19, id_field: alice }),
                json!({ "age": 25, id_field: bob }),
                json!({ "age": 32, id_field: doug })
            ]
        );
        // Several fields; the id is always kept.
        let id = id_of(&by_age[2], id_field);
        let data = people
            .get(&id, query(json!({ "$select": ["name", "age"] })))
            .await
            .unwrap();
        assert_eq!(data, json!({ "name": "Doug", "age": 32, id_field: doug }));
        let data = people
            .get(&id, query(json!({ "$select": [] })))
            .await
            .unwrap();
        assert_eq!(data, json!({ id_field: doug }));
    }
}

/// A query string `"null"` equals a null (or missing) field, as every query
/// string is compared by what it reads as (`auth_core::query`,
/// "Coercion"); in SQL, against a column that does not hold text.
async fn the_query_string_null_is_null<S: Storage>() {
    let people = with_three::<S>(base("id")).await;
    people
        .create(json!({ "name": "Eve" }), Params::new())
        .await
        .unwrap();
    let cases = [
        (json!({ "age": "null" }), vec!["Eve"]),
        (
            json!({ "age": { "$ne": "null" } }),
            vec!["Bob", "Doug", "Alice"],
        ),
        (
            json!({ "age": { "$in": ["null", 19] } }),
            vec!["Alice", "Eve"],
        ),
        (
            json!({ "age": { "$nin": ["null"] } }),
            vec!["Bob", "Doug", "Alice"],
        ),
        (json!({ "age": { "$lte": "null" } }), vec!["Eve"]),
    ];
    for (q, expected) in cases {
        assert_eq!(
            names(&find_list(&people, query(q.clone())).await),
            expected,
            "{q}"
        );
    }
}

storage_tests!(
    query_equality,
    query_in_and_nin,
    query_range_operators,
    query_ne,
    query_or,
    query_and,
    query_nested_or_in_and,
    query_string_coercion_over_rest,
    query_numbers_compare_by_value,
    query_sort,
    query_select,
    the_query_string_null_is_null,
);

// Numbers compare by value, whatever their form: a float or a query string
// reading as a number against integers; a string with spaces is no number,
// and a number never equals nor orders against text.
async fn query_numbers_compare_by_value<S: Storage>() {
    let people = with_four::<S>().await;
    let cases = [
        (json!({ "age": 32.0 }), vec!["Doug"]),
        (json!({ "age": "32.0" }), vec!["Doug"]),
        (json!({ "age": { "$lt": 25.5 } }), vec!["Alice", "Bob"]),
        (json!({ "age": { "$lt": "25.5" } }), vec!["Alice", "Bob"]),
        (
            json!({ "age": { "$gt": "1e1" } }),
            vec!["Alice", "Bob", "Doug"],
        ),
        (json!({ "age": { "$gt": "+20" } }), vec!["Bob", "Doug"]),
        (
            json!({ "age": { "$in": [19.0, "32"] } }),
            vec!["Alice", "Doug"],
        ),
        (json!({ "age": " 32" }), vec![]),
        (json!({ "age": true }), vec![]),
        (json!({ "name": 5 }), vec![]),
        (json!({ "name": { "$gt": 5 } }), vec![]),
        (json!({ "name": { "$lt": true } }), vec![]),
    ];
    for (q, expected) in cases {
        assert_eq!(sorted_names(&people, q.clone()).await, expected, "{q}");
    }
}
