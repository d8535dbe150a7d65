//! `HookContext<S>`: one service call as hooks see it, and its erased view
//! for app-level hooks.

use std::any::Any;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::app::App;
use crate::error::{Error, Result};
use crate::hook::HookKind;
use crate::hook::hooks::Hooks;
use crate::params::Params;
use crate::query::Page;
use crate::redact;
use crate::service::{Found, Id, Method, Service};
use crate::typed;

/// The data of a call, typed for the service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Payload<D, P> {
    /// The data of `create` (one record) or `update`.
    One(D),
    /// The data of `create` with a list.
    Many(Vec<D>),
    /// The data of `patch`.
    Patch(P),
    /// The data of a custom method.
    Custom(Value),
}

/// The result of a call, typed for the service.
///
/// Serialized as Feathers sends it: a record, a list, a page
/// `{"total","limit","skip","data"}`, or a custom method's JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Output<T> {
    /// One record (`get`, `create`, `update`, `patch` and `remove` with an id).
    One(T),
    /// A list (`find` without pagination, multi `create`, `patch`, `remove`).
    Many(Vec<T>),
    /// A page (`find` with pagination).
    Page(Page<T>),
    /// A custom method's result.
    Custom(Value),
}

impl<T> From<Found<T>> for Output<T> {
    fn from(found: Found<T>) -> Output<T> {
        match found {
            Found::Page(page) => Output::Page(page),
            Found::All(all) => Output::Many(all),
        }
    }
}

impl<T> Output<T> {
    /// The records the result holds: one, the list, or the page's data.
    pub fn records(&self) -> &[T] {
        match self {
            Output::One(one) => std::slice::from_ref(one),
            Output::Many(many) => many,
            Output::Page(page) => &page.data,
            Output::Custom(_) => &[],
        }
    }

    /// The records the result holds, mutably (for after hooks that edit them).
    pub fn records_mut(&mut self) -> &mut [T] {
        match self {
            Output::One(one) => std::slice::from_mut(one),
            Output::Many(many) => many,
            Output::Page(page) => &mut page.data,
            Output::Custom(_) => &mut [],
        }
    }
}

impl<T: serde::de::DeserializeOwned> Output<T> {
    /// Reads a JSON result in the shape `method` returns (`many` for a multi call).
    pub fn from_json(method: &Method, many: bool, value: Value) -> Result<Output<T>> {
        Output::read(method, many, value, |value| value)
    }

    /// [`Output::from_json`] from borrowed JSON: the records are read
    /// without copying the JSON first.
    fn from_json_ref(method: &Method, many: bool, value: &Value) -> Result<Output<T>> {
        Output::read(method, many, value, Value::clone)
    }

    /// Reads owned or borrowed JSON; a custom method's result stays JSON.
    fn read<'de, J>(
        method: &Method,
        many: bool,
        value: J,
        custom: impl FnOnce(J) -> Value,
    ) -> Result<Output<T>>
    where
        J: serde::Deserializer<'de, Error = serde_json::Error>,
    {
        let output = match method {
            Method::Custom(_) => Output::Custom(custom(value)),
            Method::Find => Output::from(Found::<T>::deserialize(value)?),
            _ if many => Output::Many(Vec::<T>::deserialize(value)?),
            _ => Output::One(T::deserialize(value)?),
        };
        Ok(output)
    }
}

/// One service call as its hooks see it.
///
/// Hooks read and change it: `params` (authentication, query), `data` before
/// the method, `result` after it, `error` in error hooks. Setting `result`
/// in a before hook skips the method; setting it in an error hook ends the
/// error path with that result.
///
/// `data` is moved into the method when it runs, so after hooks see `None`.
#[non_exhaustive]
pub struct HookContext<S: Service> {
    /// The application the service is registered on.
    pub app: App,
    /// The service's path (`"messages"`).
    pub path: Arc<str>,
    /// The method called.
    pub method: Method,
    /// The kind of hook running now.
    pub kind: HookKind,
    /// The call's parameters.
    pub params: Params,
    /// The id (`get`, `update`, `patch`, `remove`); `None` for a multi call.
    pub id: Option<Id>,
    /// The data (`create`, `update`, `patch`, custom methods).
    pub data: Option<Payload<S::Data, S::Patch>>,
    /// The result: set by the method, or by a hook to skip the method.
    pub result: Option<Output<S::Item>>,
    /// The error, while error hooks run.
    pub error: Option<Error>,
    /// The HTTP status a transport should answer with, if a hook sets one.
    pub status: Option<u16>,
    /// What external callers receive instead of `result`, when a hook sets
    /// it (Feathers' `context.dispatch`, as `protect(..)` does); the call's
    /// events carry it too.
    pub dispatch: Option<Value>,
    pub(crate) service_hooks: Option<Arc<Hooks<HookContext<S>>>>,
}

