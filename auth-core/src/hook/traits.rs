//! What a hook is: `Hook` (before, after and error hooks) and `AroundHook`
//! (hooks that wrap the rest of the chain through [`Next`]).
//!
//! A hook is usually an `async fn`: every registration point takes either
//! a hook value or an async function of the right shape ([`IntoHook`],
//! [`IntoAroundHook`]), so hook functions need no wrapper:
//!
//! ```
//! use auth_core::prelude::*;
//! # struct Messages;
//! # impl Service for Messages {
//! #     type Item = serde_json::Value; type Data = serde_json::Value; type Patch = serde_json::Value;
//! # }
//!
//! // A before/after/error hook for any service.
//! async fn require_query<S: Service>(ctx: &mut HookContext<S>) -> Result<()> {
//!     if ctx.params.query.is_empty() {
//!         return Err(Error::bad_request("A query is required"));
//!     }
//!     Ok(())
//! }
//!
//! // An around hook: code before `next.run`, then the rest of the chain, then code after.
//! async fn timed<S: Service>(ctx: &mut HookContext<S>, next: Next<'_, HookContext<S>>) -> Result<()> {
//!     let start = std::time::Instant::now();
//!     let result = next.run(ctx).await;
//!     tracing::debug!(elapsed = ?start.elapsed(), "call");
//!     result
//! }
//!
//! let hooks = ServiceHooks::<Messages>::new()
//!     .before_all(require_query)
//!     .around_all(timed);
//! ```
//!
//! Hook values that carry configuration (`authenticate(["jwt"])`) implement
//! the traits themselves.

use std::future::Future;
use std::pin::Pin;

use crate::error::Result;
use crate::hook::requirement::Requirement;

/// A boxed, sendable future: the erased form run-time registered hooks use.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A before, after or error hook over contexts of type `C`.
///
/// `C` is `HookContext<S>` for a service's hooks and [`AppContext`] for
/// app-level hooks. Returning an error stops the chain and starts the error
/// path.
///
/// [`AppContext`]: crate::hook::AppContext
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a hook over `{C}`",
    note = "implement `Hook<{C}>` for it, or use an `async fn(&mut {C}) -> Result<()>`"
)]
pub trait Hook<C: ?Sized>: Send + Sync + 'static {
    /// Runs the hook on the context.
    fn run<'a>(&'a self, ctx: &'a mut C) -> impl Future<Output = Result<()>> + Send + 'a;

    /// What the hook needs of the app, checked at start-up (see
    /// [`Requirement`]). None by default.
    fn requirements(&self) -> Vec<Requirement> {
        Vec::new()
    }
}

/// The shape of an async hook function, for any one lifetime of its context.
///
/// Implemented for every `async fn(&mut C) -> Result<()>`; [`FnHook`]
/// makes such a function a [`Hook`].
pub trait HookFn<'a, C: ?Sized + 'a>: Send + Sync + 'static {
    /// The function's future.
    type Future: Future<Output = Result<()>> + Send + 'a;
    /// Calls the function.
    fn call(&self, ctx: &'a mut C) -> Self::Future;
}

impl<'a, C, F, Fut> HookFn<'a, C> for F
where
    C: ?Sized + 'a,
    F: Fn(&'a mut C) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<()>> + Send + 'a,
{
    type Future = Fut;
    fn call(&self, ctx: &'a mut C) -> Fut {
        self(ctx)
    }
}

/// An async hook function as a [`Hook`] value.
#[derive(Clone, Copy)]
pub struct FnHook<F>(pub F);

impl<C, F> Hook<C> for FnHook<F>
where
    C: ?Sized,
    F: for<'a> HookFn<'a, C>,
{
    fn run<'a>(&'a self, ctx: &'a mut C) -> impl Future<Output = Result<()>> + Send + 'a {
        HookFn::call(&self.0, ctx)
    }
}

/// A hook that may run only before the method, such as `authenticate(..)`.
///
/// Every [`Hook`] is one; a type that implements only `BeforeHook` is
/// refused, at compile time, as an after or error hook.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a before hook over `{C}`",
    note = "a before hook is an `async fn(&mut {C}) -> Result<()>` or a value implementing `Hook<{C}>` or `BeforeHook<{C}>`"
)]
pub trait BeforeHook<C: ?Sized>: Send + Sync + 'static {
    /// Runs the hook on the context, before the method.
    fn run_before<'a>(&'a self, ctx: &'a mut C) -> impl Future<Output = Result<()>> + Send + 'a;

    /// What the hook needs of the app, checked at start-up (see
    /// [`Requirement`]): `authenticate(["jwt"])` needs a `jwt` strategy.
    fn requirements(&self) -> Vec<Requirement> {
        Vec::new()
    }
}

