//! `MemoryService` against the behaviours of Feathers' shared adapter test
//! suite (`@feathersjs/adapter-tests`), as `@feathersjs/memory` runs it
//! (`packages/memory/test/index.test.ts`), then the query operators and
//! pagination edges through the service.
//!
//! Feathers runs its suite twice: on `people` (id field `id`) and on
//! `people-customid` (id field `customid`), both without `multi` or
//! `paginate`. Every adapter test here does the same: it loops over
//! [`ID_FIELDS`] and builds a fresh app for each run. Where Feathers flips
//! `service.options.multi` or `service.options.paginate` in the middle of a
//! test, our options are fixed at construction, so the test builds one
//! service with Feathers' base options (to see the refusal) and one with the
//! options Feathers switches to.
//!
//! Skipped, with the reason:
//! * '.events': custom service events (`events: ['testing']`) are covered by
//!   the events tests, not here.
//! * 'params.adapter + paginate', 'params.adapter + multi': there is no
//!   per-call override of the adapter options (`params.adapter`); the
//!   per-call pagination override (Feathers' `params.paginate`, our
//!   `Pagination` extension) is covered by '.find + paginate + params'.
//!
//! Not in `@feathersjs/memory`'s list, covered anyway in the last section:
//! '.find + $and', '.find + $and + $or', '.create ignores query'.
//!
//! Feathers' raw methods (`_get`, `_find`, ...) have no separate names here:
//! `ServiceHandle::inner()` gives the service itself, whose `Service` trait
//! methods run without hooks. The '._x' tests check that they answer as the
//! public call does without running hooks; the 'internal .x' tests check
//! that they never go back through the hooked public path.
//!
//! Deliberate differences from Feathers, documented in `auth_core::query`,
//! asserted as we behave (each noted where it is tested):
//! * A `$limit`/`$skip` that is not a non-negative integer (or a string of
//!   one) is `BadRequest`, where Feathers falls back to the default page size.
//! * Query strings are coerced to the record's kind (`"32"` equals `32`),
//!   as they arrive over REST; Feathers' memory adapter compares them as is.
//! * A `create` bringing an id already in use is `409 Conflict`; Feathers'
//!   memory adapter replaces the stored record (documented in
//!   `auth_core::memory`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use auth_core::memory::{MemoryOptions, MemoryService, Pagination};
use auth_core::prelude::*;
use auth_core::query::{Page, Paginate};
use serde_json::{Value, json};

type People = ServiceHandle<MemoryService<Value>>;

/// The id fields Feathers runs the suite with: `people` and `people-customid`.
const ID_FIELDS: [&str; 2] = ["id", "customid"];

/// A fresh app with a memory service at `people`, and the handle on it.
fn service(options: MemoryOptions) -> People {
    App::new()
        .register("people", MemoryService::<Value>::with_options(options))
        .service::<MemoryService<Value>>("people")
}

/// Feathers' `people` / `people-customid` options: the id field, no multi,
/// no pagination.
fn base(id_field: &str) -> MemoryOptions {
    MemoryOptions::new().id(id_field)
}

/// The pagination Feathers' syntax tests switch on: `{ default: 1, max: 2 }`.
const SYNTAX_PAGINATE: Paginate = Paginate { default: 1, max: 2 };

/// The id of a record, from its id field.
fn id_of(record: &Value, id_field: &str) -> Id {
    Id::from_json(&record[id_field])
        .unwrap_or_else(|| panic!("record has no id in `{id_field}`: {record}"))
}

/// The methods tests' fixture: a service with `options`, holding Doug (32).
async fn with_doug(options: MemoryOptions) -> (People, Value) {
    let people = service(options);
    let doug = people
        .create(json!({ "name": "Doug", "age": 32 }), Params::new())
        .await
        .unwrap();
    (people, doug)
}

/// The syntax tests' fixture: a service with `options`, holding Bob (25),
/// Doug (32) and Alice (19), created in that order.
async fn with_three(options: MemoryOptions) -> People {
    let people = service(options);
    for (name, age) in [("Bob", 25), ("Doug", 32), ("Alice", 19)] {
        people
            .create(json!({ "name": name, "age": age }), Params::new())
            .await
            .unwrap();
    }
    people
}

fn query(query: Value) -> Params {
    Params::new().with_query(query)
}

/// Params overriding the service's pagination for one call.
fn paginate(paginate: Option<Paginate>) -> Params {
    let mut params = Params::new();
    params.extensions.insert(Pagination(paginate));
    params
}

fn list(found: Found<Value>) -> Vec<Value> {
    match found {
        Found::All(records) => records,
        Found::Page(page) => panic!("expected a plain list, got a page: {page:?}"),
    }
}

fn page(found: Found<Value>) -> Page<Value> {
    match found {
        Found::Page(page) => page,
        Found::All(records) => panic!("expected a page, got a plain list: {records:?}"),
    }
}

async fn find_list(people: &People, params: Params) -> Vec<Value> {
    list(people.find(params).await.unwrap())
}

async fn find_page(people: &People, params: Params) -> Page<Value> {
    page(people.find(params).await.unwrap())
}

fn names(records: &[Value]) -> Vec<&str> {
    records
        .iter()
        .map(|record| record["name"].as_str().expect("record has a name"))
        .collect()
}

