//! `Params`: everything about a service call that is not its id or data.
//!
//! As in Feathers, `params.provider` tells an external call (`Some`, set by a
//! transport) from an internal one (`None`); authentication fills in
//! `authentication`, `authenticated`, `user` and the merged strategy result.

use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::Result;
use crate::redact;

pub use crate::entity::Entity;
pub use crate::token_payload::TokenPayload;

/// A Feathers query: the JSON object behind `params.query`.
pub type Query = Map<String, Value>;

/// The transport an external call came through.
///
/// Feathers sets `params.provider` to `"rest"`, `"socketio"` and so on; an
/// internal call has no provider.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Provider {
    /// The REST (HTTP) transport.
    Rest,
    /// Any other transport, by name.
    Other(Arc<str>),
}

impl Provider {
    /// The provider's name as Feathers spells it (`"rest"`).
    pub fn as_str(&self) -> &str {
        match self {
            Provider::Rest => "rest",
            Provider::Other(name) => name,
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a caller presents to authenticate: `{ "strategy": "jwt", "accessToken": "..." }`.
///
/// The strategy's name is typed; every other field stays as JSON, since each
/// strategy reads its own (`accessToken`, `email`, `password`, ...). Once
/// the `jwt` strategy has verified a token, `params.authentication` also
/// holds the token's claims in [`payload`](AuthenticationRequest::payload)
/// (Feathers' `params.authentication.payload`), read on first use; it
/// serializes as the `payload` field, and a `payload` sent by a caller
/// stays in `fields`.
///
/// ```
/// use auth_core::AuthenticationRequest;
///
/// let request = AuthenticationRequest::new("jwt").with("accessToken", "abc");
/// assert_eq!(request.strategy, "jwt");
/// assert_eq!(request.get_str("accessToken"), Some("abc"));
/// ```
///
/// Its `Debug` hides credentials (`accessToken`, `password`, ...), by the
/// rule [`Params`] states.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthenticationRequest {
    /// The name of the strategy to authenticate with (empty when the
    /// caller named none, which authentication refuses with a 401).
    #[serde(default)]
    pub strategy: String,
    /// The strategy's other fields.
    #[serde(flatten)]
    pub fields: Map<String, Value>,
    /// The claims of the verified access token, set by the `jwt` strategy.
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub payload: Option<TokenPayload>,
}

impl AuthenticationRequest {
    /// A request for `strategy` with no other field.
    #[must_use]
    pub fn new(strategy: impl Into<String>) -> AuthenticationRequest {
        AuthenticationRequest {
            strategy: strategy.into(),
            fields: Map::new(),
            payload: None,
        }
    }

    /// Adds a field.
    #[must_use]
    pub fn with(
        mut self,
        key: impl Into<String>,
        value: impl Into<Value>,
    ) -> AuthenticationRequest {
        self.fields.insert(key.into(), value.into());
        self
    }

    /// A string field, if present and a string.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.fields.get(key).and_then(Value::as_str)
    }
}

/// The parameters of a service call.
///
/// Its `Debug` never prints a credential, so `tracing::info!(?params)` is
/// safe: a header or JSON key (of the query, the route, the
/// authentication request, the user or the fields) whose name, lower-cased
/// with `-` and `_` removed, contains `password`, `token`, `secret`,
/// `authorization`, `cookie` or `apikey` prints as `"[redacted]"`.
///
/// ```
/// use auth_core::{Params, Provider};
/// use serde_json::json;
///
/// let mut params = Params::external(Provider::Rest);
/// params.query.insert("$limit".into(), json!(5));
/// assert!(params.is_external());
/// assert!(!params.anonymous());
///
/// params.set_field("anonymous", true);
/// assert!(params.anonymous());
/// ```
#[derive(Clone, Default)]
pub struct Params {
    /// The transport of an external call; `None` for an internal call.
    pub provider: Option<Provider>,
    /// The query (`?name=value` over REST), in Feathers' query syntax.
    pub query: Query,
    /// Named parameters of the route the call came through.
    pub route: Map<String, Value>,
    /// The request headers of an external call.
    pub headers: http::HeaderMap,
    /// The credentials the caller presented, if any.
    pub authentication: Option<AuthenticationRequest>,
    /// True once a strategy authenticated the call.
    pub authenticated: bool,
    /// The authenticated entity (the user): the entity service's own
    /// record, shared; read it with [`Params::user_ref`] (no copy),
    /// [`Params::user`] (a copy), or as JSON with [`Params::user_json`].
    pub user: Option<Entity>,
    /// Free-form fields, among them the merged result of an authentication
    /// strategy (`anonymous: true`, `payload`, ...), as Feathers merges it
    /// into `params`.
    pub fields: Map<String, Value>,
    /// Typed values hooks pass to each other or to the service.
    pub extensions: http::Extensions,
}

impl Params {
    /// Params of an internal call (no provider).
    #[must_use]
    pub fn new() -> Params {
        Params::default()
    }

