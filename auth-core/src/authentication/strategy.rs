//! The strategy model: what a strategy does (`Strategy`), what it is called
//! and how it is configured (`StrategySetup`, usually derived), and the
//! erased form the authentication service keeps (`DynStrategy`).
//!
//! ```
//! use auth_core::prelude::*;
//!
//! #[derive(Strategy)]
//! struct Anonymous;
//!
//! impl Strategy for Anonymous {
//!     async fn authenticate(&self, _: &AuthenticationRequest, _: &Params) -> Result<AuthResult> {
//!         Ok(AuthResult::new().with("anonymous", true))
//!     }
//! }
//!
//! assert_eq!(<Anonymous as StrategySetup>::NAME, "anonymous");
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::authentication::entity::StrategyContext;
use crate::error::Result;
use crate::hook::BoxFuture;
use crate::params::{AuthenticationRequest, Entity, Params};
use crate::redact;

/// The HTTP request a strategy reads credentials from in
/// [`Strategy::parse`]: method, URI, headers and extensions, without the
/// body (the `http` crate's `request::Parts`, re-exported so a strategy
/// needs no dependency of its own).
pub use http::request::Parts as RequestParts;

/// What a successful authentication yields, merged into the call's params
/// as Feathers merges it (`anonymous: true`, `user`, `authentication`, ...).
///
/// Its fields are JSON, except two a strategy may give typed: the
/// authenticated entity ([`AuthResult::with_entity`]), which becomes
/// `params.user` as it is, with no trip through JSON, and the
/// `authentication` ([`AuthResult::with_authentication`]), which becomes
/// `params.authentication` (the `jwt` strategy's, with the token's
/// payload). A JSON field named as the configured entity (`user`), or
/// `authentication`, is merged the same way.
///
/// ```
/// use auth_core::prelude::*;
/// use serde_json::json;
///
/// let result = AuthResult::new()
///     .with("anonymous", false)
///     .with_entity("user", Entity::from(json!({ "id": 1 })));
/// assert_eq!(result.get("anonymous"), Some(&json!(false)));
/// assert_eq!(result.get("user"), Some(&json!({ "id": 1 })));
/// assert_eq!(serde_json::to_value(&result)?, json!({ "anonymous": false, "user": { "id": 1 } }));
/// # Ok::<_, serde_json::Error>(())
/// ```
///
/// Its `Debug` hides credentials (`accessToken`, a user's `password`) by
/// the rule [`Params`] states.
#[derive(Clone, Default)]
pub struct AuthResult {
    fields: Map<String, Value>,
    /// Boxed: results without one (most) stay small to move.
    authentication: Option<Box<TypedAuthentication>>,
    entity: Option<(String, Entity)>,
}

/// The typed `authentication` of a result, with its JSON view made on
/// first use (for [`AuthResult::get`]).
#[derive(Clone)]
struct TypedAuthentication {
    request: AuthenticationRequest,
    json: OnceLock<Value>,
}

/// An [`AuthResult`] taken apart ([`AuthResult::into_parts`]).
#[derive(Debug)]
pub struct AuthResultParts {
    /// The JSON fields.
    pub fields: Map<String, Value>,
    /// The typed `authentication`, when the strategy gave one.
    pub authentication: Option<AuthenticationRequest>,
    /// The typed entity, with its key.
    pub entity: Option<(String, Entity)>,
}

impl PartialEq for AuthResult {
    fn eq(&self, other: &AuthResult) -> bool {
        self.fields == other.fields
            && self.authentication() == other.authentication()
            && self.entity == other.entity
    }
}

impl std::fmt::Debug for AuthResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut shown = f.debug_struct("AuthResult");
        shown.field("fields", &redact::JsonMap(&self.fields));
        if let Some(authentication) = self.authentication() {
            shown.field("authentication", authentication);
        }
        if let Some((key, entity)) = &self.entity {
            shown.field(key, entity);
        }
        shown.finish()
    }
}