fn assert_error<T: std::fmt::Debug>(result: Result<T>, kind: ErrorKind, message: &str) {
    let error = result.expect_err("expected an error");
    assert_eq!(error.kind(), kind, "{error}");
    assert_eq!(error.name(), kind.name());
    assert_eq!(error.code(), kind.code());
    assert_eq!(error.message(), message);
}

fn assert_not_found<T: std::fmt::Debug>(result: Result<T>, id: &Id) {
    assert_error(
        result,
        ErrorKind::NotFound,
        &format!("No record found for id '{id}'"),
    );
}

/// A hook counting the calls it sees.
struct Count(Arc<AtomicUsize>);

impl Hook<HookContext<MemoryService<Value>>> for Count {
    async fn run(&self, _ctx: &mut HookContext<MemoryService<Value>>) -> Result<()> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// Registers a before hook on every method counting calls; returns the count.
fn count_hooks(people: &People) -> Arc<AtomicUsize> {
    let count = Arc::new(AtomicUsize::new(0));
    people
        .hooks(ServiceHooks::new().before_all(Count(count.clone())))
        .unwrap();
    count
}

/// A before hook refusing every call through the public (hooked) path, as
/// Feathers' "throwing" service refuses its public methods.
async fn refuse_public(ctx: &mut HookContext<MemoryService<Value>>) -> Result<()> {
    Err(Error::general(format!("{} method called", ctx.method)))
}

fn refuse_public_calls(people: &People) {
    people
        .hooks(ServiceHooks::new().before_all(refuse_public))
        .unwrap();
}

// ---------------------------------------------------------------------------
// Basic functionality (adapter-tests basic.ts)
// ---------------------------------------------------------------------------

// adapter-tests: '.id'
// (An `it`, not a `test`, in basic.ts: it runs whatever the list says.)
#[tokio::test]
async fn id() {
    for id_field in ID_FIELDS {
        let people = service(base(id_field));
        assert_eq!(people.inner().unwrap().options().id, id_field);
    }
}

// adapter-tests: '.options'
#[tokio::test]
async fn options() {
    for id_field in ID_FIELDS {
        let people = service(base(id_field));
        let options = people.inner().unwrap().options();
        assert_eq!(*options, MemoryOptions::new().id(id_field));
        assert_eq!(options.paginate, None);
    }
}

// adapter-tests: '._get'
#[tokio::test]
async fn underscore_get() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
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
#[tokio::test]
async fn underscore_find() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
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
#[tokio::test]
async fn underscore_create() {
    for id_field in ID_FIELDS {
        let people = service(base(id_field));
        let count = count_hooks(&people);
        let raw = people.inner().unwrap();
        let bob = raw
            .create(json!({ "name": "Bob", "age": 25 }), &Params::new())
            .await
            .unwrap();
        assert_eq!(bob, json!({ "name": "Bob", "age": 25, id_field: 0 }));
        assert_eq!(count.load(Ordering::SeqCst), 0, "the raw call runs no hook");
        assert_eq!(people.get(0, Params::new()).await.unwrap(), bob);
    }
}

// adapter-tests: '._update'
#[tokio::test]
async fn underscore_update() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
        let id = id_of(&doug, id_field);
        let count = count_hooks(&people);
        let raw = people.inner().unwrap();
        let updated = raw
            .update(&id, json!({ "name": "Dougler" }), &Params::new())
            .await
            .unwrap();
        assert_eq!(
            updated,
            json!({ "name": "Dougler", id_field: id.to_json() })
        );
        assert_eq!(count.load(Ordering::SeqCst), 0, "the raw call runs no hook");
        assert_eq!(people.get(&id, Params::new()).await.unwrap(), updated);
    }
}

// adapter-tests: '._patch'
#[tokio::test]
async fn underscore_patch() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
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
#[tokio::test]
async fn underscore_remove() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
        let id = id_of(&doug, id_field);
        let count = count_hooks(&people);
        let raw = people.inner().unwrap();
        assert_eq!(raw.remove(&id, &Params::new()).await.unwrap(), doug);
        assert_eq!(count.load(Ordering::SeqCst), 0, "the raw call runs no hook");
        assert_not_found(people.get(&id, Params::new()).await, &id);
    }
}

// ---------------------------------------------------------------------------
// Methods (adapter-tests methods.ts); each starts with Doug (32) stored
// ---------------------------------------------------------------------------

// adapter-tests: '.get'
#[tokio::test]
async fn get() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
        let id = id_of(&doug, id_field);
        let data = people.get(&id, Params::new()).await.unwrap();
        assert_eq!(data[id_field], doug[id_field]);
        assert_eq!(data["name"], "Doug");
        assert_eq!(data["age"], 32);
    }
}

// adapter-tests: '.get + $select'
#[tokio::test]
async fn get_with_select() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
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
#[tokio::test]
async fn get_id_query() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
        let id = id_of(&doug, id_field);
        let result = people.get(&id, query(json!({ "name": "Tester" }))).await;
        assert_not_found(result, &id);
    }
}

