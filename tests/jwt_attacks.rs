//! Hostile and broken access tokens: each is `401 NotAuthenticated` with
//! node-jsonwebtoken's message (or the strategy's own), never a panic and
//! never another kind of error, both through the `authenticate("jwt")` hook
//! of an external call and through `POST /authentication` with
//! `{strategy: "jwt", accessToken}`; and the server keeps serving.
//!
//! Tokens are forged by hand: the header and payload segments are
//! base64url-encoded here, and a signature is reused from a real token
//! (no HMAC is computed in this file), or made by a sibling app that
//! differs in one setting (secret, audience, issuer, algorithm, lifetime).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use auth_core::JsonCall;
use auth_core::authentication::{ExpiresIn, JwtOptions, TokenOptions};
use auth_core::memory::MemoryService;
use auth_core::prelude::*;
use serde_json::{Value, json};
use tests::base64url::{decode as base64url_decode, encode as base64url_encode};

type Users = MemoryService<Value>;

const SECRET: &str = "a secret only this server knows";
const PASSWORD: &str = "correct horse battery staple";
const AUDIENCE: &str = "https://yourdomain.com";

// ---------------------------------------------------------------------------
// Token surgery

/// The three segments of a token.
fn segments(token: &str) -> [&str; 3] {
    let parts: Vec<&str> = token.split('.').collect();
    [parts[0], parts[1], parts[2]]
}

/// The JSON of a token's header (0) or payload (1).
fn decode(token: &str, index: usize) -> Value {
    serde_json::from_slice(&base64url_decode(segments(token)[index]).unwrap()).unwrap()
}

fn encode(value: &Value) -> String {
    base64url_encode(value.to_string().as_bytes())
}

