//! `new()` starts a required configuration field at its type's `Default`;
//! a type without one is refused on the field, with what to do.
use auth_core::prelude::*;

#[derive(serde::Deserialize)]
struct Realm(String);

#[derive(Strategy)]
struct Local {
    #[strategy(config)]
    realm: Realm,
    #[strategy(config, default = Realm("api".to_owned()))]
    fallback: Realm,
}

impl Strategy for Local {
    async fn authenticate(&self, _: &AuthenticationRequest, _: &Params) -> Result<AuthResult> {
        Ok(AuthResult::new())
    }
}

fn main() {}
