//! The `#[hooks(..)]` attribute as plain structs.
//!
//! ```text
//! #[hooks(
//!     before(all = [allow_anonymous, authenticate("jwt", "anonymous")], create = [validate]),
//!     after(all = log_call),
//! )]
//! ```
//!
//! Parsing only reads the shape; whether kinds, keys and entries make sense
//! is `validate`'s job, so that every mistake is reported together.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, ExprPath, Ident, Token, bracketed, parenthesized};

/// The whole attribute: one section per hook kind.
pub struct HooksAttr {
    pub sections: Vec<KindSection>,
}

/// `before(key = [..], ..)`.
pub struct KindSection {
    /// The kind as written (`before`); validated later.
    pub name: Ident,
    pub keys: Vec<KeySection>,
}

/// `create = [validate, log]`, or `create = validate`.
pub struct KeySection {
    /// `all` or a method name; validated later.
    pub key: Ident,
    pub entries: Vec<Entry>,
}

/// One hook of a list.
pub enum Entry {
    /// A call of one of the framework's variadic factories,
    /// `authenticate("jwt", "anonymous")` or `protect("password")`, whose
    /// arguments become one array.
    Variadic(Variadic),
    /// Anything else: a path to a hook function or an expression producing
    /// a hook value, expanded as written.
    Expr(Expr),
}

/// `authenticate("jwt", "anonymous")`.
pub struct Variadic {
    /// The callee as written (`authenticate`), kept with its span so that
    /// the user's imports decide what it names.
    pub callee: ExprPath,
    pub args: Punctuated<Expr, Token![,]>,
    /// The span of the whole call, for errors about its arguments.
    pub span: Span,
}

/// The names of the framework's variadic hook factories.
pub const VARIADIC_FACTORIES: [&str; 2] = ["authenticate", "protect"];

impl Parse for HooksAttr {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let sections = Punctuated::<KindSection, Token![,]>::parse_terminated(input)?;
        Ok(HooksAttr {
            sections: sections.into_iter().collect(),
        })
    }
}

impl Parse for KindSection {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name: Ident = input.parse()?;
        if !input.peek(syn::token::Paren) {
            return Err(syn::Error::new(
                name.span(),
                format!("expected `{name}(key = [hooks..])`, e.g. `{name}(all = [my_hook])`"),
            ));
        }
        let content;
        parenthesized!(content in input);
        let keys = Punctuated::<KeySection, Token![,]>::parse_terminated(&content)?;
        Ok(KindSection {
            name,
            keys: keys.into_iter().collect(),
        })
    }
}

impl Parse for KeySection {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        // Any identifier, keywords included, so that a misspelt `crate`
        // gets a "did you mean" rather than a parse error.
        let key = input.call(Ident::parse_any)?;
        if !input.peek(Token![=]) {
            return Err(syn::Error::new(
                key.span(),
                format!("expected `{key} = [hooks..]`"),
            ));
        }
        input.parse::<Token![=]>()?;
        let entries = if input.peek(syn::token::Bracket) {
            let content;
            bracketed!(content in input);
            Punctuated::<Expr, Token![,]>::parse_terminated(&content)?
                .into_iter()
                .map(Entry::from)
                .collect()
        } else {
            vec![Entry::from(input.parse::<Expr>()?)]
        };
        Ok(KeySection { key, entries })
    }
}

impl From<Expr> for Entry {
    fn from(expr: Expr) -> Entry {
        if let Expr::Call(call) = &expr
            && let Expr::Path(callee) = &*call.func
            && is_variadic_factory(callee)
        {
            return Entry::Variadic(Variadic {
                callee: callee.clone(),
                args: call.args.clone(),
                span: syn::spanned::Spanned::span(call),
            });
        }
        Entry::Expr(expr)
    }
}

/// `authenticate` or `protect`, named by a plain identifier.
fn is_variadic_factory(callee: &ExprPath) -> bool {
    let path = &callee.path;
    callee.qself.is_none()
        && path.leading_colon.is_none()
        && path.segments.len() == 1
        && path.segments[0].arguments.is_none()
        && VARIADIC_FACTORIES
            .iter()
            .any(|name| path.segments[0].ident == name)
}
