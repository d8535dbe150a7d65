//! `/users`: anyone may sign up; everything else needs a valid JWT, and a
//! user changes or removes only their own record. Passwords are hashed on
//! the way in, never sent out, and never usable in a query.

use auth_core::authentication::new_token_epoch;
use auth_core::prelude::*;
use auth_core::store::Store;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A user. The password is only ever a hash, and never leaves the server.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    /// Assigned on sign-up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// The login name.
    pub email: String,
    /// The argon2id hash (the plain password on the way in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// The epoch of the user's access tokens: a fresh one on logout and
    /// on a change of password revokes the tokens issued before. The
    /// server's own: never read from a client, never sent to one.
    #[serde(
        default,
        rename = "tokenEpoch",
        skip_serializing_if = "Option::is_none"
    )]
    pub token_epoch: Option<String>,
}

/// The field of [`User::token_epoch`] (`AuthConfig::token_epoch_field`).
pub(super) const TOKEN_EPOCH: &str = "tokenEpoch";

fn empty(field: &str) -> Error {
    Error::bad_request(format!("'{field}' must not be empty"))
        .with_errors(serde_json::json!({ field: "must not be empty" }))
}

/// Before `create`, `update` and `patch` (after `normalize_email`, which
/// folds the email and refuses an empty one; before the password is
/// hashed): an empty password is refused, an id in the body is dropped (ids are the store's to assign), and so is a
/// client's `tokenEpoch`; a new password (and any `update`, which
/// replaces the record) gets a fresh token epoch, which revokes the
/// user's older tokens.
/// Uniqueness is the store's (`MemoryOptions::unique` in memory, the
/// `UNIQUE` column in SQL), checked where the record is written, so two
/// concurrent sign-ups can not both pass a check made here.
async fn prepare_user(ctx: &mut HookContext<Users>) -> Result<()> {
    let external = ctx.params.provider.is_some();
    let method = ctx.method.clone();
    match &mut ctx.data {
        Some(Payload::One(user)) => {
            user.id = None;
            if external {
                user.token_epoch = None;
            }
            if method == Method::Update {
                user.token_epoch = Some(new_token_epoch()?);
            }
            if user.password.as_deref().is_some_and(str::is_empty) {
                return Err(empty("password"));
            }
        }
        Some(Payload::Patch(Value::Object(patch))) => {
            if patch.get("password").and_then(Value::as_str) == Some("") {
                return Err(empty("password"));
            }
            if external {
                patch.remove(TOKEN_EPOCH);
            }
            if patch.contains_key("password") {
                patch.insert(TOKEN_EPOCH.to_owned(), Value::from(new_token_epoch()?));
            }
        }
        _ => {}
    }
    Ok(())
}

/// The users service: users kept in the storage chosen at start, behind these hooks.
#[hooks(
    before(
        // The local strategy's login looks the email up with `find`.
        find = [authenticate("jwt"), normalize_email("email")],
        get = [authenticate("jwt")],
        create = [normalize_email("email"), prepare_user, hash_password("password")],
        update = [
            authenticate("jwt"),
            restrict_to_owner("id"),
            normalize_email("email"),
            prepare_user,
            hash_password("password"),
        ],
        patch = [
            authenticate("jwt"),
            restrict_to_owner("id"),
            normalize_email("email"),
            prepare_user,
            hash_password("password"),
        ],
        remove = [authenticate("jwt"), restrict_to_owner("id")],
    ),
    after(all = [protect("password", "tokenEpoch")]),
)]
pub struct Users(pub Store<User>);
