//! What the chains `#[hooks(..)]` writes call: conversions that pin each
//! entry's type to the service's context, so that a wrong entry is a type
//! error on that entry. The chain itself is a [`Level`](crate::hook::engine::Level).

use crate::hook::traits::{IntoAroundHook, IntoBeforeHook, IntoHook};

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
