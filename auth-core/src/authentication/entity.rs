//! Looking up the authenticated entity (the user) through its service,
//! with the service's hooks, as Feathers' strategies do.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::app::{App, EntityLookup, FoundEntity, JsonCall, JsonService, WeakApp};
use crate::authentication::entity_cache::EntityCache;
use crate::authentication::settings::{AuthConfig, EntityView};
use crate::authentication::token::Tokens;
use crate::error::{Error, ErrorKind, Result};
use crate::memory::Pagination;
use crate::params::{Entity, Params};
use crate::service::{Id, Method};

/// What a strategy gets at start-up: the app, the authentication
/// configuration and the token maker.
#[derive(Clone)]
pub struct StrategyContext {
    /// The app (weakly held: the app owns the strategies).
    pub app: WeakApp,
    /// The path of the authentication service.
    pub path: Arc<str>,
    /// The authentication configuration.
    pub config: Arc<AuthConfig>,
    /// Makes and checks access tokens.
    pub tokens: Arc<Tokens>,
    /// The cache of looked-up entities, when configured.
    pub(crate) entity_cache: Option<Arc<EntityCache>>,
}

impl std::fmt::Debug for StrategyContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StrategyContext")
            .field("path", &self.path)
            .field("tokens", &self.tokens)
            .finish_non_exhaustive()
    }
}

impl StrategyContext {
    /// The app, while it runs.
    pub fn app(&self) -> Result<App> {
        self.app
            .upgrade()
            .ok_or_else(|| Error::unavailable("The application has shut down"))
    }

    /// The entity's `get` by id, as an internal call through the entity
    /// service and its hooks: the service's own record, typed. For an
    /// external caller, `params.user` is what the entity service shows
    /// that caller: its JSON is the call's `dispatch` (where `protect`
    /// removed its fields), and the typed record loses those fields too
    /// when its type lets them go (as `protect` does for external calls).
    /// A missing entity is `NotAuthenticated`.
    pub async fn get_entity(&self, id: Id, params: &Params) -> Result<Entity> {
        self.lookup(id, params, None, true).await
    }

    /// [`StrategyContext::get_entity`], never from the entity cache: for
    /// what must be read as stored now (the epoch a new token carries).
    pub(crate) async fn get_entity_fresh(&self, id: Id, params: &Params) -> Result<Entity> {
        self.lookup(id, params, None, false).await
    }

    /// [`StrategyContext::get_entity`], with `check` run on the top-level
    /// `field` of the entity as the internal lookup finds it (before
    /// `protect`), as JSON (`None` when absent). Only that field is
    /// converted to JSON.
    pub async fn get_entity_checked(
        &self,
        id: Id,
        params: &Params,
        field: &str,
        check: &(dyn Fn(Option<&Value>) -> Result<()> + Send + Sync),
    ) -> Result<Entity> {
        self.lookup(id, params, Some((field, check)), true).await
    }

