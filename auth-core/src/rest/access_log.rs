//! What the access log writes of a request: never a token, never a query
//! string, never an unbounded URI.
//!
//! The app's REST stack logs one `INFO` event per request when its answer
//! is ready ([`AccessLog`] as a tower layer): `method`, `uri`, `latency`
//! (in milliseconds) and `status`, with no span, so a request costs one
//! event's formatting and nothing when `INFO` is off. The URI is written
//! as [`loggable_uri`] writes it: the path, with the
//! id segment of the authentication service's path (`DELETE
//! /authentication/<token>` is a logout with the token as the id) and any
//! segment that looks like a JWT replaced by `[redacted]`, cut at
//! [`MAX_LOGGED_URI`] bytes; a query string is left out (`?[query
//! omitted]`), since it may carry anything, credentials included.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use http::{Method, Request, Response, Uri};
use pin_project_lite::pin_project;
use tower::{Layer, Service};
use tower_http::trace::MakeSpan;
use tracing::{Level, Span};

/// The longest path the access log writes, in bytes; beyond it the path
/// is cut, with a marker saying how long it was.
pub const MAX_LOGGED_URI: usize = 256;

/// What replaces a token in the log.
const REDACTED: &str = "[redacted]";

/// The access log: as a tower layer (what the app's REST stack uses), one
/// `INFO` event `request` per answer with `method`, `uri` (see
/// [`loggable_uri`]), `latency` in milliseconds and `status`; as a span
/// maker for tower-http's `TraceLayer::make_span_with`, an `INFO` span
/// `request` with `method`, `uri` and `version`.
///
/// ```
/// use auth_core::rest::AccessLog;
///
/// let router: axum::Router = axum::Router::new().layer(AccessLog::new("authentication"));
/// # let _ = router;
/// ```
///
/// ```
/// use auth_core::rest::AccessLog;
/// use tower_http::trace::TraceLayer;
///
/// let layer = TraceLayer::new_for_http().make_span_with(AccessLog::new("authentication"));
/// # let _ = layer;
/// ```
#[derive(Debug, Clone)]
pub struct AccessLog {
    authentication: String,
}

impl AccessLog {
    /// For an app whose authentication service is at `authentication_path`
    /// (`"authentication"`).
    #[must_use]
    pub fn new(authentication_path: &str) -> AccessLog {
        AccessLog {
            authentication: authentication_path.trim_matches('/').to_owned(),
        }
    }
}

impl Default for AccessLog {
    fn default() -> Self {
        AccessLog::new("authentication")
    }
}

impl<B> MakeSpan<B> for AccessLog {
    fn make_span(&mut self, request: &Request<B>) -> Span {
        tracing::info_span!(
            "request",
            method = %request.method(),
            uri = %loggable_uri(request.uri(), &self.authentication),
            version = ?request.version(),
        )
    }
}

impl<S> Layer<S> for AccessLog {
    type Service = AccessLogService<S>;

    fn layer(&self, inner: S) -> AccessLogService<S> {
        AccessLogService {
            inner,
            authentication: self.authentication.clone().into(),
        }
    }
}

/// The service [`AccessLog`] wraps another in.
#[derive(Debug, Clone)]
pub struct AccessLogService<S> {
    inner: S,
    authentication: std::sync::Arc<str>,
}

impl<S, B, R> Service<Request<B>> for AccessLogService<S>
where
    S: Service<Request<B>, Response = Response<R>>,
{
    type Response = Response<R>;
    type Error = S::Error;
    type Future = AccessLogFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // Nothing is read or formatted when `INFO` is off for this target.
        let logged = tracing::enabled!(target: TARGET, Level::INFO).then(|| Logged {
            method: request.method().clone(),
            uri: LoggableUri {
                uri: request.uri().clone(),
                authentication: std::sync::Arc::clone(&self.authentication),
            },
            start: Instant::now(),
        });
        AccessLogFuture {
            inner: self.inner.call(request),
            logged,
        }
    }
}

/// Where the access log's events are written from (`RUST_LOG` filters on it).
const TARGET: &str = "auth_core::rest::access_log";

/// What the event of a request will say.
#[derive(Debug)]
struct Logged {
    method: Method,
    uri: LoggableUri,
    start: Instant,
}

