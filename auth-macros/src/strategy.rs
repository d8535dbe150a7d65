//! `#[derive(Strategy)]`: a strategy's name and typed configuration.
//!
//! ```text
//! #[derive(Strategy)]
//! #[strategy(name = "local")]              // default: the type name in kebab case
//! struct Local {
//!     #[strategy(config, default = "email".to_owned())]
//!     username_field: String,              // authentication.local.username_field
//!     #[strategy(config)]
//!     pepper: String,                      // required: start-up fails without it
//!     hasher: Hasher,                      // not configuration
//! }
//! ```
//!
//! Parsed into a small AST, validated (every mistake collected), expanded
//! into `impl StrategySetup` and, when there are configuration fields, a
//! `new(<the other fields>)` that needs no placeholder for them
//! (`Local::new(hasher)`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Expr, Field, Fields, Ident, LitStr};

use crate::ctxt::Ctxt;

/// The derive input, read.
struct StrategyInput<'a> {
    input: &'a DeriveInput,
    name: String,
    config_fields: Vec<ConfigField<'a>>,
    /// The fields that are not configuration, in order: `new`'s arguments.
    plain_fields: Vec<&'a Field>,
}

/// A field filled from the configuration section.
struct ConfigField<'a> {
    field: &'a Field,
    ident: &'a Ident,
    key: String,
    default: Option<Expr>,
}

/// The expansion of `#[derive(Strategy)]`.
pub fn expand_derive(input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    let mut cx = Ctxt::default();
    let parsed = parse(&input, &mut cx);
    match cx.check() {
        Ok(()) => expand(&parsed),
        Err(error) => error.to_compile_error(),
    }
}

fn parse<'a>(input: &'a DeriveInput, cx: &mut Ctxt) -> StrategyInput<'a> {
    let mut name = None;
    for attr in input
        .attrs
        .iter()
        .filter(|attr| attr.path().is_ident("strategy"))
    {
        let outcome = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("name") {
                let value: LitStr = meta.value()?.parse()?;
                if value.value().is_empty() {
                    cx.error_spanned_by(&value, "a strategy name can not be empty");
                }
                name = Some(value.value());
                Ok(())
            } else {
                Err(meta.error("unknown `strategy` option: expected `name = \"...\"` on the type"))
            }
        });
        if let Err(error) = outcome {
            cx.syn_error(error);
        }
    }
    let (config_fields, plain_fields) = match &input.data {
        Data::Struct(data) => split_fields(&data.fields, cx),
        Data::Enum(data) => {
            cx.error_spanned_by(data.enum_token, "#[derive(Strategy)] goes on a struct");
            (Vec::new(), Vec::new())
        }
        Data::Union(data) => {
            cx.error_spanned_by(data.union_token, "#[derive(Strategy)] goes on a struct");
            (Vec::new(), Vec::new())
        }
    };
    StrategyInput {
        input,
        name: name.unwrap_or_else(|| kebab_case(&input.ident.to_string())),
        config_fields,
        plain_fields,
    }
}

/// The configuration fields, and the others.
fn split_fields<'a>(fields: &'a Fields, cx: &mut Ctxt) -> (Vec<ConfigField<'a>>, Vec<&'a Field>) {
    let mut config = Vec::new();
    let mut plain = Vec::new();
    for field in fields {
        let mut is_config = false;
        let mut key = None;
        let mut default = None;
        for attr in field
            .attrs
            .iter()
            .filter(|attr| attr.path().is_ident("strategy"))
        {
            let outcome = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("config") {
                    is_config = true;
                } else if meta.path.is_ident("default") {
                    default = Some(meta.value()?.parse::<Expr>()?);
                } else if meta.path.is_ident("key") {
                    key = Some(meta.value()?.parse::<LitStr>()?.value());
                } else {
                    return Err(meta.error(
                        "unknown `strategy` option on a field: expected `config`, `default = ..` or `key = \"..\"`",
                    ));
                }
                Ok(())
            });
            if let Err(error) = outcome {
                cx.syn_error(error);
            }
        }
        if !is_config {
            if let Some(default) = &default {
                cx.error_spanned_by(
                    default,
                    "`default` is for configuration fields: write #[strategy(config, default = ..)]",
                );
            }
            plain.push(field);
            continue;
        }
        match &field.ident {
            Some(ident) => config.push(ConfigField {
                field,
                ident,
                key: key.unwrap_or_else(|| ident.to_string()),
                default,
            }),
            None => cx.error_spanned_by(
                field,
                "a configuration field needs a name (the key it is read from)",
            ),
        }
    }
    (config, plain)
}

