//! One registered service: the service, its path and run-time hooks, and
//! the call path every typed or JSON call goes through.

use std::any::Any;
use std::sync::{Arc, RwLock};

use crate::app::App;
use crate::app::json::{JsonCall, Reply};
use crate::error::{Error, Result};
use crate::events::EventKind;
use crate::hook::chain::{ServiceStage, run_level};
use crate::hook::{
    AppContext, BoxFuture, HookContext, Output, Payload, Requirement, ServiceHooks, add_unique,
};
use crate::params::Params;
use crate::query::{UNQUERYABLE, refuse_named_fields};
use crate::service::{Id, Method, Service};
use crate::sync::read;
use serde_json::Value;

/// A service registered on an app at a path.
pub(crate) struct Registered<S: Service> {
    pub(crate) service: S,
    pub(crate) path: Arc<str>,
    hooks: RwLock<Option<Arc<ServiceHooks<S>>>>,
    /// The fields the service's hooks (`protect(..)`) declare no external
    /// query may name; kept up to date as hooks are added.
    unqueryable: RwLock<Arc<[&'static str]>>,
}

impl<S: Service> Registered<S> {
    pub(crate) fn new(service: S, path: Arc<str>) -> Registered<S> {
        Registered {
            service,
            path,
            hooks: RwLock::new(None),
            unqueryable: RwLock::new(unqueryable_fields(&S::__requirements())),
        }
    }

    /// Appends run-time hooks after those already registered.
    pub(crate) fn add_hooks(&self, hooks: ServiceHooks<S>) {
        hooks.append_to(&self.hooks);
        *crate::sync::write(&self.unqueryable) = unqueryable_fields(&self.requirements());
    }

    /// The context of a new call. Boxed: it is the call's one allocation,
    /// and only a pointer to it travels through the chain's futures.
    pub(crate) fn context(
        &self,
        app: App,
        method: Method,
        id: Option<Id>,
        data: Option<Payload<S::Data, S::Patch>>,
        params: Params,
    ) -> Box<HookContext<S>> {
        // Built in its box: `HookContext` is some 800 bytes.
        let mut ctx = crate::in_place::boxed_in_place!(HookContext::new(
            app,
            self.path.clone(),
            method,
            params
        ));
        ctx.id = id;
        ctx.data = data;
        ctx.service_hooks = read(&self.hooks).clone();
        ctx
    }

    /// Runs a call through the app's hooks, the service's hooks and the
    /// method, publishes its events, and returns the finished context.
    pub(crate) async fn run(&self, mut ctx: Box<HookContext<S>>) -> Result<Box<HookContext<S>>> {
        // An app whose building failed, or that changed since its last
        // setup, is checked first (one atomic load otherwise).
        ctx.app.check_ready()?;
        if ctx.params.provider.is_some() {
            // Before any hook, as a malformed body is: a filter on a
            // protected field would answer whether it matches.
            // Read in place: no guard lives past this block, and nothing
            // is cloned on the path of every external call.
            for unqueryable in [&self.unqueryable, ctx.app.unqueryable()] {
                let fields = read(unqueryable);
                if !fields.is_empty() {
                    refuse_named_fields(&ctx.params.query, &fields)?;
                }
            }
        }
        let app_hooks = ctx.app.app_hooks();
        let ran = match app_hooks {
            None => self.service.__run_hooks(&mut ctx).await,
            Some(hooks) => {
                let method = ctx.method.clone();
                let stage = ServiceStage {
                    service: &self.service,
                };
                run_level::<AppContext, _>(&hooks, &method, &mut *ctx, &stage).await
            }
        };
        // Whatever came of it (a call that failed may have written), a
        // call that can change records drops the entities cached from
        // this service before it returns.
        if !matches!(ctx.method, Method::Find | Method::Get | Method::Create) {
            ctx.app.records_changed(&self.path);
        }
        ran?;
        let events = ctx.app.events();
        if EventKind::for_method(&ctx.method).is_some() && events.has_subscribers() {
            // Events carry a record as callers receive it: `dispatch`
            // when a hook set one (`protect`), else the result.
            if let Some(dispatch) = &ctx.dispatch {
                events.publish(
                    &ctx.path,
                    &ctx.method,
                    ctx.id.as_ref(),
                    &ctx.params,
                    dispatched_records(dispatch),
                );
            } else if let Some(result) = &ctx.result {
                events.publish(
                    &ctx.path,
                    &ctx.method,
                    ctx.id.as_ref(),
                    &ctx.params,
                    result.records(),
                );
            }
        }
        Ok(ctx)
    }
}

/// The names of the fields `requirements` declares unqueryable.
pub(crate) fn unqueryable_fields(requirements: &[Requirement]) -> Arc<[&'static str]> {
    requirements
        .iter()
        .filter(|requirement| requirement.kind() == UNQUERYABLE)
        .map(Requirement::name)
        .collect()
}

/// The records of a `dispatch`: a list's items, else the one record (a
/// mutating call never answers a page).
fn dispatched_records(dispatch: &Value) -> &[Value] {
    match dispatch {
        Value::Array(records) => records,
        record => std::slice::from_ref(record),
    }
}

/// The result of a finished call, or an error when no hook or method set one.
pub(crate) fn take_result<S: Service>(ctx: &mut HookContext<S>) -> Result<Output<S::Item>> {
    ctx.result.take().ok_or_else(|| {
        Error::general(format!(
            "The `{}` call on `{}` ended without a result",
            ctx.method, ctx.path
        ))
    })
}

/// An authentication strategy's lookup of its entity by id: a `get`
/// through the entity service's hooks with `params` (internal ones, or
/// the caller's), for a caller that is `external` or not.
#[cfg(feature = "auth")]
pub(crate) struct EntityLookup<'a> {
    pub(crate) id: Id,
    pub(crate) params: Params,
    pub(crate) external: bool,
    /// A top-level field of the record as stored, read for a check.
    pub(crate) field: Option<&'a str>,
}

