//! Delivery: each connection of both instances gets an event once, the
//! wire carries no credential, and a malformed message is skipped.

use std::time::Duration;

use auth_core::prelude::*;
use futures_util::StreamExt;
use serde_json::{Value, json};
use tests::redis::{skip, unique_key, url};
use tokio::time::timeout;

use crate::harness::{Instance, publish_raw, raw_subscriber, wait_for_subscribers};

#[tokio::test]
async fn an_event_of_one_instance_reaches_each_connection_of_both_exactly_once() {
    if skip("an_event_of_one_instance_reaches_each_connection_of_both_exactly_once") {
        return;
    }
    let (redis_url, key) = (url().unwrap(), unique_key("once"));
    let a = Instance::start(&redis_url, &key);
    let b = Instance::start(&redis_url, &key);
    assert_ne!(a.sync.instance(), b.sync.instance());
    wait_for_subscribers(&redis_url, &key, 2).await;

    b.create("from b", Params::external(Provider::Rest))
        .await
        .unwrap();
    a.received.wait_for("from b").await;
    // Published after A saw B's event, so B gets it after its own echo.
    a.create("from a", Params::new()).await.unwrap();
    b.received.wait_for("from a").await;

    assert_eq!(a.received.texts(), ["from b", "from a"]);
    assert_eq!(b.received.texts(), ["from b", "from a"]);
}

#[tokio::test]
async fn credentials_never_cross_to_other_instances() {
    if skip("credentials_never_cross_to_other_instances") {
        return;
    }
    let (redis_url, key) = (url().unwrap(), unique_key("credentials"));
    let a = Instance::start(&redis_url, &key);
    let b = Instance::start(&redis_url, &key);
    let mut wire = raw_subscriber(&redis_url, &key).await;
    wait_for_subscribers(&redis_url, &key, 3).await;

    let mut params = Params::external(Provider::Rest);
    params.headers.insert(
        http::header::AUTHORIZATION,
        "Bearer header.token.value".parse().unwrap(),
    );
    params.headers.insert(
        http::header::COOKIE,
        "session=cookie-value".parse().unwrap(),
    );
    params.authentication =
        Some(AuthenticationRequest::new("jwt").with("accessToken", "request.token.value"));
    params.authenticated = true;
    params.user =
        Some(json!({ "id": 1, "email": "ada@example.com", "password": "the-hash" }).into());
    params.set_field(
        "authentication",
        json!({ "strategy": "jwt", "accessToken": "result.token.value" }),
    );
    params.set_field("accessToken", "field.token.value");
    params.set_field("payload", json!({ "sub": "1" }));
    params.query.insert("$limit".into(), json!(5));
    b.create("secretless", params).await.unwrap();

    let message = timeout(Duration::from_secs(15), wire.on_message().next())
        .await
        .expect("the event is published")
        .expect("the subscription is open");
    let text: String = message.get_payload().unwrap();
    for secret in [
        "header.token.value",
        "cookie-value",
        "request.token.value",
        "result.token.value",
        "field.token.value",
        "the-hash",
        "authorization",
        "\"authentication\"",
        "headers",
    ] {
        assert!(
            !text.to_lowercase().contains(&secret.to_lowercase()),
            "{secret} crossed: {text}"
        );
    }
    let json: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["instance"], b.sync.instance());
    assert_eq!(json["path"], "messages");
    assert_eq!(json["event"], "created");
    assert_eq!(json["method"], "create");
    assert_eq!(json["data"]["text"], "secretless");
    let params = &json["params"];
    assert_eq!(params["provider"], "rest");
    assert_eq!(params["authenticated"], true);
    assert_eq!(
        params["user"],
        json!({ "id": 1, "email": "ada@example.com" })
    );
    assert_eq!(params["query"], json!({ "$limit": 5 }));
    assert_eq!(params["fields"], json!({ "payload": { "sub": "1" } }));

    a.received.wait_for("secretless").await;
}

#[tokio::test]
async fn a_malformed_message_is_skipped_and_later_events_arrive() {
    if skip("a_malformed_message_is_skipped_and_later_events_arrive") {
        return;
    }
    let (redis_url, key) = (url().unwrap(), unique_key("malformed"));
    let a = Instance::start(&redis_url, &key);
    let b = Instance::start(&redis_url, &key);
    wait_for_subscribers(&redis_url, &key, 2).await;

    for junk in [
        "not json",
        "[1, 2]",
        r#"{"instance":"elsewhere"}"#,
        r#"{"instance":"elsewhere","path":"messages","event":"exploded","method":"create","data":{"text":"junk"}}"#,
        r#"{"instance":"elsewhere","path":"messages","event":"created","method":"create","id":0.5,"data":{"text":"junk"}}"#,
        r#"{"instance":"elsewhere","path":"messages","event":"created","method":"create","data":{"text":"junk"},"params":{"user":"x","query":7}}"#,
    ] {
        publish_raw(&redis_url, &key, junk).await;
    }
    b.create("after junk", Params::new()).await.unwrap();
    a.received.wait_for("after junk").await;
    assert_eq!(a.received.texts(), ["after junk"]);
}
