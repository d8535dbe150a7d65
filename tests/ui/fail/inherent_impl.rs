use auth_core::prelude::*;

struct Messages;

#[hooks(before(all = []))]
impl Messages {
    fn new() -> Messages {
        Messages
    }
}

fn main() {}