    /// The entity, from the entity cache when there is one and `cached`
    /// allows it, else through the entity service.
    async fn lookup(
        &self,
        id: Id,
        params: &Params,
        check: Option<(&str, &EntityCheck<'_>)>,
        cached: bool,
    ) -> Result<Entity> {
        let app = self.app()?;
        // Feathers' second `get` depends on the caller: never cached.
        let cache = self
            .entity_cache
            .as_deref()
            .filter(|_| cached && !self.asks_second_get(params));
        let Some(cache) = cache else {
            let (entity, _) = self.look_up(&app, id, params, check).await?;
            return Ok(entity);
        };
        let external = params.provider.is_some();
        let field = check.map(|(field, _)| field);
        let revision = app.revision();
        if let Some(kept) = cache.get(&id, external, field, revision) {
            let stored = kept.field.as_ref().and_then(|(_, stored)| stored.as_ref());
            // A kept record may be stale (another instance's change, not
            // yet heard of): it may let a call through, never refuse one.
            // A refusal is made on the record as stored now, below.
            if check.is_none_or(|(_, check)| check(stored).is_ok()) {
                return Ok(kept.entity);
            }
        }
        let ticket = cache.ticket();
        let (entity, stored) = self.look_up(&app, id.clone(), params, check).await?;
        let kept = field.map(|field| (Box::from(field), stored));
        cache.store(ticket, id, external, entity.clone(), kept, revision);
        Ok(entity)
    }

    /// The entity by id, through the entity service: one internal `get`,
    /// `check` run on the record as stored, then, when the configuration
    /// asks for it, Feathers' `get` with the caller's params. With the
    /// checked field's stored value.
    async fn look_up(
        &self,
        app: &App,
        id: Id,
        params: &Params,
        check: Option<(&str, &EntityCheck<'_>)>,
    ) -> Result<FoundEntity> {
        let service = self.service(app)?;
        let external = params.provider.is_some();
        // The id is kept (a copy) only for Feathers' second `get`.
        let second_id = self.asks_second_get(params).then(|| id.clone());
        // The internal lookup needs no request state: fresh params, not a
        // copy of the caller's headers and fields.
        let mut internal = Params::new();
        internal.authenticated = true;
        let lookup = EntityLookup {
            id,
            params: internal,
            external,
            field: check.map(|(field, _)| field),
        };
        let (entity, stored) = service
            .entry
            .lookup_entity(app.clone(), lookup)
            .await
            .map_err(entity_not_found)?;
        if let Some((_, check)) = check {
            check(stored.as_ref())?;
        }
        let Some(id) = second_id else {
            return Ok((entity, stored));
        };
        // Feathers' second `get`: the caller's params with the entity as
        // `params.user` and no query (`{ ...params, [entity]: result }`).
        let caller = Params {
            provider: params.provider.clone(),
            query: Map::new(),
            route: params.route.clone(),
            headers: params.headers.clone(),
            authentication: params.authentication.clone(),
            authenticated: true,
            user: Some(entity),
            fields: params.fields.clone(),
            extensions: params.extensions.clone(),
        };
        let lookup = EntityLookup {
            id,
            params: caller,
            external,
            field: None,
        };
        let (entity, _) = service
            .entry
            .lookup_entity(app.clone(), lookup)
            .await
            .map_err(entity_not_found)?;
        Ok((entity, stored))
    }

    /// Whether Feathers' second `get`, as the caller, follows the lookup
    /// (an external caller, with `EntityView::Caller`).
    fn asks_second_get(&self, params: &Params) -> bool {
        params.provider.is_some() && self.config.entity_view == EntityView::Caller
    }

    /// The first entity whose `field` equals `value`, found with an
    /// internal call, unpaginated; `None` when there is none.
    pub async fn find_entity(
        &self,
        field: &str,
        value: &str,
        params: &Params,
    ) -> Result<Option<Value>> {
        let app = self.app()?;
        let service = self.service(&app)?;
        let mut internal = params.clone();
        internal.provider = None;
        internal.authenticated = true;
        internal.query = Map::new();
        internal.query.insert(field.to_owned(), Value::from(value));
        internal.query.insert("$limit".to_owned(), Value::from(1));
        internal.extensions.insert(Pagination(None));
        let found = service
            .call(JsonCall::new(Method::Find, internal))
            .await?
            .to_json()?;
        let first = match found {
            Value::Array(list) => list.into_iter().next(),
            Value::Object(mut page) => match page.remove("data") {
                Some(Value::Array(list)) => list.into_iter().next(),
                _ => None,
            },
            _ => None,
        };
        Ok(first)
    }

    /// The entity service; a missing one is the server's error.
    fn service(&self, app: &App) -> Result<JsonService> {
        app.json_service(&self.config.service)
            .map_err(|_| Error::general(format!("Can not find service '{}'", self.config.service)))
    }

    /// The id of an entity, by the configured id field.
    pub fn entity_id(&self, entity: &Value) -> Option<Id> {
        entity.get(&self.config.entity_id).and_then(Id::from_json)
    }
}

/// A check of the entity a strategy looks up, on one field of its record
/// as stored (`None` when absent).
type EntityCheck<'a> = dyn Fn(Option<&Value>) -> Result<()> + Send + Sync + 'a;

/// An entity that no longer exists means the credentials are no good.
fn entity_not_found(error: Error) -> Error {
    match error.kind() {
        ErrorKind::NotFound => {
            Error::not_authenticated("Invalid access token: its user no longer exists")
        }
        _ => error,
    }
}
