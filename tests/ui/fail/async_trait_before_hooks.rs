use auth_core::prelude::*;
use serde_json::Value;

struct Messages;

async fn check(_ctx: &mut HookContext<Messages>) -> Result<()> {
    Ok(())
}

#[async_trait::async_trait]
#[hooks(before(all = [check]))]
impl Service for Messages {
    type Item = Value;
    type Data = Value;
    type Patch = Value;

    async fn get(&self, _id: &Id, _params: &Params) -> Result<Value> {
        Ok(Value::Null)
    }
}

fn main() {}
