//! A service that implements only some methods still gets a chain for
//! every method.
use auth_core::prelude::*;
use serde_json::{Value, json};

struct Messages;

async fn check(_ctx: &mut HookContext<Messages>) -> Result<()> {
    Ok(())
}

#[hooks(before(all = [check], create = [check]))]
impl Service for Messages {
    type Item = Value;
    type Data = Value;
    type Patch = Value;

    async fn get(&self, id: &Id, _params: &Params) -> Result<Value> {
        Ok(json!({ "id": id.to_json() }))
    }
}

fn main() {
    let app = App::new().register("messages", Messages);
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let error = runtime
        .block_on(app.service::<Messages>("messages").create(json!({}), Params::new()))
        .unwrap_err();
    assert_eq!(error.code(), 405);
}