/// The key of a result's `authentication`.
const AUTHENTICATION: &str = "authentication";

impl AuthResult {
    /// An empty result.
    #[must_use]
    pub fn new() -> AuthResult {
        AuthResult::default()
    }

    /// With one more JSON field.
    #[must_use]
    pub fn with(mut self, key: impl Into<String>, value: impl Into<Value>) -> AuthResult {
        self.insert(key, value);
        self
    }

    /// Sets a JSON field.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<Value>) {
        let key = key.into();
        if self
            .entity
            .as_ref()
            .is_some_and(|(entity, _)| *entity == key)
        {
            self.entity = None;
        }
        if key == AUTHENTICATION {
            self.authentication = None;
        }
        if self.fields.is_empty() {
            // Sized for the first field at once (most results have one or
            // two): the map's growth path is not run for it.
            self.fields = Map::with_capacity(2);
        }
        self.fields.insert(key, value.into());
    }

    /// With the authenticated entity under `key` (the configured entity
    /// name, `user` by default), typed.
    #[must_use]
    pub fn with_entity(mut self, key: impl Into<String>, entity: Entity) -> AuthResult {
        let key = key.into();
        self.fields.shift_remove(&key);
        self.entity = Some((key, entity));
        self
    }

    /// With `authentication` typed: it becomes the call's
    /// `params.authentication` as it is.
    ///
    /// ```
    /// use auth_core::prelude::*;
    /// use serde_json::json;
    ///
    /// let result = AuthResult::new()
    ///     .with_authentication(AuthenticationRequest::new("api-key").with("key", "k1"));
    /// assert_eq!(result.get("authentication"), Some(&json!({ "strategy": "api-key", "key": "k1" })));
    /// ```
    #[must_use]
    pub fn with_authentication(mut self, authentication: AuthenticationRequest) -> AuthResult {
        self.fields.shift_remove(AUTHENTICATION);
        self.authentication = Some(Box::new(TypedAuthentication {
            request: authentication,
            json: OnceLock::new(),
        }));
        self
    }

    /// A field, if set; the entity's field and a typed `authentication`
    /// are their JSON views.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match &self.entity {
            Some((entity, value)) if entity == key => return value.json().ok(),
            _ => {}
        }
        match &self.authentication {
            Some(typed) if key == AUTHENTICATION => Some(
                typed
                    .json
                    .get_or_init(|| serde_json::to_value(&typed.request).unwrap_or(Value::Null)),
            ),
            _ => self.fields.get(key),
        }
    }

    /// The entity under `key`: the typed one, or a JSON field of that
    /// name.
    pub fn entity(&self, key: &str) -> Option<Entity> {
        match &self.entity {
            Some((entity, value)) if entity == key => Some(value.clone()),
            _ => self.fields.get(key).cloned().map(Entity::from),
        }
    }

    /// The typed `authentication`, when the strategy gave one.
    pub fn authentication(&self) -> Option<&AuthenticationRequest> {
        self.authentication.as_ref().map(|typed| &typed.request)
    }

    /// The JSON fields (without the typed entity and `authentication`).
    pub fn fields(&self) -> &Map<String, Value> {
        &self.fields
    }

    /// The JSON fields, the typed `authentication` and the typed entity.
    pub fn into_parts(self) -> AuthResultParts {
        AuthResultParts {
            fields: self.fields,
            authentication: self.authentication.map(|typed| typed.request),
            entity: self.entity,
        }
    }

    /// Every field as JSON: the JSON fields, then `authentication`, then
    /// the entity.
    pub fn into_json(self) -> Result<Map<String, Value>> {
        let AuthResultParts {
            mut fields,
            authentication,
            entity,
        } = self.into_parts();
        if let Some(authentication) = authentication {
            let json = serde_json::to_value(&authentication).map_err(|error| {
                crate::error::Error::general(format!("Could not write the authentication: {error}"))
            })?;
            fields.insert(AUTHENTICATION.to_owned(), json);
        }
        if let Some((key, entity)) = entity {
            fields.insert(key, entity.json()?.clone());
        }
        Ok(fields)
    }
}

