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

use std::future::Future;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::app::App;
use crate::error::{Error, Result};
use crate::hook::HookContext;
pub use crate::id::Id;
pub use crate::method::Method;
use crate::params::Params;
pub use crate::query::Found;

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
    fn __run_hooks<'a>(
        &'a self,
        ctx: &'a mut HookContext<Self>,
    ) -> impl Future<Output = Result<()>> + Send + 'a {
        crate::hook::chain::run_service_hooks(self, ctx)
    }
}
