//! Errors modelled on `@feathersjs/errors`.
//!
//! Every failure a service, hook or transport reports is an [`Error`]: a
//! Feathers error kind (name, HTTP code and class name), a message, and the
//! optional `data` and `errors` Feathers clients know. Its JSON form is the
//! one a FeathersJS v5 server sends:
//!
//! ```
//! use auth_core::Error;
//!
//! let error = Error::not_authenticated("Not authenticated");
//! assert_eq!(
//!     serde_json::to_string(&error).unwrap(),
//!     r#"{"name":"NotAuthenticated","message":"Not authenticated","code":401,"className":"not-authenticated"}"#
//! );
//! ```

use std::fmt;

use serde::de::{self, Deserializer};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The result type used throughout the framework.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The kinds of error `@feathersjs/errors` defines, plus `PayloadTooLarge`
/// and `UnsupportedMediaType`.
///
/// Each kind has a name (`BadRequest`), an HTTP status code (400) and a class
/// name (`bad-request`), exactly as Feathers serializes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// 400, `bad-request`: the request is malformed or invalid.
    BadRequest,
    /// 401, `not-authenticated`: credentials are missing or invalid.
    NotAuthenticated,
    /// 402, `payment-error`.
    PaymentError,
    /// 403, `forbidden`: authenticated but not allowed.
    Forbidden,
    /// 404, `not-found`: no such record, service or route.
    NotFound,
    /// 405, `method-not-allowed`: the service does not offer this method.
    MethodNotAllowed,
    /// 406, `not-acceptable`.
    NotAcceptable,
    /// 408, `timeout`.
    Timeout,
    /// 409, `conflict`.
    Conflict,
    /// 410, `gone`.
    Gone,
    /// 411, `length-required`.
    LengthRequired,
    /// 413, `payload-too-large`: the request body exceeds the limit.
    ///
    /// Not one of `@feathersjs/errors`' classes; it keeps Feathers' JSON
    /// shape so clients handle it like any other error.
    PayloadTooLarge,
    /// 415, `unsupported-media-type`: a request body of a type the REST
    /// transport does not read (anything but JSON).
    ///
    /// Not one of `@feathersjs/errors`' classes either (Feathers' body
    /// parsers skip such a body); named from the HTTP reason phrase, as
    /// `PayloadTooLarge` is.
    UnsupportedMediaType,
    /// 422, `unprocessable`.
    Unprocessable,
    /// 429, `too-many-requests`.
    TooManyRequests,
    /// 500, `general-error`: a failure on the server's side.
    GeneralError,
    /// 501, `not-implemented`.
    NotImplemented,
    /// 502, `bad-gateway`.
    BadGateway,
    /// 503, `unavailable`.
    Unavailable,
}

impl ErrorKind {
    /// Every kind, in code order.
    pub const ALL: [ErrorKind; 19] = [
        ErrorKind::BadRequest,
        ErrorKind::NotAuthenticated,
        ErrorKind::PaymentError,
        ErrorKind::Forbidden,
        ErrorKind::NotFound,
        ErrorKind::MethodNotAllowed,
        ErrorKind::NotAcceptable,
        ErrorKind::Timeout,
        ErrorKind::Conflict,
        ErrorKind::Gone,
        ErrorKind::LengthRequired,
        ErrorKind::PayloadTooLarge,
        ErrorKind::UnsupportedMediaType,
        ErrorKind::Unprocessable,
        ErrorKind::TooManyRequests,
        ErrorKind::GeneralError,
        ErrorKind::NotImplemented,
        ErrorKind::BadGateway,
        ErrorKind::Unavailable,
    ];

