//! A method event's arguments, as Feathers' socket clients send them:
//! `(path, ...args)` with the arguments in the method's order and the
//! params (the query) last, read into a call.

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::app::{App, JsonCall, JsonService};
use crate::error::{Error, Result};
use crate::params::Params;
use crate::service::{Id, Method};

/// The most arguments a method event may carry (`update`: path, id, data,
/// params); more is a `400`, and the rest of a longer array is never read.
const MAX_ARGUMENTS: usize = 4;

/// Every argument of an event after its name, as JSON.
///
/// Deserialized as a tuple, so that socketioxide gives the whole argument
/// list rather than its first element. Public only for the fuzz targets
/// (through `auth_core::__fuzz`).
#[derive(Debug, Default)]
pub struct Arguments {
    pub(crate) values: Vec<Value>,
    /// More arguments than [`MAX_ARGUMENTS`] were sent.
    pub(crate) too_many: bool,
}

impl<'de> Deserialize<'de> for Arguments {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct ArgumentsVisitor;

        impl<'de> Visitor<'de> for ArgumentsVisitor {
            type Value = Arguments;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("the arguments of a method event")
            }

            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Arguments, A::Error> {
                let mut arguments = Arguments::default();
                // The path and at most MAX_ARGUMENTS more.
                while arguments.values.len() <= MAX_ARGUMENTS {
                    match seq.next_element::<Value>()? {
                        Some(value) => arguments.values.push(value),
                        None => return Ok(arguments),
                    }
                }
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    arguments.too_many = true;
                }
                Ok(arguments)
            }
        }

        deserializer.deserialize_tuple(MAX_ARGUMENTS + 2, ArgumentsVisitor)
    }
}

/// Where a method's params are among its arguments (after the path), as
/// in Feathers' `paramsPositions`.
fn params_position(method: &Method) -> usize {
    match method {
        Method::Find => 0,
        Method::Update | Method::Patch => 2,
        _ => 1,
    }
}

/// An id sent over the socket: a string or a number; `null` (or nothing)
/// for the multi forms of `patch` and `remove`.
fn read_id(method: &Method, value: Option<Value>) -> Result<Option<Id>> {
    match value {
        None | Some(Value::Null) => match method {
            Method::Patch | Method::Remove => Ok(None),
            _ => Err(Error::bad_request(format!(
                "An id is required for '{method}'"
            ))),
        },
        Some(value) => Id::from_json(&value)
            .map(Some)
            .ok_or_else(|| Error::bad_request(format!("Invalid id for '{method}': {value}"))),
    }
}

/// The params object a client sent: its `query` (Feathers' socket clients
/// send `{query}`... as the whole params object, which becomes the query).
fn read_query(value: Option<Value>) -> Result<Map<String, Value>> {
    match value {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(query)) => Ok(query),
        Some(_) => Err(Error::bad_request("The params of a call must be an object")),
    }
}

/// The service and the call a method event names, or the error to
/// acknowledge it with: Feathers' `NotFound` for an unknown path,
/// `MethodNotAllowed` for a method the service does not offer,
/// `BadRequest` for too many arguments or ones of the wrong type.
pub(crate) fn resolve(
    app: &App,
    method_name: &str,
    arguments: Arguments,
    params: Params,
) -> Result<(JsonService, JsonCall)> {
    let mut values = arguments.values.into_iter();
    let path = match values.next() {
        Some(Value::String(path)) => path,
        _ => return Err(Error::not_found("Invalid service path")),
    };
    let service = app
        .find_json_service(&path)
        .ok_or_else(|| Error::not_found(format!("Service '{path}' not found")))?;
    let method = Method::from_name(method_name);
    let offered = match &method {
        Method::Custom(name) => service.custom_methods().contains(&name.as_ref()),
        _ => true,
    };
    if !offered {
        return Err(Error::method_not_allowed(format!(
            "Method '{method_name}' not allowed on service '{path}'"
        )));
    }
    let mut rest: Vec<Value> = values.collect();
    let position = params_position(&method);
    if arguments.too_many || rest.len() > position + 1 {
        return Err(Error::bad_request(format!(
            "Too many arguments for '{method_name}' method"
        )));
    }
    rest.resize(position + 1, Value::Null);
    let mut rest = rest.into_iter();
    // Missing data is `{}`, as an empty REST body is.
    let data = |value: Option<Value>| match value {
        None | Some(Value::Null) => Some(Value::Object(Map::new())),
        data => data,
    };
    let (id, data) = match method {
        Method::Find => (None, None),
        Method::Get | Method::Remove => (read_id(&method, rest.next())?, None),
        Method::Update | Method::Patch => {
            let id = read_id(&method, rest.next())?;
            (id, data(rest.next()))
        }
        Method::Create | Method::Custom(_) => (None, data(rest.next())),
    };
    let mut params = params;
    params.query = read_query(rest.next())?;
    let mut call = JsonCall::new(method, params);
    call.id = id;
    call.data = data;
    Ok((service, call))
}