/// `header.payload.signature` from JSON and a signature as given.
fn forge(header: &Value, payload: &Value, signature: &str) -> String {
    format!("{}.{}.{signature}", encode(header), encode(payload))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

// ---------------------------------------------------------------------------
// The server under attack

/// Answers with the user the hooks authenticated.
struct Messages;

#[hooks(before(all = [authenticate("jwt")]))]
impl Service for Messages {
    type Item = Value;
    type Data = Value;
    type Patch = Value;

    async fn find(&self, params: &Params) -> Result<Found<Value>> {
        Ok(Found::All(vec![json!({ "user": params.user })]))
    }
}

/// An app with users (hashed, protected), messages behind
/// `authenticate("jwt")`, and jwt + local, signed as `secret` and `options` say.
fn app_with(secret: &str, options: JwtOptions) -> App {
    let mut config = AuthConfig::new(secret).auth_strategies(["jwt", "local"]);
    config.jwt_options = options;
    let app = App::new()
        .register("users", Users::new())
        .register("messages", Messages)
        .configure(
            Authentication::new(config)
                .strategy(Jwt::default())
                .strategy(Local::default()),
        );
    app.setup().unwrap();
    app.service::<Users>("users")
        .hooks(
            ServiceHooks::new()
                .before("create", hash_password("password"))
                .after_all(protect(["password"])),
        )
        .unwrap();
    app
}

async fn add_user(app: &App, email: &str) -> Value {
    app.service::<Users>("users")
        .create(
            json!({ "email": email, "password": PASSWORD }),
            Params::new(),
        )
        .await
        .unwrap()
}

/// A local login over the JSON interface, as `POST /authentication`.
async fn login(app: &App, email: &str) -> String {
    let reply = app
        .json_service("authentication")
        .unwrap()
        .call(
            JsonCall::new(Method::Create, Params::external(Provider::Rest))
                .data(json!({ "strategy": "local", "email": email, "password": PASSWORD })),
        )
        .await
        .unwrap()
        .to_json()
        .unwrap();
    reply["accessToken"].as_str().unwrap().to_owned()
}

/// A token made by `app`'s own token maker.
fn mint(app: &App, payload: Value, options: TokenOptions) -> String {
    let Value::Object(payload) = payload else {
        panic!("a payload is an object")
    };
    app.service::<AuthenticationService>("authentication")
        .inner()
        .unwrap()
        .create_access_token(payload, &options)
        .unwrap()
}

fn subject(id: &Value) -> TokenOptions {
    TokenOptions {
        subject: Some(id.to_string()),
        ..TokenOptions::default()
    }
}

/// The two ways a token reaches the server.
#[derive(Debug, Clone, Copy)]
enum Path {
    /// `params.authentication` of an external call, through `authenticate("jwt")`.
    Hook,
    /// `POST /authentication {"strategy": "jwt", "accessToken": ..}`.
    Login,
}

const PATHS: [Path; 2] = [Path::Hook, Path::Login];

async fn present(app: App, path: Path, token: String) -> Result<Value> {
    match path {
        Path::Hook => {
            let mut params = Params::external(Provider::Rest);
            params.authentication =
                Some(AuthenticationRequest::new("jwt").with("accessToken", token));
            app.json_service("messages")?
                .call(JsonCall::new(Method::Find, params))
                .await?
                .to_json()
        }
        Path::Login => app
            .json_service("authentication")?
            .call(
                JsonCall::new(Method::Create, Params::external(Provider::Rest))
                    .data(json!({ "strategy": "jwt", "accessToken": token })),
            )
            .await?
            .to_json(),
    }
}

/// Presents `token` in a task of its own, so that a panic is reported as
/// one (`Err`) instead of tearing the test down.
async fn attempt(app: &App, path: Path, token: &str) -> std::result::Result<Result<Value>, String> {
    tokio::spawn(present(app.clone(), path, token.to_owned()))
        .await
        .map_err(|error| format!("panicked: {error}"))
}

/// What a refused token must give.
struct Refusal {
    message: String,
    /// `data.name`, as Feathers copies it from the jsonwebtoken error.
    data: Option<&'static str>,
}

fn jwt_error(message: &str) -> Refusal {
    Refusal {
        message: message.to_owned(),
        data: Some("JsonWebTokenError"),
    }
}

fn ours(message: &str) -> Refusal {
    Refusal {
        message: message.to_owned(),
        data: None,
    }
}

/// Checks every path for `token`; describes each way it went wrong.
async fn check(app: &App, name: &str, token: &str, expected: &Refusal) -> Vec<String> {
    let mut problems = Vec::new();
    for path in PATHS {
        let seen = match attempt(app, path, token).await {
            Err(panic) => Some(panic),
            Ok(Ok(value)) => Some(format!("accepted: {value}")),
            Ok(Err(error)) => {
                let data = error
                    .data()
                    .and_then(|data| data.get("name"))
                    .and_then(Value::as_str);
                let right = error.kind() == ErrorKind::NotAuthenticated
                    && error.code() == 401
                    && error.message() == expected.message
                    && data == expected.data;
                (!right).then(|| format!("{} {:?} (data {data:?})", error.name(), error.message()))
            }
        };
        if let Some(seen) = seen {
            problems.push(format!(
                "{name} via {path:?}: {seen}; expected {:?} (data {:?})",
                expected.message, expected.data
            ));
        }
    }
    problems
}

/// A valid token works on both paths.
async fn assert_accepted(app: &App, token: &str, email: &str) {
    for path in PATHS {
        let value = attempt(app, path, token)
            .await
            .unwrap()
            .unwrap_or_else(|error| panic!("a valid token via {path:?}: {error}"));
        let user = match path {
            Path::Hook => &value[0]["user"],
            Path::Login => &value["user"],
        };
        assert_eq!(user["email"], email, "{path:?}: {value}");
        assert!(user.get("password").is_none(), "{path:?}: {value}");
    }
}

// ---------------------------------------------------------------------------
// The matrix

#[tokio::test]
async fn every_hostile_token_is_a_401_on_both_paths_and_the_server_keeps_serving() {
    let app = app_with(SECRET, JwtOptions::default());
    let ada = add_user(&app, "ada@example.com").await;
    let bob = add_user(&app, "bob@example.com").await;
    let token = login(&app, "ada@example.com").await;
    let other = login(&app, "bob@example.com").await;
    assert_accepted(&app, &token, "ada@example.com").await;

    let [header_segment, payload_segment, signature] = segments(&token);
    let header = decode(&token, 0);
    let payload = decode(&token, 1);
    let with_header = |changes: Value| {
        let mut forged = header.clone();
        forged
            .as_object_mut()
            .unwrap()
            .extend(changes.as_object().unwrap().clone());
        forge(&forged, &payload, signature)
    };
    let with_payload = |changes: Value| {
        let mut forged = payload.clone();
        forged
            .as_object_mut()
            .unwrap()
            .extend(changes.as_object().unwrap().clone());
        forge(&header, &forged, signature)
    };
    let sibling = |secret: &str, options: JwtOptions| {
        mint(&app_with(secret, options), json!({}), subject(&ada["id"]))
    };
    let unsigned = |header: Value| forge(&header, &payload, "");

    let malformed = || jwt_error("jwt malformed");
    let bad_signature = || jwt_error("invalid signature");
    let bad_algorithm = || jwt_error("invalid algorithm");

    let cases: Vec<(&str, String, Refusal)> = vec![
        // alg: none, in every spelling, with and without a signature.
        // node-jsonwebtoken says `jwt signature is required` or `invalid
        // algorithm` here; jsonwebtoken can not read `none` as an algorithm.
        (
            "alg none",
            unsigned(json!({ "alg": "none", "typ": "access" })),
            malformed(),
        ),
        (
            "alg none, no typ",
            unsigned(json!({ "alg": "none" })),
            malformed(),
        ),
        ("alg None", unsigned(json!({ "alg": "None" })), malformed()),
        ("alg NONE", unsigned(json!({ "alg": "NONE" })), malformed()),
        (
            "alg none, signature kept",
            with_header(json!({ "alg": "none" })),
            malformed(),
        ),
        ("no alg", with_header(json!({ "alg": null })), malformed()),
        // Algorithm confusion: the HMAC signature under another algorithm.
        (
            "alg RS256, HMAC signature",
            with_header(json!({ "alg": "RS256" })),
            bad_algorithm(),
        ),
        (
            "alg ES256, HMAC signature",
            with_header(json!({ "alg": "ES256" })),
            bad_algorithm(),
        ),
        (
            "alg PS256, HMAC signature",
            with_header(json!({ "alg": "PS256" })),
            bad_algorithm(),
        ),
        (
            "alg EdDSA, HMAC signature",
            with_header(json!({ "alg": "EdDSA" })),
            bad_algorithm(),
        ),
        (
            "alg HS512, HS256 signature",
            with_header(json!({ "alg": "HS512" })),
            bad_algorithm(),
        ),
        (
            "HS512 token, same secret",
            sibling(
                SECRET,
                JwtOptions {
                    algorithm: "HS512".into(),
                    ..JwtOptions::default()
                },
            ),
            bad_algorithm(),
        ),
        // Header fields an attacker would like honoured.
        (
            "kid path",
            with_header(json!({ "kid": "../../../dev/null" })),
            bad_signature(),
        ),
        (
            "jku",
            with_header(json!({ "jku": "https://evil.example/jwks.json" })),
            bad_signature(),
        ),
        (
            "typ JWT",
            with_header(json!({ "typ": "JWT" })),
            bad_signature(),
        ),
        // Tampered payloads under the original signature.
        (
            "sub changed to another user",
            with_payload(json!({ "sub": bob["id"].to_string() })),
            bad_signature(),
        ),
        (
            "exp pushed back",
            with_payload(json!({ "exp": now() + 10 * 365 * 86_400 })),
            bad_signature(),
        ),
        (
            "aud changed",
            with_payload(json!({ "aud": "https://evil.example" })),
            bad_signature(),
        ),
        (
            "admin claim added",
            with_payload(json!({ "admin": true })),
            bad_signature(),
        ),
        (
            "payload not JSON",
            format!(
                "{header_segment}.{}.{signature}",
                base64url_encode(b"{\"sub\":")
            ),
            bad_signature(),
        ),
        // Signatures.
        (
            "another token's signature",
            format!("{header_segment}.{payload_segment}.{}", segments(&other)[2]),
            bad_signature(),
        ),
        (
            "signature removed",
            format!("{header_segment}.{payload_segment}."),
            bad_signature(),
        ),
        (
            "signature truncated",
            format!("{header_segment}.{payload_segment}.{}", &signature[..20]),
            bad_signature(),
        ),
        (
            "signed with another secret",
            sibling("another secret", JwtOptions::default()),
            bad_signature(),
        ),
        // Claims the server checks.
        (
            "wrong aud",
            sibling(
                SECRET,
                JwtOptions {
                    audience: "https://elsewhere.example".into(),
                    ..JwtOptions::default()
                },
            ),
            jwt_error(&format!("jwt audience invalid. expected: {AUDIENCE}")),
        ),
        (
            "wrong iss",
            sibling(
                SECRET,
                JwtOptions {
                    issuer: "someone else".into(),
                    ..JwtOptions::default()
                },
            ),
            jwt_error("jwt issuer invalid. expected: feathers"),
        ),
        // Expired from `exp` on, as node-jsonwebtoken has it: no wait needed.
        (
            "expired (lifetime 0)",
            mint(
                &app,
                json!({}),
                TokenOptions {
                    subject: Some(ada["id"].to_string()),
                    expires_in: Some(0),
                },
            ),
            Refusal {
                message: "jwt expired".into(),
                data: Some("TokenExpiredError"),
            },
        ),
        (
            "not yet valid (nbf in an hour)",
            mint(&app, json!({ "nbf": now() + 3_600 }), subject(&ada["id"])),
            Refusal {
                message: "jwt not active".into(),
                data: Some("NotBeforeError"),
            },
        ),
        (
            "nbf not a number",
            mint(&app, json!({ "nbf": "tomorrow" }), subject(&ada["id"])),
            jwt_error("invalid nbf value"),
        ),
        // Subjects that name no user.
        (
            "no sub",
            mint(&app, json!({}), TokenOptions::default()),
            ours("Invalid access token: it names no user (sub)"),
        ),
        (
            "empty sub",
            mint(
                &app,
                json!({}),
                TokenOptions {
                    subject: Some(String::new()),
                    ..TokenOptions::default()
                },
            ),
            ours("Invalid access token: it names no user (sub)"),
        ),
        (
            "numeric sub",
            mint(&app, json!({ "sub": 0 }), TokenOptions::default()),
            ours("Invalid access token: it names no user (sub)"),
        ),
        // A query operator as `sub` never reaches the users service.
        (
            "object sub",
            mint(
                &app,
                json!({ "sub": { "$ne": null } }),
                TokenOptions::default(),
            ),
            malformed(),
        ),
        (
            "sub of nobody",
            mint(&app, json!({}), subject(&json!(999))),
            ours("Invalid access token: its user no longer exists"),
        ),
        // Garbage.
        ("empty string", String::new(), ours("No access token")),
        ("abc", "abc".into(), malformed()),
        ("a.b.c", "a.b.c".into(), malformed()),
        ("...", "...".into(), malformed()),
        ("..", "..".into(), malformed()),
        (".", ".".into(), malformed()),
        ("not base64", "!!!.@@@.###".into(), malformed()),
        (
            "standard base64 alphabet",
            "+/+/.+/+/.+/+/".into(),
            malformed(),
        ),
        (
            "two segments",
            format!("{header_segment}.{payload_segment}"),
            malformed(),
        ),
        ("four segments", format!("{token}.{signature}"), malformed()),
        ("null", "null".into(), malformed()),
        (
            "header not JSON",
            format!(
                "{}.{payload_segment}.{signature}",
                base64url_encode(b"not json")
            ),
            malformed(),
        ),
        (
            "header a JSON array",
            format!("{}.{payload_segment}.{signature}", base64url_encode(b"[]")),
            malformed(),
        ),
        (
            "header a JSON string",
            format!(
                "{}.{payload_segment}.{signature}",
                base64url_encode(b"\"HS256\"")
            ),
            malformed(),
        ),
        (
            "padded segments",
            format!("{header_segment}==.{payload_segment}.{signature}"),
            malformed(),
        ),
        ("10 KB of a", "a".repeat(10 * 1024), malformed()),
        (
            "10 KB header",
            with_header(json!({ "pad": "x".repeat(10 * 1024) })),
            malformed(),
        ),
        (
            "the Authorization header value",
            format!("Bearer {token}"),
            malformed(),
        ),
        // Whitespace and unicode around or inside a valid token.
        ("leading space", format!(" {token}"), malformed()),
        ("trailing space", format!("{token} "), malformed()),
        ("trailing newline", format!("{token}\n"), malformed()),
        ("leading tab", format!("\t{token}"), malformed()),
        (
            "newline inside",
            format!("{header_segment}.\n{payload_segment}.{signature}"),
            bad_signature(),
        ),
        ("only whitespace", " \t\n ".into(), malformed()),
        ("zero-width space", format!("{token}\u{200b}"), malformed()),
        ("NUL byte", format!("{token}\0"), malformed()),
        (
            "fullwidth letters",
            token.replace('e', "\u{ff45}"),
            malformed(),
        ),
        (
            "accented signature",
            format!(
                "{header_segment}.{payload_segment}.{}é",
                &signature[..signature.len() - 1]
            ),
            malformed(),
        ),
        (
            "right-to-left override",
            format!("\u{202e}{token}"),
            malformed(),
        ),
    ];

    let mut problems = Vec::new();
    for (name, token, expected) in &cases {
        problems.extend(check(&app, name, token, expected).await);
    }
    assert!(
        problems.is_empty(),
        "{} of {} cases went wrong:\n{}",
        problems.len(),
        cases.len() * PATHS.len(),
        problems.join("\n")
    );

    // Still serving: the valid tokens work, and a new login does.
    assert_accepted(&app, &token, "ada@example.com").await;
    assert_accepted(&app, &other, "bob@example.com").await;
    let fresh = login(&app, "ada@example.com").await;
    assert_accepted(&app, &fresh, "ada@example.com").await;
}

// ---------------------------------------------------------------------------
// Cases whose setup differs

#[tokio::test]
async fn a_token_expires_on_time() {
    let app = app_with(
        SECRET,
        JwtOptions {
            expires_in: ExpiresIn::Seconds(2),
            ..JwtOptions::default()
        },
    );
    add_user(&app, "ada@example.com").await;
    let token = login(&app, "ada@example.com").await;
    assert_accepted(&app, &token, "ada@example.com").await;

    let exp = decode(&token, 1)["exp"].as_u64().unwrap();
    while now() < exp {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let expired = Refusal {
        message: "jwt expired".into(),
        data: Some("TokenExpiredError"),
    };
    let problems = check(&app, "expired", &token, &expired).await;
    assert!(problems.is_empty(), "{problems:#?}");
}

#[tokio::test]
async fn a_zero_lifetime_token_is_refused_after_a_second_too() {
    let app = app_with(SECRET, JwtOptions::default());
    let ada = add_user(&app, "ada@example.com").await;
    let token = mint(
        &app,
        json!({}),
        TokenOptions {
            subject: Some(ada["id"].to_string()),
            expires_in: Some(0),
        },
    );
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let expired = Refusal {
        message: "jwt expired".into(),
        data: Some("TokenExpiredError"),
    };
    let problems = check(&app, "expired", &token, &expired).await;
    assert!(problems.is_empty(), "{problems:#?}");
}

#[tokio::test]
async fn a_deleted_users_token_is_refused() {
    let app = app_with(SECRET, JwtOptions::default());
    let ada = add_user(&app, "ada@example.com").await;
    add_user(&app, "bob@example.com").await;
    let token = login(&app, "ada@example.com").await;
    let bobs = login(&app, "bob@example.com").await;
    assert_accepted(&app, &token, "ada@example.com").await;

    app.service::<Users>("users")
        .remove(ada["id"].as_i64().unwrap(), Params::new())
        .await
        .unwrap();
    // Difference: Feathers answers 404 (the users service's NotFound).
    let gone = ours("Invalid access token: its user no longer exists");
    let problems = check(&app, "deleted user", &token, &gone).await;
    assert!(problems.is_empty(), "{problems:#?}");
    assert_accepted(&app, &bobs, "bob@example.com").await;
}

#[tokio::test]
async fn a_token_for_one_app_is_refused_by_an_app_with_another_secret() {
    let ours_app = app_with(SECRET, JwtOptions::default());
    let theirs = app_with("their secret", JwtOptions::default());
    add_user(&ours_app, "ada@example.com").await;
    add_user(&theirs, "ada@example.com").await;
    // The same user id, the same claims but for iat/jti: only the secret differs.
    let their_token = login(&theirs, "ada@example.com").await;
    let problems = check(
        &ours_app,
        "their token",
        &their_token,
        &jwt_error("invalid signature"),
    )
    .await;
    assert!(problems.is_empty(), "{problems:#?}");
    let our_token = login(&ours_app, "ada@example.com").await;
    assert_accepted(&ours_app, &our_token, "ada@example.com").await;
}

#[tokio::test]
async fn attacks_in_parallel_do_not_disturb_valid_calls() {
    let app = app_with(SECRET, JwtOptions::default());
    add_user(&app, "ada@example.com").await;
    let token = login(&app, "ada@example.com").await;
    let [header_segment, payload_segment, _] = segments(&token);
    let forged_none = format!("{}.{payload_segment}.", encode(&json!({ "alg": "none" })));
    let mut tasks = Vec::new();
    for round in 0..50 {
        let hostile = match round % 3 {
            0 => forged_none.clone(),
            1 => format!("{header_segment}.{payload_segment}.AAAA"),
            _ => "x".repeat(9 * 1024),
        };
        for path in PATHS {
            let (attacked, hostile) = (app.clone(), hostile.clone());
            tasks.push(tokio::spawn(async move {
                present(attacked, path, hostile).await.map(|_| ())
            }));
            let (app, token) = (app.clone(), token.clone());
            tasks.push(tokio::spawn(async move {
                present(app, path, token)
                    .await
                    .map(|_| ())
                    .map_err(|e| Error::general(format!("a valid call failed: {e}")))
            }));
        }
    }
    for (i, task) in tasks.into_iter().enumerate() {
        let outcome = task.await.expect("no task panics");
        match i % 2 {
            0 => assert_eq!(
                outcome.unwrap_err().kind(),
                ErrorKind::NotAuthenticated,
                "hostile call {i}"
            ),
            _ => outcome.unwrap(),
        }
    }
}

#[test]
fn token_surgery_round_trips() {
    for text in ["", "f", "fo", "foo", "foob", "fooba", "foobar"] {
        let encoded = base64url_encode(text.as_bytes());
        assert_eq!(base64url_decode(&encoded).unwrap(), text.as_bytes());
    }
    assert_eq!(base64url_encode(b"\xfb\xff"), "-_8");
}
