use auth_core::prelude::*;
use serde_json::Value;

struct Messages;

/// A hook that may only run before the method, as `authenticate(..)`.
struct Guard;

impl<S: Service> BeforeHook<HookContext<S>> for Guard {
    async fn run_before(&self, _ctx: &mut HookContext<S>) -> Result<()> {
        Ok(())
    }
}

#[hooks(before(all = [Guard]), after(all = [Guard]))]
impl Service for Messages {
    type Item = Value;
    type Data = Value;
    type Patch = Value;
}

fn main() {}
