//! Login failures must not tell an attacker which emails have accounts.
//!
//! CONTRACT.md: "Unknown email and wrong password give the same `401
//! NotAuthenticated` with message `Invalid login`, in comparable time." The
//! `local` strategy verifies the password against a dummy argon2id hash when
//! the email is unknown (`authentication/password.rs`, `verify_nobody`), so
//! both failures cost one hash verification; this file checks that over
//! HTTP, with the chat app served on an ephemeral port.
//!
//! It also checks the other place where a secret is compared: the JWT
//! signature. That comparison is constant-time by construction, not by
//! measurement (see [`a_signature_differing_in_its_last_byte_is_refused`]).

use std::time::{Duration, Instant};

use auth_core::authentication::{JwtOptions, TokenOptions, Tokens};
use serde_json::{Map, Value, json};
use tests::base64url;

const SECRET: &str = "login-timing-secret";
const EMAIL: &str = "ada@example.com";
const PASSWORD: &str = "s3cret-Pa55";
const ROUNDS: usize = 30;

/// Starts the chat app on an ephemeral port, without its login limits
/// (these tests log in many times from one client); its base URL.
async fn start() -> String {
    let limits = examples::chat::LoginLimits::none();
    let app = examples::chat::app_with(SECRET, &examples::chat::Storage::Memory, limits)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(app.serve(listener, std::future::pending()));
    format!("http://{address}")
}