impl<S: Service> HookContext<S> {
    /// A context for a call of `method` on the service at `path`.
    ///
    /// [`App`] builds contexts for every call; build one yourself to test a
    /// hook function in isolation.
    pub fn new(app: App, path: impl Into<Arc<str>>, method: Method, params: Params) -> Self {
        HookContext {
            app,
            path: path.into(),
            method,
            kind: HookKind::Around,
            params,
            id: None,
            data: None,
            result: None,
            error: None,
            status: None,
            dispatch: None,
            service_hooks: None,
        }
    }

    /// True for a multi call: `create` with a list, `patch`/`remove` with a null id.
    pub fn is_multi(&self) -> bool {
        match self.method {
            Method::Create => matches!(self.data, Some(Payload::Many(_))),
            Method::Patch | Method::Remove => self.id.is_none(),
            _ => false,
        }
    }
}

/// The view of a call that app-level hooks get: the same context, with the
/// service's typed `data` and `result` readable and writable as JSON.
///
/// App hooks are registered once for every service, so they cannot know
/// each service's types; JSON conversion happens only when a hook asks.
///
/// ```
/// use auth_core::prelude::*;
///
/// async fn log_call(ctx: &mut AppContext) -> Result<()> {
///     tracing::info!(path = ctx.path(), method = %ctx.method(), "call");
///     Ok(())
/// }
///
/// let app = App::new().hooks(AppHooks::new().before_all(log_call));
/// ```
pub trait AnyContext: Send + 'static {
    /// The application.
    fn app(&self) -> &App;
    /// The service's path.
    fn path(&self) -> &str;
    /// The method called.
    fn method(&self) -> &Method;
    /// The kind of hook running now.
    fn kind(&self) -> HookKind;
    /// The id, if any.
    fn id(&self) -> Option<&Id>;
    /// The call's parameters.
    fn params(&self) -> &Params;
    /// The call's parameters, to change.
    fn params_mut(&mut self) -> &mut Params;
    /// The error, while error hooks run.
    fn error(&self) -> Option<&Error>;
    /// The error slot: replace the error, or clear it.
    fn error_mut(&mut self) -> &mut Option<Error>;
    /// The HTTP status a transport should answer with.
    fn status(&self) -> Option<u16>;
    /// Sets the HTTP status a transport should answer with.
    fn set_status(&mut self, status: Option<u16>);
    /// True when a result is set.
    fn has_result(&self) -> bool;
    /// The result as JSON.
    fn result_json(&self) -> Result<Option<Value>>;
    /// Replaces the result with JSON in the shape the method returns.
    fn set_result_json(&mut self, result: Option<Value>) -> Result<()>;
    /// [`AnyContext::set_result_json`] from borrowed JSON, which stays
    /// the caller's (to become `dispatch`, as in `protect(..)`).
    fn set_result_json_ref(&mut self, result: &Value) -> Result<()> {
        self.set_result_json(Some(result.clone()))
    }
    /// The result as JSON without the top-level `fields` of a single
    /// record, and whether they were left out (else the JSON is the whole
    /// result, for the caller to remove them): `protect(..)`'s way to not
    /// write what it removes.
    #[doc(hidden)]
    fn result_json_without(&self, fields: &[&str]) -> Result<Option<(Value, bool)>> {
        let _ = fields;
        Ok(self.result_json()?.map(|json| (json, false)))
    }
    /// The data as JSON.
    fn data_json(&self) -> Result<Option<Value>>;
    /// Replaces the data with JSON in the shape the method takes.
    fn set_data_json(&mut self, data: Option<Value>) -> Result<()>;
    /// What external callers receive instead of the result, if set.
    fn dispatch(&self) -> Option<&Value>;
    /// Sets what external callers receive instead of the result.
    fn set_dispatch(&mut self, dispatch: Option<Value>);
    #[doc(hidden)]
    fn set_kind(&mut self, kind: HookKind);
    #[doc(hidden)]
    fn clear_result(&mut self);
    #[doc(hidden)]
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// The context app-level hooks receive: `async fn(ctx: &mut AppContext) -> Result<()>`.
pub type AppContext = dyn AnyContext;

