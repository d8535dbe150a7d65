//! The authentication hooks: `authenticate(..)`, `allow_anonymous`,
//! `hash_password(..)`, `normalize_email(..)` and `protect(..)`.
//!
//! Each works on a service's `HookContext<S>` (in `#[hooks(..)]` or
//! `ServiceHooks`) and, where it makes sense, on the app's `AppContext`.

use serde_json::Value;

use crate::app::App;
use crate::authentication::STRATEGY;
use crate::authentication::password;
use crate::authentication::service::default_authentication;
use crate::authentication::strategy::{AuthResult, AuthResultParts};
use crate::error::{Error, Result};
use crate::hook::{AnyContext, AppContext, BeforeHook, Hook, HookContext, Requirement};
use crate::params::{AuthenticationRequest, Entity, Params};
use crate::query::UNQUERYABLE;
use crate::service::Service;

/// The `authenticate(..)` hook: see [`authenticate`].
#[derive(Debug, Clone, Copy)]
pub struct Authenticate<const N: usize> {
    strategies: [&'static str; N],
}

/// Authenticates the call with one of `strategies`, as Feathers'
/// `authenticate('jwt', 'anonymous')`:
///
/// * a call already authenticated passes;
/// * a call with `params.authentication` is authenticated with the strategy
///   it names, which must be one of `strategies`, and the result is merged
///   into its params (`user`, `authentication`, `anonymous`, ...,
///   `authenticated: true`); any failure is a `401`;
/// * an external call without credentials is `401 Not authenticated`;
/// * an internal call without credentials passes.
///
/// It runs only before the method: as an after or error hook it does not
/// compile. In `#[hooks(..)]`, write `authenticate("jwt", "anonymous")`.
#[must_use]
pub fn authenticate<const N: usize>(strategies: [&'static str; N]) -> Authenticate<N> {
    const { assert!(N > 0, "authenticate(..) needs at least one strategy") };
    Authenticate { strategies }
}

impl<const N: usize> Authenticate<N> {
    async fn run(&self, app: &App, path: &str, params: &mut Params) -> Result<()> {
        if params.authenticated {
            return Ok(());
        }
        let service = default_authentication(app)?;
        if service.path() == path {
            return Err(Error::not_authenticated(
                "The authenticate hook does not need to be used on the authentication service",
            ));
        }
        // The strategy sees the call's own params, marked authenticated, as
        // Feathers hands it `{...params, authenticated: true}`; no copy.
        params.authenticated = true;
        let outcome = match &params.authentication {
            Some(authentication) => {
                service
                    .authenticate(authentication, params, &self.strategies)
                    .await
            }
            None => {
                params.authenticated = false;
                return match params.provider {
                    Some(_) => Err(Error::not_authenticated("Not authenticated")),
                    None => Ok(()),
                };
            }
        };
        match outcome {
            Ok(result) => merge_result(params, result, service.config().entity.as_deref()),
            Err(error) => {
                params.authenticated = false;
                return Err(error);
            }
        }
        Ok(())
    }
}

/// Merges a strategy's result into params, as Feathers merges it, minus
/// the access token.
fn merge_result(params: &mut Params, result: AuthResult, entity: Option<&str>) {
    let AuthResultParts {
        fields,
        authentication,
        entity: typed,
    } = result.into_parts();
    if let Some((key, user)) = typed {
        if Some(key.as_str()) == entity {
            params.user = Some(user);
        } else {
            // An entity under another name is merged as JSON, as any field.
            if let Ok(json) = user.json() {
                params.fields.insert(key, json.clone());
            }
        }
    }
    if let Some(authentication) = authentication {
        params.authentication = Some(authentication);
    }
    params.authenticated = true;
    if fields.is_empty() {
        return;
    }
    // A result of plain fields only (the anonymous strategy's
    // `{"anonymous": true}`) becomes the params' fields as it is, when
    // there are none yet: no key hashed and stored a second time.
    let special = |key: &String| {
        key == "accessToken" || key == "authentication" || Some(key.as_str()) == entity
    };
    if params.fields.is_empty() && !fields.keys().any(special) {
        params.fields = fields;
        return;
    }
    for (key, value) in fields {
        match key.as_str() {
            "accessToken" => {}
            "authentication" => {
                // Built by hand: serde's `flatten` would buffer every field.
                if let Value::Object(mut fields) = value {
                    if let Some(Value::String(strategy)) = fields.remove("strategy") {
                        params.authentication = Some(AuthenticationRequest {
                            strategy,
                            fields,
                            payload: None,
                        });
                    }
                }
            }
            _ if Some(key.as_str()) == entity => params.user = Some(Entity::from(value)),
            _ => {
                params.fields.insert(key, value);
            }
        }
    }
}

impl<S: Service, const N: usize> BeforeHook<HookContext<S>> for Authenticate<N> {
    async fn run_before(&self, ctx: &mut HookContext<S>) -> Result<()> {
        let app = ctx.app.clone();
        self.run(&app, &ctx.path, &mut ctx.params).await
    }

    fn requirements(&self) -> Vec<Requirement> {
        self.strategies
            .map(|name| Requirement::new(STRATEGY, name))
            .to_vec()
    }
}

impl<const N: usize> BeforeHook<AppContext> for Authenticate<N> {
    async fn run_before(&self, ctx: &mut AppContext) -> Result<()> {
        let app = ctx.app().clone();
        let path = ctx.path().to_owned();
        self.run(&app, &path, ctx.params_mut()).await
    }

    fn requirements(&self) -> Vec<Requirement> {
        self.strategies
            .map(|name| Requirement::new(STRATEGY, name))
            .to_vec()
    }
}

/// The `allow_anonymous` hook of Feathers' anonymous-authentication recipe:
/// an external call that brings no credentials asks for the `anonymous`
/// strategy. Put it before `authenticate("jwt", "anonymous")`; a call with
/// a bad token keeps its token and fails, it is never downgraded.
#[derive(Debug, Clone, Copy, Default)]
pub struct AllowAnonymous;

/// The `allow_anonymous` hook, as a value usable in `#[hooks(..)]`,
/// `ServiceHooks` and `AppHooks` alike.
#[allow(non_upper_case_globals)]
pub const allow_anonymous: AllowAnonymous = AllowAnonymous;

fn ask_for_anonymous(params: &mut Params) {
    if params.provider.is_some() && params.authentication.is_none() {
        params.authentication = Some(AuthenticationRequest::new("anonymous"));
    }
}

impl<S: Service> Hook<HookContext<S>> for AllowAnonymous {
    async fn run(&self, ctx: &mut HookContext<S>) -> Result<()> {
        ask_for_anonymous(&mut ctx.params);
        Ok(())
    }
}

impl Hook<AppContext> for AllowAnonymous {
    async fn run(&self, ctx: &mut AppContext) -> Result<()> {
        ask_for_anonymous(ctx.params_mut());
        Ok(())
    }
}

/// The `hash_password(field)` hook: see [`hash_password`].
#[derive(Debug, Clone, Copy)]
pub struct HashPassword {
    field: &'static str,
}

/// Replaces `field` of the data (each record of a list) with its argon2id
/// hash, before `create`, `update` or `patch`. A record without the field is
/// left alone; a field that is not a string is a `BadRequest`.
#[must_use]
pub fn hash_password(field: &'static str) -> HashPassword {
    HashPassword { field }
}

/// The value at `path` in `value`: the key itself, else a dot path
/// (`auth.password`), as lodash's `get` reads it.
pub(crate) fn value_at<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    if let Some(found) = value.get(path) {
        return Some(found);
    }
    path.split('.').try_fold(value, |value, key| value.get(key))
}

/// [`value_at`], mutably.
fn value_at_mut<'v>(value: &'v mut Value, path: &str) -> Option<&'v mut Value> {
    if value.get(path).is_some() {
        return value.get_mut(path);
    }
    path.split('.')
        .try_fold(value, |value, key| value.get_mut(key))
}

