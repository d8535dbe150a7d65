//! `MemoryService<T>`: records kept in memory, queried with Feathers' query
//! syntax, as `@feathersjs/memory` does.
//!
//! * Ids are assigned from 0 upward (or [`MemoryOptions::start_id`]) unless
//!   the record brings its own in the id field (`"id"` by default).
//! * A `create` whose record brings an id already in use is
//!   `409 Conflict` (naming the id) and stores nothing; so is a multi
//!   `create` whose records repeat an id among themselves. Here we differ
//!   from Feathers on purpose: its memory adapter silently replaces the
//!   stored record, which lets any caller allowed to create overwrite
//!   anyone's record. Replacing is what `update` is for.
//! * `find` answers a page `{total, limit, skip, data}` when the service
//!   paginates, else a list; `$limit` above `paginate.max` is capped.
//! * `create` with a list, and `patch` and `remove` with a null id, need the
//!   `multi` option, as in Feathers.
//! * A missing record, or one the query excludes, is
//!   `NotFound: No record found for id '<id>'`.
//! * Fields named by [`MemoryOptions::unique`] hold a value at most once
//!   across records, as a SQL unique index does: a create, update or patch
//!   that would repeat one is `409 Conflict`. The check and the write happen
//!   under one lock, so concurrent calls can not both get through.
//! * A typed service (`MemoryService<Message>`, `T` a struct) keeps only
//!   `T`'s fields: a field `T` does not declare in a `create`, `update` or
//!   `patch` body is `400 BadRequest` naming it, and so is one a query
//!   names (in a condition, `$sort` or `$select`; a dot path into a field
//!   too). `MemoryService<serde_json::Value>` is schemaless, as Feathers'
//!   memory adapter is: any field, dot paths into nested objects.
//! * A `find` holds the store's lock only to take a snapshot of the
//!   records (a reference count each, shared by the finds that follow
//!   until the next write); matching, sorting and paging run
//!   after, without it, in time slices of about a millisecond with a yield
//!   to the runtime between them. So a heavy query never holds up writes
//!   nor the other requests of its thread, and a request timeout (which
//!   drops the call at a yield) stops it. The query is compiled once per
//!   find, each match's `$sort` values are looked up once, and a page of
//!   a large match (`$skip + $limit` below a quarter of it) is selected
//!   with a bounded heap instead of sorting every match.
//!
//! ```
//! use auth_core::prelude::*;
//! use auth_core::memory::{MemoryOptions, MemoryService};
//! use auth_core::query::Paginate;
//! use serde_json::{json, Value};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let messages = MemoryService::<Value>::with_options(
//!     MemoryOptions::new().paginate(Paginate { default: 10, max: 50 }),
//! );
//! let app = App::new().register("messages", messages);
//! let messages = app.service::<MemoryService<Value>>("messages");
//!
//! messages.create(json!({ "text": "a", "votes": 3 }), Params::new()).await?;
//! messages.create(json!({ "text": "b", "votes": 7 }), Params::new()).await?;
//!
//! // As over REST: `?votes[$gt]=5`, values as strings.
//! let query = Params::new().with_query(json!({ "votes": { "$gt": "5" } }));
//! let Found::Page(page) = messages.find(query).await? else { unreachable!() };
//! assert_eq!(page.total, 1);
//! assert_eq!(page.data[0]["text"], "b");
//! # Ok::<_, Error>(()) }).unwrap();
//! ```

use std::any::Any;
use std::collections::{BTreeMap, BTreeSet};
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::params::Params;
use crate::query::{self, Paginate, Query};
use crate::service::{Found, Id, Method, Service};
use crate::sync::{lock, read, write};
use crate::typed;

/// Which multi calls a memory service allows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Multi {
    /// None: `create` with a list, `patch`/`remove` with a null id are refused.
    #[default]
    None,
    /// All of them.
    All,
    /// Only these methods.
    Methods(Vec<Method>),
}

impl Multi {
    fn allows(&self, method: &Method) -> bool {
        match self {
            Multi::None => false,
            Multi::All => true,
            Multi::Methods(methods) => methods.contains(method),
        }
    }
}

