//! Logs that cost a request little (feature `logging`): a `tracing`
//! subscriber whose lines are written by a thread of their own, through a
//! bounded queue, so that a slow or stalled stdout never blocks a request
//! nor grows memory.
//!
//! A request's task formats its line (the access log's: method, path,
//! status, time) and hands it to the queue without waiting
//! (tracing-appender's non-blocking writer, lossy); the writer thread
//! writes what the queue holds through one buffer, in one system call
//! for many lines when they come fast, and flushes as soon as the queue
//! is empty, so that a line shows at once when they come slowly. When
//! the queue is full (at most [`Logging::buffered_lines`] lines: the
//! reader of stdout is not keeping up), lines are dropped, never waited
//! for, and counted: every [`Logging::report_every`] a warning says how
//! many were dropped, and [`LogGuard::dropped_lines`] tells the total.
//!
//! A line is what tracing-subscriber's default format writes (`2026-12-03T22:10:07.123456Z
//!  INFO target: message field=value ...`), byte for byte. Without colours
//! (stdout not a terminal, as in production) it is written by this
//! module's own formatter, which leaves out the default one's painting
//! of every piece with an empty style, formats integers without `fmt`
//! and keeps the date of the current second per thread: about 3,200
//! instructions for the access log's line instead of 9,000. With colours
//! the default format writes it.
//!
//! `RUST_LOG` filters as usual (`RUST_LOG=off` turns the logs off,
//! `RUST_LOG=warn` keeps warnings and errors); unset, the filter is
//! [`Logging::default_filter`] (`info`). Keep the guard for the life of
//! the process: dropping it writes what is still queued (waiting at most
//! about a second) and stops the writer.
//!
//! ```
//! # fn main() -> auth_core::Result<()> {
//! let _log = auth_core::config::logging::Logging::new().install()?;
//! tracing::info!("logged by the writer thread");
//! # Ok(()) }
//! ```

use std::io::{BufWriter, IsTerminal, Write};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use tracing::Dispatch;
use tracing_appender::non_blocking::{ErrorCounter, NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;

use crate::error::{Error, Result};

mod clock;
mod fields;
mod line;
#[cfg(test)]
mod same_bytes;

/// The queue's bound by default, in lines: about 3 MiB of access-log
/// lines (some 150 to 200 bytes each), a burst of a few tenths of a second
/// at full load on one core.
pub const DEFAULT_BUFFERED_LINES: usize = 16_384;

/// How often a count of dropped lines is logged by default.
pub const DEFAULT_REPORT_EVERY: Duration = Duration::from_secs(10);

/// The writer thread's buffer: many lines per system call under load.
const WRITE_BUFFER: usize = 64 * 1024;

/// How the logs are written: the filter when `RUST_LOG` is unset, the
/// queue's bound and how often drops are reported.
///
/// ```
/// use std::time::Duration;
/// use auth_core::config::logging::Logging;
///
/// let logging = Logging::new()
///     .default_filter("info,my_app=debug")
///     .buffered_lines(4096)
///     .report_every(Duration::from_secs(30));
/// # let _ = logging;
/// ```
#[derive(Debug, Clone)]
pub struct Logging {
    default_filter: String,
    buffered_lines: usize,
    report_every: Duration,
}

impl Default for Logging {
    fn default() -> Self {
        Logging::new()
    }
}

impl Logging {
    /// `info` unless `RUST_LOG` says otherwise, [`DEFAULT_BUFFERED_LINES`]
    /// and [`DEFAULT_REPORT_EVERY`].
    #[must_use]
    pub fn new() -> Logging {
        Logging {
            default_filter: "info".to_owned(),
            buffered_lines: DEFAULT_BUFFERED_LINES,
            report_every: DEFAULT_REPORT_EVERY,
        }
    }

    /// The filter (`EnvFilter` directives) used when `RUST_LOG` is unset
    /// or not a filter.
    #[must_use]
    pub fn default_filter(mut self, directives: &str) -> Logging {
        directives.clone_into(&mut self.default_filter);
        self
    }

    /// At most this many lines wait for the writer (at least 1); past it,
    /// lines are dropped and counted.
    #[must_use]
    pub fn buffered_lines(mut self, lines: usize) -> Logging {
        self.buffered_lines = lines.max(1);
        self
    }

    /// How often a warning counts the lines dropped since the last one
    /// (none when none were).
    #[must_use]
    pub fn report_every(mut self, every: Duration) -> Logging {
        self.report_every = every;
        self
    }

    /// Logs to stdout (in color when it is a terminal) for the rest of the
    /// process: the global `tracing` subscriber.
    ///
    /// # Errors
    ///
    /// `GeneralError` when a global subscriber is already set.
    pub fn install(self) -> Result<LogGuard> {
        let ansi = std::io::stdout().is_terminal();
        self.install_writer(std::io::stdout(), ansi)
    }

    /// Logs to `writer` (with ANSI colors if `ansi`) for the rest of the
    /// process: the global `tracing` subscriber.
    ///
    /// # Errors
    ///
    /// `GeneralError` when a global subscriber is already set.
    pub fn install_writer<W: Write + Send + 'static>(
        self,
        writer: W,
        ansi: bool,
    ) -> Result<LogGuard> {
        let (dispatch, guard) = self.dispatch(writer, ansi);
        tracing::dispatcher::set_global_default(dispatch)
            .map_err(|error| Error::general(format!("The logs are already set up: {error}")))?;
        Ok(guard)
    }

    /// The subscriber writing to `writer`, not installed (for
    /// `tracing::dispatcher::with_default`), and its guard.
    pub fn dispatch<W: Write + Send + 'static>(
        self,
        writer: W,
        ansi: bool,
    ) -> (Dispatch, LogGuard) {
        let (lines, worker) = NonBlockingBuilder::default()
            .lossy(true)
            .buffered_lines_limit(self.buffered_lines)
            .thread_name("log writer")
            .finish(BufWriter::with_capacity(WRITE_BUFFER, writer));
        let dropped = lines.error_counter();
        let filter = EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| EnvFilter::new(&self.default_filter));
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(lines)
            .with_ansi(ansi)
            .event_format(line::PlainLine::new(clock::UtcMicros))
            .fmt_fields(fields::PlainFields)
            .finish();
        let dispatch = Dispatch::new(subscriber);
        let reporter = Reporter::start(dispatch.clone(), dropped.clone(), self.report_every);
        (
            dispatch,
            LogGuard {
                reporter: Some(reporter),
                dropped,
                _worker: worker,
            },
        )
    }
}

