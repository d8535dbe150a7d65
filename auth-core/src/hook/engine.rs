//! The hook engine: one level of hooks run in FeathersJS v5's order.
//!
//! Both kinds of chain run on this module's pieces. The order of before,
//! after and error hooks around a level's inner step is written once, in
//! the macro `__feathers_order!`; around hooks wrap it through an
//! [`AroundList`]. Hooks registered at run time form a [`Level`] whose
//! lists are slices of boxed hooks, run by [`Level::run`] with that macro.
//! The chain `#[hooks(..)]` writes at compile time invokes the same macro
//! with its hooks as straight-line awaits (and its around hooks as nested
//! pairs `(a1, (a2, ()))`), so every hook is a static call, nothing is
//! allocated per hook, and the chain is one flat state machine. In
//! Feathers' terms:
//!
//! ```text
//! around (all, then the method's) →
//!   error.all catches {
//!     before.all
//!     error.<method> catches {
//!       before.<method>
//!       <inner: the next level, or the method>
//!       after (all, then the method's)
//!     }
//!   }
//! ```
//!
//! The app's level wraps the service's compiled level, which wraps the
//! service's run-time level, which wraps the method. The method is skipped
//! when a before hook has set a result. An error skips what is left of the
//! before and after hooks and runs the error hooks around it, innermost
//! first, as Feathers' `fromErrorHook` does: the error is stored in
//! `ctx.error` and any result dropped; every error hook runs (a failing one
//! stops the rest and its error goes on); a result set by any of them ends
//! the error path, otherwise the (possibly replaced) error goes on.

use std::future::Future;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::hook::HookKind;
use crate::hook::context::AnyContext;
use crate::hook::traits::{AroundHook, BoxFuture, Continue, DynAroundHook, DynHook, Next};

/// A step of a chain that runs on a context: the method, a level of hooks,
/// or the rest of a chain an around hook continues with.
pub trait Stage<C: AnyContext + ?Sized>: Send + Sync {
    /// Runs the step.
    fn run<'a>(&'a self, ctx: &'a mut C) -> impl Future<Output = Result<()>> + Send + 'a;
}

impl<C: AnyContext + ?Sized, S: Stage<C>> Stage<C> for &S {
    fn run<'a>(&'a self, ctx: &'a mut C) -> impl Future<Output = Result<()>> + Send + 'a {
        (**self).run(ctx)
    }
}

/// Any stage is what an around hook's [`Next`] continues with; boxing its
/// future there is the one allocation an around hook costs.
impl<C: AnyContext + ?Sized, S: Stage<C>> Continue<C> for S {
    fn call<'b>(&'b self, ctx: &'b mut C) -> BoxFuture<'b, Result<()>> {
        Box::pin(self.run(ctx))
    }
}

/// Before, after or error hooks, run in order; the first error stops them.
///
/// Implemented by slices of run-time hooks, and by [`Then`].
pub trait HookList<C: AnyContext + ?Sized>: Send + Sync {
    /// True when the list holds no hook.
    fn is_empty(&self) -> bool;
    /// Runs the hooks in order.
    fn run<'a>(&'a self, ctx: &'a mut C) -> impl Future<Output = Result<()>> + Send + 'a;
}

impl<C: AnyContext + ?Sized> HookList<C> for &[Arc<dyn DynHook<C>>] {
    fn is_empty(&self) -> bool {
        <[_]>::is_empty(self)
    }
    async fn run(&self, ctx: &mut C) -> Result<()> {
        for hook in self.iter() {
            hook.run_boxed(ctx).await?;
        }
        Ok(())
    }
}

/// Two lists as one: the first's hooks, then the second's (a run-time
/// level's `all` hooks, then the method's).
pub struct Then<A, B>(pub A, pub B);

impl<C: AnyContext + ?Sized, A: HookList<C>, B: HookList<C>> HookList<C> for Then<A, B> {
    fn is_empty(&self) -> bool {
        self.0.is_empty() && self.1.is_empty()
    }
    async fn run(&self, ctx: &mut C) -> Result<()> {
        self.0.run(ctx).await?;
        self.1.run(ctx).await
    }
}

/// Around hooks: each wraps the rest of the list and then `inner`, which
/// it reaches through its [`Next`].
pub trait AroundList<C: AnyContext + ?Sized>: Send + Sync {
    /// Runs the first hook with the rest as its `next`, or `inner` when
    /// the list is empty.
    fn run<'a, I: Stage<C>>(
        &'a self,
        ctx: &'a mut C,
        inner: &'a I,
    ) -> impl Future<Output = Result<()>> + Send + 'a;
    /// True when the list holds no hook.
    fn is_empty(&self) -> bool;
}

/// The rest of an around list and what it wraps, as one stage.
struct Rest<'a, L, I> {
    list: &'a L,
    inner: &'a I,
}

impl<C, L, I> Stage<C> for Rest<'_, L, I>
where
    C: AnyContext + ?Sized,
    L: AroundList<C>,
    I: Stage<C>,
{
    fn run<'a>(&'a self, ctx: &'a mut C) -> impl Future<Output = Result<()>> + Send + 'a {
        self.list.run(ctx, self.inner)
    }
}

