//! What `Debug` never prints: credentials.
//!
//! `tracing::info!(?event)` or `dbg!(ctx)` must not write a bearer token or
//! a password into a log, so the `Debug` of [`Params`](crate::Params),
//! [`HookContext`](crate::HookContext) and
//! [`ServiceEvent`](crate::ServiceEvent) goes through these views.
//!
//! The rule, one for headers and JSON keys alike: a name is secret when,
//! lower-cased and with `-` and `_` removed, it contains `password`,
//! `token`, `secret`, `authorization`, `cookie` or `apikey`. Its value
//! prints as `"[redacted]"`, at any depth; everything else prints as is.
//! The rule errs on the side of hiding (`tokenType` is hidden too): a log
//! line missing a harmless value costs less than one holding a credential.

use std::fmt;

use serde_json::{Map, Value};

/// What a secret value prints as.
pub(crate) const REDACTED: &str = "[redacted]";

/// The parts of a name that make it secret (see the module doc).
const SECRET_PARTS: [&str; 6] = [
    "password",
    "token",
    "secret",
    "authorization",
    "cookie",
    "apikey",
];

/// True when a header or JSON key named `name` holds a credential.
pub(crate) fn is_secret(name: &str) -> bool {
    let normalized: String = name
        .chars()
        .filter(|c| *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect();
    SECRET_PARTS.iter().any(|part| normalized.contains(part))
}

/// A JSON value printed with its secret keys redacted, as compact JSON-like
/// text (`{"email": "a@b.c", "password": "[redacted]"}`).
pub(crate) struct Json<'a>(pub &'a Value);

impl fmt::Debug for Json<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Value::Object(map) => JsonMap(map).fmt(f),
            Value::Array(items) => f.debug_list().entries(items.iter().map(Json)).finish(),
            // Scalars print as JSON: `"text"`, `5`, `true`, `null`.
            scalar => fmt::Display::fmt(scalar, f),
        }
    }
}

/// A JSON object printed with its secret keys redacted.
pub(crate) struct JsonMap<'a>(pub &'a Map<String, Value>);

impl fmt::Debug for JsonMap<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (key, value) in self.0 {
            if is_secret(key) {
                map.entry(key, &REDACTED);
            } else {
                map.entry(key, &Json(value));
            }
        }
        map.finish()
    }
}

/// A JSON object keyed by names that are not fields (the strategies'
/// sections, keyed by strategy: `api-key` is a name, not a credential),
/// with its values redacted.
#[cfg(feature = "auth")]
pub(crate) struct JsonSections<'a>(pub &'a Map<String, Value>);

#[cfg(feature = "auth")]
impl fmt::Debug for JsonSections<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(name, section)| (name, Json(section))))
            .finish()
    }
}

/// An optional JSON value, redacted.
pub(crate) struct OptionJson<'a>(pub Option<&'a Value>);

impl fmt::Debug for OptionJson<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(value) => f.debug_tuple("Some").field(&Json(value)).finish(),
            None => f.write_str("None"),
        }
    }
}

/// Request headers with the values of secret ones redacted
/// (`Authorization`, `Cookie`, `X-Api-Key`, ...).
pub(crate) struct Headers<'a>(pub &'a http::HeaderMap);

impl fmt::Debug for Headers<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if is_secret(name.as_str()) {
                map.entry(name, &REDACTED);
            } else {
                map.entry(name, value);
            }
        }
        map.finish()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn secret_names_are_found_whatever_their_case_and_separators() {
        for name in [
            "password",
            "Password",
            "newPassword",
            "password_confirmation",
            "accessToken",
            "access_token",
            "refresh-token",
            "Authorization",
            "proxy-authorization",
            "cookie",
            "Set-Cookie",
            "x-api-key",
            "apiKey",
            "clientSecret",
        ] {
            assert!(is_secret(name), "{name}");
        }
        for name in ["email", "text", "strategy", "userId", "payload", "host"] {
            assert!(!is_secret(name), "{name}");
        }
    }

    #[test]
    fn json_is_redacted_at_any_depth_and_the_rest_is_kept() {
        let value = json!({
            "email": "ada@example.com",
            "password": "hunter2",
            "nested": [{ "accessToken": "abc.def", "n": 1 }],
        });
        let printed = format!("{:?}", Json(&value));
        assert_eq!(
            printed,
            r#"{"email": "ada@example.com", "password": "[redacted]", "nested": [{"accessToken": "[redacted]", "n": 1}]}"#
        );
    }
}
