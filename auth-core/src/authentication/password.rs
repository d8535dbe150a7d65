//! Password hashes: argon2id for new hashes (OWASP's minimum parameters:
//! 19 MiB, 2 iterations, 1 lane), and verification of argon2 and bcrypt
//! hashes, so that users moved from a Feathers app keep their passwords.
//!
//! Hashing is slow on purpose, so it runs on tokio's blocking pool when a
//! runtime is there, never on the thread serving other requests. It is also
//! bounded: at most one hash per core at a time (the others wait their
//! turn), each in one of as many working memories of 19 MiB kept for reuse,
//! so a burst of logins neither takes every core nor grows the heap.

use std::cell::RefCell;
use std::sync::{Arc, Mutex, OnceLock};

use argon2::password_hash::errors::Error as HashError;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{
    Decimal, Ident, Output, ParamsString, PasswordHash, PasswordHasher, PasswordVerifier, Salt,
    SaltString,
};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

use crate::error::{Error, Result};
use crate::sync::lock;

/// Passwords longer than this are refused before hashing (a hash of a huge
/// input would only cost the server time).
pub const MAX_PASSWORD_LENGTH: usize = 1024;

/// Argon2 hashing into a working memory it is given, so the 19 MiB of each
/// hash are reused rather than allocated; verification comes with it
/// (`PasswordVerifier`, which compares outputs in constant time).
struct Hasher<'m> {
    memory: RefCell<&'m mut Vec<Block>>,
}

impl<'m> Hasher<'m> {
    fn new(memory: &'m mut Vec<Block>) -> Hasher<'m> {
        Hasher {
            memory: RefCell::new(memory),
        }
    }
}

impl PasswordHasher for Hasher<'_> {
    type Params = Params;

    fn hash_password<'a>(
        &self,
        password: &[u8],
        salt: impl Into<Salt<'a>>,
    ) -> argon2::password_hash::Result<PasswordHash<'a>> {
        self.hash_password_customized(password, None, None, Params::default(), salt)
    }

    fn hash_password_customized<'a>(
        &self,
        password: &[u8],
        algorithm: Option<Ident<'a>>,
        version: Option<Decimal>,
        params: Params,
        salt: impl Into<Salt<'a>>,
    ) -> argon2::password_hash::Result<PasswordHash<'a>> {
        let algorithm = algorithm
            .map(Algorithm::try_from)
            .transpose()?
            .unwrap_or(Algorithm::Argon2id);
        let version = version
            .map(Version::try_from)
            .transpose()?
            .unwrap_or(Version::V0x13);
        let salt = salt.into();
        let mut salt_bytes = [0u8; Salt::MAX_LENGTH];
        let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
        let length = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
        let mut memory = self.memory.borrow_mut();
        // A stored hash may ask for more memory than the default: it gets it.
        if memory.len() < params.block_count() {
            memory.resize(params.block_count(), Block::default());
        }
        let argon2 = Argon2::new(algorithm, version, params.clone());
        let hash = Output::init_with(length, |out| {
            argon2
                .hash_password_into_with_memory(password, salt_bytes, out, memory.as_mut_slice())
                .map_err(HashError::from)
        })?;
        Ok(PasswordHash {
            algorithm: algorithm.ident(),
            version: Some(version.into()),
            params: ParamsString::try_from(&params)?,
            salt: Some(salt),
            hash: Some(hash),
        })
    }
}

/// A working memory for one hash with the default parameters.
fn working_memory() -> Vec<Block> {
    vec![Block::default(); Params::default().block_count()]
}

fn hash_now(password: &str, memory: &mut Vec<Block>) -> Result<String> {
    if password.len() > MAX_PASSWORD_LENGTH {
        return Err(Error::bad_request(format!(
            "A password may have at most {MAX_PASSWORD_LENGTH} bytes"
        )));
    }
    let salt = SaltString::generate(&mut OsRng);
    Hasher::new(memory)
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| Error::general(format!("Could not hash a password: {error}")))
}

