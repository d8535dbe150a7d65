//! Services whose every call runs through hooks, with pluggable
//! authentication, in the spirit of FeathersJS, checked at compile time.
//!
//! * A [`Service`] is plain business logic over its own types: `find`,
//!   `get`, `create`, `update`, `patch`, `remove` and custom methods.
//! * [Hooks](hook) run around, before, after and on errors of every call, in
//!   FeathersJS v5's order, at the app level and the service level.
//! * An [`App`] registers services by path; calls through
//!   `app.service::<S>(path)` are typed internal calls that run the same
//!   hooks as external ones.
//! * Errors are Feathers' ([`Error`]), down to their JSON.
//! * [`memory::MemoryService`] stores records in memory and answers
//!   Feathers' [query syntax](query); with the `sqlite` or `postgres` feature,
//!   `sql::SqlService` keeps them in an SQL table (SQLite or PostgreSQL), and [`store::Store`]
//!   holds either, chosen at run time.
//! * With the `redis` feature, `redis_sync::RedisSync` shares service
//!   events across the instances of an app through Redis pub/sub.
//!
//! Cargo features, all on by default: `macros` (`#[hooks(..)]`, and
//! `#[derive(Strategy)]` with `auth`), `auth` (the `authentication` module:
//! strategies, JWT, argon2 and bcrypt, the authentication hooks and
//! `RateLimit`) and `rest` (the axum transport, `rest`). With none of them
//! the crate is services, hooks, the app and the memory adapter.
//!
//! ```
//! use auth_core::prelude::*;
//! use auth_core::memory::MemoryService;
//! use serde_json::{json, Value};
//!
//! async fn require_text(ctx: &mut HookContext<MemoryService>) -> Result<()> {
//!     let text = ctx.data_json()?.and_then(|data| data.get("text").cloned());
//!     match text {
//!         Some(Value::String(text)) if !text.is_empty() => Ok(()),
//!         _ => Err(Error::bad_request("A message needs text")),
//!     }
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let app = App::new().register("messages", MemoryService::<Value>::new());
//! let messages = app.service::<MemoryService>("messages");
//! messages.hooks(ServiceHooks::new().before("create", require_text))?;
//!
//! messages.create(json!({ "text": "hello" }), Params::new()).await?;
//! let error = messages.create(json!({ "text": "" }), Params::new()).await.unwrap_err();
//! assert_eq!(error.code(), 400);
//! # Ok::<_, Error>(()) }).unwrap();
//! ```

pub mod app;
#[cfg(feature = "auth")]
pub mod authentication;
pub mod config;
mod entity;
pub mod error;
pub mod events;
#[cfg(feature = "auth")]
mod field_of;
pub mod hook;
mod id;
mod in_place;
pub mod memory;
mod method;
pub mod params;
pub mod query;
pub mod realtime;
mod redact;
#[cfg(feature = "redis")]
pub mod redis_sync;
#[cfg(feature = "rest")]
pub mod rest;
pub mod service;
#[cfg(feature = "socketio")]
pub mod socketio;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub mod sql;
pub mod store;
mod suggest;
mod sync;
mod token_payload;
mod typed;

pub use app::{App, Configure, JsonCall, JsonService, Reply, ServiceHandle, WeakApp};
pub use config::Configuration;
pub use error::{Error, ErrorKind, Result};
pub use events::{EventKind, ServiceEvent};
pub use hook::{
    AnyContext, AppContext, AppHooks, AroundHook, Hook, HookContext, HookKind, Hooks, Next, Output,
    Payload, ServiceHooks,
};
pub use params::{AuthenticationRequest, Entity, Params, PeerAddr, Provider};
pub use service::{Found, Id, Method, Service};

/// Derives [`StrategySetup`](authentication::StrategySetup): a strategy's
/// name and typed configuration; see [`auth_macros::Strategy`]. Its
/// expansion implements a trait of [`authentication`], so it comes with
/// the `auth` feature.
#[cfg(all(feature = "macros", feature = "auth"))]
pub use auth_macros::Strategy;
/// Writes a service's hook chain at compile time; see [`auth_macros::hooks`].
#[cfg(feature = "macros")]
pub use auth_macros::hooks;

