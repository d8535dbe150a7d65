//! Access control hooks: which records an external caller may touch
//! (`restrict_to_owner(..)`), which fields an external query may name
//! (`forbid_query_fields(..)`), and no multi calls from outside
//! (`disallow_external_multi`).
//!
//! Like Feathers' authentication hooks, they judge external calls only
//! (`params.provider` set): an internal call is the server's own code and
//! passes untouched. They run before the method, after `authenticate(..)`
//! has set `params.user`; as after or error hooks they do not compile.

use serde_json::Value;

use crate::authentication::hooks::value_at;
use crate::error::{Error, Result};
use crate::hook::{AppContext, BeforeHook, BoxFuture, HookContext};
use crate::params::Params;
use crate::query::refuse_named_fields;
use crate::{Id, Method, Service};

/// The message of a refused record, Feathers' own for this case.
const NOT_YOURS: &str = "You do not have the permissions to access this.";

/// The `restrict_to_owner(..)` hook: see [`restrict_to_owner`].
#[derive(Debug, Clone, Copy)]
pub struct RestrictToOwner {
    field: &'static str,
    user_id: &'static str,
}

/// Restricts an external call to the caller's own records: those whose
/// `field` holds the id of `params.user` (or, for a list, contains it), as
/// feathers-authentication-hooks' `setField` and `restrictToOwner` do.
///
/// * `find`, and `patch`/`remove` with a null id (multi): the query gets
///   `field = <the user's id>`, replacing any value the caller gave, so the
///   call sees and touches only the caller's records;
/// * `get`, `update`, `patch`, `remove` of one record: the record is looked
///   up first (an internal `get`, through the service's hooks); another's
///   record is `403 Forbidden`, a missing one `404 NotFound`. The query is
///   narrowed too, so a record changing hands between the look-up and the
///   method is a 404, never a write. Feathers' `setField` alone makes
///   another's record a 404; the 403 says what happened, and a record's
///   existence is no secret where ids are sequential;
/// * `create` and custom methods: the query is narrowed as well, which
///   does not make new data the caller's: set the owner in the data.
///
/// An external call without a user is refused: `401 NotAuthenticated` when
/// nothing authenticated it, `403 Forbidden` when a strategy did without a
/// user (an anonymous caller owns nothing). Internal calls pass untouched.
///
/// The user's id is read from its `id` field; [`RestrictToOwner::user_id`]
/// names another. A user without one is a server error: the hook is then
/// configured for another entity.
///
/// ```
/// use auth_core::prelude::*;
/// use auth_core::memory::MemoryService;
/// use serde_json::{json, Value};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let app = App::new().register("notes", MemoryService::<Value>::new());
/// let notes = app.service::<MemoryService>("notes");
/// notes.hooks(ServiceHooks::new().before_all(restrict_to_owner("userId")))?;
/// notes.create(json!({ "text": "Ada's", "userId": 1 }), Params::new()).await?;
///
/// // As `authenticate(..)` leaves an external call of user 2.
/// let mut params = Params::external(Provider::Rest);
/// params.authenticated = true;
/// params.user = Some(json!({ "id": 2, "email": "bob@example.com" }).into());
///
/// let error = notes.get(0, params.clone()).await.unwrap_err();
/// assert_eq!(error.code(), 403);
/// let Found::All(found) = notes.find(params).await? else { unreachable!() };
/// assert!(found.is_empty());
/// # Ok::<_, Error>(()) }).unwrap();
/// ```
pub fn restrict_to_owner(field: &'static str) -> RestrictToOwner {
    RestrictToOwner {
        field,
        user_id: "id",
    }
}

impl RestrictToOwner {
    /// Reads the user's id from `field` of `params.user` (a dot path)
    /// instead of `id`.
    #[must_use]
    pub fn user_id(mut self, field: &'static str) -> RestrictToOwner {
        self.user_id = field;
        self
    }

    /// The caller's id, or why the caller can not own anything.
    fn owner(&self, params: &Params) -> Result<Value> {
        let Some(user) = &params.user else {
            return Err(if params.authenticated {
                Error::forbidden(NOT_YOURS)
            } else {
                Error::not_authenticated("Not authenticated")
            });
        };
        match value_at(user.json()?, self.user_id) {
            Some(id) if !id.is_null() => Ok(id.clone()),
            _ => Err(Error::general(format!(
                "restrict_to_owner: params.user has no '{}' field",
                self.user_id
            ))),
        }
    }

    /// Refuses a record whose `field` does not hold `owner`.
    async fn check_record<S: Service>(
        &self,
        ctx: &HookContext<S>,
        id: &Id,
        owner: &Value,
    ) -> Result<()> {
        let service = ctx.app.service::<S>(&ctx.path);
        // Boxed: the look-up runs the service's own chain, which holds this
        // hook, and a future can not contain itself.
        let lookup: BoxFuture<'_, Result<S::Item>> =
            Box::pin(service.get(id.clone(), Params::new()));
        let record = lookup.await?;
        let record = serde_json::to_value(&record)
            .map_err(|error| Error::general(format!("Can not convert to JSON: {error}")))?;
        if holds_id(value_at(&record, self.field), owner) {
            Ok(())
        } else {
            Err(Error::forbidden(NOT_YOURS))
        }
    }
}

