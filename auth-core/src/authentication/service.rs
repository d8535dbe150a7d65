//! The authentication service (`POST /authentication` logs in,
//! `DELETE /authentication` logs out) and the plugin that sets it up.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Map, Value, json};

use crate::app::{App, Configure, JsonCall};
use crate::authentication::STRATEGY;
use crate::authentication::entity::StrategyContext;
use crate::authentication::entity_cache::EntityCache;
use crate::authentication::settings::AuthConfig;
use crate::authentication::strategy::{AuthResult, DynStrategy};
use crate::authentication::token::{EPOCH_CLAIM, TokenOptions, Tokens, new_token_epoch};
use crate::error::{Error, Result};
use crate::hook::{HookContext, Output};
use crate::params::{AuthenticationRequest, Params};
use crate::service::{Id, Method, Service};

/// The app setting that names the path of the app's authentication service.
pub const DEFAULT_AUTHENTICATION: &str = "default_authentication";

/// The authentication service, registered by [`Authentication`].
///
/// * `create` authenticates with one of `auth_strategies` and answers
///   `{accessToken, authentication: {strategy, payload}, user}`, issuing a
///   JWT unless the strategy returned one (`jwt` re-authentication).
/// * `remove` (logout) re-authenticates the caller's token and returns the
///   result; an id that is not the caller's token is `Invalid access token`.
///   With [`AuthConfig::token_epoch_field`] set, it then writes a fresh
///   epoch to the user: every token the user had is revoked (all their
///   sessions end), on every instance sharing the user records.
pub struct AuthenticationService {
    path: String,
    config: Arc<AuthConfig>,
    tokens: Arc<Tokens>,
    context: StrategyContext,
    strategies: Vec<Box<dyn DynStrategy>>,
    /// One more than the app's settings version at which the
    /// `defaultAuthentication` setting was last seen to name this service
    /// (0: not yet), so that every call need not read the setting again.
    named_at: AtomicU64,
}

impl std::fmt::Debug for AuthenticationService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthenticationService")
            .field("strategies", &self.strategy_names())
            .field("tokens", &self.tokens)
            .finish_non_exhaustive()
    }
}

impl AuthenticationService {
    /// The path the service is registered at.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The configuration in force.
    pub fn config(&self) -> &AuthConfig {
        &self.config
    }

    /// The names of the registered strategies.
    pub fn strategy_names(&self) -> Vec<&'static str> {
        self.strategies
            .iter()
            .map(|strategy| strategy.name())
            .collect()
    }

    /// The registered strategy called `name`.
    pub fn strategy(&self, name: &str) -> Option<&dyn DynStrategy> {
        self.strategies
            .iter()
            .find(|strategy| strategy.name() == name)
            .map(|strategy| &**strategy)
    }

    /// The strategies that can read credentials from a request (`jwt`).
    pub fn strategies(&self) -> impl Iterator<Item = &dyn DynStrategy> {
        self.strategies.iter().map(|strategy| &**strategy)
    }

    /// Authenticates with the strategy `authentication` names, if `allowed`
    /// lists it; the strategy sees the params with `authenticated: true`.
    pub async fn authenticate(
        &self,
        authentication: &AuthenticationRequest,
        params: &Params,
        allowed: &[&str],
    ) -> Result<AuthResult> {
        let name = authentication.strategy.as_str();
        let invalid = |detail: &str| {
            Error::not_authenticated(format!("Invalid authentication information{detail}"))
        };
        if name.is_empty() {
            return Err(invalid(" (no `strategy` set)"));
        }
        if !allowed.contains(&name) {
            return Err(invalid(" (strategy not allowed in authStrategies)"));
        }
        let strategy = self.strategy(name).ok_or_else(|| invalid(""))?;
        if params.authenticated {
            return strategy.authenticate(authentication, params).await;
        }
        let mut params = params.clone();
        params.authenticated = true;
        strategy.authenticate(authentication, &params).await
    }

    /// A new access token with `payload` and `options`.
    pub fn create_access_token(
        &self,
        payload: Map<String, Value>,
        options: &TokenOptions,
    ) -> Result<String> {
        self.tokens.create(payload, options)
    }

    /// The payload of a valid access token; `NotAuthenticated` otherwise.
    pub fn verify_access_token(&self, token: &str) -> Result<Map<String, Value>> {
        self.tokens.verify(token)
    }

    fn allowed(&self) -> Vec<&str> {
        self.config
            .auth_strategies
            .iter()
            .map(String::as_str)
            .collect()
    }

    /// The `sub` of a new token: the authenticated entity's id.
    fn subject(&self, result: &AuthResult) -> Result<Option<String>> {
        let Some(entity_key) = &self.config.entity else {
            return Ok(None);
        };
        let Some(entity) = result.get(entity_key) else {
            return Ok(None);
        };
        match entity.get(&self.config.entity_id).and_then(Id::from_json) {
            Some(id) => Ok(Some(id.to_string())),
            None => Err(Error::not_authenticated(format!(
                "Can not set subject from {entity_key}.{}",
                self.config.entity_id
            ))),
        }
    }

    /// Per-call token options, as Feathers' `params.jwtOptions` merged
    /// with `params.jwt`.
    fn token_options(&self, result: &AuthResult, params: &Params) -> Result<TokenOptions> {
        let mut overrides = Map::new();
        for key in ["jwtOptions", "jwt"] {
            if let Some(Value::Object(options)) = params.field(key) {
                overrides.extend(options.clone());
            }
        }
        let subject = match overrides.get("subject").and_then(Value::as_str) {
            Some(subject) => Some(subject.to_owned()),
            None => self.subject(result)?,
        };
        let expires_in = match overrides.get("expiresIn") {
            Some(value) => Some(
                serde_json::from_value::<crate::authentication::settings::ExpiresIn>(value.clone())
                    .map_err(|error| {
                        Error::bad_request(format!("Invalid jwtOptions.expiresIn: {error}"))
                    })?
                    .seconds()?,
            ),
            None => None,
        };
        Ok(TokenOptions {
            subject,
            expires_in,
        })
    }
}

