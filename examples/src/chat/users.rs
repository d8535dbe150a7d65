//! `/users`: anyone may sign up; everything else needs a valid JWT, and a
//! user changes or removes only their own record. Passwords are hashed on
//! the way in, never sent out, and never usable in a query.

use auth_core::memory::MemoryService;
use auth_core::prelude::*;
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
}

/// The users service.
pub struct Users {
    pub(crate) store: MemoryService<User>,
}

#[hooks(
    before(
        all = [forbid_query_fields(["password"])],
        find = [authenticate("jwt")],
        get = [authenticate("jwt")],
        create = [hash_password("password")],
        update = [authenticate("jwt"), restrict_to_owner("id"), hash_password("password")],
        patch = [authenticate("jwt"), restrict_to_owner("id"), hash_password("password")],
        remove = [authenticate("jwt"), restrict_to_owner("id")],
    ),
    after(all = [protect("password")]),
)]
impl Service for Users {
    type Item = User;
    type Data = User;
    type Patch = Value;

    async fn find(&self, params: &Params) -> Result<Found<User>> {
        self.store.find(params).await
    }
    async fn get(&self, id: &Id, params: &Params) -> Result<User> {
        self.store.get(id, params).await
    }
    async fn create(&self, data: User, params: &Params) -> Result<User> {
        let mut user = data;
        user.id = None;
        self.store.create(user, params).await
    }
    async fn update(&self, id: &Id, data: User, params: &Params) -> Result<User> {
        self.store.update(id, data, params).await
    }
    async fn patch(&self, id: &Id, data: Value, params: &Params) -> Result<User> {
        self.store.patch(id, data, params).await
    }
    async fn remove(&self, id: &Id, params: &Params) -> Result<User> {
        self.store.remove(id, params).await
    }
}
