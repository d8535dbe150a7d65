//! Feathers' query syntax over JSON records.
//!
//! A service's `params.query` is parsed once into a [`Query`]: the special
//! [`Filters`] (`$limit`, `$skip`, `$sort`, `$select`) and a tree of
//! [`Condition`]s on the fields. Records (JSON objects; typed services
//! serialize to JSON to be queried) are then tested with
//! [`Query::matches`], ordered with [`sort`], trimmed with [`select`], or
//! run through the whole of a memory adapter's `find` with [`find`].
//!
//! # Syntax
//!
//! * `field: value` — equal. Arrays and objects compare deeply; a record
//!   array also matches when one of its elements equals the value.
//! * `field: { $in: [..] }`, `$nin` — equal to one / none of the values (a
//!   single value is a list of one); `$lt`, `$lte`, `$gt`, `$gte`; `$ne`.
//!   Several operators in one object must all hold.
//! * `$like`, `$notlike`, `$ilike` — SQL `LIKE` patterns (`%` any run of
//!   characters, `_` one), as Feathers' knex adapter takes them; `$ilike`
//!   ignores case. Strings and numbers (their decimal form) are matched;
//!   a missing or null field matches none of the three, as in SQL.
//! * `$or: [query, ..]`, `$and: [query, ..]` — at the top level and inside
//!   one another, to any depth.
//! * `address.city: value` — a dot path into nested objects (and arrays).
//! * `$limit`, `$skip` — non-negative integers, or strings of them;
//!   `$sort: { field: 1 | -1 }` (also `"1"`, `"-1"`), at most
//!   [`MAX_SORT_KEYS`] fields; `$select: [field, ..]` or a single field.
//!
//! Any other `$` key is a `BadRequest`: `Invalid filter value $x` at the top
//! level, `Invalid query parameter $x` inside a field condition or a
//! sub-query, as in Feathers. So is a malformed filter value.
//!
//! # Coercion
//!
//! Query values often arrive as strings from a query string. A query string
//! is compared to a record number as the number it parses to, to a record
//! boolean as `"true"`/`"false"`, and to a record `null` (or missing field)
//! as `"null"`; this holds for equality, `$ne`, `$in`/`$nin` members and the
//! range operators. Otherwise kinds do not mix: two strings compare as
//! strings, and a number never equals nor orders against a non-numeric
//! string. A missing field equals `null`, so it matches `$ne: 1` and
//! `$nin: [1]` but not `$in: [1]`, and no range operator but `$lte`/`$gte`
//! `null`.
//!
//! # Example
//!
//! ```
//! use auth_core::query::{find, Found, Page, Paginate, Query};
//! use serde_json::json;
//!
//! let records = vec![
//!     json!({ "id": 0, "name": "Bob", "age": 25, "address": { "city": "Paris" } }),
//!     json!({ "id": 1, "name": "Doug", "age": 32, "address": { "city": "Rome" } }),
//!     json!({ "id": 2, "name": "Alice", "age": 19, "address": { "city": "Paris" } }),
//! ];
//! // As it arrives from `?age[$gt]=18&address.city=Paris&$sort[name]=1&$select[]=name`:
//! let query = json!({
//!     "age": { "$gt": "18" },
//!     "address.city": "Paris",
//!     "$sort": { "name": "1" },
//!     "$select": ["name"]
//! });
//! let query = Query::parse(query.as_object().unwrap()).unwrap();
//! assert!(query.matches(&records[0]));
//! assert!(!query.matches(&records[1]));
//!
//! let found = find(&records, &query, Some(Paginate { default: 10, max: 50 }), "id");
//! assert_eq!(
//!     found,
//!     Found::Page(Page {
//!         total: 2,
//!         limit: 10,
//!         skip: 0,
//!         data: vec![json!({ "id": 2, "name": "Alice" }), json!({ "id": 0, "name": "Bob" })],
//!     })
//! );
//!
//! let error = Query::parse(json!({ "age": { "$regex": "1" } }).as_object().unwrap()).unwrap_err();
//! assert_eq!(error.code(), 400);
//! assert_eq!(error.message(), "Invalid query parameter $regex");
//! ```
//!
//! # Key order
//!
//! `$sort` keys are applied in the order the query's [`serde_json::Map`]
//! yields them: the order given when `serde_json`'s `preserve_order`
//! feature is on, alphabetical otherwise.

