//! Methods (adapter-tests `methods.ts`): patch, create and the internal
//! calls; each test starts with Doug (32) stored.

use auth_core::prelude::*;
use serde_json::json;

use crate::harness::*;

// adapter-tests: '.patch'
// (The data passed in is moved, so "not modified" holds by construction.)
async fn patch<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        let id = id_of(&doug, id_field);
        let data = people
            .patch(
                &id,
                json!({ id_field: doug[id_field], "name": "PatchDoug" }),
                Params::new(),
            )
            .await
            .unwrap();
        assert_eq!(data[id_field], doug[id_field]);
        assert_eq!(data["name"], "PatchDoug");
        assert_eq!(data["age"], 32, "patch keeps the other fields");
        assert_eq!(people.get(&id, Params::new()).await.unwrap(), data);
    }
}

// adapter-tests: '.patch + $select'
async fn patch_with_select<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        let id = id_of(&doug, id_field);
        let data = people
            .patch(
                &id,
                json!({ id_field: doug[id_field], "name": "PatchDoug" }),
                query(json!({ "$select": ["name"] })),
            )
            .await
            .unwrap();
        assert_eq!(data[id_field], doug[id_field]);
        assert_eq!(data["name"], "PatchDoug");
        assert_eq!(data.get("age"), None);
        assert_eq!(people.get(&id, Params::new()).await.unwrap()["age"], 32);
    }
}

// adapter-tests: '.patch + id + query'
async fn patch_id_query<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        let id = id_of(&doug, id_field);
        let result = people
            .patch(
                &id,
                json!({ "name": "id patched doug" }),
                query(json!({ "name": "Tester" })),
            )
            .await;
        assert_not_found(result, &id);
        assert_eq!(people.get(&id, Params::new()).await.unwrap(), doug);
    }
}

// adapter-tests: '.patch multiple'
async fn patch_multiple<S: Storage>() {
    for id_field in ID_FIELDS {
        // Feathers' options: multi off.
        let (people, _doug) = with_doug::<S>(base(id_field)).await;
        assert_error(
            people.patch_many(json!({}), Params::new()).await,
            ErrorKind::MethodNotAllowed,
            "Can not patch multiple entries",
        );

        // Then `multi: ['patch']`.
        let (people, doug) = with_doug::<S>(base(id_field).multi_methods(["patch"])).await;
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
            .patch_many(json!({ "age": 2 }), query(json!({ "created": true })))
            .await
            .unwrap();
        assert_eq!(data.len(), 2, "returned two entries");
        assert_eq!(names(&data), ["Dave", "David"]);
        assert_eq!(data[0]["age"], 2);
        assert_eq!(data[1]["age"], 2);
        let id = id_of(&doug, id_field);
        assert_eq!(people.get(&id, Params::new()).await.unwrap(), doug);
    }
}

// adapter-tests: '.patch multiple no pagination'
async fn patch_multiple_no_pagination<S: Storage>() {
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

        let patched = people
            .patch_many(json!({ "age": 4 }), query(json!({ "created": true })))
            .await
            .unwrap();
        assert_eq!(
            patched.len(),
            COUNT,
            "pagination does not limit a multi patch"
        );
        assert!(patched.iter().all(|record| record["age"] == 4));
    }
}

// adapter-tests: '.patch multi query same'
async fn patch_multi_query_same<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field).multi(true)).await;
        for (name, age) in [("Dave", 8), ("David", 4)] {
            people
                .create(
                    json!({ "name": name, "age": age, "created": true }),
                    Params::new(),
                )
                .await
                .unwrap();
        }
        let data = people
            .patch_many(json!({ "age": 2 }), query(json!({ "age": { "$lt": 10 } })))
            .await
            .unwrap();
        assert_eq!(data.len(), 2, "returned two entries");
        assert_eq!(names(&data), ["Dave", "David"]);
        assert_eq!(data[0]["age"], 2);
        assert_eq!(data[1]["age"], 2);
        let id = id_of(&doug, id_field);
        assert_eq!(people.get(&id, Params::new()).await.unwrap()["age"], 32);
    }
}

// adapter-tests: '.patch multi query changed'
async fn patch_multi_query_changed<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, _doug) = with_doug::<S>(base(id_field).multi(true)).await;
        for name in ["Dave", "David"] {
            people
                .create(
                    json!({ "name": name, "age": 10, "created": true }),
                    Params::new(),
                )
                .await
                .unwrap();
        }
        // The patch changes the field the query selects on: the records
        // patched are still returned.
        let data = people
            .patch_many(json!({ "age": 2 }), query(json!({ "age": 10 })))
            .await
            .unwrap();
        assert_eq!(data.len(), 2, "returned two entries");
        assert_eq!(names(&data), ["Dave", "David"]);
        assert_eq!(data[0]["age"], 2);
        assert_eq!(data[1]["age"], 2);
    }
}

// adapter-tests: '.patch + NotFound'
async fn patch_not_found<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, _doug) = with_doug::<S>(base(id_field)).await;
        let id = Id::from("568225fbfe21222432e836ff");
        let result = people
            .patch(&id, json!({ "name": "PatchDoug" }), Params::new())
            .await;
        assert_not_found(result, &id);
    }
}

// adapter-tests: '.patch + query + NotFound'
async fn patch_query_not_found<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, _doug) = with_doug::<S>(base(id_field)).await;
        let dave = people
            .create(json!({ "name": "Dave" }), Params::new())
            .await
            .unwrap();
        let id = id_of(&dave, id_field);
        let result = people
            .patch(
                &id,
                json!({ "name": "PatchedDave" }),
                query(json!({ "name": "NotDave" })),
            )
            .await;
        assert_not_found(result, &id);
        assert_eq!(people.get(&id, Params::new()).await.unwrap(), dave);
    }
}

