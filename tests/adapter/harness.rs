//! The storages the suite runs on, and the helpers every test shares.
//!
//! A [`Storage`] builds a fresh service at `people` for a set of
//! [`Options`]; each test is written once, generic over it, and
//! `storage_tests!` (in `main.rs`) instantiates it per storage.

use std::future::Future;
use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use auth_core::memory::{MemoryOptions, MemoryService, Multi, Pagination};
use auth_core::prelude::*;
use auth_core::query::Page;
pub use auth_core::query::Paginate;
use auth_core::sql::{SqlOptions, SqlPool, SqlService};
use serde_json::{Value, json};
use tests::postgres::TempSchema;
use tests::sqlite::TempDatabase;

/// The options Feathers' adapter tests vary, whatever the storage.
#[derive(Debug, Clone, PartialEq, Default)]
#[must_use]
pub struct Options {
    /// The id field (`id` or `customid`).
    pub id: String,
    /// Pagination, if `find` paginates.
    pub paginate: Option<Paginate>,
    /// The multi calls allowed.
    pub multi: Multi,
}

impl Options {
    /// Id field `id`, no pagination, no multi calls.
    pub fn new() -> Options {
        Options {
            id: "id".to_owned(),
            ..Options::default()
        }
    }

    pub fn id(mut self, field: &str) -> Options {
        self.id = field.to_owned();
        self
    }

    pub fn paginate(mut self, paginate: Paginate) -> Options {
        self.paginate = Some(paginate);
        self
    }

    pub fn multi(mut self, allow: bool) -> Options {
        self.multi = if allow { Multi::All } else { Multi::None };
        self
    }

    pub fn multi_methods<'a>(mut self, methods: impl IntoIterator<Item = &'a str>) -> Options {
        self.multi = Multi::Methods(methods.into_iter().map(Method::from_name).collect());
        self
    }
}

/// A kind of storage the adapter suite runs on.
pub trait Storage: Sized + 'static {
    /// The service type, on untyped records as Feathers' tests use.
    type Service: Service<Item = Value, Data = Value, Patch = Value>;
    /// What must live as long as the service (a database file).
    type Keep;

    /// A fresh, empty service at `people` with `options`.
    fn service(options: Options) -> impl Future<Output = People<Self>>;

    /// The options the service was built with, read back from it.
    fn options_of(service: &Self::Service) -> Options;

    /// Whether `test` is skipped here because the storage is not at hand
    /// (a PostgreSQL server outside CI); says so when it is.
    fn skip(test: &str) -> bool {
        let _ = test;
        false
    }
}

/// A handle on a fresh `people` service, and what keeps its storage alive.
pub struct People<S: Storage> {
    handle: ServiceHandle<S::Service>,
    _keep: S::Keep,
}

impl<S: Storage> Deref for People<S> {
    type Target = ServiceHandle<S::Service>;

    fn deref(&self) -> &Self::Target {
        &self.handle
    }
}

fn register<T: Service>(service: T) -> ServiceHandle<T> {
    App::new()
        .register("people", service)
        .service::<T>("people")
}

/// `MemoryService`, the reference the suite was written for.
pub struct Memory;

impl Storage for Memory {
    type Service = MemoryService<Value>;
    type Keep = ();

    async fn service(options: Options) -> People<Memory> {
        let mut memory = MemoryOptions::new().id(options.id);
        memory.paginate = options.paginate;
        memory.multi = options.multi;
        People {
            handle: register(MemoryService::with_options(memory)),
            _keep: (),
        }
    }

    fn options_of(service: &MemoryService<Value>) -> Options {
        let options = service.options();
        Options {
            id: options.id.clone(),
            paginate: options.paginate,
            multi: options.multi.clone(),
        }
    }
}

/// `SqlService` on a fresh SQLite file, with the table Feathers' knex
/// adapter tests create (`people` / `people-customid`: an auto-assigned
/// integer id, a required name, an age, a created flag).
pub struct Sqlite;

impl Storage for Sqlite {
    type Service = SqlService<Value>;
    type Keep = TempDatabase;

    async fn service(options: Options) -> People<Sqlite> {
        let schema = people_table(&options.id, "INTEGER PRIMARY KEY");
        let database = TempDatabase::new(&schema, 2).await;
        people_on(database.pool().into(), database, options).await
    }

    fn options_of(service: &SqlService<Value>) -> Options {
        sql_options_of(service)
    }
}

/// The table Feathers' knex adapter tests create, its id column `id` (the
/// options' `id` or `customid`: a constant of the suite, never input) of
/// the SQL type `id_type`.
fn people_table(id: &str, id_type: &str) -> String {
    format!(
        "CREATE TABLE people (
            {id} {id_type},
            name TEXT NOT NULL,
            age INTEGER,
            created BOOLEAN
        )"
    )
}

/// The service on the `people` table of `pool`, with `options`, keeping
/// `keep` (the database) alive as long as it.
async fn people_on<S>(pool: SqlPool, keep: S::Keep, options: Options) -> People<S>
where
    S: Storage<Service = SqlService<Value>>,
{
    let service = SqlService::new(pool, "people", sql_options(options))
        .await
        .expect("a service on the people table");
    People {
        handle: register(service),
        _keep: keep,
    }
}

fn sql_options_of(service: &SqlService<Value>) -> Options {
    let options = service.options();
    Options {
        id: options.id.clone().unwrap_or_else(|| "id".to_owned()),
        paginate: options.paginate,
        multi: options.multi.clone(),
    }
}

fn sql_options(options: Options) -> SqlOptions {
    let mut sql = SqlOptions::new().id(options.id);
    sql.paginate = options.paginate;
    sql.multi = options.multi;
    sql
}