/// Removes the value at `path` (a key, else a dot path), as lodash's `omit`.
fn remove_at(value: &mut Value, path: &str) {
    if let Value::Object(object) = value {
        if object.remove(path).is_some() {
            return;
        }
    }
    if let Some((parent, last)) = path.rsplit_once('.') {
        if let Some(Value::Object(parent)) = value_at_mut(value, parent) {
            parent.remove(last);
        }
    }
}

impl HashPassword {
    async fn hash_in(&self, record: &mut Value, client: Option<std::net::IpAddr>) -> Result<()> {
        let Some(value) = value_at_mut(record, self.field) else {
            return Ok(());
        };
        let Some(password) = value.as_str() else {
            return Err(Error::bad_request(format!(
                "'{}' must be a string",
                self.field
            )));
        };
        *value = Value::String(password::hash_password_for(client, password).await?);
        Ok(())
    }
}

impl<S: Service> BeforeHook<HookContext<S>> for HashPassword {
    async fn run_before(&self, ctx: &mut HookContext<S>) -> Result<()> {
        let Some(mut data) = ctx.data_json()? else {
            return Ok(());
        };
        let client = password::client_of(&ctx.params);
        match &mut data {
            Value::Array(records) => {
                for record in records {
                    self.hash_in(record, client).await?;
                }
            }
            record => self.hash_in(record, client).await?,
        }
        ctx.set_data_json(Some(data))
    }
}

