//! Query syntax (adapter-tests `syntax.ts`); each test starts with Bob
//! (25), Doug (32) and Alice (19).

use serde_json::json;

use crate::harness::*;

// adapter-tests: '.find + equal'
async fn find_equal<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = with_three::<S>(base(id_field)).await;
        let data = find_list(&people, query(json!({ "name": "Alice" }))).await;
        assert_eq!(names(&data), ["Alice"]);
    }
}

// adapter-tests: '.find + equal multiple'
async fn find_equal_multiple<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = with_three::<S>(base(id_field)).await;
        let data = find_list(&people, query(json!({ "name": "Alice", "age": 20 }))).await;
        assert!(data.is_empty());
    }
}

// adapter-tests: '.find + $sort'
async fn find_sort<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = with_three::<S>(base(id_field)).await;
        let data = find_list(&people, query(json!({ "$sort": { "name": 1 } }))).await;
        assert_eq!(names(&data), ["Alice", "Bob", "Doug"]);
        let data = find_list(&people, query(json!({ "$sort": { "name": -1 } }))).await;
        assert_eq!(names(&data), ["Doug", "Bob", "Alice"]);
    }
}

// adapter-tests: '.find + $sort + string'
async fn find_sort_string<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = with_three::<S>(base(id_field)).await;
        let data = find_list(&people, query(json!({ "$sort": { "name": "1" } }))).await;
        assert_eq!(names(&data), ["Alice", "Bob", "Doug"]);
    }
}

// adapter-tests: '.find + $limit'
async fn find_limit<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = with_three::<S>(base(id_field)).await;
        let data = find_list(&people, query(json!({ "$limit": 2 }))).await;
        assert_eq!(data.len(), 2);
    }
}

// adapter-tests: '.find + $limit 0'
async fn find_limit_0<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = with_three::<S>(base(id_field)).await;
        let data = find_list(&people, query(json!({ "$limit": 0 }))).await;
        assert!(data.is_empty());
    }
}

// adapter-tests: '.find + $skip'
async fn find_skip<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = with_three::<S>(base(id_field)).await;
        let data = find_list(
            &people,
            query(json!({ "$sort": { "name": 1 }, "$skip": 1 })),
        )
        .await;
        assert_eq!(names(&data), ["Bob", "Doug"]);
    }
}

// adapter-tests: '.find + $select'
async fn find_with_select<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = with_three::<S>(base(id_field)).await;
        let data = find_list(
            &people,
            query(json!({ "name": "Alice", "$select": ["name"] })),
        )
        .await;
        assert_eq!(data.len(), 1);
        assert!(data[0].get(id_field).is_some(), "data has id");
        assert_eq!(data[0]["name"], "Alice");
        assert_eq!(data[0].get("age"), None);
    }
}

// adapter-tests: '.find + $or'
async fn find_or<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = with_three::<S>(base(id_field)).await;
        let data = find_list(
            &people,
            query(json!({
                "$or": [{ "name": "Alice" }, { "name": "Bob" }],
                "$sort": { "name": 1 }
            })),
        )
        .await;
        assert_eq!(names(&data), ["Alice", "Bob"]);
    }
}

// adapter-tests: '.find + $in'
async fn find_in<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = with_three::<S>(base(id_field)).await;
        let data = find_list(
            &people,
            query(json!({ "name": { "$in": ["Alice", "Bob"] }, "$sort": { "name": 1 } })),
        )
        .await;
        assert_eq!(names(&data), ["Alice", "Bob"]);
    }
}

// adapter-tests: '.find + $nin'
async fn find_nin<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = with_three::<S>(base(id_field)).await;
        let data = find_list(
            &people,
            query(json!({ "name": { "$nin": ["Alice", "Bob"] } })),
        )
        .await;
        assert_eq!(names(&data), ["Doug"]);
    }
}

// adapter-tests: '.find + $lt'
async fn find_lt<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = with_three::<S>(base(id_field)).await;
        let data = find_list(&people, query(json!({ "age": { "$lt": 30 } }))).await;
        assert_eq!(data.len(), 2);
    }
}

// adapter-tests: '.find + $lte'
async fn find_lte<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = with_three::<S>(base(id_field)).await;
        let data = find_list(&people, query(json!({ "age": { "$lte": 25 } }))).await;
        assert_eq!(data.len(), 2);
    }
}

// adapter-tests: '.find + $gt'
async fn find_gt<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = with_three::<S>(base(id_field)).await;
        let data = find_list(&people, query(json!({ "age": { "$gt": 30 } }))).await;
        assert_eq!(data.len(), 1);
    }
}

// adapter-tests: '.find + $gte'
async fn find_gte<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = with_three::<S>(base(id_field)).await;
        let data = find_list(&people, query(json!({ "age": { "$gte": 25 } }))).await;
        assert_eq!(data.len(), 2);
    }
}

// adapter-tests: '.find + $ne'
async fn find_ne<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = with_three::<S>(base(id_field)).await;
        let data = find_list(&people, query(json!({ "age": { "$ne": 25 } }))).await;
        assert_eq!(data.len(), 2);
    }
}

