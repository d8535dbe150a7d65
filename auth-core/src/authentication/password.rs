//! Password hashes: argon2id for new hashes (OWASP's minimum parameters:
//! 19 MiB, 2 iterations, 1 lane), and verification of argon2 and bcrypt
//! hashes, so that users moved from a Feathers app keep their passwords.
//!
//! Hashing is slow on purpose, so it runs on tokio's blocking pool when a
//! runtime is there, never on the thread serving other requests. It is also
//! bounded: at most one hash per core at a time, each in one of as many
//! working memories of 19 MiB kept for reuse, so a burst of logins neither
//! takes every core nor grows the heap.
//!
//! The hashes waiting their turn are queued per client (the caller's IP
//! address, [`PeerAddr`](crate::PeerAddr)) and served round-robin across
//! clients, so a client flooding the server with logins waits behind its
//! own hashes, not in front of everyone else's: another client's login
//! waits for about one hash per client ahead of it. A client has at most
//! [`MAX_WAITING_PER_CLIENT`] hashes waiting; beyond that its calls are
//! refused at once with `429 TooManyRequests`, and beyond
//! [`MAX_WAITING`] hashes waiting in all, with `503 Unavailable`. The
//! server's own (internal) calls share one queue that is never refused.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Mutex, OnceLock};

use argon2::password_hash::errors::Error as HashError;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{
    Decimal, Ident, Output, ParamsString, PasswordHash, PasswordHasher, PasswordVerifier, Salt,
    SaltString,
};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::oneshot;

use crate::error::{Error, Result};
use crate::sync::lock;

/// How many hashes one client may have waiting for a core; more are
/// refused with `429 TooManyRequests`.
pub const MAX_WAITING_PER_CLIENT: usize = 8;

/// How many hashes may wait for a core in all; more are refused with
/// `503 Unavailable`.
pub const MAX_WAITING: usize = 1024;

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

/// Who a hash is for: the client's IP address, or `None` for the server's
/// own calls.
type Client = Option<IpAddr>;

/// The hashes waiting for a core, by client, and whose turn is next.
#[derive(Default)]
struct Queue {
    /// Hashes running now (at most one per core).
    running: usize,
    /// Each client's waiting hashes, oldest first.
    waiting: HashMap<Client, VecDeque<oneshot::Sender<Permit>>>,
    /// The clients with hashes waiting, in turn order.
    turns: VecDeque<Client>,
    /// How many hashes wait in all.
    total: usize,
}

/// The hashing gate: one permit per core handed out fairly, and the
/// working memories of the hashes that ran, kept for the next ones.
struct Gate {
    cores: usize,
    queue: Mutex<Queue>,
    memories: Mutex<Vec<Vec<Block>>>,
}

fn gate() -> &'static Gate {
    static GATE: OnceLock<Gate> = OnceLock::new();
    GATE.get_or_init(|| Gate::new(std::thread::available_parallelism().map_or(1, usize::from)))
}

/// The right to run one hash now; dropping it hands it to the next
/// client in turn.
struct Permit(&'static Gate);

impl Drop for Permit {
    fn drop(&mut self) {
        self.0.release();
    }
}

impl Gate {
    fn new(cores: usize) -> Gate {
        Gate {
            cores,
            queue: Mutex::new(Queue::default()),
            memories: Mutex::new(Vec::with_capacity(cores)),
        }
    }

    /// A permit for `client`: at once when a core is free and nobody
    /// waits, else in the client's turn; refused when the client (or
    /// everyone) has too many hashes waiting.
    async fn acquire(&'static self, client: Client) -> Result<Permit> {
        let receiver = {
            let mut queue = lock(&self.queue);
            if queue.running < self.cores && queue.total == 0 {
                queue.running += 1;
                return Ok(Permit(self));
            }
            let waiting = queue.waiting.entry(client).or_default();
            // Callers that stopped waiting (a closed connection) no longer count.
            let before = waiting.len();
            waiting.retain(|sender| !sender.is_closed());
            let gone = before - waiting.len();
            let mine = waiting.len();
            queue.total -= gone;
            let refusal = match client {
                None => None,
                Some(_) if mine >= MAX_WAITING_PER_CLIENT => Some(
                    Error::too_many_requests(
                        "Too many logins in progress from this client: try again later",
                    )
                    .with_data(serde_json::json!({ "retryAfter": 1 })),
                ),
                Some(_) if queue.total >= MAX_WAITING => Some(Error::unavailable(
                    "The server is busy checking passwords: try again later",
                )),
                Some(_) => None,
            };
            if let Some(refusal) = refusal {
                if mine == 0 {
                    queue.waiting.remove(&client);
                }
                return Err(refusal);
            }
            let (sender, receiver) = oneshot::channel();
            if let Some(waiting) = queue.waiting.get_mut(&client) {
                waiting.push_back(sender);
            }
            if mine == 0 && !queue.turns.contains(&client) {
                queue.turns.push_back(client);
            }
            queue.total += 1;
            receiver
        };
        receiver
            .await
            .map_err(|error| Error::general(format!("Password hashing is closed: {error}")))
    }

    /// A hash is done: its core goes to the oldest hash of the next client
    /// in turn, which goes to the back of the turns if it has more.
    fn release(&'static self) {
        let mut queue = lock(&self.queue);
        while let Some(client) = queue.turns.pop_front() {
            let Some(waiting) = queue.waiting.get_mut(&client) else {
                continue;
            };
            let next = waiting.pop_front();
            let more = !waiting.is_empty();
            if more {
                queue.turns.push_back(client);
            } else {
                queue.waiting.remove(&client);
            }
            let Some(next) = next else {
                continue;
            };
            queue.total -= 1;
            match next.send(Permit(self)) {
                Ok(()) => return,
                // That caller stopped waiting: the permit (handed back,
                // not dropped, which would release again) goes on.
                Err(permit) => std::mem::forget(permit),
            }
        }
        queue.running -= 1;
    }
}

/// Runs `work` for `client` with a working memory on the blocking pool,
/// once it has a permit; without a runtime, here and now.
async fn blocking<T: Send + 'static>(
    client: Client,
    work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
) -> Result<T> {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return Ok(work(&mut working_memory()));
    };
    let gate = gate();
    let permit = gate.acquire(client).await?;
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