impl<C: AnyContext + ?Sized> AroundList<C> for () {
    fn run<'a, I: Stage<C>>(
        &'a self,
        ctx: &'a mut C,
        inner: &'a I,
    ) -> impl Future<Output = Result<()>> + Send + 'a {
        inner.run(ctx)
    }
    fn is_empty(&self) -> bool {
        true
    }
}

impl<C, H, Tail> AroundList<C> for (H, Tail)
where
    C: AnyContext + ?Sized,
    H: AroundHook<C>,
    Tail: AroundList<C>,
{
    async fn run<I: Stage<C>>(&self, ctx: &mut C, inner: &I) -> Result<()> {
        let rest = Rest {
            list: &self.1,
            inner,
        };
        ctx.set_kind(HookKind::Around);
        self.0.run(ctx, Next::new(&rest)).await
    }
    fn is_empty(&self) -> bool {
        false
    }
}

impl<C: AnyContext + ?Sized> AroundList<C> for &[Arc<dyn DynAroundHook<C>>] {
    fn run<'a, I: Stage<C>>(
        &'a self,
        ctx: &'a mut C,
        inner: &'a I,
    ) -> impl Future<Output = Result<()>> + Send + 'a {
        // Boxed: the rest of a slice is a slice again, and the boxed
        // future is what keeps that recursion finitely sized.
        let future: BoxFuture<'a, Result<()>> = match self.split_first() {
            None => Box::pin(inner.run(ctx)),
            Some((hook, tail)) => Box::pin(async move {
                let rest = Rest { list: &tail, inner };
                ctx.set_kind(HookKind::Around);
                hook.run_boxed(ctx, Next::new(&rest)).await
            }),
        };
        future
    }
    fn is_empty(&self) -> bool {
        <[_]>::is_empty(self)
    }
}

impl<C: AnyContext + ?Sized, A: AroundList<C>, B: AroundList<C>> AroundList<C> for Then<A, B> {
    async fn run<I: Stage<C>>(&self, ctx: &mut C, inner: &I) -> Result<()> {
        let rest = Rest {
            list: &self.1,
            inner,
        };
        self.0.run(ctx, &rest).await
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty() && self.1.is_empty()
    }
}

/// Feathers' order for the before, after and error hooks of one level
/// around its inner step, written once. Each step is a block of type
/// `Result<()>` (it may `.await`); an error block is `none` or `when
/// <condition> => <block>`. [`Regular`] runs a [`Level`]'s lists with it,
/// and the chains `#[hooks(..)]` writes give it their hooks as straight-line
/// awaits, so a compiled chain is one flat state machine: a call that does
/// not fail builds no future for the error path, and no list nests one
/// future per hook. Not an API: the expansion of `#[hooks]` names it.
#[doc(hidden)]
#[macro_export]
macro_rules! __feathers_order {
    (
        ctx: $ctx:ident,
        before_all: $before_all:block,
        before_method: $before_method:block,
        inner: $inner:block,
        after: $after:block,
        error_method: $($error_method:tt)+
    ) => {
        $crate::__feathers_order!(@split $ctx, $before_all, $before_method, $inner, $after,
            [] $($error_method)+)
    };
    // `error_method: .., error_all: ..`: split the two error steps apart.
    (@split $ctx:ident, $ba:block, $bm:block, $inner:block, $after:block,
        [$($em:tt)*] , error_all: $($ea:tt)+) => {
        $crate::__feathers_order!(@run $ctx, $ba, $bm, $inner, $after, [$($em)*], [$($ea)+])
    };
    (@split $ctx:ident, $ba:block, $bm:block, $inner:block, $after:block,
        [$($em:tt)*] $next:tt $($rest:tt)*) => {
        $crate::__feathers_order!(@split $ctx, $ba, $bm, $inner, $after, [$($em)* $next] $($rest)*)
    };
    (@run $ctx:ident, $before_all:block, $before_method:block, $inner:block, $after:block,
        [$($error_method:tt)+], [$($error_all:tt)+]) => {{
        let __outcome: $crate::Result<()> = 'all: {
            $crate::AnyContext::set_kind(&mut *$ctx, $crate::HookKind::Before);
            if let ::std::result::Result::Err(error) = $before_all {
                break 'all ::std::result::Result::Err(error);
            }
            let __outcome: $crate::Result<()> = 'method: {
                $crate::AnyContext::set_kind(&mut *$ctx, $crate::HookKind::Before);
                if let ::std::result::Result::Err(error) = $before_method {
                    break 'method ::std::result::Result::Err(error);
                }
                $crate::AnyContext::set_kind(&mut *$ctx, $crate::HookKind::Around);
                if let ::std::result::Result::Err(error) = $inner {
                    break 'method ::std::result::Result::Err(error);
                }
                $crate::AnyContext::set_kind(&mut *$ctx, $crate::HookKind::After);
                $after
            };
            $crate::__feathers_order!(@catch $ctx, __outcome, $($error_method)+)
        };
        let __outcome =
            $crate::__feathers_order!(@catch $ctx, __outcome, $($error_all)+);
        $crate::AnyContext::set_kind(&mut *$ctx, $crate::HookKind::Around);
        __outcome
    }};
    (@catch $ctx:ident, $outcome:ident, none) => {
        $outcome
    };
    (@catch $ctx:ident, $outcome:ident, when $has_hooks:expr => $errors:block) => {
        match $outcome {
            ::std::result::Result::Err(error) if $has_hooks => {
                $crate::hook::engine::begin_error(&mut *$ctx, error);
                match $errors {
                    ::std::result::Result::Ok(()) => $crate::hook::engine::end_error(&mut *$ctx),
                    ::std::result::Result::Err(error) => ::std::result::Result::Err(error),
                }
            }
            other => other,
        }
    };
}

