//! The `local` strategy: a username (`email`) and a password checked
//! against the user's stored hash (argon2id, or bcrypt from a Feathers app).
//!
//! Every failure is the same `Invalid login`, and an unknown user costs the
//! same hash verification as a wrong password. An empty password or
//! username is refused at once, as Feathers' local strategy refuses it.

use serde_json::{Value, json};

use crate::authentication::entity::StrategyContext;
use crate::authentication::hooks::value_at;
use crate::authentication::password::{client_of, verify_nobody_for, verify_password_for};
use crate::authentication::strategy::{AuthResult, Strategy};
use crate::error::{Error, Result};
use crate::params::{AuthenticationRequest, Params};

/// The `local` strategy, with Feathers' settings: `username_field`
/// (`email`), `password_field` (`password`), the fields of the entity they
/// are compared with (the same by default), and `error_message`
/// (`Invalid login`).
#[derive(auth_macros::Strategy, Debug, Default)]
#[strategy(name = "local")]
pub struct Local {
    #[strategy(config, default = "email".to_owned())]
    username_field: String,
    #[strategy(config, default = "password".to_owned())]
    password_field: String,
    #[strategy(config, default = None)]
    entity_username_field: Option<String>,
    #[strategy(config, default = None)]
    entity_password_field: Option<String>,
    #[strategy(config, default = "Invalid login".to_owned())]
    error_message: String,
    context: Option<StrategyContext>,
}

impl Local {
    fn invalid(&self) -> Error {
        Error::not_authenticated(self.error_message.clone())
    }

    fn context(&self) -> Result<&StrategyContext> {
        self.context.as_ref().ok_or_else(|| {
            Error::general("The local strategy was not set up by an authentication service")
        })
    }
}

impl Strategy for Local {
    fn setup(&mut self, context: &StrategyContext) -> Result<()> {
        if context.config.entity.is_none() {
            return Err(Error::general(
                "The local strategy needs an entity: set authentication.entity (\"user\")",
            ));
        }
        self.context = Some(context.clone());
        Ok(())
    }

    async fn authenticate(
        &self,
        authentication: &AuthenticationRequest,
        params: &Params,
    ) -> Result<AuthResult> {
        let context = self.context()?;
        // Only strings: an object here would become a query operator.
        let fields = Value::Object(authentication.fields.clone());
        let (Some(username), Some(password)) = (
            value_at(&fields, &self.username_field).and_then(Value::as_str),
            value_at(&fields, &self.password_field).and_then(Value::as_str),
        ) else {
            return Err(self.invalid());
        };
        // As Feathers: no password, or no username, is refused before any
        // lookup or hash (which would only cost the server time).
        if password.is_empty() || username.trim().is_empty() {
            return Err(self.invalid());
        }
        let username_field = self
            .entity_username_field
            .as_ref()
            .unwrap_or(&self.username_field);
        let password_field = self
            .entity_password_field
            .as_ref()
            .unwrap_or(&self.password_field);
        let entity = context
            .find_entity(username_field, username, params)
            .await?;
        let hash = entity
            .as_ref()
            .and_then(|entity| value_at(entity, password_field))
            .and_then(|hash| hash.as_str());
        let Some(hash) = hash else {
            verify_nobody_for(client_of(params), password).await?;
            return Err(self.invalid());
        };
        if !verify_password_for(client_of(params), password, hash).await? {
            return Err(self.invalid());
        }
        let entity = entity.unwrap_or_default();
        let id = context
            .entity_id(&entity)
            .ok_or_else(|| Error::not_authenticated("Could not get local entity"))?;
        let entity_key = context
            .config
            .entity
            .clone()
            .unwrap_or_else(|| "user".to_owned());
        let result = AuthResult::new().with("authentication", json!({ "strategy": "local" }));
        Ok(match params.provider {
            None => result.with(entity_key, entity),
            Some(_) => result.with_entity(entity_key, context.get_entity(id, params).await?),
        })
    }
}
