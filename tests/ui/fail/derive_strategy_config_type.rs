use auth_core::prelude::*;

#[derive(Default)]
struct NotReadable;

#[derive(Strategy)]
struct Local {
    #[strategy(config)]
    hasher: NotReadable,
}

fn main() {}
