//! The REST transport: an [`App`] as an `axum::Router` speaking FeathersJS
//! v5's REST protocol.
//!
//! | request | call |
//! | --- | --- |
//! | `GET /svc` | `find` (query string in the nested `qs` format) |
//! | `GET /svc/:id` | `get` |
//! | `POST /svc` | `create`, answered with `201` |
//! | `POST /svc` with `X-Service-Method: name` | the custom method `name` |
//! | `PUT /svc/:id` | `update` |
//! | `PATCH /svc/:id`, `PATCH /svc` | `patch` (multi when no id) |
//! | `DELETE /svc/:id`, `DELETE /svc` | `remove` (multi when no id) |
//!
//! Every call is external (`params.provider == Some(Provider::Rest)`), with
//! the request's headers and, when a registered strategy finds credentials
//! in the request (`Authorization: Bearer <jwt>`), `params.authentication`.
//! Without the `auth` feature there are no strategies: the header is only
//! in `params.headers` and `params.authentication` stays `None`.
//! Bodies are JSON, at most [`RestOptions::body_limit`] bytes (1 MiB):
//! malformed is `400`, oversized `413`. A body is read only when its
//! `Content-Type` is `application/json` or `application/*+json` (UTF-8);
//! any other type (`text/plain`, forms), or a body with none, is
//! `415 UnsupportedMediaType` and never reaches a service; an empty body
//! is `{}`. Every error is Feathers' JSON with the status equal to its
//! `code`; an unknown path is `404`. A panic in a call (a hook, a
//! strategy, the service) is a `500 GeneralError` (`Internal error`),
//! logged at `ERROR` with its message, the method and the path, and the
//! connection serves the next request.
//!
//! # Resource bounds
//!
//! Each bound has a default and a field of [`RestOptions`]; pass the
//! options to [`App::into_router_with`] or [`App::serve_with`], or set
//! them in the `[rest]` section of the configuration, which
//! [`App::listen`], [`App::serve`] and [`App::into_router`] read
//! ([`App::rest_options`]).
//!
//! | bound | default | beyond it | field |
//! | --- | --- | --- | --- |
//! | request body | 1 MiB | `413 PayloadTooLarge` | [`body_limit`](RestOptions::body_limit) |
//! | query string length | 16 KiB | `400 BadRequest` | [`query_limits.max_length`](QsLimits::max_length) |
//! | query string pairs | 1000 | `400 BadRequest` | [`query_limits.max_params`](QsLimits::max_params) |
//! | query string bracket depth | 5 | `400 BadRequest` | [`query_limits.max_depth`](QsLimits::max_depth) |
//! | time to answer | 30 s | `408 Timeout` | [`request_timeout`](RestOptions::request_timeout) |
//! | time to send a request head, and idle time between requests | 20 s | the connection is closed | [`header_read_timeout`](RestOptions::header_read_timeout) |
//! | time a client leaves what it is sent unread (an answer, socket messages) | 30 s | the connection is closed | [`write_timeout`](RestOptions::write_timeout) |
//! | open connections | 10,000 | new ones wait to be accepted | [`max_connections`](RestOptions::max_connections) |
//! | unread body read and discarded after the answer | 4 MiB, 5 s | the connection is closed after the answer | [`drain_limit`](RestOptions::drain_limit), [`drain_timeout`](RestOptions::drain_timeout) |
//!
//! The connection bounds hold where the app is served by [`App::listen`],
//! [`App::serve`], [`App::serve_with`], [`listen_router_with`] or
//! [`serve_router_with`] ([`listen_router`] and [`serve_router`] with the
//! defaults), not by a server of your own around [`App::into_router`]. A client that stalls while sending its request
//! head, or leaves a kept-alive connection idle, is dropped once
//! `header_read_timeout` has passed since the connection opened or its
//! last answer was sent: hyper bounds both with one timer. Past
//! `max_connections` open connections (WebSockets included) the server
//! stops accepting until one closes; those it serves are never starved,
//! and the others wait in the kernel's accept queue. When the app answers
//! without reading a request body to its end (a `413`, say), the rest is
//! read and discarded beside the answer, up to `drain_limit` bytes for
//! `drain_timeout`, so that a client still writing it reads the answer
//! rather than a reset connection.
//!
//! JSON bodies nest at most 128 levels (`serde_json`'s recursion limit;
//! deeper is a `400`). Below the app, the HTTP server refuses a URI over
//! 64 KiB (`414`), more than 100 headers or about 400 KiB of them (`431`)
//! and requests that are not HTTP (`400`), with no body: those never reach
//! the app, as with Node's own HTTP server under Feathers. How many records
//! a `find` returns is the service's business: a paginated
//! [`MemoryService`](crate::memory::MemoryService) caps `$limit` at
//! `paginate.max`, an unpaginated one answers every matching record, as
//! Feathers does.
//!
//! ```no_run
//! use auth_core::prelude::*;
//! use auth_core::memory::MemoryService;
//!
//! # async fn run() -> Result<()> {
//! let app = App::new().register("messages", MemoryService::<serde_json::Value>::new());
//! // Serve it, stopping cleanly on Ctrl-C or SIGTERM:
//! app.listen("127.0.0.1:3030").await?;
//! # Ok(()) }
//! ```
//!
//! Or compose it with other routes and layers: `app.into_router()?` is a
//! plain `axum::Router`.
//!
//! # Cross-origin browsers
//!
//! Pages of other origins are refused by default ([`Cors::Off`]: no CORS
//! header, a preflight is `405`); [`RestOptions::cors`] opens the app to
//! any origin or to a list of them, through tower-http's `CorsLayer`
//! (preflights answered, no credentials). Routes of your own merged
//! beside the app's take [`Cors::layer`] themselves.

