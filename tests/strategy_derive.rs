//! `#[derive(Strategy)]`: names, typed configuration read once with
//! defaults, errors naming the bad key, and the erased form.

use auth_core::authentication::DynStrategy;
use auth_core::prelude::*;
use serde_json::json;

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

    async fn parse(&self, request: &http::request::Parts) -> Result<Option<AuthenticationRequest>> {
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
