//! Checks that need the whole picture: the hook kinds, the method keys
//! against the service's methods (custom ones included), the variadic
//! factories' arguments, and the impl block itself.

use std::collections::BTreeSet;

use syn::{Expr, ImplItem, ItemImpl, Lit};

use crate::ctxt::Ctxt;
use crate::hooks::parse::{Entry, HooksAttr, KindSection};
use crate::suggest::closest;

/// The four kinds, in the order Feathers runs them around a method.
pub const KINDS: [&str; 4] = ["around", "before", "after", "error"];

/// Feathers' six methods, with the `Method` variant each is.
pub const STANDARD_METHODS: [(&str, &str); 6] = [
    ("find", "Find"),
    ("get", "Get"),
    ("create", "Create"),
    ("update", "Update"),
    ("patch", "Patch"),
    ("remove", "Remove"),
];

/// A method key: one of the six, or a custom method.
#[derive(Clone, PartialEq, Eq)]
pub enum MethodKey {
    /// `(name, Method variant)`.
    Standard(&'static str, &'static str),
    Custom(String),
}

/// The hooks of one kind: for every method, and per method.
#[derive(Default)]
pub struct KindHooks<'a> {
    pub all: Vec<&'a Entry>,
    pub methods: Vec<(MethodKey, Vec<&'a Entry>)>,
}

impl<'a> KindHooks<'a> {
    /// The hooks for `method` (not counting `all`).
    pub fn for_method(&self, method: Option<&MethodKey>) -> &[&'a Entry] {
        let Some(method) = method else { return &[] };
        self.methods
            .iter()
            .find(|(key, _)| key == method)
            .map_or(&[], |(_, entries)| entries.as_slice())
    }
}

/// The validated attribute.
#[derive(Default)]
pub struct Spec<'a> {
    pub around: KindHooks<'a>,
    pub before: KindHooks<'a>,
    pub after: KindHooks<'a>,
    pub error: KindHooks<'a>,
}

impl<'a> Spec<'a> {
    /// Every entry with its kind (`"around"`, `"before"`, `"after"`,
    /// `"error"`), each once.
    pub fn entries(&self) -> impl Iterator<Item = (&'static str, &'a Entry)> + '_ {
        let kinds = [
            ("around", &self.around),
            ("before", &self.before),
            ("after", &self.after),
            ("error", &self.error),
        ];
        kinds.into_iter().flat_map(|(name, kind)| {
            let by_method = kind.methods.iter().flat_map(|(_, entries)| entries);
            kind.all
                .iter()
                .chain(by_method)
                .map(move |entry| (name, *entry))
        })
    }

    /// Every method some key names, in the order first named.
    pub fn methods(&self) -> Vec<MethodKey> {
        let mut methods: Vec<MethodKey> = Vec::new();
        for kind in [&self.around, &self.before, &self.after, &self.error] {
            for (key, _) in &kind.methods {
                if !methods.contains(key) {
                    methods.push(key.clone());
                }
            }
        }
        methods
    }
}

/// Checks the impl block `#[hooks]` is on and reads its custom methods.
pub fn check_impl(item: &ItemImpl, cx: &mut Ctxt) -> Vec<String> {
    const WHERE: &str = "#[hooks(..)] goes on an `impl Service for YourService { .. }` block";
    match &item.trait_ {
        None => cx.error_spanned_by(&item.self_ty, format!("{WHERE}, not an inherent impl")),
        Some((Some(bang), _, _)) => cx.error_spanned_by(bang, WHERE),
        Some((None, path, _)) => {
            if path
                .segments
                .last()
                .is_none_or(|last| last.ident != "Service")
            {
                cx.error_spanned_by(path, format!("{WHERE}, not an impl of another trait"));
            }
        }
    }
    for attr in &item.attrs {
        if attr
            .path()
            .segments
            .last()
            .is_some_and(|last| last.ident == "async_trait")
        {
            cx.error_spanned_by(
                attr,
                "remove #[async_trait]: Service methods are plain `async fn`s, and #[hooks] writes the chain without it",
            );
        }
    }
    let mut custom = Vec::new();
    for impl_item in &item.items {
        match impl_item {
            ImplItem::Fn(method) if method.sig.ident == "__run_hooks" => cx.error_spanned_by(
                &method.sig.ident,
                "#[hooks(..)] writes `__run_hooks`; remove this method",
            ),
            ImplItem::Fn(method) if mentions_async_trait(&method.sig) => cx.error_spanned_by(
                &method.sig.ident,
                "this method was rewritten by #[async_trait]: remove #[async_trait], Service methods are plain `async fn`s",
            ),
            ImplItem::Const(constant) if constant.ident == "CUSTOM_METHODS" => {
                custom = custom_methods(&constant.expr, cx);
            }
            _ => {}
        }
    }
    custom
}

fn mentions_async_trait(sig: &syn::Signature) -> bool {
    sig.generics
        .lifetimes()
        .any(|lifetime| lifetime.lifetime.ident == "async_trait")
}

