//! Configuration fields, with and without defaults, beside plain fields,
//! on a generic strategy.
use auth_core::prelude::*;
use serde_json::json;

#[derive(Strategy)]
#[strategy(name = "api-key")]
struct ApiKey<H: Send + Sync + 'static> {
    #[strategy(config, default = "x-api-key".to_owned())]
    header: String,
    #[strategy(config)]
    keys: Vec<String>,
    hasher: H,
}

impl<H: Send + Sync + 'static> Strategy for ApiKey<H> {
    async fn authenticate(&self, auth: &AuthenticationRequest, _: &Params) -> Result<AuthResult> {
        match auth.get_str("key") {
            Some(key) if self.keys.iter().any(|known| known == key) => Ok(AuthResult::new()),
            _ => Err(Error::not_authenticated("Invalid API key")),
        }
    }
}

fn main() {
    let mut strategy = ApiKey::new(());
    assert_eq!(strategy.header, "x-api-key");
    StrategySetup::configure(&mut strategy, &json!({ "keys": ["k1"] })).unwrap();
    assert_eq!(strategy.header, "x-api-key");
    assert_eq!(strategy.keys, ["k1"]);
    let () = strategy.hasher;
}