/// Keeps the writer thread of [`Logging`]; dropping it reports the lines
/// dropped since the last report, writes what is still queued (waiting at
/// most about a second for a stalled writer) and stops the thread.
#[must_use = "dropping the guard stops the log writer"]
pub struct LogGuard {
    reporter: Option<Reporter>,
    dropped: ErrorCounter,
    // Dropped after `drop` has stopped the reporter: flushes, then stops.
    _worker: WorkerGuard,
}

impl LogGuard {
    /// How many lines were dropped so far because the queue was full.
    #[must_use]
    pub fn dropped_lines(&self) -> usize {
        self.dropped.dropped_lines()
    }
}

impl std::fmt::Debug for LogGuard {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("LogGuard")
            .field("dropped_lines", &self.dropped_lines())
            .finish_non_exhaustive()
    }
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        if let Some(reporter) = self.reporter.take() {
            reporter.stop();
        }
    }
}

/// The thread that logs how many lines were dropped, every `every`.
struct Reporter {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

impl Reporter {
    fn start(dispatch: Dispatch, dropped: ErrorCounter, every: Duration) -> Reporter {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let stopped = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("log drops".to_owned())
            .spawn(move || {
                let mut reported = 0;
                loop {
                    let (flag, wake) = &*stopped;
                    let guard = crate::sync::lock(flag);
                    let (guard, _) = wake
                        .wait_timeout_while(guard, every, |stop| !*stop)
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    let stop = *guard;
                    drop(guard);
                    reported = report(&dispatch, &dropped, reported);
                    if stop {
                        break;
                    }
                }
            })
            .ok();
        Reporter { stop, thread }
    }

    fn stop(mut self) {
        let (flag, wake) = &*self.stop;
        *crate::sync::lock(flag) = true;
        wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Logs the lines dropped since `reported` (if any); the new total.
fn report(dispatch: &Dispatch, dropped: &ErrorCounter, reported: usize) -> usize {
    let total = dropped.dropped_lines();
    if total > reported {
        tracing::dispatcher::with_default(dispatch, || {
            tracing::warn!(
                dropped = total - reported,
                total,
                "log lines dropped: the log's reader is not keeping up"
            );
        });
    }
    total
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;

    /// A writer that sends what it gets, line by line.
    struct Lines(mpsc::Sender<String>);

    impl Write for Lines {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            for line in String::from_utf8_lossy(bytes).lines() {
                let _ = self.0.send(line.to_owned());
            }
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_line_is_written_at_once_and_the_filter_applies() {
        let (sender, lines) = mpsc::channel();
        let (dispatch, guard) = Logging::new()
            .default_filter("info")
            .dispatch(Lines(sender), false);
        tracing::dispatcher::with_default(&dispatch, || {
            tracing::debug!("not shown");
            tracing::info!(status = 200, "shown");
        });
        // Flushed as soon as the queue is empty, without dropping the guard.
        let line = lines.recv_timeout(Duration::from_secs(10)).unwrap();
        assert!(
            line.contains("INFO") && line.contains("shown status=200"),
            "{line}"
        );
        assert!(!line.contains('\u{1b}'), "no colors: {line}");
        assert_eq!(guard.dropped_lines(), 0);
        drop(guard);
        assert!(lines.try_iter().all(|line| !line.contains("not shown")));
    }

    /// A writer that blocks until told to go on.
    struct Stalled(Arc<(Mutex<bool>, Condvar)>);

    impl Write for Stalled {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            let (flag, wake) = &*self.0;
            let guard = crate::sync::lock(flag);
            let _guard = wake
                .wait_while(guard, |stalled| *stalled)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.write(&[]).map(|_| ())
        }
    }

    #[test]
    fn a_stalled_writer_drops_and_counts_lines_and_blocks_nobody() {
        let stall = Arc::new((Mutex::new(true), Condvar::new()));
        let (dispatch, guard) = Logging::new()
            .buffered_lines(8)
            .report_every(Duration::from_secs(3600))
            .dispatch(Stalled(Arc::clone(&stall)), false);
        tracing::dispatcher::with_default(&dispatch, || {
            for line in 0..10_000 {
                tracing::info!(line, "a line");
            }
        });
        // What waits is at most the queue's 8 lines, the writer thread's
        // buffer (64 KiB: fewer than 1,100 of these lines of more than 60
        // bytes) and the line being written: the rest were dropped.
        let dropped = guard.dropped_lines();
        assert!(
            (10_000 - 8 - 1_100 - 1..10_000).contains(&dropped),
            "{dropped}"
        );
        *crate::sync::lock(&stall.0) = false;
        stall.1.notify_all();
    }
}
