//! `#[hooks(..)]`: parse the attribute, validate it against the impl block,
//! then expand the service's hook chain.

mod expand;
mod parse;
mod validate;

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

use crate::ctxt::Ctxt;

/// The expansion of `#[hooks(args)] item`.
///
/// Mistakes in the attribute are reported together, with the impl block
/// left as written so that they do not cascade into other errors.
pub fn expand_hooks(args: TokenStream, item: TokenStream) -> TokenStream {
    let item: syn::Item = match syn::parse2(item.clone()) {
        Ok(item) => item,
        Err(error) => {
            return quote!(#item)
                .into_iter()
                .chain(error.to_compile_error())
                .collect();
        }
    };
    let syn::Item::Impl(item_impl) = &item else {
        let first = item.to_token_stream().into_iter().next();
        let error = syn::Error::new(
            first.map_or_else(proc_macro2::Span::call_site, |token| token.span()),
            "#[hooks(..)] goes on an `impl Service for YourService { .. }` block",
        );
        return with_errors(error, &item);
    };
    let attr: parse::HooksAttr = match syn::parse2(args) {
        Ok(attr) => attr,
        Err(error) => return with_errors(error, &item),
    };
    let mut cx = Ctxt::default();
    let custom_methods = validate::check_impl(item_impl, &mut cx);
    let spec = validate::validate(&attr, &custom_methods, &mut cx);
    match cx.check() {
        Ok(()) => expand::expand(item_impl, &spec),
        Err(error) => with_errors(error, &item),
    }
}

fn with_errors(error: syn::Error, item: &syn::Item) -> TokenStream {
    let errors = error.to_compile_error();
    quote!(#errors #item)
}
