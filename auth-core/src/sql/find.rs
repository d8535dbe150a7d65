//! The statements of a `find`, built from a query with no database at
//! hand: the query parsed and checked against the table's columns, then
//! the page's `SELECT` and, when paginating, the `COUNT(*)`.
//! [`SqlService::find`](super::SqlService) runs them; the fuzz target
//! `query_sql` builds them for any query and checks that no query value
//! ever reaches their SQL text.

use sea_query::{Alias, Asterisk, Cond, Expr, Func, Query as Sql, SelectStatement};
use serde_json::{Map, Value};

use crate::error::Result;
use crate::query::{Paginate, Query};
use crate::sql::columns::Column;
pub use crate::sql::pool::Dialect;
use crate::sql::translate;

/// The largest `LIMIT` or `OFFSET` SQL takes (`i64::MAX`).
const SQL_MAX: u64 = i64::MAX as u64;

/// A table as its statements name it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Table<'a> {
    /// The table's name.
    pub(crate) name: &'a str,
    /// The id column's name.
    pub(crate) id: &'a str,
    /// Every column, as read from the database.
    pub(crate) columns: &'a [Column],
    /// The SQL the statements are written in.
    pub(crate) dialect: Dialect,
}

/// What a `find` runs.
#[derive(Debug)]
pub(crate) struct FindStatements {
    /// The page's records; `None` when `$limit` is 0 (no row is read).
    pub(crate) page: Option<SelectStatement>,
    /// The count of the matching records, when paginating.
    pub(crate) count: Option<SelectStatement>,
}

impl Table<'_> {
    /// `params.query` parsed, every field it names (conditions, `$sort`,
    /// `$select`) checked against the columns: an unknown one is a 400
    /// naming it.
    pub(crate) fn query(&self, query: &Map<String, Value>) -> Result<Query> {
        let query = Query::parse(query)?;
        translate::check_fields(self.columns, &query)?;
        Ok(query)
    }

    /// The query's conditions as a `WHERE`.
    pub(crate) fn condition(&self, query: &Query) -> Result<Cond> {
        translate::condition(self.columns, &query.conditions, self.dialect)
    }

    /// The statements of a `find` of `query` (already checked with
    /// [`Table::query`]) under `paginate`.
    pub(crate) fn find(&self, query: &Query, paginate: Option<Paginate>) -> Result<FindStatements> {
        let conditions = self.condition(query)?;
        let limit = query.limit(paginate);
        let skip = query.filters.skip.unwrap_or(0);
        let page = (limit != Some(0)).then(|| self.page(query, conditions.clone(), limit, skip));
        let count = paginate.map(|_| self.count(conditions));
        Ok(FindStatements { page, count })
    }

    /// The `SELECT` of a `find`'s records: the conditions, `$sort` (then
    /// the id), `limit` and `skip`.
    pub(crate) fn page(
        &self,
        query: &Query,
        conditions: Cond,
        limit: Option<usize>,
        skip: usize,
    ) -> SelectStatement {
        let mut select = Sql::select();
        select
            .column(Asterisk)
            .from(Alias::new(self.name))
            .cond_where(conditions);
        translate::order(&mut select, query, self.id, self.columns, self.dialect);
        // SQL's integers are signed 64-bit ones (a larger value bound
        // would not convert): a `$limit` or `$skip` past them is the
        // largest, which no table reaches.
        let bounded = |count: usize| u64::try_from(count).unwrap_or(u64::MAX).min(SQL_MAX);
        match limit {
            Some(limit) => select.limit(bounded(limit)).offset(bounded(skip)),
            // SQLite needs a LIMIT to take an OFFSET.
            None if skip > 0 => select.limit(SQL_MAX).offset(bounded(skip)),
            None => &mut select,
        };
        select
    }

    /// `SELECT COUNT(*)` of the rows matching `conditions`.
    pub(crate) fn count(&self, conditions: Cond) -> SelectStatement {
        let mut count = Sql::select();
        count
            .expr(Func::count(Expr::col(Asterisk)))
            .from(Alias::new(self.name))
            .cond_where(conditions);
        count
    }
}

/// The statements `SqlService<serde_json::Value>::find` runs for the
/// query `query` on the table `table` (id column `id`, columns
/// `columns`) under `paginate`, in `dialect`'s SQL with every value a
/// placeholder: the page's `SELECT` (unless `$limit` is 0), then the
/// `COUNT(*)` (when paginating). For the fuzz target `query_sql`.
///
/// # Errors
///
/// What `find` answers before it reaches the database: `BadRequest` for
/// a query that does not parse or names a field that is no column.
pub fn find_sql(
    table: &str,
    id: &str,
    columns: &[Column],
    query: &Map<String, Value>,
    paginate: Option<Paginate>,
    dialect: Dialect,
) -> Result<Vec<(String, sea_query::Values)>> {
    let table = Table {
        name: table,
        id,
        columns,
        dialect,
    };
    let query = table.query(query)?;
    let statements = table.find(&query, paginate)?;
    Ok(statements
        .page
        .iter()
        .chain(statements.count.iter())
        .map(|statement| dialect.build(statement))
        .collect())
}