mod compare;
mod condition;
mod filter;
mod like;
mod matcher;
mod names;
mod paginate;
mod select;
mod slices;
mod sort;

use serde_json::{Map, Value};

use crate::error::{Error, Result};

pub use compare::compare;
pub use condition::{Condition, Operator};
pub use filter::{Filters, MAX_SORT_KEYS, SortOrder};
#[cfg(feature = "sqlite")]
pub(crate) use like::to_glob;
pub(crate) use matcher::Matcher;
pub use names::{UNQUERYABLE, first_named_field, refuse_named_fields};
pub(crate) use paginate::find_sliced;
pub use paginate::{Found, Page, Paginate, find};
pub use select::select;
#[cfg(feature = "rest")]
pub(crate) use select::{project_reply, selected_fields};
pub(crate) use slices::{Slices, WHOLE_RECORD};
pub use sort::sort;

/// A parsed Feathers query: the special filters and the field conditions.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    /// `$limit`, `$skip`, `$sort` and `$select`.
    pub filters: Filters,
    /// Everything else: the conditions a record must satisfy, as one
    /// [`Condition::And`] of the query's keys.
    pub conditions: Condition,
}

impl Query {
    /// Parses `params.query` (a JSON object). Errors are `BadRequest` (400).
    pub fn parse(query: &Map<String, Value>) -> Result<Query> {
        let mut filters = Filters::default();
        let mut conditions = Vec::new();
        for (key, value) in query {
            if filters.set(key, value)? {
                continue;
            }
            match condition::parse_top_level(key, value)? {
                Some(condition) => conditions.push(condition),
                None => return Err(Error::bad_request(format!("Invalid filter value {key}"))),
            }
        }
        Ok(Query {
            filters,
            conditions: Condition::And(conditions),
        })
    }

    /// Parses `params.query` given as any JSON value: `null` is the empty
    /// query, an object is [parsed](Query::parse), anything else is a
    /// `BadRequest`.
    pub fn from_value(query: &Value) -> Result<Query> {
        match query {
            Value::Null => Ok(Query::default()),
            Value::Object(query) => Query::parse(query),
            _ => Err(Error::bad_request("Invalid query: expected an object")),
        }
    }

    /// True when the record (a JSON object) satisfies every condition.
    pub fn matches(&self, record: &Value) -> bool {
        self.conditions.matches(record)
    }

