//! Writes the service's hook chain.
//!
//! Feathers' order is the runtime's, not this crate's: each method's chain
//! invokes `::auth_core::__feathers_order!` (the engine's one definition
//! of the order, which run-time hooks use too) with the attribute's entries
//! as straight-line awaits, and wraps it in the method's around hooks
//! through the engine's `AroundList`. One `match` picks the method's chain.
//! Before, after and error hooks are then static calls in one flat state
//! machine, with no allocation; the around hooks box the rest of the chain
//! once. `__requirements` builds each entry's hook value once, at
//! start-up, to ask what it needs of the app.
//!
//! Every entry is converted through a function whose type parameter is the
//! service's context, spanned on the entry, so a wrong entry is a type error
//! pointing at it.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{ImplItem, ItemImpl};

use crate::hooks::parse::Entry;
use crate::hooks::validate::{MethodKey, Spec};

/// The impl block with the chain's items added.
pub fn expand(item: &ItemImpl, spec: &Spec) -> TokenStream {
    let mut item = item.clone();
    item.items.push(ImplItem::Verbatim(chain_items(spec)));
    quote!(#item)
}

/// The two items of `Service` that carry the chain: `__requirements` and
/// `__run_hooks`.
pub fn chain_items(spec: &Spec) -> TokenStream {
    let methods = spec.methods();
    let body =
        if methods.is_empty() {
            chain(spec, None)
        } else {
            let select = methods.iter().enumerate().map(|(index, method)| match method {
            MethodKey::Standard(_, variant) => {
                let variant = format_ident!("{}", variant);
                quote!(::auth_core::__private::Method::#variant => #index,)
            }
            MethodKey::Custom(name) => quote! {
                ::auth_core::__private::Method::Custom(__name) if &**__name == #name => #index,
            },
        });
            let arms = methods.iter().enumerate().map(|(index, method)| {
                let chain = chain(spec, Some(method));
                quote!(#index => #chain,)
            });
            let fallback = chain(spec, None);
            quote! {
                let __chain: usize = match &__ctx.method {
                    #(#select)*
                    _ => usize::MAX,
                };
                match __chain {
                    #(#arms)*
                    _ => #fallback,
                }
            }
        };
    let run_hooks = quote! {
        #[doc(hidden)]
        #[allow(clippy::all, unused_braces, unused_labels)]
        fn __run_hooks<'__hooks>(
            &'__hooks self,
            __ctx: &'__hooks mut ::auth_core::__private::HookContext<Self>,
        ) -> impl ::auth_core::__private::Future<Output = ::auth_core::__private::Result<()>>
               + ::auth_core::__private::Send + '__hooks {
            async move {
                let __svc = self;
                #body
            }
        }
    };
    // Every entry's hook value, built once at start-up to ask what it
    // needs of the app (a strategy, a protected field).
    let asks = spec.entries().map(|(kind, entry)| {
        let (convert_fn, hook_trait) = match kind {
            "around" => ("around_hook", "AroundHook"),
            "before" => ("before_hook", "BeforeHook"),
            _ => ("hook", "BeforeHook"),
        };
        let hook = convert(entry, convert_fn);
        let hook_trait = format_ident!("{}", hook_trait);
        quote! {
            ::auth_core::__private::add_requirements(
                &mut __out,
                <_ as ::auth_core::__private::#hook_trait<
                    ::auth_core::__private::HookContext<Self>,
                >>::requirements(&#hook),
            );
        }
    });
    let requirements = quote! {
        #[doc(hidden)]
        fn __requirements() -> ::auth_core::__private::Vec<::auth_core::__private::Requirement> {
            let mut __out = ::auth_core::__private::Vec::new();
            #(#asks)*
            __out
        }
    };
    quote!(#requirements #run_hooks)
}

/// The chain for `method` (`None`: a method no key names), as an
/// expression of type `Result<()>` inside the chain's `async` block.
///
/// The order is the runtime's, `::auth_core::__feathers_order!`; the
/// expansion gives it each step's hooks as straight-line awaits, so the
/// chain is one flat state machine with nothing allocated per hook. Around
/// hooks wrap that, through the engine's `AroundList`, with the rest of
/// the chain boxed once as their `Next`.
fn chain(spec: &Spec, method: Option<&MethodKey>) -> TokenStream {
    let regular = order(spec, method);
    let arounds: Vec<&&Entry> = spec
        .around
        .all
        .iter()
        .chain(spec.around.for_method(method))
        .collect();
    if arounds.is_empty() {
        return regular;
    }
    let arounds = list(arounds.into_iter(), "around_hook");
    quote! {{
        let __arounds = #arounds;
        let __rest = ::auth_core::__private::stage_fn(__svc, |__svc, __ctx| {
            ::auth_core::__private::Box::pin(async move { #regular })
        });
        ::auth_core::__private::AroundList::run(&__arounds, __ctx, &__rest).await
    }}
}

/// Feathers' order for the before, after and error hooks of `method`.
fn order(spec: &Spec, method: Option<&MethodKey>) -> TokenStream {
    let before_all = steps(spec.before.all.iter(), "before_hook");
    let before_method = steps(spec.before.for_method(method).iter(), "before_hook");
    let after = steps(
        spec.after.all.iter().chain(spec.after.for_method(method)),
        "hook",
    );
    let error_method = error_step(spec.error.for_method(method));
    let error_all = error_step(&spec.error.all);
    quote! {
        ::auth_core::__feathers_order! {
            ctx: __ctx,
            before_all: #before_all,
            before_method: #before_method,
            inner: { ::auth_core::__private::run_service_hooks(__svc, __ctx).await },
            after: #after,
            error_method: #error_method,
            error_all: #error_all
        }
    }
}

/// A step's hooks as a block of type `Result<()>`: each awaited in turn,
/// the first error ending the block.
fn steps<'a>(entries: impl Iterator<Item = &'a &'a Entry>, convert_fn: &str) -> TokenStream {
    let runs: Vec<TokenStream> = entries
        .map(|entry| {
            let hook = convert(entry, convert_fn);
            quote! {
                if let ::auth_core::__private::Err(__error) =
                    ::auth_core::__private::BeforeHook::run_before(&#hook, __ctx).await
                {
                    break '__step ::auth_core::__private::Err(__error);
                }
            }
        })
        .collect();
    let ok = quote!(::auth_core::__private::Ok::<
        (),
        ::auth_core::__private::Error,
    >(()));
    if runs.is_empty() {
        return quote!({ #ok });
    }
    quote!({ '__step: { #(#runs)* #ok } })
}

/// An error step: `none`, or its hooks.
fn error_step(entries: &[&Entry]) -> TokenStream {
    if entries.is_empty() {
        return quote!(none);
    }
    let hooks = steps(entries.iter(), "hook");
    quote!(when true => #hooks)
}

/// The entries as the engine's list: `(first, (second, ()))`.
fn list<'a>(
    entries: impl DoubleEndedIterator<Item = &'a &'a Entry>,
    convert_fn: &str,
) -> TokenStream {
    entries.rev().fold(quote!(()), |rest, entry| {
        let hook = convert(entry, convert_fn);
        quote!((#hook, #rest))
    })
}

/// The entry converted to a hook over this service's context, spanned on
/// the entry so that a wrong entry is reported there.
fn convert(entry: &Entry, convert_fn: &str) -> TokenStream {
    let (span, value) = entry_tokens(entry);
    let convert_fn = format_ident!("{}", convert_fn, span = span);
    quote_spanned! {span=>
        ::auth_core::__private::#convert_fn::<::auth_core::__private::HookContext<Self>, _, _>(#value)
    }
}

/// The entry as an expression: as written, or a variadic factory's
/// arguments gathered into one array.
fn entry_tokens(entry: &Entry) -> (Span, TokenStream) {
    match entry {
        Entry::Expr(expr) => (expr.span(), quote!(#expr)),
        Entry::Variadic(call) => {
            let callee = &call.callee;
            let args = call.args.iter();
            (call.span, quote_spanned!(call.span=> #callee([#(#args),*])))
        }
    }
}
