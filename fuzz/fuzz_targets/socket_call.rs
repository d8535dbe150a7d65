//! Fuzz target `socket_call`: a Socket.IO method event, as Feathers'
//! socket clients send it, through the transport's decoder and the call
//! it makes.
//!
//! The input bytes (made UTF-8, invalid sequences as U+FFFD) are an
//! event's JSON payload, `["find","messages",{"$limit":2}]`: the event
//! name, then the arguments. socketioxide's own parser (the common one,
//! as the transport uses) reads the event name and decodes the arguments
//! into the transport's `Arguments`, as the `Event` and `TryData`
//! extractors do; a payload it refuses never reaches the transport's
//! code. The event is then resolved into a call
//! (`auth_core::__fuzz::socket_resolve`) and run
//! (`auth_core::__fuzz::socket_call`, what the transport acknowledges) on
//! an app built afresh for each input, so each input runs alone:
//!
//! * `messages`: a `MemoryService<Value>`, paginated (5, at most 10),
//!   with every multi call allowed and three records;
//! * `api/notes`: a `MemoryService<examples::chat::Message>` (typed
//!   records, no pagination, no multi call) with one record;
//! * `things`: a service with the custom method `shout`.
//!
//! Nothing may panic. Also checked:
//!
//! * resolving fails as Feathers' socket transport does, checked against
//!   a model written here from the protocol: `NotFound` (404) for a
//!   missing, non-string or unknown path, `MethodNotAllowed` (405) for a
//!   custom method the service does not offer, `BadRequest` (400) for
//!   too many arguments, a missing or invalid id, or params that are not
//!   an object;
//! * a resolved call has the event's method, the id, data and query at
//!   the positions of Feathers' `paramsPositions` (missing data is `{}`)
//!   and the provider `socketio`;
//! * the call fails with a client error (4xx), never a server error, and
//!   with the resolver's error when resolving fails;
//! * with a `$select`, every record answered has only the selected fields
//!   and `id`.

#![no_main]

use std::sync::LazyLock;

use auth_core::__fuzz::{Arguments, socket_call, socket_resolve};
use auth_core::memory::{MemoryOptions, MemoryService};
use auth_core::prelude::*;
use auth_core::query::Paginate;
use auth_core::realtime::Connection;
use auth_core::{JsonCall, JsonService, Method};
use examples::chat::Message;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};
use socketioxide_core::Value as Payload;
use socketioxide_core::parser::Parse;
use socketioxide_parser_common::CommonParser;

/// The transport's `params.provider`.
const PROVIDER: &str = "socketio";

/// The paths the app serves, as registered.
const PATHS: [&str; 3] = ["messages", "api/notes", "things"];

/// A service with one custom method, `shout`, answering what it is given.
struct Things;

impl Service for Things {
    type Item = Value;
    type Data = Value;
    type Patch = Value;
    const CUSTOM_METHODS: &'static [&'static str] = &["shout"];

    async fn find(&self, _params: &Params) -> Result<Found<Value>> {
        Ok(Found::All(vec![json!({ "id": 0, "name": "thing" })]))
    }
    async fn get(&self, id: &Id, _params: &Params) -> Result<Value> {
        Ok(json!({ "id": id.to_json() }))
    }
    async fn create(&self, data: Value, _params: &Params) -> Result<Value> {
        Ok(json!({ "id": 1, "data": data }))
    }
    async fn custom(&self, method: &str, data: Value, _params: &Params) -> Result<Value> {
        Ok(json!({ "method": method, "data": data }))
    }
}

/// The runtime every input's calls run on.
static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime")
});

/// A fresh app with the three services and their records.
async fn app() -> App {
    let messages = MemoryService::<Value>::with_options(
        MemoryOptions::new()
            .paginate(Paginate {
                default: 5,
                max: 10,
            })
            .multi(true),
    );
    let app = App::new()
        .register("messages", messages)
        .register("api/notes", MemoryService::<Message>::new())
        .register("things", Things);
    let messages = app.service::<MemoryService<Value>>("messages");
    for record in [
        json!({ "text": "hello", "userId": 1, "tags": ["a"] }),
        json!({ "text": "", "userId": 2, "read": true }),
        json!({ "text": "3", "userId": null, "nested": { "deep": [1, 2] } }),
    ] {
        messages
            .create(record, Params::new())
            .await
            .expect("a message");
    }
    let note = Message {
        id: None,
        text: "a note".to_owned(),
        user_id: Some(1),
        anonymous: None,
    };
    app.service::<MemoryService<Message>>("api/notes")
        .create(note, Params::new())
        .await
        .expect("a note");
    app
}

/// What resolving an event should give, by Feathers' socket protocol.
#[derive(Debug)]
enum Expected {
    /// An error with this code.
    Refused(u16),
    /// A call with these parts.
    Call {
        method: Method,
        id: Option<Id>,
        data: Option<Value>,
        query: Map<String, Value>,
    },
}

/// Where a method's params are among its arguments after the path
/// (Feathers' `paramsPositions`).
fn params_position(method: &Method) -> usize {
    match method {
        Method::Find => 0,
        Method::Update | Method::Patch => 2,
        _ => 1,
    }
}

