//! What the publisher and the subscriber share about the Redis server:
//! where it is (and how to name it in a log without its password), how
//! long to wait before trying again, and saying once per outage that it is
//! gone and once that it is back.

use std::time::Duration;

/// The first wait after a failed connection.
const FIRST_RETRY: Duration = Duration::from_millis(100);
/// The longest wait between two attempts.
const LAST_RETRY: Duration = Duration::from_secs(5);
/// How long one connection attempt may take (the server may be a host
/// that answers nothing).
pub(super) const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The Redis server and the channel the instances share.
pub(super) struct Server {
    pub(super) client: redis::Client,
    /// The URL without password or query, for logs.
    pub(super) shown: String,
    /// The pub/sub channel.
    pub(super) key: String,
    /// How often the subscription asks the server for a PING, and how
    /// long the answer may take.
    pub(super) keepalive: Duration,
}

/// Waits between connection attempts: 100 ms, doubling up to 5 s, back to
/// 100 ms once a connection is made.
pub(super) struct Backoff {
    next: Duration,
}

impl Backoff {
    pub(super) fn new() -> Backoff {
        Backoff { next: FIRST_RETRY }
    }

    /// The wait before the next attempt.
    pub(super) fn next_wait(&mut self) -> Duration {
        let wait = self.next;
        self.next = (self.next * 2).min(LAST_RETRY);
        wait
    }

    pub(super) fn reset(&mut self) {
        self.next = FIRST_RETRY;
    }
}

/// The state of one task's connection, for its log lines: a warning when
/// it is lost (or cannot be made at start), one only per outage, and an
/// info line when it is made.
pub(super) struct Link {
    /// `"publishing"` or `"subscribed"`: which task speaks.
    role: &'static str,
    /// How the role names the channel: publishing `on`, subscribed `to`.
    preposition: &'static str,
    /// What an outage costs, said in the warning.
    cost: &'static str,
    state: State,
    /// Events of this instance not published during the current outage.
    pub(super) lost: u64,
}

#[derive(PartialEq)]
enum State {
    Starting,
    Up,
    Down,
}

impl Link {
    pub(super) fn new(role: &'static str, preposition: &'static str, cost: &'static str) -> Link {
        Link {
            role,
            preposition,
            cost,
            state: State::Starting,
            lost: 0,
        }
    }

    pub(super) fn is_up(&self) -> bool {
        self.state == State::Up
    }

    /// The connection failed or could not be made: warns unless this
    /// outage was already reported.
    pub(super) fn down(&mut self, server: &Server, error: &dyn std::fmt::Display) {
        match self.state {
            State::Down => {}
            State::Starting => tracing::warn!(
                "redis sync: cannot connect to {} ({}): {error}; {}; retrying",
                server.shown,
                self.role,
                self.cost
            ),
            State::Up => tracing::warn!(
                "redis sync: lost the connection to {} ({}): {error}; {}; reconnecting",
                server.shown,
                self.role,
                self.cost
            ),
        }
        self.state = State::Down;
    }

    /// The connection is made.
    pub(super) fn up(&mut self, server: &Server) {
        if self.lost > 0 {
            tracing::info!(
                "redis sync: connected to {} ({} {} {:?}); {} events of this instance were not sent to the others meanwhile",
                server.shown,
                self.role,
                self.preposition,
                server.key,
                self.lost
            );
        } else {
            tracing::info!(
                "redis sync: connected to {} ({} {} {:?})",
                server.shown,
                self.role,
                self.preposition,
                server.key
            );
        }
        self.state = State::Up;
        self.lost = 0;
    }
}

/// `url` as a log may show it: no password, no query string (where
/// options such as a password may be too).
pub(super) fn shown_url(url: &str) -> String {
    let url = url.split(['?', '#']).next().unwrap_or_default();
    let Some((scheme, rest)) = url.split_once("://") else {
        // Not a URL redis accepts; show nothing of it that could be a secret.
        return "(invalid Redis URL)".to_owned();
    };
    let (authority, path) = match rest.find('/') {
        Some(slash) => rest.split_at(slash),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{host}"),
            None => format!("{userinfo}@{host}"),
        },
        None => authority.to_owned(),
    };
    format!("{scheme}://{authority}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shown_url_has_no_password() {
        for (url, shown) in [
            ("redis://127.0.0.1:6379", "redis://127.0.0.1:6379"),
            ("redis://127.0.0.1:6379/2", "redis://127.0.0.1:6379/2"),
            ("redis://:s3cret@cache:6379/0", "redis://:***@cache:6379/0"),
            ("redis://ada:s3cret@cache", "redis://ada:***@cache"),
            ("redis://ada@cache", "redis://ada@cache"),
            ("rediss://u:p@w@cache:1", "rediss://u:***@cache:1"),
            (
                "redis+unix:///run/redis.sock?pass=s3cret",
                "redis+unix:///run/redis.sock",
            ),
            ("s3cret", "(invalid Redis URL)"),
        ] {
            assert_eq!(shown_url(url), shown, "{url}");
        }
    }

    #[test]
    fn the_backoff_doubles_up_to_five_seconds_and_resets() {
        let mut backoff = Backoff::new();
        let waits: Vec<u128> = (0..8).map(|_| backoff.next_wait().as_millis()).collect();
        assert_eq!(waits, [100, 200, 400, 800, 1600, 3200, 5000, 5000]);
        backoff.reset();
        assert_eq!(backoff.next_wait(), FIRST_RETRY);
    }
}
