//! What a login and a logout do to the connection they came over, and the
//! `login`/`logout` app events, as Feathers' authentication service hooks
//! `connection(..)` and `event(..)` with its JWT strategy's
//! `handleConnection` do them.
//!
//! A login over a connection keeps the user and the token on it (its later
//! calls carry `authentication: {strategy: "jwt", accessToken}`, which the
//! `jwt` strategy verifies on each call) and ends the connection when the
//! token expires; a logout with that token takes them off again.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::authentication::service::AuthenticationService;
use crate::hook::{HookContext, Output};
use crate::params::{AuthenticationRequest, Entity};
use crate::realtime::{AuthenticationEvent, Connection};
use crate::service::Method;

/// After a successful `create` or `remove` on the authentication service:
/// updates the connection the call came over, then emits `login` or
/// `logout` for an external caller.
pub(crate) fn after_call(
    service: &AuthenticationService,
    ctx: &HookContext<AuthenticationService>,
) {
    let login = match ctx.method {
        Method::Create => true,
        Method::Remove => false,
        _ => return,
    };
    if !ctx.params.is_external() {
        return;
    }
    let Some(Output::One(result)) = &ctx.result else {
        return;
    };
    // The caller's view: `protect` may have removed fields of the user.
    let result = match &ctx.dispatch {
        Some(dispatch) => dispatch.clone(),
        None => match result.clone().into_json() {
            Ok(fields) => Value::Object(fields),
            Err(_) => return,
        },
    };
    let connection = ctx.params.extensions.get::<Connection>().cloned();
    if let Some(connection) = &connection {
        if login {
            log_in(service, ctx, connection, &result);
        } else {
            log_out(connection, &result);
        }
    }
    let event = AuthenticationEvent {
        result,
        connection,
        provider: ctx.params.provider.clone(),
    };
    if login {
        ctx.app.emit_login(&event);
    } else {
        ctx.app.emit_logout(&event);
    }
}

fn access_token(result: &Value) -> Option<&str> {
    result.get("accessToken").and_then(Value::as_str)
}

fn log_in(
    service: &AuthenticationService,
    ctx: &HookContext<AuthenticationService>,
    connection: &Connection,
    result: &Value,
) {
    let Some(token) = access_token(result) else {
        return;
    };
    let entity = service.config().entity.clone();
    connection.update_params(|params| {
        params.authentication = Some(AuthenticationRequest::new("jwt").with("accessToken", token));
        if let Some(entity) = &entity {
            params.user = result.get(entity.as_str()).cloned().map(Entity::from);
        }
    });
    let expires = result
        .pointer("/authentication/payload/exp")
        .and_then(Value::as_u64);
    if let Some(expires) = expires {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |now| now.as_secs());
        let left = Duration::from_secs(expires.saturating_sub(now));
        let app = ctx.app.downgrade();
        let ending = connection.clone();
        let task = tokio::spawn(async move {
            tokio::time::sleep(left).await;
            if let Some(app) = app.upgrade() {
                tracing::info!(
                    connection = ending.id(),
                    "connection closed: its access token expired"
                );
                app.emit_disconnect(&ending);
            }
            ending.close();
        });
        connection.set_expiry(task.abort_handle());
    }
}

fn log_out(connection: &Connection, result: &Value) {
    let params = connection.params();
    let same_token = params
        .authentication
        .as_ref()
        .and_then(|authentication| authentication.get_str("accessToken"))
        .is_some_and(|token| Some(token) == access_token(result));
    if same_token {
        connection.cancel_expiry();
        connection.update_params(|params| {
            params.authentication = None;
            params.user = None;
        });
    }
}
