//! Writes the service's hook chain as straight-line code.
//!
//! For a method with `all` and per-method hooks of every kind the chain is
//! FeathersJS v5's composition:
//!
//! ```text
//! around.all → around.<m> →                       (each gets a `Next`)
//!   catch error.all {
//!     before.all
//!     catch error.<m> {
//!       before.<m>
//!       run-time hooks and the method (`run_service_hooks`)
//!       after.all
//!       after.<m>
//!     }
//!   }
//! ```
//!
//! Every entry is converted through a function whose type parameter is the
//! service's context, spanned on the entry, so a wrong entry is a type error
//! pointing at it. Before, after and error hooks run inline with no
//! allocation; each around hook's `Next` boxes the rest of the chain once.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{ImplItem, ItemImpl};

use crate::hooks::parse::Entry;
use crate::hooks::validate::{MethodKey, Spec};

/// The impl block with `__run_hooks` added.
pub fn expand(item: &ItemImpl, spec: &Spec) -> TokenStream {
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
    let strategies = spec.authenticate_strategies();
    let strategies = quote! {
        #[doc(hidden)]
        const __STRATEGIES: &'static [&'static str] = &[#(#strategies),*];
    };
    let mut item = item.clone();
    item.items.push(ImplItem::Verbatim(strategies));
    item.items.push(ImplItem::Verbatim(run_hooks));
    quote!(#item)
}

/// `Ok::<(), Error>(())`, typed so that `?` in async blocks infers.
fn ok() -> TokenStream {
    quote!(::auth_core::__private::Ok::<
        (),
        ::auth_core::__private::Error,
    >(()))
}

fn set_kind(kind: &str) -> TokenStream {
    let kind = format_ident!("{}", kind);
    quote!(::auth_core::__private::set_kind(__ctx, ::auth_core::__private::HookKind::#kind);)
}

/// The whole chain for `method` (`None`: a method no key names), as an
/// expression of type `Result<()>`.
fn chain(spec: &Spec, method: Option<&MethodKey>) -> TokenStream {
    let arounds: Vec<&Entry> = spec
        .around
        .all
        .iter()
        .chain(spec.around.for_method(method))
        .copied()
        .collect();
    nest_arounds(&arounds, regular(spec, method))
}

/// Each around hook wraps the rest of the chain, passed as its `Next`.
fn nest_arounds(arounds: &[&Entry], inner: TokenStream) -> TokenStream {
    let Some((first, rest)) = arounds.split_first() else {
        return inner;
    };
    let rest = nest_arounds(rest, inner);
    let hook = convert(first, "around_hook");
    let set_kind = set_kind("Around");
    quote! {{
        #set_kind
        ::auth_core::__private::AroundHook::run(
            &#hook,
            __ctx,
            ::auth_core::__private::Next::new(&::auth_core::__private::continue_with(
                __svc,
                |__svc, __ctx| ::auth_core::__private::Box::pin(async move { #rest }),
            )),
        )
        .await
    }}
}

/// The before, after and error hooks around the run-time hooks and the method.
fn regular(spec: &Spec, method: Option<&MethodKey>) -> TokenStream {
    let before_all = calls(
        &spec.before.all,
        "Before",
        "before_hook",
        "BeforeHook",
        "run_before",
    );
    let before_method = calls(
        spec.before.for_method(method),
        "Before",
        "before_hook",
        "BeforeHook",
        "run_before",
    );
    let after_all = calls(&spec.after.all, "After", "hook", "Hook", "run");
    let after_method = calls(
        spec.after.for_method(method),
        "After",
        "hook",
        "Hook",
        "run",
    );
    let around = set_kind("Around");
    let ok = ok();
    let method_stage = catch(
        spec.error.for_method(method),
        quote! {
            #before_method
            #around
            ::auth_core::__private::run_service_hooks(__svc, __ctx).await?;
            #after_all
            #after_method
            #ok
        },
    );
    let all_stage = catch(&spec.error.all, quote!(#before_all #method_stage));
    quote! {{
        let __outcome: ::auth_core::__private::Result<()> = #all_stage;
        #around
        __outcome
    }}
}

/// `block` (statements ending in a `Result<()>`), its error caught by
/// `errors` when there are any.
fn catch(errors: &[&Entry], block: TokenStream) -> TokenStream {
    if errors.is_empty() {
        return quote!({ #block });
    }
    let hooks = calls(errors, "Error", "hook", "Hook", "run");
    let ok = ok();
    quote! {
        match async { #block }.await {
            ::auth_core::__private::Ok(()) => #ok,
            ::auth_core::__private::Err(__error) => {
                ::auth_core::__private::begin_error(__ctx, __error);
                match async { #hooks #ok }.await {
                    ::auth_core::__private::Ok(()) => ::auth_core::__private::end_error(__ctx),
                    ::auth_core::__private::Err(__error) => ::auth_core::__private::Err(__error),
                }
            }
        }
    }
}

/// Runs `entries` in order; the first error leaves the enclosing block.
fn calls(entries: &[&Entry], kind: &str, convert_fn: &str, tr: &str, method: &str) -> TokenStream {
    if entries.is_empty() {
        return TokenStream::new();
    }
    let set_kind = if kind == "Error" {
        TokenStream::new()
    } else {
        set_kind(kind)
    };
    let tr = format_ident!("{}", tr);
    let method = format_ident!("{}", method);
    let runs = entries.iter().map(|entry| {
        let hook = convert(entry, convert_fn);
        quote!(::auth_core::__private::#tr::#method(&#hook, __ctx).await?;)
    });
    quote!(#set_kind #(#runs)*)
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
