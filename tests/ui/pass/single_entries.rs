//! A single entry may be written without brackets, as Feathers accepts
//! `before: { all: hook }`.
use auth_core::prelude::*;
use serde_json::{Value, json};

struct Messages;

async fn check(_ctx: &mut HookContext<Messages>) -> Result<()> {
    Ok(())
}

#[hooks(before(all = check), after(get = check, find = []))]
impl Service for Messages {
    type Item = Value;
    type Data = Value;
    type Patch = Value;
}

fn main() {}
