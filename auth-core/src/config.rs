//! App configuration read from `config/default.toml`, an environment's file
//! and environment variables, as Feathers reads `config/default.json`.
//!
//! Sources, each overriding the one before:
//! 1. `config/default.toml`;
//! 2. `config/<environment>.toml`, where the environment is `APP_ENV` (or
//!    [`Configuration::environment`]);
//! 3. environment variables `APP_<KEY>`, nested keys joined by `__`:
//!    `APP_PORT=3031`, `APP_AUTHENTICATION__SECRET=...`. Values that parse
//!    as numbers or booleans become numbers or booleans.
//!
//! Configuring an app with it sets each top-level key as a setting
//! (`app.get::<u16>("port")`), and [`App::settings`] reads them all into a
//! typed struct:
//!
//! ```
//! use auth_core::prelude::*;
//! use serde::Deserialize;
//!
//! #[derive(Deserialize)]
//! struct Settings { host: String, port: u16 }
//!
//! let dir = std::env::temp_dir().join(format!("auth-core-config-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! std::fs::write(dir.join("default.toml"), "host = \"127.0.0.1\"\nport = 3030\n")?;
//!
//! let app = App::new().configure(
//!     Configuration::new().dir(&dir).env_vars([("APP_PORT", "3031")]),
//! );
//! app.setup()?;
//! let settings: Settings = app.settings()?;
//! assert_eq!((settings.host.as_str(), settings.port), ("127.0.0.1", 3031));
//! assert_eq!(app.get::<u16>("port"), Some(3031));
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! ```
//!
//! With the `rest` feature, the `[rest]` section holds the REST transport's
//! bounds ([`RestOptions`](crate::rest::RestOptions): body size, timeouts,
//! connections; times in seconds), read by [`App::rest_options`] and so by
//! [`App::listen`], [`App::serve`] and [`App::into_router`]:
//!
//! ```toml
//! [rest]
//! header_read_timeout = 20
//! max_connections = 10000
//! ```
//!
//! With the `logging` feature, `config::logging` sets up the process's logs
//! (`RUST_LOG`, stdout) so that writing them never blocks a request.
//!
//! [`App::rest_options`]: crate::App::rest_options
//! [`App::listen`]: crate::App::listen
//! [`App::serve`]: crate::App::serve
//! [`App::into_router`]: crate::App::into_router
//!
//! # Where the files are
//!
//! `config/` is relative to the working directory, as Feathers' is: run
//! from elsewhere (`cargo run -p my-app` from a workspace root, a service
//! manager's `/`), and it is another directory. [`Configuration::dir`], or
//! the variable `APP_CONFIG_DIR` (node-config's `NODE_CONFIG_DIR`), names
//! the directory instead; [`Configuration::directory`] tells which one is
//! searched, as an absolute path.
//!
//! A directory named by `dir` or `APP_CONFIG_DIR` that does not exist is
//! an error: it was asked for. The default `config/` may be missing (an
//! app may take every setting from its defaults and variables), but a
//! missing `default.toml`, or a missing file for a named environment, is
//! logged as a warning naming the absolute directory searched and how to
//! change it, as node-config (under `@feathersjs/configuration`) warns
//! when its directory has no configuration.
//!
//! [`App::settings`]: crate::App::settings

#[cfg(feature = "logging")]
pub mod logging;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use config::{Environment, File, FileFormat};
use serde_json::{Map, Value};

use crate::app::{App, Configure};
use crate::error::{Error, Result};

/// Where configuration is read from; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct Configuration {
    /// Set by [`Configuration::dir`]; otherwise `<prefix>_CONFIG_DIR`, or
    /// `config`.
    dir: Option<PathBuf>,
    env_prefix: String,
    environment: Option<String>,
    env_vars: Option<HashMap<String, String>>,
}

impl Default for Configuration {
    fn default() -> Self {
        Configuration::new()
    }
}

impl Configuration {
    /// Reads `config/` relative to the working directory (or the
    /// directory `APP_CONFIG_DIR` names), `APP_` variables, and the
    /// environment named by `APP_ENV`.
    #[must_use]
    pub fn new() -> Configuration {
        Configuration {
            dir: None,
            env_prefix: "APP".to_owned(),
            environment: None,
            env_vars: None,
        }
    }

    /// Reads the files from `dir` instead of `config/` (a relative path
    /// is relative to the working directory); it must exist.
    #[must_use]
    pub fn dir(mut self, dir: impl Into<PathBuf>) -> Configuration {
        self.dir = Some(dir.into());
        self
    }

    /// Uses `<prefix>_` variables (and `<prefix>_ENV`, `<prefix>_CONFIG_DIR`)
    /// instead of `APP_`.
    #[must_use]
    pub fn env_prefix(mut self, prefix: impl Into<String>) -> Configuration {
        self.env_prefix = prefix.into();
        self
    }

    /// Reads `config/<name>.toml` whatever the environment variable says.
    #[must_use]
    pub fn environment(mut self, name: impl Into<String>) -> Configuration {
        self.environment = Some(name.into());
        self
    }