fn to_json<T: Serialize>(value: &T) -> Result<Value> {
    serde_json::to_value(value)
        .map_err(|error| Error::general(format!("Can not convert to JSON: {error}")))
}

impl<S: Service> AnyContext for HookContext<S> {
    fn app(&self) -> &App {
        &self.app
    }
    fn path(&self) -> &str {
        &self.path
    }
    fn method(&self) -> &Method {
        &self.method
    }
    fn kind(&self) -> HookKind {
        self.kind
    }
    fn id(&self) -> Option<&Id> {
        self.id.as_ref()
    }
    fn params(&self) -> &Params {
        &self.params
    }
    fn params_mut(&mut self) -> &mut Params {
        &mut self.params
    }
    fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }
    fn error_mut(&mut self) -> &mut Option<Error> {
        &mut self.error
    }
    fn status(&self) -> Option<u16> {
        self.status
    }
    fn set_status(&mut self, status: Option<u16>) {
        self.status = status;
    }
    fn has_result(&self) -> bool {
        self.result.is_some()
    }
    fn result_json(&self) -> Result<Option<Value>> {
        self.result.as_ref().map(to_json).transpose()
    }
    fn result_json_without(&self, fields: &[&str]) -> Result<Option<(Value, bool)>> {
        match &self.result {
            Some(Output::One(record)) => super::without_fields::record_json_without(record, fields)
                .map(Some)
                .map_err(|error| Error::general(format!("Can not convert to JSON: {error}"))),
            _ => Ok(self.result_json()?.map(|json| (json, false))),
        }
    }
    fn set_result_json(&mut self, result: Option<Value>) -> Result<()> {
        let many = self.is_multi();
        self.result = result
            .map(|value| Output::from_json(&self.method, many, value))
            .transpose()?;
        Ok(())
    }
    fn set_result_json_ref(&mut self, result: &Value) -> Result<()> {
        self.result = Some(Output::from_json_ref(
            &self.method,
            self.is_multi(),
            result,
        )?);
        Ok(())
    }
    fn data_json(&self) -> Result<Option<Value>> {
        self.data.as_ref().map(to_json).transpose()
    }
    fn set_data_json(&mut self, data: Option<Value>) -> Result<()> {
        self.data = data
            .map(|value| payload_from_json::<S>(&self.method, value))
            .transpose()?;
        Ok(())
    }
    fn dispatch(&self) -> Option<&Value> {
        self.dispatch.as_ref()
    }
    fn set_dispatch(&mut self, dispatch: Option<Value>) {
        self.dispatch = dispatch;
    }
    fn set_kind(&mut self, kind: HookKind) {
        self.kind = kind;
    }
    fn clear_result(&mut self) {
        self.result = None;
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Reads JSON data in the shape `method` takes: a list for a multi `create`,
/// the patch type for `patch`, raw JSON for a custom method.
///
/// A body that does not fit is a `BadRequest` naming the field at fault
/// (`errors: {"text": ".."}`), and so is a field its type does not declare
/// (`typed::read_body`): a typed record keeps only its type's fields.
pub(crate) fn payload_from_json<S: Service>(
    method: &Method,
    value: Value,
) -> Result<Payload<S::Data, S::Patch>> {
    let payload = match method {
        Method::Custom(_) => Payload::Custom(value),
        Method::Patch => Payload::Patch(typed::read_body(&value)?),
        Method::Create if value.is_array() => Payload::Many(typed::read_body(&value)?),
        _ => Payload::One(typed::read_body(&value)?),
    };
    Ok(payload)
}

/// Prints the call with credentials hidden (see [`Params`]' `Debug`):
/// `data`, `result` and `dispatch` are shown as redacted JSON.
impl<S: Service> std::fmt::Debug for HookContext<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let data = self.data_json().ok().flatten();
        let result = self.result_json().ok().flatten();
        f.debug_struct("HookContext")
            .field("path", &self.path)
            .field("method", &self.method)
            .field("kind", &self.kind)
            .field("params", &self.params)
            .field("id", &self.id)
            .field("data", &redact::OptionJson(data.as_ref()))
            .field("result", &redact::OptionJson(result.as_ref()))
            .field("error", &self.error)
            .field("status", &self.status)
            .field("dispatch", &redact::OptionJson(self.dispatch.as_ref()))
            .finish_non_exhaustive()
    }
}
