//! Access tokens: JWTs signed and checked with one pinned algorithm.
//!
//! Signature checks are the `jsonwebtoken` crate's, which compares MACs in
//! constant time. Only the configured algorithm is accepted, so `alg: none`
//! and algorithm confusion are refused; `exp`, `nbf`, `aud` and `iss` are
//! checked with no leeway. Every failure is a `NotAuthenticated` whose
//! message is the one Feathers (node-jsonwebtoken) gives.

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::errors::ErrorKind as JwtErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Map, Value, json};

use crate::authentication::settings::JwtOptions;
use crate::error::{Error, Result};

/// Tokens are refused beyond this size before any parsing.
const MAX_TOKEN_LENGTH: usize = 8 * 1024;

/// Makes and checks access tokens with one secret and one algorithm.
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    header: Header,
    validation: Validation,
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
        let mut validation = Validation::new(algorithm);
        validation.leeway = 0;
        validation.validate_nbf = true;
        validation.set_audience(&[options.audience.as_str()]);
        validation.set_issuer(&[options.issuer.as_str()]);
        validation.set_required_spec_claims(&["exp", "aud", "iss"]);
        Ok(Tokens {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            header,
            validation,
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
    pub fn verify(&self, token: &str) -> Result<Map<String, Value>> {
        if token.len() > MAX_TOKEN_LENGTH {
            return Err(invalid("jwt malformed"));
        }
        let claims =
            jsonwebtoken::decode::<Map<String, Value>>(token, &self.decoding, &self.validation)
                .map(|data| data.claims)
                .map_err(|error| self.error(error.kind(), token))?;
        // A token is expired from its `exp` on (RFC 7519, node-jsonwebtoken);
        // jsonwebtoken still accepts it during that second.
        match claims.get("exp").and_then(Value::as_f64) {
            Some(exp) if exp <= now() as f64 => Err(expired(exp)),
            _ => Ok(claims),
        }
    }

    /// The error for a failure, as Feathers builds it from node-jsonwebtoken's.
    fn error(&self, kind: &JwtErrorKind, token: &str) -> Error {
        // Expiry and `nbf` are checked after the signature, so these claims
        // are the signed ones.
        let claim = |name: &str| {
            jsonwebtoken::dangerous::insecure_decode_claims::<Map<String, Value>>(token)
                .ok()
                .and_then(|claims| claims.get(name).and_then(Value::as_f64))
                .unwrap_or(0.0)
        };
        match kind {
            JwtErrorKind::ExpiredSignature => expired(claim("exp")),
            JwtErrorKind::ImmatureSignature => Error::not_authenticated("jwt not active")
                .with_data(json!({ "name": "NotBeforeError", "date": js_date(claim("nbf")) })),
            other => invalid(&self.message(other)),
        }
    }

    /// node-jsonwebtoken's message for each failure, as Feathers sends it.
    fn message(&self, kind: &JwtErrorKind) -> String {
        match kind {
            JwtErrorKind::ExpiredSignature => "jwt expired".to_owned(),
            JwtErrorKind::ImmatureSignature => "jwt not active".to_owned(),
            JwtErrorKind::InvalidSignature => "invalid signature".to_owned(),
            JwtErrorKind::InvalidAlgorithm | JwtErrorKind::InvalidAlgorithmName => {
                "invalid algorithm".to_owned()
            }
            JwtErrorKind::InvalidAudience => {
                format!("jwt audience invalid. expected: {}", self.audience)
            }
            JwtErrorKind::InvalidIssuer => format!("jwt issuer invalid. expected: {}", self.issuer),
            JwtErrorKind::MissingRequiredClaim(claim) => format!("jwt {claim} required"),
            JwtErrorKind::InvalidClaimFormat(claim) => format!("invalid {claim} value"),
            _ => "jwt malformed".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::js_date;

    #[test]
    fn dates_read_as_javascript_writes_them() {
        assert_eq!(js_date(0.0), "1970-01-01T00:00:00.000Z");
        assert_eq!(js_date(1_710_331_200.0), "2024-03-13T12:00:00.000Z");
        assert_eq!(js_date(951_782_400.5), "2000-02-29T00:00:00.500Z");
    }
}