/// What an [`EntityLookup`] finds: the entity, and the stored value of
/// the field it asked for (`None` when absent or not asked).
#[cfg(feature = "auth")]
pub(crate) type FoundEntity = (crate::params::Entity, Option<Value>);

/// A registered service with its types erased, as the app stores it.
pub(crate) trait ErasedService: Send + Sync + 'static {
    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync>;
    fn call_json(&self, app: App, call: JsonCall) -> BoxFuture<'_, Result<Reply>>;
    #[cfg(feature = "auth")]
    fn lookup_entity<'a>(
        &'a self,
        app: App,
        lookup: EntityLookup<'a>,
    ) -> BoxFuture<'a, Result<FoundEntity>>;
    fn custom_methods(&self) -> &'static [&'static str];
    fn path(&self) -> Arc<str>;
    fn requirements(&self) -> Vec<Requirement>;
}

impl<S: Service> ErasedService for Registered<S> {
    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync> {
        self
    }

    fn call_json(&self, app: App, call: JsonCall) -> BoxFuture<'_, Result<Reply>> {
        // The context is built (and boxed) before the future, so the boxed
        // future holds a pointer to it rather than the whole call.
        let data = call
            .data
            .map(|value| crate::hook::payload_from_json::<S>(&call.method, value))
            .transpose();
        let data = match data {
            Ok(data) => data,
            Err(error) => return Box::pin(std::future::ready(Err(error))),
        };
        let ctx = self.context(app, call.method, call.id, data, call.params);
        // Built in its box: the future is as large as the whole chain's.
        crate::in_place::pinned_in_place!(async move {
            let mut ctx = self.run(ctx).await?;
            let output = take_result(&mut ctx)?;
            // `dispatch` is what goes out to external callers; an internal
            // caller gets the result itself, as in Feathers.
            let dispatch = match ctx.params.provider {
                Some(_) => ctx.dispatch.take(),
                None => None,
            };
            Ok(Reply::new(output, dispatch, ctx.status))
        })
    }

    #[cfg(feature = "auth")]
    fn lookup_entity<'a>(
        &'a self,
        app: App,
        lookup: EntityLookup<'a>,
    ) -> BoxFuture<'a, Result<FoundEntity>> {
        use crate::params::Entity;
        use serde::Deserialize;
        let ctx = self.context(app, Method::Get, Some(lookup.id), None, lookup.params);
        crate::in_place::pinned_in_place!(async move {
            let mut ctx = self.run(ctx).await?;
            let record = match take_result(&mut ctx)? {
                Output::One(record) => record,
                _ => {
                    return Err(Error::general(format!(
                        "The entity service `{}` answered a `get` with more than one record",
                        ctx.path
                    )));
                }
            };
            let field = lookup
                .field
                .and_then(|field| crate::field_of::field_of(&record, field));
            match ctx.dispatch.take() {
                // What the service shows an external caller: its dispatch,
                // and the typed record without what `protect` removed
                // when the type lets it go (else the record as stored,
                // which server code alone reads).
                Some(view) if lookup.external => {
                    let record = S::Item::deserialize(&view).unwrap_or(record);
                    Ok((Entity::with_view(record, view), field))
                }
                _ => Ok((Entity::new(record), field)),
            }
        })
    }

    fn custom_methods(&self) -> &'static [&'static str] {
        S::CUSTOM_METHODS
    }

    fn path(&self) -> Arc<str> {
        self.path.clone()
    }

    fn requirements(&self) -> Vec<Requirement> {
        let mut requirements = S::__requirements();
        if let Some(hooks) = read(&self.hooks).as_deref() {
            add_unique(&mut requirements, hooks.requirements());
        }
        requirements
    }
}
