use auth_core::prelude::*;

#[derive(Strategy)]
#[strategy(name = "")]
#[strategy(title = "x")]
struct Named {
    #[strategy(default = 3)]
    not_config: u32,
    #[strategy(config, optional)]
    typo: u32,
}

#[derive(Strategy)]
struct Tuple(#[strategy(config)] String);

#[derive(Strategy)]
enum NotAStruct {
    A,
}

fn main() {}
