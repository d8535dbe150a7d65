//! What the hook benchmarks share: a call polled once, a no-op hook, and
//! a counter service with or without a compiled chain.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use auth_core::prelude::*;

/// Polls `future` once with a no-op waker: every call benchmarked is ready
/// at once, so no executor time is measured.
pub fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the benchmarked call was expected to complete at once"),
    }
}

/// A hook that does nothing, for any service.
pub async fn noop<S: Service>(_ctx: &mut HookContext<S>) -> Result<()> {
    Ok(())
}

/// A service whose `get` adds one to the id, with the attribute given.
macro_rules! counter_service {
    ($name:ident $(, #[$attr:meta])?) => {
        struct $name;

        $(#[$attr])?
        impl Service for $name {
            type Item = i64;
            type Data = i64;
            type Patch = i64;

            async fn get(&self, id: &Id, _params: &Params) -> Result<i64> {
                Ok(id.as_number().unwrap_or(0) + 1)
            }
        }
    };
}
pub(crate) use counter_service;
