//! The one handler behind every route: an HTTP request in, a service call
//! through the app's hooks, Feathers' JSON out.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{ConnectInfo, Request};
use axum::response::Response;
use http::StatusCode;
use serde_json::{Map, Value};

use crate::app::JsonCall;
use crate::error::{Error, Result};
use crate::params::{Params, PeerAddr, Provider};
use crate::rest::{RestState, SERVICE_METHOD, panic, qs, reply, route};
use crate::service::Method;

/// The app under the REST layers: every request goes to [`handle`].
///
/// A tower service of its own rather than an axum handler in a `Router`:
/// a handler route is boxed as a service, cloned and its future boxed on
/// every request, and each layer above it then carried the route's future
/// (the request inside it, until first polled) by value. Here the
/// request's future is boxed once, where it is built, and the layers
/// above carry a pointer.
#[derive(Clone)]
pub(crate) struct Handler {
    state: Arc<RestState>,
}

impl Handler {
    /// The handler of the app in `state`.
    pub(crate) fn new(state: Arc<RestState>) -> Handler {
        Handler { state }
    }
}

impl<B> tower::Service<http::Request<B>> for Handler
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = std::result::Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<std::result::Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        // A body that is over before it starts (most `GET`s) needs no box.
        let request = request.map(|body| {
            if body.is_end_stream() {
                Body::empty()
            } else {
                Body::new(body)
            }
        });
        let state = Arc::clone(&self.state);
        crate::in_place::pinned_in_place!(async move { Ok(handle(state, request).await) })
    }
}

/// The answer to one request.
async fn handle(state: Arc<RestState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    // A custom method is called with a `POST` only, as in Feathers: other
    // requests need not look the header up.
    let custom = match parts.method {
        http::Method::POST => parts
            .headers
            .get(SERVICE_METHOD)
            .and_then(|value| value.to_str().ok()),
        _ => None,
    };
    let route = match route::resolve(&state.app, &parts.method, parts.uri.path(), custom) {
        Ok(route) => route,
        Err(error) => return reply::error(error),
    };
    let private = state
        .private_paths
        .iter()
        .any(|path| path == route.service.path());
    // The route as the log may show it: no query string, no id (the
    // authentication service's id is a token).
    let method = parts.method.clone();
    let path = panic::CallPath {
        service: route.service.path.clone(),
        with_id: route.id.is_some(),
    };
    // Boxed where it is made: the call's future is large, and moving it
    // into the panic guard and this future's state copied it each time;
    // built in its box, it is not copied from the stack either.
    let call = crate::in_place::pinned_in_place!(call(&state, route, parts, body));
    let response = match panic::catching(call, "rest", method.as_str(), path).await {
        Ok(response) => response,
        Err(error) => reply::error(error),
    };
    if private {
        reply::no_store(response)
    } else {
        response
    }
}

/// The paths of the services whose answers carry a token or an account
/// (`Cache-Control: no-store`): the authentication service's, and its
/// entity service's (the users). Read once, when the router is built.
#[cfg(feature = "auth")]
pub(crate) fn private_paths(app: &crate::app::App) -> Vec<String> {
    let Ok(authentication) = crate::authentication::default_authentication(app) else {
        return Vec::new();
    };
    vec![
        authentication.path().to_owned(),
        authentication.config().service.trim_matches('/').to_owned(),
    ]
}

#[cfg(not(feature = "auth"))]
pub(crate) fn private_paths(_app: &crate::app::App) -> Vec<String> {
    Vec::new()
}

/// One call, from the request's parts to the answer.
///
/// Written as a function returning an `async` block, not an `async fn`:
/// an `async fn` keeps its arguments twice in its future (as they came,
/// and as moved into its body), 336 bytes here. And the params are built
/// after the awaits that read the credentials and the body, in a block of
/// their own, so that their 464 bytes are not kept across any await. The
/// future stays under 1 KB, within glibc's per-thread cache of freed
/// chunks: boxed once a request, it comes back warm from the last one.
#[allow(
    clippy::manual_async_fn,
    reason = "an `async fn`'s future would keep the arguments twice"
)]
fn call<'a>(
    state: &'a RestState,
    route: route::Route,
    parts: http::request::Parts,
    body: Body,
) -> impl Future<Output = Result<Response>> + Send + 'a {
    async move {
        let query = match parts.uri.query() {
            Some(query) => qs::parse(query, state.options.query_limits)?,
            None => Map::new(),
        };
        // Without the `auth` feature there are no strategies to read
        // credentials with: `params.authentication` stays `None`, and the
        // `Authorization` header reaches hooks in `params.headers`.
        #[cfg(feature = "auth")]
        let authentication = crate::authentication::parse_credentials(&state.app, &parts).await?;
        let data = match route.method {
            Method::Find | Method::Get | Method::Remove => None,
            _ => Some(read_json(&parts.headers, body, state.options.body_limit).await?),
        };
        let created = route.method == Method::Create;
        let select;
        let reply = {
            let mut params = Params::external(Provider::Rest);
            params.query = query;
            #[cfg(feature = "auth")]
            {
                params.authentication = authentication;
            }
            params.headers = parts.headers;
            // What the request carries for the app (its own layers'
            // extensions, and the peer's address when served by
            // `serve`/`listen`) goes on to hooks.
            let peer = parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(address)| PeerAddr(*address));
            params.extensions = parts.extensions;
            if let Some(peer) = peer {
                params.extensions.insert(peer);
            }
            select = crate::query::selected_fields(&params.query);
            route.service.call(JsonCall {
                method: route.method,
                id: route.id,
                data,
                params,
            })
        };
        let reply = reply.await?;
        let status = match reply.status {
            Some(code) => StatusCode::from_u16(code)
                .map_err(|_| Error::general(format!("A hook set the invalid status {code}")))?,
            None if created => StatusCode::CREATED,
            None => StatusCode::OK,
        };
        let body = match select {
            None => reply.to_bytes()?,
            Some(fields) => {
                let projected = crate::query::project_reply(reply.to_json()?, &fields);
                serde_json::to_vec(&projected).map_err(|error| {
                    Error::general(format!("Could not write the reply: {error}"))
                })?
            }
        };
        Ok(reply::json(status, body))
    }
}

