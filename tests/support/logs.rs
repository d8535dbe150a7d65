//! What a test binary's `tracing` events print, kept in memory for its
//! tests to read ([`Logged`]).

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

/// What the `tracing` events of this test binary print: one subscriber
/// for the process, as `tracing` caches per call site whether anybody
/// listens, so a subscriber of one test's thread misses the lines whose
/// call site another test's thread reached first. A test reads the lines
/// naming its own server (its URL, its port).
#[derive(Clone, Default)]
pub struct Logged(Arc<Mutex<Vec<u8>>>);

impl Write for Logged {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logged {
    /// The process's log (`INFO` and above, without colours), captured
    /// from the first call on.
    pub fn capture() -> &'static Logged {
        static LOG: OnceLock<Logged> = OnceLock::new();
        LOG.get_or_init(|| {
            let log = Logged::default();
            let writer = log.clone();
            let _ = tracing::subscriber::set_global_default(
                tracing_subscriber::fmt()
                    .with_writer(move || writer.clone())
                    .with_ansi(false)
                    .finish(),
            );
            log
        })
    }

    /// The lines holding `needle`, in order, joined by newlines.
    pub fn lines_with(&self, needle: &str) -> String {
        String::from_utf8_lossy(
            &self
                .0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
        .lines()
        .filter(|line| line.contains(needle))
        .collect::<Vec<_>>()
        .join("\n")
    }
}
