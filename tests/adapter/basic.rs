//! Basic functionality (adapter-tests `basic.ts`): the options, and the
//! raw methods answering without hooks.

use std::sync::atomic::Ordering;

use auth_core::prelude::*;
use serde_json::json;

use crate::harness::*;

// adapter-tests: '.id'
// (An `it`, not a `test`, in basic.ts: it runs whatever the list says.)
async fn id<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = S::service(base(id_field)).await;
        assert_eq!(S::options_of(people.inner().unwrap()).id, id_field);
    }
}

// adapter-tests: '.options'
async fn options<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = S::service(base(id_field)).await;
        let options = S::options_of(people.inner().unwrap());
        assert_eq!(options, Options::new().id(id_field));
        assert_eq!(options.paginate, None);
    }
}

// adapter-tests: '._get'
async fn underscore_get<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        let id = id_of(&doug, id_field);
        let count = count_hooks(&people);
        let raw = people.inner().unwrap();
        assert_eq!(raw.get(&id, &Params::new()).await.unwrap(), doug);
        assert_eq!(count.load(Ordering::SeqCst), 0, "the raw call runs no hook");
        assert_eq!(people.get(&id, Params::new()).await.unwrap(), doug);
        assert_eq!(count.load(Ordering::SeqCst), 1);
    }
}

// adapter-tests: '._find'
async fn underscore_find<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        let count = count_hooks(&people);
        let raw = people.inner().unwrap();
        assert_eq!(
            list(raw.find(&Params::new()).await.unwrap()),
            vec![doug.clone()]
        );
        assert_eq!(count.load(Ordering::SeqCst), 0, "the raw call runs no hook");
        assert_eq!(find_list(&people, Params::new()).await, vec![doug]);
        assert_eq!(count.load(Ordering::SeqCst), 1);
    }
}

// adapter-tests: '._create'
async fn underscore_create<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = S::service(base(id_field)).await;
        let count = count_hooks(&people);
        let raw = people.inner().unwrap();
        let bob = raw
            .create(json!({ "name": "Bob", "age": 25 }), &Params::new())
            .await
            .unwrap();
        let id = id_of(&bob, id_field);
        assert_eq!(
            without_nulls(&bob),
            json!({ "name": "Bob", "age": 25, id_field: id.to_json() })
        );
        assert_eq!(count.load(Ordering::SeqCst), 0, "the raw call runs no hook");
        assert_eq!(people.get(&id, Params::new()).await.unwrap(), bob);
    }
}

// adapter-tests: '._update'
async fn underscore_update<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        let id = id_of(&doug, id_field);
        let count = count_hooks(&people);
        let raw = people.inner().unwrap();
        let updated = raw
            .update(&id, json!({ "name": "Dougler" }), &Params::new())
            .await
            .unwrap();
        assert_eq!(
            without_nulls(&updated),
            json!({ "name": "Dougler", id_field: id.to_json() })
        );
        assert_eq!(count.load(Ordering::SeqCst), 0, "the raw call runs no hook");
        assert_eq!(people.get(&id, Params::new()).await.unwrap(), updated);
    }
}

// adapter-tests: '._patch'
async fn underscore_patch<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        let id = id_of(&doug, id_field);
        let count = count_hooks(&people);
        let raw = people.inner().unwrap();
        let patched = raw
            .patch(&id, json!({ "name": "PatchDoug" }), &Params::new())
            .await
            .unwrap();
        assert_eq!(patched["name"], "PatchDoug");
        assert_eq!(patched["age"], 32);
        assert_eq!(count.load(Ordering::SeqCst), 0, "the raw call runs no hook");
        assert_eq!(people.get(&id, Params::new()).await.unwrap(), patched);
    }
}

// adapter-tests: '._remove'
async fn underscore_remove<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        let id = id_of(&doug, id_field);
        let count = count_hooks(&people);
        let raw = people.inner().unwrap();
        assert_eq!(raw.remove(&id, &Params::new()).await.unwrap(), doug);
        assert_eq!(count.load(Ordering::SeqCst), 0, "the raw call runs no hook");
        assert_not_found(people.get(&id, Params::new()).await, &id);
    }
}

storage_tests!(
    id,
    options,
    underscore_get,
    underscore_find,
    underscore_create,
    underscore_update,
    underscore_patch,
    underscore_remove,
);
