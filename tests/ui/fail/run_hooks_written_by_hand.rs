use auth_core::prelude::*;
use serde_json::Value;

struct Messages;

#[hooks(before(all = []))]
impl Service for Messages {
    type Item = Value;
    type Data = Value;
    type Patch = Value;

    async fn __run_hooks(&self, _ctx: &mut HookContext<Self>) -> Result<()> {
        Ok(())
    }
}

fn main() {}
