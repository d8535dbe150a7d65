//! The `jwt` strategy: an access token from the `Authorization` header (or
//! the body of `POST /authentication`), verified with the configured
//! algorithm only, and the user it names looked up through the users
//! service. When tokens are revocable (`AuthConfig::token_epoch_field`),
//! the token's `epoch` must still be the user's: a field compared on the
//! lookup every call makes anyway.

use serde_json::Value;

use crate::authentication::entity::StrategyContext;
use crate::authentication::strategy::{AuthResult, RequestParts, Strategy};
use crate::authentication::token::epoch_holds;
use crate::error::{Error, Result};
use crate::params::{AuthenticationRequest, Params};
use crate::service::Id;

/// The `jwt` strategy, with Feathers' header settings: `Authorization`,
/// schemes `Bearer` and `JWT` (or a bare token).
#[derive(auth_macros::Strategy, Debug, Default)]
#[strategy(name = "jwt")]
pub struct Jwt {
    #[strategy(config, default = "Authorization".to_owned())]
    header: String,
    #[strategy(config, default = vec!["Bearer".to_owned(), "JWT".to_owned()])]
    schemes: Vec<String>,
    /// `header` parsed once at set-up, so that a request's lookup does
    /// not parse the name again.
    header_name: Option<http::HeaderName>,
    context: Option<StrategyContext>,
}

impl Jwt {
    fn context(&self) -> Result<&StrategyContext> {
        self.context.as_ref().ok_or_else(|| {
            Error::general("The jwt strategy was not set up by an authentication service")
        })
    }

    /// The token in a header value: `<scheme> <token>` with a known scheme,
    /// or the bare value; `None` for another scheme.
    fn token_in<'h>(&self, value: &'h str) -> Option<&'h str> {
        // A header value that is a `str` is visible ASCII, spaces and tabs.
        let value = value.trim_ascii();
        let blank = |text: &str| memchr::memchr2(b' ', b'\t', text.as_bytes());
        let Some(space) = blank(value) else {
            return (!value.is_empty()).then_some(value);
        };
        let (scheme, rest) = value.split_at(space);
        // `<scheme> <token> <more>` reads the token; the rest is ignored.
        let token = rest.trim_ascii_start();
        let token = blank(token).map_or(token, |end| &token[..end]);
        self.schemes
            .iter()
            .any(|known| known.eq_ignore_ascii_case(scheme))
            .then_some(token)
    }
}

impl Strategy for Jwt {
    fn setup(&mut self, context: &StrategyContext) -> Result<()> {
        // Token options belong in `jwt_options`: refuse them here rather
        // than ignore them, as Feathers does.
        let name = <Self as crate::authentication::StrategySetup>::NAME;
        if let Some(Value::Object(section)) = context.config.strategies.get(name) {
            if let Some(key) = section
                .keys()
                .find(|key| !["header", "schemes"].contains(&key.as_str()))
            {
                return Err(Error::general(format!(
                    "Invalid JwtStrategy option 'authentication.{name}.{key}'. \
                     Did you mean to set it in 'authentication.jwt_options'?"
                )));
            }
        }
        self.header_name = Some(
            http::HeaderName::from_bytes(self.header.as_bytes()).map_err(|_| {
                Error::general(format!(
                    "Invalid 'authentication.{name}.header': '{}' is not a header name",
                    self.header
                ))
            })?,
        );
        self.context = Some(context.clone());
        Ok(())
    }

    async fn authenticate(
        &self,
        authentication: &AuthenticationRequest,
        params: &Params,
    ) -> Result<AuthResult> {
        let token = authentication
            .get_str("accessToken")
            .filter(|token| !token.is_empty())
            .ok_or_else(|| Error::not_authenticated("No access token"))?;
        let context = self.context()?;
        let opened = context.tokens.open(token)?;
        // The epoch the token was issued under, when tokens are revocable.
        let epoch = context
            .config
            .token_epoch_field
            .as_ref()
            .map(|field| (field, opened.epoch));
        let subject = opened.subject.filter(|sub| !sub.is_empty()).map(Id::String);
        // Feathers' `authentication` result: the strategy, the token and its
        // payload (kept as the token's JSON until read).
        let mut authentication = AuthenticationRequest::new("jwt").with("accessToken", token);
        authentication.payload = Some(opened.payload);
        let mut result = AuthResult::new()
            .with("accessToken", token)
            .with_authentication(authentication);
        if let Some(entity) = &context.config.entity {
            let subject = subject.ok_or_else(|| {
                Error::not_authenticated("Invalid access token: it names no user (sub)")
            })?;
            let user = match &epoch {
                Some((field, epoch)) => {
                    let check = |stored: Option<&Value>| {
                        if epoch_holds(epoch.as_ref(), stored) {
                            Ok(())
                        } else {
                            Err(Error::not_authenticated(
                                "Invalid access token: it has been revoked",
                            ))
                        }
                    };
                    context
                        .get_entity_checked(subject, params, field, &check)
                        .await?
                }
                None => context.get_entity(subject, params).await?,
            };
            result = result.with_entity(entity.clone(), user);
        }
        Ok(result)
    }

    async fn parse(&self, request: &RequestParts) -> Result<Option<AuthenticationRequest>> {
        let value = match &self.header_name {
            Some(name) => request.headers.get(name),
            None => request.headers.get(self.header.as_str()),
        };
        let Some(value) = value else {
            return Ok(None);
        };
        // Bytes beyond ASCII are read as Latin-1, as Node reads them: such a
        // token is presented (and refused), never taken for no credentials.
        let latin1: String;
        let value = match value.to_str() {
            Ok(value) => value,
            Err(_) => {
                latin1 = value
                    .as_bytes()
                    .iter()
                    .map(|&byte| char::from(byte))
                    .collect();
                &latin1
            }
        };
        Ok(self
            .token_in(value)
            .map(|token| AuthenticationRequest::new("jwt").with("accessToken", token)))
    }
}

#[cfg(test)]
mod tests {
    use super::Jwt;

    #[test]
    fn the_token_is_read_after_a_known_scheme_or_alone() {
        let jwt = Jwt {
            schemes: vec!["Bearer".to_owned(), "JWT".to_owned()],
            ..Jwt::default()
        };
        let cases = [
            ("Bearer abc", Some("abc")),
            ("bearer\tabc", Some("abc")),
            ("  JWT   abc  ", Some("abc")),
            ("Bearer abc def", Some("abc")),
            ("abc", Some("abc")),
            (" abc ", Some("abc")),
            ("Basic abc", None),
            ("", None),
            ("   ", None),
        ];
        for (header, token) in cases {
            assert_eq!(jwt.token_in(header), token, "{header:?}");
        }
    }
}
