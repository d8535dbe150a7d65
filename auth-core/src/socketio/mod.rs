//! The Socket.IO transport (feature `socketio`): Feathers' socket protocol
//! on socketioxide, on the same axum router and port as REST (path
//! `/socket.io/`), so `@feathersjs/socketio-client` works unchanged.
//!
//! - **Calls**: a client emits the method's name with `(path, ...args)` in
//!   Feathers' order (`find(path, params)`, `get(path, id, params)`,
//!   `create(path, data, params)`, `update`/`patch(path, id, data, params)`,
//!   `remove(path, id, params)`, a custom method `(path, data, params)`)
//!   and an acknowledgement, answered `[null, result]` or `[error]` with
//!   the error as Feathers' JSON. The call runs through the same hooks as
//!   over REST, with `params.provider` `"socketio"`, the connection's
//!   headers, its login, and the [`Connection`] in `params.extensions`.
//!   A panic in a call is acknowledged `[error]` with a `500 GeneralError`
//!   (and logged, as over REST); the socket stays usable.
//! - **Authentication**: `create` on the authentication service logs the
//!   connection in (its later calls carry its token), `remove` logs it
//!   out, the token's expiry disconnects it; an `Authorization` header on
//!   the handshake logs it in as it connects (a bad one refuses the
//!   connection).
//! - **Events**: each service event goes to the connections its publisher
//!   names (see [`realtime`](crate::realtime)) as `"<path> <event>"`.
//!
//! # Bounds
//!
//! | bound | default | beyond it | field |
//! | --- | --- | --- | --- |
//! | message size | 1 MiB | the socket is closed | [`max_message_size`](SocketOptions::max_message_size) |
//! | connections | 10,000 | the handshake is refused | [`max_connections`](SocketOptions::max_connections) |
//! | calls in flight per socket | 32 | `429 TooManyRequests` | [`max_calls_in_flight`](SocketOptions::max_calls_in_flight) |
//! | queued packets per socket | 256 | the socket is dropped | [`buffer`](SocketOptions::buffer) |
//!
//! ```no_run
//! use auth_core::prelude::*;
//! use auth_core::memory::MemoryService;
//! use auth_core::socketio::SocketIo;
//!
//! # async fn run() -> Result<()> {
//! let app = App::new()
//!     .register("messages", MemoryService::<serde_json::Value>::new())
//!     .configure(SocketIo::new());
//! app.on_connection(|app, connection| {
//!     app.channel("everybody").join(connection);
//! });
//! app.publish(|_event, app| app.channel("everybody").channel());
//! app.listen("127.0.0.1:3030").await // REST and Socket.IO
//! # }
//! ```

// Reached by `crate::__fuzz`.
pub(crate) mod args;
mod sink;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::Value;
use socketioxide::extract::{AckSender, Event, SocketRef, TryData};
use socketioxide::handler::ConnectHandler;
use socketioxide::layer::SocketIoLayer;
use tokio::sync::Semaphore;

use crate::app::{App, Configure};
use crate::error::{Error, Result};
use crate::params::{Params, PeerAddr, Provider};
use crate::realtime::Connection;
use args::Arguments;
use sink::SocketSink;

/// The provider name of calls made over the socket (`params.provider`).
pub const PROVIDER: &str = "socketio";

/// Settings of the Socket.IO transport: its [bounds](self#bounds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocketOptions {
    /// The largest message a client may send, in bytes (1 MiB, as a REST
    /// body); a larger one closes its socket.
    pub max_message_size: usize,
    /// How many sockets may be connected at once (10,000); beyond it a
    /// handshake is refused.
    pub max_connections: usize,
    /// How many calls of one socket may run at once (32); beyond it a call
    /// is answered `429 TooManyRequests`.
    pub max_calls_in_flight: usize,
    /// How many packets may wait to be written to one socket (256): a
    /// socket that does not read is dropped when its buffer is full,
    /// never waited for.
    pub buffer: usize,
    /// How often the server pings a client, and how long it waits for the
    /// answer before it drops the socket (25 s and 20 s, Socket.IO's).
    pub ping_interval: Duration,
    /// See [`ping_interval`](SocketOptions::ping_interval).
    pub ping_timeout: Duration,
}

impl Default for SocketOptions {
    fn default() -> Self {
        SocketOptions {
            max_message_size: 1024 * 1024,
            max_connections: 10_000,
            max_calls_in_flight: 32,
            buffer: 256,
            ping_interval: Duration::from_secs(25),
            ping_timeout: Duration::from_secs(20),
        }
    }
}