/// The options of a [`MemoryService`].
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryOptions {
    /// The id field (`"id"`).
    pub id: String,
    /// Pagination, if `find` paginates.
    pub paginate: Option<Paginate>,
    /// The multi calls allowed.
    pub multi: Multi,
    /// The first id assigned (0).
    pub start_id: i64,
    /// The fields whose values must be unique across records.
    pub unique: Vec<String>,
}

impl Default for MemoryOptions {
    fn default() -> Self {
        MemoryOptions {
            id: "id".to_owned(),
            paginate: None,
            multi: Multi::None,
            start_id: 0,
            unique: Vec::new(),
        }
    }
}

impl MemoryOptions {
    /// The defaults: id field `id`, no pagination, no multi calls, ids from 0.
    #[must_use]
    pub fn new() -> MemoryOptions {
        MemoryOptions::default()
    }

    /// Uses `field` as the id field.
    #[must_use]
    pub fn id(mut self, field: impl Into<String>) -> MemoryOptions {
        self.id = field.into();
        self
    }

    /// Paginates `find`.
    #[must_use]
    pub fn paginate(mut self, paginate: Paginate) -> MemoryOptions {
        self.paginate = Some(paginate);
        self
    }

    /// Allows every multi call (`true`) or none (`false`).
    #[must_use]
    pub fn multi(mut self, allow: bool) -> MemoryOptions {
        self.multi = if allow { Multi::All } else { Multi::None };
        self
    }

    /// Allows multi calls for these methods only (`["patch", "remove"]`).
    #[must_use]
    pub fn multi_methods<'a>(
        mut self,
        methods: impl IntoIterator<Item = &'a str>,
    ) -> MemoryOptions {
        self.multi = Multi::Methods(methods.into_iter().map(Method::from_name).collect());
        self
    }

    /// Assigns ids from `start` upward.
    #[must_use]
    pub fn start_id(mut self, start: i64) -> MemoryOptions {
        self.start_id = start;
        self
    }

    /// Makes each of `fields` unique, as a SQL unique index: two records
    /// never hold the same value there (a missing or `null` value holds
    /// none). A write that would repeat one is `409 Conflict` naming the
    /// field. Values compare exactly: normalise them (an email trimmed and
    /// lowercased) in a hook before they are stored.
    ///
    /// ```
    /// use auth_core::prelude::*;
    /// use auth_core::memory::{MemoryOptions, MemoryService};
    /// use serde_json::{json, Value};
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let users = MemoryService::<Value>::with_options(MemoryOptions::new().unique(["email"]));
    /// let app = App::new().register("users", users);
    /// let users = app.service::<MemoryService>("users");
    /// users.create(json!({ "email": "ada@example.com" }), Params::new()).await?;
    /// let error = users.create(json!({ "email": "ada@example.com" }), Params::new()).await.unwrap_err();
    /// assert_eq!(error.code(), 409);
    /// assert_eq!(error.message(), "email: value already exists");
    /// # Ok::<_, Error>(()) }).unwrap();
    /// ```
    #[must_use]
    pub fn unique<'a>(mut self, fields: impl IntoIterator<Item = &'a str>) -> MemoryOptions {
        self.unique = fields.into_iter().map(str::to_owned).collect();
        self
    }
}

/// Overrides a service's pagination for one call, as Feathers'
/// `params.paginate` does: put it in `params.extensions`.
/// `Pagination(None)` turns pagination off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pagination(pub Option<Paginate>);

/// True when `text`, which parses as an `i64`, is that number's decimal
/// form (no sign but `-`, no leading zero, no `-0`), without formatting it.
pub(crate) fn is_canonical_integer(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.starts_with('+')
        && (digits == "0" && digits.len() == text.len() || !digits.starts_with('0'))
}

/// Where a record is stored: numeric ids (and strings holding one) order
/// numerically, before other strings, so `3` and `"3"` are one key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Number(i64),
    Text(String),
}

impl Key {
    fn of(id: &Id) -> Key {
        match id {
            Id::Number(number) => Key::Number(*number),
            Id::String(text) => match text.parse::<i64>() {
                Ok(number) if is_canonical_integer(text) => Key::Number(number),
                _ => Key::Text(text.clone()),
            },
        }
    }
}

/// The records, each behind an `Arc` so that a `find` copies none of them
/// under the lock.
struct Store {
    records: BTreeMap<Key, Arc<Value>>,
    next_id: i64,
    /// The records in order, as the last `find` took them, until the next
    /// write: consecutive finds share one snapshot (a reference count)
    /// instead of counting a reference to every record each.
    snapshot: Mutex<Option<Snapshot>>,
}

