use auth_core::prelude::*;

struct NotReadable;

#[derive(Strategy)]
struct Local {
    #[strategy(config)]
    hasher: NotReadable,
}

fn main() {}
