//! Reading a strategy's configuration section, for the code
//! `#[derive(Strategy)]` writes: every error names the full key.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// The strategy's section as a table; `null` (absent) is an empty one.
pub fn strategy_section<'a>(
    name: &str,
    section: &'a Value,
) -> Result<Option<&'a Map<String, Value>>> {
    match section {
        Value::Null => Ok(None),
        Value::Object(table) => Ok(Some(table)),
        other => Err(Error::general(format!(
            "Invalid configuration authentication.{name}: expected a table, found {other}"
        ))),
    }
}

fn read<T: DeserializeOwned>(name: &str, key: &str, value: &Value) -> Result<T> {
    T::deserialize(value).map_err(|error| {
        Error::general(format!(
            "Invalid configuration authentication.{name}.{key}: {error}"
        ))
    })
}

/// A key that must be set.
pub fn config_required<T: DeserializeOwned>(
    name: &str,
    section: Option<&Map<String, Value>>,
    key: &str,
) -> Result<T> {
    match section.and_then(|table| table.get(key)) {
        Some(value) => read(name, key, value),
        None => Err(Error::general(format!(
            "Missing configuration authentication.{name}.{key}"
        ))),
    }
}

/// A key with a default for when it is not set.
pub fn config_with_default<T: DeserializeOwned>(
    name: &str,
    section: Option<&Map<String, Value>>,
    key: &str,
    default: impl FnOnce() -> T,
) -> Result<T> {
    match section.and_then(|table| table.get(key)) {
        Some(value) => read(name, key, value),
        None => Ok(default()),
    }
}

/// What a required configuration field holds from the derived `new()`
/// until start-up reads its key: its type's `Default`. A strategy never
/// runs with it, since start-up fails when the key is missing.
pub fn config_unset<T: Unconfigured>() -> T {
    T::unconfigured()
}

/// A type a required configuration field can start with: any `Default`.
#[diagnostic::on_unimplemented(
    message = "the required configuration field's type `{Self}` has no `Default`",
    label = "`new()` needs a value for this field until start-up reads its key",
    note = "give the field a `default = ..` in `#[strategy(config, ..)]`, or use a type with `Default`"
)]
pub trait Unconfigured {
    /// The value before configuration.
    fn unconfigured() -> Self;
}

impl<T: Default> Unconfigured for T {
    fn unconfigured() -> T {
        T::default()
    }
}
