//! Pagination edges: page sizes, `$limit: 0` counting, skipping past the
//! end, the `max` cap, pagination off, and malformed `$limit`/`$skip`.

use auth_core::prelude::*;
use serde_json::json;

use crate::harness::*;

/// Five records (ages 10 to 50) in a service paginating `{ default: 2, max: 3 }`.
async fn with_five_paginated<S: Storage>() -> People<S> {
    let people = S::service(base("id").paginate(Paginate { default: 2, max: 3 })).await;
    for (i, name) in ["A", "B", "C", "D", "E"].into_iter().enumerate() {
        people
            .create(json!({ "name": name, "age": (i + 1) * 10 }), Params::new())
            .await
            .unwrap();
    }
    people
}

async fn pagination_default_page_size<S: Storage>() {
    let people = with_five_paginated::<S>().await;
    let page = find_page(&people, Params::new()).await;
    assert_eq!((page.total, page.limit, page.skip), (5, 2, 0));
    assert_eq!(names(&page.data), ["A", "B"]);
    let page = find_page(&people, query(json!({ "$skip": 2 }))).await;
    assert_eq!((page.total, page.limit, page.skip), (5, 2, 2));
    assert_eq!(names(&page.data), ["C", "D"]);
}

async fn pagination_limit_0_counts_total<S: Storage>() {
    let people = with_five_paginated::<S>().await;
    let page = find_page(&people, query(json!({ "$limit": 0 }))).await;
    assert_eq!((page.total, page.limit, page.skip), (5, 0, 0));
    assert!(page.data.is_empty());
    let page = find_page(&people, query(json!({ "$limit": 0, "age": { "$gt": 20 } }))).await;
    assert_eq!((page.total, page.limit), (3, 0));
    assert!(page.data.is_empty());
}

async fn pagination_skip_past_the_end<S: Storage>() {
    let people = with_five_paginated::<S>().await;
    let page = find_page(&people, query(json!({ "$skip": 10 }))).await;
    assert_eq!((page.total, page.limit, page.skip), (5, 2, 10));
    assert!(page.data.is_empty());
    let page = find_page(&people, query(json!({ "$skip": 4, "$limit": 3 }))).await;
    assert_eq!((page.total, page.limit, page.skip), (5, 3, 4));
    assert_eq!(names(&page.data), ["E"]);
}

async fn pagination_limit_capped_at_max<S: Storage>() {
    let people = with_five_paginated::<S>().await;
    let page = find_page(&people, query(json!({ "$limit": 100 }))).await;
    assert_eq!((page.total, page.limit, page.skip), (5, 3, 0));
    assert_eq!(names(&page.data), ["A", "B", "C"]);
    let page = find_page(&people, query(json!({ "$limit": 3 }))).await;
    assert_eq!(page.limit, 3);
    let page = find_page(&people, query(json!({ "$limit": 1 }))).await;
    assert_eq!((page.limit, page.data.len()), (1, 1));
}

async fn unpaginated_limit_and_skip<S: Storage>() {
    let people = with_five_paginated::<S>().await;
    // Pagination off for the call: $limit and $skip still apply, unbounded.
    let data = find_list(&people, paginate(None)).await;
    assert_eq!(names(&data), ["A", "B", "C", "D", "E"]);
    let mut params = paginate(None).with_query(json!({ "$limit": 4 }));
    assert_eq!(
        names(&find_list(&people, params).await),
        ["A", "B", "C", "D"]
    );
    params = paginate(None).with_query(json!({ "$skip": 3 }));
    assert_eq!(names(&find_list(&people, params).await), ["D", "E"]);
    params = paginate(None).with_query(json!({ "$skip": 1, "$limit": 2, "$sort": { "age": -1 } }));
    assert_eq!(names(&find_list(&people, params).await), ["D", "C"]);
    params = paginate(None).with_query(json!({ "$limit": 0 }));
    assert!(find_list(&people, params).await.is_empty());
    params = paginate(None).with_query(json!({ "$skip": 9 }));
    assert!(find_list(&people, params).await.is_empty());

    // A service without pagination behaves the same.
    let people = with_three::<S>(base("id")).await;
    let data = find_list(&people, query(json!({ "$limit": 100 }))).await;
    assert_eq!(data.len(), 3);
}

// Deliberate difference: Feathers falls back to the default page size for a
// `$limit` that is negative or not a number; our query module answers 400.
async fn invalid_limit_and_skip_are_bad_requests<S: Storage>() {
    let people = with_five_paginated::<S>().await;
    let limit = "Invalid $limit: expected a non-negative integer";
    let skip = "Invalid $skip: expected a non-negative integer";
    for (bad, message) in [
        (json!({ "$limit": -1 }), limit),
        (json!({ "$limit": "abc" }), limit),
        (json!({ "$limit": 1.5 }), limit),
        (json!({ "$skip": -1 }), skip),
        (json!({ "$skip": "abc" }), skip),
    ] {
        assert_error(
            people.find(query(bad.clone())).await,
            ErrorKind::BadRequest,
            message,
        );
        assert_error(
            people.find(paginate(None).with_query(bad)).await,
            ErrorKind::BadRequest,
            message,
        );
    }
}

storage_tests!(
    pagination_default_page_size,
    pagination_limit_0_counts_total,
    pagination_skip_past_the_end,
    pagination_limit_capped_at_max,
    unpaginated_limit_and_skip,
    invalid_limit_and_skip_are_bad_requests,
);