/// One level of hooks (the app's, a service's compiled chain, or a
/// service's run-time hooks) for one method.
///
/// `around` and `after` hold the `all` hooks followed by the method's;
/// `before` and `error` keep them apart, since Feathers catches errors
/// between `before.all` and `before.<method>`.
pub struct Level<A, BeforeAll, BeforeMethod, After, ErrorAll, ErrorMethod> {
    /// Around hooks: `all`, then the method's.
    pub around: A,
    /// Before hooks for every method.
    pub before_all: BeforeAll,
    /// Before hooks for this method.
    pub before_method: BeforeMethod,
    /// After hooks: `all`, then the method's.
    pub after: After,
    /// Error hooks for every method (they run last).
    pub error_all: ErrorAll,
    /// Error hooks for this method (they run first).
    pub error_method: ErrorMethod,
}

impl<A, BeforeAll, BeforeMethod, After, ErrorAll, ErrorMethod>
    Level<A, BeforeAll, BeforeMethod, After, ErrorAll, ErrorMethod>
{
    /// Runs the level around `inner`, in Feathers' order.
    // Not an `async fn`: the future's `Send` must be stated for the
    // run-time lists of boxed hooks, whose `dyn` lifetimes an inferred
    // `Send` can not see through.
    #[allow(clippy::manual_async_fn)]
    pub fn run<'a, C, I>(
        self,
        ctx: &'a mut C,
        inner: I,
    ) -> impl Future<Output = Result<()>> + Send + 'a
    where
        C: AnyContext + ?Sized,
        I: Stage<C> + 'a,
        A: AroundList<C> + 'a,
        BeforeAll: HookList<C> + 'a,
        BeforeMethod: HookList<C> + 'a,
        After: HookList<C> + 'a,
        ErrorAll: HookList<C> + 'a,
        ErrorMethod: HookList<C> + 'a,
    {
        async move {
            if self.around.is_empty() {
                // Most levels have no around hook: the regular hooks run
                // in this future, not in one more behind a `Next`.
                Regular {
                    level: &self,
                    inner: &inner,
                }
                .run(ctx)
                .await
            } else {
                let regular = Regular {
                    level: &self,
                    inner: &inner,
                };
                self.around.run(ctx, &regular).await
            }
        }
    }
}

/// The before, after and error hooks of a level around `inner`.
struct Regular<'a, L, I> {
    level: &'a L,
    inner: &'a I,
}

impl<C, I, A, BeforeAll, BeforeMethod, After, ErrorAll, ErrorMethod> Stage<C>
    for Regular<'_, Level<A, BeforeAll, BeforeMethod, After, ErrorAll, ErrorMethod>, I>
where
    C: AnyContext + ?Sized,
    I: Stage<C>,
    A: Send + Sync,
    BeforeAll: HookList<C>,
    BeforeMethod: HookList<C>,
    After: HookList<C>,
    ErrorAll: HookList<C>,
    ErrorMethod: HookList<C>,
{
    fn run<'a>(&'a self, ctx: &'a mut C) -> impl Future<Output = Result<()>> + Send + 'a {
        let (level, inner) = (self.level, self.inner);
        async move {
            crate::__feathers_order! {
                ctx: ctx,
                before_all: { level.before_all.run(ctx).await },
                before_method: { level.before_method.run(ctx).await },
                inner: { inner.run(ctx).await },
                after: { level.after.run(ctx).await },
                error_method: when !level.error_method.is_empty() => {
                    level.error_method.run(ctx).await
                },
                error_all: when !level.error_all.is_empty() => { level.error_all.run(ctx).await }
            }
        }
    }
}

/// Starts the error path: records `error`, drops any result, marks the
/// context as running error hooks.
#[doc(hidden)]
pub fn begin_error<C: AnyContext + ?Sized>(ctx: &mut C, error: Error) {
    *ctx.error_mut() = Some(error);
    ctx.clear_result();
    ctx.set_kind(HookKind::Error);
}

/// Ends the error path after the error hooks ran: a result set by a hook
/// ends it successfully; otherwise the (possibly replaced) error goes on.
#[doc(hidden)]
pub fn end_error<C: AnyContext + ?Sized>(ctx: &mut C) -> Result<()> {
    if ctx.has_result() {
        return Ok(());
    }
    match ctx.error() {
        Some(error) => Err(error.clone()),
        None => Ok(()),
    }
}
