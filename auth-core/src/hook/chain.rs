//! Running a chain of hooks in FeathersJS v5's order.
//!
//! One level of hooks (the app's, or a service's) runs as Feathers composes
//! it:
//!
//! ```text
//! around.all → around.<method> →
//!   error.all catches {
//!     before.all
//!     error.<method> catches {
//!       before.<method>
//!       <inner: the next level, or the method>
//!       after.all
//!       after.<method>
//!     }
//!   }
//! ```
//!
//! The app's level wraps the service's level, which wraps the method; the
//! method is skipped when a before hook has set a result. An error skips
//! what is left of the before and after hooks and runs the error hooks
//! around it, innermost first; an error hook that sets a result ends the
//! error path. The primitives here are public (through `__private`) so the
//! chains `#[hooks(..)]` writes at compile time follow the same rules.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::hook::HookKind;
use crate::hook::context::{AnyContext, HookContext, Output, Payload};
use crate::hook::hooks::Hooks;
use crate::hook::traits::{BoxFuture, Continue, DynAroundHook, DynHook, Next};
use crate::service::{Method, Service};

/// Runs `hooks` in order as hooks of `kind`; the first error stops them.
pub(crate) async fn run_hooks<C: AnyContext + ?Sized>(
    hooks: &[Arc<dyn DynHook<C>>],
    kind: HookKind,
    ctx: &mut C,
) -> Result<()> {
    for hook in hooks {
        ctx.set_kind(kind);
        hook.run_boxed(ctx).await?;
    }
    Ok(())
}

/// Starts the error path: records `error`, drops any result, marks the
/// context as running error hooks.
pub fn begin_error<C: AnyContext + ?Sized>(ctx: &mut C, error: Error) {
    *ctx.error_mut() = Some(error);
    ctx.clear_result();
    ctx.set_kind(HookKind::Error);
}

/// Ends the error path after the error hooks ran: a result set by a hook
/// ends it successfully; otherwise the (possibly replaced) error goes on.
pub fn end_error<C: AnyContext + ?Sized>(ctx: &mut C) -> Result<()> {
    if ctx.has_result() {
        return Ok(());
    }
    match ctx.error() {
        Some(error) => Err(error.clone()),
        None => Ok(()),
    }
}

/// Runs `hooks` as error hooks for `outcome` when it is an error.
async fn handle_error<C: AnyContext + ?Sized>(
    hooks: &[Arc<dyn DynHook<C>>],
    ctx: &mut C,
    outcome: Result<()>,
) -> Result<()> {
    let Err(error) = outcome else {
        return Ok(());
    };
    if hooks.is_empty() {
        return Err(error);
    }
    begin_error(ctx, error);
    run_hooks(hooks, HookKind::Error, ctx).await?;
    end_error(ctx)
}

/// One level of run-time hooks around `inner`, from its around hooks in.
struct Level<'x, C: ?Sized> {
    hooks: &'x Hooks<C>,
    method: &'x Method,
    around_all: &'x [Arc<dyn DynAroundHook<C>>],
    around_method: &'x [Arc<dyn DynAroundHook<C>>],
    inner: &'x (dyn Continue<C> + 'x),
}

impl<C: ?Sized> Clone for Level<'_, C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C: ?Sized> Copy for Level<'_, C> {}

impl<C: AnyContext + ?Sized> Continue<C> for Level<'_, C> {
    fn call<'b>(&'b self, ctx: &'b mut C) -> BoxFuture<'b, Result<()>> {
        Box::pin(async move {
            if let Some((hook, rest)) = self.around_all.split_first() {
                let next = Level {
                    around_all: rest,
                    ..*self
                };
                ctx.set_kind(HookKind::Around);
                return hook.run_boxed(ctx, Next::new(&next)).await;
            }
            if let Some((hook, rest)) = self.around_method.split_first() {
                let next = Level {
                    around_method: rest,
                    ..*self
                };
                ctx.set_kind(HookKind::Around);
                return hook.run_boxed(ctx, Next::new(&next)).await;
            }
            self.regular(ctx).await
        })
    }
}

impl<C: AnyContext + ?Sized> Level<'_, C> {
    /// The before, after and error hooks around `inner`.
    async fn regular(&self, ctx: &mut C) -> Result<()> {
        let (hooks, method) = (self.hooks, self.method);
        let outcome = async {
            run_hooks(&hooks.before.all, HookKind::Before, ctx).await?;
            let outcome = async {
                run_hooks(hooks.before.for_method(method), HookKind::Before, ctx).await?;
                ctx.set_kind(HookKind::Around);
                self.inner.call(ctx).await?;
                run_hooks(&hooks.after.all, HookKind::After, ctx).await?;
                run_hooks(hooks.after.for_method(method), HookKind::After, ctx).await
            }
            .await;
            handle_error(hooks.error.for_method(method), ctx, outcome).await
        }
        .await;
        let outcome = handle_error(&hooks.error.all, ctx, outcome).await;
        ctx.set_kind(HookKind::Around);
        outcome
    }
}

/// Runs one level of run-time `hooks` for `method` around `inner`.
pub(crate) async fn run_level<C: AnyContext + ?Sized>(
    hooks: &Hooks<C>,
    method: &Method,
    ctx: &mut C,
    inner: &(dyn Continue<C> + '_),
) -> Result<()> {
    let level = Level {
        hooks,
        method,
        around_all: &hooks.around.all,
        around_method: hooks.around.for_method(method),
        inner,
    };
    level.call(ctx).await
}

/// The method itself, as the innermost step of a service's run-time hooks.
struct MethodStage<'s, S> {
    service: &'s S,
}

impl<S: Service> Continue<HookContext<S>> for MethodStage<'_, S> {
    fn call<'b>(&'b self, ctx: &'b mut HookContext<S>) -> BoxFuture<'b, Result<()>> {
        Box::pin(call_method(self.service, ctx))
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

impl<S: Service> Continue<dyn AnyContext> for ServiceStage<'_, S> {
    fn call<'b>(&'b self, ctx: &'b mut dyn AnyContext) -> BoxFuture<'b, Result<()>> {
        Box::pin(async move {
            let ctx = ctx
                .as_any_mut()
                .downcast_mut::<HookContext<S>>()
                .ok_or_else(|| {
                    Error::general("An around hook passed another call's context to `next`")
                })?;
            ctx.set_kind(HookKind::Around);
            self.service.__run_hooks(ctx).await
        })
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
