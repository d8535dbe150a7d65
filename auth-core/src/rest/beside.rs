//! The sockets beside the REST stack, not around it: a request for the
//! Socket.IO path goes to socketioxide's service, any other straight to
//! the REST layers under it.
//!
//! Layered around the REST stack, socketioxide's service saw every
//! request: it wrapped each REST future and answer body in its own types,
//! and the answer was boxed once more to come back to axum's `Response`.
//! Routed by path first, a REST request never meets them. What each
//! request is answered is unchanged: socketioxide itself hands any path
//! but its own to the service under it, which is the same REST stack.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::response::Response;
use http::Request;
use pin_project_lite::pin_project;
use tower::{Layer, Service, ServiceExt};

/// Socket.IO's path (socketioxide's default, which the app keeps).
const SOCKET_PATH: &str = "/socket.io";

/// Whether socketioxide serves `path`: its own test, `/socket.io` itself
/// or anything under `/socket.io/`.
fn is_socket_path(path: &str) -> bool {
    path.strip_prefix(SOCKET_PATH)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Puts the sockets' stack `L` beside the service it layers.
#[derive(Clone)]
pub(crate) struct SocketsBesideLayer<L> {
    sockets: L,
}

impl<L> SocketsBesideLayer<L> {
    /// `sockets` is the stack serving Socket.IO's path (around the REST
    /// stack, for what it does not serve itself).
    pub(crate) fn new(sockets: L) -> SocketsBesideLayer<L> {
        SocketsBesideLayer { sockets }
    }
}

impl<L: Layer<R>, R: Clone> Layer<R> for SocketsBesideLayer<L> {
    type Service = SocketsBeside<L::Service, R>;

    fn layer(&self, rest: R) -> Self::Service {
        SocketsBeside {
            sockets: self.sockets.layer(rest.clone()),
            rest,
        }
    }
}

/// See [`SocketsBesideLayer`].
#[derive(Clone)]
pub(crate) struct SocketsBeside<S, R> {
    sockets: S,
    rest: R,
}

/// A socket request's answer: boxed (there are few of them, and their
/// futures are large).
type SocketFuture<E> = Pin<Box<dyn Future<Output = Result<Response, E>> + Send>>;

pin_project! {
    /// The answer of [`SocketsBeside`].
    #[project = AnswerProjection]
    pub(crate) enum Answer<F, E> {
        Rest { #[pin] future: F },
        Socket { future: SocketFuture<E> },
    }
}

impl<F, E> Future for Answer<F, E>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            AnswerProjection::Rest { future } => future.poll(cx),
            AnswerProjection::Socket { future } => future.as_mut().poll(cx),
        }
    }
}

impl<S, R, B> Service<Request<B>> for SocketsBeside<S, R>
where
    R: Service<Request<B>, Response = Response>,
    S: Service<Request<B>, Response = Response, Error = R::Error> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = Response;
    type Error = R::Error;
    type Future = Answer<R::Future, R::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // The sockets' stack is made ready when a request is for it.
        self.rest.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        if is_socket_path(request.uri().path()) {
            Answer::Socket {
                future: Box::pin(self.sockets.clone().oneshot(request)),
            }
        } else {
            Answer::Rest {
                future: self.rest.call(request),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_socket_path;

    #[test]
    fn the_socket_path_is_socketioxides() {
        for path in ["/socket.io", "/socket.io/", "/socket.io/x"] {
            assert!(is_socket_path(path), "{path}");
        }
        for path in [
            "/",
            "/socket.iox",
            "/socket",
            "/messages/socket.io",
            "/socket.i",
        ] {
            assert!(!is_socket_path(path), "{path}");
        }
    }
}
