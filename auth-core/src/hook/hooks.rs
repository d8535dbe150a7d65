//! `Hooks<C>`: hooks registered at run time, by kind and method.
//!
//! The app's hooks (`App::hooks`) and a service's run-time hooks
//! (`ServiceHandle::hooks`) are both a `Hooks`, as Feathers'
//! `app.hooks({ before: { all: [..], get: [..] } })` is a map by kind and
//! method. Hooks registered later run after those registered earlier.

use std::sync::{Arc, RwLock};

use crate::hook::context::{AppContext, HookContext};
use crate::hook::requirement::{Requirement, add_unique};
use crate::hook::traits::{DynAroundHook, DynHook, IntoAroundHook, IntoBeforeHook, IntoHook};
use crate::service::Method;

/// Hooks of one kind: those for every method, and those for one method.
pub(crate) struct KindHooks<H: ?Sized> {
    pub(crate) all: Vec<Arc<H>>,
    pub(crate) by_method: Vec<(Method, Vec<Arc<H>>)>,
}

impl<H: ?Sized> KindHooks<H> {
    fn push(&mut self, key: &str, hook: Arc<H>) {
        if key == "all" {
            self.all.push(hook);
            return;
        }
        let method = Method::from_name(key);
        match self.by_method.iter_mut().find(|(m, _)| *m == method) {
            Some((_, hooks)) => hooks.push(hook),
            None => self.by_method.push((method, vec![hook])),
        }
    }

    pub(crate) fn for_method(&self, method: &Method) -> &[Arc<H>] {
        self.by_method
            .iter()
            .find(|(m, _)| m == method)
            .map_or(&[], |(_, hooks)| hooks.as_slice())
    }

