use auth_core::prelude::*;

#[hooks(before(all = []))]
fn messages() {}

fn main() {}