mod access_log;
#[cfg(feature = "socketio")]
mod beside;
mod cors;
mod drain;
mod handler;
pub(crate) mod panic;
pub mod qs;
mod reply;
mod route;
mod serve;
mod settings;
mod timeout;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower::util::MapResponseLayer;
use tower_http::limit::RequestBodyLimitLayer;

use crate::app::App;
use crate::error::{Error, Result};
use timeout::RequestTimeoutLayer;

pub use access_log::{AccessLog, AccessLogFuture, AccessLogService, MAX_LOGGED_URI, loggable_uri};
pub use cors::Cors;
pub use qs::QsLimits;

/// Settings of the REST transport: its [resource bounds](self#resource-bounds).
///
/// ```
/// use std::time::Duration;
/// use auth_core::rest::RestOptions;
///
/// let options = RestOptions {
///     body_limit: 64 * 1024,
///     request_timeout: Some(Duration::from_secs(5)),
///     ..RestOptions::default()
/// };
/// assert_eq!(options.query_limits.max_length, 16 * 1024);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestOptions {
    /// The largest request body, in bytes (1 MiB); larger is
    /// `413 PayloadTooLarge`, whether `Content-Length` says so or the body
    /// turns out so while it is read.
    pub body_limit: usize,
    /// How much of a query string is read (16 KiB, 1000 pairs, 5 bracket
    /// levels); beyond is `400 BadRequest`.
    pub query_limits: QsLimits,
    /// How long a request may take, from its head being read to its answer
    /// (reading the body and the service call included): 30 s. Past it the
    /// call is dropped at its next `.await` and the answer is
    /// `408 Timeout`. `None` waits as long as the call takes.
    pub request_timeout: Option<Duration>,
    /// How long a client may take to send a request head (20 s), counted
    /// from the connection's start, or on a kept-alive connection from the
    /// end of its previous answer: this is also the idle keep-alive
    /// timeout. Past it the connection is closed. `None` waits forever.
    pub header_read_timeout: Option<Duration>,
    /// How long a write to a connection may wait for the client to read
    /// (30 s): once the kernel's buffers are full, a client that takes
    /// nothing of an answer, or of a WebSocket's messages, for that long is
    /// dropped, and whatever was waiting to be sent to it is freed. `None`
    /// waits forever (a client that stops reading then holds its connection
    /// and its unsent messages for as long as it stays connected).
    pub write_timeout: Option<Duration>,
    /// Whether a connection stays open for further requests after an
    /// answer (HTTP/1.1 keep-alive): `true`.
    pub keep_alive: bool,
    /// How many connections may be open at once (10,000), WebSockets
    /// included; beyond it the server accepts no more until one closes,
    /// and new ones wait in the kernel's accept queue (or are refused when
    /// it is full). `None` accepts as many as the process can open. Keep
    /// it under the process's open-files limit (`ulimit -n`): past that,
    /// accepting fails, is logged, and is retried every second.
    pub max_connections: Option<usize>,
    /// How much of a request body the app did not read (a `413`, an answer
    /// that needs no body) is read and discarded beside the answer, so
    /// that a client still writing it reads the answer: 4 MiB. A body
    /// longer than this is not drained, and the connection is closed after
    /// the answer.
    pub drain_limit: usize,
    /// How long draining an unread body may take (5 s) before the
    /// connection is closed.
    pub drain_timeout: Duration,
    /// Which other origins' pages may call the app from a browser:
    /// [`Cors::Off`] (same origin only) by default.
    pub cors: Cors,
}

