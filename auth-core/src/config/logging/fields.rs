//! The fields of a log line, written as tracing-subscriber's default
//! formatter writes them without colours, at a fraction of its cost.
//!
//! The default formatter paints every field's name and its `=` even when
//! colours are off (a style that writes nothing, some 300 instructions a
//! field), formats integers through `Debug` and sends the message through
//! its escaping writer character by character. [`PlainFields`] writes
//! the same bytes directly: a name, `=`, the value's `Debug`; integers
//! through `itoa`; the message escaped (the same escapes) only when it
//! holds a character that needs it. With colours on, and for the rare
//! fields whose handling is the default formatter's own business (errors,
//! `log.` fields), it hands over to tracing-subscriber's `DefaultVisitor`,
//! so the line stays what it would have been byte for byte.

use std::fmt::{self, Write};

use tracing::field::{Field, Visit};
use tracing_subscriber::field::{RecordFields, VisitOutput};
use tracing_subscriber::fmt::FormatFields;
use tracing_subscriber::fmt::format::{DefaultFields, DefaultVisitor, Writer};

/// The field formatter of [`super::Logging`]'s subscriber: the default
/// formatter's output, without its per-field painting when colours are
/// off.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct PlainFields;

impl<'writer> FormatFields<'writer> for PlainFields {
    fn format_fields<R: RecordFields>(&self, writer: Writer<'writer>, fields: R) -> fmt::Result {
        if writer.has_ansi_escapes() {
            return DefaultFields::new().format_fields(writer, fields);
        }
        let mut visitor = PlainVisitor {
            writer,
            is_empty: true,
            result: Ok(()),
        };
        fields.record(&mut visitor);
        visitor.result
    }
}

/// Writes fields as `name=value`, separated by spaces, the message as it
/// is (escaped), first.
struct PlainVisitor<'writer> {
    writer: Writer<'writer>,
    is_empty: bool,
    result: fmt::Result,
}

impl PlainVisitor<'_> {
    /// A space before every field but the first.
    fn pad(&mut self) {
        if self.is_empty {
            self.is_empty = false;
        } else {
            self.result = self.writer.write_char(' ');
        }
    }

    /// `name=`, a raw identifier's `r#` left out.
    fn name(&mut self, field: &Field) -> fmt::Result {
        let name = field.name();
        self.writer
            .write_str(name.strip_prefix("r#").unwrap_or(name))?;
        self.writer.write_char('=')
    }

    /// The message, escaped if the writer sanitizes.
    fn message(&mut self, value: &dyn fmt::Debug) {
        self.pad();
        self.result = if self.writer.sanitizes_ansi_escapes() {
            write!(Escaping(&mut self.writer), "{value:?}")
        } else {
            write!(self.writer, "{value:?}")
        };
    }

    /// A field left to tracing-subscriber's own visitor. A `log.` field
    /// may be left out by it (with its `tracing-log` feature), which
    /// decides whether a space comes before it, so it is written aside.
    fn delegate(&mut self, field: &Field, record: impl FnOnce(&mut DefaultVisitor<'_>)) {
        if field.name().starts_with("log.") {
            let mut text = String::new();
            let mut visitor = DefaultVisitor::new(Writer::new(&mut text), true);
            record(&mut visitor);
            if visitor.finish().is_ok() && !text.is_empty() {
                self.pad();
                if self.result.is_ok() {
                    self.result = self.writer.write_str(&text);
                }
            }
        } else {
            let mut visitor = DefaultVisitor::new(self.writer.by_ref(), self.is_empty);
            record(&mut visitor);
            self.result = visitor.finish();
            self.is_empty = false;
        }
    }

    /// `name=` and an integer, the way `Debug` writes it.
    fn integer(&mut self, field: &Field, value: impl itoa::Integer + fmt::Debug) {
        if self.result.is_err() {
            return;
        }
        if is_special(field) {
            return self.record_debug(field, &value);
        }
        self.pad();
        if self.result.is_ok() {
            let mut digits = itoa::Buffer::new();
            self.result = self
                .name(field)
                .and_then(|()| self.writer.write_str(digits.format(value)));
        }
    }
}

/// A field the plain path does not write itself: the message, a `log.`
/// field.
fn is_special(field: &Field) -> bool {
    let name = field.name();
    name == "message" || name.starts_with("log.")
}

impl Visit for PlainVisitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if self.result.is_err() {
            return;
        }
        let name = field.name();
        if name == "message" {
            return self.message(value);
        }
        if name.starts_with("log.") {
            return self.delegate(field, |visitor| visitor.record_debug(field, value));
        }
        self.pad();
        if self.result.is_ok() {
            self.result = self
                .name(field)
                .and_then(|()| write!(self.writer, "{value:?}"));
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if self.result.is_err() {
            return;
        }
        if field.name() == "message" {
            self.pad();
            self.result = if self.writer.sanitizes_ansi_escapes() {
                Escaping(&mut self.writer).write_str(value)
            } else {
                self.writer.write_str(value)
            };
        } else {
            self.record_debug(field, &value);
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.integer(field, value);
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.integer(field, value);
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        if self.result.is_err() {
            return;
        }
        self.delegate(field, |visitor| visitor.record_error(field, value));
    }
}

/// Escapes what tracing-subscriber's escaping writer escapes (the C0
/// controls a terminal acts on, DEL and the C1 controls), the same way;
/// a string with none of them goes through in one write.
struct Escaping<'a, 'writer>(&'a mut Writer<'writer>);

impl Write for Escaping<'_, '_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        // A C1 control (U+0080 to U+009F) starts with the byte 0xC2.
        if !text
            .bytes()
            .any(|byte| matches!(byte, 0x07 | 0x08 | 0x0c | 0x1b | 0x7f | 0xc2))
        {
            return self.0.write_str(text);
        }
        for character in text.chars() {
            match character {
                '\x1b' => self.0.write_str("\\x1b")?,
                '\x07' => self.0.write_str("\\x07")?,
                '\x08' => self.0.write_str("\\x08")?,
                '\x0c' => self.0.write_str("\\x0c")?,
                '\x7f' => self.0.write_str("\\x7f")?,
                '\u{80}'..='\u{9f}' => write!(self.0, "\\u{{{:x}}}", u32::from(character))?,
                _ => self.0.write_char(character)?,
            }
        }
        Ok(())
    }
}