impl Service for AuthenticationService {
    type Item = AuthResult;
    type Data = AuthenticationRequest;
    type Patch = Value;

    async fn create(&self, data: AuthenticationRequest, params: &Params) -> Result<AuthResult> {
        let allowed = self.allowed();
        if allowed.is_empty() {
            return Err(Error::not_authenticated(
                "No authentication strategies allowed for creating a JWT (`authStrategies`)",
            ));
        }
        let result = self.authenticate(&data, params, &allowed).await?;
        if result.get("accessToken").is_some() {
            return Ok(result);
        }
        let payload = match params.field("payload") {
            Some(Value::Object(payload)) => payload.clone(),
            _ => Map::new(),
        };
        let options = self.token_options(&result, params)?;
        let mut payload = payload;
        if let Some(epoch) = self.current_epoch(&result).await? {
            payload.insert(EPOCH_CLAIM.to_owned(), epoch);
        }
        let token = self.tokens.create(payload, &options)?;
        let claims = self.tokens.verify(&token)?;
        let mut answer = Map::new();
        answer.insert("accessToken".into(), token.into());
        for (key, value) in result.into_json()? {
            answer.insert(key, value);
        }
        let mut authentication = match answer.remove("authentication") {
            Some(Value::Object(authentication)) => authentication,
            _ => Map::new(),
        };
        authentication.insert("payload".into(), Value::Object(claims));
        // Keep Feathers' key order: accessToken, authentication, then the rest.
        let mut ordered = Map::new();
        ordered.insert(
            "accessToken".into(),
            answer.remove("accessToken").unwrap_or_default(),
        );
        ordered.insert("authentication".into(), Value::Object(authentication));
        ordered.extend(answer);
        Ok(AuthResult::from(ordered))
    }

    async fn remove(&self, id: &Id, params: &Params) -> Result<AuthResult> {
        self.logout(Some(id), params).await
    }

    async fn remove_many(&self, params: &Params) -> Result<Vec<AuthResult>> {
        self.logout(None, params).await.map(|result| vec![result])
    }

    async fn __run_hooks(&self, ctx: &mut HookContext<Self>) -> Result<()> {
        crate::hook::chain::run_service_hooks(self, ctx).await?;
        // `DELETE /authentication` logs out one session: one result, as in
        // Feathers, not a list.
        if ctx.method == Method::Remove && ctx.id.is_none() {
            if let Some(Output::Many(results)) = &mut ctx.result {
                ctx.result = results.pop().map(Output::One);
            }
        }
        crate::authentication::connection::after_call(self, ctx);
        Ok(())
    }
}

impl AuthenticationService {
    async fn logout(&self, id: Option<&Id>, params: &Params) -> Result<AuthResult> {
        // No credentials is Feathers' "no `strategy` set".
        let authentication = params
            .authentication
            .clone()
            .unwrap_or_else(|| AuthenticationRequest::new(""));
        if let Some(id) = id {
            if authentication.get_str("accessToken") != Some(id.key().as_ref()) {
                return Err(Error::not_authenticated("Invalid access token"));
            }
        }
        let result = self
            .authenticate(&authentication, params, &self.allowed())
            .await?;
        self.revoke_tokens_of(&result).await?;
        Ok(result)
    }