/// The records of a [`Store`] at one moment, in store order.
type Snapshot = Arc<Vec<Arc<Value>>>;

impl Store {
    /// The records now. Taken under the store's read lock (or its write
    /// lock): writers, which hold the write lock, forget the snapshot, so
    /// one kept here is never older than the records.
    fn snapshot(&self) -> Snapshot {
        let mut snapshot = lock(&self.snapshot);
        Arc::clone(
            snapshot.get_or_insert_with(|| Arc::new(self.records.values().cloned().collect())),
        )
    }

    /// Stores `records`, replacing those with the same keys.
    fn put(&mut self, records: impl IntoIterator<Item = (Key, Arc<Value>)>) {
        *self
            .snapshot
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner) = None;
        self.records.extend(records);
    }

    /// Removes the record at `key`.
    fn take(&mut self, key: &Key) {
        *self
            .snapshot
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner) = None;
        self.records.remove(key);
    }
}

/// A service keeping records of type `T` in memory.
///
/// `T` is the record type (`serde_json::Value` by default); `create` and
/// `update` take a `T` and `patch` takes a JSON object merged into the
/// record. A `T` whose id field is optional (`Option<u64>`) lets the
/// service assign ids.
pub struct MemoryService<T = Value> {
    store: RwLock<Store>,
    options: MemoryOptions,
    records: PhantomData<fn() -> T>,
}

impl<T> Default for MemoryService<T> {
    fn default() -> Self {
        MemoryService::with_options(MemoryOptions::default())
    }
}

fn not_found(id: &Id) -> Error {
    Error::not_found(format!("No record found for id '{id}'"))
}

/// A create bringing an id already in use: Feathers' memory adapter would
/// replace that record; we refuse (see the module docs).
fn conflict(id: &Id) -> Error {
    Error::conflict(format!("A record with id '{id}' already exists"))
}

/// A record read as `T`, owned or borrowed. A record `$select` trimmed may
/// lack a field `T` needs: that is the caller's query, a 400, never a 500.
/// Records are checked against `T` before they are stored
/// ([`crate::typed::read`] names the field there), so this error names none.
fn read_as<'de, T: DeserializeOwned>(
    record: impl serde::Deserializer<'de, Error = serde_json::Error>,
) -> Result<T> {
    T::deserialize(record).map_err(|error| Error::bad_request(format!("Invalid data: {error}")))
}

/// The part of the query `create` reads, as Feathers does: only `$select`.
pub(crate) fn select_only(params: &Params) -> Result<Query> {
    let mut query = Map::new();
    if let Some(select) = params.query.get("$select") {
        query.insert("$select".to_owned(), select.clone());
    }
    Query::parse(&query)
}

/// The value a record holds in a unique field; `null` counts as none.
fn unique_value<'r>(record: &'r Value, field: &str) -> Option<&'r Value> {
    record.get(field).filter(|value| !value.is_null())
}

pub(crate) fn to_object<D: Serialize>(data: &D) -> Result<Map<String, Value>> {
    match serde_json::to_value(data) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(Error::bad_request("Data must be an object")),
        Err(error) => Err(Error::bad_request(format!("Invalid data: {error}"))),
    }
}

impl<T> MemoryService<T> {
    /// An empty service with the default options.
    #[must_use]
    pub fn new() -> MemoryService<T> {
        MemoryService::default()
    }

    /// An empty service with these options.
    #[must_use]
    pub fn with_options(options: MemoryOptions) -> MemoryService<T> {
        MemoryService {
            store: RwLock::new(Store {
                records: BTreeMap::new(),
                next_id: options.start_id,
                snapshot: Mutex::new(None),
            }),
            options,
            records: PhantomData,
        }
    }

    /// The service's options.
    pub fn options(&self) -> &MemoryOptions {
        &self.options
    }

    fn paginate(&self, params: &Params) -> Option<Paginate> {
        match params.extensions.get::<Pagination>() {
            Some(Pagination(paginate)) => *paginate,
            None => self.options.paginate,
        }
    }

    fn require_multi(&self, method: Method, message: &str) -> Result<()> {
        if self.options.multi.allows(&method) {
            Ok(())
        } else {
            Err(Error::method_not_allowed(message))
        }
    }
}

