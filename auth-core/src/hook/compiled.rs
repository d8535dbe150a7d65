//! What the chains `#[hooks(..)]` writes call: conversions that pin each
//! entry's type to the service's context, so that a wrong entry is a type
//! error on that entry, and the stage its around hooks continue with. The
//! order itself is the engine's (`crate::hook::engine`).

use crate::error::Result;
use crate::hook::context::HookContext;
use crate::hook::engine::Stage;
use crate::hook::traits::{BoxFuture, IntoAroundHook, IntoBeforeHook, IntoHook};
use crate::service::Service;

/// An entry of `before(..)` as a before hook over `C`.
pub fn before_hook<C: ?Sized, M, H: IntoBeforeHook<C, M>>(hook: H) -> H::Hook {
    hook.into_before_hook()
}

/// An entry of `after(..)` or `error(..)` as a hook over `C`.
pub fn hook<C: ?Sized, M, H: IntoHook<C, M>>(hook: H) -> H::Hook {
    hook.into_hook()
}

/// An entry of `around(..)` as an around hook over `C`.
pub fn around_hook<C: ?Sized, M, H: IntoAroundHook<C, M>>(hook: H) -> H::Hook {
    hook.into_around_hook()
}

/// The rest of a compiled chain as the stage its around hooks continue
/// with: a function of the service and the context returning the rest's
/// boxed future.
pub struct StageFn<'s, S, F> {
    service: &'s S,
    rest: F,
}

/// Wraps the rest of a compiled chain for its around hooks; the signature
/// pins the closure's type so that it is inferred. The service is an
/// argument of the closure rather than a capture, so the boxed future may
/// borrow it for as long as the context.
pub fn stage_fn<S, F>(service: &S, rest: F) -> StageFn<'_, S, F>
where
    S: Service,
    F: for<'b> Fn(&'b S, &'b mut HookContext<S>) -> BoxFuture<'b, Result<()>> + Send + Sync,
{
    StageFn { service, rest }
}

impl<S, F> Stage<HookContext<S>> for StageFn<'_, S, F>
where
    S: Service,
    F: for<'b> Fn(&'b S, &'b mut HookContext<S>) -> BoxFuture<'b, Result<()>> + Send + Sync,
{
    fn run<'a>(
        &'a self,
        ctx: &'a mut HookContext<S>,
    ) -> impl std::future::Future<Output = Result<()>> + Send + 'a {
        (self.rest)(self.service, ctx)
    }
}
