//! The `anonymous` strategy of Feathers' cookbook: whoever asks for it is
//! authenticated as anonymous. Pair it with the `allow_anonymous` hook,
//! which asks for it on external calls that bring no credentials.

use crate::authentication::strategy::{AuthResult, Strategy};
use crate::error::Result;
use crate::params::{AuthenticationRequest, Params};

/// The `anonymous` strategy: `{ "anonymous": true }`.
#[derive(auth_macros::Strategy, Debug, Default, Clone, Copy)]
pub struct Anonymous;

impl Strategy for Anonymous {
    async fn authenticate(&self, _: &AuthenticationRequest, _: &Params) -> Result<AuthResult> {
        Ok(AuthResult::new().with("anonymous", true))
    }
}