/// The `normalize_email(field)` hook: see [`normalize_email`].
#[derive(Debug, Clone, Copy)]
pub struct NormalizeEmail {
    field: &'static str,
}

/// Stores and looks up emails in one form: before `create`, `update` and
/// `patch`, the data's `field` (a string) is trimmed and lowercased, and an
/// empty one is refused with `400 BadRequest` naming it; before `find`, a
/// `params.query[field]` string is folded the same way, so that the
/// `local` strategy's lookup (`?email=`) finds `Ada@Example.com ` as
/// `ada@example.com`. With a unique index on the field (the store's, so
/// that two concurrent sign-ups can not both pass), `Ada@Example.com`
/// can not sign up beside `ada@example.com`. Other methods are untouched;
/// a field that is not a string is left for the record type to refuse.
///
/// ```
/// use auth_core::prelude::*;
/// use auth_core::memory::{MemoryOptions, MemoryService};
/// use auth_core::authentication::normalize_email;
/// use serde_json::{json, Value};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let app = App::new().register(
///     "users",
///     MemoryService::<Value>::with_options(MemoryOptions::new().unique(["email"])),
/// );
/// let users = app.service::<MemoryService<Value>>("users");
/// users.hooks(
///     ServiceHooks::new()
///         .before("create", normalize_email("email"))
///         .before("find", normalize_email("email")),
/// )?;
/// let ada = users.create(json!({ "email": " Ada@Example.com " }), Params::new()).await?;
/// assert_eq!(ada["email"], "ada@example.com");
/// let squat = users.create(json!({ "email": "ADA@example.com" }), Params::new()).await;
/// assert_eq!(squat.unwrap_err().code(), 409);
/// let found = users
///     .find(Params::new().with_query(json!({ "email": "ADA@EXAMPLE.COM" })))
///     .await?;
/// assert_eq!(serde_json::to_value(found)?.as_array().map(Vec::len), Some(1));
/// # Ok::<_, Error>(()) }).unwrap();
/// ```
#[must_use]
pub fn normalize_email(field: &'static str) -> NormalizeEmail {
    NormalizeEmail { field }
}

/// An email as it is stored and looked up: trimmed and lowercased.
fn fold_email(email: &str) -> String {
    email.trim().to_lowercase()
}

impl NormalizeEmail {
    fn fold_in(&self, record: &mut Value) -> Result<()> {
        let Some(Value::String(email)) = value_at_mut(record, self.field) else {
            return Ok(());
        };
        *email = fold_email(email);
        if email.is_empty() {
            let field = self.field;
            return Err(Error::bad_request(format!("'{field}' must not be empty"))
                .with_errors(serde_json::json!({ field: "must not be empty" })));
        }
        Ok(())
    }
}

