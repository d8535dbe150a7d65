//! Fuzz target `query_sql`: a `find`'s query translated into SQL by the
//! SQL adapter, for SQLite and PostgreSQL, with no database.
//!
//! The first input byte picks how the rest becomes `params.query` (bit 0:
//! JSON, or a query string read by `rest::qs::parse`) and the pagination
//! (bits 1-2: none, `{5, 10}`, `{10, unlimited}` or `{0, 0}`). The query
//! goes through `auth_core::__fuzz::find_sql`, the path
//! `SqlService<Value>::find` takes before it reaches the database (the
//! query parsed, its fields checked against the table's columns, the
//! `WHERE`, `ORDER BY`, `LIMIT`/`OFFSET`, then the `COUNT(*)`), built with
//! placeholders for a table `items` of fixed columns (integer, real,
//! boolean, text and JSON, nullable or not), once per dialect. Nothing may
//! panic. Also checked:
//!
//! * the SQL text holds nothing from the query but the names of declared
//!   columns: every token is a keyword, a type of a cast, an operator,
//!   punctuation, a placeholder, or a quoted identifier naming the table or
//!   one of its columns; no literal, no other word. Every value is bound;
//! * the placeholders are as many as the values bound (`?` on SQLite,
//!   `$1`..`$n`, each at least once, on PostgreSQL);
//! * a query `Query::parse` refuses is refused with its error; a query
//!   naming a field (a condition, `$sort` or `$select`) that is no column
//!   is a `BadRequest` naming the first such field, never SQL; any other
//!   query gives SQL, in both dialects, the page's `SELECT` unless
//!   `$limit` is 0, and the `COUNT(*)` when paginating.

#![no_main]

use std::collections::BTreeSet;
use std::sync::LazyLock;

use auth_core::__fuzz::{Dialect, find_sql};
use auth_core::query::{Condition, Paginate, Query};
use auth_core::rest::qs::{self, QsLimits};
use auth_core::sql::{Column, ColumnKind};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

/// The table's name.
const TABLE: &str = "items";

/// The table's columns: name, kind, nullable.
const DECLARED: [(&str, ColumnKind, bool); 9] = [
    ("id", ColumnKind::Integer, false),
    ("name", ColumnKind::Text, false),
    ("note", ColumnKind::Text, true),
    ("age", ColumnKind::Integer, true),
    ("score", ColumnKind::Real, true),
    ("active", ColumnKind::Boolean, false),
    ("meta", ColumnKind::Json, true),
    ("createdAt", ColumnKind::Integer, false),
    // A column named by an SQL keyword: quoted, as every identifier is.
    ("order", ColumnKind::Text, true),
];

static COLUMNS: LazyLock<Vec<Column>> = LazyLock::new(|| {
    DECLARED
        .iter()
        .map(|&(name, kind, nullable)| Column {
            name: name.to_owned(),
            kind,
            declared: format!("{kind:?}"),
            nullable,
        })
        .collect()
});

/// Words the SQL text may hold outside quotes: the keywords sea-query
/// writes for a `find`, and the types the PostgreSQL dialect casts to.
const WORDS: &[&str] = &[
    "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "IS", "NULL", "LIKE", "ILIKE", "GLOB",
    "ORDER", "BY", "ASC", "DESC", "NULLS", "FIRST", "LAST", "LIMIT", "OFFSET", "COUNT", "CAST",
    "AS", "TRUE", "FALSE", "text", "int8", "float8", "bool", "jsonb",
];

/// Operators and punctuation the SQL text may hold.
const SYMBOLS: &[&str] = &[
    "<>", "!=", "<=", ">=", "=", "<", ">", "(", ")", ",", "*", "::",
];

/// A token of SQL text, as far as the check needs.
#[derive(Debug, PartialEq)]
enum Token<'a> {
    Word(&'a str),
    Quoted(String),
    Symbol(&'a str),
    /// `?`, or `$` and its number.
    Placeholder(Option<usize>),
}

/// Splits `sql` into tokens; anything the check does not know (a literal
/// string or number, another character) is an error naming it.
fn tokens(sql: &str) -> Result<Vec<Token<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = sql;
    while let Some(c) = rest.chars().next() {
        if c.is_whitespace() {
            rest = &rest[c.len_utf8()..];
        } else if c == '"' {
            // A quoted identifier; `""` is a quote inside it.
            let mut name = String::new();
            let mut chars = rest[1..].char_indices();
            let end = loop {
                match chars.next() {
                    Some((i, '"')) if rest[1 + i + 1..].starts_with('"') => {
                        name.push('"');
                        chars.next();
                    }
                    Some((i, '"')) => break 1 + i + 1,
                    Some((_, other)) => name.push(other),
                    None => return Err(format!("an unterminated identifier at {rest:?}")),
                }
            };
            out.push(Token::Quoted(name));
            rest = &rest[end..];
        } else if c == '?' {
            out.push(Token::Placeholder(None));
            rest = &rest[1..];
        } else if c == '$' {
            let digits = rest[1..]
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len() - 1);
            let number = rest[1..1 + digits]
                .parse()
                .map_err(|_| format!("a `$` without a number at {rest:?}"))?;
            out.push(Token::Placeholder(Some(number)));
            rest = &rest[1 + digits..];
        } else if c.is_ascii_alphabetic() || c == '_' {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            out.push(Token::Word(&rest[..end]));
            rest = &rest[end..];
        } else if let Some(symbol) = SYMBOLS.iter().find(|symbol| rest.starts_with(**symbol)) {
            out.push(Token::Symbol(symbol));
            rest = &rest[symbol.len()..];
        } else {
            return Err(format!("an unexpected {c:?} at {rest:?}"));
        }
    }
    Ok(out)
}