/// True when `password` matches `hash`; malformed hashes match nothing.
fn verify_now(password: &str, hash: &str, memory: &mut Vec<Block>) -> bool {
    if password.len() > MAX_PASSWORD_LENGTH {
        return false;
    }
    if hash.starts_with("$2") {
        return bcrypt::verify(password, hash).unwrap_or(false);
    }
    match PasswordHash::new(hash) {
        Ok(parsed) => Hasher::new(memory)
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
        hash_now(
            "no user has this password, it only spends the same time",
            &mut working_memory(),
        )
        .unwrap_or_default()
    })
}

/// The hashing gate: one permit per core, and the working memories of the
/// hashes that ran, kept for the next ones.
struct Gate {
    permits: Arc<Semaphore>,
    memories: Mutex<Vec<Vec<Block>>>,
}

fn gate() -> &'static Gate {
    static GATE: OnceLock<Gate> = OnceLock::new();
    GATE.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Gate {
            permits: Arc::new(Semaphore::new(cores)),
            memories: Mutex::new(Vec::with_capacity(cores)),
        }
    })
}

/// Runs `work` with a working memory on the blocking pool, once a permit is
/// free; without a runtime, here and now.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
) -> Result<T> {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return Ok(work(&mut working_memory()));
    };
    let gate = gate();
    let permit = Arc::clone(&gate.permits)
        .acquire_owned()
        .await
        .map_err(|error| Error::general(format!("Password hashing is closed: {error}")))?;
    runtime
        .spawn_blocking(move || {
            // The permit and the memory go back when the hash is done, even
            // if the caller stopped waiting for it.
            let _permit = permit;
            let mut memory = lock(&gate.memories).pop().unwrap_or_else(working_memory);
            let outcome = work(&mut memory);
            lock(&gate.memories).push(memory);
            outcome
        })
        .await
        .map_err(|error| Error::general(format!("Password hashing failed: {error}")))
}

/// An argon2id hash of `password`, in PHC string form.
pub async fn hash_password(password: &str) -> Result<String> {
    let password = password.to_owned();
    blocking(move |memory| hash_now(&password, memory)).await?
}

/// True when `password` matches `hash` (argon2 or bcrypt).
pub async fn verify_password(password: &str, hash: &str) -> Result<bool> {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    blocking(move |memory| verify_now(&password, &hash, memory)).await
}

/// Spends the time of one verification, for a user that does not exist.
pub async fn verify_nobody(password: &str) -> Result<()> {
    let password = password.to_owned();
    blocking(move |memory| {
        verify_now(&password, dummy_hash(), memory);
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_hashes_verify_and_others_do_not() {
        let memory = &mut working_memory();
        let hash = hash_now("secret", memory).unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_now("secret", &hash, memory));
        assert!(!verify_now("Secret", &hash, memory));
        assert!(!verify_now("secret", "not a hash", memory));
    }

    #[test]
    fn hashes_made_here_and_by_the_argon2_crate_agree() {
        let memory = &mut working_memory();
        let ours = hash_now("secret", memory).unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"secret", &parsed)
                .is_ok()
        );
        // Another algorithm and more memory than the default, as a stored
        // hash may have.
        let params = Params::new(32 * 1024, 1, 1, None).unwrap();
        let theirs = Argon2::new(Algorithm::Argon2i, Version::V0x13, params)
            .hash_password(b"secret", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(verify_now("secret", &theirs, memory));
        assert!(!verify_now("other", &theirs, memory));
        assert!(
            verify_now("secret", &ours, memory),
            "the memory still serves"
        );
    }

    #[test]
    fn bcrypt_hashes_from_feathers_verify() {
        let hash = bcrypt::hash("secret", 4).unwrap();
        assert!(verify_now("secret", &hash, &mut working_memory()));
        assert!(!verify_now("other", &hash, &mut working_memory()));
    }

    #[tokio::test]
    async fn parallel_hashes_share_a_bounded_set_of_memories() {
        let hashes =
            (0..6).map(|n| tokio::spawn(async move { hash_password(&format!("pw{n}")).await }));
        for hash in hashes {
            let hash = hash.await.unwrap().unwrap();
            assert!(hash.starts_with("$argon2id$"), "{hash}");
        }
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        // Each memory is made while holding one of `cores` permits.
        let kept = lock(&gate().memories).len();
        assert!(
            (1..=cores).contains(&kept),
            "{kept} memories for {cores} cores"
        );
    }
}
