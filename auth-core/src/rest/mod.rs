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
//! malformed is `400`, oversized `413`. Every error is Feathers' JSON with
//! the status equal to its `code`; an unknown path is `404`.
//!
//! # Resource bounds
//!
//! Each bound has a default and a field of [`RestOptions`]; pass the
//! options to [`App::into_router_with`] or [`App::serve_with`].
//!
//! | bound | default | beyond it | field |
//! | --- | --- | --- | --- |
//! | request body | 1 MiB | `413 PayloadTooLarge` | [`body_limit`](RestOptions::body_limit) |
//! | query string length | 16 KiB | `400 BadRequest` | [`query_limits.max_length`](QsLimits::max_length) |
//! | query string pairs | 1000 | `400 BadRequest` | [`query_limits.max_params`](QsLimits::max_params) |
//! | query string bracket depth | 5 | `400 BadRequest` | [`query_limits.max_depth`](QsLimits::max_depth) |
//! | time to answer | 30 s | `408 Timeout` | [`request_timeout`](RestOptions::request_timeout) |
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

mod access_log;
mod handler;
pub mod qs;
mod reply;
mod route;
mod timeout;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tower::util::MapResponseLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::app::App;
use crate::error::{Error, Result};
use timeout::RequestTimeoutLayer;

pub use access_log::{AccessLog, MAX_LOGGED_URI, loggable_uri};
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

impl Default for RestOptions {
    fn default() -> Self {
        RestOptions {
            body_limit: 1024 * 1024,
            query_limits: QsLimits::default(),
            request_timeout: Some(Duration::from_secs(30)),
        }
    }
}

pub(crate) struct RestState {
    pub(crate) app: App,
    pub(crate) options: RestOptions,
}

impl App {
    /// The app as an `axum::Router` with the default [`RestOptions`].
    ///
    /// Serve it with
    /// `axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())`
    /// for hooks to see the peer's address ([`PeerAddr`](crate::PeerAddr));
    /// a plain `axum::serve(listener, router)` hands the app none, and
    /// [`RateLimit::per_peer`](crate::authentication::rate_limit::RateLimit::per_peer)
    /// then refuses the calls it guards rather than not limit them.
    ///
    /// # Errors
    ///
    /// What [`App::setup`] reports.
    pub fn into_router(self) -> Result<Router> {
        self.into_router_with(RestOptions::default())
    }

    /// The app as an `axum::Router` with these options (see
    /// [`App::into_router`]).
    ///
    /// # Errors
    ///
    /// What [`App::setup`] reports.
    pub fn into_router_with(self, options: RestOptions) -> Result<Router> {
        self.setup()?;
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
        let state = Arc::new(RestState { app: self, options });
        let mut router = Router::new()
            .fallback(handler::handle)
            .with_state(state)
            .layer(RequestBodyLimitLayer::new(options.body_limit));
        if let Some(timeout) = options.request_timeout {
            router = router.layer(RequestTimeoutLayer::new(timeout));
        }
        // Sockets beside the REST handler, outside its body limit and
        // timeout (a socket lives longer than a request; engine.io bounds
        // its own messages).
        #[cfg(feature = "socketio")]
        if let Some(socketio) = socketio {
            router = router
                .layer(socketio)
                .layer(tower::util::MapRequestLayer::new(
                    crate::socketio::own_handshake,
                ));
        }
        // Outside the limits, so that their bare refusals become Feathers' JSON.
        Ok(router
            .layer(MapResponseLayer::new(reply::json_errors))
            .layer(MapResponseLayer::new(reply::no_sniffing))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(access_log)
                    .on_response(DefaultOnResponse::new().level(Level::INFO)),
            ))
    }

    /// Serves the app over HTTP at `address` until Ctrl-C or SIGTERM, then
    /// finishes the requests in flight.
    ///
    /// # Errors
    ///
    /// What [`App::setup`] reports, or `GeneralError` when `address` can
    /// not be bound or the server stops on an error.
    pub async fn listen(self, address: &str) -> Result<()> {
        listen_router(self.into_router()?, address).await
    }

    /// Serves the app on a listener you bound (port 0 for tests) until
    /// `shutdown` completes, with the default [`RestOptions`].
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<()> {
        self.serve_with(listener, RestOptions::default(), shutdown)
            .await
    }

    /// Serves the app on a listener you bound until `shutdown` completes,
    /// with these options.
    pub async fn serve_with(
        self,
        listener: tokio::net::TcpListener,
        options: RestOptions,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<()> {
        serve_router(self.into_router_with(options)?, listener, shutdown).await
    }
}

/// Serves `router` (an app's, with routes of your own merged in) over HTTP
/// at `address` until Ctrl-C or SIGTERM, as [`App::listen`] serves an app.
///
/// # Errors
///
/// `GeneralError` when `address` can not be bound or the server stops on
/// an error.
pub async fn listen_router(router: Router, address: &str) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|error| Error::general(format!("Can not listen on {address}: {error}")))?;
    serve_router(router, listener, shutdown_signal()).await
}

/// Serves `router` on a listener you bound until `shutdown` completes, then
/// finishes the requests in flight, as [`App::serve_with`] serves an app:
/// each request carries the peer's address
/// ([`PeerAddr`](crate::PeerAddr)).
///
/// # Errors
///
/// `GeneralError` when the server stops on an error.
pub async fn serve_router(
    router: Router,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<()> {
    if let Ok(address) = listener.local_addr() {
        tracing::info!(%address, "listening");
    }
    // The peer's address goes with each request, for hooks to read as
    // `params.extensions.get::<PeerAddr>()`.
    let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|error| Error::general(format!("The server stopped: {error}")))
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
