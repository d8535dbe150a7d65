//! What hooks ask of the app, checked once at start-up.
//!
//! A hook value may declare requirements (`authenticate(["jwt"])` needs a
//! strategy named `jwt`; `protect(["password"])` makes `password` a field
//! no external query may name). The app gathers them from every service's
//! chain, compiled or registered at run time, and from its own hooks; a
//! plugin reads the kinds it knows and checks them in [`App::setup`], so a
//! mistake fails at start-up instead of on the first request. The hook
//! traits know only this general shape, nothing of what a kind means.
//!
//! [`App::setup`]: crate::App::setup

/// One requirement a hook declares: a kind, owned by whoever checks it,
/// and a name.
///
/// ```
/// use auth_core::hook::Requirement;
///
/// const STRATEGY: &str = "authentication strategy";
/// let needs_jwt = Requirement::new(STRATEGY, "jwt");
/// assert_eq!((needs_jwt.kind(), needs_jwt.name()), (STRATEGY, "jwt"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Requirement {
    kind: &'static str,
    name: &'static str,
}

impl Requirement {
    /// A requirement of `kind` for `name`.
    pub const fn new(kind: &'static str, name: &'static str) -> Requirement {
        Requirement { kind, name }
    }

    /// What kind of requirement this is (`"authentication strategy"`).
    pub const fn kind(&self) -> &'static str {
        self.kind
    }

    /// What is required (`"jwt"`).
    pub const fn name(&self) -> &'static str {
        self.name
    }
}

/// Adds `more` to `into`, each requirement once.
pub fn add_unique(into: &mut Vec<Requirement>, more: impl IntoIterator<Item = Requirement>) {
    for requirement in more {
        if !into.contains(&requirement) {
            into.push(requirement);
        }
    }
}
