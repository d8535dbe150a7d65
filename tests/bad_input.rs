//! Bad input over HTTP: a table of hostile and broken requests against the
//! chat app of `/work/shared/CONTRACT.md` served on a real socket, each
//! with the exact status it must get and, when the app answers, Feathers'
//! error JSON (`name`, `message`, `code` equal to the status,
//! `className`). No case may be a 500, a hang or a panic; every failing
//! case is reported, not only the first; after the whole table the server
//! still answers ordinary requests. The harness is `tests::http_cases`.
//!
//! Ordinary requests go through `reqwest`; requests a client would refuse
//! or normalise (bytes that are not UTF-8 in the request line or a header,
//! `..` and `%2e%2e` segments, chunked or oversized bodies, request lines
//! that are not HTTP) are written as raw bytes to a `tokio::net::TcpStream`.
//! Those the HTTP server below the app refuses get a bare status with no
//! body, as Node's HTTP server answers them under Feathers.
//!
//! Where the answer is a choice, the row's name says whose: Feathers' (an
//! unknown `Authorization` scheme is no credentials; of two `Authorization`
//! headers the first counts, as Node keeps it), or ours as written in
//! `docs/design.md` (E1 to E7 for content types: a body that is not
//! declared JSON is a `415`).
//! The bounds of `RestOptions` are tested in `rest_bounds.rs`; the JWT
//! attacks in depth, with every message, in `jwt_attacks.rs`.

use auth_core::authentication::JwtOptions;
use auth_core::rest::RestOptions;
use reqwest::Method;
use serde_json::{Value, json};
use tests::base64url;
use tests::http_cases::*;
use tests::sign;

const SECRET: &str = "bad-input-secret";
const PASSWORD: &str = "s3cret-Pa55";
const MIB: usize = 1024 * 1024;

/// The chat app with the default options.
async fn chat() -> Server {
    Server::start(examples::chat::app(SECRET).unwrap(), RestOptions::default()).await
}

/// `POST /messages` of `body` with this `Content-Type` (none when empty).
fn typed(content_type: &str, body: &str) -> Req {
    let req = Req::new(Method::POST, "/messages").body(body);
    match content_type {
        "" => req,
        _ => req.header("content-type", content_type.to_owned()),
    }
}

// ---------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------

/// The segments of a JWT.
fn segments(token: &str) -> Vec<&str> {
    token.split('.').collect()
}

/// A token whose header segment is `header`, keeping the payload and
/// `signature` as given.
fn with_header(token: &str, header: &Value, signature: &str) -> String {
    let payload = segments(token)[1];
    format!(
        "{}.{payload}.{signature}",
        base64url::encode(header.to_string().as_bytes())
    )
}

/// The attacks on the access token, each `(name, token, message)`: all are
/// `401 NotAuthenticated`, with node-jsonwebtoken's message where
/// jsonwebtoken can tell the failures apart.
#[rustfmt::skip]
fn hostile_tokens(valid: &str, sub: &str) -> Vec<(&'static str, String, &'static str)> {
    let signature = segments(valid)[2];
    let none = json!({ "alg": "none", "typ": "access" });
    let payload = base64url::decode(segments(valid)[1]).unwrap();
    let mut claims: Value = serde_json::from_slice(&payload).unwrap();
    claims["exp"] = json!(claims["exp"].as_u64().unwrap() + 3600);
    let longer = format!("{}.{}.{signature}", segments(valid)[0], base64url::encode(claims.to_string().as_bytes()));
    let other = |change: fn(&mut JwtOptions)| {
        let mut options = JwtOptions::default();
        change(&mut options);
        sign(SECRET, &options, sub, None)
    };
    vec![
        // node-jsonwebtoken says `jwt signature is required` or `invalid
        // algorithm`; jsonwebtoken can not read `none` (see jwt_attacks.rs).
        ("alg none, no signature", with_header(valid, &none, ""), "jwt malformed"),
        ("alg none, the real signature", with_header(valid, &none, signature), "jwt malformed"),
        ("another secret", sign("another secret", &JwtOptions::default(), sub, None), "invalid signature"),
        ("exp moved, signature kept", longer, "invalid signature"),
        ("HS512 with the right secret", other(|options| options.algorithm = "HS512".into()), "invalid algorithm"),
        ("expired", sign(SECRET, &JwtOptions::default(), sub, Some(0)), "jwt expired"),
        ("wrong aud", other(|options| options.audience = "https://evil.example".into()), "jwt audience invalid. expected: https://yourdomain.com"),
        ("wrong iss", other(|options| options.issuer = "not-feathers".into()), "jwt issuer invalid. expected: feathers"),
        ("garbage", "garbage".to_owned(), "jwt malformed"),
        ("truncated signature", valid[..valid.len() - signature.len() + 20].to_owned(), "invalid signature"),
        ("truncated mid-payload", valid[..valid.len() / 2].to_owned(), "jwt malformed"),
        ("two segments", segments(valid)[..2].join("."), "jwt malformed"),
        ("a user that does not exist", sign(SECRET, &JwtOptions::default(), "424242", None), "Invalid access token: its user no longer exists"),
    ]
}