/// The chat app with one user (`EMAIL`, `PASSWORD`), and a client for it.
async fn start_with_user() -> (String, reqwest::Client) {
    let base = start().await;
    let client = reqwest::Client::new();
    let signup = client
        .post(format!("{base}/users"))
        .json(&json!({ "email": EMAIL, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(signup.status().as_u16(), 201);
    (base, client)
}

/// `POST /authentication` with the local strategy: the status, the JSON
/// body, and how long the whole request took.
async fn login(
    client: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
) -> (u16, Value, Duration) {
    let started = Instant::now();
    let response = client
        .post(format!("{base}/authentication"))
        .json(&json!({ "strategy": "local", "email": email, "password": password }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body = response.json::<Value>().await.unwrap();
    (status, body, started.elapsed())
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    let middle = samples.len() / 2;
    if samples.len() % 2 == 1 {
        samples[middle]
    } else {
        (samples[middle - 1] + samples[middle]) / 2
    }
}

/// Unknown-email and wrong-password logins answer the same 401 in
/// comparable time.
///
/// Why the check tolerates noise: each login is one argon2id verification
/// (19 MiB, 2 passes) plus an HTTP round trip, on a shared machine where
/// other processes, the allocator and the scheduler add jitter of their
/// own. The two kinds are interleaved, one of each per round and in
/// alternating order, so drift (a neighbour's build starting, the CPU
/// clocking down) falls on both alike; medians ignore the outliers a pause
/// makes; and the bound is a factor of 2, which noise does not reach but
/// the leak this guards against does: without the dummy hash an unknown
/// email answers after one user lookup, hundreds of times faster than a
/// verification. The test checks "the same work", not "the same
/// nanoseconds"; argon2's own time does not depend on whether the password
/// matches.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_email_and_wrong_password_take_comparable_time() {
    let (base, client) = start_with_user().await;

    // Warm-up, not measured: the dummy hash is made on the first unknown
    // email, and the connection pool opens its connection.
    let (status, expected, _) = login(&client, &base, "warm-up@example.com", PASSWORD).await;
    assert_eq!(status, 401);
    assert_eq!(
        expected,
        json!({
            "name": "NotAuthenticated",
            "message": "Invalid login",
            "code": 401,
            "className": "not-authenticated"
        })
    );
    let (status, _, _) = login(&client, &base, EMAIL, "warm-up").await;
    assert_eq!(status, 401);

    let mut unknown = Vec::with_capacity(ROUNDS);
    let mut wrong = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let unknown_email = format!("nobody-{round}@example.com");
        let wrong_password = format!("{PASSWORD}-wrong-{round}");
        // Alternate which goes first, so neither kind always follows the other.
        let order = if round % 2 == 0 {
            [true, false]
        } else {
            [false, true]
        };
        for is_unknown in order {
            let (kind, email, password) = if is_unknown {
                ("unknown email", unknown_email.as_str(), PASSWORD)
            } else {
                ("wrong password", EMAIL, wrong_password.as_str())
            };
            let (status, body, elapsed) = login(&client, &base, email, password).await;
            assert_eq!(status, 401, "{kind}, round {round}: {body}");
            // The same name, message, code (and everything else): nothing
            // in the body tells the two apart.
            assert_eq!(body, expected, "{kind}, round {round}");
            if is_unknown {
                unknown.push(elapsed);
            } else {
                wrong.push(elapsed);
            }
        }
    }

    let (unknown, wrong) = (median(unknown), median(wrong));
    let ratio = unknown.max(wrong).as_secs_f64() / unknown.min(wrong).as_secs_f64();
    eprintln!(
        "median login time over {ROUNDS} rounds: unknown email {unknown:?}, wrong password {wrong:?}, ratio {ratio:.2}"
    );
    assert!(
        ratio <= 2.0,
        "unknown email takes {unknown:?}, wrong password {wrong:?} (medians of {ROUNDS}): ratio {ratio:.2} > 2"
    );
}

/// A token whose HMAC differs from the right one in the last byte (or the
/// first) is refused: the verifier compares every byte.
///
/// Whether it compares them in constant time is not measured here; it
/// holds by construction. `Tokens::verify` (`authentication/token.rs`)
/// opens the token with `authentication/jws.rs`, which keys RustCrypto's
/// `hmac` once, recomputes the HMAC of `header.payload` and calls
/// `Mac::verify_slice` (the `digest` crate's trait, which `hmac`
/// implements). `verify_slice` refuses a tag of the wrong length at once
/// (the length is public: 32 bytes for HS256) and otherwise compares with
/// `subtle::ConstantTimeEq`, whose `ct_eq` on byte slices folds every byte
/// into one `Choice` without branching on the contents. So a forger learns
/// nothing from timing about how many leading bytes of a guess were right.
#[test]
fn a_signature_differing_in_its_last_byte_is_refused() {
    let tokens = Tokens::new(SECRET, &JwtOptions::default()).unwrap();
    let options = TokenOptions {
        subject: Some("0".to_owned()),
        expires_in: None,
    };
    let token = tokens.create(Map::new(), &options).unwrap();
    let claims = tokens.verify(&token).expect("the untouched token is valid");
    assert_eq!(claims["sub"], "0");

    let (signed, signature) = token.rsplit_once('.').unwrap();
    let signature = base64url::decode(signature).unwrap();
    assert_eq!(signature.len(), 32, "an HS256 signature");
    for (place, index) in [("last", signature.len() - 1), ("first", 0)] {
        for flip in [0x01, 0x80] {
            let mut forged = signature.clone();
            forged[index] ^= flip;
            let forged = format!("{signed}.{}", base64url::encode(&forged));
            let error = tokens
                .verify(&forged)
                .expect_err("a token with a changed signature byte");
            assert_eq!(error.code(), 401, "{place} byte ^ {flip:#04x}");
            assert_eq!(
                error.message(),
                "invalid signature",
                "{place} byte ^ {flip:#04x}"
            );
        }
    }
}

/// Over HTTP the same forgery is the same 401, on a service that otherwise
/// accepts the token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_with_its_last_signature_byte_changed_is_a_401_over_http() {
    let (base, client) = start_with_user().await;
    let (status, body, _) = login(&client, &base, EMAIL, PASSWORD).await;
    assert_eq!(status, 201, "{body}");
    let token = body["accessToken"].as_str().unwrap().to_owned();

    let secrets = |token: String| {
        client
            .get(format!("{base}/secrets"))
            .bearer_auth(token)
            .send()
    };
    let good = secrets(token.clone()).await.unwrap();
    assert_eq!(good.status().as_u16(), 200);

    let (signed, signature) = token.rsplit_once('.').unwrap();
    let mut signature = base64url::decode(signature).unwrap();
    *signature.last_mut().unwrap() ^= 0x01;
    let forged = format!("{signed}.{}", base64url::encode(&signature));
    let refused = secrets(forged).await.unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    let body = refused.json::<Value>().await.unwrap();
    assert_eq!(body["name"], "NotAuthenticated");
    assert_eq!(body["message"], "invalid signature");
}
