//! The anonymous-authentication recipe (CONTRACT.md, Authentication), and
//! the guarantee that a password hash never reaches an external caller.

use auth_core::memory::MemoryService;
use auth_core::prelude::*;
use auth_core::{JsonCall, authentication::AuthenticationService};
use serde_json::{Value, json};

/// Answers with what its hooks made of the call's params.
struct Messages;

#[hooks(before(all = [allow_anonymous, authenticate("jwt", "anonymous")]))]
impl Service for Messages {
    type Item = Value;
    type Data = Value;
    type Patch = Value;

    async fn find(&self, params: &Params) -> Result<Found<Value>> {
        Ok(Found::All(vec![json!({
            "anonymous": params.anonymous(),
            "authenticated": params.authenticated,
            "user": params.user,
            "strategy": params.authentication.as_ref().map(|a| a.strategy.clone()),
        })]))
    }
}

type Users = MemoryService<Value>;

async fn chat() -> App {
    let app = App::new()
        .register("users", Users::new())
        .register("messages", Messages)
        .configure(
            Authentication::new(
                AuthConfig::new("anonymous recipe secret").auth_strategies(["jwt", "local"]),
            )
            .strategy(Jwt::default())
            .strategy(Local::default())
            .strategy(Anonymous),
        );
    app.setup().unwrap();
    app.service::<Users>("users")
        .hooks(
            ServiceHooks::new()
                .before("create", hash_password("password"))
                .before("find", authenticate(["jwt"]))
                .before("get", authenticate(["jwt"]))
                .after_all(protect(["password"])),
        )
        .unwrap();
    app.service::<Users>("users")
        .create(
            json!({ "email": "ada@example.com", "password": "s3cret!" }),
            Params::new(),
        )
        .await
        .unwrap();
    app
}

async fn login(app: &App) -> Value {
    let request = AuthenticationRequest::new("local")
        .with("email", "ada@example.com")
        .with("password", "s3cret!");
    app.json_service("authentication")
        .unwrap()
        .call(JsonCall::new(Method::Create, Params::external(Provider::Rest)).data(json!(request)))
        .await
        .unwrap()
        .to_json()
        .unwrap()
}

fn external(token: Option<&str>) -> Params {
    let mut params = Params::external(Provider::Rest);
    params.authentication =
        token.map(|token| AuthenticationRequest::new("jwt").with("accessToken", token));
    params
}

async fn what_messages_see(app: &App, params: Params) -> Result<Value> {
    let found = app.service::<Messages>("messages").find(params).await?;
    Ok(found.into_data().remove(0))
}

#[tokio::test]
async fn no_credentials_is_anonymous() {
    let app = chat().await;
    let seen = what_messages_see(&app, external(None)).await.unwrap();
    assert_eq!(
        seen,
        json!({ "anonymous": true, "authenticated": true, "user": null, "strategy": "anonymous" })
    );
}

#[tokio::test]
async fn a_bad_token_is_401_never_anonymous() {
    let app = chat().await;
    for token in ["garbage", "a.b.c", ""] {
        let error = what_messages_see(&app, external(Some(token)))
            .await
            .unwrap_err();
        assert_eq!(
            error.kind(),
            ErrorKind::NotAuthenticated,
            "{token:?}: {error}"
        );
    }
}

#[tokio::test]
async fn an_internal_call_is_not_anonymous() {
    let app = chat().await;
    let seen = what_messages_see(&app, Params::new()).await.unwrap();
    assert_eq!(
        seen,
        json!({ "anonymous": false, "authenticated": false, "user": null, "strategy": null })
    );
}

#[tokio::test]
async fn a_valid_token_is_the_user_not_anonymous() {
    let app = chat().await;
    let token = login(&app).await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let seen = what_messages_see(&app, external(Some(&token)))
        .await
        .unwrap();
    assert_eq!(seen["anonymous"], json!(false));
    assert_eq!(seen["authenticated"], json!(true));
    assert_eq!(seen["strategy"], json!("jwt"));
    assert_eq!(seen["user"], json!({ "email": "ada@example.com", "id": 0 }));
}

#[tokio::test]
async fn a_password_hash_never_reaches_an_external_caller() {
    let app = chat().await;

    // The login response.
    let login = login(&app).await;
    assert!(login["user"].get("password").is_none(), "{login}");
    let token = login["accessToken"].as_str().unwrap().to_owned();

    // params.user as an external call's hooks see it.
    let seen = what_messages_see(&app, external(Some(&token)))
        .await
        .unwrap();
    assert!(seen["user"].get("password").is_none(), "{seen}");

    // Re-authentication, logout, and the users service itself, over JSON.
    let authentication = app.json_service("authentication").unwrap();
    let again = authentication
        .call(
            JsonCall::new(Method::Create, Params::external(Provider::Rest))
                .data(json!({ "strategy": "jwt", "accessToken": token })),
        )
        .await
        .unwrap()
        .to_json()
        .unwrap();
    assert!(again["user"].get("password").is_none(), "{again}");
    let logout = authentication
        .call(JsonCall::new(Method::Remove, external(Some(&token))).id(token.as_str()))
        .await
        .unwrap()
        .to_json()
        .unwrap();
    assert!(logout["user"].get("password").is_none(), "{logout}");

    let users = app.json_service("users").unwrap();
    for call in [
        JsonCall::new(Method::Get, external(Some(&token))).id("0"),
        JsonCall::new(Method::Find, external(Some(&token))),
        JsonCall::new(Method::Create, Params::external(Provider::Rest))
            .data(json!({ "email": "bob@example.com", "password": "hunter2" })),
        JsonCall::new(Method::Patch, external(Some(&token)))
            .id("0")
            .data(json!({ "name": "Ada" })),
    ] {
        let method = call.method.clone();
        let reply = users.call(call).await.unwrap().to_json().unwrap();
        assert!(!reply.to_string().contains("password"), "{method}: {reply}");
        assert!(
            !reply.to_string().contains("$argon2id$"),
            "{method}: {reply}"
        );
    }

    // Internal callers still see the hash (the local strategy needs it).
    let stored = app
        .service::<Users>("users")
        .get(0, Params::new())
        .await
        .unwrap();
    assert!(
        stored["password"]
            .as_str()
            .unwrap()
            .starts_with("$argon2id$")
    );
    // ...and the authentication service is reachable typed, too.
    let service = app.service::<AuthenticationService>("authentication");
    assert_eq!(
        service.inner().unwrap().strategy_names(),
        ["jwt", "local", "anonymous"]
    );
}
