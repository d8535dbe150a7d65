use auth_core::prelude::*;
use serde_json::Value;

struct Messages;
struct Users;

impl Service for Users {
    type Item = Value;
    type Data = Value;
    type Patch = Value;
}

async fn users_only(_ctx: &mut HookContext<Users>) -> Result<()> {
    Ok(())
}

#[hooks(before(all = [users_only]))]
impl Service for Messages {
    type Item = Value;
    type Data = Value;
    type Patch = Value;
}

fn main() {}
