//! Access tokens: JWTs signed and checked with one pinned algorithm.
//!
//! Tokens are signed by the `jsonwebtoken` crate; signatures are checked
//! with RustCrypto's `hmac` (constant-time comparison, see `jws`). Only the
//! configured algorithm is accepted, so `alg: none` and algorithm confusion
//! are refused; `exp`, `nbf`, `aud` and `iss` are checked with no leeway.
//! Every failure is a `NotAuthenticated` whose message is the one Feathers
//! (node-jsonwebtoken) gives.

use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Map, Value, json};

use crate::authentication::claims::{Claim, RegisteredClaims};
use crate::authentication::jws::{HmacKey, JwsError};
use crate::authentication::settings::JwtOptions;
use crate::error::{Error, Result};
use crate::params::TokenPayload;

/// Tokens are refused beyond this size before any parsing.
const MAX_TOKEN_LENGTH: usize = 8 * 1024;

/// Makes and checks access tokens with one secret and one algorithm.
pub struct Tokens {
    encoding: EncodingKey,
    key: HmacKey,
    header: Header,
    /// The base64url of `header`: the header part of this server's own
    /// tokens, read once here rather than on every token.
    known_header: Option<String>,
    lifetime: u64,
    audience: String,
    issuer: String,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("algorithm", &self.header.alg)
            .field("audience", &self.audience)
            .field("issuer", &self.issuer)
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// A `JsonWebTokenError` as Feathers wraps it.
fn invalid(message: &str) -> Error {
    Error::not_authenticated(message).with_data(json!({ "name": "JsonWebTokenError" }))
}

/// `jwt expired`, with the expiry as Feathers sends it.
fn expired(exp: f64) -> Error {
    Error::not_authenticated("jwt expired")
        .with_data(json!({ "name": "TokenExpiredError", "expiredAt": js_date(exp) }))
}

/// A JavaScript `Date`'s JSON (`2024-03-13T12:00:00.000Z`) for seconds
/// since the epoch.
fn js_date(seconds: f64) -> String {
    let millis = (seconds * 1000.0) as i64;
    let (days, millis) = (millis.div_euclid(86_400_000), millis.rem_euclid(86_400_000));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let (era, doe) = (z.div_euclid(146_097), z.rem_euclid(146_097));
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let seconds = millis / 1000;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        seconds / 3_600,
        seconds / 60 % 60,
        seconds % 60,
        millis % 1000
    )
}

/// The claim of an access token that carries its entity's token epoch
/// ([`AuthConfig::token_epoch_field`](crate::authentication::AuthConfig::token_epoch_field)).
pub const EPOCH_CLAIM: &str = "epoch";

/// A fresh token epoch: 128 random bits in hex. Written to an entity's
/// [`token_epoch_field`](crate::authentication::AuthConfig::token_epoch_field), it revokes
/// every token issued to the entity before.
///
/// ```
/// let epoch = auth_core::authentication::new_token_epoch()?;
/// assert_eq!(epoch.len(), 32);
/// assert_ne!(epoch, auth_core::authentication::new_token_epoch()?);
/// # Ok::<_, auth_core::Error>(())
/// ```
pub fn new_token_epoch() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes)
        .map_err(|error| Error::general(format!("No randomness for a token epoch: {error}")))?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// Whether a token carrying `payload_epoch` still holds for an entity
/// whose stored epoch is `stored`: both absent (or `null`), or equal.
pub(crate) fn epoch_holds(payload_epoch: Option<&Value>, stored: Option<&Value>) -> bool {
    fn present(value: Option<&Value>) -> Option<&Value> {
        value.filter(|value| !value.is_null())
    }
    present(payload_epoch) == present(stored)
}

/// A random UUID (version 4), for `jti`.
fn random_uuid() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes)
        .map_err(|error| Error::general(format!("No randomness for a token id: {error}")))?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    ))
}

/// Per-call changes to how a token is made (Feathers' `params.jwtOptions`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TokenOptions {
    /// The `sub` claim: the entity's id.
    pub subject: Option<String>,
    /// Another lifetime in seconds.
    pub expires_in: Option<u64>,
}

