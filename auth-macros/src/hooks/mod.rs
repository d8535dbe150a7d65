//! `#[hooks(..)]`: parse the attribute, validate it against the impl block,
//! then expand the service's hook chain.

mod adapter;
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
    let attr: parse::HooksAttr = match syn::parse2(args) {
        Ok(attr) => attr,
        Err(error) => return with_errors(error, &item),
    };
    let item_impl = match &item {
        syn::Item::Impl(item_impl) => item_impl,
        syn::Item::Struct(item_struct) => return expand_adapter(&attr, item_struct),
        _ => {
            let first = item.to_token_stream().into_iter().next();
            let error = syn::Error::new(
                first.map_or_else(proc_macro2::Span::call_site, |token| token.span()),
                "#[hooks(..)] goes on an `impl Service for YourService { .. }` block, \
                 or on a struct holding a service (`struct Messages(MemoryService<Message>);`)",
            );
            return with_errors(error, &item);
        }
    };
    let mut cx = Ctxt::default();
    let custom_methods = validate::check_impl(item_impl, &mut cx);
    let spec = validate::validate(&attr, &custom_methods, &mut cx);
    match cx.check() {
        Ok(()) => expand::expand(item_impl, &spec),
        Err(error) => with_errors(error, &item),
    }
}

/// `#[hooks(..)]` on a struct holding a service. Its keys are `all` and
/// the six methods: the held service's custom methods are not known here.
fn expand_adapter(attr: &parse::HooksAttr, item_struct: &syn::ItemStruct) -> TokenStream {
    let mut cx = Ctxt::default();
    let adapter = adapter::read(item_struct.clone(), &mut cx);
    let spec = validate::validate(attr, &[], &mut cx);
    match (cx.check(), adapter) {
        (Ok(()), Some(adapter)) => adapter::expand(&adapter, expand::chain_items(&spec)),
        (outcome, _) => {
            let stripped = syn::Item::Struct(adapter::without_markers(item_struct.clone()));
            match outcome {
                Err(error) => with_errors(error, &stripped),
                Ok(()) => quote!(#stripped),
            }
        }
    }
}

fn with_errors(error: syn::Error, item: &syn::Item) -> TokenStream {
    let errors = error.to_compile_error();
    quote!(#errors #item)
}
