use auth_core::prelude::*;
use serde_json::Value;

struct Messages;

struct Authenticate;

fn authenticate<const N: usize>(_strategies: [&'static str; N]) -> Authenticate {
    Authenticate
}

impl<S: Service> BeforeHook<HookContext<S>> for Authenticate {
    async fn run_before(&self, _ctx: &mut HookContext<S>) -> Result<()> {
        Ok(())
    }
}

const JWT: &str = "jwt";

#[hooks(before(
    find = [authenticate()],
    get = [authenticate("jwt", "jwt")],
    create = [authenticate(JWT)],
))]
impl Service for Messages {
    type Item = Value;
    type Data = Value;
    type Patch = Value;
}

fn main() {}
