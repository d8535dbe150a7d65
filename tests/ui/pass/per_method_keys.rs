//! A key for each of Feathers' six methods.
use auth_core::prelude::*;
use serde_json::{Value, json};

struct Messages;

async fn check(_ctx: &mut HookContext<Messages>) -> Result<()> {
    Ok(())
}

#[hooks(before(
    find = [check], get = [check], create = [check],
    update = [check], patch = [check], remove = [check],
))]
impl Service for Messages {
    type Item = Value;
    type Data = Value;
    type Patch = Value;
}

fn main() {}