/// Checks one statement's SQL text and its placeholders.
fn check_sql(sql: &str, values: usize, dialect: Dialect, query: &Map<String, Value>) {
    let tokens = tokens(sql).unwrap_or_else(|error| panic!("{error} in {sql}, from {query:?}"));
    let mut numbers = BTreeSet::new();
    let mut anonymous = 0;
    for token in &tokens {
        match token {
            Token::Word(word) => assert!(
                WORDS.contains(word),
                "the word {word:?} in {sql}, from {query:?}"
            ),
            Token::Quoted(name) => assert!(
                name == TABLE || DECLARED.iter().any(|(column, ..)| column == name),
                "the identifier {name:?} in {sql}, from {query:?}"
            ),
            Token::Symbol(_) => {}
            Token::Placeholder(None) => anonymous += 1,
            Token::Placeholder(Some(number)) => {
                numbers.insert(*number);
            }
        }
    }
    match dialect {
        Dialect::Sqlite => {
            assert!(numbers.is_empty(), "`$n` on SQLite: {sql}");
            assert_eq!(anonymous, values, "{sql} binds {values} values");
        }
        Dialect::Postgres => {
            assert_eq!(anonymous, 0, "`?` on PostgreSQL: {sql}");
            let expected: BTreeSet<usize> = (1..=values).collect();
            assert_eq!(numbers, expected, "{sql} binds {values} values");
        }
    }
}

/// The fields a parsed query names, in the order the adapter checks
/// them: conditions, `$sort`, `$select`.
fn fields(query: &Query) -> Vec<&str> {
    fn walk<'a>(condition: &'a Condition, out: &mut Vec<&'a str>) {
        match condition {
            Condition::And(all) | Condition::Or(all) => {
                all.iter().for_each(|condition| walk(condition, out))
            }
            Condition::Field { path, .. } => out.push(path),
        }
    }
    let mut out = Vec::new();
    walk(&query.conditions, &mut out);
    out.extend(query.filters.sort.iter().map(|(field, _)| field.as_str()));
    out.extend(query.filters.select.iter().flatten().map(String::as_str));
    out
}

/// The pagination picked by bits 1-2 of the first byte.
fn paginate(mode: u8) -> Option<Paginate> {
    match (mode >> 1) & 3 {
        0 => None,
        1 => Some(Paginate {
            default: 5,
            max: 10,
        }),
        2 => Some(Paginate {
            default: 10,
            max: usize::MAX,
        }),
        _ => Some(Paginate { default: 0, max: 0 }),
    }
}

/// The query an input gives, if it gives one.
fn query_of(mode: u8, rest: &[u8]) -> Option<Map<String, Value>> {
    if mode & 1 == 0 {
        match serde_json::from_slice(rest).ok()? {
            Value::Object(map) => Some(map),
            _ => None,
        }
    } else {
        qs::parse(&String::from_utf8_lossy(rest), QsLimits::default()).ok()
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Some(map) = query_of(mode, rest) else {
        return;
    };
    let paginate = paginate(mode);
    let columns = COLUMNS.as_slice();
    let sqlite = find_sql(TABLE, "id", columns, &map, paginate, Dialect::Sqlite);
    let postgres = find_sql(TABLE, "id", columns, &map, paginate, Dialect::Postgres);

    let query = match Query::parse(&map) {
        Ok(query) => query,
        Err(parse) => {
            for found in [&sqlite, &postgres] {
                let error = found.as_ref().expect_err("a query that does not parse");
                assert_eq!(error.code(), 400, "{error:?}");
                assert_eq!(error.message(), parse.message());
            }
            return;
        }
    };
    let unknown = fields(&query)
        .into_iter()
        .find(|field| !DECLARED.iter().any(|(column, ..)| column == field));
    if let Some(field) = unknown {
        for found in [&sqlite, &postgres] {
            let error = found.as_ref().expect_err("a query naming an unknown field");
            assert_eq!(error.code(), 400, "{error:?}");
            assert_eq!(error.message(), format!("Unknown field '{field}'"));
        }
        return;
    }

    let statements =
        usize::from(query.limit(paginate) != Some(0)) + usize::from(paginate.is_some());
    for (found, dialect) in [(sqlite, Dialect::Sqlite), (postgres, Dialect::Postgres)] {
        let built = found.unwrap_or_else(|error| panic!("{map:?} failed with {error:?}"));
        assert_eq!(built.len(), statements, "{dialect:?} {built:?}");
        for (sql, values) in &built {
            check_sql(sql, values.0.len(), dialect, &map);
        }
    }
});