    /// The Feathers name, e.g. `"NotFound"`.
    pub const fn name(self) -> &'static str {
        self.parts().0
    }

    /// The HTTP status code, e.g. `404`.
    pub const fn code(self) -> u16 {
        self.parts().1
    }

    /// The Feathers class name, e.g. `"not-found"`.
    pub const fn class_name(self) -> &'static str {
        self.parts().2
    }

    /// The kind with this Feathers name, if there is one.
    pub fn from_name(name: &str) -> Option<ErrorKind> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The kind Feathers uses for this HTTP status code, if there is one.
    pub fn from_code(code: u16) -> Option<ErrorKind> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    const fn parts(self) -> (&'static str, u16, &'static str) {
        match self {
            ErrorKind::BadRequest => ("BadRequest", 400, "bad-request"),
            ErrorKind::NotAuthenticated => ("NotAuthenticated", 401, "not-authenticated"),
            ErrorKind::PaymentError => ("PaymentError", 402, "payment-error"),
            ErrorKind::Forbidden => ("Forbidden", 403, "forbidden"),
            ErrorKind::NotFound => ("NotFound", 404, "not-found"),
            ErrorKind::MethodNotAllowed => ("MethodNotAllowed", 405, "method-not-allowed"),
            ErrorKind::NotAcceptable => ("NotAcceptable", 406, "not-acceptable"),
            ErrorKind::Timeout => ("Timeout", 408, "timeout"),
            ErrorKind::Conflict => ("Conflict", 409, "conflict"),
            ErrorKind::Gone => ("Gone", 410, "gone"),
            ErrorKind::LengthRequired => ("LengthRequired", 411, "length-required"),
            ErrorKind::PayloadTooLarge => ("PayloadTooLarge", 413, "payload-too-large"),
            ErrorKind::UnsupportedMediaType => {
                ("UnsupportedMediaType", 415, "unsupported-media-type")
            }
            ErrorKind::Unprocessable => ("Unprocessable", 422, "unprocessable"),
            ErrorKind::TooManyRequests => ("TooManyRequests", 429, "too-many-requests"),
            ErrorKind::GeneralError => ("GeneralError", 500, "general-error"),
            ErrorKind::NotImplemented => ("NotImplemented", 501, "not-implemented"),
            ErrorKind::BadGateway => ("BadGateway", 502, "bad-gateway"),
            ErrorKind::Unavailable => ("Unavailable", 503, "unavailable"),
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A Feathers-style error: a kind, a message and optional details.
///
/// Build one with the constructor named after its kind and add details with
/// [`Error::with_data`] and [`Error::with_errors`]:
///
/// ```
/// use auth_core::{Error, ErrorKind};
/// use serde_json::json;
///
/// let error = Error::bad_request("Invalid data").with_errors(json!({ "text": "required" }));
/// assert_eq!(error.kind(), ErrorKind::BadRequest);
/// assert_eq!(error.code(), 400);
/// assert_eq!(
///     error.to_json(),
///     json!({
///         "name": "BadRequest",
///         "message": "Invalid data",
///         "code": 400,
///         "className": "bad-request",
///         "errors": { "text": "required" }
///     })
/// );
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct Error {
    kind: ErrorKind,
    message: String,
    details: Option<Box<Details>>,
}

/// The optional parts of an error, boxed so that `Result<T, Error>` stays small.
#[derive(Debug, Clone, PartialEq, Default)]
struct Details {
    data: Option<Value>,
    errors: Option<Value>,
}

macro_rules! constructors {
    ($($(#[$doc:meta])* $fn_name:ident => $kind:ident,)*) => {
        $(
            $(#[$doc])*
            #[must_use]
            pub fn $fn_name(message: impl Into<String>) -> Error {
                Error::new(ErrorKind::$kind, message)
            }
        )*
    };
}

impl Error {
    /// An error of `kind` with `message`.
    #[must_use]
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            details: None,
        }
    }

    constructors! {
        /// A `BadRequest` (400).
        bad_request => BadRequest,
        /// A `NotAuthenticated` (401).
        not_authenticated => NotAuthenticated,
        /// A `PaymentError` (402).
        payment_error => PaymentError,
        /// A `Forbidden` (403).
        forbidden => Forbidden,
        /// A `NotFound` (404).
        not_found => NotFound,
        /// A `MethodNotAllowed` (405).
        method_not_allowed => MethodNotAllowed,
        /// A `NotAcceptable` (406).
        not_acceptable => NotAcceptable,
        /// A `Timeout` (408).
        timeout => Timeout,
        /// A `Conflict` (409).
        conflict => Conflict,
        /// A `Gone` (410).
        gone => Gone,
        /// A `LengthRequired` (411).
        length_required => LengthRequired,
        /// A `PayloadTooLarge` (413).
        payload_too_large => PayloadTooLarge,
        /// An `UnsupportedMediaType` (415).
        unsupported_media_type => UnsupportedMediaType,
        /// An `Unprocessable` (422).
        unprocessable => Unprocessable,
        /// A `TooManyRequests` (429).
        too_many_requests => TooManyRequests,
        /// A `GeneralError` (500).
        general => GeneralError,
        /// A `NotImplemented` (501).
        not_implemented => NotImplemented,
        /// A `BadGateway` (502).
        bad_gateway => BadGateway,
        /// An `Unavailable` (503).
        unavailable => Unavailable,
    }

    /// Attaches Feathers' `data` field.
    #[must_use]
    pub fn with_data(mut self, data: Value) -> Error {
        self.details.get_or_insert_default().data = Some(data);
        self
    }

    /// Attaches Feathers' `errors` field (per-field validation errors).
    #[must_use]
    pub fn with_errors(mut self, errors: Value) -> Error {
        self.details.get_or_insert_default().errors = Some(errors);
        self
    }

    /// The error's kind.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The Feathers name, e.g. `"NotFound"`.
    pub fn name(&self) -> &'static str {
        self.kind.name()
    }

    /// The HTTP status code.
    pub fn code(&self) -> u16 {
        self.kind.code()
    }

    /// The Feathers class name, e.g. `"not-found"`.
    pub fn class_name(&self) -> &'static str {
        self.kind.class_name()
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The `data` field, if set.
    pub fn data(&self) -> Option<&Value> {
        self.details.as_ref()?.data.as_ref()
    }

    /// The `errors` field, if set.
    pub fn errors(&self) -> Option<&Value> {
        self.details.as_ref()?.errors.as_ref()
    }

    /// The JSON a Feathers server sends for this error.
    pub fn to_json(&self) -> Value {
        let mut json = serde_json::Map::with_capacity(6);
        json.insert("name".into(), self.name().into());
        json.insert("message".into(), self.message.clone().into());
        json.insert("code".into(), self.code().into());
        json.insert("className".into(), self.class_name().into());
        if let Some(data) = self.data() {
            json.insert("data".into(), data.clone());
        }
        if let Some(errors) = self.errors() {
            json.insert("errors".into(), errors.clone());
        }
        Value::Object(json)
    }
}

impl Serialize for Error {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = 4 + usize::from(self.data().is_some()) + usize::from(self.errors().is_some());
        let mut map = serializer.serialize_map(Some(len))?;
        map.serialize_entry("name", self.name())?;
        map.serialize_entry("message", &self.message)?;
        map.serialize_entry("code", &self.code())?;
        map.serialize_entry("className", self.class_name())?;
        if let Some(data) = self.data() {
            map.serialize_entry("data", data)?;
        }
        if let Some(errors) = self.errors() {
            map.serialize_entry("errors", errors)?;
        }
        map.end()
    }
}

/// Reads an error in Feathers' JSON shape, as a client receives it.
///
/// The kind is taken from `name`, or from `code` when the name is unknown;
/// anything else is a `GeneralError`.
impl<'de> Deserialize<'de> for Error {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Error, D::Error> {
        #[derive(Deserialize)]
        struct Wire {
            name: Option<String>,
            message: Option<String>,
            code: Option<u16>,
            data: Option<Value>,
            errors: Option<Value>,
        }
        let wire = Wire::deserialize(deserializer)?;
        let kind = wire
            .name
            .as_deref()
            .and_then(ErrorKind::from_name)
            .or_else(|| wire.code.and_then(ErrorKind::from_code))
            .unwrap_or(ErrorKind::GeneralError);
        let message = wire
            .message
            .ok_or_else(|| de::Error::missing_field("message"))?;
        let details = (wire.data.is_some() || wire.errors.is_some()).then(|| {
            Box::new(Details {
                data: wire.data,
                errors: wire.errors,
            })
        });
        Ok(Error {
            kind,
            message,
            details,
        })
    }
}

/// JSON that does not parse or does not fit the expected type came from the
/// caller: a `BadRequest`. An I/O failure while reading it is a `GeneralError`.
impl From<serde_json::Error> for Error {
    fn from(error: serde_json::Error) -> Error {
        match error.classify() {
            serde_json::error::Category::Io => Error::general(error.to_string()),
            _ => Error::bad_request(error.to_string()),
        }
    }
}

/// I/O failures are the server's: a `GeneralError`.
impl From<std::io::Error> for Error {
    fn from(error: std::io::Error) -> Error {
        Error::general(error.to_string())
    }
}

/// A configuration that cannot be read or does not fit its type is the
/// server's problem: a `GeneralError` naming the cause.
impl From<config::ConfigError> for Error {
    fn from(error: config::ConfigError) -> Error {
        Error::general(format!("Invalid configuration: {error}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips_through_json() {
        let error = Error::forbidden("No").with_data(json!({ "a": 1 }));
        let json = serde_json::to_string(&error).unwrap();
        let back: Error = serde_json::from_str(&json).unwrap();
        assert_eq!(back, error);
    }

    #[test]
    fn kinds_are_found_by_name_and_code() {
        for kind in ErrorKind::ALL {
            assert_eq!(ErrorKind::from_name(kind.name()), Some(kind));
            assert_eq!(ErrorKind::from_code(kind.code()), Some(kind));
        }
    }
}