// ---------------------------------------------------------------------------
// The matrix
// ---------------------------------------------------------------------------

/// The matrix for a chat app where user `sub` holds `token` and message 0
/// exists. One row per line, hence no rustfmt.
#[rustfmt::skip]
fn cases(token: &str, sub: &str) -> Vec<Case> {
    let deep_arrays = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_objects = format!("{}1{}", r#"{"a":"#.repeat(100_000), "}".repeat(100_000));
    let unclosed = "[".repeat(100_000);
    let too_large = message_of(MIB + 1);
    let long_query = format!("/messages?text={}", "a".repeat(16 * 1024));
    let longest_query = format!("/messages?text={}", "a".repeat(16 * 1024 - 5));
    let huge_uri = format!("/messages?text={}", "a".repeat(70 * 1024));
    let many_params = format!("/messages?{}", "a=1&".repeat(1_001));
    let most_params = format!("/messages?{}", "a=1&".repeat(1_000));
    let long_header = "x".repeat(10 * 1024);
    let huge_header = format!("X-Huge: {}", "x".repeat(500 * 1024));
    let many_headers: Vec<String> = (0..120).map(|i| format!("X-H{i}: v")).collect();
    let many_headers: Vec<&[u8]> = many_headers.iter().map(|line| line.as_bytes()).collect();

    let mut cases = vec![
        // Malformed JSON bodies: 400 whatever the service, never reaching it.
        case("json: truncated object", post("/messages", r#"{"text":"a""#), BAD_REQUEST),
        case("json: trailing comma", post("/messages", r#"{"text":"a",}"#), BAD_REQUEST),
        case("json: single quotes", post("/messages", "{'text':'a'}"), BAD_REQUEST),
        case("json: trailing garbage", post("/messages", r#"{"text":"a"} x"#), BAD_REQUEST),
        case("json: not JSON at all", post("/messages", "text=hello"), BAD_REQUEST),
        case("json: bad escape", post("/messages", r#"{"text":"\x"}"#), BAD_REQUEST),
        case("json: NaN", post("/messages", r#"{"text":NaN}"#), BAD_REQUEST),
        case("json: lone surrogate escape", post("/messages", r#"{"text":"\ud800"}"#), BAD_REQUEST),
        case("json: number out of range", post("/messages", r#"{"text":1e999}"#), BAD_REQUEST),
        case("json: 100k nested arrays", post("/messages", deep_arrays.clone()), BAD_REQUEST),
        case("json: 100k nested objects", post("/messages", deep_objects), BAD_REQUEST),
        case("json: 100k unclosed arrays", post("/messages", unclosed), BAD_REQUEST),
        case("json: nested arrays in PUT", put("/messages/1", deep_arrays.clone()), BAD_REQUEST),
        case("json: nested arrays in PATCH", patch("/messages/1", deep_arrays.clone()), BAD_REQUEST),
        case("json: nested arrays to /authentication", post("/authentication", deep_arrays), BAD_REQUEST),
        case("json: malformed to /users", post("/users", r#"{"email":"#), BAD_REQUEST),
        case("json: malformed to /authentication", post("/authentication", r#"{"strategy":"local""#), BAD_REQUEST),
        case("json: UTF-8 BOM, as Node's decoder strips it", post("/messages", b"\xef\xbb\xbf{\"text\":\"bom\"}".to_vec()), CREATED),
        case("json: whitespace only is {}", post("/messages", " \r\n "), BAD_REQUEST).message("Invalid data: missing field `text`"),
        case("json: empty text", post("/messages", r#"{"text":"   "}"#), BAD_REQUEST).message("A message needs text"),
        case("json: null", post("/messages", "null"), BAD_REQUEST),
        case("json: a string", post("/messages", r#""text""#), BAD_REQUEST),
        case("json: a list, multi refused", post("/messages", r#"[{"text":"a"}]"#), BAD_REQUEST),
        case("json: text of the wrong type", post("/messages", r#"{"text":5}"#), BAD_REQUEST),
        // Bytes that are not UTF-8 in a body.
        case("utf-8: raw \\xff in a JSON string", post("/messages", b"{\"text\":\"\xff\"}".to_vec()), BAD_REQUEST),
        case("utf-8: UTF-16 body", post("/messages", b"\xff\xfe{\x00}\x00".to_vec()), BAD_REQUEST),
        case("utf-8: overlong encoding", post("/messages", b"{\"text\":\"\xc0\xaf\"}".to_vec()), BAD_REQUEST),
        // Content types: only JSON is read; anything else, and a body with
        // no type, is a 415 (docs/design.md E3; Feathers' parsers
        // would skip a non-JSON type and hand the service `{}`).
        case("type: none, JSON body", typed("", r#"{"text":"no type"}"#), UNSUPPORTED),
        case("type: text/plain, JSON body", typed("text/plain", r#"{"text":"plain"}"#), UNSUPPORTED),
        case("type: charset=utf-16, UTF-8 body", typed("application/json; charset=utf-16", r#"{"text":"utf"}"#), UNSUPPORTED),
        case("type: nonsense, JSON body", typed(";;;=", r#"{"text":"odd"}"#), UNSUPPORTED),
        case("type: form body", typed("application/x-www-form-urlencoded", "text=hi"), UNSUPPORTED),
        case("type: multipart body", typed("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nhi\r\n--x--\r\n"), UNSUPPORTED),
        case("type: XML body", typed("application/xml", "<text>hi</text>"), UNSUPPORTED),
        case("type: +json suffix", typed("application/merge-patch+json", r#"{"text":"suffix"}"#), CREATED),
        // Oversized bodies.
        case("size: 1 MiB + 1 with Content-Length", raw_json("POST", b"/messages", &too_large), TOO_LARGE).message("Request body is too large"),
        case("size: 1 MiB + 100 chunked", raw_chunked(b"/messages", &message_of(MIB + 100)), TOO_LARGE).message("Request body is too large"),
        case("size: 1 MiB + 1 in PUT", raw_json("PUT", b"/messages/1", &too_large), TOO_LARGE),
        case("size: 1 MiB + 1 in PATCH", raw_json("PATCH", b"/messages/1", &too_large), TOO_LARGE),
        case("size: 1 MiB + 1 to /authentication", raw_json("POST", b"/authentication", &too_large), TOO_LARGE),
        case("size: 100 GB declared, none sent", raw_request("POST", b"/messages", &[JSON, b"Content-Length: 100000000000"], b""), TOO_LARGE),
        case("size: exactly 1 MiB", post("/messages", message_of(MIB)), CREATED),
        case("size: Content-Length not a number", raw_request("POST", b"/messages", &[b"Content-Length: abc"], b""), Expect::Refused(400)),
        // Query strings: length, pairs, depth.
        case("query: over 16 KiB", get(&long_query), BAD_REQUEST).message("The query string is longer than 16384 bytes"),
        case("query: exactly 16 KiB", get(&longest_query), OK),
        case("query: URI over 64 KiB", raw_get(huge_uri.as_bytes(), &[]), Expect::Refused(414)),
        case("query: 1001 pairs", get(&many_params), BAD_REQUEST).message("The query string has more than 1000 parameters"),
        // Accepted by the parser, then refused by the typed service: a
        // message has no field `a` (issue 15, point 6).
        case("query: 1000 pairs", get(&most_params), BAD_REQUEST).message("Unknown field 'a'"),
        case("query: a[b][c][d][e][f][g]=1", get("/messages?a[b][c][d][e][f][g]=1"), BAD_REQUEST),
        case("query: a[b][c][d][e][f]=1", get("/messages?a[b][c][d][e][f]=1"), BAD_REQUEST).message("Unknown field 'a'"),
        case("query: escaped brackets, 6 deep", get("/messages?a%5Bb%5D%5Bc%5D%5Bd%5D%5Be%5D%5Bf%5D%5Bg%5D=1"), BAD_REQUEST),
        case("query: 100 unbalanced brackets", get(&format!("/messages?a{}=1", "[".repeat(100))), BAD_REQUEST).message(&format!("Unknown field 'a{}'", "[".repeat(100))),
        case("query: a value and nested keys", get("/messages?a=1&a[b]=2"), BAD_REQUEST),
        // Unknown `$` operators and malformed filters, as Feathers' adapter
        // (a negative `$limit` is our 400, docs/design.md 15).
        case("query: $foo", get("/messages?$foo=1"), BAD_REQUEST).message("Invalid filter value $foo"),
        case("query: escaped $foo", get("/messages?%24foo=1"), BAD_REQUEST).message("Invalid filter value $foo"),
        case("query: text[$regex]", get("/messages?text[$regex]=x"), BAD_REQUEST).message("Invalid query parameter $regex"),
        case("query: text[$exists]", get("/messages?text[$exists]=true"), BAD_REQUEST).message("Invalid query parameter $exists"),
        case("query: $where inside $or", get("/messages?$or[0][$where]=1"), BAD_REQUEST).message("Invalid query parameter $where"),
        case("query: $populate", get("/messages?$populate=user"), BAD_REQUEST).message("Invalid filter value $populate"),
        case("query: $or not a list", get("/messages?$or=1"), BAD_REQUEST),
        case("query: $limit=abc", get("/messages?$limit=abc"), BAD_REQUEST).message("Invalid $limit: expected a non-negative integer"),
        case("query: $limit=-1", get("/messages?$limit=-1"), BAD_REQUEST),
        case("query: $limit beyond u64", get("/messages?$limit=99999999999999999999999"), BAD_REQUEST),
        case("query: $limit[$gt]=1", get("/messages?$limit[$gt]=1"), BAD_REQUEST),
        case("query: $skip=-5", get("/messages?$skip=-5"), BAD_REQUEST),
        case("query: $sort[text]=2", get("/messages?$sort[text]=2"), BAD_REQUEST),
        case("query: unknown operator on /users", get("/users?email[$regex]=.*").bearer(token), BAD_REQUEST),
        case("query: unknown operator behind authentication", get("/secrets?$foo=1"), NOT_AUTHENTICATED),
        case("query: $limit beyond the max is capped", get("/messages?$limit=1000"), OK),
        case("query: __proto__", get("/messages?__proto__[x]=1"), BAD_REQUEST).message("Unknown field '__proto__'"),
        // Bytes that are not UTF-8: percent-encoded, and raw.
        case("utf-8: %FF in a query value", get("/messages?text=%FF"), OK),
        case("utf-8: %FF in a query key", get("/messages?%FF=1"), BAD_REQUEST).message("Unknown field '\u{fffd}'"),
        case("utf-8: %FF as the id", get("/messages/%FF"), BAD_REQUEST).message("The path is not valid UTF-8"),
        case("utf-8: %C3%28 as the id", delete("/messages/%C3%28"), BAD_REQUEST),
        case("utf-8: %FF as a service path", get("/%FF"), NOT_FOUND),
        case("utf-8: raw \\xff in the path", raw_get(b"/messages/\xff", &[]), Expect::Refused(400)),
        case("utf-8: raw \\xff in the query", raw_get(b"/messages?text=\xff", &[]), Expect::Refused(400)),
        // Ids and paths.
        case("id: not a number", get("/messages/abc"), NOT_FOUND).message("No record found for id 'abc'"),
        case("id: negative", get("/messages/-1"), NOT_FOUND),
        case("id: beyond i64", get("/messages/99999999999999999999"), NOT_FOUND),
        case("id: NUL", get("/messages/%00"), NOT_FOUND),
        case("id: 10 000 characters", get(&format!("/messages/{}", "a".repeat(10_000))), NOT_FOUND),
        case("id: traversal, escaped slashes", get("/messages/..%2F..%2Fetc%2Fpasswd"), NOT_FOUND).message("No record found for id '../../etc/passwd'"),
        case("id: %2e%2e", raw_get(b"/messages/%2e%2e", &[]), NOT_FOUND).message("No record found for id '..'"),
        case("id: traversal, raw segments", raw_get(b"/messages/../../etc/passwd", &[]), NOT_FOUND).message("Path /messages/../../etc/passwd not found"),
        case("id: traversal above the root", raw_get(b"/../../etc/passwd", &[]), NOT_FOUND),
        case("id: two segments", get("/messages/0/1"), NOT_FOUND),
        // Changes are the author's: a user learns the record is missing;
        // an anonymous caller, who can change no message, learns nothing.
        case("id: update a missing record", put("/messages/abc", r#"{"text":"x"}"#).bearer(token), NOT_FOUND),
        case("id: remove a missing record", delete("/messages/abc").bearer(token), NOT_FOUND),
        case("id: remove, anonymous", delete("/messages/abc"), Expect::Error(403, "Forbidden")),
        case("id: on /users without a token", get("/users/abc"), NOT_AUTHENTICATED),
        case("path: unknown service", get("/nope"), NOT_FOUND).message("Path /nope not found"),
        case("path: POST with an id", post("/messages/0", r#"{"text":"x"}"#), METHOD_NOT_ALLOWED),
        case("path: unknown method", raw_request("FOO", b"/messages", &[], b""), METHOD_NOT_ALLOWED),
        case("path: unknown custom method", post("/messages", r#"{"text":"x"}"#).header("x-service-method", "nope"), METHOD_NOT_ALLOWED),
        // Request lines that are not HTTP: refused below the app.
        case("http: garbage request line", Request::Raw(b"GARBAGE\r\n\r\n".to_vec()), Expect::Refused(400)),
        case("http: no version", Request::Raw(b"GET /messages\r\n\r\n".to_vec()), Expect::Refused(400)),
        case("http: control byte in a header", raw_get(b"/messages", &[b"X-Bad: a\x01b"]), Expect::Refused(400)),
        case("http: header line without a colon", raw_get(b"/messages", &[b"NoColon"]), Expect::Refused(400)),
        case("http: 120 headers", raw_get(b"/messages", &many_headers), Expect::Refused(431)),
        case("http: a 500 KB header", raw_get(b"/messages", &[huge_header.as_bytes()]), Expect::Refused(431)),
        // Headers of every bad shape. An unknown scheme is no credentials and
        // of two `Authorization` headers the first counts, as in Feathers on Node.
        case("header: Authorization not UTF-8, /secrets", raw_get(b"/secrets", &[b"Authorization: Bearer \xff\xfe\xfd"]), NOT_AUTHENTICATED),
        case("header: Bearer without a token, /messages", get("/messages").header("authorization", "Bearer"), NOT_AUTHENTICATED).message("jwt malformed"),
        case("header: Bearer without a token, /secrets", get("/secrets").header("authorization", "Bearer "), NOT_AUTHENTICATED),
        case("header: an unknown scheme is no credentials, /messages", get("/messages").header("authorization", "Basic Zm9vOmJhcg=="), OK),
        case("header: an unknown scheme is no credentials, /secrets", get("/secrets").header("authorization", "Basic Zm9vOmJhcg=="), NOT_AUTHENTICATED).message("Not authenticated"),
        case("header: 10 KB Authorization", get("/messages").header("authorization", format!("Bearer {long_header}")), NOT_AUTHENTICATED).message("jwt malformed"),
        case("header: 10 KB other header", get("/messages").header("x-padding", long_header.clone()), OK),
        case("header: two Authorization, the first valid", get("/secrets").bearer(token).header("authorization", "Bearer garbage"), OK),
        case("header: two Authorization, the first garbage", get("/secrets").header("authorization", "Bearer garbage").bearer(token), NOT_AUTHENTICATED).message("jwt malformed"),
        case("header: whitespace-only Authorization, /messages", raw_get(b"/messages", &[b"Authorization:    \t "]), OK),
        case("header: whitespace-only Authorization, /secrets", raw_get(b"/secrets", &[b"Authorization:    \t "]), NOT_AUTHENTICATED).message("Not authenticated"),
        case("header: Bearer and three words", get("/secrets").header("authorization", "Bearer a b c"), NOT_AUTHENTICATED).message("jwt malformed"),
        case("header: X-Service-Method not UTF-8", raw_request("POST", b"/messages", &[b"X-Service-Method: \xff", JSON], br#"{"text":"x"}"#), CREATED),
        // The valid token, as a control.
        case("jwt: the valid token, /secrets", get("/secrets").bearer(token), OK),
    ];
    for (name, hostile, message) in hostile_tokens(token, sub) {
        let body = json!({ "strategy": "jwt", "accessToken": hostile }).to_string();
        cases.extend([
            case(&format!("jwt: {name}, /secrets"), get("/secrets").bearer(&hostile), NOT_AUTHENTICATED).message(message),
            // Never downgraded to anonymous.
            case(&format!("jwt: {name}, /messages"), get("/messages").bearer(&hostile), NOT_AUTHENTICATED).message(message),
            case(&format!("jwt: {name}, POST /authentication"), post("/authentication", body), NOT_AUTHENTICATED).message(message),
        ]);
    }
    cases
}

/// The whole matrix on one server; every failure reported at once; the
/// server answers ordinary requests afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_matrix() {
    let server = chat().await;
    let (sub, token) = server.user("ada@example.com", PASSWORD).await;
    let res = server.post("/messages", json!({ "text": "first" })).await;
    assert_eq!(res.status, 201, "{}", res.shown());

    let cases = cases(&token, &sub);
    assert!(cases.len() >= 60, "only {} cases", cases.len());
    assert_cases(&server, &cases).await;

    // Still serving.
    let res = server.get("/messages/1", None).await;
    assert_eq!(res.status, 200, "{}", res.shown());
    assert_eq!(res.json()["text"], "first");
    let res = server.get("/secrets", Some(&token)).await;
    assert_eq!(res.status, 200, "{}", res.shown());
    assert_eq!(res.json(), json!([{ "secret": "ok" }]));
}

/// An `Authorization` header with bytes beyond ASCII is a token presented
/// (and refused), never a call without credentials.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_authorization_header_that_is_not_utf8_is_refused_not_downgraded() {
    let server = chat().await;
    // CONTRACT.md: "an external call with a bad token is still a 401 (it
    // is never silently downgraded to anonymous)". Node reads the bytes as
    // latin1 and the token fails to verify: 401 `jwt malformed`.
    let cases = [
        case(
            "header: Authorization not UTF-8, /messages",
            raw_get(b"/messages", &[b"Authorization: Bearer \xff\xfe\xfd"]),
            NOT_AUTHENTICATED,
        ),
        case(
            "header: bare token not UTF-8, /messages",
            raw_get(b"/messages", &[b"Authorization: \xe9t\xe9"]),
            NOT_AUTHENTICATED,
        ),
    ];
    assert_cases(&server, &cases).await;
}
