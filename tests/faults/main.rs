//! Fault tests with real servers: the chat app while its PostgreSQL
//! server crashes and comes back (`postgres_outage`), its SQLite file
//! when the process is killed mid-write (`sqlite_kill`), and two
//! instances while their Redis is down (`redis_outage`). Each is bounded
//! (no step waits without a deadline), and together they take well under
//! a minute.
//!
//! The PostgreSQL and Redis tests start servers of their own (they stop
//! them), and are skipped like the other tests of those servers when
//! `TEST_POSTGRES_URL` / `TEST_REDIS_URL` is unset (failing instead when
//! `REQUIRE_POSTGRES` / `REQUIRE_REDIS` is set, as in CI).

mod harness;
mod postgres_outage;
mod redis_outage;
mod sqlite_kill;
