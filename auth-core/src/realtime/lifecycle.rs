//! The app events of connections, as Feathers emits them on the app:
//! `connection` (a client connected), `login` and `logout` (the
//! authentication service's `create` and `remove` succeeded for an
//! external caller), `disconnect` (the client is gone, or its token
//! expired). An app moves connections between channels in their handlers,
//! as Feathers' generated `channels.ts` does.
//!
//! Before an app's own handlers run, a disconnect and a logout made over a
//! connection take it out of every channel (Feathers' transport does the
//! same), so a logout handler only rejoins what an anonymous connection
//! belongs to.

use std::sync::{Arc, RwLock};

use serde_json::Value;

use crate::app::App;
use crate::params::Provider;
use crate::realtime::Connection;
use crate::sync::{read, write};

/// A `login` or `logout`: what the authentication service answered, and
/// over which connection, if the caller used one.
#[derive(Debug, Clone)]
pub struct AuthenticationEvent {
    /// The authentication result the caller received (`accessToken`,
    /// `authentication`, `user` after `protect`).
    pub result: Value,
    /// The connection the call came over (`None` over REST).
    pub connection: Option<Connection>,
    /// The transport of the call.
    pub provider: Option<Provider>,
}

type ConnectionHandler = Arc<dyn Fn(&App, &Connection) + Send + Sync>;
type AuthenticationHandler = Arc<dyn Fn(&App, &AuthenticationEvent) + Send + Sync>;

/// The app's handlers of connection events, in registration order.
#[derive(Default)]
pub(crate) struct Lifecycle {
    connection: RwLock<Vec<ConnectionHandler>>,
    disconnect: RwLock<Vec<ConnectionHandler>>,
    login: RwLock<Vec<AuthenticationHandler>>,
    logout: RwLock<Vec<AuthenticationHandler>>,
}

impl App {
    /// Runs `handler` for every new connection (Feathers'
    /// `app.on('connection', ..)`): the place to join it to the channels
    /// of anonymous clients.
    ///
    /// ```
    /// use auth_core::prelude::*;
    /// use auth_core::realtime::Connection;
    ///
    /// let app = App::new();
    /// app.on_connection(|app, connection| {
    ///     app.channel("anonymous").join(connection);
    /// });
    /// app.on_disconnect(|_app, _connection| { /* channels are left already */ });
    ///
    /// let connection = Connection::new(Params::new());
    /// app.emit_connection(&connection);
    /// assert!(app.channel("anonymous").channel().contains(&connection));
    /// app.emit_disconnect(&connection);
    /// assert!(app.channel_names().is_empty());
    /// ```
    pub fn on_connection(
        &self,
        handler: impl Fn(&App, &Connection) + Send + Sync + 'static,
    ) -> &Self {
        write(&self.lifecycle().connection).push(Arc::new(handler));
        self
    }

    /// Runs `handler` when a connection ends (the client went away, or
    /// its login expired), after it left every channel.
    pub fn on_disconnect(
        &self,
        handler: impl Fn(&App, &Connection) + Send + Sync + 'static,
    ) -> &Self {
        write(&self.lifecycle().disconnect).push(Arc::new(handler));
        self
    }

    /// Runs `handler` after every successful authentication by an
    /// external caller (Feathers' `app.on('login', ..)`): with a
    /// connection, the place to move it to the channels of its user.
    pub fn on_login(
        &self,
        handler: impl Fn(&App, &AuthenticationEvent) + Send + Sync + 'static,
    ) -> &Self {
        write(&self.lifecycle().login).push(Arc::new(handler));
        self
    }

    /// Runs `handler` after every successful logout by an external caller;
    /// a connection has left every channel before it runs.
    pub fn on_logout(
        &self,
        handler: impl Fn(&App, &AuthenticationEvent) + Send + Sync + 'static,
    ) -> &Self {
        write(&self.lifecycle().logout).push(Arc::new(handler));
        self
    }

    /// Announces a new connection to the `connection` handlers; transports
    /// call it once per client.
    pub fn emit_connection(&self, connection: &Connection) {
        let handlers = read(&self.lifecycle().connection).clone();
        for handler in handlers {
            handler(self, connection);
        }
    }

    /// Announces the end of a connection: it leaves every channel, then
    /// the `disconnect` handlers run, once per connection however often
    /// it is called. Transports call it when a client goes away; an
    /// expired login and a dropped slow reader call it too.
    pub fn emit_disconnect(&self, connection: &Connection) {
        if !connection.end() {
            return;
        }
        connection.cancel_expiry();
        self.leave_every_channel(connection);
        let handlers = read(&self.lifecycle().disconnect).clone();
        for handler in handlers {
            handler(self, connection);
        }
    }

    /// Announces a login to the `login` handlers; the authentication
    /// service calls it.
    pub fn emit_login(&self, event: &AuthenticationEvent) {
        let handlers = read(&self.lifecycle().login).clone();
        for handler in handlers {
            handler(self, event);
        }
    }

    /// Announces a logout: its connection, if any, leaves every channel,
    /// then the `logout` handlers run; the authentication service calls
    /// it.
    pub fn emit_logout(&self, event: &AuthenticationEvent) {
        if let Some(connection) = &event.connection {
            self.leave_every_channel(connection);
        }
        let handlers = read(&self.lifecycle().logout).clone();
        for handler in handlers {
            handler(self, event);
        }
    }

    fn leave_every_channel(&self, connection: &Connection) {
        self.channel(self.channel_names()).leave(connection);
    }
}
