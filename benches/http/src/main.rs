//! The yardstick for `benches/http/run.sh`: the chat app's measured routes
//! written by hand on axum, with no framework.
//!
//! It does the chat app's work and no less: the same JSON, HS256 tokens
//! checked with the same `Validation` (algorithm pinned, `aud`, `iss`,
//! `exp` required, no leeway) and the token's user looked up by `sub`,
//! argon2id (default parameters, OWASP's minimum) on the blocking pool for
//! sign-up and login, and an unknown login email verified against a dummy
//! hash so that it costs a wrong password's time. Nothing is cached.
//! What the contract asks of every answer and connection (`nosniff`, CORS,
//! a panic as a `500`, a stalled head dropped after 30 s) is done by hand in
//! [`contract`], unless `CONTRACT_LAYERS=0`.
//!
//! Routes: `GET /messages/{id}`, `GET /messages` (`$limit`, `$skip`),
//! `POST /messages`, `POST /users`, `POST /authentication` (strategies
//! `local` and `jwt`). `HOST`, `PORT` (127.0.0.1:3030) and `AUTH_SECRET`
//! (random when unset) as in the chat app; `DATABASE_URL` chooses where
//! the records are (`memory://` when unset, `sqlite://PATH`,
//! `postgres://...`: see [`storage`]).

mod contract;
mod storage;

use std::sync::{Arc, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm as Argon, Argon2, Params as ArgonParams, Version};
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jsonwebtoken::errors::ErrorKind as JwtError;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use storage::Storage;

const AUDIENCE: &str = "https://yourdomain.com";
const ISSUER: &str = "feathers";
const LIFETIME: u64 = 24 * 60 * 60;
const MAX_TOKEN_LENGTH: usize = 8 * 1024;
const MAX_PASSWORD_LENGTH: usize = 1024;
const BODY_LIMIT: usize = 1024 * 1024;
const PAGE_DEFAULT: usize = 10;
const PAGE_MAX: usize = 50;

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Message {
    id: u64,
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    anonymous: Option<bool>,
}

/// A user as callers see it: no password.
#[derive(Serialize)]
struct PublicUser {
    id: u64,
    email: String,
}

/// The claims of a token, in the order Feathers writes them.
#[derive(Serialize, Deserialize)]
struct Claims {
    iat: u64,
    exp: u64,
    aud: String,
    iss: String,
    sub: String,
    jti: String,
}

/// What the route needs from a verified token.
#[derive(Deserialize)]
struct Verified {
    exp: f64,
    #[serde(default)]
    sub: Option<String>,
}

struct AppState {
    storage: Storage,
    encoding: EncodingKey,
    decoding: DecodingKey,
    header: Header,
    validation: Validation,
}

type Shared = Arc<AppState>;

/// Feathers' error JSON, with the status equal to `code`.
struct ApiError {
    status: StatusCode,
    name: &'static str,
    class_name: &'static str,
    message: String,
    /// `data` or `errors`, when set.
    extra: Option<Box<(&'static str, Value)>>,
}

impl ApiError {
    fn new(
        status: StatusCode,
        name: &'static str,
        class_name: &'static str,
        message: String,
    ) -> Self {
        ApiError {
            status,
            name,
            class_name,
            message,
            extra: None,
        }
    }
    fn not_authenticated(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "NotAuthenticated",
            "not-authenticated",
            message.into(),
        )
    }
    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "bad-request",
            message.into(),
        )
    }
    fn not_found(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            "not-found",
            message.into(),
        )
    }
    fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "Conflict", "conflict", message.into())
    }
    fn general(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "GeneralError",
            "general-error",
            message.into(),
        )
    }
    fn unavailable(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Unavailable",
            "unavailable",
            message.into(),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({
            "name": self.name,
            "message": self.message,
            "code": self.status.as_u16(),
            "className": self.class_name,
        });
        if let Some(extra) = self.extra {
            let (key, value) = *extra;
            body[key] = value;
        }
        reply(self.status, &body)
    }
}

type Reply = Result<Response, ApiError>;

