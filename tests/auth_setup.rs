//! Start-up checks: what compile time cannot see fails `App::setup` with
//! an error naming what is wrong, instead of a 500 on the first request.

use auth_core::authentication::{ExpiresIn, JwtOptions};
use auth_core::memory::MemoryService;
use auth_core::prelude::*;
use serde_json::{Value, json};

struct Messages;

#[hooks(before(find = [authenticate("jwt", "oauth")]))]
impl Service for Messages {
    type Item = Value;
    type Data = Value;
    type Patch = Value;
}

fn auth(config: AuthConfig) -> Authentication {
    Authentication::new(config)
        .strategy(Jwt::default())
        .strategy(Local::default())
}

fn base_app() -> App {
    App::new().register("users", MemoryService::<Value>::new())
}

#[test]
fn a_complete_configuration_starts() {
    let app = base_app().configure(auth(
        AuthConfig::new("secret").auth_strategies(["jwt", "local"]),
    ));
    app.setup().unwrap();
}

#[test]
fn a_missing_secret_fails_start_up() {
    let app = base_app().configure(auth(AuthConfig::default()));
    let error = app.setup().unwrap_err();
    assert_eq!(
        error.message(),
        "A 'secret' must be provided in your authentication configuration (authentication.secret)"
    );
}

#[test]
fn a_strategy_named_by_compiled_hooks_but_not_registered_fails_start_up() {
    let app = base_app()
        .register("messages", Messages)
        .configure(auth(AuthConfig::new("secret")));
    let error = app.setup().unwrap_err();
    assert_eq!(
        error.message(),
        "The authentication service at 'authentication' does not register the strategies \
         'oauth' (named by the hooks of 'messages'); it registers: jwt, local"
    );
}

#[test]
fn a_strategy_named_by_run_time_hooks_is_checked_too() {
    let app = base_app().configure(auth(AuthConfig::new("secret")));
    app.setup().unwrap();
    app.service::<MemoryService<Value>>("users")
        .hooks(ServiceHooks::new().before("get", authenticate(["jwt", "anonymous"])))
        .unwrap();
    app.add_hooks(AppHooks::new().before_all(authenticate(["api-key"])));
    let error = app.setup().unwrap_err();
    assert_eq!(
        error.message(),
        "The authentication service at 'authentication' does not register the strategies \
         'api-key' (named by the hooks of 'app'), 'anonymous' (named by the hooks of 'users'); \
         it registers: jwt, local"
    );
}

#[test]
fn a_strategy_section_that_does_not_read_fails_start_up_naming_both() {
    let config =
        AuthConfig::new("secret").strategy_section("local", json!({ "username_field": 42 }));
    let error = base_app().configure(auth(config)).setup().unwrap_err();
    assert!(
        error
            .message()
            .starts_with("Strategy 'local': Invalid configuration authentication.local.username_field: invalid type"),
        "{error}"
    );
}

#[test]
fn auth_strategies_must_be_registered() {
    let config = AuthConfig::new("secret").auth_strategies(["jwt", "github"]);
    let error = base_app().configure(auth(config)).setup().unwrap_err();
    assert_eq!(
        error.message(),
        "authentication.auth_strategies lists 'github', but no such strategy is registered"
    );
}

#[test]
fn jwt_options_are_checked() {
    let mut config = AuthConfig::new("secret");
    config.jwt_options = JwtOptions {
        algorithm: "RS256".to_owned(),
        ..JwtOptions::default()
    };
    let error = base_app().configure(auth(config)).setup().unwrap_err();
    assert!(
        error
            .message()
            .contains("a secret signs HS256, HS384 or HS512"),
        "{error}"
    );

    let mut config = AuthConfig::new("secret");
    config.jwt_options.expires_in = ExpiresIn::Text("soon".to_owned());
    let error = base_app().configure(auth(config)).setup().unwrap_err();
    assert!(error.message().contains("expires_in: `soon`"), "{error}");
}

#[test]
fn the_configuration_is_read_from_the_settings() {
    let app = base_app();
    app.set(
        "authentication",
        json!({
            "secret": "from settings",
            "auth_strategies": ["local"],
            "jwt_options": { "expires_in": "2h", "audience": "https://chat.example" },
            "local": { "username_field": "login" }
        }),
    );
    let app = app.configure(
        Authentication::from_settings()
            .strategy(Jwt::default())
            .strategy(Local::default()),
    );
    app.setup().unwrap();
    let service = app.service::<AuthenticationService>("authentication");
    let config = service.inner().unwrap().config();
    assert_eq!(config.jwt_options.audience, "https://chat.example");
    assert_eq!(config.jwt_options.expires_in.seconds().unwrap(), 7200);
    assert_eq!(config.jwt_options.issuer, "feathers");
    assert_eq!(config.auth_strategies, ["local"]);

    let missing = base_app().configure(Authentication::from_settings());
    assert_eq!(
        missing.setup().unwrap_err().message(),
        "Missing configuration: the `authentication` setting is not set"
    );
}
