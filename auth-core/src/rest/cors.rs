//! Cross-origin browsers (CORS), on tower-http's `CorsLayer`: which
//! origins may call the app from a page of theirs, chosen by
//! [`RestOptions::cors`](crate::rest::RestOptions::cors). The app's router
//! answers any origin by a layer of its own with the same answers
//! ([`AnyOriginLayer`]), which makes its header values once.

use std::time::Duration;

use http::{HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::error::{Error, Result};

/// Which other origins' pages may call the app from a browser.
///
/// Off by default: a library does not open itself to every site; an app
/// opens what it serves (the chat app opens itself to any origin). When
/// on, a preflight (`OPTIONS`) is answered `200` with the methods
/// (`GET`, `POST`, `PUT`, `PATCH`, `DELETE`) and request headers
/// (`Authorization`, `Content-Type`, `X-Service-Method`) Feathers' clients
/// use, cached by the browser for 10 minutes, and every answer carries
/// `Access-Control-Allow-Origin`. Credentials (cookies) are never allowed:
/// Feathers' clients send their token in `Authorization`, which needs no
/// credentials mode.
///
/// ```
/// use auth_core::rest::{Cors, RestOptions};
///
/// let options = RestOptions {
///     cors: Cors::parse("https://chat.example.com, http://localhost:8080")?,
///     ..RestOptions::default()
/// };
/// assert_eq!(
///     options.cors,
///     Cors::Origins(vec!["https://chat.example.com".into(), "http://localhost:8080".into()])
/// );
/// assert_eq!(Cors::parse("*")?, Cors::AnyOrigin);
/// assert!(Cors::parse("https://chat.example.com/").is_err());
/// # Ok::<_, auth_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Cors {
    /// Same origin only: no CORS header, and a preflight (`OPTIONS`) is
    /// `405 MethodNotAllowed` as any method the app does not serve, so a
    /// browser refuses the page's call.
    #[default]
    Off,
    /// Any origin: `Access-Control-Allow-Origin: *`.
    AnyOrigin,
    /// These origins, each as a browser sends it in `Origin`: scheme,
    /// host and port only (`https://chat.example.com`,
    /// `http://localhost:8080`), no path or trailing `/`. Other origins get
    /// answers with no `Access-Control-Allow-Origin`, which their browser
    /// refuses.
    Origins(Vec<String>),
}

/// How long a browser may keep a preflight's answer.
const MAX_AGE: Duration = Duration::from_secs(600);

impl Cors {
    /// Reads a setting as an app's configuration writes it: `*` is
    /// [`Cors::AnyOrigin`], `none` is [`Cors::Off`], otherwise a
    /// comma-separated list of origins ([`Cors::Origins`], checked and
    /// lowercased).
    ///
    /// # Errors
    ///
    /// `BadRequest` naming the first entry that is not an origin (a
    /// path, a trailing `/`, no scheme, `null`, `*` in a list) or an
    /// empty list.
    pub fn parse(text: &str) -> Result<Cors> {
        match text.trim() {
            "*" => return Ok(Cors::AnyOrigin),
            "none" => return Ok(Cors::Off),
            _ => {}
        }
        let origins = text
            .split(',')
            .map(str::trim)
            .filter(|origin| !origin.is_empty())
            .map(|origin| check_origin(origin).map(|_| origin.to_ascii_lowercase()))
            .collect::<Result<Vec<_>>>()?;
        if origins.is_empty() {
            return Err(Error::bad_request(
                "No CORS origin given: use `*`, `none` or a list of origins",
            ));
        }
        Ok(Cors::Origins(origins))
    }

    /// The layer answering preflights and adding the CORS headers, `None`
    /// when [`Cors::Off`]. [`App::into_router_with`](crate::App::into_router_with)
    /// adds it to the app's router; add it yourself to routes of your own
    /// beside the app's.
    ///
    /// # Errors
    ///
    /// `BadRequest` when an origin of [`Cors::Origins`] is not one (see
    /// [`Cors::parse`]).
    pub fn layer(&self) -> Result<Option<CorsLayer>> {
        let allow_origin = match self {
            Cors::Off => return Ok(None),
            Cors::AnyOrigin => AllowOrigin::any(),
            Cors::Origins(origins) => AllowOrigin::list(
                origins
                    .iter()
                    .map(|origin| check_origin(origin))
                    .collect::<Result<Vec<_>>>()?,
            ),
        };
        let layer = CorsLayer::new();
        // An answer to any origin is the same for every request (`*` and
        // fixed lists): no cache needs to tell them apart by `Origin`.
        let layer = match self {
            Cors::AnyOrigin => layer.vary([]),
            _ => layer,
        };
        Ok(Some(
            layer
                .allow_origin(allow_origin)
                .allow_methods([
                    Method::GET,
                    Method::POST,
                    Method::PUT,
                    Method::PATCH,
                    Method::DELETE,
                ])
                .allow_headers([
                    header::AUTHORIZATION,
                    header::CONTENT_TYPE,
                    super::SERVICE_METHOD,
                ])
                .max_age(MAX_AGE),
        ))
    }
}

