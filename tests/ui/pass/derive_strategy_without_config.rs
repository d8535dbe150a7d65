//! The seed's anonymous strategy: a derive and the `authenticate` logic.
use auth_core::prelude::*;

#[derive(Strategy)]
struct Anonymous;

impl Strategy for Anonymous {
    async fn authenticate(&self, _: &AuthenticationRequest, _: &Params) -> Result<AuthResult> {
        Ok(AuthResult::new().with("anonymous", true))
    }
}

fn main() {
    assert_eq!(<Anonymous as StrategySetup>::NAME, "anonymous");
}
