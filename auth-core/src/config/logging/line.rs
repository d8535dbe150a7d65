//! A log line as tracing-subscriber's default (`Full`) format writes it
//! without colours, written piece by piece rather than through `fmt`'s
//! `write!` and a painting style per piece.
//!
//! `Full` writes the time, the level, the spans (with their fields), the
//! target and the fields; with colours off, its styles write nothing but
//! still cost a formatting call each (the target alone some 550
//! instructions). [`PlainLine`] writes the same bytes with `write_str`.
//! With colours on, and for events that came from the `log` crate (whose
//! metadata tracing-subscriber rewrites when its `tracing-log` feature is
//! on), it hands the event to `Full` itself.

use std::fmt;

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::{Format, Full, Writer};
use tracing_subscriber::fmt::time::FormatTime;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

/// The event format of [`super::Logging`]'s subscriber: `Full`'s line,
/// with the time as `timer` writes it.
#[derive(Debug, Clone)]
pub(crate) struct PlainLine<T> {
    timer: T,
    full: Format<Full, T>,
}

impl<T: FormatTime + Clone> PlainLine<T> {
    /// The line with the time as `timer` writes it.
    pub(crate) fn new(timer: T) -> PlainLine<T> {
        PlainLine {
            full: Format::default().with_timer(timer.clone()),
            timer,
        }
    }
}

/// The level as `Full` writes it without colours: five characters.
fn level(level: Level) -> &'static str {
    match level {
        Level::TRACE => "TRACE",
        Level::DEBUG => "DEBUG",
        Level::INFO => " INFO",
        Level::WARN => " WARN",
        Level::ERROR => "ERROR",
    }
}

impl<S, N, T> FormatEvent<S, N> for PlainLine<T>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    T: FormatTime,
{
    fn format_event(
        &self,
        context: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let metadata = event.metadata();
        if writer.has_ansi_escapes() || metadata.fields().field("log.target").is_some() {
            return self.full.format_event(context, writer, event);
        }
        if self.timer.format_time(&mut writer).is_err() {
            writer.write_str("<unknown time>")?;
        }
        writer.write_char(' ')?;
        writer.write_str(level(*metadata.level()))?;
        writer.write_char(' ')?;
        if let Some(scope) = context.event_scope() {
            let mut seen = false;
            for span in scope.from_root() {
                seen = true;
                writer.write_str(span.metadata().name())?;
                let extensions = span.extensions();
                if let Some(fields) = extensions.get::<FormattedFields<N>>() {
                    if !fields.is_empty() {
                        writer.write_char('{')?;
                        writer.write_str(fields)?;
                        writer.write_char('}')?;
                    }
                }
                writer.write_char(':')?;
            }
            if seen {
                writer.write_char(' ')?;
            }
        }
        writer.write_str(metadata.target())?;
        writer.write_str(": ")?;
        context.format_fields(writer.by_ref(), event)?;
        writer.write_char('\n')
    }
}
