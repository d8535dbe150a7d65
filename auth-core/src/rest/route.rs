//! From an HTTP method and path to a service call: which service, which
//! id, which method.

use http::Method as HttpMethod;

use crate::app::{App, JsonService};
use crate::error::{Error, Result};
use crate::service::{Id, Method};

/// A request resolved to a call.
pub(crate) struct Route {
    pub(crate) service: JsonService,
    pub(crate) id: Option<Id>,
    pub(crate) method: Method,
}

/// Percent-decodes one path segment; a segment that is not UTF-8 is refused.
fn decode_segment(segment: &str) -> Result<String> {
    String::from_utf8(crate::rest::qs::percent_decode(segment, false))
        .map_err(|_| Error::bad_request("The path is not valid UTF-8"))
}

/// The service at `path` (`/messages` or `/messages/:id`; service paths may
/// have several segments) and the method for `http_method`.
pub(crate) fn resolve(
    app: &App,
    http_method: &HttpMethod,
    path: &str,
    custom: Option<&str>,
) -> Result<Route> {
    let (service, id) = app
        .route_json_service(path)
        .ok_or_else(|| Error::not_found(format!("Path {path} not found")))?;
    let id = id.map(decode_segment).transpose()?.map(Id::String);
    let method = match (http_method, &id, custom) {
        (&HttpMethod::POST, None, Some(name)) => {
            if !service.custom_methods().contains(&name) {
                return Err(Error::method_not_allowed(format!(
                    "Method `{name}` is not supported by this endpoint."
                )));
            }
            Method::from_name(name)
        }
        (&HttpMethod::GET, None, _) => Method::Find,
        (&HttpMethod::GET, Some(_), _) => Method::Get,
        (&HttpMethod::POST, None, _) => Method::Create,
        (&HttpMethod::PUT, _, _) => Method::Update,
        (&HttpMethod::PATCH, _, _) => Method::Patch,
        (&HttpMethod::DELETE, _, _) => Method::Remove,
        (other, _, _) => {
            return Err(Error::method_not_allowed(format!(
                "Method `{other}` is not supported by this endpoint."
            )));
        }
    };
    Ok(Route {
        service,
        id,
        method,
    })
}
