//! A concrete hook function for one service, before every method.
use auth_core::prelude::*;
use serde_json::{Value, json};

struct Messages;

async fn require_query(ctx: &mut HookContext<Messages>) -> Result<()> {
    if ctx.params.query.is_empty() {
        return Err(Error::bad_request("A query is required"));
    }
    Ok(())
}

#[hooks(before(all = [require_query]))]
impl Service for Messages {
    type Item = Value;
    type Data = Value;
    type Patch = Value;

    async fn get(&self, id: &Id, _params: &Params) -> Result<Value> {
        Ok(json!({ "id": id.to_json() }))
    }
}

fn main() {}
