//! Service events across instances through Redis (`auth_core::redis_sync`),
//! in one process: two apps, A and B, each with its own sync on the same
//! Redis channel, a publisher sending every `messages` event to one
//! channel, and a connection in it whose sink records what it gets.
//!
//! Exactly once is checked by order, not by waiting: Redis delivers a
//! channel's messages to each subscriber in the order they were
//! published, so once B has received an event A published after seeing
//! B's, B has also seen (and skipped) its own earlier messages.
//!
//! Needs a Redis server (`TEST_REDIS_URL`; `scripts/redis.sh run -- cargo
//! test`); the fault tests start a redis-server of their own, since they
//! stop it.

mod delivery;
mod faults;
mod harness;
mod skip;