impl<S: Service> BeforeHook<HookContext<S>> for NormalizeEmail {
    async fn run_before(&self, ctx: &mut HookContext<S>) -> Result<()> {
        if ctx.method == crate::service::Method::Find {
            if let Some(Value::String(email)) = ctx.params.query.get_mut(self.field) {
                *email = fold_email(email);
            }
            return Ok(());
        }
        if !matches!(
            ctx.method,
            crate::service::Method::Create
                | crate::service::Method::Update
                | crate::service::Method::Patch
        ) {
            return Ok(());
        }
        let Some(mut data) = ctx.data_json()? else {
            return Ok(());
        };
        match &mut data {
            Value::Array(records) => {
                for record in records {
                    self.fold_in(record)?;
                }
            }
            record => self.fold_in(record)?,
        }
        ctx.set_data_json(Some(data))
    }
}

/// The `protect(..)` hook: see [`protect`].
#[derive(Debug, Clone, Copy)]
pub struct Protect<const N: usize> {
    fields: [&'static str; N],
}

/// Removes `fields` from what external callers receive, as Feathers'
/// `protect('password')`: what goes out (`dispatch`: the transports' answer,
/// a JSON call's reply and so an external call's `params.user`, and the
/// service's events) never carries them. Internal calls keep the full
/// result.
///
/// For an external call the typed result loses them too, as in Feathers,
/// when the record type lets them go (an `Option` or `#[serde(default)]`
/// field). A field the type requires (`password: String`) stays in the
/// typed result, which server code alone reads (a typed call through
/// `app.service::<S>(..)`, later hooks): a `User` can not be without it,
/// and the call must not fail after its write is stored.
#[must_use]
pub fn protect<const N: usize>(fields: [&'static str; N]) -> Protect<N> {
    const { assert!(N > 0, "protect(..) needs at least one field") };
    Protect { fields }
}

impl<const N: usize> Protect<N> {
    /// A protected field is never an oracle: no external query may name
    /// it (checked by the app before any hook runs).
    fn unqueryable(&self) -> Vec<Requirement> {
        self.fields
            .map(|field| Requirement::new(UNQUERYABLE, field))
            .to_vec()
    }

    fn strip(&self, record: &mut Value) {
        if record.is_object() {
            for field in self.fields {
                remove_at(record, field);
            }
        }
    }

    fn protected(&self, mut result: Value) -> Value {
        match &mut result {
            Value::Array(records) => records.iter_mut().for_each(|record| self.strip(record)),
            Value::Object(page) if page.contains_key("data") && page.contains_key("total") => {
                if let Some(Value::Array(records)) = page.get_mut("data") {
                    records.iter_mut().for_each(|record| self.strip(record));
                }
            }
            record => self.strip(record),
        }
        result
    }

    fn apply(&self, ctx: &mut dyn AnyContext) -> Result<()> {
        let current = match ctx.dispatch() {
            Some(dispatch) => Some((dispatch.clone(), false)),
            // A record's own fields are left out as it is written.
            None => ctx.result_json_without(&self.fields)?,
        };
        let Some((current, left_out)) = current else {
            return Ok(());
        };
        let done = left_out && self.fields.iter().all(|field| !field.contains('.'));
        let protected = if done {
            current
        } else {
            self.protected(current)
        };
        if ctx.params().is_external() {
            // Fails only when the record type requires a protected field:
            // the typed result then keeps it (see `protect`), and what
            // goes out is `dispatch`, set below.
            let _ = ctx.set_result_json_ref(&protected);
        }
        ctx.set_dispatch(Some(protected));
        Ok(())
    }
}

impl<S: Service, const N: usize> Hook<HookContext<S>> for Protect<N> {
    async fn run(&self, ctx: &mut HookContext<S>) -> Result<()> {
        self.apply(ctx)
    }

    fn requirements(&self) -> Vec<Requirement> {
        self.unqueryable()
    }
}

impl<const N: usize> Hook<AppContext> for Protect<N> {
    async fn run(&self, ctx: &mut AppContext) -> Result<()> {
        self.apply(ctx)
    }

    fn requirements(&self) -> Vec<Requirement> {
        self.unqueryable()
    }
}
