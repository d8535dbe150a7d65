//! The signed part of an access token: a compact JWS
//! (`header.payload.signature`, each base64url without padding) checked
//! with one pinned HMAC algorithm.
//!
//! The MAC is RustCrypto's `hmac`, keyed once when the tokens are set up
//! and compared with `Mac::verify_slice`, which is constant-time (`subtle`).
//! The header is read as `jsonwebtoken`'s `Header`, so what it accepts is
//! what `jsonwebtoken::decode` accepts; only the payload is read once
//! instead of twice, and the header of the server's own tokens is read
//! once at set-up, not on every token.

use std::borrow::Cow;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::{DecodeSliceError, Engine};
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, Header};
use sha2::{Sha256, Sha384, Sha512};

/// Why a token's signed part is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JwsError {
    /// Not three base64url parts, or a header that is not a JWS header.
    Malformed,
    /// A header naming another algorithm than the pinned one.
    Algorithm,
    /// A MAC that does not match.
    Signature,
}

/// An HMAC key for one algorithm, ready to be cloned for each check.
#[derive(Clone)]
pub(crate) enum HmacKey {
    Hs256(Hmac<Sha256>),
    Hs384(Hmac<Sha384>),
    Hs512(Hmac<Sha512>),
}

impl HmacKey {
    /// The key for `algorithm` (an HMAC one), or `None` for another family.
    pub(crate) fn new(algorithm: Algorithm, secret: &[u8]) -> Option<HmacKey> {
        // HMAC takes keys of any length: `new_from_slice` can not fail here.
        match algorithm {
            Algorithm::HS256 => Hmac::new_from_slice(secret).ok().map(HmacKey::Hs256),
            Algorithm::HS384 => Hmac::new_from_slice(secret).ok().map(HmacKey::Hs384),
            Algorithm::HS512 => Hmac::new_from_slice(secret).ok().map(HmacKey::Hs512),
            _ => None,
        }
    }

    fn algorithm(&self) -> Algorithm {
        match self {
            HmacKey::Hs256(_) => Algorithm::HS256,
            HmacKey::Hs384(_) => Algorithm::HS384,
            HmacKey::Hs512(_) => Algorithm::HS512,
        }
    }

    /// Whether `signature` is the MAC of `message`, compared in constant time.
    fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        fn check<M: Mac + Clone>(key: &M, message: &[u8], signature: &[u8]) -> bool {
            let mut mac = key.clone();
            mac.update(message);
            mac.verify_slice(signature).is_ok()
        }
        match self {
            HmacKey::Hs256(key) => check(key, message, signature),
            HmacKey::Hs384(key) => check(key, message, signature),
            HmacKey::Hs512(key) => check(key, message, signature),
        }
    }

    /// The payload (decoded, not yet parsed) of `token` when its header
    /// names this key's algorithm and its MAC matches; checked in that
    /// order, as `jsonwebtoken::decode` does. A header part equal to
    /// `known_header` (the base64url of a header read once before, which
    /// names this algorithm: the one this server signs with) is taken as
    /// read: the same bytes read the same.
    pub(crate) fn open(
        &self,
        token: &str,
        known_header: Option<&str>,
    ) -> Result<Vec<u8>, JwsError> {
        // Exactly two dots: three parts.
        let mut dots = memchr::memchr_iter(b'.', token.as_bytes());
        let (Some(first), Some(second), None) = (dots.next(), dots.next(), dots.next()) else {
            return Err(JwsError::Malformed);
        };
        let (header_part, payload, signature) = (
            &token[..first],
            &token[first + 1..second],
            &token[second + 1..],
        );
        if known_header != Some(header_part) {
            self.check_header(header_part)?;
        }
        let mut signature_buffer = [0u8; 72];
        let signature = decode_part(signature, &mut signature_buffer)?;
        // The signed message is `header.payload`, as sent.
        let message = &token.as_bytes()[..header_part.len() + 1 + payload.len()];
        if !self.verifies(message, &signature) {
            return Err(JwsError::Signature);
        }
        URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| JwsError::Malformed)
    }

    /// Whether a header part is a JWS header naming this key's algorithm.
    fn check_header(&self, header_part: &str) -> Result<(), JwsError> {
        let mut header_buffer = [0u8; 128];
        let header = decode_part(header_part, &mut header_buffer)?;
        let header: Header = serde_json::from_slice(&header).map_err(|_| JwsError::Malformed)?;
        if header.alg != self.algorithm() {
            return Err(JwsError::Algorithm);
        }
        Ok(())
    }

    /// The base64url header part of the tokens signed with `header`, when
    /// it names this key's algorithm and reads back as a header: the
    /// `known_header` of [`HmacKey::open`].
    pub(crate) fn known_header(&self, header: &Header) -> Option<String> {
        let part = URL_SAFE_NO_PAD.encode(serde_json::to_vec(header).ok()?);
        self.check_header(&part).ok().map(|()| part)
    }
}

