//! `ServiceHandle<S>`: typed internal calls that run every hook.

use std::future::Future;
use std::sync::Arc;

use serde_json::Value;

use crate::app::App;
use crate::app::method_keys::check_method_keys;
use crate::app::registry::{Registered, take_result};
use crate::error::{Error, Result};
use crate::hook::{HookContext, Output, Payload, ServiceHooks};
use crate::params::Params;
use crate::service::{Found, Id, Method, Service};

/// A typed handle on a registered service: `app.service::<Messages>("messages")`.
///
/// Calls through it are internal calls with the params given (no provider
/// unless those params carry one) and run the same hooks as external calls.
/// A handle on a path where no `S` is registered answers every call with
/// the error that explains why.
pub struct ServiceHandle<S: Service> {
    app: App,
    path: Arc<str>,
    entry: Result<Arc<Registered<S>>>,
}

impl<S: Service> Clone for ServiceHandle<S> {
    fn clone(&self) -> Self {
        ServiceHandle {
            app: self.app.clone(),
            path: self.path.clone(),
            entry: self.entry.clone(),
        }
    }
}

fn unexpected(method: &str, shape: &str) -> Error {
    Error::general(format!("A hook set a {shape} as the result of `{method}`"))
}

fn shape<T>(output: &Output<T>) -> &'static str {
    match output {
        Output::One(_) => "single record",
        Output::Many(_) => "list",
        Output::Page(_) => "page",
        Output::Custom(_) => "custom value",
    }
}

/// The single record a call of `method` returned.
async fn one<T>(method: Method, output: impl Future<Output = Result<Output<T>>>) -> Result<T> {
    match output.await? {
        Output::One(item) => Ok(item),
        other => Err(unexpected(method.as_str(), shape(&other))),
    }
}

/// The list a multi call of `method` returned.
async fn many<T>(
    method: Method,
    output: impl Future<Output = Result<Output<T>>>,
) -> Result<Vec<T>> {
    match output.await? {
        Output::Many(items) => Ok(items),
        other => Err(unexpected(method.as_str(), shape(&other))),
    }
}

impl<S: Service> ServiceHandle<S> {
    /// Publishes every event of this service to the channel `publisher`
    /// gives, before any publisher of the app (Feathers'
    /// `service.publish(fn)`).
    pub fn publish(
        &self,
        publisher: impl Fn(&crate::events::ServiceEvent, &App) -> crate::realtime::Channel
        + Send
        + Sync
        + 'static,
    ) -> &Self {
        self.app
            .publish_service(self.path.clone(), None, Arc::new(publisher));
        self
    }

    /// Publishes `event` of this service to the channel `publisher` gives,
    /// before any other publisher (Feathers' `service.publish(event, fn)`).
    pub fn publish_on(
        &self,
        event: crate::events::EventKind,
        publisher: impl Fn(&crate::events::ServiceEvent, &App) -> crate::realtime::Channel
        + Send
        + Sync
        + 'static,
    ) -> &Self {
        self.app
            .publish_service(self.path.clone(), Some(event), Arc::new(publisher));
        self
    }

    pub(crate) fn new(app: App, path: Arc<str>, entry: Result<Arc<Registered<S>>>) -> Self {
        ServiceHandle { app, path, entry }
    }

    /// The service's path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The service itself, to call without hooks (for tests and setup).
    pub fn inner(&self) -> Result<&S> {
        self.registered().map(|entry| &entry.service)
    }

    fn registered(&self) -> Result<&Registered<S>> {
        self.entry.as_deref().map_err(Clone::clone)
    }

    /// Adds hooks that run after those already registered (at compile time
    /// by `#[hooks(..)]`, or before at run time).
    ///
    /// # Errors
    ///
    /// The handle's own error (no `S` at its path), or a method key the
    /// service does not have (not `all`, a standard method or one of
    /// `S::CUSTOM_METHODS`), named with the closest valid one:
    /// `Unknown method 'crate' in ServiceHooks for 'messages': did you mean
    /// 'create'?`. Nothing is added then.
    pub fn hooks(&self, hooks: ServiceHooks<S>) -> Result<()> {
        let entry = self.registered()?;
        let owner = format!("ServiceHooks for '{}'", self.path);
        check_method_keys(&hooks, &owner, S::CUSTOM_METHODS)?;
        entry.add_hooks(hooks);
        // Their strategies are checked by the next setup.
        self.app.changed();
        Ok(())
    }

