//! Hooks: code that runs around, before, after and on errors of every
//! service call, in FeathersJS v5's order.
//!
//! * [`HookContext`] is one call as a service's hooks see it; [`AppContext`]
//!   is the same call seen by app-level hooks, which serve every service.
//! * [`Hook`] (before, after, error) and [`AroundHook`] are implemented by
//!   plain `async fn`s, and by hook values such as `authenticate(["jwt"])`.
//! * [`Hooks`] registers hooks at run time: [`AppHooks`] for the app,
//!   [`ServiceHooks`] for one service. `#[hooks(..)]` writes a service's
//!   chain at compile time instead.
//!
//! The order, for a `get` with hooks of every kind on the app and the
//! service: app around (pre), app before, service around (pre), service
//! before (`all` first, then `get`), the method, service after (`all`
//! first), service around (post), app after, app around (post). Errors run
//! the service's error hooks (`get` first, then `all`), then the app's.

pub(crate) mod chain;
mod compiled;
mod context;
pub mod engine;
mod hooks;
mod requirement;
mod traits;
mod without_fields;

#[doc(hidden)]
pub use compiled::{StageFn, around_hook, before_hook, hook, stage_fn};
pub(crate) use context::payload_from_json;
pub use context::{AnyContext, AppContext, HookContext, Output, Payload};
pub use hooks::{AppHooks, Hooks, ServiceHooks};
pub use requirement::Requirement;
#[doc(hidden)]
pub use requirement::add_unique;
#[doc(hidden)]
pub use traits::Continue;
pub use traits::{
    AroundFn, AroundHook, BeforeHook, BoxFuture, FnAroundHook, FnHook, Hook, HookFn,
    IntoAroundHook, IntoBeforeHook, IntoHook, IsHook, IsHookFn, Next,
};

/// The kind of hook running on a context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HookKind {
    /// An around hook, or no hook (the method itself).
    Around,
    /// A before hook.
    Before,
    /// An after hook.
    After,
    /// An error hook.
    Error,
}

impl HookKind {
    /// The kind's name as Feathers spells `context.type`.
    pub fn as_str(self) -> &'static str {
        match self {
            HookKind::Around => "around",
            HookKind::Before => "before",
            HookKind::After => "after",
            HookKind::Error => "error",
        }
    }
}

impl std::fmt::Display for HookKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
