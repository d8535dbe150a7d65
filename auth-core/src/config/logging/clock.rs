//! The timestamp of a log line, as tracing-subscriber's `SystemTime`
//! writes it (`2026-12-03T22:10:07.123456Z`, UTC, microseconds), with the
//! date and time of the current second kept per thread: a line formats
//! its microseconds, not a calendar date.

use std::cell::Cell;
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;

/// `YYYY-MM-DDTHH:MM:SS.`: what a second's lines have in common.
const PREFIX: usize = 20;

/// The first second of the year 10000, past which the year takes more
/// than four digits (the default formatter's own path then).
const YEAR_10000: u64 = 253_402_300_800;

thread_local! {
    /// The last second this thread wrote, and its prefix.
    static SECOND: Cell<(u64, [u8; PREFIX])> = const { Cell::new((u64::MAX, [0; PREFIX])) };
}

/// The timer of [`super::Logging`]'s subscriber: the wall clock in UTC,
/// byte for byte what `tracing_subscriber::fmt::time::SystemTime` writes.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct UtcMicros;

impl FormatTime for UtcMicros {
    fn format_time(&self, writer: &mut Writer<'_>) -> fmt::Result {
        let now = SystemTime::now();
        match now.duration_since(UNIX_EPOCH) {
            Ok(since) if since.as_secs() < YEAR_10000 => {
                let line = timestamp(since.as_secs(), since.subsec_micros());
                // Only ASCII digits and separators.
                writer.write_str(std::str::from_utf8(&line).map_err(|_| fmt::Error)?)
            }
            _ => tracing_subscriber::fmt::time::SystemTime.format_time(writer),
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS.uuuuuuZ` for `seconds` since the epoch (before
/// the year 10000) and `micros`.
fn timestamp(seconds: u64, micros: u32) -> [u8; PREFIX + 7] {
    let prefix = SECOND.with(|cached| {
        let (second, prefix) = cached.get();
        if second == seconds {
            prefix
        } else {
            let prefix = date_and_time(seconds);
            cached.set((seconds, prefix));
            prefix
        }
    });
    let mut line = [0; PREFIX + 7];
    line[..PREFIX].copy_from_slice(&prefix);
    let mut rest = micros;
    for place in (PREFIX..PREFIX + 6).rev() {
        line[place] = digit(rest % 10);
        rest /= 10;
    }
    line[PREFIX + 6] = b'Z';
    line
}

/// `YYYY-MM-DDTHH:MM:SS.` for `seconds` since the epoch.
fn date_and_time(seconds: u64) -> [u8; PREFIX] {
    let (year, month, day) = civil_date(seconds / 86_400);
    let time = seconds % 86_400;
    let mut prefix = *b"0000-00-00T00:00:00.";
    let year = u32::try_from(year).unwrap_or(9999);
    two_digits(&mut prefix[0..2], year / 100);
    two_digits(&mut prefix[2..4], year % 100);
    two_digits(&mut prefix[5..7], month);
    two_digits(&mut prefix[8..10], day);
    // Each below 60 (or 24), so the casts keep the value.
    two_digits(&mut prefix[11..13], (time / 3600) as u32);
    two_digits(&mut prefix[14..16], (time / 60 % 60) as u32);
    two_digits(&mut prefix[17..19], (time % 60) as u32);
    prefix
}

/// The proleptic Gregorian year, month and day of the `days`th day after
/// 1970-01-01 (Howard Hinnant's `civil_from_days`, for days on or after
/// the epoch).
fn civil_date(days: u64) -> (u64, u32, u32) {
    // Counted from 0000-03-01, so that a leap day ends its year.
    let days = days + 719_468;
    let era = days / 146_097;
    let day_of_era = days % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    // A day is at most 31 and a month at most 12.
    (year, month as u32, day as u32)
}

fn two_digits(place: &mut [u8], value: u32) {
    place[0] = digit(value / 10);
    place[1] = digit(value % 10);
}

fn digit(value: u32) -> u8 {
    // `value` is below 10 wherever it is called.
    b'0' + (value % 10) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(seconds: u64, micros: u32) -> String {
        String::from_utf8(timestamp(seconds, micros).to_vec()).unwrap()
    }

    #[test]
    fn dates_are_the_proleptic_gregorian_calendar_in_utc() {
        // Figures from `date -u -d @SECONDS +%FT%T`.
        for (seconds, expected) in [
            (0, "1970-01-01T00:00:00.000000Z"),
            (951_782_399, "2000-02-28T23:59:59.000000Z"),
            (951_782_400, "2000-02-29T00:00:00.000000Z"),
            (978_307_199, "2000-12-31T23:59:59.000000Z"),
            (4_107_542_399, "2100-02-28T23:59:59.000000Z"),
            (4_107_542_400, "2100-03-01T00:00:00.000000Z"),
            (1_796_335_807, "2026-12-03T22:10:07.000000Z"),
            (YEAR_10000 - 1, "9999-12-31T23:59:59.000000Z"),
        ] {
            assert_eq!(text(seconds, 0), expected, "{seconds}");
        }
        assert_eq!(text(1_796_335_807, 123_456), "2026-12-03T22:10:07.123456Z");
        assert_eq!(text(1_796_335_807, 7), "2026-12-03T22:10:07.000007Z");
        // The cached second, then another one.
        assert_eq!(text(1_796_335_807, 999_999), "2026-12-03T22:10:07.999999Z");
        assert_eq!(text(1_796_335_808, 0), "2026-12-03T22:10:08.000000Z");
    }

    #[test]
    fn the_clock_writes_what_tracing_subscriber_writes() {
        // Both read the clock: retried if a second ends between them.
        for _ in 0..5 {
            let (mut ours, mut theirs) = (String::new(), String::new());
            UtcMicros.format_time(&mut Writer::new(&mut ours)).unwrap();
            tracing_subscriber::fmt::time::SystemTime
                .format_time(&mut Writer::new(&mut theirs))
                .unwrap();
            assert_eq!(ours.len(), theirs.len(), "{ours} {theirs}");
            if ours[..PREFIX] == theirs[..PREFIX] {
                return;
            }
        }
        panic!("the seconds never matched");
    }
}
