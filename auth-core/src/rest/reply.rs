//! Responses: results and errors as Feathers' JSON.

use axum::body::Body;
use axum::response::Response;
use http::{HeaderValue, StatusCode, header};

use crate::error::Error;

/// A JSON response.
pub(crate) fn json(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// An error as Feathers' JSON, with the status equal to its code.
pub(crate) fn error(error: Error) -> Response {
    let status = StatusCode::from_u16(error.code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status.is_server_error() {
        tracing::error!(%error, "request failed");
    }
    let body = serde_json::to_vec(&error).unwrap_or_else(|_| {
        br#"{"name":"GeneralError","message":"Error","code":500,"className":"general-error"}"#
            .to_vec()
    });
    json(status, body)
}

/// `408 Timeout`: the request took longer than its limit.
pub(crate) fn timed_out() -> Response {
    error(Error::timeout("The request took too long"))
}

/// `X-Content-Type-Options: nosniff` on every answer, so that no browser
/// reads a JSON answer (which may echo client input) as another type.
pub(crate) fn no_sniffing(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// `Cache-Control: no-store`, for answers that carry a token or an
/// account (RFC 6749 section 5.1): no cache on the way may keep them.
pub(crate) fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Errors produced outside the handler (a body over the limit, refused by
/// `RequestBodyLimitLayer`, or any bare 4xx/5xx of a layer an app adds)
/// answered as Feathers' JSON too.
pub(crate) fn json_errors(response: Response) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    if is_json || !response.status().is_client_error() && !response.status().is_server_error() {
        return response;
    }
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return error(Error::payload_too_large("Request body is too large"));
    }
    if response.status() == StatusCode::REQUEST_TIMEOUT {
        return timed_out();
    }
    let message = response
        .status()
        .canonical_reason()
        .unwrap_or("Error")
        .to_owned();
    let kind = crate::error::ErrorKind::from_code(response.status().as_u16())
        .unwrap_or(crate::error::ErrorKind::GeneralError);
    error(Error::new(kind, message))
}
