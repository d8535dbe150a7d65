// A builder's result dropped is a hook, a service or an option lost:
// every builder is `#[must_use]`.
#![deny(unused_must_use)]

use std::time::Duration;

use auth_core::memory::{MemoryOptions, MemoryService};
use auth_core::prelude::*;
use serde_json::Value;

async fn audit(_ctx: &mut AppContext) -> Result<()> {
    Ok(())
}

fn main() {
    let hooks = AppHooks::new();
    hooks.before("create", audit);

    let app = App::new();
    app.clone().register("messages", MemoryService::<Value>::new());

    let options = MemoryOptions::new();
    options.multi(true);

    let limit = RateLimit::per_peer(5, Duration::from_secs(60));
    limit.max_keys(100);

    let config = AuthConfig::new("a secret");
    config.auth_strategies(["jwt"]);

    Params::new().with_query(serde_json::json!({ "$limit": 1 }));
}
