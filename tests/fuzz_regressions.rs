//! Inputs the fuzz targets in `fuzz/` failed on, kept as tests so that the
//! bugs stay fixed without a fuzzing toolchain. See `fuzz/README.md`.

use std::cmp::Ordering;

use auth_core::memory::MemoryService;
use auth_core::prelude::*;
use auth_core::query::{Query, compare, sort};
use serde_json::{Value, json};

/// `memory_query`: `{"$sort":{"score":1},"score":9007199254740992}` over
/// the target's records, which hold 2^53 + 1 and 2^53 as a float. `compare`
/// rounded an integer to a float before comparing it with one, so 2^53 + 1
/// equalled 2^53 as a float, which equalled 2^53, yet 2^53 + 1 was greater
/// than 2^53: not the total order `$sort` needs.
#[test]
fn compare_orders_integers_and_floats_exactly() {
    let above = json!(9_007_199_254_740_993_u64);
    let float = json!(9_007_199_254_740_992.0);
    let int = json!(9_007_199_254_740_992_u64);
    let ordering = |a: &Value, b: &Value| compare(Some(a), Some(b));
    assert_eq!(ordering(&int, &above), Ordering::Less);
    assert_eq!(ordering(&float, &int), Ordering::Equal);
    assert_eq!(ordering(&above, &float), Ordering::Greater);
    assert_eq!(ordering(&float, &above), Ordering::Less);

    // The other end of the exact range, and numbers beyond it.
    let max = json!(u64::MAX);
    let two_to_64 = json!(18_446_744_073_709_551_616.0);
    assert_eq!(ordering(&max, &two_to_64), Ordering::Less);
    assert_eq!(ordering(&json!(i64::MIN), &json!(-9.2e18)), Ordering::Less);
    assert_eq!(ordering(&json!(1e300), &max), Ordering::Greater);
    assert_eq!(ordering(&json!(-1e300), &json!(i64::MIN)), Ordering::Less);
    // Fractions and signed zeros still order by value.
    assert_eq!(ordering(&json!(2), &json!(2.5)), Ordering::Less);
    assert_eq!(ordering(&json!(-2), &json!(-2.5)), Ordering::Greater);
    assert_eq!(ordering(&json!(0), &json!(-0.0)), Ordering::Equal);
    assert_eq!(ordering(&json!(10), &json!(10.0)), Ordering::Equal);
}

/// The same values, many times over, through `$sort`: the records come
/// back in order.
#[test]
fn sort_over_big_integers_and_floats_is_ordered() {
    let values = [
        json!(9_007_199_254_740_993_u64),
        json!(9_007_199_254_740_992.0),
        json!(9_007_199_254_740_992_u64),
        json!(9_007_199_254_740_994_u64),
        json!(9_007_199_254_740_994.0),
        json!(9_007_199_254_740_991_u64),
    ];
    let mut records: Vec<Value> = (0..60)
        .map(|i| json!({ "id": i, "n": values[(i * 7 + i / 6) % values.len()] }))
        .collect();
    sort(
        &mut records,
        &[("n".to_owned(), auth_core::query::SortOrder::Ascending)],
    );
    for pair in records.windows(2) {
        assert_ne!(
            compare(pair[0].get("n"), pair[1].get("n")),
            Ordering::Greater,
            "{} before {}",
            pair[0],
            pair[1]
        );
    }
}

/// Through the memory adapter, as the target runs it.
#[tokio::test]
async fn memory_find_sorts_big_integers_against_floats() {
    let service = MemoryService::<Value>::new();
    let app = App::new().register("records", service);
    let records = app.service::<MemoryService<Value>>("records");
    for (id, score) in [
        json!(9_007_199_254_740_993_u64),
        json!(9_007_199_254_740_992.0),
        json!(9_007_199_254_740_992_u64),
    ]
    .into_iter()
    .enumerate()
    {
        records
            .create(json!({ "id": id, "score": score }), Params::new())
            .await
            .unwrap();
    }
    let query = json!({ "$sort": { "score": 1 }, "score": { "$gte": 9_007_199_254_740_992_u64 } });
    assert!(Query::parse(query.as_object().unwrap()).is_ok());
    let found = records
        .find(Params::new().with_query(query))
        .await
        .unwrap()
        .into_data();
    let ids: Vec<&Value> = found.iter().map(|record| &record["id"]).collect();
    // 2^53 as a float and as an integer are equal: store order between them.
    assert_eq!(ids, [&json!(1), &json!(2), &json!(0)]);
}
