//! `SqlService<T>`: records of type `T` kept in an SQL table, queried with
//! Feathers' query syntax, as `@feathersjs/knex` does: on SQLite (feature
//! `sqlite`) or PostgreSQL (feature `postgres`), whichever the [`SqlPool`]
//! it is given connects to. Where the two differ, the adapter makes them
//! answer as the memory adapter does (see `translate` for `$like` and the
//! order of nulls, [`ColumnKind`] for the types each takes).
//!
//! The service reads its table's columns when it is built, so every field
//! a query, `$sort` or `$select` names is checked (an unknown one is a 400
//! naming it), and every record is written column by column (a field the
//! table does not have is a 400). A typed service (`SqlService<Message>`)
//! also keeps only `T`'s fields, as the memory adapter does: a field `T`
//! does not declare, in a body or a query, is a 400 naming it, even when
//! the table has such a column. Queries are built with sea-query and
//! every value is bound: no SQL text is ever made from client input.
//!
//! * Ids are assigned by the database (SQLite's `INTEGER PRIMARY KEY`,
//!   PostgreSQL's identity or `serial` column), unless a record brings its
//!   own; one already in use is `409 Conflict`. On PostgreSQL a brought id
//!   moves the column's sequence past it, so that the database never
//!   assigns it again (as SQLite never reuses a rowid at or below its
//!   largest).
//! * `find` answers a page `{total, limit, skip, data}` when the service
//!   paginates (the total from a `COUNT(*)`; `$limit: 0` runs only the
//!   count), else a list.
//! * `create` with a list, and `patch` and `remove` with a null id, need
//!   the `multi` option; they run in one transaction, the ids matched first
//!   and the records returned, as the knex adapter does. A list's records
//!   bringing their own id are stored first, so an id the database assigns
//!   never takes one a later record brings.
//! * Database errors are Feathers errors: a unique violation is `409
//!   Conflict` naming the field, a `NOT NULL` one a 400 naming it, an
//!   unreachable database `503 Unavailable`; the SQL never reaches a client.
//!
//! ```
//! use auth_core::prelude::*;
//! use auth_core::sql::{SqlOptions, SqlService, sqlx};
//! use serde_json::json;
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! // One connection: each connection to `sqlite::memory:` is a database of its own.
//! let pool = sqlx::sqlite::SqlitePoolOptions::new()
//!     .max_connections(1)
//!     .connect("sqlite::memory:")
//!     .await
//!     .unwrap();
//! sqlx::query("CREATE TABLE messages (id INTEGER PRIMARY KEY, text TEXT NOT NULL, votes INTEGER)")
//!     .execute(&pool)
//!     .await
//!     .unwrap();
//! let messages = SqlService::<serde_json::Value>::new(pool, "messages", SqlOptions::new()).await?;
//! let app = App::new().register("messages", messages);
//! let messages = app.service::<SqlService>("messages");
//!
//! messages.create(json!({ "text": "a", "votes": 3 }), Params::new()).await?;
//! messages.create(json!({ "text": "b", "votes": 7 }), Params::new()).await?;
//! let query = Params::new().with_query(json!({ "votes": { "$gt": "5" } }));
//! let found = messages.find(query).await?;
//! assert_eq!(found.data(), [json!({ "id": 2, "text": "b", "votes": 7 })]);
//!
//! let unknown = Params::new().with_query(json!({ "title": "a" }));
//! assert_eq!(messages.find(unknown).await.unwrap_err().message(), "Unknown field 'title'");
//! # Ok::<_, Error>(()) }).unwrap();
//! ```

mod columns;
mod errors;
// Reached by `crate::__fuzz`.
pub(crate) mod find;
mod pool;
#[cfg(feature = "postgres")]
mod postgres;
mod row;
#[cfg(feature = "sqlite")]
mod sqlite;
mod transaction;
mod translate;

use std::marker::PhantomData;

use sea_query::{Alias, Asterisk, Cond, Expr, OnConflict, Query as Sql, SimpleExpr};
use sea_query_binder::SqlxBinder;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::error::{Error, Result};
use crate::memory::{Multi, Pagination, is_canonical_integer, select_only, to_object};
use crate::params::Params;
use crate::query::{self, Found, Page, Paginate, Query};
use crate::service::{Id, Method, Service};
use crate::typed;

