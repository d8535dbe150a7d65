//! Authentication, as FeathersJS v5 does it: an authentication service
//! (`POST /authentication` to log in, `DELETE` to log out), strategies
//! (`jwt`, `local`, `anonymous`, or your own), and hooks that authenticate
//! calls (`authenticate(..)`, `allow_anonymous`) or shape users
//! (`hash_password(..)`, `protect(..)`), and hooks that control access
//! (`restrict_to_owner(..)`, `forbid_query_fields(..)`,
//! `disallow_external_multi`).
//!
//! ```
//! use auth_core::prelude::*;
//! use auth_core::memory::MemoryService;
//! use serde_json::{json, Value};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let app = App::new()
//!     .register("users", MemoryService::<Value>::new())
//!     .configure(
//!         Authentication::new(AuthConfig::new("a long secret").auth_strategies(["local", "jwt"]))
//!             .strategy(Jwt::default())
//!             .strategy(Local::default()),
//!     );
//! app.setup()?;
//!
//! let users = app.service::<MemoryService<Value>>("users");
//! users.hooks(ServiceHooks::new().before("create", hash_password("password")))?;
//! users.create(json!({ "email": "ada@example.com", "password": "s3cret!" }), Params::new()).await?;
//!
//! let login = AuthenticationRequest::new("local")
//!     .with("email", "ada@example.com")
//!     .with("password", "s3cret!");
//! let result = app.service::<AuthenticationService>("authentication").create(login, Params::new()).await?;
//! assert!(result.get("accessToken").is_some());
//! assert_eq!(result.get("authentication").unwrap()["strategy"], "local");
//! # Ok::<_, Error>(()) }).unwrap();
//! ```

mod anonymous;
mod claims;
mod config;
mod connection;
mod entity;
mod entity_cache;
mod hooks;
mod jws;
mod jwt;
mod local;
pub mod password;
pub mod rate_limit;
mod restrict;
mod service;
mod settings;
mod strategy;
mod token;

pub use anonymous::Anonymous;
pub use entity::StrategyContext;
pub(crate) use entity_cache::EntityCache;
pub use entity_cache::EntityCacheOptions;
pub use hooks::{
    AllowAnonymous, Authenticate, HashPassword, NormalizeEmail, Protect, allow_anonymous,
    authenticate, hash_password, normalize_email, protect,
};
pub use jwt::Jwt;
pub use local::Local;
pub use restrict::{
    DisallowExternalMulti, ForbidQueryFields, RestrictToOwner, disallow_external_multi,
    forbid_query_fields, restrict_to_owner,
};
#[cfg(feature = "rest")]
pub(crate) use service::parse_credentials;
pub use service::{
    Authentication, AuthenticationService, DEFAULT_AUTHENTICATION, default_authentication,
};
pub use settings::{AuthConfig, EntityView, ExpiresIn, JwtHeader, JwtOptions};
pub use strategy::{
    AuthResult, AuthResultParts, DynStrategy, RequestParts, Strategy, StrategySetup,
};
pub use token::{EPOCH_CLAIM, TokenOptions, Tokens, new_token_epoch};

/// The kind of [`Requirement`](crate::hook::Requirement) a hook declares
/// for each strategy it names: [`Authentication`] checks at start-up that
/// each one is registered.
pub const STRATEGY: &str = "authentication strategy";

#[doc(hidden)]
pub use config::{
    Unconfigured, config_required, config_unset, config_with_default, strategy_section,
};
