//! Methods (adapter-tests `methods.ts`): get, find, remove and update;
//! each test starts with Doug (32) stored.

use auth_core::prelude::*;
use serde_json::json;

use crate::harness::*;

// adapter-tests: '.get'
async fn get<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        let id = id_of(&doug, id_field);
        let data = people.get(&id, Params::new()).await.unwrap();
        assert_eq!(data[id_field], doug[id_field]);
        assert_eq!(data["name"], "Doug");
        assert_eq!(data["age"], 32);
    }
}

// adapter-tests: '.get + $select'
async fn get_with_select<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        let id = id_of(&doug, id_field);
        let data = people
            .get(&id, query(json!({ "$select": ["name"] })))
            .await
            .unwrap();
        assert_eq!(data[id_field], doug[id_field]);
        assert_eq!(data["name"], "Doug");
        assert_eq!(data.get("age"), None);
    }
}

// adapter-tests: '.get + id + query'
async fn get_id_query<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        let id = id_of(&doug, id_field);
        let result = people.get(&id, query(json!({ "name": "Tester" }))).await;
        assert_not_found(result, &id);
    }
}

// adapter-tests: '.get + NotFound'
async fn get_not_found<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, _doug) = with_doug::<S>(base(id_field)).await;
        let id = Id::from("568225fbfe21222432e836ff");
        assert_not_found(people.get(&id, Params::new()).await, &id);
    }
}

// adapter-tests: '.get + id + query id'
async fn get_id_query_id<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        let alice = people
            .create(json!({ "name": "Alice", "age": 12 }), Params::new())
            .await
            .unwrap();
        let id = id_of(&doug, id_field);
        let result = people
            .get(&id, query(json!({ id_field: alice[id_field] })))
            .await;
        assert_not_found(result, &id);
    }
}

// adapter-tests: '.find'
async fn find<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        let data = find_list(&people, Params::new()).await;
        assert_eq!(data, vec![doug]);
    }
}

// adapter-tests: '.remove'
async fn remove<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        let id = id_of(&doug, id_field);
        let data = people.remove(&id, Params::new()).await.unwrap();
        assert_eq!(data["name"], "Doug");
        assert_eq!(data, doug);
        assert_not_found(people.get(&id, Params::new()).await, &id);
    }
}

// adapter-tests: '.remove + $select'
async fn remove_with_select<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        let id = id_of(&doug, id_field);
        let data = people
            .remove(&id, query(json!({ "$select": ["name"] })))
            .await
            .unwrap();
        assert_eq!(data[id_field], doug[id_field]);
        assert_eq!(data["name"], "Doug");
        assert_eq!(data.get("age"), None);
        assert!(find_list(&people, Params::new()).await.is_empty());
    }
}

// adapter-tests: '.remove + id + query'
async fn remove_id_query<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        let id = id_of(&doug, id_field);
        let result = people.remove(&id, query(json!({ "name": "Tester" }))).await;
        assert_not_found(result, &id);
        assert_eq!(people.get(&id, Params::new()).await.unwrap(), doug);
    }
}

// adapter-tests: '.remove + multi'
async fn remove_multi<S: Storage>() {
    for id_field in ID_FIELDS {
        // Feathers' options: multi off.
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        assert_error(
            people.remove_many(Params::new()).await,
            ErrorKind::MethodNotAllowed,
            "Can not remove multiple entries",
        );
        assert_eq!(find_list(&people, Params::new()).await, vec![doug]);

        // Then `multi: ['remove']`.
        let (people, doug) = with_doug::<S>(base(id_field).multi_methods(["remove"])).await;
        for (name, age) in [("Dave", 29), ("David", 3)] {
            people
                .create(
                    json!({ "name": name, "age": age, "created": true }),
                    Params::new(),
                )
                .await
                .unwrap();
        }
        let data = people
            .remove_many(query(json!({ "created": true })))
            .await
            .unwrap();
        assert_eq!(data.len(), 2);
        let removed = names(&data);
        assert!(removed.contains(&"Dave"), "Dave removed");
        assert!(removed.contains(&"David"), "David removed");
        assert_eq!(find_list(&people, Params::new()).await, vec![doug]);
    }
}