fn reply(status: StatusCode, body: &impl Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => {
            let mut response = Response::new(Body::from(bytes));
            *response.status_mut() = status;
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn random_uuid() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex(&bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

// ---- passwords: argon2id, OWASP minimum (the crate's defaults) ----

fn argon2() -> Argon2<'static> {
    Argon2::new(Argon::Argon2id, Version::V0x13, ArgonParams::default())
}

fn hash_now(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| ApiError::general(format!("Could not hash a password: {error}")))
}

fn verify_now(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_now("nobody has this password").unwrap_or_default())
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| ApiError::general(format!("Password hashing failed: {error}")))
}

// ---- tokens ----

fn jwt_message(kind: &JwtError) -> String {
    match kind {
        JwtError::ExpiredSignature => "jwt expired".to_owned(),
        JwtError::ImmatureSignature => "jwt not active".to_owned(),
        JwtError::InvalidSignature => "invalid signature".to_owned(),
        JwtError::InvalidAlgorithm | JwtError::InvalidAlgorithmName => {
            "invalid algorithm".to_owned()
        }
        JwtError::InvalidAudience => format!("jwt audience invalid. expected: {AUDIENCE}"),
        JwtError::InvalidIssuer => format!("jwt issuer invalid. expected: {ISSUER}"),
        JwtError::MissingRequiredClaim(claim) => format!("jwt {claim} required"),
        JwtError::InvalidClaimFormat(claim) => format!("invalid {claim} value"),
        _ => "jwt malformed".to_owned(),
    }
}

impl AppState {
    fn new(secret: &str, storage: Storage) -> Self {
        let mut header = Header::new(Algorithm::HS256);
        header.typ = Some("access".to_owned());
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.validate_nbf = true;
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "aud", "iss"]);
        AppState {
            storage,
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            header,
            validation,
        }
    }

    /// The user a valid token names, without its password.
    async fn verify(&self, token: &str) -> Result<PublicUser, ApiError> {
        if token.is_empty() {
            return Err(ApiError::not_authenticated("No access token"));
        }
        let invalid = |message: String| {
            let mut error = ApiError::not_authenticated(message);
            error.extra = Some(Box::new(("data", json!({ "name": "JsonWebTokenError" }))));
            error
        };
        if token.len() > MAX_TOKEN_LENGTH {
            return Err(invalid("jwt malformed".to_owned()));
        }
        let claims = jsonwebtoken::decode::<Verified>(token, &self.decoding, &self.validation)
            .map_err(|error| invalid(jwt_message(error.kind())))?
            .claims;
        if claims.exp <= now() as f64 {
            return Err(ApiError::not_authenticated("jwt expired"));
        }
        let sub = claims.sub.filter(|sub| !sub.is_empty()).ok_or_else(|| {
            ApiError::not_authenticated("Invalid access token: it names no user (sub)")
        })?;
        let gone =
            || ApiError::not_authenticated("Invalid access token: its user no longer exists");
        let id: u64 = sub.parse().map_err(|_| gone())?;
        let email = self.storage.user_email(id).await?.ok_or_else(gone)?;
        Ok(PublicUser { id, email })
    }

    fn issue(&self, subject: u64) -> Result<(String, Claims), ApiError> {
        let iat = now();
        let claims = Claims {
            iat,
            exp: iat + LIFETIME,
            aud: AUDIENCE.to_owned(),
            iss: ISSUER.to_owned(),
            sub: subject.to_string(),
            jti: random_uuid(),
        };
        let token =
            jsonwebtoken::encode(&self.header, &claims, &self.encoding).map_err(|error| {
                ApiError::general(format!("Could not sign an access token: {error}"))
            })?;
        Ok((token, claims))
    }

    /// The caller: `None` when anonymous (no credentials), the user for a
    /// valid token, a 401 for a bad one (never downgraded to anonymous).
    async fn caller(&self, headers: &HeaderMap) -> Result<Option<PublicUser>, ApiError> {
        let Some(token) = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(bearer)
        else {
            return Ok(None);
        };
        self.verify(token).await.map(Some)
    }
}

/// The token in an `Authorization` value: `Bearer <token>`, `JWT <token>`
/// or a bare token; `None` for another scheme.
fn bearer(value: &str) -> Option<&str> {
    let mut parts = value.split_whitespace();
    let first = parts.next()?;
    match parts.next() {
        None => Some(first),
        Some(token) => (first.eq_ignore_ascii_case("Bearer") || first.eq_ignore_ascii_case("JWT"))
            .then_some(token),
    }
}

