//! The message one instance publishes per service event, as JSON:
//! `{"instance", "path", "event", "method", "id", "data", "params"}`.
//!
//! `params` carries what a publisher on another instance may read
//! (provider, query, route, authenticated, user, fields) and never a
//! credential: no headers, no `authentication`, and no key that the
//! project's redaction rule (`redact::is_secret`) calls secret, at any
//! depth. Everything on the channel is readable by whoever can subscribe
//! to it, and a token there would outlive its request.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::events::{EventKind, ServiceEvent};
use crate::params::{Params, Provider};
use crate::redact::is_secret;
use crate::service::{Id, Method};

/// One service event on the channel.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct WireEvent {
    /// The publishing instance, so it skips its own messages.
    pub(crate) instance: String,
    path: String,
    event: String,
    method: String,
    #[serde(default)]
    id: Option<Id>,
    #[serde(default)]
    data: Value,
    #[serde(default)]
    params: WireParams,
}

/// The part of a call's params that crosses to other instances.
#[derive(Debug, Default, Serialize, Deserialize)]
struct WireParams {
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    query: Map<String, Value>,
    #[serde(default)]
    route: Map<String, Value>,
    #[serde(default)]
    authenticated: bool,
    #[serde(default)]
    user: Option<Value>,
    #[serde(default)]
    fields: Map<String, Value>,
}

impl WireEvent {
    /// The message for `event`, published by `instance`.
    pub(crate) fn from_event(instance: &str, event: &ServiceEvent) -> WireEvent {
        let params = &event.params;
        let mut fields = without_secrets(&params.fields);
        // The authentication result merged into params (Feathers'
        // `params.authentication` and the strategy's answer) is about
        // credentials, whatever its keys are named.
        fields.remove("authentication");
        WireEvent {
            instance: instance.to_owned(),
            path: event.path.to_string(),
            event: event.event.as_str().to_owned(),
            method: event.method.as_str().to_owned(),
            id: event.id.clone(),
            data: event.data.clone(),
            params: WireParams {
                provider: params.provider.as_ref().map(|p| p.as_str().to_owned()),
                query: without_secrets(&params.query),
                route: without_secrets(&params.route),
                authenticated: params.authenticated,
                user: params
                    .user
                    .as_ref()
                    .and_then(|user| user.json().ok())
                    .map(value_without_secrets),
                fields,
            },
        }
    }

    /// The JSON text published.
    pub(crate) fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string(self)
    }

    /// Reads a message; an error says what does not fit.
    pub(crate) fn from_json(bytes: &[u8]) -> Result<WireEvent, String> {
        serde_json::from_slice(bytes).map_err(|error| error.to_string())
    }

    /// The service event the message describes, as the receiving app
    /// dispatches it: params as an external call's (provider set when the
    /// sender had one), with no headers and no credentials.
    pub(crate) fn into_event(self) -> Result<ServiceEvent, String> {
        let event =
            event_kind(&self.event).ok_or_else(|| format!("unknown event {:?}", self.event))?;
        if self.path.is_empty() {
            return Err("empty path".to_owned());
        }
        let wire = self.params;
        let params = Params {
            provider: wire.provider.map(|name| match name.as_str() {
                "rest" => Provider::Rest,
                _ => Provider::Other(name.into()),
            }),
            query: wire.query,
            route: wire.route,
            authenticated: wire.authenticated,
            user: wire.user.map(crate::params::Entity::from),
            fields: wire.fields,
            ..Params::default()
        };
        Ok(ServiceEvent {
            path: Arc::from(self.path),
            event,
            method: Method::from_name(&self.method),
            id: self.id,
            data: self.data,
            params,
        })
    }
}

fn event_kind(name: &str) -> Option<EventKind> {
    [
        EventKind::Created,
        EventKind::Updated,
        EventKind::Patched,
        EventKind::Removed,
    ]
    .into_iter()
    .find(|kind| kind.as_str() == name)
}

