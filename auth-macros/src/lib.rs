//! Procedural macros for `auth-core`.
//!
//! This crate is re-exported by `auth-core` (feature `macros`, on by
//! default); depend on `auth-core` rather than on this crate directly.
//!
//! * [`macro@hooks`]: a service's hook chain, written at compile time.
//! * [`macro@Strategy`]: an authentication strategy's name and typed
//!   configuration.
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
mod strategy;
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

/// Derives `StrategySetup`: the strategy's name and its typed configuration.
///
/// ```text
/// #[derive(Strategy)]
/// #[strategy(name = "local")]                    // default: the type name in kebab case
/// struct Local {
///     #[strategy(config, default = "email".to_owned())]
///     username_field: String,                    // read from authentication.local.username_field
///     #[strategy(config, key = "pepper")]
///     secret_pepper: String,                     // required: start-up fails without it
///     hasher: Hasher,                            // not configuration
/// }
///
/// impl Strategy for Local {
///     async fn authenticate(&self, auth: &AuthenticationRequest, params: &Params) -> Result<AuthResult> { .. }
/// }
/// ```
///
/// Fields marked `config` are read once, at start-up, from the strategy's
/// section of the authentication configuration; a missing key without a
/// `default`, or a value of the wrong type, fails start-up with an error
/// naming the key (`Missing configuration authentication.local.pepper`).
///
/// A strategy with configuration fields gets `new(<its other fields, in
/// order>)` (`Local::new(hasher)`): configuration fields start at their
/// `default`, required ones at their type's `Default` (a type without one
/// is refused on the field), until start-up reads them. So the derive
/// clashes with a hand-written `new`; name yours otherwise.
#[proc_macro_derive(Strategy, attributes(strategy))]
pub fn derive_strategy(input: TokenStream) -> TokenStream {
    strategy::expand_derive(input.into()).into()
}