impl Tokens {
    /// Tokens signed with `secret` as `options` say. Only the HMAC
    /// algorithms (`HS256`, `HS384`, `HS512`) go with a shared secret.
    pub fn new(secret: &str, options: &JwtOptions) -> Result<Tokens> {
        let algorithm = match options.algorithm.as_str() {
            "HS256" => Algorithm::HS256,
            "HS384" => Algorithm::HS384,
            "HS512" => Algorithm::HS512,
            other => {
                return Err(Error::general(format!(
                    "Invalid configuration authentication.jwt_options.algorithm: `{other}` (a secret signs HS256, HS384 or HS512)"
                )));
            }
        };
        if secret.is_empty() {
            return Err(Error::general(
                "Invalid configuration authentication.secret: it must not be empty",
            ));
        }
        let mut header = Header::new(algorithm);
        header.typ = Some(options.header.typ.clone());
        let key = HmacKey::new(algorithm, secret.as_bytes()).ok_or_else(|| {
            Error::general("Invalid configuration authentication.jwt_options.algorithm")
        })?;
        let known_header = key.known_header(&header);
        Ok(Tokens {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            key,
            header,
            known_header,
            lifetime: options.expires_in.seconds()?,
            audience: options.audience.clone(),
            issuer: options.issuer.clone(),
        })
    }

    /// A signed token carrying `payload` plus `iat`, `exp`, `aud`, `iss`,
    /// `jti` and, when given, `sub`.
    pub fn create(&self, payload: Map<String, Value>, options: &TokenOptions) -> Result<String> {
        let issued = now();
        let lifetime = options.expires_in.unwrap_or(self.lifetime);
        let mut claims = payload;
        claims.insert("iat".into(), issued.into());
        claims.insert("exp".into(), issued.saturating_add(lifetime).into());
        claims.insert("aud".into(), self.audience.clone().into());
        claims.insert("iss".into(), self.issuer.clone().into());
        if let Some(subject) = &options.subject {
            claims.insert("sub".into(), subject.clone().into());
        }
        claims.insert("jti".into(), random_uuid()?.into());
        jsonwebtoken::encode(&self.header, &claims, &self.encoding)
            .map_err(|error| Error::general(format!("Could not sign an access token: {error}")))
    }

    /// The payload of a valid token; `NotAuthenticated` otherwise, with
    /// Feathers' `data` (`{name: "JsonWebTokenError"}`, or
    /// `{name: "TokenExpiredError", expiredAt}`, or `{name: "NotBeforeError", date}`).
    ///
    /// Checked in `jsonwebtoken::decode`'s order, with node-jsonwebtoken's
    /// messages: the form and the header's algorithm, the MAC, then the
    /// claims (`exp`, `aud` and `iss` present; `exp` and `nbf`; `iss`;
    /// `aud`).
    pub fn verify(&self, token: &str) -> Result<Map<String, Value>> {
        self.verify_payload(token).map(TokenPayload::into_map)
    }

    /// [`Tokens::verify`], with the payload kept as the token's JSON and
    /// read into a map only when asked ([`TokenPayload`]).
    pub fn verify_payload(&self, token: &str) -> Result<TokenPayload> {
        self.open(token).map(|opened| opened.payload)
    }

    /// A valid token's payload, with its subject and epoch.
    pub(crate) fn open(&self, token: &str) -> Result<OpenedToken> {
        if token.len() > MAX_TOKEN_LENGTH {
            return Err(invalid("jwt malformed"));
        }
        let payload = self
            .key
            .open(token, self.known_header.as_deref())
            .map_err(|error| match error {
                JwsError::Malformed => invalid("jwt malformed"),
                JwsError::Algorithm => invalid("invalid algorithm"),
                JwsError::Signature => invalid("invalid signature"),
            })?;
        let payload = String::from_utf8(payload).map_err(|_| invalid("jwt malformed"))?;
        let claims = RegisteredClaims::read(&payload).map_err(|_| invalid("jwt malformed"))?;
        self.check_claims(&claims)?;
        let subject = claims.sub.map(Cow::into_owned);
        let epoch = claims.epoch;
        Ok(OpenedToken {
            payload: TokenPayload::from_checked_json(payload),
            subject,
            epoch,
        })
    }

    /// The registered claims of a token whose signature is good.
    fn check_claims(&self, claims: &RegisteredClaims<'_>) -> Result<()> {
        // jsonwebtoken can not read a token whose `sub`, `exp` or `nbf` is
        // an object or a list at all.
        if claims.structured {
            return Err(invalid("jwt malformed"));
        }
        for (name, present) in [
            ("exp", claims.exp.is_read()),
            ("aud", claims.aud.is_read()),
            ("iss", claims.iss.is_read()),
        ] {
            if !present {
                return Err(invalid(&format!("jwt {name} required")));
            }
        }
        if let Claim::Unreadable = claims.nbf {
            return Err(invalid("invalid nbf value"));
        }
        let now = now();
        // Expired from `exp` on (RFC 7519, node-jsonwebtoken), to the
        // fraction of a second.
        if let Claim::Read((_, seconds)) = claims.exp {
            if seconds <= now as f64 {
                return Err(expired(seconds));
            }
        }
        if let Claim::Read((nbf, seconds)) = claims.nbf {
            if nbf > now {
                return Err(Error::not_authenticated("jwt not active")
                    .with_data(json!({ "name": "NotBeforeError", "date": js_date(seconds) })));
            }
        }
        for (claim, what, expected) in [
            (&claims.iss, "issuer", &self.issuer),
            (&claims.aud, "audience", &self.audience),
        ] {
            if let Claim::Read(names) = claim {
                if !names.iter().any(|name| name == expected.as_str()) {
                    return Err(invalid(&format!(
                        "jwt {what} invalid. expected: {expected}"
                    )));
                }
            }
        }
        Ok(())
    }
}

