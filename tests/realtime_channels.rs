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

mod publishers {
    use auth_core::events::{EventKind, ServiceEvent};
    use auth_core::memory::MemoryService;
    use auth_core::prelude::*;
    use auth_core::realtime::{Channel, Connection};
    use serde_json::{Value, json};

    /// A publisher naming itself: the channel it gives sends its name.
    fn named(
        name: &'static str,
        to: &Connection,
    ) -> impl Fn(&ServiceEvent, &App) -> Channel + use<> {
        let to = to.clone();
        move |_, _| Channel::from_connections([to.clone()]).send(json!(name))
    }

    async fn events_of(app: &App) -> Vec<ServiceEvent> {
        let mut events = app.subscribe();
        let messages = app.service::<MemoryService<Value>>("messages");
        let users = app.service::<MemoryService<Value>>("users");
        messages
            .create(json!({ "text": "a" }), Params::new())
            .await
            .unwrap();
        messages
            .patch(0, json!({ "text": "b" }), Params::new())
            .await
            .unwrap();
        users
            .create(json!({ "email": "a@b" }), Params::new())
            .await
            .unwrap();
        users.remove(0, Params::new()).await.unwrap();
        let mut seen = Vec::new();
        for _ in 0..4 {
            seen.push((*events.recv().await.unwrap()).clone());
        }
        seen
    }

    fn app() -> App {
        App::new()
            .register("messages", MemoryService::<Value>::new())
            .register("users", MemoryService::<Value>::new())
    }

    /// Feathers' order: the service's publisher for the event, the
    /// service's for all, the app's for the event, the app's for all.
    #[tokio::test]
    async fn the_most_specific_publisher_decides() {
        let app = app();
        let to = Connection::new(Params::new());
        let chosen =
            |app: &App, event: &ServiceEvent| app.channels_for(event).data_for(&to).cloned();

        let events = events_of(&app).await;
        assert!(
            events
                .iter()
                .all(|event| app.channels_for(event).is_empty()),
            "none: nobody"
        );

        app.publish(named("app", &to));
        app.publish_on(EventKind::Removed, named("app removed", &to));
        app.service::<MemoryService<Value>>("messages")
            .publish(named("messages", &to))
            .publish_on(EventKind::Patched, named("messages patched", &to));
        let expected = [
            ("messages", EventKind::Created, "messages"),
            ("messages", EventKind::Patched, "messages patched"),
            ("users", EventKind::Created, "app"),
            ("users", EventKind::Removed, "app removed"),
        ];
        for (event, (path, kind, publisher)) in events.iter().zip(expected) {
            assert_eq!((event.path.as_ref(), event.event), (path, kind));
            assert_eq!(chosen(&app, event), Some(json!(publisher)), "{path} {kind}");
        }
    }

    /// A publisher reads the event and the app's channels: `users` events
    /// to `users/<id>` only, as CONTRACT.md's chat app does.
    #[tokio::test]
    async fn a_publisher_chooses_channels_by_the_event() {
        let app = app();
        let (owner, other) = (
            Connection::new(Params::new()),
            Connection::new(Params::new()),
        );
        app.channel("users/0").join(&owner);
        app.channel(["authenticated", "users/1"]).join(&other);
        app.service::<MemoryService<Value>>("users")
            .publish(|event, app| app.channel(format!("users/{}", event.data["id"])).channel());
        let events = events_of(&app).await;
        let created_user = &events[2];
        let to = app.channels_for(created_user);
        assert!(to.contains(&owner));
        assert!(!to.contains(&other));
    }
}