async fn read_json<T: serde::de::DeserializeOwned>(body: Body) -> Result<T, ApiError> {
    let bytes = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .map_err(|error| {
            ApiError::bad_request(format!("Could not read the request body: {error}"))
        })?;
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &bytes
    };
    serde_json::from_slice(bytes).map_err(|error| {
        ApiError::bad_request(format!("Invalid JSON in the request body: {error}"))
    })
}

// ---- routes ----

async fn get_message(
    State(state): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Reply {
    let _caller = state.caller(&headers).await?;
    let not_found = || ApiError::not_found(format!("No record found for id '{id}'"));
    let key = id.parse::<u64>().map_err(|_| not_found())?;
    state
        .storage
        .with_message(key, |message| {
            message
                .map(|message| reply(StatusCode::OK, message))
                .ok_or_else(not_found)
        })
        .await?
}

#[derive(Serialize)]
struct Page<'a> {
    total: usize,
    limit: usize,
    skip: usize,
    data: Vec<&'a Message>,
}

async fn find_messages(State(state): State<Shared>, uri: Uri, headers: HeaderMap) -> Reply {
    let _caller = state.caller(&headers).await?;
    let (mut limit, mut skip) = (PAGE_DEFAULT, 0);
    for pair in uri.query().unwrap_or("").split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let number = || {
            value
                .parse::<usize>()
                .map_err(|_| ApiError::bad_request(format!("Invalid query value {key}={value}")))
        };
        match key {
            "$limit" | "%24limit" => limit = number()?.min(PAGE_MAX),
            "$skip" | "%24skip" => skip = number()?,
            _ => {}
        }
    }
    state
        .storage
        .with_page(limit, skip, |total, data| {
            reply(
                StatusCode::OK,
                &Page {
                    total,
                    limit,
                    skip,
                    data,
                },
            )
        })
        .await
}

#[derive(Deserialize)]
struct NewMessage {
    text: Option<Value>,
}

async fn create_message(State(state): State<Shared>, headers: HeaderMap, body: Body) -> Reply {
    let caller = state.caller(&headers).await?;
    let data: NewMessage = read_json(body).await?;
    let text = match data.text {
        Some(Value::String(text)) if !text.trim().is_empty() => text.trim().to_owned(),
        _ => {
            let mut error = ApiError::bad_request("A message needs text");
            error.extra = Some(Box::new((
                "errors",
                json!({ "text": "must be a non-empty string" }),
            )));
            return Err(error);
        }
    };
    let user_id = caller.map(|user| user.id);
    let message = state
        .storage
        .create_message(text, user_id, user_id.is_none().then_some(true))
        .await?;
    Ok(reply(StatusCode::CREATED, &message))
}

#[derive(Deserialize)]
struct Signup {
    email: String,
    password: Option<String>,
}

