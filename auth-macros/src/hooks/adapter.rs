//! `#[hooks(..)]` on a struct that holds a service (an adapter such as
//! `MemoryService<T>`): the struct becomes a service with the attribute's
//! chain, and every method goes to the held service, so nothing is
//! forwarded by hand.
//!
//! ```text
//! #[hooks(before(all = [allow_anonymous, authenticate("jwt", "anonymous")]))]
//! pub struct Messages(MemoryService<Message>);
//! ```
//!
//! The held service is the struct's only field, or the one marked
//! `#[service]` when there are several.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Field, ItemStruct, Member, Type};

use crate::ctxt::Ctxt;

/// The struct, read: the held service's field and type.
pub struct Adapter {
    /// The struct as the user wrote it, minus the `#[service]` marker.
    pub item: ItemStruct,
    member: Member,
    ty: Type,
}

/// The marker of the held service among several fields.
const MARKER: &str = "service";

/// Finds the held service.
pub fn read(item: ItemStruct, cx: &mut Ctxt) -> Option<Adapter> {
    let fields: Vec<(Member, &Field)> = item.fields.members().zip(item.fields.iter()).collect();
    let marked: Vec<&(Member, &Field)> = fields
        .iter()
        .filter(|(_, field)| field.attrs.iter().any(is_marker))
        .collect();
    let held = match (fields.as_slice(), marked.as_slice()) {
        ([], _) => {
            cx.error_spanned_by(
                &item.ident,
                "#[hooks(..)] on a struct needs a field holding the service, \
                 e.g. `struct Messages(MemoryService<Message>);`",
            );
            None
        }
        ([only], []) => Some(only.clone()),
        (_, [one]) => Some((*one).clone()),
        (_, []) => {
            cx.error_spanned_by(
                &item.ident,
                "this struct has several fields: mark the one holding the service with `#[service]`",
            );
            None
        }
        (_, [_, second, ..]) => {
            let marker = second.1.attrs.iter().find(|attr| is_marker(attr));
            cx.error_spanned_by(marker, "only one field can be marked `#[service]`");
            None
        }
    };
    let (member, ty) = held.map(|(member, field)| (member, field.ty.clone()))?;
    Some(Adapter {
        item: without_markers(item.clone()),
        member,
        ty,
    })
}

/// The struct without its `#[service]` markers, which are no attribute
/// the compiler knows.
pub fn without_markers(mut item: ItemStruct) -> ItemStruct {
    for field in item.fields.iter_mut() {
        field.attrs.retain(|attr| !is_marker(attr));
    }
    item
}

fn is_marker(attr: &syn::Attribute) -> bool {
    attr.path().is_ident(MARKER)
}

/// The struct, and its `Service` impl: the held service's types and
/// methods, with the attribute's chain (`chain_items`).
pub fn expand(adapter: &Adapter, chain_items: TokenStream) -> TokenStream {
    let Adapter { item, member, ty } = adapter;
    let name = &item.ident;
    let (impl_generics, ty_generics, where_clause) = item.generics.split_for_impl();
    let service = quote!(::auth_core::__private::Service);
    let future = quote!(::auth_core::__private::Future);
    let send = quote!(::auth_core::__private::Send);
    let result = quote!(::auth_core::__private::Result);
    let params = quote!(::auth_core::__private::Params);
    let id = quote!(::auth_core::__private::Id);
    // Spanned on the field's type: a type that is not a service is
    // reported there.
    let held = quote_spanned!(ty.span()=> <#ty as ::auth_core::__private::Service>);
    let bound = quote_spanned!(ty.span()=> #ty: ::auth_core::__private::Service);
    let where_clause = match where_clause {
        Some(clause) if !clause.predicates.is_empty() => {
            let predicates = clause.predicates.iter();
            quote!(where #(#predicates,)* #bound)
        }
        _ => quote!(where #bound),
    };
    let item_tokens = item.to_token_stream();
    quote! {
        #item_tokens

        impl #impl_generics #service for #name #ty_generics #where_clause {
            type Item = #held::Item;
            type Data = #held::Data;
            type Patch = #held::Patch;

            const CUSTOM_METHODS: &'static [&'static str] = #held::CUSTOM_METHODS;

            fn find(&self, params: &#params)
                -> impl #future<Output = #result<::auth_core::__private::Found<Self::Item>>> + #send {
                #held::find(&self.#member, params)
            }
            fn get(&self, id: &#id, params: &#params)
                -> impl #future<Output = #result<Self::Item>> + #send {
                #held::get(&self.#member, id, params)
            }
            fn create(&self, data: Self::Data, params: &#params)
                -> impl #future<Output = #result<Self::Item>> + #send {
                #held::create(&self.#member, data, params)
            }
            fn create_many(&self, data: ::auth_core::__private::Vec<Self::Data>, params: &#params)
                -> impl #future<Output = #result<::auth_core::__private::Vec<Self::Item>>> + #send {
                #held::create_many(&self.#member, data, params)
            }
            fn update(&self, id: &#id, data: Self::Data, params: &#params)
                -> impl #future<Output = #result<Self::Item>> + #send {
                #held::update(&self.#member, id, data, params)
            }
            fn patch(&self, id: &#id, data: Self::Patch, params: &#params)
                -> impl #future<Output = #result<Self::Item>> + #send {
                #held::patch(&self.#member, id, data, params)
            }
            fn patch_many(&self, data: Self::Patch, params: &#params)
                -> impl #future<Output = #result<::auth_core::__private::Vec<Self::Item>>> + #send {
                #held::patch_many(&self.#member, data, params)
            }
            fn remove(&self, id: &#id, params: &#params)
                -> impl #future<Output = #result<Self::Item>> + #send {
                #held::remove(&self.#member, id, params)
            }
            fn remove_many(&self, params: &#params)
                -> impl #future<Output = #result<::auth_core::__private::Vec<Self::Item>>> + #send {
                #held::remove_many(&self.#member, params)
            }
            fn custom(&self, method: &str, data: ::auth_core::__private::Value, params: &#params)
                -> impl #future<Output = #result<::auth_core::__private::Value>> + #send {
                #held::custom(&self.#member, method, data, params)
            }
            fn setup(&mut self, app: &::auth_core::__private::App, path: &str) -> #result<()> {
                #held::setup(&mut self.#member, app, path)
            }

            #chain_items
        }
    }
}