/// True when `stored` (an id, or a list of ids) holds `owner`; ids compare
/// as Feathers compares them, by their string form (`1` and `"1"` agree).
fn holds_id(stored: Option<&Value>, owner: &Value) -> bool {
    let Some(owner) = Id::from_json(owner) else {
        return false;
    };
    let same = |value: &Value| Id::from_json(value).is_some_and(|id| id.same_as(&owner));
    match stored {
        Some(Value::Array(ids)) => ids.iter().any(same),
        Some(value) => same(value),
        None => false,
    }
}

impl<S: Service> BeforeHook<HookContext<S>> for RestrictToOwner {
    async fn run_before(&self, ctx: &mut HookContext<S>) -> Result<()> {
        if !ctx.params.is_external() {
            return Ok(());
        }
        let owner = self.owner(&ctx.params)?;
        let one_record = matches!(
            ctx.method,
            Method::Get | Method::Update | Method::Patch | Method::Remove
        );
        if let Some(id) = ctx.id.as_ref().filter(|_| one_record) {
            self.check_record(ctx, id, &owner).await?;
        }
        ctx.params.query.insert(self.field.to_owned(), owner);
        Ok(())
    }
}

/// The `forbid_query_fields(..)` hook: see [`forbid_query_fields`].
#[derive(Debug, Clone, Copy)]
pub struct ForbidQueryFields<const N: usize> {
    fields: [&'static str; N],
}

/// Refuses an external call whose query names one of `fields` anywhere a
/// field can appear (a condition, `$or`/`$and` at any depth, `$sort`,
/// `$select`; see [`first_named_field`](crate::query::first_named_field)) with `400 BadRequest` naming the
/// field. Internal calls pass.
///
/// `protect(..)` strips a field from answers, but a filter still runs on
/// it: without this hook `?password[$gt]=$argon2id$v=19$m=1` tells, by
/// matching or not, one more character of another user's hash each time.
///
/// ```
/// use auth_core::prelude::*;
/// use auth_core::memory::MemoryService;
/// use serde_json::{json, Value};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let app = App::new().register("users", MemoryService::<Value>::new());
/// let users = app.service::<MemoryService>("users");
/// users.hooks(ServiceHooks::new().before_all(forbid_query_fields(["password"])))?;
///
/// let query = json!({ "password": { "$gt": "$argon2id$v=19$m" } });
/// let error = users.find(Params::external(Provider::Rest).with_query(query.clone())).await.unwrap_err();
/// assert_eq!(error.code(), 400);
/// assert_eq!(error.message(), "Field 'password' can not be used in a query");
/// // The server's own calls may.
/// users.find(Params::new().with_query(query)).await?;
/// # Ok::<_, Error>(()) }).unwrap();
/// ```
pub fn forbid_query_fields<const N: usize>(fields: [&'static str; N]) -> ForbidQueryFields<N> {
    const { assert!(N > 0, "forbid_query_fields(..) needs at least one field") };
    ForbidQueryFields { fields }
}

impl<const N: usize> ForbidQueryFields<N> {
    fn check(&self, params: &Params) -> Result<()> {
        if !params.is_external() {
            return Ok(());
        }
        refuse_named_fields(&params.query, &self.fields)
    }
}

impl<S: Service, const N: usize> BeforeHook<HookContext<S>> for ForbidQueryFields<N> {
    async fn run_before(&self, ctx: &mut HookContext<S>) -> Result<()> {
        self.check(&ctx.params)
    }
}

impl<const N: usize> BeforeHook<AppContext> for ForbidQueryFields<N> {
    async fn run_before(&self, ctx: &mut AppContext) -> Result<()> {
        self.check(ctx.params())
    }
}

/// The `disallow_external_multi` hook: an external multi call (`create`
/// with a list, `patch` or `remove` with a null id) is `405
/// MethodNotAllowed`, with the message of an adapter whose `multi` option
/// is off (`Can not patch multiple entries`). Internal calls pass, so the
/// server's own code may still change many records at once.
#[derive(Debug, Clone, Copy, Default)]
pub struct DisallowExternalMulti;

/// The `disallow_external_multi` hook, as a value usable in `#[hooks(..)]`
/// and `ServiceHooks`.
///
/// ```
/// use auth_core::prelude::*;
/// use auth_core::memory::{MemoryOptions, MemoryService};
/// use serde_json::{json, Value};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let app = App::new().register("notes", MemoryService::<Value>::with_options(MemoryOptions::new().multi(true)));
/// let notes = app.service::<MemoryService>("notes");
/// notes.hooks(ServiceHooks::new().before_all(disallow_external_multi))?;
///
/// let error = notes.remove_many(Params::external(Provider::Rest)).await.unwrap_err();
/// assert_eq!(error.code(), 405);
/// notes.remove_many(Params::new()).await?;
/// # Ok::<_, Error>(()) }).unwrap();
/// ```
#[allow(non_upper_case_globals)]
pub const disallow_external_multi: DisallowExternalMulti = DisallowExternalMulti;

impl<S: Service> BeforeHook<HookContext<S>> for DisallowExternalMulti {
    async fn run_before(&self, ctx: &mut HookContext<S>) -> Result<()> {
        if ctx.params.is_external() && ctx.is_multi() {
            return Err(Error::method_not_allowed(format!(
                "Can not {} multiple entries",
                ctx.method
            )));
        }
        Ok(())
    }
}