impl Default for RestOptions {
    fn default() -> Self {
        RestOptions {
            body_limit: 1024 * 1024,
            query_limits: QsLimits::default(),
            request_timeout: Some(Duration::from_secs(30)),
            header_read_timeout: Some(Duration::from_secs(20)),
            write_timeout: Some(Duration::from_secs(30)),
            keep_alive: true,
            max_connections: Some(10_000),
            drain_limit: 4 * 1024 * 1024,
            drain_timeout: Duration::from_secs(5),
            cors: Cors::Off,
        }
    }
}

pub(crate) struct RestState {
    pub(crate) app: App,
    pub(crate) options: RestOptions,
    /// See [`handler::private_paths`].
    pub(crate) private_paths: Vec<String>,
}

/// `X-Service-Method`, Feathers' header naming a custom method.
pub(crate) const SERVICE_METHOD: http::HeaderName =
    http::HeaderName::from_static("x-service-method");

impl App {
    /// The app as an `axum::Router` with the [`RestOptions`] of its
    /// configuration ([`App::rest_options`]: the defaults, unless a `rest`
    /// setting changes some).
    ///
    /// Serve it with [`serve_router`] or [`listen_router`] (or their
    /// `_with` forms) for hooks to see the peer's address
    /// ([`PeerAddr`](crate::PeerAddr)) and for the connection bounds; a
    /// plain `axum::serve(listener, router)` hands the app none, and
    /// [`RateLimit::per_peer`](crate::authentication::rate_limit::RateLimit::per_peer)
    /// then refuses the calls it guards rather than not limit them.
    ///
    /// # Errors
    ///
    /// What [`App::setup`] reports, or an invalid `rest` setting.
    pub fn into_router(self) -> Result<Router> {
        let options = self.rest_options()?;
        self.into_router_with(options)
    }

    /// The app as an `axum::Router` with these options (see
    /// [`App::into_router`]).
    ///
    /// # Errors
    ///
    /// What [`App::setup`] reports.
    pub fn into_router_with(self, options: RestOptions) -> Result<Router> {
        self.setup()?;
        // Any origin (the chat app's default) by a layer of ours with the
        // same answers; a list of origins by tower-http's.
        let cors = match options.cors {
            Cors::AnyOrigin => Some(tower::util::Either::Left(cors::AnyOriginLayer)),
            _ => options.cors.layer()?.map(tower::util::Either::Right),
        };
        let body_limit = options.body_limit;
        let request_timeout = options.request_timeout;
        #[cfg(feature = "socketio")]
        let socketio = match self.socketio_options() {
            Some(socket_options) => Some(crate::socketio::layer(&self, socket_options)?),
            None => None,
        };
        // The access log redacts the id under the authentication service's
        // path (a logout's token).
        let access_log = AccessLog::new(
            &self
                .get::<String>("default_authentication")
                .unwrap_or_else(|| "authentication".to_owned()),
        );
        let state = Arc::new(RestState {
            private_paths: handler::private_paths(&self),
            app: self,
            options,
        });
        // Every layer in one stack around the app's handler service, the
        // router's one (fallback) route: axum boxes a route, clones it and
        // boxes its future on every request, so a route per layer (as
        // `Router::layer` makes) or a handler route under the layers would
        // cost as many boxes and drops per request.
        // Outermost first. `to_response` brings each answer back to
        // axum's `Response` where the next layer reads one.
        #[cfg(feature = "socketio")]
        let sockets = socketio.map(|socketio| {
            // Sockets beside the REST handler, outside its body limit and
            // timeout (a socket lives longer than a request; engine.io
            // bounds its own messages), reached by their path only.
            beside::SocketsBesideLayer::new(
                ServiceBuilder::new()
                    .layer(to_response())
                    .layer(tower::util::MapRequestLayer::new(
                        crate::socketio::own_handshake,
                    ))
                    .layer(socketio)
                    .into_inner(),
            )
        });
        #[cfg(not(feature = "socketio"))]
        let sockets: Option<tower::layer::util::Identity> = None;
        let layers = ServiceBuilder::new()
            .layer(access_log)
            .layer(MapResponseLayer::new(reply::no_sniffing))
            // CORS around every answer (errors and sockets' too), a
            // preflight answered here; inside `nosniff`, which every
            // answer carries.
            .option_layer(cors)
            // Outside the limits, so that their bare refusals become
            // Feathers' JSON.
            .layer(MapResponseLayer::new(reply::json_errors))
            .option_layer(sockets)
            .option_layer(request_timeout.map(RequestTimeoutLayer::new))
            .layer(to_response())
            .layer(RequestBodyLimitLayer::new(body_limit));
        Ok(Router::new().fallback_service(layers.service(handler::Handler::new(state))))
    }