impl<C: ?Sized, H: Hook<C>> BeforeHook<C> for H {
    fn run_before<'a>(&'a self, ctx: &'a mut C) -> impl Future<Output = Result<()>> + Send + 'a {
        self.run(ctx)
    }

    fn requirements(&self) -> Vec<Requirement> {
        Hook::requirements(self)
    }
}

/// Marks the [`IntoHook`] impl for values that already are hooks.
pub enum IsHook {}
/// Marks the [`IntoHook`] impl for async hook functions.
pub enum IsHookFn {}

/// Anything that can be registered as a before, after or error hook: a
/// [`Hook`] value, or an `async fn(&mut C) -> Result<()>`.
///
/// `M` only tells the two impls apart; it is always inferred.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a hook that can run here (over `{C}`)",
    label = "not a hook for this place",
    note = "after and error hooks are `async fn(&mut {C}) -> Result<()>` or values implementing `Hook<{C}>`",
    note = "hooks such as `authenticate(..)` implement only `BeforeHook` and run only before the method",
    note = "a hook's future must be `Send` (a call may move between threads): a hook function may not hold an `Rc`, a `RefCell` borrow or a `std::sync::MutexGuard` across an `.await`"
)]
pub trait IntoHook<C: ?Sized, M>: Sized {
    /// The hook this becomes.
    type Hook: Hook<C>;
    /// Converts into the hook.
    fn into_hook(self) -> Self::Hook;
}

impl<C: ?Sized, H: Hook<C>> IntoHook<C, IsHook> for H {
    type Hook = H;
    fn into_hook(self) -> H {
        self
    }
}

impl<C: ?Sized, F> IntoHook<C, IsHookFn> for F
where
    F: for<'a> HookFn<'a, C>,
{
    type Hook = FnHook<F>;
    fn into_hook(self) -> FnHook<F> {
        FnHook(self)
    }
}

/// Anything that can be registered as a before hook: a [`BeforeHook`] (so
/// every [`Hook`]) value, or an `async fn(&mut C) -> Result<()>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a before hook over `{C}`",
    label = "not a before hook for this service",
    note = "before hooks are `async fn(&mut {C}) -> Result<()>` or values implementing `Hook<{C}>` or `BeforeHook<{C}>`",
    note = "a hook's future must be `Send` (a call may move between threads): a hook function may not hold an `Rc`, a `RefCell` borrow or a `std::sync::MutexGuard` across an `.await`"
)]
pub trait IntoBeforeHook<C: ?Sized, M>: Sized {
    /// The hook this becomes.
    type Hook: BeforeHook<C>;
    /// Converts into the hook.
    fn into_before_hook(self) -> Self::Hook;
}

impl<C: ?Sized, H: BeforeHook<C>> IntoBeforeHook<C, IsHook> for H {
    type Hook = H;
    fn into_before_hook(self) -> H {
        self
    }
}

impl<C: ?Sized, F> IntoBeforeHook<C, IsHookFn> for F
where
    F: for<'a> HookFn<'a, C>,
{
    type Hook = FnHook<F>;
    fn into_before_hook(self) -> FnHook<F> {
        FnHook(self)
    }
}

/// The rest of the chain, handed to an around hook.
///
/// Call [`Next::run`] exactly once to run the inner hooks and the method;
/// not calling it skips them (the hook must then set a result).
pub struct Next<'a, C: ?Sized> {
    rest: &'a (dyn Continue<C> + 'a),
}

impl<'a, C: ?Sized> Next<'a, C> {
    /// Wraps the rest of a chain. Chains build this; hooks only run it.
    #[doc(hidden)]
    pub fn new(rest: &'a (dyn Continue<C> + 'a)) -> Next<'a, C> {
        Next { rest }
    }

    /// Runs the rest of the chain on `ctx`.
    pub async fn run(self, ctx: &mut C) -> Result<()> {
        self.rest.call(ctx).await
    }
}

/// The rest of a chain, as an object an around hook can call.
#[doc(hidden)]
pub trait Continue<C: ?Sized>: Send + Sync {
    fn call<'b>(&'b self, ctx: &'b mut C) -> BoxFuture<'b, Result<()>>;
}