async fn create_user(State(state): State<Shared>, body: Body) -> Reply {
    let data: Signup = read_json(body).await?;
    let password = data
        .password
        .ok_or_else(|| ApiError::bad_request("A user needs a password"))?;
    if password.len() > MAX_PASSWORD_LENGTH {
        return Err(ApiError::bad_request(format!(
            "A password may have at most {MAX_PASSWORD_LENGTH} bytes"
        )));
    }
    let hash = blocking(move || hash_now(&password)).await??;
    let id = state.storage.create_user(&data.email, hash).await?;
    Ok(reply(
        StatusCode::CREATED,
        &PublicUser {
            id,
            email: data.email,
        },
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Login {
    #[serde(default)]
    strategy: String,
    email: Option<Value>,
    password: Option<Value>,
    access_token: Option<String>,
}

async fn authenticate(State(state): State<Shared>, body: Body) -> Reply {
    let login: Login = read_json(body).await?;
    match login.strategy.as_str() {
        "local" => local_login(&state, login).await,
        "jwt" => {
            let token = login.access_token.unwrap_or_default();
            let user = state.verify(&token).await?;
            // Verified above: this only reads the claims back.
            let payload = jsonwebtoken::dangerous::insecure_decode_claims::<Value>(&token)
                .unwrap_or_default();
            let answer = json!({
                "accessToken": token,
                "authentication": { "strategy": "jwt", "accessToken": token, "payload": payload },
                "user": user,
            });
            Ok(reply(StatusCode::CREATED, &answer))
        }
        "" => Err(ApiError::not_authenticated(
            "Invalid authentication information (no `strategy` set)",
        )),
        _ => Err(ApiError::not_authenticated(
            "Invalid authentication information (strategy not allowed in authStrategies)",
        )),
    }
}

async fn local_login(state: &AppState, login: Login) -> Reply {
    let invalid = || ApiError::not_authenticated("Invalid login");
    let (Some(Value::String(email)), Some(Value::String(password))) = (login.email, login.password)
    else {
        return Err(invalid());
    };
    if password.len() > MAX_PASSWORD_LENGTH {
        return Err(invalid());
    }
    let Some(storage::Credentials { id, hash }) = state.storage.credentials(&email).await? else {
        blocking(move || verify_now(&password, dummy_hash())).await?;
        return Err(invalid());
    };
    if !blocking(move || verify_now(&password, &hash)).await? {
        return Err(invalid());
    }
    let (token, claims) = state.issue(id)?;
    let answer = json!({
        "accessToken": token,
        "authentication": { "strategy": "local", "payload": claims },
        "user": PublicUser { id, email },
    });
    Ok(reply(StatusCode::CREATED, &answer))
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found(format!("Path {} not found", uri.path()))
}

fn random_secret() -> std::io::Result<String> {
    let mut bytes = [0u8; 32];
    std::io::Read::read_exact(&mut std::fs::File::open("/dev/urandom")?, &mut bytes)?;
    Ok(hex(&bytes))
}

async fn shutdown() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        () = terminate => {},
    }
}

/// The contract's log line, as the chat app writes it: one `INFO` event
/// per answer with the method, the path (no query), the latency in
/// milliseconds and the status, no span.
async fn log_request(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if !tracing::enabled!(tracing::Level::INFO) {
        return next.run(request).await;
    }
    let method = request.method().clone();
    let uri = match request.uri().query() {
        Some(_) => format!("{}?[query omitted]", request.uri().path()),
        None => request.uri().path().to_owned(),
    };
    let start = std::time::Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        method = %method,
        uri = %uri,
        latency = %format_args!("{} ms", start.elapsed().as_millis()),
        status = response.status().as_u16(),
        "request"
    );
    response
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    // The contract asks the chat app for one log line per request; the
    // yardstick logs the same line the same way, so that both do the same
    // work: through tracing-appender's non-blocking writer, lossy, with the
    // bound and the write buffer of the chat app's (auth-core's
    // `config::logging`, whose drop reports are left out here).
    let (lines, _log) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(true)
        .buffered_lines_limit(16_384)
        .thread_name("log writer")
        .finish(std::io::BufWriter::with_capacity(
            64 * 1024,
            std::io::stdout(),
        ));
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(lines)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    let host = std::env::var("HOST").unwrap_or_else(|_| "127.0.0.1".to_owned());
    let port = std::env::var("PORT").unwrap_or_else(|_| "3030".to_owned());
    let secret = match std::env::var("AUTH_SECRET") {
        Ok(secret) if !secret.is_empty() => secret,
        _ => {
            eprintln!("AUTH_SECRET is not set: tokens are signed with a random secret made now");
            random_secret()?
        }
    };
    let url = std::env::var("DATABASE_URL").ok();
    let storage = Storage::open(url.as_deref())
        .await
        .map_err(std::io::Error::other)?;
    let state: Shared = Arc::new(AppState::new(&secret, storage));
    // `CONTRACT_LAYERS=0`: the bare handler, without what the contract
    // asks of every answer and connection (see `contract`).
    let contract = std::env::var("CONTRACT_LAYERS").map_or(true, |value| value != "0");
    let mut router = Router::new()
        .route("/messages", get(find_messages).post(create_message))
        .route("/messages/{id}", get(get_message))
        .route("/users", post(create_user))
        .route("/authentication", post(authenticate))
        .fallback(not_found)
        .with_state(state);
    if contract {
        router = router.layer(contract::ContractLayer);
    }
    let router = router.layer(axum::middleware::from_fn(log_request));
    let address = format!("{host}:{port}");
    let listener = tokio::net::TcpListener::bind(&address).await?;
    eprintln!("baseline listening on {address} (contract layers {contract})");
    if contract {
        contract::serve(listener, router, shutdown()).await
    } else {
        axum::serve(listener, router)
            .with_graceful_shutdown(shutdown())
            .await
    }
}
