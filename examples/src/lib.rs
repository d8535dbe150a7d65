//! The apps of the runnable examples, as a library so that the workspace's
//! tests drive exactly what `cargo run --example ..` serves.

pub mod chat;
