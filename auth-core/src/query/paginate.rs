//! Pagination, and the whole of a `find` over in-memory records.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Query;
use super::matcher::Matcher;
use super::select::select;
use super::slices::Slices;
use super::sort::{SortKeys, first_sliced, sort};

/// Pagination settings of a service: `default` page size and `max` cap.
///
/// In configuration, `max` may be left out for no cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paginate {
    /// The page size when the query has no `$limit`.
    pub default: usize,
    /// The largest page size a `$limit` may ask for.
    #[serde(default = "unlimited")]
    pub max: usize,
}

fn unlimited() -> usize {
    usize::MAX
}

impl Paginate {
    /// The page size for a query's `$limit`: `min(limit ?? default, max)`.
    pub fn limit(self, limit: Option<usize>) -> usize {
        limit.unwrap_or(self.default).min(self.max)
    }
}

/// A page as Feathers returns it from a paginated find.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// How many records match the query, on all pages.
    pub total: usize,
    /// The page size that was applied.
    pub limit: usize,
    /// How many matching records come before this page.
    pub skip: usize,
    /// The records of this page.
    pub data: Vec<T>,
}

/// What a `find` returns: a [`Page`] when the service paginates, else
/// every record ([`find`] returns it over JSON records; a typed service's
/// `find` over its own records).
///
/// Serializes as Feathers sends it: the page object, or the bare array.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Found<T = Value> {
    /// A paginated result.
    Page(Page<T>),
    /// An unpaginated result.
    All(Vec<T>),
}

impl<T> Found<T> {
    /// The records found (those of the page, when paginated).
    pub fn data(&self) -> &[T] {
        match self {
            Found::Page(page) => &page.data,
            Found::All(data) => data,
        }
    }

    /// Takes the records found (those of the page, when paginated).
    pub fn into_data(self) -> Vec<T> {
        match self {
            Found::Page(page) => page.data,
            Found::All(data) => data,
        }
    }

    /// Converts every record, keeping the page's counts.
    pub fn try_map<U, E>(self, convert: impl FnMut(T) -> Result<U, E>) -> Result<Found<U>, E> {
        Ok(match self {
            Found::Page(page) => Found::Page(Page {
                total: page.total,
                limit: page.limit,
                skip: page.skip,
                data: page
                    .data
                    .into_iter()
                    .map(convert)
                    .collect::<Result<_, E>>()?,
            }),
            Found::All(data) => {
                Found::All(data.into_iter().map(convert).collect::<Result<_, E>>()?)
            }
        })
    }
}

impl Found<Value> {
    /// The JSON Feathers sends: `{ total, limit, skip, data }` or an array.
    pub fn into_value(self) -> Value {
        match self {
            Found::Page(page) => {
                let mut object = Map::new();
                object.insert("total".into(), page.total.into());
                object.insert("limit".into(), page.limit.into());
                object.insert("skip".into(), page.skip.into());
                object.insert("data".into(), Value::Array(page.data));
                Value::Object(object)
            }
            Found::All(data) => Value::Array(data),
        }
    }
}

/// Runs a parsed query over records, as Feathers' memory adapter's `find`.
///
/// Keeps the records that [match](Query::matches) (their number is the
/// page's `total`), [sorts](sort) them by `$sort`, passes over `$skip` of
/// them, keeps at most the [limit](Query::limit), and applies `$select`
/// (keeping `id_field`) to the clones it returns. With `paginate` the result
/// is a [`Found::Page`], else a [`Found::All`]; `$limit` and `$skip` apply
/// either way.
///
/// ```
/// use auth_core::query::{find, Found, Page, Paginate, Query};
/// use serde_json::json;
///
/// let records = [json!({ "id": 0, "n": 3 }), json!({ "id": 1, "n": 1 }), json!({ "id": 2, "n": 2 })];
/// let query = Query::parse(json!({ "$sort": { "n": 1 }, "$skip": "1" }).as_object().unwrap()).unwrap();
/// let found = find(&records, &query, Some(Paginate { default: 1, max: 10 }), "id");
/// assert_eq!(
///     found,
///     Found::Page(Page { total: 3, limit: 1, skip: 1, data: vec![json!({ "id": 2, "n": 2 })] })
/// );
/// ```
pub fn find<'a, I>(records: I, query: &Query, paginate: Option<Paginate>, id_field: &str) -> Found
where
    I: IntoIterator<Item = &'a Value>,
{
    let matcher = Matcher::new(&query.conditions);
    let mut matched: Vec<&Value> = records
        .into_iter()
        .filter(|record| matcher.matches(record))
        .collect();
    let total = matched.len();
    sort(&mut matched, &query.filters.sort);
    page(matched, total, query, paginate, id_field)
}