// adapter-tests: '.find + $gt + $lt + $sort'
async fn find_gt_lt_sort<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = with_three::<S>(base(id_field)).await;
        let data = find_list(
            &people,
            query(json!({ "age": { "$gt": 18, "$lt": 30 }, "$sort": { "name": 1 } })),
        )
        .await;
        assert_eq!(names(&data), ["Alice", "Bob"]);
    }
}

// adapter-tests: '.find + $or nested + $sort'
async fn find_or_nested_sort<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = with_three::<S>(base(id_field)).await;
        let data = find_list(
            &people,
            query(json!({
                "$or": [{ "name": "Doug" }, { "age": { "$gte": 18, "$lt": 25 } }],
                "$sort": { "name": 1 }
            })),
        )
        .await;
        assert_eq!(names(&data), ["Alice", "Doug"]);
    }
}

// adapter-tests: '.find + paginate'
async fn find_paginate<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = with_three::<S>(base(id_field).paginate(SYNTAX_PAGINATE)).await;
        let page = find_page(&people, query(json!({ "$sort": { "name": -1 } }))).await;
        assert_eq!((page.total, page.limit, page.skip), (3, 1, 0));
        assert_eq!(names(&page.data), ["Doug"]);
    }
}

// adapter-tests: '.find + paginate + query'
async fn find_paginate_query<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = with_three::<S>(base(id_field).paginate(SYNTAX_PAGINATE)).await;
        let page = find_page(
            &people,
            query(json!({ "$sort": { "name": -1 }, "name": "Doug" })),
        )
        .await;
        assert_eq!((page.total, page.limit, page.skip), (1, 1, 0));
        assert_eq!(names(&page.data), ["Doug"]);
    }
}

// adapter-tests: '.find + paginate + $limit + $skip'
async fn find_paginate_limit_skip<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = with_three::<S>(base(id_field).paginate(SYNTAX_PAGINATE)).await;
        let page = find_page(
            &people,
            query(json!({ "$skip": 1, "$limit": 4, "$sort": { "name": -1 } })),
        )
        .await;
        assert_eq!((page.total, page.limit, page.skip), (3, 2, 1));
        assert_eq!(names(&page.data), ["Bob", "Alice"]);
    }
}

// adapter-tests: '.find + paginate + $limit 0'
async fn find_paginate_limit_0<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = with_three::<S>(base(id_field).paginate(SYNTAX_PAGINATE)).await;
        let page = find_page(&people, query(json!({ "$limit": 0 }))).await;
        assert_eq!(page.total, 3);
        assert!(page.data.is_empty());
    }
}

// adapter-tests: '.find + paginate + params'
// (Feathers' `params.paginate` is our `Pagination` extension; its
// `{ default: 3 }` has no `max`, i.e. no cap.)
async fn find_paginate_params<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = with_three::<S>(base(id_field).paginate(SYNTAX_PAGINATE)).await;
        let override_page = Paginate {
            default: 3,
            max: usize::MAX,
        };
        let page = find_page(&people, paginate(Some(override_page))).await;
        assert_eq!((page.limit, page.skip), (3, 0));
        assert_eq!(page.data.len(), 3);

        let results = find_list(&people, paginate(None)).await;
        assert_eq!(results.len(), 3);
    }
}

// adapter-tests: '.find + $and' (not in @feathersjs/memory's list)
async fn find_and<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = with_three::<S>(base(id_field)).await;
        let data = find_list(
            &people,
            query(json!({ "$and": [{ "age": 19 }], "$sort": { "name": 1 } })),
        )
        .await;
        assert_eq!(names(&data), ["Alice"]);
    }
}

// adapter-tests: '.find + $and + $or' (not in @feathersjs/memory's list)
async fn find_and_or<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = with_three::<S>(base(id_field)).await;
        let data = find_list(
            &people,
            query(json!({ "$and": [{ "$or": [{ "name": "Alice" }] }], "$sort": { "name": 1 } })),
        )
        .await;
        assert_eq!(names(&data), ["Alice"]);
    }
}

// adapter-tests: '.create ignores query' (not in @feathersjs/memory's list)
async fn create_ignores_query<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = S::service(base(id_field)).await;
        let data = people
            .create(
                json!({ "name": "Billy", "age": 42 }),
                query(json!({ "name": "Dave" })),
            )
            .await
            .unwrap();
        assert_eq!(data["name"], "Billy");
        assert_eq!(data["age"], 42);
    }
}

storage_tests!(
    find_equal,
    find_equal_multiple,
    find_sort,
    find_sort_string,
    find_limit,
    find_limit_0,
    find_skip,
    find_with_select,
    find_or,
    find_in,
    find_nin,
    find_lt,
    find_lte,
    find_gt,
    find_gte,
    find_ne,
    find_gt_lt_sort,
    find_or_nested_sort,
    find_paginate,
    find_paginate_query,
    find_paginate_limit_skip,
    find_paginate_limit_0,
    find_paginate_params,
    find_and,
    find_and_or,
    create_ignores_query,
);