// adapter-tests: '.get + NotFound'
#[tokio::test]
async fn get_not_found() {
    for id_field in ID_FIELDS {
        let (people, _doug) = with_doug(base(id_field)).await;
        let id = Id::from("568225fbfe21222432e836ff");
        assert_not_found(people.get(&id, Params::new()).await, &id);
    }
}

// adapter-tests: '.get + id + query id'
#[tokio::test]
async fn get_id_query_id() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
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
#[tokio::test]
async fn find() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
        let data = find_list(&people, Params::new()).await;
        assert_eq!(data, vec![doug]);
    }
}

// adapter-tests: '.remove'
#[tokio::test]
async fn remove() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
        let id = id_of(&doug, id_field);
        let data = people.remove(&id, Params::new()).await.unwrap();
        assert_eq!(data["name"], "Doug");
        assert_eq!(data, doug);
        assert_not_found(people.get(&id, Params::new()).await, &id);
    }
}

// adapter-tests: '.remove + $select'
#[tokio::test]
async fn remove_with_select() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
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
#[tokio::test]
async fn remove_id_query() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
        let id = id_of(&doug, id_field);
        let result = people.remove(&id, query(json!({ "name": "Tester" }))).await;
        assert_not_found(result, &id);
        assert_eq!(people.get(&id, Params::new()).await.unwrap(), doug);
    }
}

// adapter-tests: '.remove + multi'
#[tokio::test]
async fn remove_multi() {
    for id_field in ID_FIELDS {
        // Feathers' options: multi off.
        let (people, doug) = with_doug(base(id_field)).await;
        assert_error(
            people.remove_many(Params::new()).await,
            ErrorKind::MethodNotAllowed,
            "Can not remove multiple entries",
        );
        assert_eq!(find_list(&people, Params::new()).await, vec![doug]);

        // Then `multi: ['remove']`.
        let (people, doug) = with_doug(base(id_field).multi_methods(["remove"])).await;
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
#[tokio::test]
async fn remove_multi_no_pagination() {
    const COUNT: usize = 14;
    const DEFAULT_PAGINATE: usize = 10;
    for id_field in ID_FIELDS {
        let options = base(id_field).multi(true).paginate(Paginate {
            default: DEFAULT_PAGINATE,
            max: 100,
        });
        let (people, doug) = with_doug(options).await;
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
#[tokio::test]
async fn remove_id_query_id() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
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
#[tokio::test]
async fn update() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
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
        assert_eq!(data.get("age"), None, "update replaces the record");
        assert_eq!(people.get(&id, Params::new()).await.unwrap(), data);
    }
}

// adapter-tests: '.update + $select'
#[tokio::test]
async fn update_with_select() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
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
#[tokio::test]
async fn update_id_query() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
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
#[tokio::test]
async fn update_not_found() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
        let id = Id::from("568225fbfe21222432e836ff");
        let result = people
            .update(&id, json!({ "name": "NotFound" }), Params::new())
            .await;
        assert_not_found(result, &id);
        assert_eq!(find_list(&people, Params::new()).await, vec![doug]);
    }
}