    /// The conditions compiled once, to test many records.
    pub(crate) fn matcher(&self) -> Matcher<'_> {
        Matcher::new(&self.conditions)
    }

    /// The effective limit: with `paginate`, `$limit` is capped at `max` and
    /// defaults to `default`; without, `$limit` as given (None = no limit).
    pub fn limit(&self, paginate: Option<Paginate>) -> Option<usize> {
        match paginate {
            Some(paginate) => Some(paginate.limit(self.filters.limit)),
            None => self.filters.limit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use serde_json::json;

    fn parse(query: Value) -> Result<Query> {
        Query::parse(query.as_object().unwrap())
    }

    fn message(query: Value) -> String {
        let error = parse(query).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::BadRequest);
        error.message().to_owned()
    }

    #[test]
    fn splits_filters_from_conditions() {
        let query = parse(
            json!({ "$limit": "2", "$select": "a", "$skip": 1, "$sort": { "a": -1 }, "a": 1 }),
        )
        .unwrap();
        assert_eq!(
            query.filters,
            Filters {
                limit: Some(2),
                skip: Some(1),
                sort: vec![("a".to_owned(), SortOrder::Descending)],
                select: Some(vec!["a".to_owned()]),
            }
        );
        assert_eq!(
            query.conditions,
            Condition::And(vec![Condition::Field {
                path: "a".to_owned(),
                operators: vec![Operator::Eq(json!(1))],
            }])
        );
    }

    #[test]
    fn empty_query_matches_everything() {
        let query = parse(json!({})).unwrap();
        assert_eq!(query, Query::default());
        assert!(query.matches(&json!({ "a": 1 })));
        assert_eq!(Query::from_value(&Value::Null).unwrap(), Query::default());
        assert_eq!(
            Query::from_value(&json!({ "a": 1 })).unwrap(),
            parse(json!({ "a": 1 })).unwrap()
        );
        assert_eq!(
            Query::from_value(&json!([1])).unwrap_err().message(),
            "Invalid query: expected an object"
        );
    }

    #[test]
    fn unknown_filters() {
        assert_eq!(message(json!({ "$foo": 1 })), "Invalid filter value $foo");
        assert_eq!(
            message(json!({ "$populate": true, "a": 1 })),
            "Invalid filter value $populate"
        );
        assert_eq!(
            message(json!({ "a": { "$exists": true } })),
            "Invalid query parameter $exists"
        );
        assert_eq!(
            message(json!({ "$or": [{ "$select": ["a"] }] })),
            "Invalid query parameter $select"
        );
        assert_eq!(
            message(json!({ "$limit": -1 })),
            "Invalid $limit: expected a non-negative integer"
        );
        assert_eq!(
            message(json!({ "$skip": "abc" })),
            "Invalid $skip: expected a non-negative integer"
        );
    }

    #[test]
    fn coercion_from_query_strings() {
        let record =
            json!({ "userId": 0, "age": 10, "admin": false, "deleted": null, "name": "9" });
        let matches = |query: Value| parse(query).unwrap().matches(&record);
        assert!(matches(json!({ "userId": "0" })));
        assert!(matches(json!({ "age": { "$gt": "9" } })));
        assert!(!matches(json!({ "age": { "$lt": "9" } })));
        assert!(matches(json!({ "admin": "false" })));
        assert!(matches(json!({ "deleted": "null" })));
        assert!(matches(json!({ "age": { "$in": ["5", "10"] } })));
        assert!(!matches(json!({ "age": { "$nin": "10" } })));
        assert!(matches(json!({ "age": { "$ne": "11" } })));
        assert!(!matches(json!({ "age": "ten" })));
        assert!(!matches(json!({ "age": { "$gt": "ten" } })));
        // Two strings compare as strings: "9" > "10".
        assert!(matches(json!({ "name": { "$gt": "10" } })));
    }

    #[test]
    fn nested_groups() {
        let record = json!({ "a": 1, "b": 2, "c": 3 });
        let matches = |query: Value| parse(query).unwrap().matches(&record);
        assert!(matches(
            json!({ "$or": [{ "a": 2 }, { "$and": [{ "b": 2 }, { "$or": [{ "c": 0 }, { "c": "3" }] }] }] })
        ));
        assert!(!matches(
            json!({ "$or": [{ "a": 2 }, { "$and": [{ "b": 2 }, { "$or": [{ "c": 0 }] }] }] })
        ));
        assert!(!matches(
            json!({ "$and": [{ "a": 1 }], "$or": [{ "b": 1 }, { "c": 1 }] })
        ));
        assert!(matches(
            json!({ "$and": [{ "a": 1 }, { "a": { "$lt": 5 } }], "$or": [{ "b": 1 }, { "c": 3 }] })
        ));
    }

    #[test]
    fn limits() {
        let paginate = Some(Paginate {
            default: 5,
            max: 10,
        });
        let limit = |query: Value, paginate| parse(query).unwrap().limit(paginate);
        assert_eq!(limit(json!({}), None), None);
        assert_eq!(limit(json!({ "$limit": 20 }), None), Some(20));
        assert_eq!(limit(json!({}), paginate), Some(5));
        assert_eq!(limit(json!({ "$limit": 20 }), paginate), Some(10));
        assert_eq!(limit(json!({ "$limit": "7" }), paginate), Some(7));
        assert_eq!(limit(json!({ "$limit": 0 }), paginate), Some(0));
    }
}