pub use columns::{Column, ColumnKind};
use find::Table;
pub use pool::SqlPool;
use pool::Tx;
/// The sqlx the adapter is built on, for pools, migrations and the app's
/// own queries.
pub use sqlx;
use transaction::Session;
pub use transaction::{
    End, InTransaction, Rollback, SqlTransaction, Start, end, in_transaction, rollback, start,
};

/// The options of a [`SqlService`].
#[derive(Debug, Clone, PartialEq, Default)]
#[must_use]
pub struct SqlOptions {
    /// The id column (`"id"` when `None`).
    pub id: Option<String>,
    /// Pagination, if `find` paginates.
    pub paginate: Option<Paginate>,
    /// The multi calls allowed.
    pub multi: Multi,
}

impl SqlOptions {
    /// The defaults: id column `id`, no pagination, no multi calls.
    pub fn new() -> SqlOptions {
        SqlOptions::default()
    }

    /// Uses `column` as the id column.
    pub fn id(mut self, column: impl Into<String>) -> SqlOptions {
        self.id = Some(column.into());
        self
    }

    /// Paginates `find`.
    pub fn paginate(mut self, paginate: Paginate) -> SqlOptions {
        self.paginate = Some(paginate);
        self
    }

    /// Allows every multi call (`true`) or none (`false`).
    pub fn multi(mut self, allow: bool) -> SqlOptions {
        self.multi = if allow { Multi::All } else { Multi::None };
        self
    }
}

/// A service keeping records of type `T` in an SQL table.
///
/// `T` is the record type (`serde_json::Value` by default); `create` and
/// `update` take a `T` and `patch` a JSON object of the fields to change.
pub struct SqlService<T = Value> {
    pool: SqlPool,
    table: String,
    id: String,
    columns: Vec<Column>,
    options: SqlOptions,
    /// The SQL of `find_one` without conditions (`get`, and `update`,
    /// `patch`, `remove` without a query), written once: such a call only
    /// binds the id.
    by_id: String,
    records: PhantomData<fn() -> T>,
}

impl<T> SqlService<T> {
    /// A service on `table` of the database `pool` connects to (an sqlx
    /// `SqlitePool` or `PgPool`, or a [`SqlPool`]), with `options`; it
    /// reads the table's columns now.
    ///
    /// # Errors
    ///
    /// `GeneralError` when the table does not exist, has no id column or
    /// (on PostgreSQL) a column of a type without a JSON kind;
    /// `Unavailable` when the database can not be reached.
    pub async fn new(
        pool: impl Into<SqlPool>,
        table: &str,
        options: SqlOptions,
    ) -> Result<SqlService<T>> {
        let pool = pool.into();
        let columns = pool.read_columns(table).await?;
        let id = options.id.clone().unwrap_or_else(|| "id".to_owned());
        if !columns.iter().any(|column| column.name == id) {
            return Err(Error::general(format!(
                "The table '{table}' has no id column '{id}'"
            )));
        }
        let by_id = by_id_sql(&pool, table, &id, &columns);
        Ok(SqlService {
            pool,
            table: table.to_owned(),
            id,
            columns,
            options,
            by_id,
            records: PhantomData,
        })
    }

    /// The options the service was built with.
    pub fn options(&self) -> &SqlOptions {
        &self.options
    }

    /// The table's columns, as read when the service was built.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The database pool, for the app's own queries and transactions.
    pub fn pool(&self) -> &SqlPool {
        &self.pool
    }

    fn table(&self) -> Alias {
        Alias::new(self.table.as_str())
    }

    fn id_column(&self) -> &Column {
        // Checked when the service was built.
        self.columns
            .iter()
            .find(|column| column.name == self.id)
            .unwrap_or(&self.columns[0])
    }

    fn paginate(&self, params: &Params) -> Option<Paginate> {
        match params.extensions.get::<Pagination>() {
            Some(Pagination(paginate)) => *paginate,
            None => self.options.paginate,
        }
    }

