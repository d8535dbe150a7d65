//! Hooks for a custom method listed in CUSTOM_METHODS.
use auth_core::prelude::*;
use serde_json::{Value, json};

struct Messages;

async fn check(_ctx: &mut HookContext<Messages>) -> Result<()> {
    Ok(())
}

#[hooks(before(archive = [check]), after(archive = [check]))]
impl Service for Messages {
    type Item = Value;
    type Data = Value;
    type Patch = Value;
    const CUSTOM_METHODS: &'static [&'static str] = &["archive"];

    async fn custom(&self, method: &str, data: Value, _params: &Params) -> Result<Value> {
        Ok(json!({ "method": method, "data": data }))
    }
}

fn main() {}
