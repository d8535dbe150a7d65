use auth_core::prelude::*;
use serde_json::Value;

struct Messages;

async fn wrong_shape(_ctx: &mut HookContext<Messages>, _extra: u32) -> Result<()> {
    Ok(())
}

#[hooks(before(all = [wrong_shape]), after(get = [42]))]
impl Service for Messages {
    type Item = Value;
    type Data = Value;
    type Patch = Value;
}

fn main() {}
