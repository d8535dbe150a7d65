//! `/secrets`: for users with a valid JWT only, never anonymous callers.

use auth_core::prelude::*;
use serde_json::{Value, json};

/// The secrets service.
pub struct Secrets;

#[hooks(before(find = [authenticate("jwt")]))]
impl Service for Secrets {
    type Item = Value;
    type Data = Value;
    type Patch = Value;

    async fn find(&self, _params: &Params) -> Result<Found<Value>> {
        Ok(Found::All(vec![json!({ "secret": "ok" })]))
    }
}
