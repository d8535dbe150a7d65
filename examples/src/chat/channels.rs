//! The chat app's real-time channels (CONTRACT.md, "Real-time"), as
//! Feathers' generated `channels.ts` has them: every connection starts in
//! `anonymous`; a login moves it to `authenticated` and `users/<id>`; a
//! logout brings it back to `anonymous` (the transport has taken it out of
//! every channel first, as it does on disconnect).
//!
//! `messages` events go to everyone connected; `users` events only to the
//! user whose record it is.

use auth_core::prelude::*;
use auth_core::realtime::{AuthenticationEvent, Channel};
use serde_json::Value;

/// Every connection, logged in or not.
const EVERYONE: [&str; 2] = ["anonymous", "authenticated"];

/// The channel of one user's connections.
fn user_channel(id: &Value) -> Option<String> {
    Id::from_json(id).map(|id| format!("users/{id}"))
}

/// Sets up the channels and publishers of the chat app.
pub fn configure(app: &App) -> Result<()> {
    app.on_connection(|app, connection| {
        app.channel("anonymous").join(connection);
    });
    app.on_login(|app, login: &AuthenticationEvent| {
        let Some(connection) = &login.connection else {
            return;
        };
        app.channel("anonymous").leave(connection);
        app.channel("authenticated").join(connection);
        if let Some(channel) = login.result.pointer("/user/id").and_then(user_channel) {
            app.channel(channel).join(connection);
        }
    });
    app.on_logout(|app, logout: &AuthenticationEvent| {
        if let Some(connection) = &logout.connection {
            app.channel("anonymous").join(connection);
        }
    });
    app.service::<super::Messages>("messages")
        .publish(|_event, app| app.channel(EVERYONE).channel());
    app.service::<super::Users>("users").publish(|event, app| {
        match event.data.get("id").and_then(user_channel) {
            Some(channel) => app.channel(channel).channel(),
            None => Channel::default(),
        }
    });
    Ok(())
}
