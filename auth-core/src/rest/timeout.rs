//! The request timeout: a request not answered within its time limit is
//! dropped and answered `408 Timeout` in Feathers' JSON.
//!
//! The timer is armed only when the request has to wait: a request the app
//! answers in its first poll (every in-memory call does) costs a clock
//! read, not a timer registration. The deadline still counts from the
//! moment the request reached the layer.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::response::Response;
use pin_project_lite::pin_project;
use tokio::time::{Instant, Sleep};
use tower::{Layer, Service};

use crate::rest::reply;

/// Limits each request to `limit`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestTimeoutLayer {
    limit: Duration,
}

impl RequestTimeoutLayer {
    pub(crate) fn new(limit: Duration) -> RequestTimeoutLayer {
        RequestTimeoutLayer { limit }
    }
}

impl<S> Layer<S> for RequestTimeoutLayer {
    type Service = RequestTimeout<S>;

    fn layer(&self, inner: S) -> RequestTimeout<S> {
        RequestTimeout {
            inner,
            limit: self.limit,
        }
    }
}

/// The service [`RequestTimeoutLayer`] makes.
#[derive(Debug, Clone)]
pub(crate) struct RequestTimeout<S> {
    inner: S,
    limit: Duration,
}

impl<S, R> Service<R> for RequestTimeout<S>
where
    S: Service<R, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = TimeoutFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        TimeoutFuture {
            inner: self.inner.call(request),
            deadline: Instant::now() + self.limit,
            timer: None,
        }
    }
}

pin_project! {
    /// A request's answer, or `408` once its deadline passed.
    pub(crate) struct TimeoutFuture<F> {
        #[pin]
        inner: F,
        deadline: Instant,
        timer: Option<Pin<Box<Sleep>>>,
    }
}

impl<F> Future for TimeoutFuture<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(answer) = this.inner.poll(cx) {
            return Poll::Ready(answer);
        }
        let deadline = *this.deadline;
        let timer = this
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Ok(reply::timed_out())),
            Poll::Pending => Poll::Pending,
        }
    }
}
