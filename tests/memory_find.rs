//! The memory adapter's `find` after issue 16: a `$limit`ed sort selects
//! the first `$skip + $limit` matches (a bounded heap) instead of sorting
//! them all, and consecutive finds share one snapshot of the records until
//! the next write. Pinned here: the partial sort pages exactly as the full
//! sort does (ties in insertion order), `$skip` past the end and
//! `$limit: 0` still count `total`, and a find sees every write before it.

use auth_core::memory::{MemoryOptions, MemoryService, Pagination};
use auth_core::prelude::*;
use auth_core::query::Paginate;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

const COUNT: i64 = 400;

/// `COUNT` records with many ties: `a` takes 7 values, `b` 3, `s` 5
/// strings; every tenth record lacks `a`.
async fn people(paginate: Option<Paginate>) -> ServiceHandle<MemoryService> {
    let mut options = MemoryOptions::new().multi(true);
    if let Some(paginate) = paginate {
        options = options.paginate(paginate);
    }
    let app = App::new().register("people", MemoryService::<Value>::with_options(options));
    let people = app.service::<MemoryService>("people");
    for n in 0..COUNT {
        let mut record = json!({ "n": n, "b": (n * 13) % 3, "s": format!("s{}", (n * 7) % 5) });
        if n % 10 != 0 {
            record["a"] = json!((n * 37) % 7);
        }
        people.create(record, Params::new()).await.unwrap();
    }
    people
}

fn ns(records: &[Value]) -> Vec<i64> {
    records.iter().map(|r| r["n"].as_i64().unwrap()).collect()
}

async fn all(people: &ServiceHandle<MemoryService>, query: Value) -> Vec<Value> {
    let mut params = Params::new().with_query(query);
    params.extensions.insert(Pagination(None));
    people.find(params).await.unwrap().into_data()
}

