//! `/users`: anyone may sign up; everything else needs a valid JWT.
//! Passwords are hashed on the way in and never sent out.

use auth_core::memory::MemoryService;
use auth_core::prelude::*;
use serde::{Deserialize, Serialize};

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
}

/// Before `create`: ids are the store's to assign, never the client's.
async fn new_user(ctx: &mut HookContext<Users>) -> Result<()> {
    if let Some(Payload::One(user)) = &mut ctx.data {
        user.id = None;
    }
    Ok(())
}

/// The users service: users kept in memory, behind these hooks.
#[hooks(
    before(
        find = [authenticate("jwt")],
        get = [authenticate("jwt")],
        create = [new_user, hash_password("password")],
        update = [authenticate("jwt"), hash_password("password")],
        patch = [authenticate("jwt"), hash_password("password")],
        remove = [authenticate("jwt")],
    ),
    after(all = [protect("password")]),
)]
pub struct Users(pub MemoryService<User>);
