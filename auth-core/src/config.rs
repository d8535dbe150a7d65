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
//! [`App::settings`]: crate::App::settings

use std::collections::HashMap;
use std::path::PathBuf;

use config::{Environment, File, FileFormat};
use serde_json::{Map, Value};

use crate::app::{App, Configure};
use crate::error::Result;

/// Where configuration is read from; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct Configuration {
    dir: PathBuf,
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
    /// Reads `config/` relative to the working directory, `APP_` variables,
    /// and the environment named by `APP_ENV`.
    pub fn new() -> Configuration {
        Configuration {
            dir: PathBuf::from("config"),
            env_prefix: "APP".to_owned(),
            environment: None,
            env_vars: None,
        }
    }

    /// Reads the files from `dir` instead of `config/`.
    pub fn dir(mut self, dir: impl Into<PathBuf>) -> Configuration {
        self.dir = dir.into();
        self
    }

    /// Uses `<prefix>_` variables (and `<prefix>_ENV`) instead of `APP_`.
    pub fn env_prefix(mut self, prefix: impl Into<String>) -> Configuration {
        self.env_prefix = prefix.into();
        self
    }

    /// Reads `config/<name>.toml` whatever the environment variable says.
    pub fn environment(mut self, name: impl Into<String>) -> Configuration {
        self.environment = Some(name.into());
        self
    }

    /// Reads these variables instead of the process's environment (for tests).
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

    /// Reads every source into one JSON object.
    ///
    /// A missing file is skipped; a file that does not parse is an error
    /// naming it.
    pub fn load(&self) -> Result<Map<String, Value>> {
        let mut builder = config::Config::builder().add_source(
            File::from(self.dir.join("default.toml"))
                .format(FileFormat::Toml)
                .required(false),
        );
        let environment = self
            .environment
            .clone()
            .or_else(|| self.env_var(&format!("{}_ENV", self.env_prefix)));
        if let Some(environment) = environment {
            builder = builder.add_source(
                File::from(self.dir.join(format!("{environment}.toml")))
                    .format(FileFormat::Toml)
                    .required(false),
            );
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

impl Configure for Configuration {
    fn configure(self, app: &App) -> Result<()> {
        for (key, value) in self.load()? {
            app.set(key, value);
        }
        Ok(())
    }
}
