//! All four kinds, each for `all` and for a method.
use auth_core::prelude::*;
use serde_json::{Value, json};

struct Messages;

async fn around_hook(ctx: &mut HookContext<Messages>, next: Next<'_, HookContext<Messages>>) -> Result<()> {
    next.run(ctx).await
}
async fn before_hook(_ctx: &mut HookContext<Messages>) -> Result<()> {
    Ok(())
}
async fn after_hook(_ctx: &mut HookContext<Messages>) -> Result<()> {
    Ok(())
}
async fn error_hook(ctx: &mut HookContext<Messages>) -> Result<()> {
    ctx.result = Some(Output::One(json!("recovered")));
    Ok(())
}

#[hooks(
    around(all = [around_hook], get = [around_hook]),
    before(all = [before_hook], get = [before_hook]),
    after(all = [after_hook], get = [after_hook]),
    error(all = [error_hook], get = [error_hook]),
)]
impl Service for Messages {
    type Item = Value;
    type Data = Value;
    type Patch = Value;
}

fn main() {
    let app = App::new().register("messages", Messages);
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    // `get` is not implemented (405); the error hook recovers.
    let value = runtime.block_on(app.service::<Messages>("messages").get(1, Params::new())).unwrap();
    assert_eq!(value, json!("recovered"));
}
