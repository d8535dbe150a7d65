//! The JSON-facing handle transports use: JSON data in, a serializable
//! result out, the same hooks as a typed call.

use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::app::App;
use crate::app::registry::ErasedService;
use crate::error::{Error, Result};
use crate::hook::Output;
use crate::params::Params;
use crate::redact;
use crate::service::{Id, Method};

/// One call as a transport receives it.
#[derive(Debug, Clone)]
pub struct JsonCall {
    /// The method.
    pub method: Method,
    /// The id, if the route names one.
    pub id: Option<Id>,
    /// The body, if any; it is read into the service's data type (a body
    /// that does not fit is a `BadRequest`).
    pub data: Option<Value>,
    /// The parameters (provider, query, headers, authentication).
    pub params: Params,
}

impl JsonCall {
    /// A call of `method` with no id, no data and `params`.
    #[must_use]
    pub fn new(method: Method, params: Params) -> JsonCall {
        JsonCall {
            method,
            id: None,
            data: None,
            params,
        }
    }

    /// With this id.
    #[must_use]
    pub fn id(mut self, id: impl Into<Id>) -> JsonCall {
        self.id = Some(id.into());
        self
    }

    /// With this data.
    #[must_use]
    pub fn data(mut self, data: Value) -> JsonCall {
        self.data = Some(data);
        self
    }
}

trait SerializeOutput: Send + Sync {
    fn to_value(&self) -> serde_json::Result<Value>;
    fn into_value(self: Box<Self>) -> serde_json::Result<Value>;
    fn to_bytes(&self) -> serde_json::Result<Vec<u8>>;
}

impl SerializeOutput for Value {
    fn to_value(&self) -> serde_json::Result<Value> {
        Ok(self.clone())
    }
    fn into_value(self: Box<Self>) -> serde_json::Result<Value> {
        Ok(*self)
    }
    fn to_bytes(&self) -> serde_json::Result<Vec<u8>> {
        serde_json::to_vec(self)
    }
}

impl<T: Serialize + Send + Sync> SerializeOutput for Output<T> {
    fn to_value(&self) -> serde_json::Result<Value> {
        serde_json::to_value(self)
    }
    fn into_value(self: Box<Self>) -> serde_json::Result<Value> {
        serde_json::to_value(&*self)
    }
    fn to_bytes(&self) -> serde_json::Result<Vec<u8>> {
        serde_json::to_vec(self)
    }
}

/// The result of a JSON call: what the caller receives (the service's
/// typed result, serialized on demand, or, for an external call, the
/// `dispatch` a hook set), and the status a hook asked for.
pub struct Reply {
    output: Box<dyn SerializeOutput>,
    /// The HTTP status a hook set (`ctx.status`), if any.
    pub status: Option<u16>,
}

fn not_json(error: serde_json::Error) -> Error {
    Error::general(format!("The result can not be converted to JSON: {error}"))
}

impl Reply {
    pub(crate) fn new<T: Serialize + Send + Sync + 'static>(
        output: Output<T>,
        dispatch: Option<Value>,
        status: Option<u16>,
    ) -> Reply {
        let output: Box<dyn SerializeOutput> = match dispatch {
            Some(dispatch) => Box::new(dispatch),
            None => Box::new(output),
        };
        Reply { output, status }
    }

    /// The result as a JSON value.
    pub fn to_json(&self) -> Result<Value> {
        self.output.to_value().map_err(not_json)
    }

    /// The result as a JSON value, consuming the reply (a `dispatch` is
    /// moved out rather than copied).
    pub fn into_json(self) -> Result<Value> {
        self.output.into_value().map_err(not_json)
    }

    /// The result as JSON text, without an intermediate value.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        self.output.to_bytes().map_err(not_json)
    }
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Credentials hidden, as in `Params`' `Debug`.
        let output = self.output.to_value().ok();
        f.debug_struct("Reply")
            .field("output", &redact::OptionJson(output.as_ref()))
            .field("status", &self.status)
            .finish()
    }
}

/// A registered service seen through JSON, for transports: see [`App::json_service`].
#[derive(Clone)]
pub struct JsonService {
    pub(crate) app: App,
    pub(crate) path: Arc<str>,
    pub(crate) entry: Arc<dyn ErasedService>,
}

impl JsonService {
    /// The service's path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The custom methods the service offers.
    pub fn custom_methods(&self) -> &'static [&'static str] {
        self.entry.custom_methods()
    }

    /// Runs the call through every hook and the method.
    ///
    /// The call is taken into its context at once: the future returned
    /// holds a pointer to that context, not the call.
    pub fn call(&self, call: JsonCall) -> impl Future<Output = Result<Reply>> + Send + '_ {
        self.entry.call_json(self.app.clone(), call)
    }
}

impl std::fmt::Debug for JsonService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonService")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}
