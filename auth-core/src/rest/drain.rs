//! Reading and discarding what the app left of a request body, so that the
//! client reads its answer.
//!
//! When the app answers before reading a body to its end (a `413` for a
//! `Content-Length` over the limit, or for a streamed body that went over
//! it; a `408`; a `DELETE` with a body), hyper closes the connection with
//! the rest of the body unread. The kernel then resets the connection
//! rather than closing it, and a client still writing its body loses the
//! answer along with it (Node's `fetch` reports a network error). So the
//! server answers at once and reads and discards the rest beside the
//! answer, within a size and a time
//! ([`RestOptions::drain_limit`](super::RestOptions::drain_limit),
//! [`RestOptions::drain_timeout`](super::RestOptions::drain_timeout)), as
//! Node's HTTP server dumps an unread request; past either bound the
//! connection closes as before. A `408` is not drained: its client is not
//! sending, or too slowly to wait for.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::body::{Body, Bytes, Frame, Incoming, SizeHint};

use crate::sync::lock;

/// Where a request body the app dropped unfinished is put back.
pub(crate) type Leftover = Arc<Mutex<Option<Incoming>>>;

/// A request body that, dropped before its end, puts itself back in its
/// [`Leftover`] rather than being dropped.
pub(crate) struct Tracked {
    body: Option<Incoming>,
    /// `None` for a body that was empty from the start: nothing to keep.
    leftover: Option<Leftover>,
    /// Whether the app polled the body at all.
    started: bool,
    /// Whether the body was read to its end.
    ended: bool,
    /// The request asked `Expect: 100-continue`: an unread body was never
    /// asked for (hyper sends `100 Continue` on the first read), so the
    /// client is not sending it and it is not drained.
    expects_continue: bool,
}

impl Tracked {
    /// Tracks `body`, putting what is left of it in `leftover` when
    /// dropped unfinished (a body without a `leftover` is empty).
    pub(crate) fn new(
        body: Incoming,
        leftover: Option<Leftover>,
        expects_continue: bool,
    ) -> Tracked {
        Tracked {
            body: Some(body),
            leftover,
            started: false,
            ended: false,
            expects_continue,
        }
    }
}

impl Body for Tracked {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let this = self.get_mut();
        this.started = true;
        let Some(body) = this.body.as_mut() else {
            return Poll::Ready(None);
        };
        let frame = Pin::new(body).poll_frame(cx);
        if matches!(frame, Poll::Ready(None)) {
            this.ended = true;
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        self.ended || self.body.as_ref().is_none_or(Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        self.body
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), Body::size_hint)
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        let (Some(body), Some(leftover)) = (self.body.take(), &self.leftover) else {
            return;
        };
        let unasked = self.expects_continue && !self.started;
        if !self.ended && !body.is_end_stream() && !unasked {
            *lock(leftover) = Some(body);
        }
    }
}

/// Reads and discards `body` to its end, at most `limit` bytes of it for
/// at most `timeout`; whether it got to the end. A body whose
/// `Content-Length` already says more than `limit` is not read at all.
pub(crate) async fn drain(mut body: Incoming, limit: usize, timeout: Duration) -> bool {
    let limit = u64::try_from(limit).unwrap_or(u64::MAX);
    if body.size_hint().lower() > limit {
        return false;
    }
    let read = async {
        let mut left = limit;
        loop {
            match std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
                None => return true,
                Some(Err(_)) => return false,
                Some(Ok(frame)) => {
                    let size = frame
                        .data_ref()
                        .map_or(0, |data| u64::try_from(data.len()).unwrap_or(u64::MAX));
                    match left.checked_sub(size) {
                        Some(rest) => left = rest,
                        None => return false,
                    }
                }
            }
        }
    };
    tokio::time::timeout(timeout, read).await.unwrap_or(false)
}
