//! The resource bounds of the REST transport over a real socket: each has
//! the default `RestOptions` documents and moves with its option; `$limit`
//! is capped at `paginate.max` as in Feathers; a request over its time is
//! `408 Timeout` in Feathers' JSON, whether the service or the client is
//! slow. The bad-input matrix (`bad_input.rs`) checks the defaults against
//! the chat app.

use std::time::{Duration, Instant};

use auth_core::prelude::*;
use auth_core::rest::{QsLimits, RestOptions};
use serde_json::{Value, json};
use tests::http_cases::*;

const SECRET: &str = "rest-bounds-secret";
const PASSWORD: &str = "s3cret-Pa55";

async fn chat(options: RestOptions) -> Server {
    Server::start(examples::chat::app(SECRET).unwrap(), options).await
}

/// The defaults, as `RestOptions` and the README document them.
#[test]
fn defaults() {
    let defaults = RestOptions::default();
    assert_eq!(defaults.body_limit, 1024 * 1024);
    assert_eq!(
        defaults.query_limits,
        QsLimits {
            max_length: 16 * 1024,
            max_params: 1000,
            max_depth: 5,
        }
    );
    assert_eq!(defaults.request_timeout, Some(Duration::from_secs(30)));
}

/// Every bound moves with its option: just under it is served, just over
/// it refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[rustfmt::skip]
async fn bounds_follow_the_options() {
    let options = RestOptions {
        body_limit: 1024,
        query_limits: QsLimits { max_length: 64, max_params: 3, max_depth: 1 },
        request_timeout: None,
        ..RestOptions::default()
    };
    let server = chat(options).await;
    // `text=` and 59 more bytes: 64.
    let at_length = format!("/messages?text={}", "a".repeat(59));
    let over_length = format!("/messages?text={}", "a".repeat(60));
    let cases = [
        case("body: at the limit", post("/messages", message_of(1024)), CREATED),
        case("body: over the limit", raw_json("POST", b"/messages", &message_of(1025)), TOO_LARGE),
        case("body: over the limit, chunked", raw_chunked(b"/messages", &message_of(1025)), TOO_LARGE),
        case("query: at the length", get(&at_length), OK),
        case("query: over the length", get(&over_length), BAD_REQUEST).message("The query string is longer than 64 bytes"),
        case("query: at the pairs", get("/messages?text=a&id=2&userId=3"), OK),
        case("query: over the pairs", get("/messages?a=1&b=2&c=3&d=4"), BAD_REQUEST).message("The query string has more than 3 parameters"),
        case("query: at the depth", get("/messages?text[$ne]=x"), OK),
        case("query: over the depth", get("/messages?$or[0][text]=x"), BAD_REQUEST),
    ];
    assert_cases(&server, &cases).await;
}

