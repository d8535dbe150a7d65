//! Fuzz target `jwt`: an `Authorization` header through the chat app's
//! `jwt` strategy, as the REST transport runs it.
//!
//! The chat app (`examples::chat::app`) is built once, with one user
//! (id 1) and a valid access token for that user made by `Tokens::create`
//! (through the authentication service). Each input becomes a header value
//! (inputs `HeaderValue::from_bytes` refuses are skipped); the registered
//! strategies `parse` the request as `rest` does, and the credentials found
//! are authenticated with the `jwt` strategy (token verification, then the
//! user lookup through the users service with its hooks).
//!
//! The first input byte picks how the header is made from the rest:
//!
//! * `0`: the bytes as they are;
//! * `1`: spliced into `Bearer <the valid token>` (two bytes of position,
//!   one of how much to cut, then the bytes to insert), so the fuzzer
//!   starts from a valid token;
//! * `2`: the bytes as the token's JSON header, base64url-encoded, with the
//!   valid token's payload and signature;
//! * `3`: the bytes as the token's JSON payload, base64url-encoded, after
//!   the valid token's header and signed with the app's secret, to reach
//!   claim validation and the user lookup.
//!
//! Nothing may panic. Also checked:
//!
//! * every failure is a `NotAuthenticated` (401), never a server error;
//! * without the secret (`0`, `1`, `2`), only the very token the app issued
//!   authenticates: no other byte string is accepted as its signature;
//! * a token that authenticates has a numeric `exp` in the future and the
//!   `sub` of the one user, and the user comes back without its password.

#![no_main]

use std::sync::LazyLock;
use std::time::{SystemTime, UNIX_EPOCH};

use auth_core::authentication::{AuthenticationService, TokenOptions, default_authentication};
use auth_core::prelude::*;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use examples::chat::{User, Users};
use http::header::AUTHORIZATION;
use http::{HeaderValue, Request};
use jsonwebtoken::{Algorithm, EncodingKey};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

const SECRET: &str = "the fuzzer's secret, long enough for HS256";

/// Built once: the app, its runtime and a valid token.
struct Fixture {
    runtime: tokio::runtime::Runtime,
    app: App,
    /// A valid access token for user 1, for a hundred years.
    token: String,
    /// `Bearer <token>`.
    header: Vec<u8>,
    /// The token's first (header) segment, base64url.
    header_segment: String,
    /// The token's payload and signature segments, with the dot between.
    payload_and_signature: String,
    /// The key the app signs with.
    key: EncodingKey,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let app = examples::chat::app(SECRET).expect("the chat app");
    let user = runtime
        .block_on(app.service::<Users>("users").create(
            User {
                id: None,
                email: "fuzz@example.com".to_owned(),
                password: Some("a password".to_owned()),
                token_epoch: None,
            },
            Params::new(),
        ))
        .expect("a user");
    assert_eq!(user.id, Some(1));
    let token = authentication(&app)
        .create_access_token(
            Map::new(),
            &TokenOptions {
                subject: Some("1".to_owned()),
                expires_in: Some(100 * 365 * 86_400),
            },
        )
        .expect("a token");
    let (header_segment, payload_and_signature) =
        token.split_once('.').expect("a JWT has three segments");
    Fixture {
        header: format!("Bearer {token}").into_bytes(),
        header_segment: header_segment.to_owned(),
        payload_and_signature: payload_and_signature.to_owned(),
        key: EncodingKey::from_secret(SECRET.as_bytes()),
        token,
        runtime,
        app,
    }
});

fn authentication(app: &App) -> &AuthenticationService {
    default_authentication(app).expect("the chat app has an authentication service")
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs_f64()
}

/// `base` with `edit` applied: two bytes of position, one byte of how much
/// to cut there, then what to insert.
fn splice(base: &[u8], edit: &[u8]) -> Vec<u8> {
    let byte = |index: usize| edit.get(index).copied().unwrap_or(0);
    let position = usize::from(u16::from_be_bytes([byte(0), byte(1)])) % (base.len() + 1);
    let cut = usize::from(byte(2)).min(base.len() - position);
    let insert = edit.get(3..).unwrap_or_default();
    let mut out = Vec::with_capacity(base.len() + insert.len());
    out.extend_from_slice(&base[..position]);
    out.extend_from_slice(insert);
    out.extend_from_slice(&base[position + cut..]);
    out
}

/// The header value for an input, and whether it was signed with the secret.
fn header_value(fixture: &Fixture, data: &[u8]) -> Option<(Vec<u8>, bool)> {
    let (&mode, rest) = data.split_first()?;
    Some(match mode % 4 {
        0 => (rest.to_vec(), false),
        1 => (splice(&fixture.header, rest), false),
        2 => {
            let header = URL_SAFE_NO_PAD.encode(rest);
            let token = format!("{header}.{}", fixture.payload_and_signature);
            (format!("Bearer {token}").into_bytes(), false)
        }
        _ => {
            let message = format!(
                "{}.{}",
                fixture.header_segment,
                URL_SAFE_NO_PAD.encode(rest)
            );
            let signature =
                jsonwebtoken::crypto::sign(message.as_bytes(), &fixture.key, Algorithm::HS256)
                    .expect("HMAC signing does not fail");
            (format!("Bearer {message}.{signature}").into_bytes(), true)
        }
    })
}

async fn run(fixture: &Fixture, value: HeaderValue, signed: bool) {
    let (mut parts, ()) = Request::new(()).into_parts();
    parts.headers.insert(AUTHORIZATION, value);
    let service = authentication(&fixture.app);
    // As the REST transport: the first strategy that finds credentials.
    let mut found = None;
    for strategy in service.strategies() {
        match strategy.parse(&parts).await {
            Ok(Some(request)) => {
                found = Some(request);
                break;
            }
            Ok(None) => {}
            Err(error) => {
                assert_eq!(error.code(), 401, "parse failed with {error:?}");
                return;
            }
        }
    }
    let Some(request) = found else {
        return;
    };
    let before = now();
    let result = service
        .authenticate(&request, &Params::external(Provider::Rest), &["jwt"])
        .await;
    let result = match result {
        Ok(result) => result,
        Err(error) => {
            assert_eq!(error.code(), 401, "authentication failed with {error:?}");
            return;
        }
    };
    let token = request.get_str("accessToken").expect("jwt found a token");
    assert_eq!(
        result.get("accessToken").and_then(Value::as_str),
        Some(token)
    );
    if !signed {
        assert_eq!(
            token, fixture.token,
            "a token the app never issued was accepted"
        );
    }
    let payload = result
        .get("authentication")
        .and_then(|authentication| authentication.get("payload"))
        .and_then(Value::as_object)
        .expect("the result carries the token's payload");
    let exp = payload.get("exp").and_then(Value::as_f64);
    assert!(
        exp.is_some_and(|exp| exp > before),
        "accepted with exp {:?}",
        payload.get("exp")
    );
    assert_eq!(
        payload.get("sub").and_then(Value::as_str),
        Some("1"),
        "accepted for another subject"
    );
    let user = result.get("user").expect("the user");
    assert_eq!(user.get("id"), Some(&Value::from(1)));
    assert!(user.get("password").is_none(), "the password left: {user}");
}

fuzz_target!(|data: &[u8]| {
    let fixture = &*FIXTURE;
    let Some((header, signed)) = header_value(fixture, data) else {
        return;
    };
    let Ok(value) = HeaderValue::from_bytes(&header) else {
        return;
    };
    fixture.runtime.block_on(run(fixture, value, signed));
});
