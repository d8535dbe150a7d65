//! `ServiceHandle<S>`: typed internal calls that run every hook.

use std::sync::Arc;

use serde_json::Value;

use crate::app::App;
use crate::app::registry::{Registered, take_result};
use crate::error::{Error, Result};
use crate::hook::{Output, Payload, ServiceHooks};
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

impl<S: Service> ServiceHandle<S> {
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
    pub fn hooks(&self, hooks: ServiceHooks<S>) -> Result<()> {
        self.registered()?.add_hooks(hooks);
        Ok(())
    }

    /// Calls `method` through every hook and returns the result as it is.
    pub async fn call(
        &self,
        method: Method,
        id: Option<Id>,
        data: Option<Payload<S::Data, S::Patch>>,
        params: Params,
    ) -> Result<Output<S::Item>> {
        let entry = self.registered()?;
        let mut ctx = entry
            .call(self.app.clone(), method, id, data, params)
            .await?;
        take_result(&mut ctx)
    }

    async fn one(
        &self,
        method: Method,
        id: Option<Id>,
        data: Option<Payload<S::Data, S::Patch>>,
        params: Params,
    ) -> Result<S::Item> {
        let name = method.as_str().to_owned();
        match self.call(method, id, data, params).await? {
            Output::One(item) => Ok(item),
            other => Err(unexpected(&name, shape(&other))),
        }
    }

    async fn many(
        &self,
        method: Method,
        data: Option<Payload<S::Data, S::Patch>>,
        params: Params,
    ) -> Result<Vec<S::Item>> {
        let name = method.as_str().to_owned();
        match self.call(method, None, data, params).await? {
            Output::Many(items) => Ok(items),
            other => Err(unexpected(&name, shape(&other))),
        }
    }

    /// `find`: every record matching `params.query`, or a page of them.
    pub async fn find(&self, params: Params) -> Result<Found<S::Item>> {
        match self.call(Method::Find, None, None, params).await? {
            Output::Page(page) => Ok(Found::Page(page)),
            Output::Many(all) => Ok(Found::All(all)),
            other => Err(unexpected("find", shape(&other))),
        }
    }

    /// `get`: one record by id.
    pub async fn get(&self, id: impl Into<Id>, params: Params) -> Result<S::Item> {
        self.one(Method::Get, Some(id.into()), None, params).await
    }

    /// `create` with one record.
    pub async fn create(&self, data: S::Data, params: Params) -> Result<S::Item> {
        self.one(Method::Create, None, Some(Payload::One(data)), params)
            .await
    }

    /// `create` with a list of records.
    pub async fn create_many(&self, data: Vec<S::Data>, params: Params) -> Result<Vec<S::Item>> {
        self.many(Method::Create, Some(Payload::Many(data)), params)
            .await
    }

    /// `update`: replaces one record.
    pub async fn update(
        &self,
        id: impl Into<Id>,
        data: S::Data,
        params: Params,
    ) -> Result<S::Item> {
        self.one(
            Method::Update,
            Some(id.into()),
            Some(Payload::One(data)),
            params,
        )
        .await
    }

    /// `patch` with an id: merges `data` into one record.
    pub async fn patch(
        &self,
        id: impl Into<Id>,
        data: S::Patch,
        params: Params,
    ) -> Result<S::Item> {
        self.one(
            Method::Patch,
            Some(id.into()),
            Some(Payload::Patch(data)),
            params,
        )
        .await
    }

    /// `patch` with a null id: merges `data` into every record matching `params.query`.
    pub async fn patch_many(&self, data: S::Patch, params: Params) -> Result<Vec<S::Item>> {
        self.many(Method::Patch, Some(Payload::Patch(data)), params)
            .await
    }

    /// `remove` with an id.
    pub async fn remove(&self, id: impl Into<Id>, params: Params) -> Result<S::Item> {
        self.one(Method::Remove, Some(id.into()), None, params)
            .await
    }

    /// `remove` with a null id: every record matching `params.query`.
    pub async fn remove_many(&self, params: Params) -> Result<Vec<S::Item>> {
        self.many(Method::Remove, None, params).await
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
