//! Faults on a redis-server of the test's own: stopped, hung, refusing
//! PUBLISH. Calls never wait on Redis, the log says what happened, and
//! the sync comes back by itself.

use std::time::Duration;

use auth_core::prelude::*;
use auth_core::redis_sync::RedisSync;
use tests::logs::Logged;
use tests::redis::{OwnRedis, skip, unique_key};
use tokio::time::{Instant, sleep, timeout};

use crate::harness::{Instance, acl, until_it_crosses, wait_for_subscribers};

#[tokio::test]
async fn a_redis_outage_never_blocks_a_call_and_the_sync_comes_back_by_itself() {
    if skip("a_redis_outage_never_blocks_a_call_and_the_sync_comes_back_by_itself") {
        return;
    }
    let log = Logged::capture();
    let mut redis = OwnRedis::start();
    let key = unique_key("outage");
    let a = Instance::start(&redis.url(), &key);
    let b = Instance::start(&redis.url(), &key);
    wait_for_subscribers(&redis.url(), &key, 2).await;
    b.create("before", Params::new()).await.unwrap();
    a.received.wait_for("before").await;

    redis.stop();
    for n in 0..20 {
        let text = format!("during-{n}");
        timeout(Duration::from_secs(10), a.create(&text, Params::new()))
            .await
            .expect("a call returns while Redis is down")
            .expect("and succeeds");
    }
    a.received.wait_for("during-19").await;

    redis.restart();
    until_it_crosses(&a, &b, "after-a").await;
    until_it_crosses(&b, &a, "after-b").await;
    // Events are dropped during the outage, never queued for later.
    assert!(
        !b.received
            .texts()
            .iter()
            .any(|text| text.starts_with("during")),
        "{:?}",
        b.received.texts()
    );

    let url = redis.url();
    let log = log.lines_with(&url);
    let connected = format!("redis sync: connected to {url}");
    assert!(
        log.contains(&format!("lost the connection to {url}")),
        "{log}"
    );
    assert!(
        log.matches(&connected).count() >= 8,
        "each of the four connections connects, and reconnects after the outage: {log}"
    );
    assert!(
        log.contains("were not sent to the others meanwhile"),
        "{log}"
    );
}

#[tokio::test]
async fn a_hung_redis_never_blocks_a_call_and_the_subscription_notices_it() {
    if skip("a_hung_redis_never_blocks_a_call_and_the_subscription_notices_it") {
        return;
    }
    let log = Logged::capture();
    let redis = OwnRedis::start();
    let (url, key) = (redis.url(), unique_key("hung"));
    let keepalive = Duration::from_millis(300);
    let a = Instance::with(RedisSync::new(&url).key(&key).keepalive(keepalive));
    let b = Instance::with(RedisSync::new(&url).key(&key).keepalive(keepalive));
    wait_for_subscribers(&url, &key, 2).await;
    b.create("before", Params::new()).await.unwrap();
    a.received.wait_for("before").await;

    redis.pause();
    for n in 0..5 {
        let text = format!("during-{n}");
        timeout(Duration::from_secs(10), a.create(&text, Params::new()))
            .await
            .expect("a call returns while Redis hangs")
            .expect("and succeeds");
    }
    a.received.wait_for("during-4").await;
    // Nothing closes the connections: only the keepalive tells.
    let deadline = Instant::now() + Duration::from_secs(15);
    while !log
        .lines_with(&url)
        .contains("(subscribed): no answer to PING")
    {
        assert!(
            Instant::now() < deadline,
            "the subscription never noticed: {}",
            log.lines_with(&url)
        );
        sleep(Duration::from_millis(50)).await;
    }

    redis.resume();
    until_it_crosses(&a, &b, "after-a").await;
    until_it_crosses(&b, &a, "after-b").await;
}

#[tokio::test]
async fn a_refused_publish_is_said_once_and_keeps_the_connection() {
    if skip("a_refused_publish_is_said_once_and_keeps_the_connection") {
        return;
    }
    let log = Logged::capture();
    let redis = OwnRedis::start();
    let (url, key) = (redis.url(), unique_key("refused"));
    let a = Instance::start(&url, &key);
    let b = Instance::start(&url, &key);
    wait_for_subscribers(&url, &key, 2).await;

    acl(&url, "-publish").await;
    for n in 0..10 {
        a.create(&format!("refused-{n}"), Params::new())
            .await
            .unwrap();
    }
    a.received.wait_for("refused-9").await;
    let deadline = Instant::now() + Duration::from_secs(15);
    while !log.lines_with(&url).contains("refuses to publish") {
        assert!(Instant::now() < deadline, "{}", log.lines_with(&url));
        sleep(Duration::from_millis(20)).await;
    }
    acl(&url, "+publish").await;
    until_it_crosses(&a, &b, "accepted").await;

    let lines = log.lines_with(&url);
    assert_eq!(lines.matches("refuses to publish").count(), 1, "{lines}");
    assert!(!lines.contains("lost the connection"), "{lines}");
    assert!(
        !b.received
            .texts()
            .iter()
            .any(|text| text.starts_with("refused"))
    );
}
