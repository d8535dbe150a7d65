//! How a call runs through its levels of hooks: the app's run-time hooks,
//! then the service's compiled chain (`#[hooks(..)]`, or none), then the
//! service's run-time hooks, then the method. Each level runs on the one
//! engine of [`engine`](crate::hook::engine), which holds Feathers' order.

use std::future::Future;

use crate::error::{Error, Result};
use crate::hook::HookKind;
use crate::hook::context::{AnyContext, HookContext, Output, Payload};
use crate::hook::engine::{Level, Stage, Then};
use crate::hook::hooks::Hooks;
use crate::hook::traits::BoxFuture;
use crate::service::{Method, Service};

/// Runs one level of run-time `hooks` for `method` around `inner`.
///
/// Boxed: a call without run-time hooks then carries a pointer for this
/// branch in its future rather than the whole level's state, which every
/// call would otherwise copy (run-time hooks box each hook's future anyway).
pub(crate) fn run_level<'a, C, I>(
    hooks: &'a Hooks<C>,
    method: &'a Method,
    ctx: &'a mut C,
    inner: &'a I,
) -> BoxFuture<'a, Result<()>>
where
    C: AnyContext + ?Sized,
    I: Stage<C>,
{
    let level = Level {
        around: Then(&hooks.around.all[..], hooks.around.for_method(method)),
        before_all: &hooks.before.all[..],
        before_method: hooks.before.for_method(method),
        after: Then(&hooks.after.all[..], hooks.after.for_method(method)),
        error_all: &hooks.error.all[..],
        error_method: hooks.error.for_method(method),
    };
    Box::pin(level.run(ctx, inner))
}

/// The method itself, as the innermost step of a service's run-time hooks.
struct MethodStage<'s, S> {
    service: &'s S,
}

impl<S: Service> Stage<HookContext<S>> for MethodStage<'_, S> {
    fn run<'a>(
        &'a self,
        ctx: &'a mut HookContext<S>,
    ) -> impl Future<Output = Result<()>> + Send + 'a {
        call_method(self.service, ctx)
    }
}

/// The service's hooks registered at run time, then the method.
///
/// This is the default chain of every service and the innermost step of a
/// chain `#[hooks(..)]` writes.
pub async fn run_service_hooks<S: Service>(service: &S, ctx: &mut HookContext<S>) -> Result<()> {
    match ctx.service_hooks.clone() {
        Some(hooks) => {
            let method = ctx.method.clone();
            run_level(&hooks, &method, ctx, &MethodStage { service }).await
        }
        None => call_method(service, ctx).await,
    }
}

/// The service's own chain, as the innermost step of the app's hooks.
pub(crate) struct ServiceStage<'s, S> {
    pub(crate) service: &'s S,
}

impl<S: Service> Stage<dyn AnyContext> for ServiceStage<'_, S> {
    async fn run(&self, ctx: &mut dyn AnyContext) -> Result<()> {
        let ctx = ctx
            .as_any_mut()
            .downcast_mut::<HookContext<S>>()
            .ok_or_else(|| {
                Error::general("An around hook passed another call's context to `next`")
            })?;
        ctx.set_kind(HookKind::Around);
        self.service.__run_hooks(ctx).await
    }
}

/// Calls the service method the context names, unless a hook already set a
/// result, and stores what it returns in `ctx.result`.
pub async fn call_method<S: Service>(service: &S, ctx: &mut HookContext<S>) -> Result<()> {
    if ctx.result.is_some() {
        return Ok(());
    }
    let data = ctx.data.take();
    let params = &ctx.params;
    let output = match (&ctx.method, ctx.id.as_ref(), data) {
        (Method::Find, _, _) => Output::from(service.find(params).await?),
        (Method::Get, Some(id), _) => Output::One(service.get(id, params).await?),
        (Method::Create, _, Some(Payload::One(data))) => {
            Output::One(service.create(data, params).await?)
        }
        (Method::Create, _, Some(Payload::Many(data))) => {
            Output::Many(service.create_many(data, params).await?)
        }
        (Method::Update, None, _) => {
            return Err(Error::bad_request(
                "You can not replace multiple instances. Did you mean 'patch'?",
            ));
        }
        (Method::Update, Some(id), Some(Payload::One(data))) => {
            Output::One(service.update(id, data, params).await?)
        }
        (Method::Patch, Some(id), Some(Payload::Patch(data))) => {
            Output::One(service.patch(id, data, params).await?)
        }
        (Method::Patch, None, Some(Payload::Patch(data))) => {
            Output::Many(service.patch_many(data, params).await?)
        }
        (Method::Remove, Some(id), _) => Output::One(service.remove(id, params).await?),
        (Method::Remove, None, _) => Output::Many(service.remove_many(params).await?),
        (Method::Custom(name), _, data) => {
            if !S::CUSTOM_METHODS.contains(&name.as_ref()) {
                return Err(crate::service::not_allowed(name));
            }
            let data = match data {
                Some(Payload::Custom(value)) => value,
                None => serde_json::Value::Null,
                Some(_) => return Err(Error::bad_request("Invalid data for a custom method")),
            };
            Output::Custom(service.custom(name, data, params).await?)
        }
        (Method::Get, None, _) => return Err(Error::bad_request("get needs an id")),
        (method, _, _) => {
            return Err(Error::bad_request(format!(
                "Missing or invalid data for `{method}`"
            )));
        }
    };
    ctx.result = Some(output);
    Ok(())
}