/// An argon2id hash of `password`, in PHC string form, as the server's
/// own work (never refused; see [`hash_password_for`]).
pub async fn hash_password(password: &str) -> Result<String> {
    hash_password_for(None, password).await
}

/// An argon2id hash of `password` for `client` (the caller's IP address),
/// queued fairly among clients (see the [module](self) documentation).
pub async fn hash_password_for(client: Option<IpAddr>, password: &str) -> Result<String> {
    let password = password.to_owned();
    blocking(client, move |memory| hash_now(&password, memory)).await?
}

/// True when `password` matches `hash` (argon2 or bcrypt), as the
/// server's own work (never refused; see [`verify_password_for`]).
pub async fn verify_password(password: &str, hash: &str) -> Result<bool> {
    verify_password_for(None, password, hash).await
}

/// True when `password` matches `hash` (argon2 or bcrypt), checked for
/// `client`, queued fairly among clients.
pub async fn verify_password_for(
    client: Option<IpAddr>,
    password: &str,
    hash: &str,
) -> Result<bool> {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    blocking(client, move |memory| verify_now(&password, &hash, memory)).await
}

/// Spends the time of one verification, for a user that does not exist.
pub async fn verify_nobody(password: &str) -> Result<()> {
    verify_nobody_for(None, password).await
}

/// Spends the time of one verification for `client`, for a user that
/// does not exist, queued as [`verify_password_for`] is.
pub async fn verify_nobody_for(client: Option<IpAddr>, password: &str) -> Result<()> {
    let password = password.to_owned();
    blocking(client, move |memory| {
        verify_now(&password, dummy_hash(), memory);
    })
    .await
}

/// The client a call's hash is for: the peer's IP address of an external
/// call, `None` for the server's own calls.
pub(crate) fn client_of(params: &crate::params::Params) -> Option<IpAddr> {
    if !params.is_external() {
        return None;
    }
    params
        .extensions
        .get::<crate::params::PeerAddr>()
        .map(|peer| peer.0.ip())
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

    /// The order in which waiting clients get a one-core gate.
    #[tokio::test]
    async fn clients_take_turns_and_a_flooding_client_is_capped() {
        let gate: &'static Gate = Box::leak(Box::new(Gate::new(1)));
        let flooder = Some(IpAddr::from([192, 0, 2, 1]));
        let other = Some(IpAddr::from([192, 0, 2, 2]));
        let first = gate.acquire(flooder).await.unwrap();
        let order = std::sync::Arc::new(Mutex::new(Vec::new()));
        let mut waiting = Vec::new();
        let mut enqueue = |client: Option<IpAddr>, label: &'static str| {
            let order = order.clone();
            waiting.push(tokio::spawn(async move {
                let permit = gate.acquire(client).await;
                lock(&order).push(label);
                // Held a moment, as a hash is.
                tokio::task::yield_now().await;
                drop(permit);
            }));
        };
        for _ in 0..MAX_WAITING_PER_CLIENT {
            enqueue(flooder, "flood");
        }
        // Let them queue, then the other client comes last.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        enqueue(other, "other");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        // The flooder's next one is refused at once; the server's own never.
        let refused = gate.acquire(flooder).await.err().unwrap();
        assert_eq!(refused.code(), 429);
        let internal = tokio::spawn(async move { gate.acquire(None).await.map(drop) });
        drop(first);
        for task in waiting {
            task.await.unwrap();
        }
        internal.await.unwrap().unwrap();
        let order = lock(&order).clone();
        // One of the flooder's, then the other client's turn.
        assert_eq!(order[..2], ["flood", "other"], "{order:?}");
        assert_eq!(order.len(), MAX_WAITING_PER_CLIENT + 1);
        let queue = lock(&gate.queue);
        assert_eq!((queue.running, queue.total, queue.turns.len()), (0, 0, 0));
        assert!(queue.waiting.is_empty());
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
