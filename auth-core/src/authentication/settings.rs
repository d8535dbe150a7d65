//! The authentication configuration, with FeathersJS's defaults.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::authentication::entity_cache::EntityCacheOptions;
use crate::error::{Error, Result};
use crate::redact;

/// How the `jwt` and `local` strategies make an external caller's
/// `params.user` from the entity service.
///
/// Both look the entity up by id with an internal `get` through the
/// entity service and its hooks, which gives the record as stored (an
/// internal caller's `params.user`) and, after `protect`, what callers
/// may see of it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityView {
    /// The default: that one lookup. An external caller's `params.user` is
    /// the internal `get`'s outgoing view (`protect` applied); hooks of the
    /// entity service that act only on external calls do not shape it.
    /// One lookup per authenticated call.
    #[default]
    Internal,
    /// As Feathers' `JWTStrategy.getEntity`: for an external caller, a
    /// second `get` with the caller's params (and the entity as
    /// `params.user`), so that every hook of the entity service sees the
    /// caller. Two lookups per authenticated external call.
    Caller,
}

/// The authentication configuration, with FeathersJS's defaults.
///
/// Read from the app's `authentication` setting (`[authentication]` in
/// `config/default.toml`), keys in snake case:
///
/// ```toml
/// [authentication]
/// secret = "a long random string"      # required
/// entity = "user"                      # the key of the entity in results and params
/// service = "users"                    # the entity service
/// entity_id = "id"                     # the entity's id field
/// auth_strategies = ["jwt", "local"]   # strategies `POST /authentication` accepts
/// entity_view = "internal"             # or "caller": see `EntityView`
///
/// [authentication.entity_cache]        # off unless set: see `EntityCacheOptions`
/// capacity = 10000
/// ttl = 1
///
/// [authentication.jwt_options]         # Feathers' defaults
/// header = { typ = "access" }
/// algorithm = "HS256"
/// audience = "https://yourdomain.com"
/// issuer = "feathers"
/// expires_in = "1d"                    # or a number of seconds
///
/// [authentication.local]               # each strategy's own section
/// username_field = "email"
/// ```
///
/// Its `Debug` hides the secret, and credentials in the strategies'
/// sections by the rule [`Params`](crate::Params) states.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthConfig {
    /// The secret JWTs are signed with. Required: start-up fails without it.
    pub secret: Option<String>,
    /// The key of the authenticated entity in results and params (`"user"`);
    /// `None` authenticates tokens without looking an entity up.
    pub entity: Option<String>,
    /// The path of the entity service (`"users"`).
    pub service: String,
    /// The entity's id field (`"id"`).
    pub entity_id: String,
    /// The strategies `create` (`POST /authentication`) accepts.
    pub auth_strategies: Vec<String>,
    /// How access tokens are made.
    pub jwt_options: JwtOptions,
    /// The entity's field holding its token epoch (`None`: tokens are
    /// never revoked, as in Feathers). When set, each new token carries
    /// the entity's epoch (claim `epoch`), a token is valid only while the
    /// entity's epoch is still the one it carries, and a logout writes a
    /// fresh epoch: the entity's tokens issued before are revoked, on every
    /// instance that shares its records (with an [`entity_cache`](AuthConfig::entity_cache),
    /// on another instance as its event arrives, else within the cache's
    /// time to live). Write a fresh epoch
    /// ([`new_token_epoch`](crate::authentication::new_token_epoch)) with
    /// a change of password to revoke them then too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_epoch_field: Option<String>,
    /// What an external caller's `params.user` is made from
    /// (`entity_view = "internal"` by default, or `"caller"`): see
    /// [`EntityView`].
    pub entity_view: EntityView,
    /// The cache of looked-up entities (`None`, the default: every
    /// authenticated call looks its entity up): see
    /// [`EntityCacheOptions`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_cache: Option<EntityCacheOptions>,
    /// Every other key: the strategies' own sections (`local`, `jwt`, ...).
    #[serde(flatten)]
    pub strategies: Map<String, Value>,
}

impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field("secret", &self.secret.as_ref().map(|_| redact::REDACTED))
            .field("entity", &self.entity)
            .field("service", &self.service)
            .field("entity_id", &self.entity_id)
            .field("auth_strategies", &self.auth_strategies)
            .field("jwt_options", &self.jwt_options)
            .field("token_epoch_field", &self.token_epoch_field)
            .field("entity_view", &self.entity_view)
            .field("entity_cache", &self.entity_cache)
            .field("strategies", &redact::JsonSections(&self.strategies))
            .finish()
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            secret: None,
            entity: Some("user".to_owned()),
            service: "users".to_owned(),
            entity_id: "id".to_owned(),
            auth_strategies: Vec::new(),
            jwt_options: JwtOptions::default(),
            token_epoch_field: None,
            entity_view: EntityView::Internal,
            entity_cache: None,
            strategies: Map::new(),
        }
    }
}