/// A request's URI, written as [`loggable_uri`] writes it where the line
/// is formatted: a plain path (nothing to redact nor cut) goes into the
/// line as it is, without a `String` of its own. The URI is a clone
/// sharing the request's bytes.
#[derive(Debug)]
struct LoggableUri {
    uri: Uri,
    authentication: std::sync::Arc<str>,
}

impl std::fmt::Display for LoggableUri {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = self.uri.path();
        if !is_plain(path, &self.authentication) {
            return formatter.write_str(&loggable_uri(&self.uri, &self.authentication));
        }
        formatter.write_str(path)?;
        if self.uri.query().is_some() {
            formatter.write_str(QUERY_OMITTED)?;
        }
        Ok(())
    }
}

pin_project! {
    /// The future of an [`AccessLogService`] call: the inner answer, logged
    /// when it is ready.
    #[derive(Debug)]
    pub struct AccessLogFuture<F> {
        #[pin]
        inner: F,
        logged: Option<Logged>,
    }
}

impl<F, R, E> Future for AccessLogFuture<F>
where
    F: Future<Output = Result<Response<R>, E>>,
{
    type Output = Result<Response<R>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let answer = std::task::ready!(this.inner.poll(cx));
        if let Some(logged) = this.logged.take() {
            // `latency=3 ms status=200`: the shape tower-http's line had.
            let latency = Millis(logged.start.elapsed().as_millis());
            match &answer {
                Ok(response) => tracing::info!(
                    target: TARGET,
                    method = %logged.method,
                    uri = %logged.uri,
                    latency = %latency,
                    status = response.status().as_u16(),
                    "request"
                ),
                Err(_) => tracing::info!(
                    target: TARGET,
                    method = %logged.method,
                    uri = %logged.uri,
                    latency = %latency,
                    "request failed without an answer"
                ),
            }
        }
        Poll::Ready(answer)
    }
}

/// A latency as the log writes it: `3 ms`.
struct Millis(u128);

impl std::fmt::Display for Millis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ms", self.0)
    }
}

/// Whether a path segment looks like a JWT: three base64url parts, the
/// first a JSON object's (`eyJ`).
fn looks_like_a_token(segment: &str) -> bool {
    segment.starts_with("eyJ")
        && segment.split('.').count() == 3
        && segment
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'%'))
}

/// `uri` as the access log writes it: the path without its query string,
/// tokens redacted (the id under `authentication_path`, and any segment
/// that looks like a JWT), at most [`MAX_LOGGED_URI`] bytes.
///
/// ```
/// use auth_core::rest::loggable_uri;
///
/// let uri = "/authentication/eyJhbGciOi.e30.c2ln".parse().unwrap();
/// assert_eq!(loggable_uri(&uri, "authentication"), "/authentication/[redacted]");
/// let uri = "/messages/7?$limit=2&token=secret".parse().unwrap();
/// assert_eq!(loggable_uri(&uri, "authentication"), "/messages/7?[query omitted]");
/// ```
#[must_use]
pub fn loggable_uri(uri: &Uri, authentication_path: &str) -> String {
    let path = uri.path();
    let trimmed = path.trim_start_matches('/');
    let leading = &path[..path.len() - trimmed.len()];
    let mut logged = String::with_capacity(path.len().min(MAX_LOGGED_URI) + 32);
    logged.push_str(leading);
    let authentication = authentication_path.trim_matches('/');
    if is_plain(path, authentication) {
        // The path as it is, which is what the segments rejoined give.
        logged.push_str(trimmed);
    } else if is_under(trimmed, authentication) {
        // Everything after the service's path is the id: the token.
        logged.push_str(authentication);
        logged.push('/');
        logged.push_str(REDACTED);
    } else {
        for (index, segment) in trimmed.split('/').enumerate() {
            if index > 0 {
                logged.push('/');
            }
            logged.push_str(if looks_like_a_token(segment) {
                REDACTED
            } else {
                segment
            });
        }
    }
    if logged.len() > MAX_LOGGED_URI {
        let mut end = MAX_LOGGED_URI;
        while !logged.is_char_boundary(end) {
            end -= 1;
        }
        let length = logged.len();
        logged.truncate(end);
        logged.push_str(&format!("...[cut: {length} bytes]"));
    }
    if uri.query().is_some() {
        logged.push_str(QUERY_OMITTED);
    }
    logged
}

