//! Procedural macros for `auth-core`.
//!
//! This crate is re-exported by `auth-core` (feature `macros`, on by
//! default); depend on `auth-core` rather than on this crate directly.
//! The `#[hooks(..)]` attribute and `#[derive(Strategy)]` live here.
