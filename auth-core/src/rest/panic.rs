//! A panic in a call (a hook, a strategy, a service, a `Serialize`
//! impl) becomes a `500 GeneralError` answer instead of a dropped
//! connection, for both transports: the REST handler and the socket's
//! method events run their calls through [`catching`].
//!
//! The client gets a fixed message (a panic's message may hold what it
//! should not see); the log gets the panic's message with the call's
//! method and path, never its query string, headers or ids (an
//! authentication id is a token).
//!
//! Only transports catch: an internal call (`app.service(..).find(..)`)
//! panics as any Rust call does, into its caller, which is a transport's
//! call when there is one.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;

use crate::error::{Error, Result};

/// What the client is told of a panic.
pub(crate) const MESSAGE: &str = "Internal error";

/// Runs `call`; a panic while it runs is logged (with `transport`,
/// `method` and `path`) and returned as a `GeneralError`. `path` is
/// written only when there is a panic to log (see [`CallPath`]).
pub(crate) async fn catching<T>(
    call: impl Future<Output = Result<T>>,
    transport: &str,
    method: &str,
    path: impl std::fmt::Display,
) -> Result<T> {
    // The state a panicking call leaves behind is the app's own (its
    // locks are not poisoned: `sync::lock` ignores poisoning), as after
    // any failed call; nothing of the call's own is used again.
    match AssertUnwindSafe(call).catch_unwind().await {
        Ok(result) => result,
        Err(payload) => {
            tracing::error!(
                transport,
                method,
                %path,
                panic = panic_message(payload.as_ref()),
                "a call panicked"
            );
            Err(Error::general(MESSAGE))
        }
    }
}

/// A call's route as the panic log writes it, `/svc` or `/svc/:id` (never
/// the id: an authentication id is a token); formatted only when a panic
/// is logged, so that a call that does not panic allocates nothing for it.
pub(crate) struct CallPath {
    /// The service's path.
    pub(crate) service: std::sync::Arc<str>,
    /// Whether the call had an id.
    pub(crate) with_id: bool,
}

impl std::fmt::Display for CallPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let id = if self.with_id { "/:id" } else { "" };
        write!(f, "/{}{id}", self.service)
    }
}

/// The message a panic was raised with (`panic!("..")`, `expect("..")`,
/// an `unwrap` on an error).
fn panic_message(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(a panic with no message)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_is_a_general_error_and_an_answer_passes() {
        let answer = catching(async { Ok(1) }, "test", "find", "/things").await;
        assert_eq!(answer, Ok(1));
        let panicked = catching(
            async {
                if true {
                    panic!("boom");
                }
                Ok(1)
            },
            "test",
            "find",
            "/things",
        )
        .await;
        assert_eq!(panicked, Err(Error::general(MESSAGE)));
    }

    #[test]
    fn messages_of_every_kind_of_panic_are_read() {
        let text: Box<dyn Any + Send> = Box::new("static");
        assert_eq!(panic_message(text.as_ref()), "static");
        let owned: Box<dyn Any + Send> = Box::new(String::from("formatted 1"));
        assert_eq!(panic_message(owned.as_ref()), "formatted 1");
        let other: Box<dyn Any + Send> = Box::new(5_u8);
        assert_eq!(panic_message(other.as_ref()), "(a panic with no message)");
    }
}