    /// The id of the entity an authentication result names, when tokens
    /// are revocable; the epoch field with it.
    fn revocable(&self, result: &AuthResult) -> Option<(Id, &str)> {
        let field = self.config.token_epoch_field.as_deref()?;
        let entity = result.get(self.config.entity.as_deref()?)?;
        Some((self.context.entity_id(entity)?, field))
    }

    /// The epoch of the entity a login authenticated, read afresh (the
    /// result's entity is the caller's view, where `protect` may have
    /// removed it).
    async fn current_epoch(&self, result: &AuthResult) -> Result<Option<Value>> {
        let Some((id, field)) = self.revocable(result) else {
            return Ok(None);
        };
        // Never from the entity cache: a new token carries the epoch
        // stored now.
        let entity = self.context.get_entity_fresh(id, &Params::new()).await?;
        Ok(entity
            .field(field)
            .filter(|epoch| !epoch.is_null())
            .cloned())
    }

    /// Revokes every token issued to the entity of `result` so far.
    async fn revoke_tokens_of(&self, result: &AuthResult) -> Result<()> {
        let Some((id, field)) = self.revocable(result) else {
            return Ok(());
        };
        self.revoke_tokens(id, field).await
    }

    /// Writes a fresh epoch to the entity `id`'s `field`, with an internal
    /// `patch` of the entity service.
    async fn revoke_tokens(&self, id: Id, field: &str) -> Result<()> {
        let app = self.context.app()?;
        let service = app.json_service(&self.config.service).map_err(|_| {
            Error::general(format!("Can not find service '{}'", self.config.service))
        })?;
        let mut patch = Map::new();
        patch.insert(field.to_owned(), Value::from(new_token_epoch()?));
        service
            .call(
                JsonCall::new(Method::Patch, Params::new())
                    .id(id)
                    .data(Value::Object(patch)),
            )
            .await
            .map(drop)
    }
}

/// The authentication plugin: `App::new().configure(Authentication::new(config).strategy(Jwt::default()))`.
///
/// It reads the strategies' sections, sets them up, registers the service
/// (at `authentication` unless [`Authentication::path`] says otherwise) and
/// adds a start-up check that every strategy a hook names is registered.
/// A missing secret, or a strategy section that does not read, fails
/// [`App::setup`] with an error naming it.
pub struct Authentication {
    config: Option<AuthConfig>,
    path: String,
    strategies: Vec<Box<dyn DynStrategy>>,
}

impl std::fmt::Debug for Authentication {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self
            .strategies
            .iter()
            .map(|strategy| strategy.name())
            .collect();
        f.debug_struct("Authentication")
            .field("path", &self.path)
            .field("strategies", &names)
            .finish_non_exhaustive()
    }
}

impl Authentication {
    /// The plugin with this configuration.
    #[must_use]
    pub fn new(config: AuthConfig) -> Authentication {
        Authentication {
            config: Some(config),
            path: "authentication".to_owned(),
            strategies: Vec::new(),
        }
    }

    /// The plugin reading the app's `authentication` setting (from
    /// `config/default.toml` or `app.set`) when it is configured.
    #[must_use]
    pub fn from_settings() -> Authentication {
        Authentication {
            config: None,
            path: "authentication".to_owned(),
            strategies: Vec::new(),
        }
    }

    /// Registers the service at `path` instead of `authentication`.
    #[must_use]
    pub fn path(mut self, path: &str) -> Authentication {
        self.path = path.trim_matches('/').to_owned();
        self
    }

    /// Adds a strategy.
    #[must_use]
    pub fn strategy(mut self, strategy: impl DynStrategy) -> Authentication {
        self.strategies.push(Box::new(strategy));
        self
    }
}

