//! The `Service` trait: find, get, create, update, patch, remove and custom
//! methods over a service's own types.
//!
//! A service is plain business logic. Each method is optional: one left out
//! answers `MethodNotAllowed`, as in Feathers. Hooks are not written here but
//! around the service, by `#[hooks(..)]` or registered at run time, and every
//! call, internal or external, runs through them.
//!
//! ```
//! use auth_core::prelude::*;
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Debug, Clone, Serialize, Deserialize)]
//! struct Greeting { id: u32, text: String }
//!
//! struct Greetings;
//!
//! impl Service for Greetings {
//!     type Item = Greeting;
//!     type Data = Greeting;
//!     type Patch = serde_json::Value;
//!
//!     async fn get(&self, id: &Id, _params: &Params) -> Result<Greeting> {
//!         Ok(Greeting { id: 1, text: format!("hello {id}") })
//!     }
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let app = App::new().register("greetings", Greetings);
//! let greeting = app.service::<Greetings>("greetings").get(7, Params::new()).await?;
//! assert_eq!(greeting.text, "hello 7");
//!
//! // Methods a service leaves out answer MethodNotAllowed.
//! let error = app.service::<Greetings>("greetings").find(Params::new()).await.unwrap_err();
//! assert_eq!(error.code(), 405);
//! # Ok::<_, Error>(()) }).unwrap();
//! ```

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::app::App;
use crate::error::{Error, Result};
use crate::hook::HookContext;
use crate::params::Params;
pub use crate::query::Found;

/// A record id: a number or a string, as in Feathers.
///
/// Ids that arrive in a URL are strings; adapters compare ids by
/// [`Id::key`], so `Id::from(3)` and `Id::from("3")` name the same record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Id {
    /// A numeric id.
    Number(i64),
    /// A string id.
    String(String),
}

impl Id {
    /// The id as a string key: the decimal form of a number, the string itself otherwise.
    pub fn key(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Id::Number(number) => number.to_string().into(),
            Id::String(string) => string.as_str().into(),
        }
    }

    /// The id as a number, when it is one or is a string holding one.
    pub fn as_number(&self) -> Option<i64> {
        match self {
            Id::Number(number) => Some(*number),
            Id::String(string) => string.parse().ok(),
        }
    }

    /// True when both ids name the same record (`3` and `"3"` do).
    pub fn same_as(&self, other: &Id) -> bool {
        match (self, other) {
            (Id::Number(a), Id::Number(b)) => a == b,
            (Id::String(a), Id::String(b)) => a == b,
            _ => self.key() == other.key(),
        }
    }

    /// The id as JSON.
    pub fn to_json(&self) -> Value {
        match self {
            Id::Number(number) => Value::from(*number),
            Id::String(string) => Value::from(string.as_str()),
        }
    }

    /// The id held by a JSON value (a string, or an integer number).
    pub fn from_json(value: &Value) -> Option<Id> {
        match value {
            Value::String(string) => Some(Id::String(string.clone())),
            Value::Number(number) => number.as_i64().map(Id::Number),
            _ => None,
        }
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Id::Number(number) => write!(f, "{number}"),
            Id::String(string) => f.write_str(string),
        }
    }
}

macro_rules! id_from_integer {
    ($($ty:ty),*) => {
        $(impl From<$ty> for Id {
            fn from(value: $ty) -> Id {
                Id::Number(i64::from(value))
            }
        })*
    };
}
id_from_integer!(i8, i16, i32, i64, u8, u16, u32);

impl From<&str> for Id {
    fn from(value: &str) -> Id {
        Id::String(value.to_owned())
    }
}

impl From<String> for Id {
    fn from(value: String) -> Id {
        Id::String(value)
    }
}

impl From<&Id> for Id {
    fn from(value: &Id) -> Id {
        value.clone()
    }
}

/// A service method: one of Feathers' six, or a custom method by name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Method {
    /// `find`: a list or a page of records.
    Find,
    /// `get`: one record by id.
    Get,
    /// `create`: one record, or several from a list.
    Create,
    /// `update`: replace one record.
    Update,
    /// `patch`: merge into one record, or into every match when the id is null.
    Patch,
    /// `remove`: one record, or every match when the id is null.
    Remove,
    /// A custom method, listed in [`Service::CUSTOM_METHODS`].
    Custom(Arc<str>),
}

impl Method {
    /// The six standard methods.
    pub const STANDARD: [Method; 6] = [
        Method::Find,
        Method::Get,
        Method::Create,
        Method::Update,
        Method::Patch,
        Method::Remove,
    ];

    /// The method with this name: a standard one, or else a custom one.
    pub fn from_name(name: &str) -> Method {
        match name {
            "find" => Method::Find,
            "get" => Method::Get,
            "create" => Method::Create,
            "update" => Method::Update,
            "patch" => Method::Patch,
            "remove" => Method::Remove,
            custom => Method::Custom(custom.into()),
        }
    }