    /// Params of an external call through `provider`.
    #[must_use]
    pub fn external(provider: Provider) -> Params {
        Params {
            provider: Some(provider),
            ..Params::default()
        }
    }

    /// Params with this query.
    #[must_use]
    pub fn with_query(mut self, query: Value) -> Params {
        if let Value::Object(map) = query {
            self.query = map;
        }
        self
    }

    /// True for a call from a transport (a provider is set).
    pub fn is_external(&self) -> bool {
        self.provider.is_some()
    }

    /// True when the anonymous strategy authenticated this call
    /// (`params.anonymous` in the Feathers recipe).
    pub fn anonymous(&self) -> bool {
        self.fields.get("anonymous") == Some(&Value::Bool(true))
    }

    /// The authenticated user as `U`: a copy of the entity service's
    /// record when it is a `U`, else read from its JSON.
    ///
    /// `Ok(None)` when no user is set; an error when the user does not fit `U`.
    pub fn user<U: DeserializeOwned + Clone + 'static>(&self) -> Result<Option<U>> {
        self.user.as_ref().map(Entity::to_typed).transpose()
    }

    /// The authenticated user's record, when it is a `U` (the entity
    /// service's record type), by reference.
    ///
    /// ```
    /// use auth_core::{Entity, Params};
    ///
    /// #[derive(serde::Serialize)]
    /// struct User { id: u64 }
    ///
    /// let mut params = Params::new();
    /// params.user = Some(Entity::new(User { id: 7 }));
    /// assert_eq!(params.user_ref::<User>().map(|user| user.id), Some(7));
    /// ```
    pub fn user_ref<U: 'static>(&self) -> Option<&U> {
        self.user.as_ref()?.get::<U>()
    }

    /// The authenticated user as JSON, as the caller sees it (made on
    /// first use).
    pub fn user_json(&self) -> Result<Option<&Value>> {
        self.user.as_ref().map(Entity::json).transpose()
    }

    /// A free-form field (see [`Params::fields`]).
    pub fn field(&self, key: &str) -> Option<&Value> {
        self.fields.get(key)
    }

    /// Sets a free-form field.
    pub fn set_field(&mut self, key: impl Into<String>, value: impl Into<Value>) {
        self.fields.insert(key.into(), value.into());
    }
}

impl fmt::Debug for AuthenticationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthenticationRequest")
            .field("strategy", &self.strategy)
            .field("fields", &redact::JsonMap(&self.fields))
            .field("payload", &self.payload)
            .finish()
    }
}

impl fmt::Debug for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Params")
            .field("provider", &self.provider)
            .field("query", &redact::JsonMap(&self.query))
            .field("route", &redact::JsonMap(&self.route))
            .field("headers", &redact::Headers(&self.headers))
            .field("authentication", &self.authentication)
            .field("authenticated", &self.authenticated)
            .field("user", &self.user)
            .field("fields", &redact::JsonMap(&self.fields))
            .field("extensions", &self.extensions)
            .finish()
    }
}

/// The address of the peer an external call came from, in
/// `params.extensions` when the REST transport serves the app itself
/// (`App::serve`, `App::listen`, with the `rest` feature).
/// Behind a proxy it is the proxy's address.
///
/// ```
/// use auth_core::params::{Params, PeerAddr};
///
/// let mut params = Params::new();
/// params.extensions.insert(PeerAddr("127.0.0.1:4000".parse().unwrap()));
/// let peer = params.extensions.get::<PeerAddr>().map(|peer| peer.0.ip());
/// assert_eq!(peer.map(|ip| ip.to_string()).as_deref(), Some("127.0.0.1"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PeerAddr(pub std::net::SocketAddr);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_payload_sent_by_a_caller_stays_a_plain_field() {
        let request: AuthenticationRequest = serde_json::from_value(
            json!({ "strategy": "jwt", "accessToken": "t", "payload": { "sub": "1" } }),
        )
        .expect("a request");
        assert!(request.payload.is_none());
        assert_eq!(request.fields["payload"], json!({ "sub": "1" }));
    }

    #[test]
    fn a_verified_payload_serializes_after_the_fields() {
        let mut request = AuthenticationRequest::new("jwt").with("accessToken", "t");
        request.payload =
            Some(TokenPayload::from_json(r#"{"sub":"1"}"#.to_owned()).expect("an object"));
        assert_eq!(
            serde_json::to_string(&request).expect("written"),
            r#"{"strategy":"jwt","accessToken":"t","payload":{"sub":"1"}}"#
        );
        assert!(format!("{request:?}").contains("payload"));
    }
}