impl From<Map<String, Value>> for AuthResult {
    fn from(fields: Map<String, Value>) -> AuthResult {
        AuthResult {
            fields,
            authentication: None,
            entity: None,
        }
    }
}

impl Serialize for AuthResult {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let typed = usize::from(self.authentication.is_some()) + usize::from(self.entity.is_some());
        let mut map = serializer.serialize_map(Some(self.fields.len() + typed))?;
        for (key, value) in &self.fields {
            map.serialize_entry(key, value)?;
        }
        if let Some(authentication) = self.authentication() {
            map.serialize_entry(AUTHENTICATION, authentication)?;
        }
        if let Some((key, entity)) = &self.entity {
            map.serialize_entry(key, entity)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for AuthResult {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<AuthResult, D::Error> {
        Map::deserialize(deserializer).map(AuthResult::from)
    }
}

/// What a strategy does: check what the caller presents and say who it is.
///
/// Write `authenticate`; write `parse` when the strategy reads credentials
/// from a request itself (as `jwt` reads the `Authorization` header).
/// Derive [`StrategySetup`] with `#[derive(Strategy)]` for the name and the
/// configuration.
pub trait Strategy: Send + Sync + 'static {
    /// Called once at start-up, after the configuration is read, with the
    /// app, the authentication configuration and the token maker.
    fn setup(&mut self, context: &StrategyContext) -> Result<()> {
        let _ = context;
        Ok(())
    }

    /// Authenticates `authentication` for a call with `params`; any failure
    /// should be a `NotAuthenticated` error.
    fn authenticate(
        &self,
        authentication: &AuthenticationRequest,
        params: &Params,
    ) -> impl Future<Output = Result<AuthResult>> + Send;

    /// Reads credentials from an HTTP request, if this strategy finds any
    /// there, as `jwt` reads the `Authorization` header.
    ///
    /// The REST transport asks every registered strategy, in registration
    /// order, and the first that finds credentials sets the call's
    /// `params.authentication`; the `authenticate(..)` hook then checks
    /// them with [`Strategy::authenticate`]. Answer `Ok(None)` when the
    /// request carries none of this strategy's credentials, and keep
    /// errors for requests that carry malformed ones.
    ///
    /// A strategy reading an API key from a header named in its
    /// configuration (`authentication.api-key.header`):
    ///
    /// ```
    /// use auth_core::prelude::*;
    ///
    /// #[derive(Strategy)]
    /// struct ApiKey {
    ///     #[strategy(config, default = "x-api-key".to_owned())]
    ///     header: String,
    ///     #[strategy(config)]
    ///     keys: Vec<String>,
    /// }
    ///
    /// impl Strategy for ApiKey {
    ///     async fn authenticate(&self, auth: &AuthenticationRequest, _: &Params) -> Result<AuthResult> {
    ///         match auth.get_str("key") {
    ///             Some(key) if self.keys.iter().any(|known| known == key) => {
    ///                 Ok(AuthResult::new().with("apiKey", true))
    ///             }
    ///             _ => Err(Error::not_authenticated("Invalid API key")),
    ///         }
    ///     }
    ///
    ///     async fn parse(&self, request: &RequestParts) -> Result<Option<AuthenticationRequest>> {
    ///         let key = request.headers.get(&self.header).and_then(|key| key.to_str().ok());
    ///         Ok(key.map(|key| AuthenticationRequest::new("api-key").with("key", key)))
    ///     }
    /// }
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let mut api_key = ApiKey::new();
    /// StrategySetup::configure(&mut api_key, &serde_json::json!({ "keys": ["k1"] }))?;
    /// # let (request, ()) = http::Request::builder().header("x-api-key", "k1").body(()).unwrap().into_parts();
    /// let found = api_key.parse(&request).await?.unwrap();
    /// assert_eq!(found.get_str("key"), Some("k1"));
    /// api_key.authenticate(&found, &Params::new()).await?;
    /// # Ok::<_, Error>(()) }).unwrap();
    /// ```
    fn parse(
        &self,
        request: &RequestParts,
    ) -> impl Future<Output = Result<Option<AuthenticationRequest>>> + Send {
        let _ = request;
        NoCredentials
    }
}

/// The future of [`Strategy::parse`]'s default: no credentials, at once.
/// Zero-sized (an `async` block is not: it keeps its state), so that
/// boxing it, as the transports do for each strategy on each request,
/// allocates nothing.
struct NoCredentials;

impl Future for NoCredentials {
    type Output = Result<Option<AuthenticationRequest>>;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        Poll::Ready(Ok(None))
    }
}

