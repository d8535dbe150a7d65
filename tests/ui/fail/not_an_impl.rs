use auth_core::prelude::*;

#[hooks(before(all = []))]
struct Messages;

fn main() {}
