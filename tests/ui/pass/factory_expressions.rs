//! Hook values from expressions, and the variadic factory form
//! `authenticate("a", "b")`, which calls the `authenticate` in scope with
//! one array.
use auth_core::prelude::*;
use serde_json::{Value, json};

struct Messages;

/// A hook value carrying configuration.
struct RequireField(&'static str);

impl<S: Service> Hook<HookContext<S>> for RequireField {
    async fn run(&self, ctx: &mut HookContext<S>) -> Result<()> {
        match ctx.params.query.contains_key(self.0) {
            true => Ok(()),
            false => Err(Error::bad_request(format!("{} is required", self.0))),
        }
    }
}

/// A stand-in with the shape of the framework's `authenticate`.
struct Authenticate<const N: usize>([&'static str; N]);

fn authenticate<const N: usize>(strategies: [&'static str; N]) -> Authenticate<N> {
    Authenticate(strategies)
}

impl<S: Service, const N: usize> BeforeHook<HookContext<S>> for Authenticate<N> {
    async fn run_before(&self, ctx: &mut HookContext<S>) -> Result<()> {
        ctx.params.set_field("strategies", self.0.to_vec());
        Ok(())
    }
}

#[hooks(before(
    all = [authenticate("jwt", "anonymous")],
    find = [RequireField("$limit"), RequireField::<>("$skip")],
))]
impl Service for Messages {
    type Item = Value;
    type Data = Value;
    type Patch = Value;
}

fn main() {}