/// `origin` as a header value, when it is `scheme://host[:port]` and
/// nothing more.
fn check_origin(origin: &str) -> Result<HeaderValue> {
    let refuse = |why: &str| {
        Err(Error::bad_request(format!(
            "Invalid CORS origin {origin:?}: {why}"
        )))
    };
    let Ok(uri) = origin.parse::<http::Uri>() else {
        return refuse("not a URL");
    };
    let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
        return refuse("an origin is a scheme and a host, as `https://example.com`");
    };
    if !origin.eq_ignore_ascii_case(&format!("{scheme}://{authority}")) {
        return refuse("an origin has no path, not even a trailing `/`");
    }
    if authority.as_str().contains('@') {
        return refuse("an origin has no user name");
    }
    let Ok(value) = HeaderValue::from_str(&origin.to_ascii_lowercase()) else {
        return refuse("not a header value");
    };
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_read() {
        assert_eq!(Cors::parse(" * "), Ok(Cors::AnyOrigin));
        assert_eq!(Cors::parse("none"), Ok(Cors::Off));
        assert_eq!(
            Cors::parse("HTTPS://Chat.Example.com,http://127.0.0.1:8080,"),
            Ok(Cors::Origins(vec![
                "https://chat.example.com".into(),
                "http://127.0.0.1:8080".into()
            ]))
        );
    }

    #[test]
    fn what_is_not_an_origin_is_refused() {
        for bad in [
            "",
            " , ",
            "https://chat.example.com/",
            "https://chat.example.com/app",
            "https://chat.example.com?x=1",
            "chat.example.com",
            "null",
            "https://a.example.com,*",
            "https://user@a.example.com",
            "https://a b.example.com",
        ] {
            assert!(Cors::parse(bad).is_err(), "{bad:?} was accepted");
        }
        let error = Cors::parse("https://chat.example.com/").unwrap_err();
        assert_eq!(
            error.message(),
            "Invalid CORS origin \"https://chat.example.com/\": an origin has no path, not even a trailing `/`"
        );
        assert!(
            Cors::Origins(vec!["https://ok.example.com".into(), "bad".into()])
                .layer()
                .is_err()
        );
    }
}

/// [`Cors::AnyOrigin`] as the app's router applies it: the answers of
/// tower-http's `CorsLayer` configured by [`Cors::layer`], byte for byte
/// (every `OPTIONS` a preflight answered `200` with the methods, the
/// request headers and the max age, then `Access-Control-Allow-Origin: *`;
/// every other answer with `Access-Control-Allow-Origin: *` appended), with
/// its header values made once rather than on every request
/// (`tests/cors.rs` compares the two).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct AnyOriginLayer;

impl<S> tower::Layer<S> for AnyOriginLayer {
    type Service = AnyOrigin<S>;

    fn layer(&self, inner: S) -> AnyOrigin<S> {
        AnyOrigin { inner }
    }
}

/// See [`AnyOriginLayer`].
#[derive(Debug, Clone)]
pub(crate) struct AnyOrigin<S> {
    inner: S,
}

const ALLOW_METHODS: &str = "GET,POST,PUT,PATCH,DELETE";
const ALLOW_HEADERS: &str = "authorization,content-type,x-service-method";
const MAX_AGE_SECONDS: &str = "600";

impl<S, RequestBody, ResponseBody> tower::Service<http::Request<RequestBody>> for AnyOrigin<S>
where
    S: tower::Service<http::Request<RequestBody>, Response = http::Response<ResponseBody>>,
    ResponseBody: Default,
{
    type Response = http::Response<ResponseBody>;
    type Error = S::Error;
    type Future = AnyOriginFuture<S::Future, ResponseBody>;

    fn poll_ready(
        &mut self,
        context: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::result::Result<(), S::Error>> {
        self.inner.poll_ready(context)
    }

    fn call(&mut self, request: http::Request<RequestBody>) -> Self::Future {
        if request.method() == Method::OPTIONS {
            let mut response = http::Response::new(ResponseBody::default());
            let headers = response.headers_mut();
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static(ALLOW_METHODS),
            );
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static(ALLOW_HEADERS),
            );
            headers.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static(MAX_AGE_SECONDS),
            );
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            );
            return AnyOriginFuture::Preflight {
                response: Some(response),
            };
        }
        AnyOriginFuture::Call {
            future: self.inner.call(request),
        }
    }
}

pin_project_lite::pin_project! {
    /// The answer of [`AnyOrigin`].
    #[project = AnyOriginProjection]
    pub(crate) enum AnyOriginFuture<F, B> {
        /// The inner service's, `Access-Control-Allow-Origin` added.
        Call { #[pin] future: F },
        /// A preflight's, ready.
        Preflight { response: Option<http::Response<B>> },
    }
}

impl<F, B, E> std::future::Future for AnyOriginFuture<F, B>
where
    F: std::future::Future<Output = std::result::Result<http::Response<B>, E>>,
    B: Default,
{
    type Output = std::result::Result<http::Response<B>, E>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        context: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        match self.project() {
            AnyOriginProjection::Preflight { response } => {
                std::task::Poll::Ready(Ok(response.take().unwrap_or_default()))
            }
            AnyOriginProjection::Call { future } => {
                let mut response = std::task::ready!(future.poll(context))?;
                response.headers_mut().insert(
                    header::ACCESS_CONTROL_ALLOW_ORIGIN,
                    HeaderValue::from_static("*"),
                );
                std::task::Poll::Ready(Ok(response))
            }
        }
    }
}