/// An around hook over contexts of type `C`: it runs code before and after
/// the rest of the chain, which it calls through [`Next`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an around hook over `{C}`",
    note = "implement `AroundHook<{C}>` for it, or use an `async fn(&mut {C}, Next<'_, {C}>) -> Result<()>`"
)]
pub trait AroundHook<C: ?Sized>: Send + Sync + 'static {
    /// Runs the hook; `next.run(ctx)` runs the rest of the chain.
    fn run<'a>(
        &'a self,
        ctx: &'a mut C,
        next: Next<'a, C>,
    ) -> impl Future<Output = Result<()>> + Send + 'a;

    /// What the hook needs of the app, checked at start-up (see
    /// [`Requirement`]). None by default.
    fn requirements(&self) -> Vec<Requirement> {
        Vec::new()
    }
}

/// The shape of an async around hook function, for one lifetime.
pub trait AroundFn<'a, C: ?Sized + 'a>: Send + Sync + 'static {
    /// The function's future.
    type Future: Future<Output = Result<()>> + Send + 'a;
    /// Calls the function.
    fn call(&self, ctx: &'a mut C, next: Next<'a, C>) -> Self::Future;
}

impl<'a, C, F, Fut> AroundFn<'a, C> for F
where
    C: ?Sized + 'a,
    F: Fn(&'a mut C, Next<'a, C>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<()>> + Send + 'a,
{
    type Future = Fut;
    fn call(&self, ctx: &'a mut C, next: Next<'a, C>) -> Fut {
        self(ctx, next)
    }
}

/// An async around hook function as an [`AroundHook`] value.
#[derive(Clone, Copy)]
pub struct FnAroundHook<F>(pub F);

impl<C, F> AroundHook<C> for FnAroundHook<F>
where
    C: ?Sized,
    F: for<'a> AroundFn<'a, C>,
{
    fn run<'a>(
        &'a self,
        ctx: &'a mut C,
        next: Next<'a, C>,
    ) -> impl Future<Output = Result<()>> + Send + 'a {
        AroundFn::call(&self.0, ctx, next)
    }
}

/// Anything that can be registered as an around hook: an [`AroundHook`]
/// value, or an `async fn(&mut C, Next<'_, C>) -> Result<()>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an around hook over `{C}`",
    label = "not an around hook for this service",
    note = "around hooks are `async fn(&mut {C}, Next<'_, {C}>) -> Result<()>` or values implementing `AroundHook<{C}>`",
    note = "a hook's future must be `Send` (a call may move between threads): a hook function may not hold an `Rc`, a `RefCell` borrow or a `std::sync::MutexGuard` across an `.await`"
)]
pub trait IntoAroundHook<C: ?Sized, M>: Sized {
    /// The hook this becomes.
    type Hook: AroundHook<C>;
    /// Converts into the hook.
    fn into_around_hook(self) -> Self::Hook;
}

impl<C: ?Sized, H: AroundHook<C>> IntoAroundHook<C, IsHook> for H {
    type Hook = H;
    fn into_around_hook(self) -> H {
        self
    }
}

impl<C: ?Sized, F> IntoAroundHook<C, IsHookFn> for F
where
    F: for<'a> AroundFn<'a, C>,
{
    type Hook = FnAroundHook<F>;
    fn into_around_hook(self) -> FnAroundHook<F> {
        FnAroundHook(self)
    }
}

/// A [`Hook`] behind a pointer, for hooks registered at run time.
pub(crate) trait DynHook<C: ?Sized>: Send + Sync {
    fn run_boxed<'a>(&'a self, ctx: &'a mut C) -> BoxFuture<'a, Result<()>>;
    fn requirements(&self) -> Vec<Requirement>;
}

impl<C: ?Sized, H: BeforeHook<C>> DynHook<C> for H {
    fn run_boxed<'a>(&'a self, ctx: &'a mut C) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.run_before(ctx))
    }
    fn requirements(&self) -> Vec<Requirement> {
        BeforeHook::requirements(self)
    }
}

/// An [`AroundHook`] behind a pointer, for hooks registered at run time.
pub(crate) trait DynAroundHook<C: ?Sized>: Send + Sync {
    fn run_boxed<'a>(&'a self, ctx: &'a mut C, next: Next<'a, C>) -> BoxFuture<'a, Result<()>>;
    fn requirements(&self) -> Vec<Requirement>;
}

impl<C: ?Sized, H: AroundHook<C>> DynAroundHook<C> for H {
    fn run_boxed<'a>(&'a self, ctx: &'a mut C, next: Next<'a, C>) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.run(ctx, next))
    }
    fn requirements(&self) -> Vec<Requirement> {
        AroundHook::requirements(self)
    }
}