/// A verified token: its payload, its `sub` when a string, and its epoch
/// claim.
pub(crate) struct OpenedToken {
    pub(crate) payload: TokenPayload,
    pub(crate) subject: Option<String>,
    pub(crate) epoch: Option<Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "a secret for the claim tests";

    fn tokens() -> Tokens {
        Tokens::new(SECRET, &JwtOptions::default()).expect("default options")
    }

    /// A token with exactly these claims, signed with the tests' secret.
    fn signed(claims: Value) -> String {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .expect("signed")
    }

    fn refusal(claims: Value) -> String {
        match tokens().verify(&signed(claims)) {
            Ok(_) => "accepted".to_owned(),
            Err(error) => error.message().to_owned(),
        }
    }

    #[test]
    fn the_servers_own_tokens_carry_the_known_header() {
        let tokens = tokens();
        let known = tokens.known_header.clone().expect("HS256 is known");
        let token = tokens
            .create(Map::new(), &TokenOptions::default())
            .expect("signed");
        assert!(token.starts_with(&format!("{known}.")), "{token}");
        tokens.verify(&token).expect("it opens");
    }

    #[test]
    fn registered_claims_are_read_as_jsonwebtoken_reads_them() {
        let later = now() + 3_600;
        let (aud, iss) = ("https://yourdomain.com", "feathers");
        let cases = [
            (json!({ "exp": later, "aud": aud, "iss": iss }), "accepted"),
            (
                json!({ "exp": later as f64 + 0.5, "aud": [aud, "x"], "iss": [iss] }),
                "accepted",
            ),
            (
                json!({ "exp": later, "aud": ["x", "y"], "iss": iss }),
                "jwt audience invalid. expected: https://yourdomain.com",
            ),
            (
                json!({ "exp": later, "aud": [], "iss": iss }),
                "jwt audience invalid. expected: https://yourdomain.com",
            ),
            (
                json!({ "exp": later, "aud": aud, "iss": ["x"] }),
                "jwt issuer invalid. expected: feathers",
            ),
            (
                json!({ "exp": later, "aud": 7, "iss": iss }),
                "jwt aud required",
            ),
            (
                json!({ "exp": later, "aud": aud, "iss": null }),
                "jwt iss required",
            ),
            (
                json!({ "exp": -5, "aud": aud, "iss": iss }),
                "jwt exp required",
            ),
            (
                json!({ "exp": "tomorrow", "aud": aud, "iss": iss }),
                "jwt exp required",
            ),
            (
                json!({ "exp": { "at": later }, "aud": aud, "iss": iss }),
                "jwt malformed",
            ),
            (
                json!({ "exp": later, "aud": aud, "iss": iss, "sub": [1] }),
                "jwt malformed",
            ),
            (
                json!({ "exp": later, "aud": aud, "iss": iss, "sub": 7 }),
                "accepted",
            ),
            (
                json!({ "exp": later, "aud": aud, "iss": iss, "nbf": true }),
                "invalid nbf value",
            ),
            (
                json!({ "exp": later, "aud": aud, "iss": iss, "nbf": later }),
                "jwt not active",
            ),
            (
                json!({ "exp": now() - 1, "aud": aud, "iss": iss }),
                "jwt expired",
            ),
            (
                json!({ "exp": now() - 1, "aud": "x", "iss": "y" }),
                "jwt expired",
            ),
        ];
        for (claims, expected) in cases {
            assert_eq!(refusal(claims.clone()), expected, "{claims}");
        }
    }

    #[test]
    fn a_payload_that_is_not_an_object_is_malformed() {
        assert_eq!(refusal(json!([1, 2])), "jwt malformed");
    }

    #[test]
    fn tokens_made_here_are_accepted_here() {
        let tokens = tokens();
        let token = tokens
            .create(Map::new(), &TokenOptions::default())
            .expect("created");
        let claims = tokens.verify(&token).expect("verified");
        assert_eq!(claims["iss"], "feathers");
    }

    #[test]
    fn dates_read_as_javascript_writes_them() {
        assert_eq!(js_date(0.0), "1970-01-01T00:00:00.000Z");
        assert_eq!(js_date(1_710_331_200.0), "2024-03-13T12:00:00.000Z");
        assert_eq!(js_date(951_782_400.5), "2000-02-29T00:00:00.500Z");
    }
}
