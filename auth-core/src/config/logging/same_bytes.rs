//! The lines of [`super::Logging`]'s subscriber are byte for byte those
//! of tracing-subscriber's default format: every kind of field, escapes,
//! spans, errors, with colours and without.

use std::fmt;
use std::io;
use std::sync::{Arc, Mutex};

use tracing_subscriber::fmt::format::{DefaultFields, Format, Writer};
use tracing_subscriber::fmt::{FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::registry::Registry;

use super::fields::PlainFields;
use super::line::PlainLine;

/// Everything written, shared.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

#[derive(Debug)]
struct Failure(Option<io::Error>);

impl fmt::Display for Failure {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("it failed\x1b[0m")
    }
}

impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.as_ref().map(|error| error as _)
    }
}

/// Events of every kind of field, some in spans.
fn events() {
    tracing::info!(
        method = %"GET",
        uri = %"/messages/1",
        latency = %format_args!("{} ms", 3),
        status = 200_u16,
        "request"
    );
    tracing::info!("escapes: \x1b[31m red \u{9b} \u{85} \u{a0} é \x07\x08\x0c\x7f end");
    tracing::info!("only C1: \u{9b}31m and \u{85}");
    tracing::info!("only a bell: \x07");
    tracing::info!("formatted {} and {:?}", 5, "quoted");
    tracing::info!(message = "a message given as a str \x1b", extra = -7_i64);
    tracing::info!(
        text = "quoted \"x\"\n",
        yes = true,
        ratio = 0.5_f64,
        big = u128::MAX
    );
    tracing::info!(r#type = "raw", count = 0_u64, "raw name");
    tracing::info!(log.target = "from log", after = 1, "log fields");
    tracing::info!(log.target = "from log");
    tracing::info!(after = 1, log.line = 3_u64);
    tracing::warn!(only = 1, fields = 2);
    tracing::info!(message = 42_u64, other = 1);
    let error = Failure(Some(io::Error::other("the cause \x1b")));
    tracing::error!(error = &error as &dyn std::error::Error, "failed");
    let plain = Failure(None);
    tracing::error!(first = 1, error = &plain as &dyn std::error::Error);
    let span = tracing::info_span!("outer", id = 5, name = "t\x1b");
    let _outer = span.enter();
    let inner = tracing::info_span!(
        "inner",
        r#ref = %"r",
        log.file = "x.rs",
        later = tracing::field::Empty
    );
    inner.record("later", 6);
    let _inner = inner.enter();
    tracing::info!(status = 404_u16, "in spans");
}

/// A time that is the same on every line.
fn fixed_time(writer: &mut Writer<'_>) -> fmt::Result {
    writer.write_str("2026-12-03T22:10:07.123456Z")
}

/// What `events` writes through a subscriber with the event format
/// `format` and the field formatter `fields`, with or without colours.
fn written<E, F>(format: E, fields: F, ansi: bool) -> String
where
    E: FormatEvent<Registry, F> + Send + Sync + 'static,
    F: for<'writer> FormatFields<'writer> + Send + Sync + 'static,
{
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_ansi(ansi)
        .fmt_fields(fields)
        .event_format(format)
        .finish();
    tracing::subscriber::with_default(subscriber, events);
    let bytes = captured.0.lock().unwrap().clone();
    String::from_utf8(bytes).unwrap()
}

type Timer = fn(&mut Writer<'_>) -> fmt::Result;

/// Ours: `PlainLine` and `PlainFields`.
fn ours(ansi: bool) -> String {
    written(PlainLine::new(fixed_time as Timer), PlainFields, ansi)
}

/// tracing-subscriber's: `Full` and `DefaultFields`.
fn theirs(ansi: bool) -> String {
    written(
        Format::default().with_timer(fixed_time as Timer),
        DefaultFields::new(),
        ansi,
    )
}

#[test]
fn the_lines_are_the_default_formats_byte_for_byte() {
    let ours = ours(false);
    assert_eq!(ours, theirs(false));
    assert!(
        ours.starts_with(
            "2026-12-03T22:10:07.123456Z  INFO auth_core::config::logging::same_bytes: request \
             method=GET uri=/messages/1 latency=3 ms status=200\n"
        ),
        "{ours}"
    );
    assert!(ours.contains("\\x1b[31m red \\u{9b} \\u{85}"), "{ours}");
    assert!(ours.contains("only C1: \\u{9b}31m and \\u{85}"), "{ours}");
    assert!(ours.contains(" WARN "), "{ours}");
    assert!(ours.contains("ERROR "), "{ours}");
    assert!(
        ours.contains("outer{id=5 name=\"t\\u{1b}\"}:inner{ref=r log.file=\"x.rs\" later=6}: "),
        "{ours}"
    );
    assert_eq!(ours.lines().count(), 16, "{ours}");
}

#[test]
fn the_fields_alone_are_the_default_formatters() {
    let without_time = |fields_are_ours: bool| {
        let format = Format::default().without_time();
        if fields_are_ours {
            written(format, PlainFields, false)
        } else {
            written(format, DefaultFields::new(), false)
        }
    };
    assert_eq!(without_time(true), without_time(false));
}

#[test]
fn with_colours_the_default_format_writes_them() {
    let ours = ours(true);
    assert!(ours.contains('\u{1b}'), "{ours}");
    assert_eq!(ours, theirs(true));
}
