//! `#[derive(Strategy)]`: names, typed configuration read once with
//! defaults, errors naming the bad key, the `new()` that needs no
//! placeholder for it, the erased form, and a strategy of the app's own
//! reading its credentials from a request over HTTP.

use auth_core::authentication::DynStrategy;
use auth_core::prelude::*;
use serde_json::{Value, json};

/// The seed's anonymous strategy: no more lines than in FeathersJS.
#[derive(Strategy)]
struct Anonymous;

impl Strategy for Anonymous {
    async fn authenticate(&self, _: &AuthenticationRequest, _: &Params) -> Result<AuthResult> {
        Ok(AuthResult::new().with("anonymous", true))
    }
}

#[derive(Strategy, Default)]
#[strategy(name = "local")]
struct Local {
    #[strategy(config, default = "email".to_owned())]
    username_field: String,
    #[strategy(config)]
    #[strategy(default = "password".to_owned())]
    password_field: String,
    #[strategy(config, key = "pepper")]
    secret_pepper: String,
    #[strategy(config, default = 3)]
    attempts: u32,
    calls: u32,
}

impl Strategy for Local {
    async fn authenticate(&self, auth: &AuthenticationRequest, _: &Params) -> Result<AuthResult> {
        match auth.get_str(&self.username_field) {
            Some(user) => Ok(AuthResult::new().with("user", user)),
            None => Err(Error::not_authenticated("Invalid login")),
        }
    }

    async fn parse(&self, request: &RequestParts) -> Result<Option<AuthenticationRequest>> {
        Ok(request
            .headers
            .get("x-user")
            .and_then(|value| value.to_str().ok())
            .map(|user| {
                AuthenticationRequest::new("local").with(self.username_field.clone(), user)
            }))
    }
}

#[derive(Strategy)]
struct JWTAuth;

impl Strategy for JWTAuth {
    async fn authenticate(&self, _: &AuthenticationRequest, _: &Params) -> Result<AuthResult> {
        Err(Error::not_authenticated("Not implemented here"))
    }
}

#[test]
fn names_default_to_the_type_name_in_kebab_case() {
    assert_eq!(<Anonymous as StrategySetup>::NAME, "anonymous");
    assert_eq!(<Local as StrategySetup>::NAME, "local");
    assert_eq!(<JWTAuth as StrategySetup>::NAME, "jwt-auth");
}

#[test]
fn configuration_fields_are_read_with_their_defaults() {
    let mut local = Local::default();
    StrategySetup::configure(
        &mut local,
        &json!({ "username_field": "login", "pepper": "p3pp3r", "unrelated": true }),
    )
    .unwrap();
    assert_eq!(local.username_field, "login");
    assert_eq!(local.password_field, "password");
    assert_eq!(local.secret_pepper, "p3pp3r");
    assert_eq!(local.attempts, 3);
    assert_eq!(local.calls, 0);
}

#[test]
fn a_missing_required_key_is_named() {
    let error = StrategySetup::configure(&mut Local::default(), &json!({})).unwrap_err();
    assert_eq!(
        error.message(),
        "Missing configuration authentication.local.pepper"
    );
    let error = StrategySetup::configure(&mut Local::default(), &json!(null)).unwrap_err();
    assert_eq!(
        error.message(),
        "Missing configuration authentication.local.pepper"
    );
}

#[test]
fn a_malformed_key_is_named() {
    let error = StrategySetup::configure(
        &mut Local::default(),
        &json!({ "pepper": "p", "attempts": "three" }),
    )
    .unwrap_err();
    assert!(
        error
            .message()
            .starts_with("Invalid configuration authentication.local.attempts: invalid type"),
        "{error}"
    );
    let error =
        StrategySetup::configure(&mut Local::default(), &json!(["not", "a", "table"])).unwrap_err();
    assert!(
        error
            .message()
            .starts_with("Invalid configuration authentication.local: expected a table")
    );
}

#[test]
fn a_strategy_without_configuration_accepts_no_section() {
    StrategySetup::configure(&mut Anonymous, &json!(null)).unwrap();
    StrategySetup::configure(&mut Anonymous, &json!({ "anything": 1 })).unwrap();
}

