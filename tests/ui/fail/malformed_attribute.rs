use auth_core::prelude::*;
use serde_json::Value;

struct Messages;

#[hooks(before(all))]
impl Service for Messages {
    type Item = Value;
    type Data = Value;
    type Patch = Value;
}

fn main() {}