impl<T: DeserializeOwned> MemoryService<T> {
    /// The record as the caller receives it: `$select` applied, read as
    /// `T`. Computed before any change is stored, so that a record that
    /// would not fit `T` is refused with a 400 and never stored.
    fn answer(&self, record: &Value, query: &Query) -> Result<T> {
        let Some(fields) = &query.filters.select else {
            // No copy of the record: read `T` straight from the stored JSON.
            return typed::read(record);
        };
        let selected = query::select(record.clone(), fields, &self.options.id);
        // A typed record can not lose a field `T` requires: answer it whole
        // (transports project `$select` on what they send).
        read_as(selected).or_else(|_| typed::read(record))
    }

    /// The record at `id`, if it matches the query.
    fn find_one<'s>(&self, store: &'s Store, id: &Id, query: &Query) -> Result<&'s Arc<Value>> {
        store
            .records
            .get(&Key::of(id))
            .filter(|record| query.matches(record))
            .ok_or_else(|| not_found(id))
    }

    /// The keys of every record the query's conditions match, in store
    /// order. As in Feathers' multi `patch` and `remove`, `$limit`, `$skip`
    /// and `$sort` do not narrow what a multi call touches.
    fn matching_keys(&self, store: &Store, query: &Query) -> Vec<Key> {
        let matcher = query.matcher();
        store
            .records
            .iter()
            .filter(|(_, record)| matcher.matches(record))
            .map(|(key, _)| key.clone())
            .collect()
    }

    /// The id `data` brings in the id field, if any.
    fn brought_id(&self, data: &Map<String, Value>) -> Option<Id> {
        data.get(&self.options.id).and_then(Id::from_json)
    }

    /// The record `data` becomes, with the id it brings or the next one
    /// that is neither stored nor in `skip` (ids other records of the same
    /// call bring).
    fn new_record(
        &self,
        store: &mut Store,
        mut data: Map<String, Value>,
        brought: Option<Id>,
        skip: &BTreeSet<Key>,
    ) -> (Key, Arc<Value>) {
        let id = brought.unwrap_or_else(|| {
            let taken = |key: &Key| store.records.contains_key(key) || skip.contains(key);
            while taken(&Key::Number(store.next_id)) {
                store.next_id += 1;
            }
            let id = Id::Number(store.next_id);
            store.next_id += 1;
            id
        });
        data.insert(self.options.id.clone(), id.to_json());
        (Key::of(&id), Arc::new(Value::Object(data)))
    }

    /// `record` with `patch` merged in (the id field never changes).
    fn merged(&self, record: &Value, patch: &Map<String, Value>) -> Arc<Value> {
        let mut merged = record.clone();
        if let Value::Object(object) = &mut merged {
            for (field, value) in patch {
                if *field != self.options.id {
                    object.insert(field.clone(), value.clone());
                }
            }
        }
        Arc::new(merged)
    }

    /// Checks that a changed record still fits `T` before it is stored; a
    /// record that does not is a 400 naming the field (`errors`).
    fn check_fits(&self, record: &Value) -> Result<()> {
        typed::read::<T>(record).map(drop)
    }

    /// Refuses `pending` writes (key and new record) that would store a
    /// value of a unique field twice: against the records they do not
    /// replace, and against each other.
    fn check_unique(&self, store: &Store, pending: &[(Key, Arc<Value>)]) -> Result<()> {
        for field in &self.options.unique {
            for (index, (key, record)) in pending.iter().enumerate() {
                let Some(value) = unique_value(record, field) else {
                    continue;
                };
                let replaced = |other: &Key| pending.iter().any(|(key, _)| key == other);
                let stored = store.records.iter().any(|(other, record)| {
                    other != key && !replaced(other) && unique_value(record, field) == Some(value)
                });
                let written = pending[..index]
                    .iter()
                    .any(|(_, record)| unique_value(record, field) == Some(value));
                if stored || written {
                    return Err(Error::conflict(format!("{field}: value already exists"))
                        .with_errors(serde_json::json!({ field.as_str(): "already exists" })));
                }
            }
        }
        Ok(())
    }
}

impl<T> Service for MemoryService<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
{
    type Item = T;
    type Data = T;
    type Patch = Value;

