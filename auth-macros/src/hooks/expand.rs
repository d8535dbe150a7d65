//! Writes the service's hook chain.
//!
//! The chain of each method is one `::auth_core::__private::Level`, the
//! runtime's hook engine, which alone knows Feathers' order; the expansion
//! only fills its lists (around, before `all`, before the method, after,
//! error `all`, error of the method) with the attribute's entries, as
//! nested pairs `(first, (second, ()))`, and picks the method's level with
//! one `match`. Before, after and error hooks are then static calls with no
//! allocation; each around hook boxes the rest of the chain once.
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
        #[allow(clippy::all, unused_braces)]
        fn __run_hooks(
            &self,
            __ctx: &mut ::auth_core::__private::HookContext<Self>,
        ) -> impl ::auth_core::__private::Future<Output = ::auth_core::__private::Result<()>>
               + ::auth_core::__private::Send {
            async move {
                let __svc = self;
                #body
            }
        }
    };
    // Every level's hook values, built once at start-up to ask what they
    // need of the app (a strategy, a protected field).
    let levels = methods
        .iter()
        .map(Some)
        .chain([None])
        .map(|method| level(spec, method));
    let requirements = quote! {
        #[doc(hidden)]
        fn __requirements() -> ::auth_core::__private::Vec<::auth_core::__private::Requirement> {
            let mut __out = ::auth_core::__private::Vec::new();
            #(#levels.requirements::<::auth_core::__private::HookContext<Self>>(&mut __out);)*
            __out
        }
    };
    quote!(#requirements #run_hooks)
}

/// The chain for `method` (`None`: a method no key names): one `Level` of
/// the runtime's engine, whose lists are nested pairs of hook values, run
/// around the service's run-time hooks and the method.
fn chain(spec: &Spec, method: Option<&MethodKey>) -> TokenStream {
    let level = level(spec, method);
    quote! {{
        let __level = #level;
        __level
            .run(__ctx, &::auth_core::__private::RuntimeHooks(__svc))
            .await
    }}
}

/// The `Level` value holding the hooks that run for `method`.
fn level(spec: &Spec, method: Option<&MethodKey>) -> TokenStream {
    let around = list(
        spec.around.all.iter().chain(spec.around.for_method(method)),
        "around_hook",
    );
    let before_all = list(spec.before.all.iter(), "before_hook");
    let before_method = list(spec.before.for_method(method).iter(), "before_hook");
    let after = list(
        spec.after.all.iter().chain(spec.after.for_method(method)),
        "hook",
    );
    let error_all = list(spec.error.all.iter(), "hook");
    let error_method = list(spec.error.for_method(method).iter(), "hook");
    quote! {
        ::auth_core::__private::Level {
            around: #around,
            before_all: #before_all,
            before_method: #before_method,
            after: #after,
            error_all: #error_all,
            error_method: #error_method,
        }
    }
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