/// A strategy's name and configuration; `#[derive(Strategy)]` writes it.
///
/// `configure` receives the strategy's section of the authentication
/// configuration (`authentication.<name>`, `null` when absent) once, at
/// start-up, and reports a missing or malformed key by its full name.
pub trait StrategySetup {
    /// The name callers ask for (`{"strategy": "<name>"}`).
    const NAME: &'static str;

    /// Reads the strategy's configuration section.
    fn configure(&mut self, section: &Value) -> Result<()>;
}

/// A strategy with its types erased, as the authentication service keeps it.
pub trait DynStrategy: Send + Sync + 'static {
    /// The strategy's name.
    fn name(&self) -> &'static str;
    /// Reads the strategy's configuration section.
    fn configure(&mut self, section: &Value) -> Result<()>;
    /// See [`Strategy::setup`].
    fn setup(&mut self, context: &StrategyContext) -> Result<()>;
    /// See [`Strategy::authenticate`].
    fn authenticate<'a>(
        &'a self,
        authentication: &'a AuthenticationRequest,
        params: &'a Params,
    ) -> BoxFuture<'a, Result<AuthResult>>;
    /// See [`Strategy::parse`].
    fn parse<'a>(
        &'a self,
        request: &'a RequestParts,
    ) -> BoxFuture<'a, Result<Option<AuthenticationRequest>>>;
}

impl<T: Strategy + StrategySetup> DynStrategy for T {
    fn name(&self) -> &'static str {
        T::NAME
    }
    fn configure(&mut self, section: &Value) -> Result<()> {
        StrategySetup::configure(self, section)
    }
    fn setup(&mut self, context: &StrategyContext) -> Result<()> {
        Strategy::setup(self, context)
    }
    fn authenticate<'a>(
        &'a self,
        authentication: &'a AuthenticationRequest,
        params: &'a Params,
    ) -> BoxFuture<'a, Result<AuthResult>> {
        Box::pin(Strategy::authenticate(self, authentication, params))
    }
    fn parse<'a>(
        &'a self,
        request: &'a RequestParts,
    ) -> BoxFuture<'a, Result<Option<AuthenticationRequest>>> {
        Box::pin(Strategy::parse(self, request))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authentication::Anonymous;

    #[test]
    fn the_default_parse_finds_nothing_and_is_boxed_without_allocating() {
        let (request, ()) = http::Request::new(()).into_parts();
        let mut parse = std::pin::pin!(Strategy::parse(&Anonymous, &request));
        // Zero-sized: `Box::pin` of it allocates nothing.
        assert_eq!(std::mem::size_of_val(&*parse), 0);
        let mut context = Context::from_waker(std::task::Waker::noop());
        match parse.as_mut().poll(&mut context) {
            Poll::Ready(found) => assert_eq!(found.ok().flatten(), None),
            Poll::Pending => panic!("the default parse waited"),
        }
    }
}