/// The Socket.IO plugin: `app.configure(SocketIo::new())` serves
/// Socket.IO beside REST on the app's router ([`App::into_router`],
/// [`App::listen`]).
#[derive(Debug, Clone, Copy, Default)]
#[must_use]
pub struct SocketIo {
    options: SocketOptions,
}

impl SocketIo {
    /// The transport with the default [`SocketOptions`].
    pub fn new() -> SocketIo {
        SocketIo::default()
    }

    /// The transport with these options.
    pub fn with_options(options: SocketOptions) -> SocketIo {
        SocketIo { options }
    }
}

impl Configure for SocketIo {
    fn configure(self, app: &App) -> Result<()> {
        app.set_socketio_options(self.options);
        Ok(())
    }
}

/// What every socket of one app shares.
struct Transport {
    app: App,
    options: SocketOptions,
    connected: AtomicUsize,
}

/// The socketioxide layer serving `app`'s sockets; the REST router adds
/// it when the app is configured with [`SocketIo`]. Starts delivering the
/// app's events (needs a tokio runtime).
pub(crate) fn layer(app: &App, options: SocketOptions) -> Result<SocketIoLayer> {
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(Error::general(
            "Socket.IO is served from within a tokio runtime: build the router inside one",
        ));
    }
    let (layer, io) = socketioxide::SocketIo::builder()
        .max_buffer_size(options.buffer)
        .max_payload(options.max_message_size as u64)
        .ws_max_message_size(options.max_message_size)
        .ws_max_frame_size(options.max_message_size)
        .ping_interval(options.ping_interval)
        .ping_timeout(options.ping_timeout)
        // 4 KiB by default, per socket, for its whole life: most messages
        // are a few hundred bytes, and a larger one is read in more steps.
        .ws_read_buffer_size(1024)
        .build_layer();
    let transport = Arc::new(Transport {
        app: app.clone(),
        options,
        connected: AtomicUsize::new(0),
    });
    // Everything is set up in a connect middleware, which socketioxide
    // awaits before it sends the client its CONNECT packet; the handler
    // after it has nothing left to do. (A connect handler runs as a task
    // of its own, spawned once the CONNECT is sent: a client's first call,
    // emitted as soon as it reads the CONNECT, could arrive before that
    // task had registered the method handlers, and was then dropped,
    // never answered, on a busy runtime.)
    let setup = move |socket: SocketRef| {
        let transport = transport.clone();
        async move { connect(&transport, socket).await }
    };
    io.ns("/", (async || {}).with(setup));
    crate::realtime::spawn_delivery(app);
    Ok(layer)
}

/// A Socket.IO request with its URI and headers copied out of hyper's
/// read buffer. They are slices of that buffer, and a socket keeps its
/// handshake's URI and headers for its whole life (as `params.headers`,
/// and in socketioxide): without the copy every idle socket pins an 8 to
/// 16 KiB buffer for a few hundred bytes (see docs/performance.md).
/// Only Socket.IO's requests reach it: the REST transport routes them
/// by path before the sockets' stack (`rest::beside`).
pub(crate) fn own_handshake(
    mut request: http::Request<axum::body::Body>,
) -> http::Request<axum::body::Body> {
    if let Ok(uri) = request.uri().to_string().parse::<http::Uri>() {
        *request.uri_mut() = uri;
    }
    let copied: http::HeaderMap = request
        .headers()
        .iter()
        .filter_map(|(name, value)| {
            let name = http::HeaderName::from_bytes(name.as_str().as_bytes()).ok()?;
            let value = http::HeaderValue::from_bytes(value.as_bytes()).ok()?;
            Some((name, value))
        })
        .collect();
    *request.headers_mut() = copied;
    request
}

