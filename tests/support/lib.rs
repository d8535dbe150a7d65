//! Helpers shared by the integration tests: hooks that record what runs,
//! a service that records its method calls, a table-driven HTTP harness
//! ([`http_cases`]), fresh SQLite databases ([`sqlite`]), and fresh
//! schemas on a PostgreSQL server, or a clear skip without one
//! ([`postgres`]), and Redis servers for the event sync, or a clear skip
//! without one ([`redis`]), a Socket.IO client ([`socketio`]), a
//! kept-alive HTTP connection ([`keep_alive`]), and the process's log
//! kept for the tests to read ([`logs`]).

pub mod http_cases;
pub mod keep_alive;
pub mod logs;
pub mod postgres;
pub mod redis;
pub mod socketio;
pub mod sqlite;

use std::sync::{Arc, Mutex};

use auth_core::authentication::{JwtOptions, TokenOptions, Tokens};
use auth_core::prelude::*;
use serde_json::{Map, Value, json};

/// An access token for `sub`, signed with `secret` and `options`, living
/// `expires_in` seconds (the default lifetime when `None`).
pub fn sign(secret: &str, options: &JwtOptions, sub: &str, expires_in: Option<u64>) -> String {
    Tokens::new(secret, options)
        .unwrap()
        .create(
            Map::new(),
            &TokenOptions {
                subject: Some(sub.to_owned()),
                expires_in,
            },
        )
        .unwrap()
}

/// The sequence of hook and method labels a call went through.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    /// An empty log.
    pub fn new() -> Log {
        Log::default()
    }

    /// Appends a label.
    pub fn push(&self, label: impl Into<String>) {
        self.0.lock().unwrap().push(label.into());
    }

    /// Takes every label recorded so far.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// What a [`Step`] hook does besides recording its label.
#[derive(Clone)]
pub enum Action {
    /// Nothing else.
    Record,
    /// Sets the call's result to this JSON.
    SetResult(Value),
    /// Fails with this error.
    Fail(Error),
    /// Replaces the context's error with this one.
    ReplaceError(Error),
    /// Records the error it sees, as `label saw <message>`.
    RecordError,
}

/// A before, after or error hook that records its label and does its action.
/// It works at app level and service level alike.
#[derive(Clone)]
pub struct Step {
    label: String,
    log: Log,
    action: Action,
}

impl Step {
    /// A hook recording `label` into `log` and doing `action`.
    pub fn new(log: &Log, label: &str, action: Action) -> Step {
        Step {
            label: label.to_owned(),
            log: log.clone(),
            action,
        }
    }

    /// A hook that only records `label`.
    pub fn record(log: &Log, label: &str) -> Step {
        Step::new(log, label, Action::Record)
    }
}

impl<C: AnyContext + ?Sized> Hook<C> for Step {
    async fn run(&self, ctx: &mut C) -> Result<()> {
        self.log.push(self.label.clone());
        match &self.action {
            Action::Record => Ok(()),
            Action::SetResult(value) => ctx.set_result_json(Some(value.clone())),
            Action::Fail(error) => Err(error.clone()),
            Action::ReplaceError(error) => {
                *ctx.error_mut() = Some(error.clone());
                Ok(())
            }
            Action::RecordError => {
                let seen = ctx.error().map(|error| error.message().to_owned());
                self.log
                    .push(format!("{} saw {}", self.label, seen.unwrap_or_default()));
                Ok(())
            }
        }
    }
}

/// An around hook recording `label:pre` before the rest of the chain and
/// `label:post` after it (not when the rest fails, as in Feathers).
#[derive(Clone)]
pub struct Around {
    label: String,
    log: Log,
}

impl Around {
    /// An around hook recording `label:pre` and `label:post` into `log`.
    pub fn new(log: &Log, label: &str) -> Around {
        Around {
            label: label.to_owned(),
            log: log.clone(),
        }
    }
}

impl<C: AnyContext + ?Sized> AroundHook<C> for Around {
    async fn run(&self, ctx: &mut C, next: Next<'_, C>) -> Result<()> {
        self.log.push(format!("{}:pre", self.label));
        next.run(ctx).await?;
        self.log.push(format!("{}:post", self.label));
        Ok(())
    }
}

/// A service whose `get` records `method` and answers `{"id": id}`, or
/// fails with `GeneralError: boom` for the id `"fail"`; its other methods
/// echo their input the same way.
pub struct Recorded {
    /// Where `method` is recorded.
    pub log: Log,
}

impl Recorded {
    fn answer(&self, id: Option<&Id>, data: Value) -> Result<Value> {
        self.log.push("method");
        match id {
            Some(Id::String(text)) if text == "fail" => Err(Error::general("boom")),
            Some(id) => Ok(json!({ "id": id.to_json(), "data": data })),
            None => Ok(json!({ "data": data })),
        }
    }
}

