//! A hook whose future is not `Send` (it holds an `Rc` across an `.await`)
//! can not serve a service: every call may move between threads.
use std::rc::Rc;

use auth_core::prelude::*;

async fn not_send<S: Service>(ctx: &mut HookContext<S>) -> Result<()> {
    let count = Rc::new(ctx.params.query.len());
    tokio::task::yield_now().await;
    ctx.params.set_field("count", *count);
    Ok(())
}

struct Messages;

#[hooks(before(all = [not_send]))]
impl Service for Messages {
    type Item = serde_json::Value;
    type Data = serde_json::Value;
    type Patch = serde_json::Value;
}

fn main() {
    let _hooks = ServiceHooks::<Messages>::new().after_all(not_send);
}
