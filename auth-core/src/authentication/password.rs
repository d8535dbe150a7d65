//! Password hashes: argon2id for new hashes (OWASP's minimum parameters:
//! 19 MiB, 2 iterations, 1 lane), and verification of argon2 and bcrypt
//! hashes, so that users moved from a Feathers app keep their passwords.
//!
//! Hashing is slow on purpose, so it runs on tokio's blocking pool when a
//! runtime is there, never on the thread serving other requests.

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::{Error, Result};

/// Passwords longer than this are refused before hashing (a hash of a huge
/// input would only cost the server time).
pub const MAX_PASSWORD_LENGTH: usize = 1024;

fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

fn hash_now(password: &str) -> Result<String> {
    if password.len() > MAX_PASSWORD_LENGTH {
        return Err(Error::bad_request(format!(
            "A password may have at most {MAX_PASSWORD_LENGTH} bytes"
        )));
    }
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| Error::general(format!("Could not hash a password: {error}")))
}

/// True when `password` matches `hash`; malformed hashes match nothing.
fn verify_now(password: &str, hash: &str) -> bool {
    if password.len() > MAX_PASSWORD_LENGTH {
        return false;
    }
    if hash.starts_with("$2") {
        return bcrypt::verify(password, hash).unwrap_or(false);
    }
    match PasswordHash::new(hash) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash of a password nobody has, verified when a user is unknown so
/// that "unknown user" takes as long as "wrong password".
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_now("no user has this password, it only spends the same time").unwrap_or_default()
    })
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => runtime
            .spawn_blocking(work)
            .await
            .map_err(|error| Error::general(format!("Password hashing failed: {error}"))),
        Err(_) => Ok(work()),
    }
}

/// An argon2id hash of `password`, in PHC string form.
pub async fn hash_password(password: &str) -> Result<String> {
    let password = password.to_owned();
    blocking(move || hash_now(&password)).await?
}

/// True when `password` matches `hash` (argon2 or bcrypt).
pub async fn verify_password(password: &str, hash: &str) -> Result<bool> {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    blocking(move || verify_now(&password, &hash)).await
}

/// Spends the time of one verification, for a user that does not exist.
pub async fn verify_nobody(password: &str) -> Result<()> {
    let password = password.to_owned();
    blocking(move || {
        verify_now(&password, dummy_hash());
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_hashes_verify_and_others_do_not() {
        let hash = hash_now("secret").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_now("secret", &hash));
        assert!(!verify_now("Secret", &hash));
        assert!(!verify_now("secret", "not a hash"));
    }

    #[test]
    fn bcrypt_hashes_from_feathers_verify() {
        let hash = bcrypt::hash("secret", 4).unwrap();
        assert!(verify_now("secret", &hash));
        assert!(!verify_now("other", &hash));
    }
}