#[tokio::test]
async fn the_erased_form_runs_authenticate_and_parse() {
    let mut strategies: Vec<Box<dyn DynStrategy>> =
        vec![Box::new(Anonymous), Box::new(Local::default())];
    for strategy in &mut strategies {
        strategy.configure(&json!({ "pepper": "p" })).unwrap();
    }
    let names: Vec<&str> = strategies.iter().map(|s| s.name()).collect();
    assert_eq!(names, ["anonymous", "local"]);

    let anonymous = strategies[0]
        .authenticate(&AuthenticationRequest::new("anonymous"), &Params::new())
        .await
        .unwrap();
    assert_eq!(anonymous.get("anonymous"), Some(&json!(true)));

    let request = http::Request::builder()
        .header("x-user", "ada")
        .body(())
        .unwrap();
    let (parts, ()) = request.into_parts();
    assert_eq!(strategies[0].parse(&parts).await.unwrap(), None);
    let parsed = strategies[1].parse(&parts).await.unwrap().unwrap();
    assert_eq!(
        parsed,
        AuthenticationRequest::new("local").with("email", "ada")
    );
    let result = strategies[1]
        .authenticate(&parsed, &Params::new())
        .await
        .unwrap();
    assert_eq!(result.get("user"), Some(&json!("ada")));
}

/// Feathers' cookbook API key strategy: the header and the keys come from
/// the configuration, so building it takes nothing (`ApiKey::new()`), and
/// it reads its credentials with names the prelude gives (`RequestParts`).
#[derive(Strategy)]
struct ApiKey {
    #[strategy(config, default = "x-api-key".to_owned())]
    header: String,
    #[strategy(config)]
    keys: Vec<String>,
}

impl Strategy for ApiKey {
    async fn authenticate(&self, auth: &AuthenticationRequest, _: &Params) -> Result<AuthResult> {
        match auth.get_str("key") {
            Some(key) if self.keys.iter().any(|known| known == key) => {
                Ok(AuthResult::new().with("client", key))
            }
            _ => Err(Error::not_authenticated("Invalid API key")),
        }
    }

    async fn parse(&self, request: &RequestParts) -> Result<Option<AuthenticationRequest>> {
        let key = request
            .headers
            .get(&self.header)
            .and_then(|key| key.to_str().ok());
        Ok(key.map(|key| AuthenticationRequest::new("api-key").with("key", key)))
    }
}

/// A strategy with a field that is not configuration: `new` takes it.
#[derive(Strategy)]
struct Counted<C: Send + Sync + 'static> {
    #[strategy(config, default = 3)]
    attempts: u32,
    #[strategy(config)]
    realm: String,
    counter: C,
}

impl<C: Send + Sync + 'static> Strategy for Counted<C> {
    async fn authenticate(&self, _: &AuthenticationRequest, _: &Params) -> Result<AuthResult> {
        Ok(AuthResult::new())
    }
}

#[test]
fn new_starts_configuration_fields_at_their_defaults_and_takes_the_others() {
    let api_key = ApiKey::new();
    assert_eq!(api_key.header, "x-api-key");
    assert!(api_key.keys.is_empty());

    let mut counted = Counted::new(7_u8);
    assert_eq!(
        (counted.attempts, counted.realm.as_str(), counted.counter),
        (3, "", 7)
    );
    StrategySetup::configure(&mut counted, &json!({ "realm": "api", "attempts": 5 })).unwrap();
    assert_eq!((counted.attempts, counted.realm.as_str()), (5, "api"));
    // A required key is still required: `new`'s empty value never runs.
    let error = StrategySetup::configure(&mut Counted::new(()), &json!({})).unwrap_err();
    assert_eq!(
        error.message(),
        "Missing configuration authentication.counted.realm"
    );
}

/// Answers to callers the `api-key` strategy let in.
struct Reports;

#[hooks(before(all = [authenticate("api-key")]))]
impl Service for Reports {
    type Item = Value;
    type Data = Value;
    type Patch = Value;

    async fn find(&self, params: &Params) -> Result<Found<Value>> {
        Ok(Found::All(vec![
            json!({ "client": params.field("client") }),
        ]))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strategy_of_the_app_reads_its_api_key_header_over_http() {
    let mut config = AuthConfig::new("api key secret")
        .auth_strategies(["api-key"])
        .strategy_section("api-key", json!({ "header": "x-key", "keys": ["k1"] }));
    // API clients are no users: no entity to look up.
    config.entity = None;
    let app = App::new()
        .register("reports", Reports)
        .configure(Authentication::new(config).strategy(ApiKey::new()));
    app.setup().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/reports", listener.local_addr().unwrap());
    tokio::spawn(app.serve(listener, std::future::pending()));

    let client = reqwest::Client::new();
    let get = |header: &str, key: &str| client.get(&base).header(header, key).send();
    let res = get("x-key", "k1").await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!([{ "client": "k1" }])
    );
    for (header, key) in [("x-key", "nope"), ("x-api-key", "k1"), ("accept", "*/*")] {
        let res = get(header, key).await.unwrap();
        assert_eq!(res.status(), 401, "{header}: {key}");
    }
}
