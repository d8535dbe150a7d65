//! What the chains `#[hooks(..)]` writes call: conversions that pin each
//! entry's type to the service's context (so a wrong entry is a type error
//! on that entry), and the continuation around hooks receive.

use crate::error::Result;
use crate::hook::HookKind;
use crate::hook::context::HookContext;
use crate::hook::traits::{BoxFuture, Continue, IntoAroundHook, IntoBeforeHook, IntoHook};
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

/// Marks the kind of hook about to run.
pub fn set_kind<S: Service>(ctx: &mut HookContext<S>, kind: HookKind) {
    ctx.kind = kind;
}

/// The rest of a compile-time chain, as the [`Next`](crate::hook::Next) of
/// an around hook: a function of the service and the context.
pub struct ContinueWith<'s, S, F> {
    service: &'s S,
    rest: F,
}

/// Wraps the rest of a compile-time chain for an around hook.
pub fn continue_with<S, F>(service: &S, rest: F) -> ContinueWith<'_, S, F>
where
    S: Service,
    F: for<'b> Fn(&'b S, &'b mut HookContext<S>) -> BoxFuture<'b, Result<()>> + Send + Sync,
{
    ContinueWith { service, rest }
}

impl<S, F> Continue<HookContext<S>> for ContinueWith<'_, S, F>
where
    S: Service,
    F: for<'b> Fn(&'b S, &'b mut HookContext<S>) -> BoxFuture<'b, Result<()>> + Send + Sync,
{
    fn call<'b>(&'b self, ctx: &'b mut HookContext<S>) -> BoxFuture<'b, Result<()>> {
        (self.rest)(self.service, ctx)
    }
}
