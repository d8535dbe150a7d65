//! Channels, as Feathers' `transport-commons` channel tests use them:
//! named channels made on demand and gone when empty, several names at
//! once (each connection once), leaving by connection or by predicate,
//! detached channels from `filter` and `send`, and the data of the first
//! channel that holds a connection when channels combine.

use auth_core::prelude::*;
use auth_core::realtime::{Channel, Connection};
use serde_json::json;

fn connection() -> Connection {
    Connection::new(Params::external(Provider::Other("socketio".into())))
}

fn ids(channel: &Channel) -> Vec<u64> {
    channel.connections().map(Connection::id).collect()
}

#[test]
fn named_channels_are_made_on_join_and_gone_when_empty() {
    let app = App::new();
    let (a, b) = (connection(), connection());
    assert!(app.channel_names().is_empty());
    assert!(app.channel("room").is_empty());
    app.channel("room").join(&a).join(&b).join(&a);
    assert_eq!(app.channel("room").len(), 2, "joining twice counts once");
    assert_eq!(app.channel_names(), ["room"]);
    app.channel("room").leave(&a);
    assert_eq!(ids(&app.channel("room").channel()), [b.id()]);
    app.channel("room").leave(&b);
    assert!(app.channel_names().is_empty(), "an empty channel is gone");
    // Leaving a channel one is not in, or one that does not exist, is no error.
    app.channel("nowhere").leave(&a);
}

#[test]
fn several_names_join_leave_and_count_each_connection_once() {
    let app = App::new();
    let (a, b, c) = (connection(), connection(), connection());
    app.channel(["x", "y"]).join(&a);
    app.channel("y").join(&b);
    app.channel(vec!["z".to_owned()]).join(&c);
    assert_eq!(app.channel(["x", "y"]).len(), 2);
    assert_eq!(ids(&app.channel(["y", "x"]).channel()), [a.id(), b.id()]);
    // A disconnect: leave every channel.
    app.channel(app.channel_names()).leave(&a);
    assert_eq!(app.channel_names(), ["y", "z"]);
    assert_eq!(app.channel(["x", "y", "z"]).len(), 2);
    let none: [&str; 0] = [];
    app.channel(none).join(&a);
    assert_eq!(app.channel_names(), ["y", "z"], "no names: nothing joined");
}

#[test]
fn leaving_by_predicate_reads_each_connections_params() {
    let app = App::new();
    let (ada, bob) = (connection(), connection());
    ada.update_params(|params| {
        params.query.insert("user".to_owned(), json!(1));
    });
    bob.update_params(|params| {
        params.query.insert("user".to_owned(), json!(2));
    });
    app.channel("authenticated").join(&ada).join(&bob);
    app.channel("authenticated")
        .leave_where(|connection| connection.params().query["user"] == 1);
    assert_eq!(ids(&app.channel("authenticated").channel()), [bob.id()]);
}

#[test]
fn filter_and_send_give_detached_channels() {
    let app = App::new();
    let (a, b) = (connection(), connection());
    app.channel("all").join(&a).join(&b);
    let only_b = app.channel("all").filter(|connection| *connection == b);
    assert_eq!(ids(&only_b), [b.id()]);
    let short = app.channel("all").send(json!({ "id": 1 }));
    assert_eq!(short.data_for(&a), Some(&json!({ "id": 1 })));
    // Detached: the app's channel is unchanged, and later joins do not
    // reach a channel taken before.
    let before = app.channel("all").channel();
    app.channel("all").join(&connection());
    assert_eq!(before.len(), 2);
    assert_eq!(app.channel("all").len(), 3);
}

#[test]
fn combined_channels_hold_each_connection_once_with_the_first_data() {
    let (a, b, c) = (connection(), connection(), connection());
    let first = Channel::from_connections([a.clone(), b.clone()]).send(json!("first"));
    let second = Channel::from_connections([b.clone(), c.clone()]).send(json!("second"));
    let plain = Channel::from_connections([a.clone(), c.clone()]);
    let combined = Channel::combine([first, second, plain]);
    assert_eq!(ids(&combined), [a.id(), b.id(), c.id()]);
    assert_eq!(combined.data_for(&a), Some(&json!("first")));
    assert_eq!(combined.data_for(&b), Some(&json!("first")));
    assert_eq!(combined.data_for(&c), Some(&json!("second")));
    assert!(combined.contains(&c));
    assert!(!combined.contains(&connection()));
    let plain_first = Channel::combine([
        Channel::from_connections([a.clone()]),
        Channel::from_connections([a.clone()]).send(json!(1)),
    ]);
    assert_eq!(plain_first.data_for(&a), None, "the event's own data");
}

#[test]
fn a_connections_debug_shows_no_params() {
    let ada = connection();
    ada.update_params(|params| {
        params
            .headers
            .insert("authorization", "Bearer secret-token".parse().unwrap());
    });
    let shown = format!("{ada:?}");
    assert!(shown.contains(&format!("id: {}", ada.id())), "{shown}");
    assert!(!shown.contains("secret-token"), "{shown}");
}