// adapter-tests: '.remove + multi no pagination'
async fn remove_multi_no_pagination<S: Storage>() {
    const COUNT: usize = 14;
    const DEFAULT_PAGINATE: usize = 10;
    for id_field in ID_FIELDS {
        let options = base(id_field).multi(true).paginate(Paginate {
            default: DEFAULT_PAGINATE,
            max: 100,
        });
        let (people, doug) = with_doug::<S>(options).await;
        people
            .remove(id_of(&doug, id_field), Params::new())
            .await
            .unwrap();

        assert!(
            find_list(&people, paginate(None)).await.is_empty(),
            "no items before"
        );
        let items = (0..COUNT)
            .map(|i| json!({ "name": format!("name-{i}"), "age": 3, "created": true }))
            .collect();
        let created = people.create_many(items, Params::new()).await.unwrap();
        assert_eq!(created.len(), COUNT);
        assert_eq!(find_list(&people, paginate(None)).await.len(), COUNT);
        assert_eq!(
            find_page(&people, Params::new()).await.data.len(),
            DEFAULT_PAGINATE
        );

        let removed = people
            .remove_many(query(json!({ "created": true })))
            .await
            .unwrap();
        assert_eq!(
            removed.len(),
            COUNT,
            "pagination does not limit a multi remove"
        );
        assert!(find_list(&people, paginate(None)).await.is_empty());
    }
}

// adapter-tests: '.remove + id + query id'
async fn remove_id_query_id<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        let alice = people
            .create(json!({ "name": "Alice", "age": 12 }), Params::new())
            .await
            .unwrap();
        let id = id_of(&doug, id_field);
        let result = people
            .remove(&id, query(json!({ id_field: alice[id_field] })))
            .await;
        assert_not_found(result, &id);
        assert_eq!(find_list(&people, Params::new()).await, vec![doug, alice]);
    }
}

// adapter-tests: '.update'
// (Feathers also checks the data passed in is not modified; here it is
// passed by value, so it cannot be.)
async fn update<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        let id = id_of(&doug, id_field);
        let data = people
            .update(
                &id,
                json!({ id_field: doug[id_field], "name": "Dougler" }),
                Params::new(),
            )
            .await
            .unwrap();
        assert_eq!(data[id_field], doug[id_field]);
        assert_eq!(data["name"], "Dougler");
        // Replaced: the age is gone (memory) or null (SQL), as Feathers
        // asserts `!data.age`.
        assert!(data["age"].is_null(), "update replaces the record");
        assert_eq!(people.get(&id, Params::new()).await.unwrap(), data);
    }
}

// adapter-tests: '.update + $select'
async fn update_with_select<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        let id = id_of(&doug, id_field);
        let data = people
            .update(
                &id,
                json!({ id_field: doug[id_field], "name": "Dougler", "age": 10 }),
                query(json!({ "$select": ["name"] })),
            )
            .await
            .unwrap();
        assert_eq!(data[id_field], doug[id_field]);
        assert_eq!(data["name"], "Dougler");
        assert_eq!(data.get("age"), None);
        assert_eq!(people.get(&id, Params::new()).await.unwrap()["age"], 10);
    }
}

// adapter-tests: '.update + id + query'
async fn update_id_query<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        let id = id_of(&doug, id_field);
        let result = people
            .update(
                &id,
                json!({ "name": "Dougler" }),
                query(json!({ "name": "Tester" })),
            )
            .await;
        assert_not_found(result, &id);
        assert_eq!(people.get(&id, Params::new()).await.unwrap(), doug);
    }
}

// adapter-tests: '.update + NotFound'
async fn update_not_found<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        let id = Id::from("568225fbfe21222432e836ff");
        let result = people
            .update(&id, json!({ "name": "NotFound" }), Params::new())
            .await;
        assert_not_found(result, &id);
        assert_eq!(find_list(&people, Params::new()).await, vec![doug]);
    }
}

// adapter-tests: '.update + id + query id'
async fn update_id_query_id<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        let alice = people
            .create(json!({ "name": "Alice", "age": 12 }), Params::new())
            .await
            .unwrap();
        let id = id_of(&doug, id_field);
        let result = people
            .update(
                &id,
                json!({ "name": "Dougler", "age": 33 }),
                query(json!({ id_field: alice[id_field] })),
            )
            .await;
        assert_not_found(result, &id);
        assert_eq!(find_list(&people, Params::new()).await, vec![doug, alice]);
    }
}

// adapter-tests: '.update + query + NotFound'
async fn update_query_not_found<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, _doug) = with_doug::<S>(base(id_field)).await;
        let dave = people
            .create(json!({ "name": "Dave" }), Params::new())
            .await
            .unwrap();
        let id = id_of(&dave, id_field);
        let result = people
            .update(
                &id,
                json!({ "name": "UpdatedDave" }),
                query(json!({ "name": "NotDave" })),
            )
            .await;
        assert_not_found(result, &id);
        assert_eq!(people.get(&id, Params::new()).await.unwrap(), dave);
    }
}

storage_tests!(
    get,
    get_with_select,
    get_id_query,
    get_not_found,
    get_id_query_id,
    find,
    remove,
    remove_with_select,
    remove_id_query,
    remove_multi,
    remove_multi_no_pagination,
    remove_id_query_id,
    update,
    update_with_select,
    update_id_query,
    update_not_found,
    update_id_query_id,
    update_query_not_found,
);
