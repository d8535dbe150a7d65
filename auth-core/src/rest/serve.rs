//! Serving a router over HTTP/1 on hyper's own connection settings: a
//! timer for reading request heads (which also bounds idle keep-alive
//! connections), a cap on open connections, each request's peer address,
//! upgrades (WebSocket) and a graceful shutdown that finishes the requests
//! in flight.
//!
//! `axum::serve` sets no timer, so hyper has no header-read timeout there:
//! a client that never finishes its request head is held forever.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::response::Response;
use hyper::body::{Body as _, Incoming};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tower::ServiceExt;

use super::RestOptions;
use super::drain::{self, Leftover, Tracked};

/// What serving takes from [`RestOptions`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    header_read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
    keep_alive: bool,
    max_connections: Option<usize>,
    drain_limit: usize,
    drain_timeout: Duration,
}

impl From<&RestOptions> for Bounds {
    fn from(options: &RestOptions) -> Bounds {
        Bounds {
            header_read_timeout: options.header_read_timeout,
            write_timeout: options.write_timeout,
            keep_alive: options.keep_alive,
            max_connections: options.max_connections,
            drain_limit: options.drain_limit,
            drain_timeout: options.drain_timeout,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then finishes
/// the requests in flight.
pub(crate) async fn serve(
    router: Router,
    listener: TcpListener,
    bounds: Bounds,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    // Each connection holds a receiver until it is done: the sender's
    // `closed()` completes when every one is.
    let (done_tx, done_rx) = watch::channel(());
    // Beyond the cap, connections wait in the kernel's accept queue.
    let permits = bounds
        .max_connections
        .map(|cap| Arc::new(Semaphore::new(cap.clamp(1, Semaphore::MAX_PERMITS))));
    let stopping = stopped(stop_rx.clone());
    tokio::pin!(stopping);
    loop {
        let permit = match &permits {
            Some(permits) => tokio::select! {
                permit = Arc::clone(permits).acquire_owned() => match permit {
                    Ok(permit) => Some(permit),
                    Err(_) => break,
                },
                () = &mut stopping => break,
            },
            None => None,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_failed(error).await;
                    continue;
                }
            },
            () = &mut stopping => break,
        };
        let io = Counted {
            stream,
            _permit: permit,
            write_timeout: bounds.write_timeout,
            stalled: None,
        };
        tokio::spawn(connection(
            io,
            peer,
            router.clone(),
            bounds,
            stop_rx.clone(),
            done_rx.clone(),
        ));
    }
    drop(listener);
    drop(done_rx);
    done_tx.closed().await;
}

/// Completes once the server is told to stop.
async fn stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

/// An error from `accept`: a connection that went away before it was
/// accepted is skipped; anything else (no file descriptors left, say) is
/// logged and accepting resumes after a second, as `axum::serve` does.
async fn accept_failed(error: io::Error) {
    if matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "accepting a connection failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// One connection, until it closes (or is upgraded, then lives on in the
/// upgrade's owner); told to stop, it finishes its request in flight.
async fn connection(
    io: Counted,
    peer: SocketAddr,
    router: Router,
    bounds: Bounds,
    stop: watch::Receiver<bool>,
    done: watch::Receiver<()>,
) {
    let service =
        hyper::service::service_fn(move |request| answer(router.clone(), peer, bounds, request));
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(bounds.header_read_timeout)
        .keep_alive(bounds.keep_alive);
    let connection = builder
        .serve_connection(TokioIo::new(io), service)
        .with_upgrades();
    tokio::pin!(connection);
    let stopping = stopped(stop);
    tokio::pin!(stopping);
    let mut told = false;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%peer, %error, "connection closed on an error");
                }
                break;
            }
            () = &mut stopping, if !told => {
                told = true;
                connection.as_mut().graceful_shutdown();
            }
        }
    }
    drop(done);
}

/// One request through the router, with the peer's address; what the app
/// left unread of its body is drained beside the answer.
async fn answer(
    router: Router,
    peer: SocketAddr,
    bounds: Bounds,
    request: http::Request<Incoming>,
) -> Result<Response, Infallible> {
    let (mut parts, body) = request.into_parts();
    // For hooks to read as `params.extensions.get::<PeerAddr>()`.
    parts.extensions.insert(ConnectInfo(peer));
    let expects_continue = parts
        .headers
        .get(http::header::EXPECT)
        .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    // A body empty from the start (most `GET`s) leaves nothing to drain:
    // no shared slot for it.
    let leftover = (!body.is_end_stream()).then(Leftover::default);
    let body = Tracked::new(body, leftover.clone(), expects_continue);
    let response = router
        .oneshot(http::Request::from_parts(parts, body))
        .await?;
    // The answer goes out at once; hyper goes on reading the body for the
    // drain, then keeps the connection or, past the drain's bounds, closes
    // it. A request that ran out of time (`408`) is not drained: its
    // client is not sending, or too slowly to be worth waiting for.
    let unread = leftover.and_then(|leftover| crate::sync::lock(&leftover).take());
    if let Some(unread) = unread.filter(|_| response.status() != http::StatusCode::REQUEST_TIMEOUT)
    {
        tokio::spawn(async move {
            let drained = drain::drain(unread, bounds.drain_limit, bounds.drain_timeout).await;
            if !drained {
                tracing::debug!(%peer, "an unread request body was not drained: the connection closes");
            }
        });
    }
    Ok(response)
}

/// A connection's socket, holding its place under the connection cap for
/// as long as it is open, upgraded (a WebSocket) or not, whose writes give
/// up (`TimedOut`) once they have waited `write_timeout` for the client to
/// read: hyper then closes the connection, and a WebSocket's writer fails,
/// which closes the socket. Without it, a client that stops reading holds
/// its connection, and the messages queued for it, for as long as it
/// stays connected.
struct Counted {
    stream: TcpStream,
    _permit: Option<OwnedSemaphorePermit>,
    write_timeout: Option<Duration>,
    /// Armed by the first write that found the socket full, disarmed by the
    /// next that makes progress.
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Counted {
    /// `poll` (a write) with the write timeout: `Pending` arms the timer
    /// (allocated only then), progress disarms it, and a timer that has
    /// fired turns `Pending` into `TimedOut`.
    fn bounded<T>(
        &mut self,
        cx: &mut Context<'_>,
        poll: impl FnOnce(Pin<&mut TcpStream>, &mut Context<'_>) -> Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match poll(Pin::new(&mut self.stream), cx) {
            Poll::Ready(result) => {
                self.stalled = None;
                Poll::Ready(result)
            }
            Poll::Pending => {
                let Some(limit) = self.write_timeout else {
                    return Poll::Pending;
                };
                let timer = self
                    .stalled
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
                match timer.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        tracing::debug!(
                            timeout = ?limit,
                            "a client read nothing of what it was sent: its connection is dropped"
                        );
                        Poll::Ready(Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            format!("the client read nothing of what it was sent for {limit:?}"),
                        )))
                    }
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl AsyncRead for Counted {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut()
            .bounded(cx, |stream, cx| stream.poll_write(cx, buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.get_mut()
            .bounded(cx, |stream, cx| stream.poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}
