//! Fuzz target `chat_json`: request bodies read into the chat app's types.
//!
//! The input bytes are parsed with `serde_json::from_slice` into each type
//! the chat app's services take or give: `Message` (data and item of
//! `/messages`), `User` (data and item of `/users`), `serde_json::Value`
//! (their patch data), `AuthenticationRequest` and `AuthResult` (data and
//! item of `/authentication`). Nothing may panic; a refused body is fine.
//! When the bytes parse, also checked:
//!
//! * the value serializes, and what it serializes to reads back into the
//!   same type with the same JSON (floats to within rounding, as
//!   `serde_json` reads them best-effort);
//! * it survives the memory adapter's storage: `serde_json::to_value`, an
//!   object for the typed records, and back with `T::deserialize(&Value)`.

#![no_main]

use auth_core::authentication::AuthResult;
use auth_core::params::AuthenticationRequest;
use examples::chat::{Message, User};
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Equal JSON, but for the last bits of floats.
fn equivalent(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if x.is_f64() || y.is_f64() {
                let (x, y) = (
                    x.as_f64().unwrap_or(f64::NAN),
                    y.as_f64().unwrap_or(f64::NAN),
                );
                x == y || (x - y).abs() <= 4.0 * f64::EPSILON * x.abs().max(y.abs())
            } else {
                x == y
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| equivalent(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, x)| y.get(key).is_some_and(|y| equivalent(x, y)))
        }
        _ => a == b,
    }
}

/// Reads `data` as a `T` and, if it reads, checks the round trips.
fn check<T: Serialize + DeserializeOwned>(data: &[u8], name: &str, object: bool) {
    let Ok(first) = serde_json::from_slice::<T>(data) else {
        return;
    };
    let json = serde_json::to_value(&first)
        .unwrap_or_else(|error| panic!("a {name} read from JSON does not serialize: {error}"));
    if object {
        assert!(json.is_object(), "a {name} serialized to {json}");
    }

    let text = serde_json::to_vec(&first).expect("what serializes to a value serializes to text");
    let second: T = serde_json::from_slice(&text).unwrap_or_else(|error| {
        panic!(
            "a {name} does not read back: {error}: {}",
            String::from_utf8_lossy(&text)
        )
    });
    let again = serde_json::to_value(&second).expect("it serialized once");
    assert!(
        equivalent(&json, &again),
        "a {name} changed through text: {json} became {again}"
    );

    let stored = T::deserialize(&json)
        .unwrap_or_else(|error| panic!("a stored {name} does not read back: {error}: {json}"));
    let stored = serde_json::to_value(&stored).expect("it serialized once");
    assert!(
        equivalent(&json, &stored),
        "a {name} changed in storage: {json} became {stored}"
    );
}

fuzz_target!(|data: &[u8]| {
    check::<Message>(data, "Message", true);
    check::<User>(data, "User", true);
    check::<Value>(data, "Value", false);
    check::<AuthenticationRequest>(data, "AuthenticationRequest", true);
    check::<AuthResult>(data, "AuthResult", true);
});