    async fn find(&self, params: &Params) -> Result<Found<T>> {
        let query = Query::parse(&params.query)?;
        typed::check_query::<T>(&query, &self.options.id)?;
        let paginate = self.paginate(params);
        // The lock is held for a reference count per record, no more: the
        // query runs on this snapshot, in time slices.
        let records = read(&self.store).snapshot();
        let id = &self.options.id;
        let values = || records.iter().map(Arc::as_ref);
        let mut slices = query::Slices::new();
        let found = query::find_sliced(values(), &query, paginate, id, &mut slices).await;
        // `find` has applied `$select` already. Records it trimmed below
        // what `T` needs are answered whole, as `answer` does.
        match read_found::<T>(found, &mut slices).await {
            Ok(found) => Ok(found),
            Err(_) if query.filters.select.is_some() => {
                let mut whole = query.clone();
                whole.filters.select = None;
                let found = query::find_sliced(values(), &whole, paginate, id, &mut slices).await;
                read_found(found, &mut slices).await
            }
            Err(error) => Err(error),
        }
    }

    async fn get(&self, id: &Id, params: &Params) -> Result<T> {
        let query = Query::parse(&params.query)?;
        typed::check_query::<T>(&query, &self.options.id)?;
        let record = Arc::clone(self.find_one(&read(&self.store), id, &query)?);
        self.answer(&record, &query)
    }

    async fn create(&self, data: T, params: &Params) -> Result<T> {
        let query = select_only(params)?;
        typed::check_query::<T>(&query, &self.options.id)?;
        let data = to_object(&data)?;
        let brought = self.brought_id(&data);
        let mut store = write(&self.store);
        if let Some(id) = &brought {
            if store.records.contains_key(&Key::of(id)) {
                return Err(conflict(id));
            }
        }
        let (key, record) = self.new_record(&mut store, data, brought, &BTreeSet::new());
        let answer = self.answer(&record, &query)?;
        let pending = [(key, record)];
        self.check_unique(&store, &pending)?;
        store.put(pending);
        Ok(answer)
    }

    async fn create_many(&self, data: Vec<T>, params: &Params) -> Result<Vec<T>> {
        self.require_multi(Method::Create, "Can not create multiple entries")?;
        let query = select_only(params)?;
        typed::check_query::<T>(&query, &self.options.id)?;
        let objects = data.iter().map(to_object).collect::<Result<Vec<_>>>()?;
        let brought: Vec<Option<Id>> = objects.iter().map(|data| self.brought_id(data)).collect();
        let mut store = write(&self.store);
        // Every brought id is checked before any record is made, so one
        // conflict stores nothing.
        let mut taken = BTreeSet::new();
        for id in brought.iter().flatten() {
            let key = Key::of(id);
            if store.records.contains_key(&key) || !taken.insert(key) {
                return Err(conflict(id));
            }
        }
        let records: Vec<(Key, Arc<Value>)> = objects
            .into_iter()
            .zip(brought)
            .map(|(data, id)| self.new_record(&mut store, data, id, &taken))
            .collect();
        let answers = records
            .iter()
            .map(|(_, record)| self.answer(record, &query))
            .collect::<Result<Vec<T>>>()?;
        self.check_unique(&store, &records)?;
        store.put(records);
        Ok(answers)
    }

    async fn update(&self, id: &Id, data: T, params: &Params) -> Result<T> {
        let query = Query::parse(&params.query)?;
        typed::check_query::<T>(&query, &self.options.id)?;
        let mut data = to_object(&data)?;
        let mut store = write(&self.store);
        let old_id = self
            .find_one(&store, id, &query)?
            .get(&self.options.id)
            .cloned()
            .ok_or_else(|| not_found(id))?;
        data.insert(self.options.id.clone(), old_id);
        let record = Arc::new(Value::Object(data));
        let answer = self.answer(&record, &query)?;
        let pending = [(Key::of(id), record)];
        self.check_unique(&store, &pending)?;
        store.put(pending);
        Ok(answer)
    }