/// What replaces a query string in the log.
const QUERY_OMITTED: &str = "?[query omitted]";

/// Whether `trimmed` (a path without its leading slashes) is under the
/// authentication service's path: an id follows it, which is a token
/// (`DELETE /authentication/<token>`).
fn is_under(trimmed: &str, authentication_path: &str) -> bool {
    let authentication = authentication_path.trim_matches('/');
    !authentication.is_empty()
        && trimmed
            .strip_prefix(authentication)
            .is_some_and(|rest| rest.starts_with('/') && !rest.trim_matches('/').is_empty())
}

/// Whether `path` is logged as it is: nothing to redact (not under the
/// authentication service's path, and no segment can start like a token,
/// `eyJ`) nor to cut (at most [`MAX_LOGGED_URI`] bytes).
fn is_plain(path: &str, authentication_path: &str) -> bool {
    path.len() <= MAX_LOGGED_URI
        && !path.as_bytes().windows(3).any(|three| three == b"eyJ")
        && !is_under(path.trim_start_matches('/'), authentication_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logged(uri: &str) -> String {
        loggable_uri(&uri.parse().unwrap(), "authentication")
    }

    #[test]
    fn tokens_and_queries_never_show() {
        let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-_nature";
        assert_eq!(
            logged(&format!("/authentication/{token}")),
            "/authentication/[redacted]"
        );
        assert_eq!(
            logged(&format!("//authentication/{token}/")),
            "//authentication/[redacted]"
        );
        assert_eq!(
            logged("/authentication/anything"),
            "/authentication/[redacted]"
        );
        assert_eq!(logged(&format!("/users/{token}")), "/users/[redacted]");
        assert_eq!(logged("/authentication"), "/authentication");
        assert_eq!(logged("/authentication/"), "/authentication/");
        assert_eq!(logged("/authenticationx/1"), "/authenticationx/1");
        assert_eq!(logged("/messages/12"), "/messages/12");
        assert_eq!(
            logged("/messages?accessToken=x"),
            "/messages?[query omitted]"
        );
        assert_eq!(
            loggable_uri(&"/api/auth/x".parse().unwrap(), "/api/auth/"),
            "/api/auth/[redacted]"
        );
    }

    #[test]
    fn paths_with_nothing_to_redact_are_written_as_they_are() {
        for path in [
            "/",
            "/messages//12/",
            "//messages",
            "/users/keyJ.a.b",
            "/users/eyJ",
            "/a%2Fb/%C3%A9",
        ] {
            assert_eq!(logged(path), path);
        }
        assert_eq!(logged("/users/eyJa.b.c/x"), "/users/[redacted]/x");
    }

    #[test]
    fn the_line_writes_what_loggable_uri_writes() {
        let long = format!("/messages/{}", "x".repeat(300));
        let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig";
        let authentication_id = format!("/authentication/{token}");
        let query_with_token = format!("/messages?token={token}");
        for uri in [
            "/",
            "/messages/1",
            "/messages/1?$limit=2&password=secret",
            "/messages//12/",
            "/authentication",
            "/authentication/",
            authentication_id.as_str(),
            "/authentication/x?y=z",
            "/users/eyJa.b.c/x",
            "/users/eyJ",
            query_with_token.as_str(),
            long.as_str(),
        ] {
            let parsed: Uri = uri.parse().unwrap();
            let written = LoggableUri {
                uri: parsed.clone(),
                authentication: "/authentication/".into(),
            }
            .to_string();
            assert_eq!(written, loggable_uri(&parsed, "authentication"), "{uri}");
            assert!(
                !written.contains("secret") && !written.contains(token),
                "{written}"
            );
        }
    }

    #[test]
    fn long_paths_are_cut_with_a_marker() {
        let long = format!("/messages/{}", "%C3%A9".repeat(100));
        let written = logged(&long);
        assert!(written.len() < MAX_LOGGED_URI + 40, "{}", written.len());
        assert!(
            written.ends_with(&format!("...[cut: {} bytes]", long.len())),
            "{written}"
        );
    }
}
