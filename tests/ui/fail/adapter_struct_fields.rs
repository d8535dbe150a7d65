//! A struct `#[hooks(..)]` is on must say which field holds the service.
use auth_core::memory::MemoryService;
use auth_core::prelude::*;

#[hooks(before(all = [allow_anonymous]))]
struct NoField;

#[hooks(before(all = [allow_anonymous]))]
struct Unmarked {
    first: MemoryService,
    second: MemoryService,
}

#[hooks(before(all = [allow_anonymous]))]
struct MarkedTwice {
    #[service]
    first: MemoryService,
    #[service]
    second: MemoryService,
}

#[hooks(before(all = [allow_anonymous]))]
struct NotAService(String);

#[hooks(before(crate = [allow_anonymous]))]
struct Misspelt(MemoryService);

fn main() {}