    fn extend(&mut self, other: KindHooks<H>) {
        self.all.extend(other.all);
        for (method, hooks) in other.by_method {
            for hook in hooks {
                self.push(method.as_str(), hook);
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.all.is_empty() && self.by_method.is_empty()
    }

    /// Every hook, for `all` and for each method.
    fn hooks(&self) -> impl Iterator<Item = &Arc<H>> {
        let by_method = self.by_method.iter().flat_map(|(_, hooks)| hooks);
        self.all.iter().chain(by_method)
    }
}

impl<H: ?Sized> Default for KindHooks<H> {
    fn default() -> Self {
        KindHooks {
            all: Vec::new(),
            by_method: Vec::new(),
        }
    }
}

impl<H: ?Sized> Clone for KindHooks<H> {
    fn clone(&self) -> Self {
        KindHooks {
            all: self.all.clone(),
            by_method: self.by_method.clone(),
        }
    }
}

/// Hooks registered at run time over contexts of type `C`, by kind
/// (around, before, after, error) and method key (`"all"` or a method name).
///
/// A key is checked where the hooks are registered: a service's hooks
/// ([`ServiceHandle::hooks`](crate::ServiceHandle::hooks)) may name `all`,
/// the six standard methods and the service's custom methods; the app's
/// ([`App::hooks`](crate::App::hooks)) those and any registered service's
/// custom methods, checked by [`App::setup`](crate::App::setup) once every
/// service is there. Any other key (`"crate"`) is an error with the
/// closest valid name, never a hook that silently does not run.
///
/// ```
/// use auth_core::prelude::*;
///
/// async fn audit(ctx: &mut AppContext) -> Result<()> {
///     tracing::info!(path = ctx.path(), "mutation");
///     Ok(())
/// }
///
/// let hooks = AppHooks::new()
///     .after("create", audit)
///     .after("patch", audit)
///     .after("remove", audit);
/// ```
pub struct Hooks<C: ?Sized> {
    pub(crate) around: KindHooks<dyn DynAroundHook<C>>,
    pub(crate) before: KindHooks<dyn DynHook<C>>,
    pub(crate) after: KindHooks<dyn DynHook<C>>,
    pub(crate) error: KindHooks<dyn DynHook<C>>,
}

/// Hooks for every service of an app: `App::new().hooks(AppHooks::new()..)`.
pub type AppHooks = Hooks<AppContext>;

/// Run-time hooks for one service `S`.
pub type ServiceHooks<S> = Hooks<HookContext<S>>;

impl<C: ?Sized + 'static> Hooks<C> {
    /// No hooks.
    #[must_use]
    pub fn new() -> Self {
        Hooks::default()
    }

    /// Adds an around hook for `key` (`"all"` or a method name).
    #[must_use]
    pub fn around<M>(mut self, key: &str, hook: impl IntoAroundHook<C, M>) -> Self {
        self.around.push(key, Arc::new(hook.into_around_hook()));
        self
    }

    /// Adds a before hook for `key` (`"all"` or a method name).
    #[must_use]
    pub fn before<M>(mut self, key: &str, hook: impl IntoBeforeHook<C, M>) -> Self {
        self.before.push(key, Arc::new(hook.into_before_hook()));
        self
    }

    /// Adds an after hook for `key` (`"all"` or a method name).
    #[must_use]
    pub fn after<M>(mut self, key: &str, hook: impl IntoHook<C, M>) -> Self {
        self.after.push(key, Arc::new(hook.into_hook()));
        self
    }

    /// Adds an error hook for `key` (`"all"` or a method name).
    #[must_use]
    pub fn error<M>(mut self, key: &str, hook: impl IntoHook<C, M>) -> Self {
        self.error.push(key, Arc::new(hook.into_hook()));
        self
    }

    /// Adds an around hook for every method.
    #[must_use]
    pub fn around_all<M>(self, hook: impl IntoAroundHook<C, M>) -> Self {
        self.around("all", hook)
    }

    /// Adds a before hook for every method.
    #[must_use]
    pub fn before_all<M>(self, hook: impl IntoBeforeHook<C, M>) -> Self {
        self.before("all", hook)
    }

    /// Adds an after hook for every method.
    #[must_use]
    pub fn after_all<M>(self, hook: impl IntoHook<C, M>) -> Self {
        self.after("all", hook)
    }

    /// Adds an error hook for every method.
    #[must_use]
    pub fn error_all<M>(self, hook: impl IntoHook<C, M>) -> Self {
        self.error("all", hook)
    }

    /// The method keys hooks were added for, `"all"` left out; a key
    /// used by several kinds comes once per kind.
    pub(crate) fn method_keys(&self) -> impl Iterator<Item = &Method> {
        let around = self.around.by_method.iter().map(|(method, _)| method);
        let before = self.before.by_method.iter().map(|(method, _)| method);
        let after = self.after.by_method.iter().map(|(method, _)| method);
        let error = self.error.by_method.iter().map(|(method, _)| method);
        around.chain(before).chain(after).chain(error)
    }

    /// What these hooks need of the app, each requirement once (see
    /// [`Requirement`]).
    pub fn requirements(&self) -> Vec<Requirement> {
        let mut requirements = Vec::new();
        for hook in self.around.hooks() {
            add_unique(&mut requirements, hook.requirements());
        }
        for kind in [&self.before, &self.after, &self.error] {
            for hook in kind.hooks() {
                add_unique(&mut requirements, hook.requirements());
            }
        }
        requirements
    }

    /// True when no hook is registered.
    pub fn is_empty(&self) -> bool {
        self.around.is_empty()
            && self.before.is_empty()
            && self.after.is_empty()
            && self.error.is_empty()
    }

    /// Registers these hooks after those already in `slot` (the app's, or
    /// a service's run-time hooks); an empty result leaves `None`, so calls
    /// skip the level entirely.
    pub(crate) fn append_to(self, slot: &RwLock<Option<Arc<Hooks<C>>>>) {
        let mut slot = crate::sync::write(slot);
        let merged = match slot.as_deref() {
            Some(existing) => existing.merged(self),
            None => self,
        };
        *slot = (!merged.is_empty()).then(|| Arc::new(merged));
    }

    /// These hooks followed by `later`'s, as registering both in turn does.
    fn merged(&self, later: Hooks<C>) -> Hooks<C> {
        let mut merged = self.clone();
        merged.around.extend(later.around);
        merged.before.extend(later.before);
        merged.after.extend(later.after);
        merged.error.extend(later.error);
        merged
    }
}

impl<C: ?Sized> Default for Hooks<C> {
    fn default() -> Self {
        Hooks {
            around: KindHooks::default(),
            before: KindHooks::default(),
            after: KindHooks::default(),
            error: KindHooks::default(),
        }
    }
}

impl<C: ?Sized> Clone for Hooks<C> {
    fn clone(&self) -> Self {
        Hooks {
            around: self.around.clone(),
            before: self.before.clone(),
            after: self.after.clone(),
            error: self.error.clone(),
        }
    }
}