    /// Serves the app over HTTP at `address` until Ctrl-C or SIGTERM, then
    /// finishes the requests in flight, with the [`RestOptions`] of its
    /// configuration ([`App::rest_options`]).
    ///
    /// # Errors
    ///
    /// What [`App::setup`] reports, an invalid `rest` setting, or
    /// `GeneralError` when `address` can not be bound (a failed `accept` is
    /// logged and retried, never an error).
    pub async fn listen(self, address: &str) -> Result<()> {
        let options = self.rest_options()?;
        let bounds = serve::Bounds::from(&options);
        let router = self.into_router_with(options)?;
        let listener = bind(address).await?;
        serve_bounded(router, listener, bounds, shutdown_signal()).await
    }

    /// Serves the app on a listener you bound (port 0 for tests) until
    /// `shutdown` completes, with the [`RestOptions`] of its configuration
    /// ([`App::rest_options`]).
    ///
    /// # Errors
    ///
    /// What [`App::setup`] reports, or an invalid `rest` setting.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<()> {
        let options = self.rest_options()?;
        self.serve_with(listener, options, shutdown).await
    }

    /// Serves the app on a listener you bound until `shutdown` completes,
    /// with these options.
    ///
    /// # Errors
    ///
    /// What [`App::setup`] reports.
    pub async fn serve_with(
        self,
        listener: tokio::net::TcpListener,
        options: RestOptions,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<()> {
        let bounds = serve::Bounds::from(&options);
        serve_bounded(self.into_router_with(options)?, listener, bounds, shutdown).await
    }
}

/// Serves `router` (an app's, with routes of your own merged in) over HTTP
/// at `address` until Ctrl-C or SIGTERM, as [`App::listen`] serves an app,
/// with the default [`RestOptions`]' connection bounds.
///
/// # Errors
///
/// `GeneralError` when `address` can not be bound (a failed `accept` is
/// logged and retried, never an error).
pub async fn listen_router(router: Router, address: &str) -> Result<()> {
    listen_router_with(router, address, &RestOptions::default()).await
}

/// Serves `router` at `address` until Ctrl-C or SIGTERM with the
/// connection bounds of `options` (its [`header_read_timeout`],
/// [`keep_alive`], [`max_connections`], [`drain_limit`] and
/// [`drain_timeout`]; the others are the router's, set when it was made).
///
/// [`header_read_timeout`]: RestOptions::header_read_timeout
/// [`keep_alive`]: RestOptions::keep_alive
/// [`max_connections`]: RestOptions::max_connections
/// [`drain_limit`]: RestOptions::drain_limit
/// [`drain_timeout`]: RestOptions::drain_timeout
///
/// # Errors
///
/// `GeneralError` when `address` can not be bound (a failed `accept` is
/// logged and retried, never an error).
pub async fn listen_router_with(
    router: Router,
    address: &str,
    options: &RestOptions,
) -> Result<()> {
    let listener = bind(address).await?;
    serve_bounded(router, listener, options.into(), shutdown_signal()).await
}

async fn bind(address: &str) -> Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(address)
        .await
        .map_err(|error| Error::general(format!("Can not listen on {address}: {error}")))
}

/// Serves `router` on a listener you bound until `shutdown` completes, then
/// finishes the requests in flight, as [`App::serve_with`] serves an app:
/// each request carries the peer's address
/// ([`PeerAddr`](crate::PeerAddr)). The connection bounds are the default
/// [`RestOptions`]' (see [`serve_router_with`]).
///
/// # Errors
///
/// None today: a failed `accept` is logged and retried.
pub async fn serve_router(
    router: Router,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<()> {
    serve_router_with(router, listener, &RestOptions::default(), shutdown).await
}

/// Serves `router` on a listener you bound until `shutdown` completes, as
/// [`serve_router`] does, with the connection bounds of `options` (see
/// [`listen_router_with`]).
///
/// # Errors
///
/// None today: a failed `accept` is logged and retried.
pub async fn serve_router_with(
    router: Router,
    listener: tokio::net::TcpListener,
    options: &RestOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<()> {
    serve_bounded(router, listener, options.into(), shutdown).await
}

async fn serve_bounded(
    router: Router,
    listener: tokio::net::TcpListener,
    bounds: serve::Bounds,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<()> {
    if let Ok(address) = listener.local_addr() {
        tracing::info!(%address, "listening");
    }
    serve::serve(router, listener, bounds, shutdown).await;
    Ok(())
}

/// Completes on Ctrl-C, or SIGTERM on Unix: the `shutdown` of
/// [`serve_router`] that [`App::listen`] uses.
pub async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
    // Give a last log line a moment to flush.
    tokio::time::sleep(Duration::from_millis(10)).await;
}

/// A layer turning any HTTP answer into axum's `Response`.
fn to_response<B>() -> MapResponseLayer<fn(http::Response<B>) -> Response>
where
    http::Response<B>: IntoResponse,
{
    MapResponseLayer::new(IntoResponse::into_response)
}