    /// Reads these variables instead of the process's environment (for tests).
    #[must_use]
    pub fn env_vars<K: Into<String>, V: Into<String>>(
        mut self,
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Configuration {
        self.env_vars = Some(
            vars.into_iter()
                .map(|(key, value)| (key.into(), value.into()))
                .collect(),
        );
        self
    }

    fn env_var(&self, name: &str) -> Option<String> {
        match &self.env_vars {
            Some(vars) => vars.get(name).cloned(),
            None => std::env::var(name).ok(),
        }
    }

    /// The directory the files are read from, and what chose it.
    fn chosen_dir(&self) -> (PathBuf, DirChoice) {
        if let Some(dir) = &self.dir {
            return (dir.clone(), DirChoice::Dir);
        }
        match self.env_var(&self.dir_variable()) {
            Some(dir) if !dir.is_empty() => (PathBuf::from(dir), DirChoice::Variable),
            _ => (PathBuf::from("config"), DirChoice::Default),
        }
    }

    /// `APP_CONFIG_DIR`, or the same with the configured prefix.
    fn dir_variable(&self) -> String {
        format!("{}_CONFIG_DIR", self.env_prefix)
    }

    /// The directory the files are read from, as an absolute path: the
    /// one given to [`Configuration::dir`], else the one `APP_CONFIG_DIR`
    /// names, else `config` in the working directory.
    pub fn directory(&self) -> PathBuf {
        absolute(&self.chosen_dir().0)
    }

    /// Reads every source into one JSON object.
    ///
    /// A missing `default.toml`, or a missing file for the environment, is
    /// skipped with a warning naming the directory searched; see
    /// [where the files are](self#where-the-files-are).
    ///
    /// # Errors
    ///
    /// A directory named by [`Configuration::dir`] or `APP_CONFIG_DIR`
    /// that does not exist, and a file that does not parse, each named.
    pub fn load(&self) -> Result<Map<String, Value>> {
        let (dir, choice) = self.chosen_dir();
        let shown = absolute(&dir);
        if choice != DirChoice::Default && !dir.is_dir() {
            let by = match choice {
                DirChoice::Dir => "Configuration::dir".to_owned(),
                _ => self.dir_variable(),
            };
            return Err(Error::general(format!(
                "The configuration directory {} (named by {by}) does not exist",
                shown.display()
            )));
        }
        let elsewhere = format!(
            "to read another directory, set {} or call Configuration::dir",
            self.dir_variable()
        );
        let default = dir.join("default.toml");
        if !default.is_file() {
            tracing::warn!(
                "No default.toml in the configuration directory {}: settings come from \
                 defaults and {}_ variables only; {elsewhere}",
                shown.display(),
                self.env_prefix
            );
        }
        let mut builder = config::Config::builder()
            .add_source(File::from(default).format(FileFormat::Toml).required(false));
        let environment = self
            .environment
            .clone()
            .or_else(|| self.env_var(&format!("{}_ENV", self.env_prefix)));
        if let Some(environment) = environment {
            let file = dir.join(format!("{environment}.toml"));
            if !file.is_file() {
                tracing::warn!(
                    "No {environment}.toml for the environment '{environment}' in the \
                     configuration directory {}: only default.toml is read; {elsewhere}",
                    shown.display()
                );
            }
            builder = builder.add_source(File::from(file).format(FileFormat::Toml).required(false));
        }
        let mut variables = Environment::with_prefix(&self.env_prefix)
            .prefix_separator("_")
            .separator("__")
            .try_parsing(true);
        if let Some(vars) = &self.env_vars {
            variables = variables.source(Some(vars.clone().into_iter().collect()));
        }
        let mut settings: Map<String, Value> =
            builder.add_source(variables).build()?.try_deserialize()?;
        settings.remove("env");
        Ok(settings)
    }
}

/// What chose the configuration directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DirChoice {
    /// [`Configuration::dir`].
    Dir,
    /// `<prefix>_CONFIG_DIR`.
    Variable,
    /// Neither: `config` in the working directory.
    Default,
}

/// `path` made absolute against the working directory, for messages (as
/// it is when the working directory can not be read).
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

impl Configure for Configuration {
    fn configure(self, app: &App) -> Result<()> {
        for (key, value) in self.load()? {
            app.set(key, value);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    /// What the `tracing` events of a closure print.
    fn logged(run: impl FnOnce()) -> String {
        #[derive(Clone, Default)]
        struct Lines(Arc<Mutex<Vec<u8>>>);
        impl Write for Lines {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                crate::sync::lock(&self.0).extend_from_slice(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, run);
        let bytes = crate::sync::lock(&lines.0).clone();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    #[test]
    fn a_missing_default_file_is_a_warning_naming_the_absolute_directory() {
        // The tests run in auth-core/, which has no config/.
        let configuration = Configuration::new().env_vars([("APP_PORT", "3031")]);
        let searched = std::env::current_dir().unwrap().join("config");
        assert_eq!(configuration.directory(), searched);
        let mut settings = None;
        let log = logged(|| settings = Some(configuration.load()));
        assert_eq!(
            settings.unwrap().unwrap().get("port"),
            Some(&Value::from(3031))
        );
        assert!(log.contains("WARN"), "{log}");
        assert!(
            log.contains(&format!(
                "No default.toml in the configuration directory {}",
                searched.display()
            )),
            "{log}"
        );
        assert!(
            log.contains("set APP_CONFIG_DIR or call Configuration::dir"),
            "{log}"
        );
    }

    #[test]
    fn a_missing_environment_file_is_a_warning_too() {
        let dir = std::env::temp_dir().join(format!("auth-core-config-env-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("default.toml"), "port = 3030\n").unwrap();
        let configuration = Configuration::new()
            .dir(&dir)
            .env_vars([("APP_ENV", "staging")]);
        let mut settings = None;
        let log = logged(|| settings = Some(configuration.load()));
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            settings.unwrap().unwrap().get("port"),
            Some(&Value::from(3030))
        );
        assert!(!log.contains("No default.toml"), "{log}");
        assert!(
            log.contains(&format!(
                "No staging.toml for the environment 'staging' in the configuration directory {}",
                dir.display()
            )),
            "{log}"
        );
    }
}