    async fn patch(&self, id: &Id, data: Value, params: &Params) -> Result<T> {
        let query = Query::parse(&params.query)?;
        typed::check_query::<T>(&query, &self.options.id)?;
        let patch = to_object(&data)?;
        typed::check_patch::<T>(&patch, &self.options.id)?;
        let mut store = write(&self.store);
        let record = self.merged(self.find_one(&store, id, &query)?, &patch);
        self.check_fits(&record)?;
        let answer = self.answer(&record, &query)?;
        let pending = [(Key::of(id), record)];
        self.check_unique(&store, &pending)?;
        store.put(pending);
        Ok(answer)
    }

    async fn patch_many(&self, data: Value, params: &Params) -> Result<Vec<T>> {
        self.require_multi(Method::Patch, "Can not patch multiple entries")?;
        let query = Query::parse(&params.query)?;
        typed::check_query::<T>(&query, &self.options.id)?;
        let patch = to_object(&data)?;
        typed::check_patch::<T>(&patch, &self.options.id)?;
        let mut store = write(&self.store);
        let mut records = Vec::new();
        let mut answers = Vec::new();
        for key in self.matching_keys(&store, &query) {
            if let Some(record) = store.records.get(&key) {
                let record = self.merged(record, &patch);
                self.check_fits(&record)?;
                answers.push(self.answer(&record, &query)?);
                records.push((key, record));
            }
        }
        self.check_unique(&store, &records)?;
        store.put(records);
        Ok(answers)
    }

    async fn remove(&self, id: &Id, params: &Params) -> Result<T> {
        let query = Query::parse(&params.query)?;
        typed::check_query::<T>(&query, &self.options.id)?;
        let mut store = write(&self.store);
        let answer = self.answer(self.find_one(&store, id, &query)?, &query)?;
        store.take(&Key::of(id));
        Ok(answer)
    }

    async fn remove_many(&self, params: &Params) -> Result<Vec<T>> {
        self.require_multi(Method::Remove, "Can not remove multiple entries")?;
        let query = Query::parse(&params.query)?;
        typed::check_query::<T>(&query, &self.options.id)?;
        let mut store = write(&self.store);
        let keys = self.matching_keys(&store, &query);
        let answers = keys
            .iter()
            .filter_map(|key| store.records.get(key))
            .map(|record| self.answer(record, &query))
            .collect::<Result<Vec<T>>>()?;
        for key in &keys {
            store.take(key);
        }
        Ok(answers)
    }
}

/// `records` read as `T`, in time slices (a record may be large).
async fn read_all<T: DeserializeOwned + 'static>(
    records: Vec<Value>,
    slices: &mut query::Slices,
) -> Result<Vec<T>> {
    let mut read = Vec::with_capacity(records.len());
    for record in records {
        slices.tick(query::WHOLE_RECORD).await;
        read.push(from_json(record)?);
    }
    Ok(read)
}

/// `record` as `T`: itself when `T` is `Value` (no rebuilding it through
/// serde), else [`read_as`].
fn from_json<T: DeserializeOwned + 'static>(record: Value) -> Result<T> {
    let mut record = Some(record);
    let slot: &mut dyn Any = &mut record;
    if let Some(same) = slot.downcast_mut::<Option<T>>().and_then(Option::take) {
        return Ok(same);
    }
    match record {
        Some(record) => read_as(record),
        None => Err(Error::bad_request("Invalid data")),
    }
}

/// `found` read as `T`, keeping the page's counts.
async fn read_found<T: DeserializeOwned + 'static>(
    found: Found,
    slices: &mut query::Slices,
) -> Result<Found<T>> {
    Ok(match found {
        Found::Page(page) => Found::Page(query::Page {
            total: page.total,
            limit: page.limit,
            skip: page.skip,
            data: read_all(page.data, slices).await?,
        }),
        Found::All(data) => Found::All(read_all(data, slices).await?),
    })
}

#[cfg(test)]
mod tests {
    use super::is_canonical_integer;

    #[test]
    fn only_an_integers_own_decimal_form_is_canonical() {
        for text in [
            "0",
            "7",
            "10",
            "-3",
            "9223372036854775807",
            "-9223372036854775808",
        ] {
            assert!(is_canonical_integer(text), "{text}");
            assert_eq!(
                text.parse::<i64>().map(|n| n.to_string()).as_deref(),
                Ok(text)
            );
        }
        for text in ["+7", "07", "00", "-0", "-07", "+0"] {
            assert!(text.parse::<i64>().is_ok(), "{text}");
            assert!(!is_canonical_integer(text), "{text}");
        }
    }
}
