//! [`RestOptions`] from the app's configuration: the `rest` setting
//! (`[rest]` in `config/default.toml`, `APP_REST__<FIELD>` variables), each
//! field optional, over the defaults.
//!
//! ```toml
//! [rest]
//! body_limit = 1048576         # bytes
//! request_timeout = 30         # seconds
//! header_read_timeout = 20     # seconds, also the idle keep-alive timeout
//! write_timeout = 30           # seconds a client may leave what it is sent unread
//! keep_alive = true
//! max_connections = 10000
//! drain_limit = 4194304        # bytes
//! drain_timeout = 5            # seconds
//! ```

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use super::RestOptions;
use crate::app::App;
use crate::error::{Error, Result};

/// The `rest` setting as written: every field optional, times in seconds.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RestSection {
    body_limit: Option<usize>,
    request_timeout: Option<f64>,
    header_read_timeout: Option<f64>,
    write_timeout: Option<f64>,
    keep_alive: Option<bool>,
    max_connections: Option<usize>,
    drain_limit: Option<usize>,
    drain_timeout: Option<f64>,
}

/// A positive, finite number of seconds as a `Duration`.
fn seconds(field: &str, value: f64) -> Result<Duration> {
    if value > 0.0 {
        if let Ok(duration) = Duration::try_from_secs_f64(value) {
            return Ok(duration);
        }
    }
    Err(Error::general(format!(
        "Invalid `rest` setting: `{field}` is a number of seconds above 0, not {value}"
    )))
}

impl RestSection {
    fn over(self, mut options: RestOptions) -> Result<RestOptions> {
        if let Some(limit) = self.body_limit {
            options.body_limit = limit;
        }
        if let Some(timeout) = self.request_timeout {
            options.request_timeout = Some(seconds("request_timeout", timeout)?);
        }
        if let Some(timeout) = self.header_read_timeout {
            options.header_read_timeout = Some(seconds("header_read_timeout", timeout)?);
        }
        if let Some(timeout) = self.write_timeout {
            options.write_timeout = Some(seconds("write_timeout", timeout)?);
        }
        if let Some(keep_alive) = self.keep_alive {
            options.keep_alive = keep_alive;
        }
        if let Some(cap) = self.max_connections {
            if cap == 0 {
                return Err(Error::general(
                    "Invalid `rest` setting: `max_connections` is at least 1",
                ));
            }
            options.max_connections = Some(cap);
        }
        if let Some(limit) = self.drain_limit {
            options.drain_limit = limit;
        }
        if let Some(timeout) = self.drain_timeout {
            options.drain_timeout = seconds("drain_timeout", timeout)?;
        }
        Ok(options)
    }
}

impl App {
    /// The [`RestOptions`] the app's configuration asks for: the defaults,
    /// with what its `rest` setting (`[rest]` in `config/default.toml`,
    /// `APP_REST__MAX_CONNECTIONS=100` and the like) sets over them. Times
    /// are in seconds (above 0); `None` options can only be set in code.
    ///
    /// ```
    /// use std::time::Duration;
    /// use auth_core::prelude::*;
    /// use auth_core::rest::RestOptions;
    ///
    /// let app = App::new();
    /// app.set("rest", serde_json::json!({ "header_read_timeout": 5, "max_connections": 100 }));
    /// let options = app.rest_options()?;
    /// assert_eq!(options.header_read_timeout, Some(Duration::from_secs(5)));
    /// assert_eq!(options.max_connections, Some(100));
    /// assert_eq!(options.body_limit, RestOptions::default().body_limit);
    /// # Ok::<_, auth_core::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `GeneralError` naming what does not fit: an unknown field, a value
    /// of the wrong type, a time not above 0, `max_connections = 0`.
    pub fn rest_options(&self) -> Result<RestOptions> {
        let section = self.with_setting("rest", |value| match value {
            None | Some(Value::Null) => Ok(RestSection::default()),
            Some(value) => RestSection::deserialize(value)
                .map_err(|error| Error::general(format!("Invalid `rest` setting: {error}"))),
        })?;
        section.over(RestOptions::default())
    }
}