// adapter-tests: '.update + id + query id'
#[tokio::test]
async fn update_id_query_id() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
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
#[tokio::test]
async fn update_query_not_found() {
    for id_field in ID_FIELDS {
        let (people, _doug) = with_doug(base(id_field)).await;
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

// adapter-tests: '.patch'
// (The data passed in is moved, so "not modified" holds by construction.)
#[tokio::test]
async fn patch() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
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
#[tokio::test]
async fn patch_with_select() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
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
#[tokio::test]
async fn patch_id_query() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
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
#[tokio::test]
async fn patch_multiple() {
    for id_field in ID_FIELDS {
        // Feathers' options: multi off.
        let (people, _doug) = with_doug(base(id_field)).await;
        assert_error(
            people.patch_many(json!({}), Params::new()).await,
            ErrorKind::MethodNotAllowed,
            "Can not patch multiple entries",
        );

        // Then `multi: ['patch']`.
        let (people, doug) = with_doug(base(id_field).multi_methods(["patch"])).await;
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
#[tokio::test]
async fn patch_multiple_no_pagination() {
    const COUNT: usize = 14;
    const DEFAULT_PAGINATE: usize = 10;
    for id_field in ID_FIELDS {
        let options = base(id_field).multi(true).paginate(Paginate {
            default: DEFAULT_PAGINATE,
            max: 100,
        });
        let (people, doug) = with_doug(options).await;
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
#[tokio::test]
async fn patch_multi_query_same() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field).multi(true)).await;
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
#[tokio::test]
async fn patch_multi_query_changed() {
    for id_field in ID_FIELDS {
        let (people, _doug) = with_doug(base(id_field).multi(true)).await;
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
#[tokio::test]
async fn patch_not_found() {
    for id_field in ID_FIELDS {
        let (people, _doug) = with_doug(base(id_field)).await;
        let id = Id::from("568225fbfe21222432e836ff");
        let result = people
            .patch(&id, json!({ "name": "PatchDoug" }), Params::new())
            .await;
        assert_not_found(result, &id);
    }
}

// adapter-tests: '.patch + query + NotFound'
#[tokio::test]
async fn patch_query_not_found() {
    for id_field in ID_FIELDS {
        let (people, _doug) = with_doug(base(id_field)).await;
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
#[tokio::test]
async fn patch_id_query_id() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
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
#[tokio::test]
async fn create() {
    for id_field in ID_FIELDS {
        let (people, _doug) = with_doug(base(id_field)).await;
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
#[tokio::test]
async fn create_with_select() {
    for id_field in ID_FIELDS {
        let (people, _doug) = with_doug(base(id_field)).await;
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
#[tokio::test]
async fn create_multi() {
    for id_field in ID_FIELDS {
        // Feathers' options: multi off.
        let (people, _doug) = with_doug(base(id_field)).await;
        assert_error(
            people.create_many(vec![], Params::new()).await,
            ErrorKind::MethodNotAllowed,
            "Can not create multiple entries",
        );

        // Then `multi: ['create', 'patch']`.
        let (people, _doug) = with_doug(base(id_field).multi_methods(["create", "patch"])).await;
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
#[tokio::test]
async fn internal_find() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
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
#[tokio::test]
async fn internal_get() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
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
#[tokio::test]
async fn internal_create() {
    for id_field in ID_FIELDS {
        let (people, _doug) = with_doug(base(id_field)).await;
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
#[tokio::test]
async fn internal_update() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
        refuse_public_calls(&people);
        let id = id_of(&doug, id_field);
        let raw = people.inner().unwrap();
        let data = raw
            .update(&id, json!({ "name": "Dougler" }), &Params::new())
            .await
            .unwrap();
        assert_eq!(data, json!({ "name": "Dougler", id_field: doug[id_field] }));
    }
}

// adapter-tests: 'internal .patch'
#[tokio::test]
async fn internal_patch() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
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
#[tokio::test]
async fn internal_remove() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
        refuse_public_calls(&people);
        let id = id_of(&doug, id_field);
        let raw = people.inner().unwrap();
        assert_eq!(raw.remove(&id, &Params::new()).await.unwrap(), doug);
        assert!(list(raw.find(&Params::new()).await.unwrap()).is_empty());
    }
}

// ---------------------------------------------------------------------------
// Query syntax (adapter-tests syntax.ts); each starts with Bob (25),
// Doug (32) and Alice (19)
// ---------------------------------------------------------------------------

// adapter-tests: '.find + equal'
#[tokio::test]
async fn find_equal() {
    for id_field in ID_FIELDS {
        let people = with_three(base(id_field)).await;
        let data = find_list(&people, query(json!({ "name": "Alice" }))).await;
        assert_eq!(names(&data), ["Alice"]);
    }
}

// adapter-tests: '.find + equal multiple'
#[tokio::test]
async fn find_equal_multiple() {
    for id_field in ID_FIELDS {
        let people = with_three(base(id_field)).await;
        let data = find_list(&people, query(json!({ "name": "Alice", "age": 20 }))).await;
        assert!(data.is_empty());
    }
}

// adapter-tests: '.find + $sort'
#[tokio::test]
async fn find_sort() {
    for id_field in ID_FIELDS {
        let people = with_three(base(id_field)).await;
        let data = find_list(&people, query(json!({ "$sort": { "name": 1 } }))).await;
        assert_eq!(names(&data), ["Alice", "Bob", "Doug"]);
        let data = find_list(&people, query(json!({ "$sort": { "name": -1 } }))).await;
        assert_eq!(names(&data), ["Doug", "Bob", "Alice"]);
    }
}

// adapter-tests: '.find + $sort + string'
#[tokio::test]
async fn find_sort_string() {
    for id_field in ID_FIELDS {
        let people = with_three(base(id_field)).await;
        let data = find_list(&people, query(json!({ "$sort": { "name": "1" } }))).await;
        assert_eq!(names(&data), ["Alice", "Bob", "Doug"]);
    }
}

// adapter-tests: '.find + $limit'
#[tokio::test]
async fn find_limit() {
    for id_field in ID_FIELDS {
        let people = with_three(base(id_field)).await;
        let data = find_list(&people, query(json!({ "$limit": 2 }))).await;
        assert_eq!(data.len(), 2);
    }
}

// adapter-tests: '.find + $limit 0'
#[tokio::test]
async fn find_limit_0() {
    for id_field in ID_FIELDS {
        let people = with_three(base(id_field)).await;
        let data = find_list(&people, query(json!({ "$limit": 0 }))).await;
        assert!(data.is_empty());
    }
}

// adapter-tests: '.find + $skip'
#[tokio::test]
async fn find_skip() {
    for id_field in ID_FIELDS {
        let people = with_three(base(id_field)).await;
        let data = find_list(
            &people,
            query(json!({ "$sort": { "name": 1 }, "$skip": 1 })),
        )
        .await;
        assert_eq!(names(&data), ["Bob", "Doug"]);
    }
}

// adapter-tests: '.find + $select'
#[tokio::test]
async fn find_with_select() {
    for id_field in ID_FIELDS {
        let people = with_three(base(id_field)).await;
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
#[tokio::test]
async fn find_or() {
    for id_field in ID_FIELDS {
        let people = with_three(base(id_field)).await;
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
#[tokio::test]
async fn find_in() {
    for id_field in ID_FIELDS {
        let people = with_three(base(id_field)).await;
        let data = find_list(
            &people,
            query(json!({ "name": { "$in": ["Alice", "Bob"] }, "$sort": { "name": 1 } })),
        )
        .await;
        assert_eq!(names(&data), ["Alice", "Bob"]);
    }
}

// adapter-tests: '.find + $nin'
#[tokio::test]
async fn find_nin() {
    for id_field in ID_FIELDS {
        let people = with_three(base(id_field)).await;
        let data = find_list(
            &people,
            query(json!({ "name": { "$nin": ["Alice", "Bob"] } })),
        )
        .await;
        assert_eq!(names(&data), ["Doug"]);
    }
}

// adapter-tests: '.find + $lt'
#[tokio::test]
async fn find_lt() {
    for id_field in ID_FIELDS {
        let people = with_three(base(id_field)).await;
        let data = find_list(&people, query(json!({ "age": { "$lt": 30 } }))).await;
        assert_eq!(data.len(), 2);
    }
}

// adapter-tests: '.find + $lte'
#[tokio::test]
async fn find_lte() {
    for id_field in ID_FIELDS {
        let people = with_three(base(id_field)).await;
        let data = find_list(&people, query(json!({ "age": { "$lte": 25 } }))).await;
        assert_eq!(data.len(), 2);
    }
}

// adapter-tests: '.find + $gt'
#[tokio::test]
async fn find_gt() {
    for id_field in ID_FIELDS {
        let people = with_three(base(id_field)).await;
        let data = find_list(&people, query(json!({ "age": { "$gt": 30 } }))).await;
        assert_eq!(data.len(), 1);
    }
}

// adapter-tests: '.find + $gte'
#[tokio::test]
async fn find_gte() {
    for id_field in ID_FIELDS {
        let people = with_three(base(id_field)).await;
        let data = find_list(&people, query(json!({ "age": { "$gte": 25 } }))).await;
        assert_eq!(data.len(), 2);
    }
}

// adapter-tests: '.find + $ne'
#[tokio::test]
async fn find_ne() {
    for id_field in ID_FIELDS {
        let people = with_three(base(id_field)).await;
        let data = find_list(&people, query(json!({ "age": { "$ne": 25 } }))).await;
        assert_eq!(data.len(), 2);
    }
}

// adapter-tests: '.find + $gt + $lt + $sort'
#[tokio::test]
async fn find_gt_lt_sort() {
    for id_field in ID_FIELDS {
        let people = with_three(base(id_field)).await;
        let data = find_list(
            &people,
            query(json!({ "age": { "$gt": 18, "$lt": 30 }, "$sort": { "name": 1 } })),
        )
        .await;
        assert_eq!(names(&data), ["Alice", "Bob"]);
    }
}

// adapter-tests: '.find + $or nested + $sort'
#[tokio::test]
async fn find_or_nested_sort() {
    for id_field in ID_FIELDS {
        let people = with_three(base(id_field)).await;
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
#[tokio::test]
async fn find_paginate() {
    for id_field in ID_FIELDS {
        let people = with_three(base(id_field).paginate(SYNTAX_PAGINATE)).await;
        let page = find_page(&people, query(json!({ "$sort": { "name": -1 } }))).await;
        assert_eq!((page.total, page.limit, page.skip), (3, 1, 0));
        assert_eq!(names(&page.data), ["Doug"]);
    }
}

// adapter-tests: '.find + paginate + query'
#[tokio::test]
async fn find_paginate_query() {
    for id_field in ID_FIELDS {
        let people = with_three(base(id_field).paginate(SYNTAX_PAGINATE)).await;
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
#[tokio::test]
async fn find_paginate_limit_skip() {
    for id_field in ID_FIELDS {
        let people = with_three(base(id_field).paginate(SYNTAX_PAGINATE)).await;
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
#[tokio::test]
async fn find_paginate_limit_0() {
    for id_field in ID_FIELDS {
        let people = with_three(base(id_field).paginate(SYNTAX_PAGINATE)).await;
        let page = find_page(&people, query(json!({ "$limit": 0 }))).await;
        assert_eq!(page.total, 3);
        assert!(page.data.is_empty());
    }
}

// adapter-tests: '.find + paginate + params'
// (Feathers' `params.paginate` is our `Pagination` extension; its
// `{ default: 3 }` has no `max`, i.e. no cap.)
#[tokio::test]
async fn find_paginate_params() {
    for id_field in ID_FIELDS {
        let people = with_three(base(id_field).paginate(SYNTAX_PAGINATE)).await;
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

// ---------------------------------------------------------------------------
// Query operators and pagination edges through the service
// ---------------------------------------------------------------------------

/// Bob (25), Doug (32), Alice (19) and Eve (no age), ids 0 to 3.
async fn with_four() -> People {
    let people = with_three(base("id")).await;
    people
        .create(json!({ "name": "Eve" }), Params::new())
        .await
        .unwrap();
    people
}

async fn sorted_names(people: &People, mut query: Value) -> Vec<String> {
    query["$sort"] = json!({ "name": 1 });
    let data = find_list(people, Params::new().with_query(query)).await;
    names(&data).into_iter().map(str::to_owned).collect()
}

// adapter-tests: '.find + $and' (not in @feathersjs/memory's list)
#[tokio::test]
async fn find_and() {
    for id_field in ID_FIELDS {
        let people = with_three(base(id_field)).await;
        let data = find_list(
            &people,
            query(json!({ "$and": [{ "age": 19 }], "$sort": { "name": 1 } })),
        )
        .await;
        assert_eq!(names(&data), ["Alice"]);
    }
}

// adapter-tests: '.find + $and + $or' (not in @feathersjs/memory's list)
#[tokio::test]
async fn find_and_or() {
    for id_field in ID_FIELDS {
        let people = with_three(base(id_field)).await;
        let data = find_list(
            &people,
            query(json!({ "$and": [{ "$or": [{ "name": "Alice" }] }], "$sort": { "name": 1 } })),
        )
        .await;
        assert_eq!(names(&data), ["Alice"]);
    }
}

// adapter-tests: '.create ignores query' (not in @feathersjs/memory's list)
#[tokio::test]
async fn create_ignores_query() {
    for id_field in ID_FIELDS {
        let people = service(base(id_field));
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

#[tokio::test]
async fn query_equality() {
    let people = with_four().await;
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

#[tokio::test]
async fn query_in_and_nin() {
    let people = with_four().await;
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

#[tokio::test]
async fn query_range_operators() {
    let people = with_four().await;
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

#[tokio::test]
async fn query_ne() {
    let people = with_four().await;
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

#[tokio::test]
async fn query_or() {
    let people = with_four().await;
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

#[tokio::test]
async fn query_and() {
    let people = with_four().await;
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

#[tokio::test]
async fn query_nested_or_in_and() {
    let people = with_four().await;
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
#[tokio::test]
async fn query_string_coercion_over_rest() {
    let people = with_four().await;
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
    let doug = people.get("1", rest(json!({ "age": "32" }))).await.unwrap();
    assert_eq!(doug["name"], "Doug");
}

#[tokio::test]
async fn query_sort() {
    let people = service(base("id"));
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

#[tokio::test]
async fn query_select() {
    for id_field in ID_FIELDS {
        let people = with_three(base(id_field)).await;
        // A single field, not in a list.
        let data = find_list(
            &people,
            query(json!({ "$select": "age", "$sort": { "age": 1 } })),
        )
        .await;
        assert_eq!(
            data,
            [
                json!({ "age": 19, id_field: 2 }),
                json!({ "age": 25, id_field: 0 }),
                json!({ "age": 32, id_field: 1 })
            ]
        );
        // Several fields; a missing one stays missing; the id is always kept.
        let data = people
            .get(1, query(json!({ "$select": ["name", "age", "nope"] })))
            .await
            .unwrap();
        assert_eq!(data, json!({ "name": "Doug", "age": 32, id_field: 1 }));
        let data = people
            .get(1, query(json!({ "$select": [] })))
            .await
            .unwrap();
        assert_eq!(data, json!({ id_field: 1 }));
    }
}

/// Five records (ages 10 to 50) in a service paginating `{ default: 2, max: 3 }`.
async fn with_five_paginated() -> People {
    let people = service(base("id").paginate(Paginate { default: 2, max: 3 }));
    for (i, name) in ["A", "B", "C", "D", "E"].into_iter().enumerate() {
        people
            .create(json!({ "name": name, "age": (i + 1) * 10 }), Params::new())
            .await
            .unwrap();
    }
    people
}

#[tokio::test]
async fn pagination_default_page_size() {
    let people = with_five_paginated().await;
    let page = find_page(&people, Params::new()).await;
    assert_eq!((page.total, page.limit, page.skip), (5, 2, 0));
    assert_eq!(names(&page.data), ["A", "B"]);
    let page = find_page(&people, query(json!({ "$skip": 2 }))).await;
    assert_eq!((page.total, page.limit, page.skip), (5, 2, 2));
    assert_eq!(names(&page.data), ["C", "D"]);
}

#[tokio::test]
async fn pagination_limit_0_counts_total() {
    let people = with_five_paginated().await;
    let page = find_page(&people, query(json!({ "$limit": 0 }))).await;
    assert_eq!((page.total, page.limit, page.skip), (5, 0, 0));
    assert!(page.data.is_empty());
    let page = find_page(&people, query(json!({ "$limit": 0, "age": { "$gt": 20 } }))).await;
    assert_eq!((page.total, page.limit), (3, 0));
    assert!(page.data.is_empty());
}

#[tokio::test]
async fn pagination_skip_past_the_end() {
    let people = with_five_paginated().await;
    let page = find_page(&people, query(json!({ "$skip": 10 }))).await;
    assert_eq!((page.total, page.limit, page.skip), (5, 2, 10));
    assert!(page.data.is_empty());
    let page = find_page(&people, query(json!({ "$skip": 4, "$limit": 3 }))).await;
    assert_eq!((page.total, page.limit, page.skip), (5, 3, 4));
    assert_eq!(names(&page.data), ["E"]);
}

#[tokio::test]
async fn pagination_limit_capped_at_max() {
    let people = with_five_paginated().await;
    let page = find_page(&people, query(json!({ "$limit": 100 }))).await;
    assert_eq!((page.total, page.limit, page.skip), (5, 3, 0));
    assert_eq!(names(&page.data), ["A", "B", "C"]);
    let page = find_page(&people, query(json!({ "$limit": 3 }))).await;
    assert_eq!(page.limit, 3);
    let page = find_page(&people, query(json!({ "$limit": 1 }))).await;
    assert_eq!((page.limit, page.data.len()), (1, 1));
}

#[tokio::test]
async fn unpaginated_limit_and_skip() {
    let people = with_five_paginated().await;
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
    let people = with_three(base("id")).await;
    let data = find_list(&people, query(json!({ "$limit": 100 }))).await;
    assert_eq!(data.len(), 3);
}

// Deliberate difference: Feathers falls back to the default page size for a
// `$limit` that is negative or not a number; our query module answers 400.
#[tokio::test]
async fn invalid_limit_and_skip_are_bad_requests() {
    let people = with_five_paginated().await;
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

#[tokio::test]
async fn unknown_operators_are_bad_requests() {
    let people = with_three(base("id").multi(true)).await;
    let cases = [
        (json!({ "$foo": 1 }), "Invalid filter value $foo"),
        (
            json!({ "$populate": true, "name": "Bob" }),
            "Invalid filter value $populate",
        ),
        (
            json!({ "age": { "$regex": "2" } }),
            "Invalid query parameter $regex",
        ),
        (
            json!({ "age": { "$exists": true } }),
            "Invalid query parameter $exists",
        ),
        (
            json!({ "$or": [{ "name": "Bob" }, { "$where": "x" }] }),
            "Invalid query parameter $where",
        ),
        (
            json!({ "$and": [{ "age": { "$gt": 1, "$like": "x" } }] }),
            "Invalid query parameter $like",
        ),
    ];
    for (bad, message) in cases {
        let params = || query(bad.clone());
        assert_error(people.find(params()).await, ErrorKind::BadRequest, message);
        assert_error(
            people.get(0, params()).await,
            ErrorKind::BadRequest,
            message,
        );
        assert_error(
            people.update(0, json!({ "name": "X" }), params()).await,
            ErrorKind::BadRequest,
            message,
        );
        assert_error(
            people.patch(0, json!({ "name": "X" }), params()).await,
            ErrorKind::BadRequest,
            message,
        );
        assert_error(
            people.remove(0, params()).await,
            ErrorKind::BadRequest,
            message,
        );
        assert_error(
            people.patch_many(json!({ "name": "X" }), params()).await,
            ErrorKind::BadRequest,
            message,
        );
        assert_error(
            people.remove_many(params()).await,
            ErrorKind::BadRequest,
            message,
        );
    }
    // Nothing was changed by the refused calls.
    let data = find_list(&people, query(json!({ "$sort": { "name": 1 } }))).await;
    assert_eq!(names(&data), ["Alice", "Bob", "Doug"]);
}

#[tokio::test]
async fn missing_id_is_not_found() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field)).await;
        for id in [Id::from(99), Id::from("nope")] {
            assert_not_found(people.get(&id, Params::new()).await, &id);
            assert_not_found(
                people
                    .update(&id, json!({ "name": "X" }), Params::new())
                    .await,
                &id,
            );
            assert_not_found(
                people
                    .patch(&id, json!({ "name": "X" }), Params::new())
                    .await,
                &id,
            );
            assert_not_found(people.remove(&id, Params::new()).await, &id);
        }
        let error = people.get(99, Params::new()).await.unwrap_err();
        assert_eq!(error.message(), "No record found for id '99'");
        assert_eq!(error.code(), 404);
        assert_eq!(find_list(&people, Params::new()).await, vec![doug]);
    }
}

#[tokio::test]
async fn multi_calls_refused_without_multi() {
    let people = with_three(base("id")).await;
    assert_error(
        people
            .create_many(vec![json!({ "name": "X" })], Params::new())
            .await,
        ErrorKind::MethodNotAllowed,
        "Can not create multiple entries",
    );
    assert_error(
        people
            .patch_many(json!({ "age": 1 }), query(json!({ "name": "Bob" })))
            .await,
        ErrorKind::MethodNotAllowed,
        "Can not patch multiple entries",
    );
    assert_error(
        people.remove_many(query(json!({ "name": "Bob" }))).await,
        ErrorKind::MethodNotAllowed,
        "Can not remove multiple entries",
    );
    let error = people.remove_many(Params::new()).await.unwrap_err();
    assert_eq!((error.code(), error.name()), (405, "MethodNotAllowed"));
    assert_eq!(find_list(&people, Params::new()).await.len(), 3);

    // Allowing some methods leaves the others refused.
    let people = with_three(base("id").multi_methods(["patch"])).await;
    let patched = people
        .patch_many(json!({ "age": 1 }), query(json!({ "name": "Bob" })))
        .await
        .unwrap();
    assert_eq!(names(&patched), ["Bob"]);
    assert_error(
        people.remove_many(Params::new()).await,
        ErrorKind::MethodNotAllowed,
        "Can not remove multiple entries",
    );
    assert_error(
        people.create_many(vec![], Params::new()).await,
        ErrorKind::MethodNotAllowed,
        "Can not create multiple entries",
    );
}

#[tokio::test]
async fn ids_from_zero_and_own_ids_kept() {
    for id_field in ID_FIELDS {
        let people = service(base(id_field).multi(true));
        for expected in 0..3 {
            let record = people
                .create(json!({ "name": format!("p{expected}") }), Params::new())
                .await
                .unwrap();
            assert_eq!(record[id_field], expected);
        }
        // A record bringing its own id keeps it, number or string.
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
        // Assigned ids go on from where they were.
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

        // Neither update nor patch changes a record's id.
        let updated = people
            .update(
                10,
                json!({ id_field: 99, "name": "still ten" }),
                Params::new(),
            )
            .await
            .unwrap();
        assert_eq!(updated, json!({ id_field: 10, "name": "still ten" }));
        let patched = people
            .patch(
                10,
                json!({ id_field: 98, "name": "ten again" }),
                Params::new(),
            )
            .await
            .unwrap();
        assert_eq!(patched, json!({ id_field: 10, "name": "ten again" }));
        let patched = people
            .patch_many(json!({ id_field: 97 }), query(json!({ "name": "p0" })))
            .await
            .unwrap();
        assert_eq!(patched[0][id_field], 0);
        assert_not_found(people.get(99, Params::new()).await, &Id::from(99));
        assert_eq!(find_list(&people, paginate(None)).await.len(), 7);
    }
}

// Deliberate difference: Feathers' memory adapter replaces a stored record
// when a create brings its id; here that is a 409 and nothing changes.
#[tokio::test]
async fn a_create_never_replaces_a_record_with_its_id() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug(base(id_field).multi(true)).await;
        let doug_id = id_of(&doug, id_field);
        // By number, by the same number as a string, and in a multi create.
        for taken in [json!(doug_id.to_json()), json!(doug_id.key())] {
            assert_error(
                people
                    .create(json!({ id_field: taken, "name": "Eve" }), Params::new())
                    .await,
                ErrorKind::Conflict,
                &format!("A record with id '{doug_id}' already exists"),
            );
        }
        let batch = vec![
            json!({ "name": "Fay" }),
            json!({ id_field: 7, "name": "Gus" }),
            json!({ id_field: doug_id.to_json(), "name": "Eve" }),
        ];
        assert_error(
            people.create_many(batch, Params::new()).await,
            ErrorKind::Conflict,
            &format!("A record with id '{doug_id}' already exists"),
        );
        // Records of one multi create may not share an id either.
        let twins = vec![
            json!({ id_field: "x", "name": "Ann" }),
            json!({ id_field: "x", "name": "Bea" }),
        ];
        assert_error(
            people.create_many(twins, Params::new()).await,
            ErrorKind::Conflict,
            "A record with id 'x' already exists",
        );
        // Nothing was stored or replaced.
        assert_eq!(find_list(&people, Params::new()).await, vec![doug.clone()]);

        // Assigned ids skip the ids the batch brings.
        let batch = vec![
            json!({ "name": "Fay" }),
            json!({ id_field: 1, "name": "Gus" }),
        ];
        let created = people.create_many(batch, Params::new()).await.unwrap();
        assert_eq!(
            (created[0][id_field].clone(), created[1][id_field].clone()),
            (json!(2), json!(1))
        );
    }
}

// From @feathersjs/memory's own tests ('update with string id works'): an
// update through a string id keeps the record's numeric id.
#[tokio::test]
async fn update_with_string_id_works() {
    let (people, doug) = with_doug(base("id")).await;
    let updated = people
        .update("0", json!({ "name": "Doug", "age": 33 }), Params::new())
        .await
        .unwrap();
    assert_eq!(updated["id"], 0);
    assert!(updated["id"].is_number());
    let removed = people.remove("0", Params::new()).await.unwrap();
    assert_eq!(removed["id"], doug["id"]);
}

// Feathers' memory adapter strips `$limit`, `$skip` and `$sort` from the
// query of a multi `patch` or `remove` (`getQuery`): every match is touched.
#[tokio::test]
async fn multi_patch_and_remove_ignore_limit_skip_and_sort() {
    let people = service(MemoryOptions::new().multi(true));
    for (name, age) in [("Alice", 19), ("Bob", 25), ("Doug", 32)] {
        people
            .create(json!({ "name": name, "age": age }), Params::new())
            .await
            .unwrap();
    }
    let narrowing =
        json!({ "age": { "$gt": 18 }, "$limit": 1, "$skip": 1, "$sort": { "age": -1 } });

    let patched = people
        .patch_many(json!({ "seen": true }), query(narrowing.clone()))
        .await
        .unwrap();
    assert_eq!(patched.len(), 3);

    let removed = people.remove_many(query(narrowing)).await.unwrap();
    assert_eq!(removed.len(), 3);
    assert!(removed.iter().all(|person| person["seen"] == json!(true)));
}

// `create` reads only `$select` from the query, as Feathers does; other
// keys, even invalid operators, are not its business.
#[tokio::test]
async fn create_reads_only_select_from_the_query() {
    let people = service(MemoryOptions::new());
    let created = people
        .create(
            json!({ "name": "Billy", "age": 42 }),
            query(json!({ "name": { "$regex": "x" }, "$select": ["name"] })),
        )
        .await
        .unwrap();
    assert_eq!(created, json!({ "id": 0, "name": "Billy" }));
}