    /// The method's name (`"get"`).
    pub fn as_str(&self) -> &str {
        match self {
            Method::Find => "find",
            Method::Get => "get",
            Method::Create => "create",
            Method::Update => "update",
            Method::Patch => "patch",
            Method::Remove => "remove",
            Method::Custom(name) => name,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for Method {
    fn from(name: &str) -> Method {
        Method::from_name(name)
    }
}

/// The message Feathers gives for a method a service does not offer.
pub(crate) fn not_allowed(method: &str) -> Error {
    Error::method_not_allowed(format!(
        "Method `{method}` is not supported by this endpoint."
    ))
}

/// A service: business logic over its own types, called through hooks.
///
/// * `Item` is what the service returns (a record).
/// * `Data` is what `create` and `update` take.
/// * `Patch` is what `patch` takes (often a struct of `Option`s, or
///   `serde_json::Value`).
///
/// Write the methods as plain `async fn`s; no `#[async_trait]` is needed.
/// A method left out answers `MethodNotAllowed`. The methods ending in
/// `_many` serve Feathers' multi calls (`create` with a list, `patch` and
/// `remove` with a null id).
///
/// Every call reaches the service through [`App`]: `app.service::<S>(path)`
/// for a typed internal call, or a transport. Both run the app's hooks and
/// the service's own (`#[hooks(..)]` or registered at run time).
pub trait Service: Send + Sync + Sized + 'static {
    /// The record type the service returns.
    type Item: Serialize + DeserializeOwned + Send + Sync + 'static;
    /// The data `create` and `update` take.
    type Data: Serialize + DeserializeOwned + Send + Sync + 'static;
    /// The data `patch` takes.
    type Patch: Serialize + DeserializeOwned + Send + Sync + 'static;

    /// The names of the service's custom methods, callable through
    /// [`Service::custom`]. A name not listed here is `MethodNotAllowed`.
    const CUSTOM_METHODS: &'static [&'static str] = &[];

    /// Every record matching `params.query`, as a page when the service paginates.
    fn find(&self, params: &Params) -> impl Future<Output = Result<Found<Self::Item>>> + Send {
        let _ = params;
        async { Err(not_allowed("find")) }
    }

    /// One record by id.
    fn get(&self, id: &Id, params: &Params) -> impl Future<Output = Result<Self::Item>> + Send {
        let _ = (id, params);
        async { Err(not_allowed("get")) }
    }

    /// Creates one record.
    fn create(
        &self,
        data: Self::Data,
        params: &Params,
    ) -> impl Future<Output = Result<Self::Item>> + Send {
        let _ = (data, params);
        async { Err(not_allowed("create")) }
    }

    /// Creates several records (`create` called with a list).
    fn create_many(
        &self,
        data: Vec<Self::Data>,
        params: &Params,
    ) -> impl Future<Output = Result<Vec<Self::Item>>> + Send {
        let _ = (data, params);
        async { Err(Error::method_not_allowed("Can not create multiple entries")) }
    }

    /// Replaces one record.
    fn update(
        &self,
        id: &Id,
        data: Self::Data,
        params: &Params,
    ) -> impl Future<Output = Result<Self::Item>> + Send {
        let _ = (id, data, params);
        async { Err(not_allowed("update")) }
    }

    /// Merges `data` into one record.
    fn patch(
        &self,
        id: &Id,
        data: Self::Patch,
        params: &Params,
    ) -> impl Future<Output = Result<Self::Item>> + Send {
        let _ = (id, data, params);
        async { Err(not_allowed("patch")) }
    }

    /// Merges `data` into every record matching `params.query` (`patch` with a null id).
    fn patch_many(
        &self,
        data: Self::Patch,
        params: &Params,
    ) -> impl Future<Output = Result<Vec<Self::Item>>> + Send {
        let _ = (data, params);
        async { Err(Error::method_not_allowed("Can not patch multiple entries")) }
    }

    /// Removes one record and returns it.
    fn remove(&self, id: &Id, params: &Params) -> impl Future<Output = Result<Self::Item>> + Send {
        let _ = (id, params);
        async { Err(not_allowed("remove")) }
    }

    /// Removes every record matching `params.query` (`remove` with a null id).
    fn remove_many(&self, params: &Params) -> impl Future<Output = Result<Vec<Self::Item>>> + Send {
        let _ = params;
        async { Err(Error::method_not_allowed("Can not remove multiple entries")) }
    }

    /// Runs the custom method `method` (one of [`Service::CUSTOM_METHODS`]).
    fn custom(
        &self,
        method: &str,
        data: Value,
        params: &Params,
    ) -> impl Future<Output = Result<Value>> + Send {
        let _ = (data, params);
        let error = not_allowed(method);
        async { Err(error) }
    }

    /// Called once when the service is registered on `app` at `path`.
    ///
    /// Keep an [`App::downgrade`]d handle here to call other services.
    fn setup(&mut self, app: &App, path: &str) -> Result<()> {
        let _ = (app, path);
        Ok(())
    }

    /// What the service's compile-time hooks need of the app, checked at
    /// start-up (see [`Requirement`](crate::hook::Requirement)). `#[hooks]`
    /// writes it.
    #[doc(hidden)]
    fn __requirements() -> Vec<crate::hook::Requirement> {
        Vec::new()
    }

    /// The service's own hook chain around the method.
    ///
    /// `#[hooks(..)]` writes this method; by default it runs the hooks
    /// registered at run time, then the method. Not meant to be called
    /// directly: call the service through [`App::service`].
    #[doc(hidden)]
    fn __run_hooks(&self, ctx: &mut HookContext<Self>) -> impl Future<Output = Result<()>> + Send {
        crate::hook::chain::run_service_hooks(self, ctx)
    }
}