/// A base64url part decoded into `buffer` when it fits (a header or a
/// MAC does), else onto the heap.
fn decode_part<'b>(part: &str, buffer: &'b mut [u8]) -> Result<Cow<'b, [u8]>, JwsError> {
    match URL_SAFE_NO_PAD.decode_slice(part, buffer) {
        Ok(length) => Ok(Cow::Borrowed(&buffer[..length])),
        Err(DecodeSliceError::OutputSliceTooSmall) => URL_SAFE_NO_PAD
            .decode(part)
            .map(Cow::Owned)
            .map_err(|_| JwsError::Malformed),
        Err(DecodeSliceError::DecodeError(_)) => Err(JwsError::Malformed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(key: &HmacKey, message: &str) -> String {
        let HmacKey::Hs256(mac) = key else {
            unreachable!("the tests sign with HS256")
        };
        let mut mac = mac.clone();
        mac.update(message.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    fn part(json: &str) -> String {
        URL_SAFE_NO_PAD.encode(json)
    }

    #[test]
    fn a_signed_token_opens_to_its_payload() {
        let key = HmacKey::new(Algorithm::HS256, b"secret").expect("an HMAC key");
        let message = format!("{}.{}", part(r#"{"alg":"HS256"}"#), part(r#"{"a":1}"#));
        let token = format!("{message}.{}", sign(&key, &message));
        assert_eq!(key.open(&token, None), Ok(br#"{"a":1}"#.to_vec()));
    }

    #[test]
    fn a_known_header_is_taken_as_read_and_any_other_is_read() {
        let key = HmacKey::new(Algorithm::HS256, b"secret").expect("an HMAC key");
        let mut header = Header::new(Algorithm::HS256);
        header.typ = Some("access".to_owned());
        let known = key.known_header(&header).expect("it names HS256");
        let message = format!("{known}.{}", part(r#"{"a":1}"#));
        let token = format!("{message}.{}", sign(&key, &message));
        assert_eq!(key.open(&token, Some(&known)), Ok(br#"{"a":1}"#.to_vec()));
        assert_eq!(key.open(&token, None), Ok(br#"{"a":1}"#.to_vec()));
        // Another header, known or not, is read and checked.
        let other = format!("{}.{}", part(r#"{"alg":"HS512"}"#), part(r#"{"a":1}"#));
        let token = format!("{other}.{}", sign(&key, &other));
        assert_eq!(key.open(&token, Some(&known)), Err(JwsError::Algorithm));
        // A header naming another algorithm is never known.
        assert_eq!(key.known_header(&Header::new(Algorithm::HS512)), None);
    }

    #[test]
    fn parts_longer_than_their_buffers_are_read_as_any_other() {
        let key = HmacKey::new(Algorithm::HS256, b"secret").expect("an HMAC key");
        let long_header = format!(r#"{{"alg":"HS256","kid":"{}"}}"#, "k".repeat(300));
        let message = format!("{}.{}", part(&long_header), part(r#"{"a":1}"#));
        let token = format!("{message}.{}", sign(&key, &message));
        assert_eq!(key.open(&token, None), Ok(br#"{"a":1}"#.to_vec()));
        let long_signature = URL_SAFE_NO_PAD.encode([7u8; 200]);
        assert_eq!(
            key.open(&format!("{message}.{long_signature}"), None),
            Err(JwsError::Signature)
        );
        assert_eq!(
            key.open(&format!("{message}.{long_signature}!"), None),
            Err(JwsError::Malformed)
        );
    }

    #[test]
    fn each_refusal_has_its_reason() {
        let key = HmacKey::new(Algorithm::HS256, b"secret").expect("an HMAC key");
        let message = format!("{}.{}", part(r#"{"alg":"HS256"}"#), part(r#"{"a":1}"#));
        let signature = sign(&key, &message);
        let other = HmacKey::new(Algorithm::HS256, b"other").expect("an HMAC key");
        let cases = [
            (message.clone(), JwsError::Malformed),
            (format!("{message}.{signature}.x"), JwsError::Malformed),
            (format!("{message}.{signature}="), JwsError::Malformed),
            (
                format!("{message}.{}", sign(&other, &message)),
                JwsError::Signature,
            ),
            (format!("{message}."), JwsError::Signature),
            (
                format!(
                    "{}.{}.{signature}",
                    part(r#"{"alg":"HS512"}"#),
                    part(r#"{"a":1}"#)
                ),
                JwsError::Algorithm,
            ),
            (
                format!(
                    "{}.{}.{signature}",
                    part(r#"{"alg":"none"}"#),
                    part(r#"{"a":1}"#)
                ),
                JwsError::Malformed,
            ),
        ];
        for (token, reason) in cases {
            assert_eq!(key.open(&token, None), Err(reason), "{token}");
        }
    }
}