/// The names in `const CUSTOM_METHODS: &[&str] = &["a", "b"];`.
fn custom_methods(expr: &Expr, cx: &mut Ctxt) -> Vec<String> {
    let array = match expr {
        Expr::Reference(reference) => &*reference.expr,
        other => other,
    };
    let Expr::Array(array) = array else {
        cx.error_spanned_by(
            expr,
            "#[hooks(..)] reads CUSTOM_METHODS as a list of string literals: `&[\"name\", ..]`",
        );
        return Vec::new();
    };
    array
        .elems
        .iter()
        .filter_map(|elem| {
            match elem {
                Expr::Lit(lit) => match &lit.lit {
                    Lit::Str(name) => Some(name.value()),
                    _ => None,
                },
                _ => None,
            }
            .or_else(|| {
                cx.error_spanned_by(elem, "a custom method name must be a string literal");
                None
            })
        })
        .collect()
}

/// Checks the attribute against the service and returns it by kind.
pub fn validate<'a>(attr: &'a HooksAttr, custom: &[String], cx: &mut Ctxt) -> Spec<'a> {
    let mut spec = Spec::default();
    let mut seen_kinds = BTreeSet::new();
    for section in &attr.sections {
        let name = section.name.to_string();
        let kind = match name.as_str() {
            "around" => &mut spec.around,
            "before" => &mut spec.before,
            "after" => &mut spec.after,
            "error" => &mut spec.error,
            _ => {
                let hint = match closest(&name, KINDS) {
                    Some(kind) => format!("; did you mean `{kind}`?"),
                    None => String::new(),
                };
                cx.error_spanned_by(
                    &section.name,
                    format!("unknown hook kind `{name}`: expected `around`, `before`, `after` or `error`{hint}"),
                );
                continue;
            }
        };
        if !seen_kinds.insert(name.clone()) {
            cx.error_spanned_by(
                &section.name,
                format!("`{name}(..)` appears twice; put all its keys in one `{name}(..)`"),
            );
            continue;
        }
        fill_kind(kind, section, custom, cx);
    }
    spec
}

fn fill_kind<'a>(
    kind: &mut KindHooks<'a>,
    section: &'a KindSection,
    custom: &[String],
    cx: &mut Ctxt,
) {
    let mut seen_keys = BTreeSet::new();
    for key_section in &section.keys {
        let key = key_section.key.to_string();
        if !seen_keys.insert(key.clone()) {
            cx.error_spanned_by(
                &key_section.key,
                format!(
                    "`{key}` appears twice in `{}(..)`; list all its hooks in one `[..]`",
                    section.name
                ),
            );
            continue;
        }
        for entry in &key_section.entries {
            check_entry(entry, cx);
        }
        let entries: Vec<&Entry> = key_section.entries.iter().collect();
        if key == "all" {
            kind.all = entries;
            continue;
        }
        match method_key(&key, custom) {
            Some(method) => kind.methods.push((method, entries)),
            None => {
                let candidates = STANDARD_METHODS
                    .iter()
                    .map(|(name, _)| *name)
                    .chain(std::iter::once("all"))
                    .chain(custom.iter().map(String::as_str));
                let hint = match closest(&key, candidates) {
                    Some(name) => format!("did you mean `{name}`?"),
                    None => {
                        "expected `all`, `find`, `get`, `create`, `update`, `patch`, `remove`, \
                             or a custom method listed in `CUSTOM_METHODS`"
                            .to_owned()
                    }
                };
                cx.error_spanned_by(
                    &key_section.key,
                    format!("`{key}` is not a method of this service; {hint}"),
                );
            }
        }
    }
}

fn method_key(key: &str, custom: &[String]) -> Option<MethodKey> {
    STANDARD_METHODS
        .iter()
        .find(|(name, _)| *name == key)
        .map(|(name, variant)| MethodKey::Standard(name, variant))
        .or_else(|| {
            custom
                .iter()
                .any(|name| name == key)
                .then(|| MethodKey::Custom(key.to_owned()))
        })
}

/// `authenticate(..)` and `protect(..)` take one or more distinct string literals.
fn check_entry(entry: &Entry, cx: &mut Ctxt) {
    let Entry::Variadic(call) = entry else { return };
    let factory = call.callee.path.segments[0].ident.to_string();
    if call.args.is_empty() {
        let example = if factory == "authenticate" {
            "\"jwt\""
        } else {
            "\"password\""
        };
        cx.syn_error(syn::Error::new(
            call.span,
            format!("`{factory}(..)` needs at least one name, e.g. `{factory}({example})`"),
        ));
        return;
    }
    let mut seen = BTreeSet::new();
    for arg in &call.args {
        match arg {
            Expr::Lit(syn::ExprLit { lit: Lit::Str(name), .. }) => {
                if !seen.insert(name.value()) {
                    cx.error_spanned_by(
                        name,
                        format!("`{}` is listed twice in `{factory}(..)`", name.value()),
                    );
                }
            }
            other => cx.error_spanned_by(
                other,
                format!("the arguments of `{factory}(..)` must be string literals, e.g. `{factory}(\"jwt\")`"),
            ),
        }
    }
}
