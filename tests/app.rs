//! The app through its public API: every method with and without hooks,
//! internal and external calls, the JSON handle, events, settings and
//! configuration.

use auth_core::memory::{MemoryOptions, MemoryService};
use auth_core::prelude::*;
use auth_core::{JsonCall, WeakApp};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tests::{Log, Recorded, Step, recorded_app, things};

async fn call_every_method(app: &App) -> Vec<Value> {
    let things = things(app);
    let p = Params::new;
    vec![
        serde_json::to_value(things.find(p()).await.unwrap()).unwrap(),
        things.get(1, p()).await.unwrap(),
        things.create(json!({ "a": 1 }), p()).await.unwrap(),
        things.update(2, json!({ "b": 2 }), p()).await.unwrap(),
        things.patch(3, json!({ "c": 3 }), p()).await.unwrap(),
        things.remove(4, p()).await.unwrap(),
        things.custom("shout", json!("hey"), p()).await.unwrap(),
    ]
}

fn expected_results() -> Vec<Value> {
    vec![
        json!([{ "data": null }]),
        json!({ "id": 1, "data": null }),
        json!({ "data": { "a": 1 } }),
        json!({ "id": 2, "data": { "b": 2 } }),
        json!({ "id": 3, "data": { "c": 3 } }),
        json!({ "id": 4, "data": null }),
        json!({ "method": "shout", "data": "hey" }),
    ]
}

#[tokio::test]
async fn every_method_without_hooks() {
    let log = Log::new();
    let app = recorded_app(&log);

    assert_eq!(call_every_method(&app).await, expected_results());
    assert_eq!(log.take(), vec!["method"; 7]);
}

#[tokio::test]
async fn every_method_with_its_own_hooks() {
    let log = Log::new();
    let app = recorded_app(&log);
    let mut hooks = ServiceHooks::new();
    for method in [
        "find", "get", "create", "update", "patch", "remove", "shout",
    ] {
        hooks = hooks
            .before(method, Step::record(&log, &format!("before {method}")))
            .after(method, Step::record(&log, &format!("after {method}")));
    }
    things(&app).hooks(hooks).unwrap();

    assert_eq!(call_every_method(&app).await, expected_results());
    let expected: Vec<String> = [
        "find", "get", "create", "update", "patch", "remove", "shout",
    ]
    .iter()
    .flat_map(|m| {
        [
            format!("before {m}"),
            "method".to_owned(),
            format!("after {m}"),
        ]
    })
    .collect();
    assert_eq!(log.take(), expected);
}

struct OnlyGet;

impl Service for OnlyGet {
    type Item = Value;
    type Data = Value;
    type Patch = Value;

    async fn get(&self, id: &Id, _params: &Params) -> Result<Value> {
        Ok(json!({ "id": id.to_json() }))
    }
}

#[tokio::test]
async fn methods_a_service_leaves_out_are_method_not_allowed() {
    let app = App::new().register("only-get", OnlyGet);
    let service = app.service::<OnlyGet>("only-get");

    let error = service.find(Params::new()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::MethodNotAllowed);
    assert_eq!(
        error.message(),
        "Method `find` is not supported by this endpoint."
    );
    for error in [
        service.create(json!({}), Params::new()).await.unwrap_err(),
        service
            .update(1, json!({}), Params::new())
            .await
            .unwrap_err(),
        service
            .patch(1, json!({}), Params::new())
            .await
            .unwrap_err(),
        service.remove(1, Params::new()).await.unwrap_err(),
        service
            .custom("shout", json!({}), Params::new())
            .await
            .unwrap_err(),
    ] {
        assert_eq!(error.code(), 405, "{error}");
    }
    let many = service
        .create_many(vec![json!({})], Params::new())
        .await
        .unwrap_err();
    assert_eq!(
        (many.code(), many.message()),
        (405, "Can not create multiple entries")
    );
    assert_eq!(
        service.get(7, Params::new()).await.unwrap(),
        json!({ "id": 7 })
    );
}

