//! Generic hook functions serve any service; their type is inferred.
use auth_core::prelude::*;
use serde_json::{Value, json};

struct Messages;

async fn log_call<S: Service>(ctx: &mut HookContext<S>) -> Result<()> {
    let _ = (&ctx.path, &ctx.method);
    Ok(())
}

async fn timed<S: Service>(ctx: &mut HookContext<S>, next: Next<'_, HookContext<S>>) -> Result<()> {
    next.run(ctx).await
}

#[hooks(around(all = [timed]), before(all = [log_call]), after(all = [log_call]))]
impl Service for Messages {
    type Item = Value;
    type Data = Value;
    type Patch = Value;
}

fn main() {}