// adapter-tests: '.patch + id + query id'
async fn patch_id_query_id<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        let alice = people
            .create(json!({ "name": "Alice", "age": 12 }), Params::new())
            .await
            .unwrap();
        let id = id_of(&doug, id_field);
        let result = people
            .patch(
                &id,
                json!({ "age": 33 }),
                query(json!({ id_field: alice[id_field] })),
            )
            .await;
        assert_not_found(result, &id);
        assert_eq!(find_list(&people, Params::new()).await, vec![doug, alice]);
    }
}

// adapter-tests: '.create'
// (The data passed in is moved, so "not modified" holds by construction.)
async fn create<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, _doug) = with_doug::<S>(base(id_field)).await;
        let data = people
            .create(json!({ "name": "Bill", "age": 40 }), Params::new())
            .await
            .unwrap();
        assert!(data.is_object());
        assert_eq!(data["name"], "Bill");
        let id = id_of(&data, id_field);
        assert_eq!(people.get(&id, Params::new()).await.unwrap(), data);
    }
}

// adapter-tests: '.create + $select'
async fn create_with_select<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, _doug) = with_doug::<S>(base(id_field)).await;
        let data = people
            .create(
                json!({ "name": "William", "age": 23 }),
                query(json!({ "$select": ["name"] })),
            )
            .await
            .unwrap();
        assert!(data.get(id_field).is_some(), "data has id");
        assert_eq!(data["name"], "William");
        assert_eq!(data.get("age"), None);
        let stored = people
            .get(id_of(&data, id_field), Params::new())
            .await
            .unwrap();
        assert_eq!(stored["age"], 23, "$select only shapes the answer");
    }
}

// adapter-tests: '.create multi'
async fn create_multi<S: Storage>() {
    for id_field in ID_FIELDS {
        // Feathers' options: multi off.
        let (people, _doug) = with_doug::<S>(base(id_field)).await;
        assert_error(
            people.create_many(vec![], Params::new()).await,
            ErrorKind::MethodNotAllowed,
            "Can not create multiple entries",
        );

        // Then `multi: ['create', 'patch']`.
        let (people, _doug) =
            with_doug::<S>(base(id_field).multi_methods(["create", "patch"])).await;
        let items = vec![
            json!({ "name": "Gerald", "age": 18 }),
            json!({ "name": "Herald", "age": 18 }),
        ];
        let data = people.create_many(items, Params::new()).await.unwrap();
        assert_eq!(data.len(), 2);
        assert!(data[0].get(id_field).is_some(), "id is set");
        assert_eq!(data[0]["name"], "Gerald");
        assert!(data[1].get(id_field).is_some(), "id is set");
        assert_eq!(data[1]["name"], "Herald");
        assert_ne!(data[0][id_field], data[1][id_field]);
    }
}

// adapter-tests: 'internal .find'
async fn internal_find<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        refuse_public_calls(&people);
        assert_error(
            people.find(Params::new()).await,
            ErrorKind::GeneralError,
            "find method called",
        );
        let raw = people.inner().unwrap();
        assert_eq!(list(raw.find(&Params::new()).await.unwrap()), vec![doug]);
    }
}

// adapter-tests: 'internal .get'
async fn internal_get<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        refuse_public_calls(&people);
        let id = id_of(&doug, id_field);
        assert_error(
            people.get(&id, Params::new()).await,
            ErrorKind::GeneralError,
            "get method called",
        );
        let raw = people.inner().unwrap();
        assert_eq!(raw.get(&id, &Params::new()).await.unwrap(), doug);
    }
}

// adapter-tests: 'internal .create'
async fn internal_create<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, _doug) = with_doug::<S>(base(id_field)).await;
        refuse_public_calls(&people);
        let raw = people.inner().unwrap();
        let bob = raw
            .create(json!({ "name": "Bob", "age": 25 }), &Params::new())
            .await
            .unwrap();
        assert_eq!(bob["name"], "Bob");
        let id = id_of(&bob, id_field);
        assert_eq!(raw.get(&id, &Params::new()).await.unwrap(), bob);
    }
}

// adapter-tests: 'internal .update'
async fn internal_update<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        refuse_public_calls(&people);
        let id = id_of(&doug, id_field);
        let raw = people.inner().unwrap();
        let data = raw
            .update(&id, json!({ "name": "Dougler" }), &Params::new())
            .await
            .unwrap();
        assert_eq!(
            without_nulls(&data),
            json!({ "name": "Dougler", id_field: doug[id_field] })
        );
    }
}

// adapter-tests: 'internal .patch'
async fn internal_patch<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        refuse_public_calls(&people);
        let id = id_of(&doug, id_field);
        let raw = people.inner().unwrap();
        let data = raw
            .patch(&id, json!({ "name": "PatchDoug" }), &Params::new())
            .await
            .unwrap();
        assert_eq!(data["name"], "PatchDoug");
        assert_eq!(data["age"], 32);
    }
}

// adapter-tests: 'internal .remove'
async fn internal_remove<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        refuse_public_calls(&people);
        let id = id_of(&doug, id_field);
        let raw = people.inner().unwrap();
        assert_eq!(raw.remove(&id, &Params::new()).await.unwrap(), doug);
        assert!(list(raw.find(&Params::new()).await.unwrap()).is_empty());
    }
}

storage_tests!(
    patch,
    patch_with_select,
    patch_id_query,
    patch_multiple,
    patch_multiple_no_pagination,
    patch_multi_query_same,
    patch_multi_query_changed,
    patch_not_found,
    patch_query_not_found,
    patch_id_query_id,
    create,
    create_with_select,
    create_multi,
    internal_find,
    internal_get,
    internal_create,
    internal_update,
    internal_patch,
    internal_remove,
);
