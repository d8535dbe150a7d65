//! Authentication: strategies that turn what a caller presents into an
//! authenticated call.
//!
//! This module holds the strategy model; the authentication service, the
//! `jwt`, `local` and `anonymous` strategies and the `authenticate(..)`
//! hooks build on it.

mod config;
mod strategy;

pub use strategy::{AuthResult, DynStrategy, Strategy, StrategySetup};

#[doc(hidden)]
pub use config::{config_required, config_with_default, strategy_section};