/// A new socket, before it is told it is connected: refused (the client
/// gets `connect_error`) beyond the connection bound or with a bad
/// handshake `Authorization`, otherwise a [`Connection`] announced to the
/// app (and logged in with the handshake's credentials), with its method
/// events answered.
async fn connect(
    transport: &Arc<Transport>,
    socket: SocketRef,
) -> std::result::Result<(), Refused> {
    let count = transport.connected.fetch_add(1, Ordering::AcqRel) + 1;
    if count > transport.options.max_connections {
        transport.connected.fetch_sub(1, Ordering::AcqRel);
        tracing::warn!(
            max = transport.options.max_connections,
            "socket refused: too many connections"
        );
        return Err(Refused("Too many connections"));
    }
    let mut params = Params::external(Provider::Other(PROVIDER.into()));
    let parts = socket.req_parts();
    params.headers = parts.headers.clone();
    if let Some(peer) = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
    {
        params.extensions.insert(PeerAddr(peer.0));
    }
    let sink = SocketSink::new(socket.clone());
    #[cfg(feature = "auth")]
    let refusal_sink = sink.clone();
    let connection = Connection::with_sink(params, sink.clone());
    let app = transport.app.clone();

    let calls = Arc::new(Semaphore::new(transport.options.max_calls_in_flight.max(1)));
    {
        let (app, connection) = (app.clone(), connection.clone());
        socket.on_fallback(
            move |Event(method): Event, TryData(arguments): TryData<Arguments>, ack: AckSender| {
                let (app, connection, calls) = (app.clone(), connection.clone(), calls.clone());
                async move {
                    let answer = match (arguments, calls.try_acquire()) {
                        (Err(error), _) => Err(Error::bad_request(format!(
                            "Invalid arguments for '{method}': {error}"
                        ))),
                        (Ok(_), Err(_)) => Err(Error::too_many_requests(
                            "Too many calls in flight on this connection",
                        )),
                        (Ok(arguments), Ok(_permit)) => {
                            call(&app, &connection, &method, arguments).await
                        }
                    };
                    acknowledge(ack, answer);
                }
            },
        );
    }
    {
        let (app, connection, transport) = (app.clone(), connection.clone(), transport.clone());
        socket.on_disconnect(move || {
            let (app, connection, transport) = (app.clone(), connection.clone(), transport.clone());
            let sink = sink.clone();
            async move {
                transport.connected.fetch_sub(1, Ordering::AcqRel);
                app.emit_disconnect(&connection);
                sink.detach();
            }
        });
    }

    app.emit_connection(&connection);
    // A panic while logging in (a strategy's) refuses the socket, as a
    // bad credential does.
    #[cfg(feature = "auth")]
    if let Err(error) = crate::rest::panic::catching(
        handshake_login(&app, &connection),
        PROVIDER,
        "handshake",
        "/socket.io/",
    )
    .await
    {
        tracing::info!(%error, "socket refused: its handshake credentials were not accepted");
        // Never connected, so its disconnect handler will not run: undone here.
        transport.connected.fetch_sub(1, Ordering::AcqRel);
        app.emit_disconnect(&connection);
        refusal_sink.detach();
        return Err(Refused("Invalid authentication"));
    }
    Ok(())
}

/// Why a socket is not let in, sent to the client as its `connect_error`.
#[derive(Debug)]
struct Refused(&'static str);

impl std::fmt::Display for Refused {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.0)
    }
}

/// Logs the connection in with the credentials of its handshake's
/// headers (`Authorization: Bearer <jwt>`), as Feathers' Socket.IO
/// transport does.
#[cfg(feature = "auth")]
async fn handshake_login(app: &App, connection: &Connection) -> Result<()> {
    let mut parts = http::Request::new(()).into_parts().0;
    parts.headers = connection.params().headers;
    let Some(authentication) = crate::authentication::parse_credentials(app, &parts).await? else {
        return Ok(());
    };
    let path = crate::authentication::default_authentication(app)?
        .path()
        .to_owned();
    let mut params = connection.params();
    params.extensions.insert(connection.clone());
    let data = serde_json::to_value(&authentication)
        .map_err(|error| Error::general(format!("Could not read the credentials: {error}")))?;
    let call = crate::app::JsonCall::new(crate::service::Method::Create, params).data(data);
    app.json_service(&path)?.call(call).await?;
    Ok(())
}

/// Runs one method event as a call made over `connection`.
pub(crate) async fn call(
    app: &App,
    connection: &Connection,
    method: &str,
    arguments: Arguments,
) -> Result<Value> {
    let mut params = connection.params();
    params.extensions.insert(connection.clone());
    let (service, call) = args::resolve(app, method, arguments, params)?;
    let select = crate::query::selected_fields(&call.params.query);
    // A panic in the call is an error acknowledgement; the socket goes on.
    let path = crate::rest::panic::CallPath {
        service: service.path.clone(),
        with_id: false,
    };
    let run = async move { service.call(call).await?.into_json() };
    let reply = crate::rest::panic::catching(run, PROVIDER, method, path).await?;
    Ok(match select {
        Some(fields) => crate::query::project_reply(reply, &fields),
        None => reply,
    })
}

/// Answers the client's acknowledgement: `[null, result]` or `[error]`.
fn acknowledge(ack: AckSender, answer: Result<Value>) {
    let sent = match answer {
        Ok(result) => ack.send(&(Value::Null, result)),
        Err(error) => {
            if error.code() >= 500 {
                tracing::error!(%error, "socket call failed");
            }
            ack.send(&(error.to_json(),))
        }
    };
    if let Err(error) = sent {
        tracing::debug!(%error, "acknowledgement not sent");
    }
}