impl Configure for Authentication {
    fn configure(self, app: &App) -> Result<()> {
        let config = match self.config {
            Some(config) => config,
            None => {
                AuthConfig::from_value(app.get::<Value>("authentication").ok_or_else(|| {
                    Error::general("Missing configuration: the `authentication` setting is not set")
                })?)?
            }
        };
        let secret = config.secret.clone().ok_or_else(|| {
            Error::general("A 'secret' must be provided in your authentication configuration (authentication.secret)")
        })?;
        let tokens = Arc::new(Tokens::new(&secret, &config.jwt_options)?);
        let config = Arc::new(config);
        let entity_cache = match &config.entity_cache {
            Some(options) => {
                let cache = Arc::new(EntityCache::new(options)?);
                app.add_entity_cache(config.service.as_str().into(), cache.clone());
                Some(cache)
            }
            None => None,
        };
        let context = StrategyContext {
            app: app.downgrade(),
            path: self.path.as_str().into(),
            config: config.clone(),
            tokens: tokens.clone(),
            entity_cache,
        };
        let mut strategies = self.strategies;
        for strategy in &mut strategies {
            let name = strategy.name();
            let section = config.strategies.get(name).cloned().unwrap_or(Value::Null);
            strategy
                .configure(&section)
                .and_then(|()| strategy.setup(&context))
                .map_err(|error| {
                    Error::new(
                        error.kind(),
                        format!("Strategy '{name}': {}", error.message()),
                    )
                })?;
        }
        for name in &config.auth_strategies {
            if !strategies.iter().any(|strategy| strategy.name() == name) {
                return Err(Error::general(format!(
                    "authentication.auth_strategies lists '{name}', but no such strategy is registered"
                )));
            }
        }
        if config.entity.is_some() {
            // Checked at start-up, when every service is registered.
            let entity_service = config.service.clone();
            app.add_setup_check(move |app| {
                if entity_service.is_empty() {
                    return Err(Error::general(
                        "The 'service' option is not set in the authentication configuration",
                    ));
                }
                app.json_service(&entity_service)
                    .map(drop)
                    .map_err(|_| Error::general(format!("Can not find service '{entity_service}'")))
            });
        }
        let registered: Vec<&'static str> =
            strategies.iter().map(|strategy| strategy.name()).collect();
        let service = AuthenticationService {
            path: self.path.clone(),
            config,
            tokens,
            context,
            strategies,
            named_at: AtomicU64::new(0),
        };
        app.add_service(&self.path, service)?;
        app.set(DEFAULT_AUTHENTICATION, json!(self.path));
        app.set_authentication_slot(Arc::new(app.service::<AuthenticationService>(&self.path)));
        let path = self.path;
        app.add_setup_check(move |app| {
            let mut missing: Vec<String> = Vec::new();
            for (place, requirement) in app.requirements() {
                let name = requirement.name();
                let text = format!("'{name}' (named by the hooks of '{place}')");
                if requirement.kind() == STRATEGY
                    && !registered.contains(&name)
                    && !missing.contains(&text)
                {
                    missing.push(text);
                }
            }
            if missing.is_empty() {
                return Ok(());
            }
            Err(Error::general(format!(
                "The authentication service at '{path}' does not register the strategies {}; it registers: {}",
                missing.join(", "),
                registered.join(", ")
            )))
        });
        Ok(())
    }
}

/// The credentials the first of the app's strategies finds in a request's
/// head (`Authorization: Bearer <jwt>`), for transports: a REST request,
/// a socket's handshake. `None` without an authentication service.
#[cfg(feature = "rest")]
pub(crate) async fn parse_credentials(
    app: &App,
    parts: &http::request::Parts,
) -> Result<Option<AuthenticationRequest>> {
    let Ok(service) = default_authentication(app) else {
        return Ok(None);
    };
    for strategy in service.strategies() {
        if let Some(authentication) = strategy.parse(parts).await? {
            return Ok(Some(authentication));
        }
    }
    Ok(None)
}

/// The app's authentication service, for hooks and transports: the one
/// the authentication plugin registered (named by the
/// `default_authentication` setting).
pub fn default_authentication(app: &App) -> Result<&AuthenticationService> {
    let service = app
        .authentication_slot()
        .and_then(|slot| slot.downcast_ref::<crate::app::ServiceHandle<AuthenticationService>>())
        .and_then(|handle| handle.inner().ok());
    // The setting still decides: pointing it elsewhere retires this one.
    // It is read again only once the settings have changed.
    let named = |service: &&AuthenticationService| {
        let version = app.settings_version().wrapping_add(1);
        if service.named_at.load(Ordering::Acquire) == version {
            return true;
        }
        let named = app.with_setting(DEFAULT_AUTHENTICATION, |path| {
            path.and_then(Value::as_str) == Some(service.path())
        });
        if named {
            service.named_at.store(version, Ordering::Release);
        }
        named
    };
    service
        .filter(named)
        .ok_or_else(|| Error::not_authenticated("Could not find a valid authentication service"))
}