/// [`find`] in time slices (see `slices`): a long one yields to the
/// runtime between them, shares its thread, and is dropped at a yield
/// when its caller gives up (a request timed out).
///
/// The query is compiled once ([`Matcher`]); each match's sort values
/// are looked up once; only the first `$skip + limit` matches are put in
/// order ([`first_sliced`]), and none when the page is empty.
pub(crate) async fn find_sliced<'a, I>(
    records: I,
    query: &Query,
    paginate: Option<Paginate>,
    id_field: &str,
    slices: &mut Slices,
) -> Found
where
    I: IntoIterator<Item = &'a Value>,
{
    let matcher = Matcher::new(&query.conditions);
    let sort = SortKeys::new(&query.filters.sort);
    let mut matched: Vec<&Value> = Vec::new();
    let mut keys = Vec::new();
    for record in records {
        if slices.due(1) {
            slices.pause().await;
        }
        if matcher.matches(record) {
            matched.push(record);
            sort.extract(record, &mut keys);
        }
    }
    let total = matched.len();
    let skip = query.filters.skip.unwrap_or(0);
    let limit = query.limit(paginate);
    let matched = if limit == Some(0) || skip >= total {
        Vec::new()
    } else {
        let wanted = skip.saturating_add(limit.unwrap_or(usize::MAX));
        first_sliced(matched, &keys, &sort, wanted, slices).await
    };
    page(matched, total, query, paginate, id_field)
}