    /// The boxed context of a new call: params and data move into it here,
    /// once, so that the call's future holds only a pointer.
    fn start(
        &self,
        method: Method,
        id: Option<Id>,
        data: Option<Payload<S::Data, S::Patch>>,
        params: Params,
    ) -> Result<(&Registered<S>, Box<HookContext<S>>)> {
        let entry = self.registered()?;
        let ctx = entry.context(self.app.clone(), method, id, data, params);
        Ok((entry, ctx))
    }

    /// Calls `method` through every hook and returns the result as it is.
    pub fn call(
        &self,
        method: Method,
        id: Option<Id>,
        data: Option<Payload<S::Data, S::Patch>>,
        params: Params,
    ) -> impl Future<Output = Result<Output<S::Item>>> + Send + '_ {
        let started = self.start(method, id, data, params);
        async move {
            let (entry, ctx) = started?;
            take_result(&mut *entry.run(ctx).await?)
        }
    }

    /// `find`: every record matching `params.query`, or a page of them.
    pub fn find(&self, params: Params) -> impl Future<Output = Result<Found<S::Item>>> + Send + '_ {
        let output = self.call(Method::Find, None, None, params);
        async move {
            match output.await? {
                Output::Page(page) => Ok(Found::Page(page)),
                Output::Many(all) => Ok(Found::All(all)),
                other => Err(unexpected("find", shape(&other))),
            }
        }
    }

    /// `get`: one record by id.
    pub fn get(
        &self,
        id: impl Into<Id>,
        params: Params,
    ) -> impl Future<Output = Result<S::Item>> + Send + '_ {
        one(
            Method::Get,
            self.call(Method::Get, Some(id.into()), None, params),
        )
    }

    /// `create` with one record.
    pub fn create(
        &self,
        data: S::Data,
        params: Params,
    ) -> impl Future<Output = Result<S::Item>> + Send + '_ {
        let payload = Some(Payload::One(data));
        one(
            Method::Create,
            self.call(Method::Create, None, payload, params),
        )
    }

    /// `create` with a list of records.
    pub fn create_many(
        &self,
        data: Vec<S::Data>,
        params: Params,
    ) -> impl Future<Output = Result<Vec<S::Item>>> + Send + '_ {
        let payload = Some(Payload::Many(data));
        many(
            Method::Create,
            self.call(Method::Create, None, payload, params),
        )
    }

    /// `update`: replaces one record.
    pub fn update(
        &self,
        id: impl Into<Id>,
        data: S::Data,
        params: Params,
    ) -> impl Future<Output = Result<S::Item>> + Send + '_ {
        let payload = Some(Payload::One(data));
        one(
            Method::Update,
            self.call(Method::Update, Some(id.into()), payload, params),
        )
    }

    /// `patch` with an id: merges `data` into one record.
    pub fn patch(
        &self,
        id: impl Into<Id>,
        data: S::Patch,
        params: Params,
    ) -> impl Future<Output = Result<S::Item>> + Send + '_ {
        let payload = Some(Payload::Patch(data));
        one(
            Method::Patch,
            self.call(Method::Patch, Some(id.into()), payload, params),
        )
    }

    /// `patch` with a null id: merges `data` into every record matching `params.query`.
    pub fn patch_many(
        &self,
        data: S::Patch,
        params: Params,
    ) -> impl Future<Output = Result<Vec<S::Item>>> + Send + '_ {
        let payload = Some(Payload::Patch(data));
        many(
            Method::Patch,
            self.call(Method::Patch, None, payload, params),
        )
    }

    /// `remove` with an id.
    pub fn remove(
        &self,
        id: impl Into<Id>,
        params: Params,
    ) -> impl Future<Output = Result<S::Item>> + Send + '_ {
        one(
            Method::Remove,
            self.call(Method::Remove, Some(id.into()), None, params),
        )
    }

    /// `remove` with a null id: every record matching `params.query`.
    pub fn remove_many(
        &self,
        params: Params,
    ) -> impl Future<Output = Result<Vec<S::Item>>> + Send + '_ {
        many(
            Method::Remove,
            self.call(Method::Remove, None, None, params),
        )
    }

    /// A custom method by name, with JSON data.
    pub async fn custom(&self, method: &str, data: Value, params: Params) -> Result<Value> {
        match self
            .call(
                Method::from_name(method),
                None,
                Some(Payload::Custom(data)),
                params,
            )
            .await?
        {
            Output::Custom(value) => Ok(value),
            other => Err(unexpected(method, shape(&other))),
        }
    }
}

impl<S: Service> std::fmt::Debug for ServiceHandle<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceHandle")
            .field("path", &self.path)
            .field("service", &std::any::type_name::<S>())
            .field("registered", &self.entry.is_ok())
            .finish()
    }
}