impl AuthConfig {
    /// A configuration with this secret and every other value defaulted.
    #[must_use]
    pub fn new(secret: impl Into<String>) -> AuthConfig {
        AuthConfig {
            secret: Some(secret.into()),
            ..AuthConfig::default()
        }
    }

    /// The configuration in the app setting `authentication` (a JSON object).
    pub fn from_value(value: Value) -> Result<AuthConfig> {
        AuthConfig::deserialize(value).map_err(|error| {
            Error::general(format!("Invalid configuration authentication: {error}"))
        })
    }

    /// With these strategies allowed for `create`.
    #[must_use]
    pub fn auth_strategies<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> AuthConfig {
        self.auth_strategies = names.into_iter().map(str::to_owned).collect();
        self
    }

    /// With the entity's tokens revocable through its field `field`
    /// ([`AuthConfig::token_epoch_field`]).
    #[must_use]
    pub fn token_epoch_field(mut self, field: impl Into<String>) -> AuthConfig {
        self.token_epoch_field = Some(field.into());
        self
    }

    /// With external callers' `params.user` made as `view` says.
    #[must_use]
    pub fn entity_view(mut self, view: EntityView) -> AuthConfig {
        self.entity_view = view;
        self
    }

    /// With looked-up entities cached as `options` say (see
    /// [`EntityCacheOptions`] for what that changes).
    #[must_use]
    pub fn entity_cache(mut self, options: EntityCacheOptions) -> AuthConfig {
        self.entity_cache = Some(options);
        self
    }

    /// With this strategy section (`local`, `jwt`, ...).
    #[must_use]
    pub fn strategy_section(mut self, name: &str, section: Value) -> AuthConfig {
        self.strategies.insert(name.to_owned(), section);
        self
    }
}

/// How access tokens are made and checked; Feathers' defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JwtOptions {
    /// The JWT header's fields besides `alg` (`{"typ": "access"}`).
    pub header: JwtHeader,
    /// The one algorithm tokens are signed and accepted with (`HS256`;
    /// `HS384` and `HS512` also work with a secret).
    pub algorithm: String,
    /// The `aud` claim (`https://yourdomain.com`).
    pub audience: String,
    /// The `iss` claim (`feathers`).
    pub issuer: String,
    /// The token lifetime: seconds, or `"1d"`, `"12h"`, `"30m"`, `"45s"`.
    pub expires_in: ExpiresIn,
}

impl Default for JwtOptions {
    fn default() -> Self {
        JwtOptions {
            header: JwtHeader::default(),
            algorithm: "HS256".to_owned(),
            audience: "https://yourdomain.com".to_owned(),
            issuer: "feathers".to_owned(),
            expires_in: ExpiresIn::Text("1d".to_owned()),
        }
    }
}

/// The JWT header's configurable fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JwtHeader {
    /// `typ` (`"access"`).
    pub typ: String,
}

impl Default for JwtHeader {
    fn default() -> Self {
        JwtHeader {
            typ: "access".to_owned(),
        }
    }
}

/// A token lifetime, as Feathers writes it: seconds or a duration text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ExpiresIn {
    /// Seconds.
    Seconds(u64),
    /// `"1d"`, `"12h"`, `"30m"`, `"45s"` (also `w` and `y`, as Feathers'
    /// `ms` reads them), or a number in a string.
    Text(String),
}

impl ExpiresIn {
    /// The lifetime in seconds; an error names the value that does not parse.
    pub fn seconds(&self) -> Result<u64> {
        let text = match self {
            ExpiresIn::Seconds(seconds) => return Ok(*seconds),
            ExpiresIn::Text(text) => text.trim(),
        };
        let invalid = || {
            Error::general(format!(
                "Invalid configuration authentication.jwt_options.expires_in: `{text}` (use seconds or a number with y, w, d, h, m or s)"
            ))
        };
        let split = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let number: u64 = number.parse().map_err(|_| invalid())?;
        let scale = match unit.trim() {
            "" | "s" => 1,
            "m" => 60,
            "h" => 3_600,
            "d" => 86_400,
            "w" => 604_800,
            "y" => 31_557_600,
            _ => return Err(invalid()),
        };
        number.checked_mul(scale).ok_or_else(invalid)
    }
}