/// The body as JSON, refused before any service sees it unless its
/// `Content-Type` is JSON:
///
/// - `application/json` or any `application/*+json`, with no `charset` or
///   `charset=utf-8`: read as JSON (malformed is `400`);
/// - an empty (or blank) body is `{}`, as Feathers' body parser gives,
///   when the request has no `Content-Type` or a JSON one;
/// - a body with no `Content-Type`, or any other type (`text/plain`,
///   forms, another charset): `415 UnsupportedMediaType`; more than one
///   `Content-Type` is a `400`.
///
/// The body is read (within the limit: over it is `413`) before its type
/// is judged, so that a refused request leaves its connection ready for
/// the next one. A leading UTF-8 byte order mark is skipped, as Node's
/// decoder does.
async fn read_json(headers: &http::HeaderMap, body: Body, limit: usize) -> Result<Value> {
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|error| {
        let too_large = std::iter::successors(
            Some(&error as &(dyn std::error::Error + 'static)),
            |error| error.source(),
        )
        .any(|error| error.to_string().contains("length limit exceeded"));
        if too_large {
            Error::payload_too_large("Request body is too large")
        } else {
            Error::bad_request(format!("Could not read the request body: {error}"))
        }
    })?;
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
    let blank = bytes.iter().all(u8::is_ascii_whitespace);
    match body_type(headers)? {
        BodyType::Json | BodyType::Missing if blank => Ok(Value::Object(Map::new())),
        BodyType::Json => serde_json::from_slice(bytes).map_err(|error| {
            Error::bad_request(format!("Invalid JSON in the request body: {error}"))
        }),
        BodyType::Missing => Err(Error::unsupported_media_type(
            "A request body needs the Content-Type application/json",
        )),
        BodyType::Unsupported => Err(Error::unsupported_media_type(
            "Unsupported Content-Type: a request body must be application/json",
        )),
        BodyType::OtherCharset => Err(Error::unsupported_media_type(
            "Unsupported charset: a JSON request body is UTF-8",
        )),
    }
}

/// What a request's `Content-Type` says of its body.
#[derive(Debug, PartialEq, Eq)]
enum BodyType {
    /// `application/json` or `application/*+json`, in UTF-8.
    Json,
    /// No `Content-Type`.
    Missing,
    /// JSON in another charset.
    OtherCharset,
    /// Anything else, unparsable types included.
    Unsupported,
}

/// Reads the request's `Content-Type` (parsed by the `mime` crate:
/// parameters, quoting and case as RFC 9110 has them); two of them are a
/// `400`.
fn body_type(headers: &http::HeaderMap) -> Result<BodyType> {
    let mut types = headers.get_all(http::header::CONTENT_TYPE).iter();
    let Some(value) = types.next() else {
        return Ok(BodyType::Missing);
    };
    if types.next().is_some() {
        return Err(Error::bad_request("More than one Content-Type"));
    }
    let Some(media) = value
        .to_str()
        .ok()
        .and_then(|text| text.parse::<mime::Mime>().ok())
    else {
        return Ok(BodyType::Unsupported);
    };
    let json = media.type_() == mime::APPLICATION
        && (media.subtype() == mime::JSON || media.suffix() == Some(mime::JSON));
    if !json {
        return Ok(BodyType::Unsupported);
    }
    let utf8 = media.get_param(mime::CHARSET).is_none_or(|charset| {
        charset.as_str().eq_ignore_ascii_case("utf-8")
            || charset.as_str().eq_ignore_ascii_case("utf8")
    });
    Ok(if utf8 {
        BodyType::Json
    } else {
        BodyType::OtherCharset
    })
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use http::{Request, StatusCode};
    use serde_json::Value;
    use tower::ServiceExt;

    use crate::memory::MemoryService;
    use crate::prelude::*;

    /// Answers what the call's params hold about credentials, as an error
    /// the test reads back.
    async fn report_credentials(ctx: &mut HookContext<MemoryService>) -> Result<()> {
        let header = ctx
            .params
            .headers
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            .unwrap_or("none");
        let parsed = ctx.params.authentication.is_some();
        Err(Error::bad_request(format!(
            "parsed: {parsed}, header: {header}"
        )))
    }

    /// With no authentication service (and with no `auth` feature, where
    /// there can be none), an `Authorization` header is not parsed: it
    /// reaches hooks as a header, `params.authentication` stays `None`.
    #[tokio::test]
    async fn without_authentication_the_authorization_header_reaches_hooks_unparsed() {
        let app = App::new().register("notes", MemoryService::<Value>::new());
        app.service::<MemoryService>("notes")
            .hooks(ServiceHooks::new().before("find", report_credentials))
            .expect("the notes service is registered");
        let router = app.into_router().expect("the app serves");
        let request = Request::get("/notes")
            .header("authorization", "Bearer a.b.c")
            .body(Body::empty())
            .expect("a valid request");
        let response = router.oneshot(request).await.expect("the router answers");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .expect("a readable body");
        let body: Value = serde_json::from_slice(&body).expect("a JSON error");
        assert_eq!(body["message"], "parsed: false, header: Bearer a.b.c");
    }
}
