use auth_core::prelude::*;

struct Messages;

#[hooks(before(all = []))]
impl std::fmt::Display for Messages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("messages")
    }
}

fn main() {}