    fn require_multi(&self, method: Method, message: &str) -> Result<()> {
        let allowed = match &self.options.multi {
            Multi::None => false,
            Multi::All => true,
            Multi::Methods(methods) => methods.contains(&method),
        };
        if allowed {
            Ok(())
        } else {
            Err(Error::method_not_allowed(message))
        }
    }

    /// The table as its statements name it.
    fn table_ref(&self) -> Table<'_> {
        Table {
            name: &self.table,
            id: &self.id,
            columns: &self.columns,
            dialect: self.pool.dialect(),
        }
    }

    /// The query of `params`, parsed and checked against the columns.
    fn query(&self, params: &Params) -> Result<Query> {
        self.table_ref().query(&params.query)
    }

    /// `id = <id>` (an id the column can not hold matches nothing). Ids
    /// name records as the memory adapter keys them: `3` and `"3"` are one
    /// id, `"03"` or `" 3"` another, which an integer column can not hold.
    fn id_equals(&self, id: &Id) -> SimpleExpr {
        match self.id_value(id) {
            Some(value) => Expr::col(Alias::new(self.id.as_str())).eq(translate::operand(
                self.id_column(),
                value,
                self.pool.dialect(),
            )),
            None => Expr::val(1).eq(0),
        }
    }

    /// `id` as the id column holds it, or `None` when it can hold no such
    /// id. Always of the one `sea_query::Value` variant of the column's
    /// kind, which `by_id_sql` relies on.
    fn id_value(&self, id: &Id) -> Option<sea_query::Value> {
        match (self.id_column().kind, id) {
            (ColumnKind::Integer, Id::Number(number)) => Some(sea_query::Value::from(*number)),
            (ColumnKind::Integer, Id::String(text)) => text
                .parse::<i64>()
                .ok()
                .filter(|_| is_canonical_integer(text))
                .map(sea_query::Value::from),
            (ColumnKind::Text, id) => Some(sea_query::Value::from(id.key().into_owned())),
            (kind, id) => kind.to_stored(&id.to_json()),
        }
    }

    /// The record's fields as columns and values; a field the table does
    /// not have, or a value its column can not hold, is a 400 naming it.
    fn values(&self, record: &Map<String, Value>) -> Result<Vec<(Alias, SimpleExpr)>> {
        record
            .iter()
            .map(|(field, value)| {
                let column = translate::column(&self.columns, field)?;
                let value = column.kind.to_stored(value).ok_or_else(|| {
                    Error::bad_request(format!("Invalid value for '{field}'"))
                        .with_errors(json!({ field: "invalid value for this field" }))
                })?;
                if self.pool.dialect().refuses_nul() && holds_nul(&value) {
                    return Err(Error::bad_request(format!("Invalid value for '{field}'"))
                        .with_errors(json!({ field: "can not hold the NUL character" })));
                }
                let value = translate::operand(column, value, self.pool.dialect());
                Ok((Alias::new(field.as_str()), value))
            })
            .collect()
    }

    /// The rows `statement` returns, as records, inside `tx` or on the pool.
    async fn fetch(&self, statement: &impl SqlxBinder, tx: Option<&mut Tx>) -> Result<Vec<Value>> {
        self.pool
            .fetch(statement, &self.columns, tx, row::json)
            .await
    }

    /// The query's conditions as a `WHERE`.
    fn condition(&self, query: &Query) -> Result<Cond> {
        self.table_ref().condition(query)
    }

    /// The row matching `id` and the query, as a JSON record.
    async fn find_one(&self, id: &Id, query: &Query, tx: Option<&mut Tx>) -> Result<Value> {
        self.find_one_as(id, query, tx, row::json).await
    }

    /// The row matching `id` and the query, made by `read` from its cells
    /// (a JSON record, or a `T` read straight from the row).
    async fn find_one_as<R>(
        &self,
        id: &Id,
        query: &Query,
        tx: Option<&mut Tx>,
        read: impl Fn(&[Column], &[row::Cell<'_>]) -> Result<R>,
    ) -> Result<R> {
        let not_found = || Error::not_found(format!("No record found for id '{id}'"));
        if by_id_alone(query) {
            // The common case, a record by its id alone: the SQL written
            // when the service was built, nothing to build per call.
            let id = self.id_value(id).ok_or_else(not_found)?;
            return self
                .pool
                .fetch_optional(&self.by_id, id, &self.columns, tx, read)
                .await?
                .ok_or_else(not_found);
        }
        let conditions = self.condition(query)?;
        let mut select = Sql::select();
        select
            .column(Asterisk)
            .from(self.table())
            .cond_where(Cond::all().add(self.id_equals(id)).add(conditions))
            .limit(1);
        self.pool
            .fetch(&select, &self.columns, tx, read)
            .await?
            .into_iter()
            .next()
            .ok_or_else(not_found)
    }

    /// The rows matching the query's conditions, in id order.
    async fn matching(&self, query: &Query, tx: &mut Tx) -> Result<Vec<Value>> {
        let conditions = self.condition(query)?;
        let mut select = Sql::select();
        select
            .column(Asterisk)
            .from(self.table())
            .cond_where(conditions)
            .order_by(Alias::new(self.id.as_str()), sea_query::Order::Asc);
        self.fetch(&select, Some(tx)).await
    }

    /// The call's transaction, when hooks opened one: reads join it too
    /// (they see its writes, and never wait for a connection it holds).
    async fn joined(&self, params: &Params) -> Option<Session> {
        let shared = params.extensions.get::<SqlTransaction>()?;
        Some(Session::Joined(shared.lock().await))
    }

    /// The transaction a write runs in: the call's, when hooks opened one
    /// (`transaction::start`), else one of its own.
    async fn begin(&self, params: &Params) -> Result<Session> {
        match self.joined(params).await {
            Some(joined) => Ok(joined),
            None => Ok(Session::Own(self.pool.begin().await?)),
        }
    }

    /// The integer id `record` brings, when the id column holds integers.
    fn brought_integer_id(&self, record: &Map<String, Value>) -> Option<i64> {
        if self.id_column().kind != ColumnKind::Integer {
            return None;
        }
        match record.get(&self.id)? {
            Value::Number(number) => number.as_i64(),
            Value::String(text) => text.trim().parse().ok(),
            _ => None,
        }
    }

    /// The ids of `records`, as stored.
    fn ids(&self, records: &[Value]) -> Vec<Value> {
        records
            .iter()
            .filter_map(|record| record.get(&self.id).cloned())
            .collect()
    }

    /// `id IN (<ids>)`.
    fn id_in(&self, ids: &[Value]) -> SimpleExpr {
        let column = self.id_column();
        let ids = ids
            .iter()
            .filter_map(|id| column.kind.to_stored(id))
            .map(|id| translate::operand(column, id, self.pool.dialect()));
        Expr::col(Alias::new(self.id.as_str())).is_in(ids)
    }
}

impl<T: DeserializeOwned> SqlService<T> {
    /// The call's query, every field it names checked against the table's
    /// columns and, for a typed record, against the fields `T` declares
    /// (a column `T` lacks is no field of its records).
    fn typed_query(&self, params: &Params) -> Result<Query> {
        let query = self.query(params)?;
        typed::check_query::<T>(&query, &self.id)?;
        Ok(query)
    }

    /// The record as the caller receives it: `$select` applied, read as
    /// `T` (whole when `T` needs a field `$select` left out; transports
    /// project `$select` on what they send).
    fn answer(&self, record: Value, query: &Query) -> Result<T> {
        let Some(fields) = &query.filters.select else {
            return typed::read(&record);
        };
        let selected = query::select(record.clone(), fields, &self.id);
        typed::read(&selected).or_else(|_| typed::read(&record))
    }

    fn answers(&self, records: Vec<Value>, query: &Query) -> Result<Vec<T>> {
        records
            .into_iter()
            .map(|record| self.answer(record, query))
            .collect()
    }

    /// Inserts `record` and returns the stored row.
    async fn insert(&self, record: &Map<String, Value>, tx: Option<&mut Tx>) -> Result<Value> {
        let values = self.values(record)?;
        let mut insert = Sql::insert();
        insert.into_table(self.table()).returning_all();
        if values.is_empty() {
            insert.or_default_values();
        } else {
            let (columns, values): (Vec<Alias>, Vec<SimpleExpr>) = values.into_iter().unzip();
            insert
                .columns(columns)
                .values(values)
                .map_err(|error| Error::general(format!("Invalid insert: {error}")))?;
        }
        // A brought id already in use inserts nothing (and is answered as a
        // conflict below), never a replacement; other unique columns fail
        // as the database says.
        insert.on_conflict(
            OnConflict::column(Alias::new(self.id.as_str()))
                .do_nothing()
                .to_owned(),
        );
        let mut tx = tx;
        let inserted = self.fetch(&insert, tx.as_deref_mut()).await?;
        if let (Some(_), Some(id)) = (inserted.first(), self.brought_integer_id(record)) {
            self.pool.reserve_id(&self.table, &self.id, id, tx).await?;
        }
        inserted.into_iter().next().ok_or_else(|| {
            let id = record.get(&self.id).cloned().unwrap_or(Value::Null);
            Error::conflict(format!(
                "A record with id '{}' already exists",
                display(&id)
            ))
        })
    }

    /// Sets `record`'s fields on the rows matching `condition`, returning
    /// them as stored.
    async fn set(
        &self,
        record: &Map<String, Value>,
        condition: SimpleExpr,
        tx: &mut Tx,
    ) -> Result<Vec<Value>> {
        let values = self.values(record)?;
        if values.is_empty() {
            let mut select = Sql::select();
            select
                .column(Asterisk)
                .from(self.table())
                .and_where(condition)
                .order_by(Alias::new(self.id.as_str()), sea_query::Order::Asc);
            return self.fetch(&select, Some(tx)).await;
        }
        let mut update = Sql::update();
        update
            .table(self.table())
            .values(values)
            .and_where(condition)
            .returning_all();
        let mut rows = self.fetch(&update, Some(tx)).await?;
        rows.sort_by(|a, b| query::compare(a.get(&self.id), b.get(&self.id)));
        Ok(rows)
    }

    /// How the database runs the `find` these params ask for, to check
    /// that a service's finds use indexes: on SQLite the lines of `EXPLAIN
    /// QUERY PLAN` for its `SELECT` (`SEARCH messages USING INDEX ..`,
    /// `SCAN messages`), on PostgreSQL those of `EXPLAIN` (`Index Scan
    /// using messages_pkey on messages`, `Seq Scan on messages`).
    ///
    /// # Errors
    ///
    /// The errors `find` would give for the query, and database errors.
    pub async fn explain_find(&self, params: &Params) -> Result<Vec<String>> {
        let query = self.query(params)?;
        let conditions = self.condition(&query)?;
        let limit = query.limit(self.paginate(params));
        let select =
            self.table_ref()
                .page(&query, conditions, limit, query.filters.skip.unwrap_or(0));
        self.pool.explain(&select).await
    }

    /// Sets `fields` on the stored record `old` (found for `id`), commits,
    /// and answers the record as stored: `update` and `patch` end alike.
    async fn write_one(
        &self,
        id: &Id,
        old: &Value,
        fields: &Map<String, Value>,
        mut session: Session,
        query: &Query,
    ) -> Result<T> {
        let old_id = Id::from_json(&old[&self.id]).unwrap_or_else(|| id.clone());
        let stored = self
            .set(fields, self.id_equals(&old_id), session.tx()?)
            .await?;
        self.commit(session, &stored).await?;
        let stored = stored
            .into_iter()
            .next()
            .ok_or_else(|| Error::not_found(format!("No record found for id '{id}'")))?;
        self.answer(stored, query)
    }

    /// Checks that `old` with `patch` merged in still fits `T`, before the
    /// database is asked: a column converts what it is given (`5` into a
    /// text column is `"5"`), so the check after the write would let
    /// through a patch the memory adapter refuses, with the same error.
    fn check_patch(&self, old: &Value, patch: &Map<String, Value>) -> Result<()> {
        let mut merged = old.clone();
        if let Value::Object(record) = &mut merged {
            record.extend(
                patch
                    .iter()
                    .map(|(field, value)| (field.clone(), value.clone())),
            );
        }
        typed::read::<T>(&merged).map(drop)
    }

    /// Checks that every stored record still fits `T`, then commits.
    async fn commit(&self, session: Session, records: &[Value]) -> Result<()> {
        for record in records {
            typed::read::<T>(record)?;
        }
        session.finish().await
    }
}

/// The SQL of `SELECT * FROM <table> WHERE <id> = <the id>` in the pool's
/// dialect, its one placeholder typed as the id column's values are bound
/// (`SqlService::id_value` gives the variant of the column's kind; the
/// null of that variant stands for it here).
fn by_id_sql(pool: &SqlPool, table: &str, id: &str, columns: &[Column]) -> String {
    let column = columns
        .iter()
        .find(|column| column.name == id)
        .unwrap_or(&columns[0]);
    let placeholder = column
        .kind
        .to_stored(&Value::Null)
        .unwrap_or(sea_query::Value::BigInt(None));
    let mut select = Sql::select();
    select.column(Asterisk).from(Alias::new(table)).and_where(
        Expr::col(Alias::new(id)).eq(translate::operand(column, placeholder, pool.dialect())),
    );
    pool.sql(&select)
}

/// Whether `query` names a record by its id alone: no conditions.
fn by_id_alone(query: &Query) -> bool {
    matches!(&query.conditions, query::Condition::And(all) if all.is_empty())
}

/// Whether `value` is text holding the NUL character.
fn holds_nul(value: &sea_query::Value) -> bool {
    matches!(value, sea_query::Value::String(Some(text)) if text.contains('\0'))
}

/// An id as its message shows it (`3`, `abc`).
fn display(id: &Value) -> String {
    match id {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

impl<T> Service for SqlService<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
{
    type Item = T;
    type Data = T;
    type Patch = Value;

    async fn find(&self, params: &Params) -> Result<Found<T>> {
        let query = self.typed_query(params)?;
        let mut joined = self.joined(params).await;
        let paginate = self.paginate(params);
        let statements = self.table_ref().find(&query, paginate)?;
        let data = match &statements.page {
            // `$limit: 0`: only the count.
            None => Vec::new(),
            Some(select) => {
                let tx = joined.as_mut().map(Session::tx).transpose()?;
                match query.filters.select {
                    // Rows read straight into `T`.
                    None => {
                        self.pool
                            .fetch(select, &self.columns, tx, row::read::<T>)
                            .await?
                    }
                    Some(_) => self.answers(self.fetch(select, tx).await?, &query)?,
                }
            }
        };
        let Some(count) = &statements.count else {
            return Ok(Found::All(data));
        };
        let total = self
            .pool
            .fetch_count(count, joined.as_mut().map(Session::tx).transpose()?)
            .await?;
        Ok(Found::Page(Page {
            total: usize::try_from(total).unwrap_or(0),
            limit: query.limit(paginate).unwrap_or(0),
            skip: query.filters.skip.unwrap_or(0),
            data,
        }))
    }

    async fn get(&self, id: &Id, params: &Params) -> Result<T> {
        let query = self.typed_query(params)?;
        let mut joined = self.joined(params).await;
        let tx = joined.as_mut().map(Session::tx).transpose()?;
        match query.filters.select {
            // The row read straight into `T`.
            None => self.find_one_as(id, &query, tx, row::read::<T>).await,
            Some(_) => {
                let record = self.find_one(id, &query, tx).await?;
                self.answer(record, &query)
            }
        }
    }

    async fn create(&self, data: T, params: &Params) -> Result<T> {
        let query = select_only(params)?;
        translate::check_fields(&self.columns, &query)?;
        typed::check_query::<T>(&query, &self.id)?;
        let record = to_object(&data)?;
        let mut session = self.begin(params).await?;
        let stored = self.insert(&record, Some(session.tx()?)).await?;
        self.commit(session, std::slice::from_ref(&stored)).await?;
        self.answer(stored, &query)
    }

    async fn create_many(&self, data: Vec<T>, params: &Params) -> Result<Vec<T>> {
        self.require_multi(Method::Create, "Can not create multiple entries")?;
        let query = select_only(params)?;
        translate::check_fields(&self.columns, &query)?;
        typed::check_query::<T>(&query, &self.id)?;
        let records = data.iter().map(to_object).collect::<Result<Vec<_>>>()?;
        // Records bringing their id go in first: an id the database assigns
        // to a record earlier in the list must never take the one a later
        // record brings (the memory adapter reserves them the same way).
        let brings_id =
            |record: &Map<String, Value>| record.get(&self.id).is_some_and(|id| !id.is_null());
        let (first, then): (Vec<_>, Vec<_>) =
            (0..records.len()).partition(|&index| brings_id(&records[index]));
        let mut session = self.begin(params).await?;
        let mut stored = vec![Value::Null; records.len()];
        for index in first.into_iter().chain(then) {
            stored[index] = self.insert(&records[index], Some(session.tx()?)).await?;
        }
        self.commit(session, &stored).await?;
        self.answers(stored, &query)
    }

    async fn update(&self, id: &Id, data: T, params: &Params) -> Result<T> {
        let query = self.typed_query(params)?;
        let mut record = to_object(&data)?;
        let mut session = self.begin(params).await?;
        let old = self.find_one(id, &query, Some(session.tx()?)).await?;
        // Every column but the id takes the data's value, `null` when the
        // data leaves it out: the record is replaced.
        record.remove(&self.id);
        for column in &self.columns {
            if column.name != self.id && !record.contains_key(&column.name) {
                record.insert(column.name.clone(), Value::Null);
            }
        }
        self.write_one(id, &old, &record, session, &query).await
    }

    async fn patch(&self, id: &Id, data: Value, params: &Params) -> Result<T> {
        let query = self.typed_query(params)?;
        let mut patch = to_object(&data)?;
        typed::check_patch::<T>(&patch, &self.id)?;
        patch.remove(&self.id);
        let mut session = self.begin(params).await?;
        let old = self.find_one(id, &query, Some(session.tx()?)).await?;
        self.check_patch(&old, &patch)?;
        self.write_one(id, &old, &patch, session, &query).await
    }

    async fn patch_many(&self, data: Value, params: &Params) -> Result<Vec<T>> {
        self.require_multi(Method::Patch, "Can not patch multiple entries")?;
        let query = self.typed_query(params)?;
        let mut patch = to_object(&data)?;
        typed::check_patch::<T>(&patch, &self.id)?;
        patch.remove(&self.id);
        let mut session = self.begin(params).await?;
        let matched = self.matching(&query, session.tx()?).await?;
        for old in &matched {
            self.check_patch(old, &patch)?;
        }
        let ids = self.ids(&matched);
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let stored = self.set(&patch, self.id_in(&ids), session.tx()?).await?;
        self.commit(session, &stored).await?;
        self.answers(stored, &query)
    }

    async fn remove(&self, id: &Id, params: &Params) -> Result<T> {
        let query = self.typed_query(params)?;
        let mut session = self.begin(params).await?;
        let old = self.find_one(id, &query, Some(session.tx()?)).await?;
        let answer = self.answer(old.clone(), &query)?;
        let old_id = Id::from_json(&old[&self.id]).unwrap_or_else(|| id.clone());
        let mut delete = Sql::delete();
        delete
            .from_table(self.table())
            .and_where(self.id_equals(&old_id));
        self.pool.execute(&delete, Some(session.tx()?)).await?;
        session.finish().await?;
        Ok(answer)
    }

    async fn remove_many(&self, params: &Params) -> Result<Vec<T>> {
        self.require_multi(Method::Remove, "Can not remove multiple entries")?;
        let query = self.typed_query(params)?;
        let mut session = self.begin(params).await?;
        let matched = self.matching(&query, session.tx()?).await?;
        if matched.is_empty() {
            return Ok(Vec::new());
        }
        let answers = self.answers(matched.clone(), &query)?;
        let mut delete = Sql::delete();
        delete
            .from_table(self.table())
            .and_where(self.id_in(&self.ids(&matched)));
        self.pool.execute(&delete, Some(session.tx()?)).await?;
        session.finish().await?;
        Ok(answers)
    }
}
