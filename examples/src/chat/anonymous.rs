//! The `anonymous` strategy of Feathers' cookbook, written by the app:
//! whoever asks for it (the `allow_anonymous` hook does, for external
//! calls that bring no credentials) is authenticated as anonymous.

use auth_core::prelude::*;

/// The `anonymous` strategy (its name is the type's, in kebab case).
#[derive(Strategy)]
pub struct Anonymous;

impl Strategy for Anonymous {
    async fn authenticate(&self, _: &AuthenticationRequest, _: &Params) -> Result<AuthResult> {
        Ok(AuthResult::new().with("anonymous", true))
    }
}