impl Service for Recorded {
    type Item = Value;
    type Data = Value;
    type Patch = Value;
    const CUSTOM_METHODS: &'static [&'static str] = &["shout"];

    async fn find(&self, _params: &Params) -> Result<Found<Value>> {
        self.answer(None, Value::Null)
            .map(|one| Found::All(vec![one]))
    }
    async fn get(&self, id: &Id, _params: &Params) -> Result<Value> {
        self.answer(Some(id), Value::Null)
    }
    async fn create(&self, data: Value, _params: &Params) -> Result<Value> {
        self.answer(None, data)
    }
    async fn update(&self, id: &Id, data: Value, _params: &Params) -> Result<Value> {
        self.answer(Some(id), data)
    }
    async fn patch(&self, id: &Id, data: Value, _params: &Params) -> Result<Value> {
        self.answer(Some(id), data)
    }
    async fn remove(&self, id: &Id, _params: &Params) -> Result<Value> {
        self.answer(Some(id), Value::Null)
    }
    async fn custom(&self, method: &str, data: Value, _params: &Params) -> Result<Value> {
        self.log.push("method");
        Ok(json!({ "method": method, "data": data }))
    }
}

/// An app with `Recorded` registered at `things`, sharing `log`.
pub fn recorded_app(log: &Log) -> App {
    App::new().register("things", Recorded { log: log.clone() })
}

/// The typed handle on the `Recorded` service of [`recorded_app`].
pub fn things(app: &App) -> ServiceHandle<Recorded> {
    app.service::<Recorded>("things")
}

thread_local! {
    static THREAD_LOG: Log = Log::new();
}

/// The log of the current thread: hooks written as expressions in
/// `#[hooks(..)]` record here (each `#[tokio::test]` runs on its own thread).
pub fn thread_log() -> Log {
    THREAD_LOG.with(Log::clone)
}

/// A before/after/error hook recording `label` in the [`thread_log`].
pub fn mark(label: &str) -> Step {
    Step::record(&thread_log(), label)
}

/// A hook recording `label` in the [`thread_log`] and doing `action`.
pub fn act(label: &str, action: Action) -> Step {
    Step::new(&thread_log(), label, action)
}

/// An around hook recording `label:pre`/`label:post` in the [`thread_log`].
pub fn wrap(label: &str) -> Around {
    Around::new(&thread_log(), label)
}

/// Unpadded base64url, to read and forge JWT segments by hand in tests.
pub mod base64url {
    const BASE64URL: &[u8; 64] =
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// Unpadded base64url, as JWT segments are written.
    pub fn encode(bytes: &[u8]) -> String {
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
            let bits = (byte(0) << 16) | (byte(1) << 8) | byte(2);
            for i in 0..=chunk.len() {
                out.push(char::from(
                    BASE64URL[((bits >> (18 - 6 * i)) & 63) as usize],
                ));
            }
        }
        out
    }

    /// Unpadded base64url; `None` for a character outside the alphabet.
    pub fn decode(text: &str) -> Option<Vec<u8>> {
        let (mut bits, mut count, mut out) = (0u32, 0u32, Vec::new());
        for c in text.bytes() {
            let value = BASE64URL.iter().position(|&b| b == c)? as u32;
            bits = (bits << 6) | value;
            count += 6;
            if count >= 8 {
                count -= 8;
                out.push((bits >> count) as u8);
                bits &= (1 << count) - 1;
            }
        }
        Some(out)
    }
}

/// A fresh path named `name` in this test process's scratch directory
/// (`<temp>/auth-hooks-tests/<pid>/`), for databases that must outlive an
/// app but not the test run. Directories of earlier runs whose process has
/// exited are removed the first time, so runs leave no files behind.
pub fn scratch_file(name: &str) -> std::path::PathBuf {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = DIR.get_or_init(|| {
        let root = std::env::temp_dir().join("auth-hooks-tests");
        // Whether a process is alive is read from /proc: without it (not
        // Linux), nothing is removed rather than a running test's files.
        if std::path::Path::new("/proc/self").exists() {
            for entry in std::fs::read_dir(&root).into_iter().flatten().flatten() {
                let name = entry.file_name();
                let pid = name.to_str().and_then(|name| name.parse::<u32>().ok());
                if pid.is_some_and(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists()) {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        let dir = root.join(std::process::id().to_string());
        std::fs::create_dir_all(&dir).expect("a scratch directory in the temporary directory");
        dir
    });
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    dir.join(format!("{n}-{name}"))
}