fn expand(parsed: &StrategyInput) -> TokenStream {
    let ident = &parsed.input.ident;
    let (impl_generics, type_generics, where_clause) = parsed.input.generics.split_for_impl();
    let name = &parsed.name;
    let section = format_ident!("__section");
    let reads = parsed.config_fields.iter().map(|field| {
        let member = field.ident;
        let key = &field.key;
        let value = match &field.default {
            Some(default) => quote_spanned! {default.span()=>
                ::auth_core::__private::config_with_default(Self::NAME, #section, #key, || #default)
            },
            None => quote_spanned! {member.span()=>
                ::auth_core::__private::config_required(Self::NAME, #section, #key)
            },
        };
        quote!(self.#member = #value?;)
    });
    let uses_section = !parsed.config_fields.is_empty();
    let section_binding = if uses_section {
        quote!(let #section = ::auth_core::__private::strategy_section(Self::NAME, __config)?;)
    } else {
        quote!(::auth_core::__private::strategy_section(Self::NAME, __config)?;)
    };
    let constructor = constructor(parsed);
    quote! {
        #constructor

        #[allow(clippy::redundant_closure)]
        impl #impl_generics ::auth_core::__private::StrategySetup for #ident #type_generics #where_clause {
            const NAME: &'static str = #name;

            fn configure(
                &mut self,
                __config: &::auth_core::__private::Value,
            ) -> ::auth_core::__private::Result<()> {
                #section_binding
                #(#reads)*
                ::auth_core::__private::Ok(())
            }
        }
    }
}

/// `new(<the other fields>)` for a strategy with configuration fields, so
/// that building one needs no placeholder for what start-up reads: each
/// configuration field starts at its `default = ..`, or, when required, at
/// its type's `Default` (the value a strategy never runs with, since
/// start-up fails without the key). A strategy without configuration is
/// built as it is written, and gets none.
fn constructor(parsed: &StrategyInput) -> TokenStream {
    if parsed.config_fields.is_empty() {
        return TokenStream::new();
    }
    let input = parsed.input;
    let ident = &input.ident;
    let vis = &input.vis;
    let (impl_generics, type_generics, where_clause) = input.generics.split_for_impl();
    // Only named structs have configuration fields (`split_fields`).
    let arguments = parsed.plain_fields.iter().filter_map(|field| {
        let name = field.ident.as_ref()?;
        let ty = &field.ty;
        Some(quote!(#name: #ty))
    });
    let plain = parsed.plain_fields.iter().map(|field| &field.ident);
    let configured = parsed.config_fields.iter().map(|config| {
        let member = config.ident;
        let value = match &config.default {
            Some(default) => quote_spanned!(default.span()=> #default),
            None => {
                let ty = &config.field.ty;
                quote_spanned!(ty.span()=> ::auth_core::__private::config_unset::<#ty>())
            }
        };
        quote!(#member: #value)
    });
    let doc = format!(
        "A `{ident}` to register; its configuration fields start at their \
         defaults and are read from `authentication.{}` at start-up.",
        parsed.name
    );
    quote! {
        impl #impl_generics #ident #type_generics #where_clause {
            #[doc = #doc]
            #[must_use]
            #[allow(clippy::new_without_default, clippy::redundant_clone)]
            #vis fn new(#(#arguments),*) -> Self {
                #ident {
                    #(#plain,)*
                    #(#configured,)*
                }
            }
        }
    }
}

/// `AnonymousStrategy` → `anonymous-strategy`, `JWTAuth` → `jwt-auth`.
fn kebab_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() && i > 0 {
            let previous = chars[i - 1];
            let next_is_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if previous.is_lowercase()
                || previous.is_ascii_digit()
                || (previous.is_uppercase() && next_is_lower)
            {
                out.push('-');
            }
        }
        if c == '_' {
            out.push('-');
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::kebab_case;

    #[test]
    fn type_names_become_kebab_case() {
        assert_eq!(kebab_case("Anonymous"), "anonymous");
        assert_eq!(kebab_case("AnonymousStrategy"), "anonymous-strategy");
        assert_eq!(kebab_case("JWTAuth"), "jwt-auth");
        assert_eq!(kebab_case("Jwt"), "jwt");
        assert_eq!(kebab_case("OAuth2Login"), "o-auth2-login");
    }
}