/// `$limit` is capped at `paginate.max` (50 for `/messages`), as Feathers
/// caps it, however large; an unpaginated service (`/users`) answers every
/// match, as Feathers does, and applies a `$limit` it is given.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limit_is_capped_at_the_max() {
    let server = chat(RestOptions::default()).await;
    for i in 0..55 {
        let res = server
            .post("/messages", json!({ "text": format!("m{i}") }))
            .await;
        assert_eq!(res.status, 201, "{}", res.shown());
    }
    // (total, limit, how many records came)
    let page = |res: Res| {
        assert_eq!(res.status, 200, "{}", res.shown());
        let page = res.json();
        let data = page["data"].as_array().expect("a page").len();
        (page["total"].clone(), page["limit"].clone(), data)
    };
    let found = page(server.get("/messages?$limit=1000", None).await);
    assert_eq!(found, (json!(55), json!(50), 50));
    let found = page(
        server
            .get("/messages?$limit=18446744073709551615", None)
            .await,
    );
    assert_eq!(found, (json!(55), json!(50), 50));
    let found = page(server.get("/messages", None).await);
    assert_eq!(found, (json!(55), json!(10), 10));
    let found = page(server.get("/messages?$limit=0", None).await);
    assert_eq!(found, (json!(55), json!(0), 0));
    let found = page(
        server
            .get("/messages?$skip=18446744073709551615", None)
            .await,
    );
    assert_eq!(found, (json!(55), json!(10), 0));

    let (_, token) = server.user("ada@example.com", PASSWORD).await;
    let res = server
        .post(
            "/users",
            json!({ "email": "bob@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.shown());
    let count = |res: Res| {
        assert_eq!(res.status, 200, "{}", res.shown());
        res.json().as_array().expect("an unpaginated list").len()
    };
    assert_eq!(count(server.get("/users", Some(&token)).await), 2);
    assert_eq!(count(server.get("/users?$limit=1", Some(&token)).await), 1);
    assert_eq!(
        count(server.get("/users?$limit=1000", Some(&token)).await),
        2
    );
}

/// A service whose `get` sleeps as many milliseconds as its id says, and
/// whose `create` echoes its data.
struct Sleepy;

impl Service for Sleepy {
    type Item = Value;
    type Data = Value;
    type Patch = Value;

    async fn get(&self, id: &Id, _params: &Params) -> Result<Value> {
        let millis: u64 = id
            .to_string()
            .parse()
            .map_err(|_| Error::bad_request("The id is a number of milliseconds"))?;
        tokio::time::sleep(Duration::from_millis(millis)).await;
        Ok(json!({ "slept": millis }))
    }

    async fn create(&self, data: Value, _params: &Params) -> Result<Value> {
        Ok(data)
    }
}

async fn sleepy(request_timeout: Option<Duration>) -> Server {
    let options = RestOptions {
        request_timeout,
        ..RestOptions::default()
    };
    Server::start(App::new().register("sleepy", Sleepy), options).await
}

/// A request over `RestOptions::request_timeout` is `408 Timeout` in
/// Feathers' JSON, promptly, whether the service or the client is slow;
/// quicker requests are untouched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_over_its_time_is_408_timeout() {
    let timeout = Duration::from_millis(300);
    let server = sleepy(Some(timeout)).await;

    // A service slower than the timeout.
    let started = Instant::now();
    let res = server.get("/sleepy/60000", None).await;
    let elapsed = started.elapsed();
    let wrong = problem(TIMEOUT, Some("The request took too long"), &res);
    assert!(wrong.is_none(), "{wrong:?}");
    assert!(
        elapsed >= timeout && elapsed < Duration::from_secs(5),
        "answered after {elapsed:?}"
    );

    // A body that never finishes arriving: 5 of 100 bytes.
    let started = Instant::now();
    let mut request = raw_head("POST", b"/sleepy", &[JSON, b"Content-Length: 100"]);
    request.extend_from_slice(br#"{"a":"#);
    let res = server.send(&Request::Raw(request)).await.unwrap();
    let elapsed = started.elapsed();
    let wrong = problem(TIMEOUT, Some("The request took too long"), &res);
    assert!(wrong.is_none(), "{wrong:?}");
    assert!(
        elapsed < Duration::from_secs(5),
        "answered after {elapsed:?}"
    );

    // Quicker requests are untouched.
    let res = server.get("/sleepy/0", None).await;
    assert_eq!(res.status, 200, "{}", res.shown());
    assert_eq!(res.json(), json!({ "slept": 0 }));
    let res = server.post("/sleepy", json!({ "a": 1 })).await;
    assert_eq!(res.status, 201, "{}", res.shown());
}

/// With `request_timeout: None`, a call takes as long as it takes: here
/// twice the timeout the test above answers with a 408.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_timeout_waits() {
    let server = sleepy(None).await;
    let res = server.get("/sleepy/600", None).await;
    assert_eq!(res.status, 200, "{}", res.shown());
    assert_eq!(res.json(), json!({ "slept": 600 }));
}
