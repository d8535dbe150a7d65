//! What the contract asks of every answer and every connection, written
//! by hand the cheapest way, so that the yardstick does the chat app's
//! work and no less (`CONTRACT_LAYERS=0` turns it off: the bare handler
//! of the first measurements).
//!
//! - Every answer carries `X-Content-Type-Options: nosniff` and, CORS open
//!   to any origin as the chat app's default is, `Access-Control-Allow-
//!   Origin: *`; a CORS preflight is answered `204` here.
//! - A panic in a handler is a `500 GeneralError` in Feathers' shape, not a
//!   dropped connection.
//! - A client that stalls while sending its request head is dropped after
//!   30 s (hyper's `header_read_timeout`, which needs a timer: `axum::serve`
//!   sets none, so connections are served by hand).

use std::convert::Infallible;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;

/// How long a client may take to send its request head.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The contract's work on every answer as a tower layer of its own (no
/// boxed future, no clone of the router per request).
#[derive(Clone, Copy)]
pub struct ContractLayer;

impl<S> tower_layer::Layer<S> for ContractLayer {
    type Service = Contract<S>;
    fn layer(&self, inner: S) -> Contract<S> {
        Contract { inner }
    }
}

/// See [`ContractLayer`].
#[derive(Clone)]
pub struct Contract<S> {
    inner: S,
}

impl<S> tower_service::Service<Request> for Contract<S>
where
    S: tower_service::Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = ContractFuture<S::Future>;

    fn poll_ready(&mut self, context: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(context)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if request.method() == Method::OPTIONS
            && request
                .headers()
                .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
        {
            return ContractFuture::Preflight {
                response: Some(preflight(&request)),
            };
        }
        ContractFuture::Inner {
            future: self.inner.call(request),
        }
    }
}

pin_project_lite::pin_project! {
    /// The answer of [`Contract`]: the inner one with the headers, a panic
    /// in it as a `500`, or a preflight's.
    #[project = ContractProjection]
    pub enum ContractFuture<F> {
        Inner { #[pin] future: F },
        Preflight { response: Option<Response> },
    }
}

impl<F: Future<Output = Result<Response, Infallible>>> Future for ContractFuture<F> {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        let future = match self.project() {
            ContractProjection::Preflight { response } => {
                return Poll::Ready(Ok(response.take().unwrap_or_default()));
            }
            ContractProjection::Inner { future } => future,
        };
        let mut response = match std::panic::catch_unwind(AssertUnwindSafe(|| future.poll(context)))
        {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(Ok(response))) => response,
            Ok(Poll::Ready(Err(never))) => match never {},
            Err(_panic) => panicked(),
        };
        let headers = response.headers_mut();
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        Poll::Ready(Ok(response))
    }
}

/// A panic's answer: Feathers' `GeneralError`.
fn panicked() -> Response {
    let body = r#"{"name":"GeneralError","message":"Internal server error","code":500,"className":"general-error"}"#;
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// A CORS preflight: any origin, the methods of the routes, the headers
/// asked for.
fn preflight(request: &Request) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET,HEAD,PUT,PATCH,POST,DELETE"),
    );
    if let Some(asked) = request
        .headers()
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
    {
        headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked.clone());
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// Serves `router` on `listener` until `shutdown` completes, each
/// connection with hyper's timer and the head's read timeout.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, _peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    eprintln!("accept: {error}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => return Ok(()),
        };
        let service = TowerToHyperService::new(router.clone());
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT);
            let _ = builder
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades()
                .await;
        });
    }
}