#[tokio::test]
async fn a_custom_method_must_be_listed() {
    let log = Log::new();
    let app = recorded_app(&log);
    let error = things(&app)
        .custom("whisper", json!({}), Params::new())
        .await
        .unwrap_err();
    assert_eq!(
        error.message(),
        "Method `whisper` is not supported by this endpoint."
    );
    assert!(log.take().is_empty());
}

async fn record_provider(ctx: &mut HookContext<Recorded>) -> Result<()> {
    let provider = ctx.params.provider.as_ref().map(|p| p.to_string());
    ctx.params.set_field("seen_provider", json!(provider));
    Ok(())
}

async fn expose_provider(ctx: &mut HookContext<Recorded>) -> Result<()> {
    let seen = ctx.params.field("seen_provider").cloned();
    if let Some(Output::One(result)) = &mut ctx.result {
        result["provider"] = seen.unwrap_or(Value::Null);
    }
    Ok(())
}

#[tokio::test]
async fn internal_and_external_calls_run_the_same_hooks() {
    let log = Log::new();
    let app = recorded_app(&log);
    things(&app)
        .hooks(
            ServiceHooks::new()
                .before_all(record_provider)
                .after_all(expose_provider),
        )
        .unwrap();

    let internal = things(&app).get(1, Params::new()).await.unwrap();
    assert_eq!(internal["provider"], Value::Null);

    let external = app
        .json_service("things")
        .unwrap()
        .call(JsonCall::new(Method::Get, Params::external(Provider::Rest)).id("1"))
        .await
        .unwrap()
        .to_json()
        .unwrap();
    assert_eq!(external["provider"], json!("rest"));
    assert_eq!(external["id"], json!("1"));
    assert_eq!(log.take(), vec!["method", "method"]);
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Message {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<u64>,
    text: String,
}

#[tokio::test]
async fn the_json_handle_reads_data_into_the_service_type() {
    let app = App::new().register("messages", MemoryService::<Message>::new());
    let messages = app.json_service("/messages/").unwrap();
    assert_eq!(messages.path(), "messages");

    let created = messages
        .call(JsonCall::new(Method::Create, Params::new()).data(json!({ "text": "hi" })))
        .await
        .unwrap();
    assert_eq!(created.to_bytes().unwrap(), br#"{"id":0,"text":"hi"}"#);

    let error = messages
        .call(JsonCall::new(Method::Create, Params::new()).data(json!({ "txt": "typo" })))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::BadRequest);
    assert!(
        error
            .message()
            .starts_with("Invalid data: missing field `text`"),
        "{error}"
    );

    let error = messages
        .call(JsonCall::new(Method::Update, Params::new()).data(json!({ "text": "x" })))
        .await
        .unwrap_err();
    assert_eq!(
        error.message(),
        "You can not replace multiple instances. Did you mean 'patch'?"
    );

    let error = app.json_service("nowhere").unwrap_err();
    assert_eq!(
        (error.code(), error.message()),
        (404, "Service 'nowhere' not found")
    );
}

#[tokio::test]
async fn typed_handles_name_what_is_wrong() {
    let app = App::new().register("messages", MemoryService::<Message>::new());

    let missing = app.service::<MemoryService<Message>>("nope");
    let error = missing.get(0, Params::new()).await.unwrap_err();
    assert_eq!(error.code(), 404);

    let wrong = app.service::<OnlyGet>("messages");
    let error = wrong.get(0, Params::new()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::GeneralError);
    assert!(error.message().contains("is not a"), "{error}");
}

async fn set_created_status(ctx: &mut AppContext) -> Result<()> {
    ctx.set_status(Some(201));
    Ok(())
}

async fn upper_case_text(ctx: &mut AppContext) -> Result<()> {
    if let Some(mut data) = ctx.data_json()? {
        if let Some(text) = data["text"].as_str() {
            data["text"] = json!(text.to_uppercase());
        }
        ctx.set_data_json(Some(data))?;
    }
    Ok(())
}

async fn add_signature(ctx: &mut AppContext) -> Result<()> {
    let mut result = ctx.result_json()?.unwrap_or_default();
    result["text"] = json!(format!(
        "{} (signed)",
        result["text"].as_str().unwrap_or("")
    ));
    ctx.set_result_json(Some(result))
}

#[tokio::test]
async fn app_hooks_read_and_write_typed_data_as_json() {
    let app = App::new()
        .register("messages", MemoryService::<Message>::new())
        .hooks(
            AppHooks::new()
                .before("create", upper_case_text)
                .after("create", add_signature)
                .after("create", set_created_status),
        );
    let reply = app
        .json_service("messages")
        .unwrap()
        .call(JsonCall::new(Method::Create, Params::new()).data(json!({ "text": "hi" })))
        .await
        .unwrap();
    assert_eq!(reply.status, Some(201));
    assert_eq!(
        reply.to_json().unwrap(),
        json!({ "id": 0, "text": "HI (signed)" })
    );

    let stored = app
        .service::<MemoryService<Message>>("messages")
        .get(0, Params::new())
        .await
        .unwrap();
    assert_eq!(stored.text, "HI");
}

#[tokio::test]
async fn events_are_published_once_per_successful_mutating_call() {
    let app = App::new().register(
        "messages",
        MemoryService::<Value>::with_options(MemoryOptions::new().multi(true)),
    );
    let messages = app.service::<MemoryService<Value>>("messages");
    let mut events = app.subscribe();

    messages
        .create(json!({ "text": "a" }), Params::new())
        .await
        .unwrap();
    messages
        .create_many(
            vec![json!({ "text": "b" }), json!({ "text": "c" })],
            Params::new(),
        )
        .await
        .unwrap();
    messages.get(0, Params::new()).await.unwrap();
    messages.find(Params::new()).await.unwrap();
    messages
        .update(0, json!({ "text": "A" }), Params::new())
        .await
        .unwrap();
    messages
        .patch(1, json!({ "text": "B" }), Params::new())
        .await
        .unwrap();
    messages
        .patch(99, json!({ "text": "?" }), Params::new())
        .await
        .unwrap_err();
    messages.remove(99, Params::new()).await.unwrap_err();
    app.json_service("messages")
        .unwrap()
        .call(JsonCall::new(Method::Remove, Params::external(Provider::Rest)).id("2"))
        .await
        .unwrap();
    messages.remove_many(Params::new()).await.unwrap();

    let mut seen = Vec::new();
    while let Ok(event) = events.try_recv() {
        seen.push((
            event.event.as_str(),
            event.data["id"].clone(),
            event.params.is_external(),
        ));
    }
    assert_eq!(
        seen,
        vec![
            ("created", json!(0), false),
            ("created", json!(1), false),
            ("created", json!(2), false),
            ("updated", json!(0), false),
            ("patched", json!(1), false),
            ("removed", json!(2), true),
            ("removed", json!(0), false),
            ("removed", json!(1), false),
        ]
    );
}

#[tokio::test]
async fn events_are_not_published_when_a_hook_fails_after_the_method() {
    async fn reject(_ctx: &mut AppContext) -> Result<()> {
        Err(Error::forbidden("no"))
    }
    let app = App::new()
        .register("messages", MemoryService::<Value>::new())
        .hooks(AppHooks::new().after_all(reject));
    let mut events = app.subscribe();
    app.service::<MemoryService<Value>>("messages")
        .create(json!({ "text": "a" }), Params::new())
        .await
        .unwrap_err();
    assert!(events.try_recv().is_err());
}

#[tokio::test]
async fn a_slow_subscriber_never_blocks_service_calls() {
    let app = App::new().register("messages", MemoryService::<Value>::new());
    let messages = app.service::<MemoryService<Value>>("messages");
    let mut never_reads = app.subscribe();

    for n in 0..3000 {
        messages
            .create(json!({ "n": n }), Params::new())
            .await
            .unwrap();
    }

    match never_reads.recv().await {
        Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => assert!(missed > 0),
        other => panic!("expected the subscriber to have lagged, got {other:?}"),
    }
}

#[test]
fn settings_are_read_and_written_by_name_and_as_a_struct() {
    #[derive(Deserialize)]
    struct Settings {
        port: u16,
        paginate: auth_core::query::Paginate,
    }
    let app = App::new();
    app.set("port", 3030);
    app.set("paginate", json!({ "default": 10, "max": 50 }));

    assert_eq!(app.get::<u16>("port"), Some(3030));
    assert_eq!(app.get::<String>("port"), None);
    assert_eq!(app.get::<u16>("missing"), None);
    let settings: Settings = app.settings().unwrap();
    assert_eq!((settings.port, settings.paginate.max), (3030, 50));
}

#[test]
fn configuration_layers_default_environment_file_and_variables() {
    let dir = std::env::temp_dir().join(format!("auth-core-config-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("default.toml"),
        "host = \"localhost\"\nport = 3030\n[authentication]\nsecret = \"default\"\nentity = \"user\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("production.toml"), "host = \"0.0.0.0\"\n").unwrap();

    let app = App::new().configure(Configuration::new().dir(&dir).env_vars([
        ("APP_ENV", "production"),
        ("APP_PORT", "8080"),
        ("APP_AUTHENTICATION__SECRET", "from-env"),
    ]));
    app.setup().unwrap();

    assert_eq!(app.get::<String>("host").as_deref(), Some("0.0.0.0"));
    assert_eq!(app.get::<u16>("port"), Some(8080));
    assert_eq!(
        app.get::<Value>("authentication"),
        Some(json!({ "secret": "from-env", "entity": "user" }))
    );

    std::fs::write(dir.join("default.toml"), "port = [unclosed\n").unwrap();
    let broken = App::new().configure(Configuration::new().dir(&dir).env_vars([("X", "1")]));
    let error = broken.setup().unwrap_err();
    assert!(
        error.message().starts_with("Invalid configuration"),
        "{error}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A service that counts messages through another service, with an
/// internal call that runs that service's hooks.
#[derive(Default)]
struct Stats {
    app: Option<WeakApp>,
}

impl Service for Stats {
    type Item = Value;
    type Data = Value;
    type Patch = Value;

    fn setup(&mut self, app: &App, path: &str) -> Result<()> {
        if path != "stats" {
            return Err(Error::general(format!(
                "Stats must live at 'stats', not '{path}'"
            )));
        }
        self.app = Some(app.downgrade());
        Ok(())
    }

    async fn get(&self, _id: &Id, params: &Params) -> Result<Value> {
        let app = self
            .app
            .as_ref()
            .and_then(WeakApp::upgrade)
            .ok_or_else(|| Error::unavailable("gone"))?;
        let found = app
            .service::<MemoryService<Value>>("messages")
            .find(params.clone())
            .await?;
        Ok(json!({ "messages": found.data().len() }))
    }
}

#[tokio::test]
async fn services_call_each_other_through_hooks() {
    async fn only_mine(ctx: &mut HookContext<MemoryService<Value>>) -> Result<()> {
        ctx.params.query.insert("owner".into(), json!("me"));
        Ok(())
    }
    let app = App::new()
        .register("messages", MemoryService::<Value>::new())
        .register("stats", Stats::default());
    let messages = app.service::<MemoryService<Value>>("messages");
    messages
        .create(json!({ "owner": "me" }), Params::new())
        .await
        .unwrap();
    messages
        .create(json!({ "owner": "you" }), Params::new())
        .await
        .unwrap();
    messages
        .hooks(ServiceHooks::new().before("find", only_mine))
        .unwrap();

    let stats = app
        .service::<Stats>("stats")
        .get(0, Params::new())
        .await
        .unwrap();
    assert_eq!(stats, json!({ "messages": 1 }));
}

#[test]
fn setup_reports_every_configuration_error() {
    let app = App::new()
        .register("elsewhere", Stats::default())
        .configure(|_app: &App| Err(Error::general("plugin failed")));
    let error = app.setup().unwrap_err();
    assert_eq!(
        error.message(),
        "Stats must live at 'stats', not 'elsewhere' (and: plugin failed)"
    );
    assert!(
        app.paths().is_empty(),
        "a service whose setup failed is not registered"
    );
}

/// Params of a REST call carrying a bearer token, a cookie, an API key
/// and a password in the authentication request and the query.
fn params_with_credentials() -> Params {
    let mut params = Params::external(Provider::Rest);
    params.headers.insert(
        http::header::AUTHORIZATION,
        http::HeaderValue::from_static("Bearer secret-token"),
    );
    params.headers.insert(
        http::header::COOKIE,
        http::HeaderValue::from_static("session=secret-cookie"),
    );
    params.headers.insert(
        "x-api-key",
        http::HeaderValue::from_static("secret-api-key"),
    );
    params
        .headers
        .insert("accept", http::HeaderValue::from_static("application/json"));
    params.authentication = Some(
        AuthenticationRequest::new("local")
            .with("email", "ada@example.com")
            .with("password", "secret-password"),
    );
    params
        .query
        .insert("email".into(), json!("ada@example.com"));
    params
        .query
        .insert("password".into(), json!({ "$gt": "secret-prefix" }));
    params.user =
        Some(json!({ "id": 0, "email": "ada@example.com", "password": "secret-hash" }).into());
    params.set_field("authentication", json!({ "accessToken": "secret-jwt" }));
    params
}

const SECRETS: [&str; 7] = [
    "secret-token",
    "secret-cookie",
    "secret-api-key",
    "secret-password",
    "secret-prefix",
    "secret-hash",
    "secret-jwt",
];

/// Asserts `printed` holds no credential of [`params_with_credentials`]
/// and still shows what is not one.
fn assert_redacted(printed: &str) {
    for secret in SECRETS {
        assert!(!printed.contains(secret), "{secret} in {printed}");
    }
    for kept in [
        "ada@example.com",
        "application/json",
        "local",
        "authorization",
        "[redacted]",
    ] {
        assert!(printed.contains(kept), "{kept} missing from {printed}");
    }
}

#[test]
fn the_debug_of_params_hides_tokens_and_passwords() {
    let params = params_with_credentials();
    assert_redacted(&format!("{params:?}"));
    assert_redacted(&format!("{params:#?}"));
}

#[test]
fn the_debug_of_strategy_results_and_settings_hides_tokens_and_secrets() {
    let result = AuthResult::new().with("accessToken", "secret-jwt").with(
        "user",
        json!({ "email": "ada@example.com", "password": "secret-hash" }),
    );
    let printed = format!("{result:?}");
    assert!(!printed.contains("secret-"), "{printed}");
    assert!(printed.contains("ada@example.com"), "{printed}");

    let config = AuthConfig::new("secret-signing-key").strategy_section(
        "api-key",
        json!({ "header": "x-key", "apiKey": "secret-key" }),
    );
    let printed = format!("{config:?}");
    assert!(!printed.contains("secret-"), "{printed}");
    assert!(
        printed.contains("x-key") && printed.contains("users"),
        "{printed}"
    );
}

#[tokio::test]
async fn the_debug_of_a_json_reply_hides_passwords() {
    let app = App::new().register("users", MemoryService::<Value>::new());
    let reply = app
        .json_service("users")
        .unwrap()
        .call(
            JsonCall::new(Method::Create, Params::new())
                .data(json!({ "email": "ada@example.com", "password": "secret-password" })),
        )
        .await
        .unwrap();
    let printed = format!("{reply:?}");
    assert!(!printed.contains("secret-password"), "{printed}");
    assert!(printed.contains("ada@example.com"), "{printed}");
}

/// An after hook that keeps the `Debug` of each context it sees.
#[derive(Clone, Default)]
struct PrintContext(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl Hook<HookContext<MemoryService<Value>>> for PrintContext {
    async fn run(&self, ctx: &mut HookContext<MemoryService<Value>>) -> Result<()> {
        self.0.lock().unwrap().push(format!("{ctx:?}"));
        Ok(())
    }
}

#[tokio::test]
async fn the_debug_of_contexts_and_events_hides_tokens_and_passwords() {
    let printed = PrintContext::default();
    let app = App::new().register("users", MemoryService::<Value>::new());
    let users = app.service::<MemoryService<Value>>("users");
    users
        .hooks(ServiceHooks::new().after_all(printed.clone()))
        .unwrap();
    let mut events = app.subscribe();

    users
        .create(
            json!({ "email": "ada@example.com", "password": "secret-password" }),
            params_with_credentials(),
        )
        .await
        .unwrap();

    let contexts = printed.0.lock().unwrap().clone();
    assert_eq!(contexts.len(), 1);
    assert!(contexts[0].contains("result"), "{}", contexts[0]);
    assert_redacted(&contexts[0]);
    let event = events.try_recv().unwrap();
    assert_eq!(event.data["password"], "secret-password");
    assert_redacted(&format!("{event:?}"));
}

async fn noop(_ctx: &mut HookContext<MemoryService<Value>>) -> Result<()> {
    Ok(())
}

async fn app_noop(_ctx: &mut AppContext) -> Result<()> {
    Ok(())
}

#[tokio::test]
async fn service_hooks_for_a_method_the_service_lacks_are_refused_with_a_suggestion() {
    let app = App::new().register("messages", MemoryService::<Value>::new());
    let messages = app.service::<MemoryService<Value>>("messages");
    let error = messages
        .hooks(ServiceHooks::new().before("crate", noop))
        .unwrap_err();
    assert_eq!(
        error.message(),
        "Unknown method 'crate' in ServiceHooks for 'messages': did you mean 'create'?"
    );
    // Every unknown key of every kind is named; a far-off one lists the keys.
    let error = messages
        .hooks(
            ServiceHooks::new()
                .before_all(noop)
                .after("fnid", noop)
                .error("get", noop)
                .around("shout", noop_around),
        )
        .unwrap_err();
    assert_eq!(
        error.message(),
        "Unknown method 'shout' in ServiceHooks for 'messages'; the keys it takes are: \
         all, find, get, create, update, patch, remove; \
         Unknown method 'fnid' in ServiceHooks for 'messages': did you mean 'find'?"
    );
    // Nothing was added: a create still runs no hook and works.
    messages
        .create(json!({ "text": "hi" }), Params::new())
        .await
        .unwrap();

    // A service's own custom methods are keys it takes.
    let log = Log::new();
    let app = recorded_app(&log);
    things(&app)
        .hooks(ServiceHooks::new().before("shout", record_provider))
        .unwrap();
    let error = things(&app)
        .hooks(ServiceHooks::new().before("shuot", record_provider))
        .unwrap_err();
    assert_eq!(
        error.message(),
        "Unknown method 'shuot' in ServiceHooks for 'things': did you mean 'shout'?"
    );
}

async fn noop_around(
    ctx: &mut HookContext<MemoryService<Value>>,
    next: Next<'_, HookContext<MemoryService<Value>>>,
) -> Result<()> {
    next.run(ctx).await
}

#[tokio::test]
async fn app_hooks_for_a_method_no_service_has_fail_setup_and_every_call() {
    // Registered before the services, as apps usually do: checked at setup.
    let log = Log::new();
    let app = App::new()
        .hooks(
            AppHooks::new()
                .after("shout", app_noop)
                .before("fnid", app_noop),
        )
        .register("things", Recorded { log: log.clone() })
        .register("messages", MemoryService::<Value>::new());
    let expected = "Unknown method 'fnid' in AppHooks: did you mean 'find'?";
    assert_eq!(app.setup().unwrap_err().message(), expected);
    // Nobody has to call setup for it to be heard: calls fail with it.
    let messages = app.service::<MemoryService<Value>>("messages");
    let error = messages.find(Params::new()).await.unwrap_err();
    assert_eq!(error.message(), expected);

    // Keys of a custom method of any registered service are fine.
    let app = App::new()
        .hooks(AppHooks::new().before("shout", app_noop))
        .register("things", Recorded { log: log.clone() });
    app.setup().unwrap();
}

#[tokio::test]
async fn an_error_met_while_building_the_app_fails_calls_when_setup_was_never_called() {
    let app = App::new()
        .register("messages", MemoryService::<Value>::new())
        .configure(|_app: &App| Err(Error::general("plugin failed")));
    let messages = app.service::<MemoryService<Value>>("messages");
    let error = messages.get(0, Params::new()).await.unwrap_err();
    assert_eq!(error.message(), "plugin failed");
    // JSON calls, as transports make them, too.
    let json = app.json_service("messages").unwrap();
    let error = json
        .call(JsonCall::new(Method::Find, Params::new()))
        .await
        .unwrap_err();
    assert_eq!(error.message(), "plugin failed");
    // And it stays: setup still reports it.
    assert_eq!(app.setup().unwrap_err().message(), "plugin failed");
}

#[tokio::test]
async fn a_setup_check_failing_after_a_change_fails_the_next_call() {
    let app = App::new().register("messages", MemoryService::<Value>::new());
    app.setup().unwrap();
    let messages = app.service::<MemoryService<Value>>("messages");
    messages.find(Params::new()).await.unwrap();
    app.add_setup_check(|app: &App| match app.get::<bool>("ready") {
        Some(true) => Ok(()),
        _ => Err(Error::general("not ready")),
    });
    assert_eq!(
        messages.find(Params::new()).await.unwrap_err().message(),
        "not ready"
    );
    app.set("ready", true);
    messages.find(Params::new()).await.unwrap();
}

#[test]
fn configuration_says_which_directory_it_reads_and_refuses_one_that_is_missing() {
    let dir = std::env::temp_dir().join(format!("auth-core-config-dir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("default.toml"), "port = 4040\n").unwrap();
    let by_variable = dir.to_str().unwrap();

    // Run from anywhere, `APP_CONFIG_DIR` names the directory.
    let configuration = Configuration::new().env_vars([("APP_CONFIG_DIR", by_variable)]);
    assert_eq!(configuration.directory(), dir);
    let app = App::new().configure(configuration);
    app.setup().unwrap();
    assert_eq!(app.get::<u16>("port"), Some(4040));
    // Without it, `config` in the working directory, as an absolute path.
    assert_eq!(
        Configuration::new().env_vars([("X", "1")]).directory(),
        std::env::current_dir().unwrap().join("config")
    );

    // A directory asked for that is not there is an error naming it.
    let missing = dir.join("missing");
    let app = App::new().configure(Configuration::new().dir(&missing));
    assert_eq!(
        app.setup().unwrap_err().message(),
        format!(
            "The configuration directory {} (named by Configuration::dir) does not exist",
            missing.display()
        )
    );
    let variable = [("APP_CONFIG_DIR", missing.to_str().unwrap())];
    let app = App::new().configure(Configuration::new().env_vars(variable));
    assert_eq!(
        app.setup().unwrap_err().message(),
        format!(
            "The configuration directory {} (named by APP_CONFIG_DIR) does not exist",
            missing.display()
        )
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
