//! `TokenPayload`: the claims of a verified access token, kept as the
//! token's JSON and read into a map only when something asks for one.
//!
//! Feathers puts the payload in `params.authentication.payload`; most
//! calls never read it. Keeping the text and parsing it on first use
//! spares every JWT request a map of owned keys, built and dropped.

use std::fmt;
use std::sync::{Arc, OnceLock};

use serde::de::DeserializeOwned;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::redact;

/// The claims of a verified access token (`params.authentication.payload`
/// in Feathers), read from the token's JSON on first use.
///
/// ```
/// use auth_core::params::TokenPayload;
/// use serde_json::json;
///
/// let payload = TokenPayload::from_json(r#"{"sub":"1","exp":1796273666}"#.to_owned())?;
/// assert_eq!(payload.get("sub"), Some(&json!("1")));
/// assert_eq!(serde_json::to_value(&payload)?, json!({ "sub": "1", "exp": 1796273666 }));
///
/// #[derive(serde::Deserialize)]
/// struct Claims { sub: String }
/// assert_eq!(payload.to_typed::<Claims>()?.sub, "1");
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
///
/// Cloning it is cheap: the text and the map are shared.
#[derive(Clone)]
pub struct TokenPayload(Arc<Shared>);

struct Shared {
    json: String,
    claims: OnceLock<Map<String, Value>>,
}

impl TokenPayload {
    /// A payload from its JSON text, which must be an object (a
    /// `BadRequest` otherwise).
    pub fn from_json(json: String) -> Result<TokenPayload> {
        let claims: Map<String, Value> = serde_json::from_str(&json).map_err(|error| {
            Error::bad_request(format!("A token payload must be a JSON object: {error}"))
        })?;
        Ok(TokenPayload(Arc::new(Shared {
            json,
            claims: OnceLock::from(claims),
        })))
    }

    /// A payload whose text the caller has already read as one JSON
    /// object (the token's checks did): its map is made on first use.
    #[cfg(feature = "auth")]
    pub(crate) fn from_checked_json(json: String) -> TokenPayload {
        TokenPayload(Arc::new(Shared {
            json,
            claims: OnceLock::new(),
        }))
    }

    /// A payload made of these claims.
    pub fn from_map(claims: Map<String, Value>) -> TokenPayload {
        TokenPayload(Arc::new(Shared {
            json: Value::Object(claims.clone()).to_string(),
            claims: OnceLock::from(claims),
        }))
    }

    /// The claims as a JSON map, read from the text on first use.
    pub fn claims(&self) -> &Map<String, Value> {
        // The text was read as one object, every value of it, when the
        // payload was made (by the token's checks), so reading it again
        // can not fail; an empty map is never seen.
        let shared = &self.0;
        shared
            .claims
            .get_or_init(|| serde_json::from_str(&shared.json).unwrap_or_default())
    }

    /// One claim, if present.
    pub fn get(&self, claim: &str) -> Option<&Value> {
        self.claims().get(claim)
    }

    /// The payload's JSON text, as the token carries it.
    pub fn json(&self) -> &str {
        &self.0.json
    }

    /// The claims read as `T`, straight from the text (no map is made).
    pub fn to_typed<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_str(&self.0.json)
            .map_err(|error| Error::general(format!("The token payload does not fit: {error}")))
    }

    /// The claims as an owned map.
    pub fn into_map(self) -> Map<String, Value> {
        match Arc::try_unwrap(self.0) {
            Ok(shared) => match shared.claims.into_inner() {
                Some(claims) => claims,
                None => serde_json::from_str(&shared.json).unwrap_or_default(),
            },
            Err(shared) => TokenPayload(shared).claims().clone(),
        }
    }
}

impl PartialEq for TokenPayload {
    fn eq(&self, other: &TokenPayload) -> bool {
        self.0.json == other.0.json || self.claims() == other.claims()
    }
}

impl fmt::Debug for TokenPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&redact::JsonMap(self.claims()), f)
    }
}

impl Serialize for TokenPayload {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.claims().serialize(serializer)
    }
}

impl From<TokenPayload> for Value {
    fn from(payload: TokenPayload) -> Value {
        Value::Object(payload.into_map())
    }
}