/// The model: what the event `name` with the arguments `arguments`
/// (after the name) should resolve to.
fn expected(name: &str, arguments: &[Value]) -> Expected {
    use Expected::Refused;
    let Some(Value::String(path)) = arguments.first() else {
        return Refused(404);
    };
    let path = path.trim_matches('/');
    if !PATHS.contains(&path) {
        return Refused(404);
    }
    let method = Method::from_name(name);
    if let Method::Custom(custom) = &method
        && !(path == "things" && custom.as_ref() == "shout")
    {
        return Refused(405);
    }
    let rest = &arguments[1..];
    let position = params_position(&method);
    if rest.len() > position + 1 {
        return Refused(400);
    }
    let at = |index: usize| rest.get(index).filter(|value| !value.is_null());
    let id = match method {
        Method::Get | Method::Remove | Method::Update | Method::Patch => match at(0) {
            None if matches!(method, Method::Patch | Method::Remove) => None,
            None => return Refused(400),
            Some(Value::String(id)) => Some(Id::String(id.clone())),
            Some(Value::Number(id)) => match id.as_i64() {
                Some(id) => Some(Id::Number(id)),
                None => return Refused(400),
            },
            Some(_) => return Refused(400),
        },
        _ => None,
    };
    let data_at = match method {
        Method::Find | Method::Get | Method::Remove => None,
        Method::Update | Method::Patch => Some(1),
        Method::Create | Method::Custom(_) => Some(0),
    };
    let data = data_at.map(|index| at(index).cloned().unwrap_or_else(|| json!({})));
    let query = match at(position) {
        None => Map::new(),
        Some(Value::Object(query)) => query.clone(),
        Some(_) => return Refused(400),
    };
    Expected::Call {
        method,
        id,
        data,
        query,
    }
}

/// Checks a resolved call (or its error) against the model.
fn check_resolved(resolved: &Result<(JsonService, JsonCall)>, expected: &Expected, input: &str) {
    match (resolved, expected) {
        (Err(error), Expected::Refused(code)) => {
            assert_eq!(error.code(), *code, "{input:?} was refused with {error:?}");
        }
        (
            Ok((service, call)),
            Expected::Call {
                method,
                id,
                data,
                query,
            },
        ) => {
            assert!(
                PATHS.contains(&service.path()),
                "{input:?}: {}",
                service.path()
            );
            assert_eq!(&call.method, method, "{input:?}");
            assert_eq!(&call.id, id, "{input:?}");
            assert_eq!(&call.data, data, "{input:?}");
            assert_eq!(&call.params.query, query, "{input:?}");
            let provider = call.params.provider.as_ref().map(|p| p.as_str());
            assert_eq!(provider, Some(PROVIDER), "{input:?}");
        }
        (resolved, expected) => {
            let resolved = resolved.as_ref().map(|(_, call)| call);
            panic!("{input:?} resolved to {resolved:?}, expected {expected:?}")
        }
    }
}

/// The records of an answer as `$select` projects them: each of a list,
/// each of a page's `data`, or the answer itself.
fn records(answer: &Value) -> Vec<&Value> {
    match answer {
        Value::Array(records) => records.iter().collect(),
        Value::Object(page) if page.contains_key("total") && page.contains_key("data") => {
            match &page["data"] {
                Value::Array(records) => records.iter().collect(),
                _ => Vec::new(),
            }
        }
        other => vec![other],
    }
}

/// The fields a query's `$select` names, as the transport reads them.
fn selected(query: &Map<String, Value>) -> Option<Vec<&str>> {
    match query.get("$select")? {
        Value::String(field) => Some(vec![field.as_str()]),
        Value::Array(fields) => Some(fields.iter().filter_map(Value::as_str).collect()),
        _ => None,
    }
}

fn decode(text: &str) -> Option<(String, Payload)> {
    let payload = Payload::Str(text.to_owned().into(), None);
    let name = CommonParser.read_event(&payload).ok()?.to_owned();
    Some((name, payload))
}

fn arguments(payload: &Payload) -> Option<Arguments> {
    let mut payload = payload.clone();
    CommonParser
        .decode_value::<Arguments>(&mut payload, true)
        .ok()
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // A payload without an event name is dropped by socketioxide; one
    // whose arguments it can not decode is answered with a 400 built
    // from socketioxide's error, before the transport's own code.
    let Some((name, payload)) = decode(&text) else {
        return;
    };
    let (Some(for_resolve), Some(for_call)) = (arguments(&payload), arguments(&payload)) else {
        return;
    };
    // The model reads the same JSON with serde_json alone; socketioxide
    // ignores what follows the array, and so does the model.
    let model = serde_json::Deserializer::from_str(&text)
        .into_iter::<Value>()
        .next()
        .and_then(|value| value.ok());
    let model = match model {
        Some(Value::Array(items)) if items.first().and_then(Value::as_str) == Some(&name) => {
            // At most the path and four arguments are read; more is a 400.
            Some(expected(&name, &items[1..]))
        }
        _ => None,
    };

    RUNTIME.block_on(async {
        let app = app().await;
        let connection = Connection::new(Params::external(Provider::Other(PROVIDER.into())));
        let mut params = connection.params();
        params.extensions.insert(connection.clone());
        let resolved = socket_resolve(&app, &name, for_resolve, params);
        if let Some(model) = &model {
            check_resolved(&resolved, model, &text);
        }

        let answer = socket_call(&app, &connection, &name, for_call).await;
        match (&resolved, &answer) {
            (Err(refused), Err(error)) => {
                assert_eq!(refused.code(), error.code(), "{text:?}");
                assert_eq!(refused.message(), error.message(), "{text:?}");
            }
            (Err(refused), Ok(answer)) => {
                panic!("{text:?} was refused with {refused:?}, yet answered {answer}")
            }
            (Ok(_), Err(error)) => assert!(
                (400..500).contains(&error.code()),
                "{text:?} failed with {error:?}"
            ),
            (Ok((_, call)), Ok(answer)) => {
                if let Some(fields) = selected(&call.params.query) {
                    for record in records(answer) {
                        let Value::Object(record) = record else {
                            continue;
                        };
                        for key in record.keys() {
                            assert!(
                                key == "id" || fields.contains(&key.as_str()),
                                "{text:?}: {key} was not selected, in {answer}"
                            );
                        }
                    }
                }
            }
        }
    });
});