/// The order Feathers gives, computed here: by the keys (a missing field
/// first, then numbers, then strings), ties in insertion (`n`) order.
fn expected(sort: &[(&str, i64)], filter: impl Fn(&Value) -> bool) -> Vec<i64> {
    let mut records: Vec<Value> = (0..COUNT)
        .map(|n| {
            let mut record = json!({ "n": n, "b": (n * 13) % 3, "s": format!("s{}", (n * 7) % 5) });
            if n % 10 != 0 {
                record["a"] = json!((n * 37) % 7);
            }
            record
        })
        .filter(|record| filter(record))
        .collect();
    let rank = |value: Option<&Value>| match value {
        None => (0, 0, String::new()),
        Some(Value::Number(n)) => (1, n.as_i64().unwrap(), String::new()),
        Some(other) => (2, 0, other.as_str().unwrap().to_owned()),
    };
    records.sort_by(|x, y| {
        sort.iter()
            .map(|(key, direction)| {
                let ordering = rank(x.get(*key)).cmp(&rank(y.get(*key)));
                if *direction < 0 {
                    ordering.reverse()
                } else {
                    ordering
                }
            })
            .find(|ordering| ordering.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    ns(&records)
}

#[tokio::test]
async fn a_limited_sort_pages_exactly_as_the_full_sort() {
    let people = people(None).await;
    let sorts: [&[(&str, i64)]; 4] = [
        &[("a", -1)],
        &[("a", 1), ("b", -1)],
        &[("s", -1), ("a", 1)],
        &[("missing", 1)],
    ];
    for sort in sorts {
        let sort_query: serde_json::Map<String, Value> = sort
            .iter()
            .map(|(key, direction)| ((*key).to_owned(), json!(direction)))
            .collect();
        let full = ns(&all(&people, json!({ "$sort": sort_query })).await);
        assert_eq!(full, expected(sort, |_| true), "{sort:?}");
        // Pages far below a quarter of the matches (the heap), around it,
        // and beyond the end.
        for (skip, limit) in [
            (0, 1),
            (0, 10),
            (5, 10),
            (95, 4),
            (95, 5),
            (99, 1),
            (100, 50),
            (390, 20),
            (0, 400),
        ] {
            let page = all(
                &people,
                json!({ "$sort": sort_query, "$skip": skip, "$limit": limit }),
            )
            .await;
            let want: Vec<i64> = full.iter().copied().skip(skip).take(limit).collect();
            assert_eq!(ns(&page), want, "{sort:?} skip {skip} limit {limit}");
        }
    }
}

#[tokio::test]
async fn a_limited_sort_of_a_filtered_find_keeps_ties_in_insertion_order() {
    let people = people(Some(Paginate {
        default: 10,
        max: 50,
    }))
    .await;
    let query = json!({ "b": { "$in": ["0", 2] }, "$sort": { "a": -1 }, "$skip": 3, "$limit": 7 });
    let Found::Page(page) = people.find(Params::new().with_query(query)).await.unwrap() else {
        panic!("not a page")
    };
    let matching = expected(&[("a", -1)], |record| record["b"] != json!(1));
    assert_eq!(page.total, matching.len());
    assert_eq!((page.skip, page.limit), (3, 7));
    assert_eq!(ns(&page.data), matching[3..10]);
    // Equal `a`s: ascending `n`, whatever the direction of the sort.
    let a = |n: i64| (n * 37) % 7;
    assert!(page.data.windows(2).all(|pair| {
        let (x, y) = (
            pair[0]["n"].as_i64().unwrap(),
            pair[1]["n"].as_i64().unwrap(),
        );
        a(x) > a(y) || x < y
    }));
}

#[tokio::test]
async fn skip_past_the_end_and_limit_zero_still_count_every_match() {
    let people = people(Some(Paginate {
        default: 10,
        max: 50,
    }))
    .await;
    for query in [
        json!({ "$sort": { "a": 1 }, "$skip": 400 }),
        json!({ "$sort": { "a": 1 }, "$skip": 1000, "$limit": 5 }),
        json!({ "$sort": { "a": 1 }, "$limit": 0 }),
        json!({ "$sort": { "a": 1 }, "$limit": "0", "$skip": 3 }),
    ] {
        let Found::Page(page) = people
            .find(Params::new().with_query(query.clone()))
            .await
            .unwrap()
        else {
            panic!("not a page")
        };
        assert_eq!(page.total, COUNT as usize, "{query}");
        assert!(page.data.is_empty(), "{query}");
    }
    let page = all(&people, json!({ "$sort": { "a": 1 }, "$skip": 399 })).await;
    assert_eq!(
        ns(&page),
        [*expected(&[("a", 1)], |_| true).last().unwrap()]
    );
}

#[tokio::test]
async fn a_limited_sort_with_select_answers_the_selected_fields() {
    let people = people(None).await;
    let page = all(
        &people,
        json!({ "$sort": { "a": -1, "n": -1 }, "$limit": 2, "$select": ["n"] }),
    )
    .await;
    let first = expected(&[("a", -1), ("n", -1)], |_| true);
    assert_eq!(
        page,
        [
            json!({ "id": first[0], "n": first[0] }),
            json!({ "id": first[1], "n": first[1] })
        ]
    );
}

#[tokio::test]
async fn a_find_sees_every_write_made_before_it() {
    let people = people(None).await;
    let top = || all(&people, json!({ "$sort": { "a": -1 }, "$limit": 1 }));
    let first = top().await;
    assert_eq!(first[0]["a"], 6);
    // Repeated: the second find shares the first's snapshot.
    assert_eq!(top().await, first);
    let created = people
        .create(json!({ "n": 1000, "a": 99 }), Params::new())
        .await
        .unwrap();
    assert_eq!(top().await[0]["n"], 1000);
    let id = Id::from_json(&created["id"]).unwrap();
    people
        .patch(&id, json!({ "a": 100 }), Params::new())
        .await
        .unwrap();
    assert_eq!(top().await[0]["a"], 100);
    people
        .update(&id, json!({ "n": 1001, "a": 101 }), Params::new())
        .await
        .unwrap();
    assert_eq!(top().await[0]["n"], 1001);
    people.remove(&id, Params::new()).await.unwrap();
    assert_eq!(top().await, first);
    people
        .patch_many(
            json!({ "a": 7 }),
            Params::new().with_query(json!({ "n": 5 })),
        )
        .await
        .unwrap();
    assert_eq!(top().await[0]["n"], 5);
    people
        .remove_many(Params::new().with_query(json!({ "a": 7 })))
        .await
        .unwrap();
    assert_eq!(top().await, first);
    people
        .create_many(vec![json!({ "n": 2000, "a": 50 })], Params::new())
        .await
        .unwrap();
    assert_eq!(top().await[0]["n"], 2000);
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Person {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<i64>,
    name: String,
    age: i64,
}

#[tokio::test]
async fn a_typed_service_pages_a_limited_sort() {
    let app = App::new().register("people", MemoryService::<Person>::new());
    let people = app.service::<MemoryService<Person>>("people");
    for n in 0..100 {
        let person = Person {
            id: None,
            name: format!("p{n}"),
            age: n % 4,
        };
        people.create(person, Params::new()).await.unwrap();
    }
    let query = json!({ "age": { "$gte": "2" }, "$sort": { "age": -1 }, "$skip": 1, "$limit": 3 });
    let found = people
        .find(Params::new().with_query(query))
        .await
        .unwrap()
        .into_data();
    let names: Vec<&str> = found.iter().map(|person| person.name.as_str()).collect();
    assert_eq!(names, ["p7", "p11", "p15"]);
}