/// `SqlService` on a fresh schema of the PostgreSQL server the tests are
/// given (`TEST_POSTGRES_URL`), with the same table as on SQLite; the id an
/// identity column, as knex's `increments()` makes it.
pub struct Postgres;

impl Storage for Postgres {
    type Service = SqlService<Value>;
    type Keep = TempSchema;

    async fn service(options: Options) -> People<Postgres> {
        let schema = people_table(
            &options.id,
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        );
        let database = TempSchema::new(&schema, 2).await;
        people_on(database.pool().into(), database, options).await
    }

    fn options_of(service: &SqlService<Value>) -> Options {
        sql_options_of(service)
    }

    fn skip(test: &str) -> bool {
        tests::postgres::skip(test)
    }
}

// ---------------------------------------------------------------------------
// Fixtures and assertions
// ---------------------------------------------------------------------------

/// The id fields Feathers runs the suite with: `people` and `people-customid`.
pub const ID_FIELDS: [&str; 2] = ["id", "customid"];

/// Feathers' `people` / `people-customid` options: the id field, no multi,
/// no pagination.
pub fn base(id_field: &str) -> Options {
    Options::new().id(id_field)
}

/// The pagination Feathers' syntax tests switch on: `{ default: 1, max: 2 }`.
pub const SYNTAX_PAGINATE: Paginate = Paginate { default: 1, max: 2 };

/// The id of a record, from its id field.
pub fn id_of(record: &Value, id_field: &str) -> Id {
    Id::from_json(&record[id_field])
        .unwrap_or_else(|| panic!("record has no id in `{id_field}`: {record}"))
}

/// A record without its null fields: an SQL row has every column, null
/// when unset, where a memory record lacks the field; both are the same
/// record.
pub fn without_nulls(record: &Value) -> Value {
    match record {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .filter(|(_, value)| !value.is_null())
                .map(|(field, value)| (field.clone(), value.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The methods tests' fixture: a service with `options`, holding Doug (32).
pub async fn with_doug<S: Storage>(options: Options) -> (People<S>, Value) {
    let people = S::service(options).await;
    let doug = people
        .create(json!({ "name": "Doug", "age": 32 }), Params::new())
        .await
        .unwrap();
    (people, doug)
}

/// The syntax tests' fixture: a service with `options`, holding Bob (25),
/// Doug (32) and Alice (19), created in that order.
pub async fn with_three<S: Storage>(options: Options) -> People<S> {
    let people = S::service(options).await;
    for (name, age) in [("Bob", 25), ("Doug", 32), ("Alice", 19)] {
        people
            .create(json!({ "name": name, "age": age }), Params::new())
            .await
            .unwrap();
    }
    people
}

pub fn query(query: Value) -> Params {
    Params::new().with_query(query)
}

/// Params overriding the service's pagination for one call.
pub fn paginate(paginate: Option<Paginate>) -> Params {
    let mut params = Params::new();
    params.extensions.insert(Pagination(paginate));
    params
}

pub fn list(found: Found<Value>) -> Vec<Value> {
    match found {
        Found::All(records) => records,
        Found::Page(page) => panic!("expected a plain list, got a page: {page:?}"),
    }
}

pub fn page(found: Found<Value>) -> Page<Value> {
    match found {
        Found::Page(page) => page,
        Found::All(records) => panic!("expected a page, got a plain list: {records:?}"),
    }
}

pub async fn find_list<S: Storage>(people: &People<S>, params: Params) -> Vec<Value> {
    list(people.find(params).await.unwrap())
}

pub async fn find_page<S: Storage>(people: &People<S>, params: Params) -> Page<Value> {
    page(people.find(params).await.unwrap())
}

pub fn names(records: &[Value]) -> Vec<&str> {
    records
        .iter()
        .map(|record| record["name"].as_str().expect("record has a name"))
        .collect()
}

pub fn assert_error<T: std::fmt::Debug>(result: Result<T>, kind: ErrorKind, message: &str) {
    let error = result.expect_err("expected an error");
    assert_eq!(error.kind(), kind, "{error}");
    assert_eq!(error.name(), kind.name());
    assert_eq!(error.code(), kind.code());
    assert_eq!(error.message(), message);
}

pub fn assert_not_found<T: std::fmt::Debug>(result: Result<T>, id: &Id) {
    assert_error(
        result,
        ErrorKind::NotFound,
        &format!("No record found for id '{id}'"),
    );
}

/// A hook counting the calls it sees.
pub struct Count(Arc<AtomicUsize>);

impl<T: Service> Hook<HookContext<T>> for Count {
    async fn run(&self, _ctx: &mut HookContext<T>) -> Result<()> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// Registers a before hook on every method counting calls; returns the count.
pub fn count_hooks<S: Storage>(people: &People<S>) -> Arc<AtomicUsize> {
    let count = Arc::new(AtomicUsize::new(0));
    people
        .hooks(ServiceHooks::new().before_all(Count(count.clone())))
        .unwrap();
    count
}

/// A before hook refusing every call through the public (hooked) path, as
/// Feathers' "throwing" service refuses its public methods.
struct RefusePublic;

impl<T: Service> Hook<HookContext<T>> for RefusePublic {
    async fn run(&self, ctx: &mut HookContext<T>) -> Result<()> {
        Err(Error::general(format!("{} method called", ctx.method)))
    }
}

pub fn refuse_public_calls<S: Storage>(people: &People<S>) {
    people
        .hooks(ServiceHooks::new().before_all(RefusePublic))
        .unwrap();
}