/// The names most apps need: `use auth_core::prelude::*;`.
pub mod prelude {
    pub use crate::app::{App, Configure, ServiceHandle};
    #[cfg(feature = "auth")]
    pub use crate::authentication::rate_limit::RateLimit;
    #[cfg(feature = "auth")]
    pub use crate::authentication::{
        Anonymous, AuthConfig, AuthResult, Authentication, AuthenticationService, Jwt, Local,
        RequestParts, Strategy, StrategySetup, allow_anonymous, authenticate,
        disallow_external_multi, forbid_query_fields, hash_password, normalize_email, protect,
        restrict_to_owner,
    };
    pub use crate::config::Configuration;
    pub use crate::error::{Error, ErrorKind, Result};
    pub use crate::events::{EventKind, ServiceEvent};
    pub use crate::hook::{
        AnyContext, AppContext, AppHooks, AroundHook, BeforeHook, Hook, HookContext, HookKind,
        Hooks, Next, Output, Payload, ServiceHooks,
    };
    pub use crate::params::{AuthenticationRequest, Entity, Params, PeerAddr, Provider};
    pub use crate::service::{Found, Id, Method, Service};
    #[cfg(all(feature = "macros", feature = "auth"))]
    pub use auth_macros::Strategy;
    #[cfg(feature = "macros")]
    pub use auth_macros::hooks;
}

/// What the code generated by `auth-macros` names. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::app::App;
    #[cfg(feature = "auth")]
    pub use crate::authentication::{
        StrategySetup, config_required, config_unset, config_with_default, strategy_section,
    };
    pub use crate::error::{Error, Result};
    pub use crate::hook::add_unique as add_requirements;
    pub use crate::hook::chain::run_service_hooks;
    pub use crate::hook::engine::AroundList;
    pub use crate::hook::{
        AroundHook, BeforeHook, BoxFuture, HookContext, Requirement, around_hook, before_hook,
        hook, stage_fn,
    };
    pub use crate::params::Params;
    pub use crate::service::{Found, Id, Method, Service};
    pub use serde_json::Value;
    pub use std::boxed::Box;
    pub use std::future::Future;
    pub use std::marker::Send;
    pub use std::result::Result::{Err, Ok};
    pub use std::vec::Vec;
}

/// What the fuzz targets in `fuzz/` (and `tests/fuzz_regressions.rs`,
/// which keeps their findings) drive of the crate's internals, each the
/// very function a transport or adapter runs. Not a public API.
#[doc(hidden)]
pub mod __fuzz {
    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    pub use crate::sql::find::{Dialect, find_sql};

    /// A method event's arguments (after its name), as the Socket.IO
    /// transport reads them from the event's JSON.
    #[cfg(feature = "socketio")]
    pub use crate::socketio::args::Arguments;

    /// The service and call the method event `method` with `arguments`
    /// names, as the Socket.IO transport resolves it with the
    /// connection's `params`.
    ///
    /// # Errors
    ///
    /// `NotFound` for an unknown service path, `MethodNotAllowed` for a
    /// method the service does not offer, `BadRequest` for too many
    /// arguments or arguments of the wrong type.
    #[cfg(feature = "socketio")]
    pub fn socket_resolve(
        app: &crate::App,
        method: &str,
        arguments: Arguments,
        params: crate::Params,
    ) -> crate::Result<(crate::JsonService, crate::JsonCall)> {
        crate::socketio::args::resolve(app, method, arguments, params)
    }

    /// Runs the method event `method` with `arguments` over `connection`
    /// as the Socket.IO transport does (resolved, called through the
    /// service's hooks, `$select` projected on the answer), giving what
    /// the acknowledgement carries.
    ///
    /// # Errors
    ///
    /// Those of [`socket_resolve`], and the call's.
    #[cfg(feature = "socketio")]
    pub async fn socket_call(
        app: &crate::App,
        connection: &crate::realtime::Connection,
        method: &str,
        arguments: Arguments,
    ) -> crate::Result<serde_json::Value> {
        crate::socketio::call(app, connection, method, arguments).await
    }
}

extern crate self as auth_core;
