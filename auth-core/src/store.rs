//! `Store<T>`: an adapter chosen at run time, memory or SQL, behind one
//! type.
//!
//! A service struct holds one concrete adapter type
//! (`struct Users(MemoryService<User>)`), so an app that picks its storage
//! from its configuration (the chat app reads `DATABASE_URL`) needs a type
//! that can be either. `Store<T>` is that type: each variant holds an
//! adapter, and every method of [`Service`] (the multi forms, `custom` and
//! `setup` included) goes to the adapter held. `#[hooks(..)]` takes it as
//! it takes any adapter, so the app forwards nothing by hand.
//!
//! Both adapters answer the same query syntax with the same errors, and
//! both take `T` for `create` and `update` and a JSON object for `patch`.
//! Both keep only `T`'s fields when `T` is a struct: a field it does not
//! declare, in a body or a query, is a `400` naming it.
//! They differ where a database must: ids start at 0 in memory and at 1
//! in SQLite, and the SQL adapter checks fields against its table's
//! columns.
//!
//! ```
//! use auth_core::memory::MemoryService;
//! use auth_core::prelude::*;
//! use auth_core::store::Store;
//! use serde_json::{Value, json};
//!
//! #[hooks(before(create = [require_text]))]
//! struct Messages(Store<Value>);
//!
//! async fn require_text(ctx: &mut HookContext<Messages>) -> Result<()> {
//!     match &ctx.data {
//!         Some(Payload::One(message)) if message["text"].is_string() => Ok(()),
//!         _ => Err(Error::bad_request("A message needs text")),
//!     }
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! // Chosen at run time: `Store::Sql(SqlService::new(..).await?)` on a database.
//! let store = Store::Memory(MemoryService::new());
//! let app = App::new().register("messages", Messages(store));
//! let messages = app.service::<Messages>("messages");
//!
//! messages.create(json!({ "text": "hello" }), Params::new()).await?;
//! assert_eq!(messages.find(Params::new()).await?.data().len(), 1);
//! assert_eq!(messages.create(json!({}), Params::new()).await.unwrap_err().code(), 400);
//! # Ok::<_, Error>(()) }).unwrap();
//! ```

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::app::App;
use crate::error::Result;
use crate::memory::MemoryService;
use crate::params::Params;
use crate::service::{Found, Id, Service};
#[cfg(any(feature = "sqlite", feature = "postgres"))]
use crate::sql::SqlService;

/// Records of type `T` in the adapter chosen at run time.
///
/// `T` is the record type (`serde_json::Value` by default). See the
/// [module docs](self).
pub enum Store<T = Value> {
    /// Records in memory ([`MemoryService`]).
    Memory(MemoryService<T>),
    /// Records in an SQL table ([`SqlService`], features `sqlite`, `postgres`).
    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    Sql(SqlService<T>),
}

impl<T> From<MemoryService<T>> for Store<T> {
    fn from(service: MemoryService<T>) -> Store<T> {
        Store::Memory(service)
    }
}

#[cfg(any(feature = "sqlite", feature = "postgres"))]
impl<T> From<SqlService<T>> for Store<T> {
    fn from(service: SqlService<T>) -> Store<T> {
        Store::Sql(service)
    }
}

/// Runs `$call` on the adapter `$store` holds, bound to `$service`.
macro_rules! on_adapter {
    ($store:expr, $service:ident => $call:expr) => {
        match $store {
            Store::Memory($service) => $call,
            #[cfg(any(feature = "sqlite", feature = "postgres"))]
            Store::Sql($service) => $call,
        }
    };
}

impl<T> Service for Store<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
{
    type Item = T;
    type Data = T;
    type Patch = Value;

    // Neither adapter has custom methods; `custom` still goes to the
    // adapter, which answers as Feathers does for an unknown one.

    async fn find(&self, params: &Params) -> Result<Found<T>> {
        on_adapter!(self, service => service.find(params).await)
    }

    async fn get(&self, id: &Id, params: &Params) -> Result<T> {
        on_adapter!(self, service => service.get(id, params).await)
    }

    async fn create(&self, data: T, params: &Params) -> Result<T> {
        on_adapter!(self, service => service.create(data, params).await)
    }

    async fn create_many(&self, data: Vec<T>, params: &Params) -> Result<Vec<T>> {
        on_adapter!(self, service => service.create_many(data, params).await)
    }

    async fn update(&self, id: &Id, data: T, params: &Params) -> Result<T> {
        on_adapter!(self, service => service.update(id, data, params).await)
    }

    async fn patch(&self, id: &Id, data: Value, params: &Params) -> Result<T> {
        on_adapter!(self, service => service.patch(id, data, params).await)
    }

    async fn patch_many(&self, data: Value, params: &Params) -> Result<Vec<T>> {
        on_adapter!(self, service => service.patch_many(data, params).await)
    }

    async fn remove(&self, id: &Id, params: &Params) -> Result<T> {
        on_adapter!(self, service => service.remove(id, params).await)
    }

    async fn remove_many(&self, params: &Params) -> Result<Vec<T>> {
        on_adapter!(self, service => service.remove_many(params).await)
    }

    async fn custom(&self, method: &str, data: Value, params: &Params) -> Result<Value> {
        on_adapter!(self, service => service.custom(method, data, params).await)
    }

    fn setup(&mut self, app: &App, path: &str) -> Result<()> {
        on_adapter!(self, service => service.setup(app, path))
    }
}
