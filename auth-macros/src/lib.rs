//! Procedural macros for `auth-core`.
//!
//! This crate is re-exported by `auth-core` (feature `macros`, on by
//! default); depend on `auth-core` rather than on this crate directly.
//!
//! * [`macro@hooks`]: a service's hook chain, written at compile time.
//!
//! # What `#[hooks(..)]` generates
//!
//! For
//!
//! ```text
//! #[hooks(before(all = [allow_anonymous], create = [validate_text]), error(all = [log_error]))]
//! impl Service for Messages { .. }
//! ```
//!
//! the impl block gets one more method, `__run_hooks`, which the framework
//! calls for every call of the service (inside the app's hooks). Slightly
//! tidied (`__private` stands for `::auth_core::__private`), it reads:
//!
//! ```text
//! fn __run_hooks(&self, __ctx: &mut HookContext<Self>) -> impl Future<Output = Result<()>> + Send {
//!     async move {
//!         let __svc = self;
//!         let __chain: usize = match &__ctx.method {
//!             Method::Create => 0,
//!             _ => usize::MAX,
//!         };
//!         match __chain {
//!             0 => {
//!                 let __outcome: Result<()> = match async {
//!                     set_kind(__ctx, HookKind::Before);
//!                     BeforeHook::run_before(&before_hook::<HookContext<Self>, _, _>(allow_anonymous), __ctx).await?;
//!                     {
//!                         set_kind(__ctx, HookKind::Before);
//!                         BeforeHook::run_before(&before_hook::<HookContext<Self>, _, _>(validate_text), __ctx).await?;
//!                         set_kind(__ctx, HookKind::Around);
//!                         run_service_hooks(__svc, __ctx).await?;   // run-time hooks, then the method
//!                         Ok::<(), Error>(())
//!                     }
//!                 }.await {
//!                     Ok(()) => Ok::<(), Error>(()),
//!                     Err(__error) => {
//!                         begin_error(__ctx, __error);
//!                         match async {
//!                             Hook::run(&hook::<HookContext<Self>, _, _>(log_error), __ctx).await?;
//!                             Ok::<(), Error>(())
//!                         }.await {
//!                             Ok(()) => end_error(__ctx),
//!                             Err(__error) => Err(__error),
//!                         }
//!                     }
//!                 };
//!                 set_kind(__ctx, HookKind::Around);
//!                 __outcome
//!             }
//!             _ => { /* the same without `validate_text` */ }
//!         }
//!     }
//! }
//! ```
//!
//! Each `before_hook::<HookContext<Self>, _, _>(entry)` is spanned on the
//! entry: an entry that is not a hook for this service is a type error
//! there. `authenticate("jwt", "anonymous")` is expanded as
//! `authenticate(["jwt", "anonymous"])`, calling whichever `authenticate`
//! is in scope.

mod ctxt;
mod hooks;
mod suggest;

use proc_macro::TokenStream;

/// Writes a service's hook chain at compile time, in FeathersJS v5's order.
///
/// Put it on the `impl Service for YourService` block:
///
/// ```text
/// #[hooks(
///     around(all = [timed]),
///     before(all = [allow_anonymous, authenticate("jwt", "anonymous")], create = [validate_text]),
///     after(all = [log_call]),
///     error(all = [log_error]),
/// )]
/// impl Service for Messages { /* plain async fns */ }
/// ```
///
/// * Kinds: `around`, `before`, `after`, `error`, each at most once.
/// * Keys: `all`, `find`, `get`, `create`, `update`, `patch`, `remove`, and
///   the custom methods listed in the impl's `CUSTOM_METHODS`.
/// * Values: a list `[..]` (or a single entry) of paths to async hook
///   functions (generic or concrete) or expressions producing hook values.
///   `authenticate(..)` and `protect(..)` take one or more distinct string
///   literals.
///
/// See the [crate docs](crate) for what the expansion looks like.
#[proc_macro_attribute]
pub fn hooks(args: TokenStream, item: TokenStream) -> TokenStream {
    hooks::expand_hooks(args.into(), item.into()).into()
}