/// `map` without its secret keys, at any depth.
fn without_secrets(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter()
        .filter(|(key, _)| !is_secret(key))
        .map(|(key, value)| (key.clone(), value_without_secrets(value)))
        .collect()
}

fn value_without_secrets(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(without_secrets(map)),
        Value::Array(items) => Value::Array(items.iter().map(value_without_secrets).collect()),
        scalar => scalar.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::params::AuthenticationRequest;

    fn event(params: Params) -> ServiceEvent {
        ServiceEvent {
            path: Arc::from("messages"),
            event: EventKind::Patched,
            method: Method::Patch,
            id: Some(Id::from(7)),
            data: json!({ "id": 7, "text": "hi" }),
            params,
        }
    }

    #[test]
    fn an_event_goes_round_without_its_credentials() {
        let mut params = Params::external(Provider::Other("socketio".into()));
        params
            .headers
            .insert(http::header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        params.authentication = Some(AuthenticationRequest::new("jwt").with("accessToken", "abc"));
        params.authenticated = true;
        params.user = Some(json!({ "id": 1, "email": "a@b.c", "password": "hash" }).into());
        params.query.insert("access_token".into(), json!("abc"));
        params.query.insert("$limit".into(), json!(5));
        params.set_field("authentication", json!({ "strategy": "jwt" }));
        params.set_field(
            "payload",
            json!({ "sub": "1", "nested": { "apiKey": "k" } }),
        );

        let text = WireEvent::from_event("i1", &event(params))
            .to_json()
            .unwrap();
        for secret in ["abc", "Bearer", "hash", "apiKey", "\"authentication\""] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        let wire = WireEvent::from_json(text.as_bytes()).unwrap();
        assert_eq!(wire.instance, "i1");
        let back = wire.into_event().unwrap();
        assert_eq!(back.path.as_ref(), "messages");
        assert_eq!(back.event, EventKind::Patched);
        assert_eq!(back.method, Method::Patch);
        assert_eq!(back.id, Some(Id::from(7)));
        assert_eq!(back.data, json!({ "id": 7, "text": "hi" }));
        assert_eq!(
            back.params.provider,
            Some(Provider::Other("socketio".into()))
        );
        assert!(back.params.authenticated);
        assert_eq!(
            back.params.user.and_then(|user| user.json().ok().cloned()),
            Some(json!({ "id": 1, "email": "a@b.c" }))
        );
        assert_eq!(
            back.params.query,
            *json!({ "$limit": 5 }).as_object().unwrap()
        );
        assert_eq!(
            back.params.fields["payload"],
            json!({ "sub": "1", "nested": {} })
        );
        assert!(back.params.headers.is_empty());
        assert!(back.params.authentication.is_none());
    }

    #[test]
    fn the_rest_provider_and_internal_calls_keep_their_provider() {
        let rest = WireEvent::from_event("i", &event(Params::external(Provider::Rest)));
        let rest = WireEvent::from_json(rest.to_json().unwrap().as_bytes()).unwrap();
        assert_eq!(
            rest.into_event().unwrap().params.provider,
            Some(Provider::Rest)
        );
        let internal = WireEvent::from_event("i", &event(Params::new()));
        let internal = WireEvent::from_json(internal.to_json().unwrap().as_bytes()).unwrap();
        assert_eq!(internal.into_event().unwrap().params.provider, None);
    }

    #[test]
    fn malformed_messages_are_errors() {
        for text in [
            "",
            "not json",
            "[]",
            r#"{"instance":"i"}"#,
            r#"{"instance":"i","path":"m","event":"exploded","method":"create"}"#,
            r#"{"instance":"i","path":"","event":"created","method":"create"}"#,
            r#"{"instance":"i","path":"m","event":"created","method":"create","id":1.5}"#,
            r#"{"instance":"i","path":"m","event":"created","method":"create","params":{"query":[]}}"#,
        ] {
            let outcome = WireEvent::from_json(text.as_bytes()).and_then(WireEvent::into_event);
            assert!(outcome.is_err(), "{text}");
        }
    }
}