/// The page of `matched` (sorted, `total` of them) the query asks for:
/// `$skip`, the limit and `$select` applied to the clones returned.
fn page(
    matched: Vec<&Value>,
    total: usize,
    query: &Query,
    paginate: Option<Paginate>,
    id_field: &str,
) -> Found {
    let skip = query.filters.skip.unwrap_or(0);
    let limit = query.limit(paginate);
    let data: Vec<Value> = matched
        .into_iter()
        .skip(skip)
        .take(limit.unwrap_or(usize::MAX))
        .map(|record| match &query.filters.select {
            Some(fields) => select(record.clone(), fields, id_field),
            None => record.clone(),
        })
        .collect();
    match (paginate, limit) {
        (Some(_), Some(limit)) => Found::Page(Page {
            total,
            limit,
            skip,
            data,
        }),
        _ => Found::All(data),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn people() -> Vec<Value> {
        vec![
            json!({ "id": 0, "name": "Bob", "age": 25 }),
            json!({ "id": 1, "name": "Doug", "age": 32 }),
            json!({ "id": 2, "name": "Alice", "age": 19 }),
        ]
    }

    fn run(query: Value, paginate: Option<Paginate>) -> Found {
        let query = Query::parse(query.as_object().unwrap()).unwrap();
        find(&people(), &query, paginate, "id")
    }

    fn names(found: &Found) -> Vec<&str> {
        found
            .data()
            .iter()
            .map(|record| record["name"].as_str().unwrap())
            .collect()
    }

    const PAGINATE: Option<Paginate> = Some(Paginate { default: 1, max: 2 });

    fn page(found: &Found) -> (usize, usize, usize) {
        match found {
            Found::Page(page) => (page.total, page.limit, page.skip),
            Found::All(_) => panic!("not paginated"),
        }
    }

    #[test]
    fn default_limit() {
        let found = run(json!({ "$sort": { "name": -1 } }), PAGINATE);
        assert_eq!(page(&found), (3, 1, 0));
        assert_eq!(names(&found), ["Doug"]);
    }

    #[test]
    fn query_counts_in_total() {
        let found = run(json!({ "$sort": { "name": -1 }, "name": "Doug" }), PAGINATE);
        assert_eq!(page(&found), (1, 1, 0));
        assert_eq!(names(&found), ["Doug"]);
    }

    #[test]
    fn max_caps_limit() {
        let found = run(
            json!({ "$skip": 1, "$limit": 4, "$sort": { "name": -1 } }),
            PAGINATE,
        );
        assert_eq!(page(&found), (3, 2, 1));
        assert_eq!(names(&found), ["Bob", "Alice"]);
    }

    #[test]
    fn limit_zero_still_counts() {
        let found = run(json!({ "$limit": 0 }), PAGINATE);
        assert_eq!(page(&found), (3, 0, 0));
        assert!(found.data().is_empty());
        assert_eq!(run(json!({ "$limit": "0" }), None), Found::All(vec![]));
    }

    #[test]
    fn skip_past_the_end() {
        let found = run(json!({ "$skip": 10 }), PAGINATE);
        assert_eq!(page(&found), (3, 1, 10));
        assert!(found.data().is_empty());
        assert_eq!(run(json!({ "$skip": "3" }), None), Found::All(vec![]));
    }

    #[test]
    fn unpaginated_applies_limit_and_skip() {
        assert_eq!(names(&run(json!({}), None)), ["Bob", "Doug", "Alice"]);
        let found = run(json!({ "$sort": { "name": 1 }, "$skip": 1 }), None);
        assert_eq!(names(&found), ["Bob", "Doug"]);
        let found = run(json!({ "$sort": { "age": "-1" }, "$limit": "2" }), None);
        assert_eq!(names(&found), ["Doug", "Bob"]);
    }

    #[test]
    fn select_keeps_id() {
        let found = run(json!({ "name": "Alice", "$select": ["name"] }), None);
        assert_eq!(found, Found::All(vec![json!({ "id": 2, "name": "Alice" })]));
    }

    #[test]
    fn feathers_syntax_tests() {
        let sorted = |query: Value| names(&run(query, None)).join(",");
        assert_eq!(sorted(json!({ "name": "Alice", "age": 20 })), "");
        assert_eq!(
            sorted(
                json!({ "$or": [{ "name": "Alice" }, { "name": "Bob" }], "$sort": { "name": 1 } })
            ),
            "Alice,Bob"
        );
        assert_eq!(
            sorted(json!({ "name": { "$in": ["Alice", "Bob"] }, "$sort": { "name": 1 } })),
            "Alice,Bob"
        );
        assert_eq!(
            sorted(json!({ "name": { "$nin": ["Alice", "Bob"] } })),
            "Doug"
        );
        assert_eq!(
            sorted(json!({ "age": { "$lt": 30 }, "$sort": { "name": 1 } })),
            "Alice,Bob"
        );
        assert_eq!(
            sorted(json!({ "age": { "$lte": "25" }, "$sort": { "name": 1 } })),
            "Alice,Bob"
        );
        assert_eq!(sorted(json!({ "age": { "$gt": "30" } })), "Doug");
        assert_eq!(
            sorted(json!({ "age": { "$gte": 25 }, "$sort": { "name": 1 } })),
            "Bob,Doug"
        );
        assert_eq!(
            sorted(json!({ "age": { "$ne": "25" }, "$sort": { "name": 1 } })),
            "Alice,Doug"
        );
        assert_eq!(
            sorted(json!({ "age": { "$gt": 18, "$lt": 30 }, "$sort": { "name": 1 } })),
            "Alice,Bob"
        );
        let nested = json!({ "$or": [{ "name": "Doug" }, { "age": { "$gte": 18, "$lt": 25 } }], "$sort": { "name": 1 } });
        assert_eq!(sorted(nested), "Alice,Doug");
        assert_eq!(
            sorted(json!({ "$and": [{ "age": 19 }], "$sort": { "name": 1 } })),
            "Alice"
        );
        assert_eq!(
            sorted(json!({ "$and": [{ "$or": [{ "name": "Alice" }] }] })),
            "Alice"
        );
    }

    #[test]
    fn paginate_settings() {
        let settings = Paginate {
            default: 10,
            max: 50,
        };
        assert_eq!(
            (
                settings.limit(None),
                settings.limit(Some(20)),
                settings.limit(Some(80))
            ),
            (10, 20, 50)
        );
        let parsed: Paginate = serde_json::from_value(json!({ "default": 5 })).unwrap();
        assert_eq!(
            parsed,
            Paginate {
                default: 5,
                max: usize::MAX
            }
        );
    }

    #[test]
    fn found_serializes_as_feathers_does() {
        let found = run(json!({ "$limit": 1, "$select": "age" }), PAGINATE);
        let expected =
            json!({ "total": 3, "limit": 1, "skip": 0, "data": [{ "id": 0, "age": 25 }] });
        assert_eq!(serde_json::to_value(&found).unwrap(), expected);
        assert_eq!(found.clone().into_value(), expected);
        assert_eq!(serde_json::from_value::<Found>(expected).unwrap(), found);
        let all = run(json!({ "$limit": 1 }), None);
        assert_eq!(
            all.clone().into_value(),
            json!([{ "id": 0, "name": "Bob", "age": 25 }])
        );
        assert_eq!(all.into_data().len(), 1);
    }
}
