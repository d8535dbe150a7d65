//! A tour of services, hooks and strategies: a service backed by a memory
//! adapter whose hook chain `#[hooks(..)]` writes at compile time, a
//! hand-written service guarded by an authentication strategy of the app's
//! own (an API key read from a header, with typed configuration),
//! app-level hooks registered at run time, internal calls, and two HTTP
//! requests, with every hook logging what it does.
//!
//! Run it with `cargo run --example tour` (`RUST_LOG=debug` for more).

use std::time::Instant;

use auth_core::memory::{MemoryOptions, MemoryService};
use auth_core::prelude::*;
use auth_core::query::Paginate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tracing::info;

/// A chat message. The id is optional: the memory service assigns it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Message {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<u64>,
    text: String,
}

/// The messages service: records kept by a memory adapter, behind hooks
/// written at compile time. Every method (multi forms included) goes to the
/// adapter; nothing is forwarded by hand.
#[hooks(before(create = [validate_text]), after(find = [count_results]))]
struct Messages(MemoryService<Message>);

/// A strategy of the app's own: callers that send a known key in a header
/// are authenticated as `{"apiKey": true}`. Its configuration is typed and
/// read from `authentication.api-key` once, at start-up.
#[derive(Strategy)]
struct ApiKey {
    /// The header the key comes in.
    #[strategy(config, default = "x-api-key".to_owned())]
    header: String,
    /// The keys that are accepted (required).
    #[strategy(config)]
    keys: Vec<String>,
}

impl Strategy for ApiKey {
    async fn authenticate(&self, auth: &AuthenticationRequest, _: &Params) -> Result<AuthResult> {
        match auth.get_str("key") {
            Some(key) if self.keys.iter().any(|known| known == key) => {
                Ok(AuthResult::new().with("apiKey", true))
            }
            _ => Err(Error::not_authenticated("Invalid API key")),
        }
    }

    /// Reads the key from the request's header, for every external call.
    async fn parse(&self, request: &RequestParts) -> Result<Option<AuthenticationRequest>> {
        let key = request
            .headers
            .get(&self.header)
            .and_then(|key| key.to_str().ok());
        Ok(key.map(|key| AuthenticationRequest::new("api-key").with("key", key)))
    }
}

/// A hand-written service: it reads the messages service, and only
/// callers with an API key may.
struct Stats;

#[hooks(before(all = [authenticate("api-key")]))]
impl Service for Stats {
    type Item = serde_json::Value;
    type Data = serde_json::Value;
    type Patch = serde_json::Value;

    async fn find(&self, params: &Params) -> Result<Found<serde_json::Value>> {
        info!(api_key = ?params.field("apiKey"), "stats find");
        Ok(Found::All(vec![
            json!({ "service": "messages", "calls": "counted by the app hooks" }),
        ]))
    }
}

/// App-level around hook: times every call of every service.
async fn timed(ctx: &mut AppContext, next: Next<'_, AppContext>) -> Result<()> {
    let start = Instant::now();
    let outcome = next.run(ctx).await;
    info!(
        path = ctx.path(),
        method = %ctx.method(),
        ok = outcome.is_ok(),
        elapsed = ?start.elapsed(),
        "app around: call finished"
    );
    outcome
}

/// App-level before hook: says who is calling.
async fn log_caller(ctx: &mut AppContext) -> Result<()> {
    let caller = match &ctx.params().provider {
        Some(provider) => provider.to_string(),
        None => "internal".to_owned(),
    };
    info!(path = ctx.path(), method = %ctx.method(), caller, "app before");
    Ok(())
}

/// App-level error hook: logs the error and lets it go on.
async fn log_error(ctx: &mut AppContext) -> Result<()> {
    if let Some(error) = ctx.error() {
        info!(path = ctx.path(), method = %ctx.method(), %error, "app error");
    }
    Ok(())
}

/// Service before hook on `create`: a message needs non-empty text.
async fn validate_text(ctx: &mut HookContext<Messages>) -> Result<()> {
    if let Some(Payload::One(message)) = &mut ctx.data {
        message.text = message.text.trim().to_owned();
        if message.text.is_empty() {
            return Err(Error::bad_request("A message needs text"));
        }
        info!(text = %message.text, "service before create: text is valid");
    }
    Ok(())
}

/// Service after hook on `find`: reports how many records came back.
async fn count_results(ctx: &mut HookContext<Messages>) -> Result<()> {
    let count = ctx
        .result
        .as_ref()
        .map_or(0, |result| result.records().len());
    info!(count, "service after find");
    Ok(())
}

/// A bare HTTP/1.1 `GET` with an `x-api-key` header; the whole answer.
async fn get(address: std::net::SocketAddr, path: &str, key: &str) -> Result<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let io = |error: std::io::Error| Error::general(error.to_string());
    let mut stream = tokio::net::TcpStream::connect(address).await.map_err(io)?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nhost: tour\r\nx-api-key: {key}\r\nconnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.map_err(io)?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.map_err(io)?;
    Ok(answer)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();

    let app = App::new().configure(Configuration::new());
    let paginate = app.get::<Paginate>("paginate").unwrap_or(Paginate {
        default: 10,
        max: 50,
    });
    let app = app
        .hooks(
            AppHooks::new()
                .around_all(timed)
                .before_all(log_caller)
                .error_all(log_error),
        )
        .register(
            "messages",
            Messages(MemoryService::with_options(
                MemoryOptions::new().paginate(paginate),
            )),
        )
        .register("stats", Stats)
        .configure(
            Authentication::new(AuthConfig {
                // API keys name no user: no entity service to look one up in.
                entity: None,
                ..AuthConfig::new("a tour's secret, never a real one")
                    .strategy_section("api-key", json!({ "keys": ["tour-key"] }))
            })
            .strategy(ApiKey::new()),
        );
    app.setup()?;

    let messages = app.service::<Messages>("messages");

    let mut events = app.subscribe();
    let listener = tokio::spawn(async move {
        while let Ok(event) = events.recv().await {
            info!(path = %event.path, event = %event.event, data = %event.data, "event");
        }
    });

    for text in ["  hello  ", "how are you?", "bye"] {
        let message = Message {
            id: None,
            text: text.to_owned(),
        };
        let created = messages.create(message, Params::new()).await?;
        info!(?created, "created");
    }

    let query = Params::new().with_query(json!({ "$sort": { "id": -1 }, "$limit": 2 }));
    let page = messages.find(query).await?;
    info!(page = %serde_json::to_string(&page).unwrap_or_default(), "found");

    let patched = messages
        .patch(1, json!({ "text": "how are you doing?" }), Params::new())
        .await?;
    info!(?patched, "patched");

    let empty = Message {
        id: None,
        text: "   ".to_owned(),
    };
    match messages.create(empty, Params::new()).await {
        Ok(created) => info!(?created, "unexpectedly created"),
        Err(error) => info!(json = %error.to_json(), "refused, as the hook asked"),
    }

    let removed = messages.remove(0, Params::new()).await?;
    info!(?removed, "removed");

    // Over HTTP: the strategy's `parse` finds the key in the header.
    let socket = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|error| Error::general(error.to_string()))?;
    let address = socket
        .local_addr()
        .map_err(|error| Error::general(error.to_string()))?;
    let server = tokio::spawn(app.clone().serve(socket, std::future::pending()));
    for key in ["tour-key", "a wrong key"] {
        let answer = get(address, "/stats", key).await?;
        info!(key, answer = %answer.lines().next().unwrap_or_default(), "GET /stats");
    }
    server.abort();

    drop(app);
    drop(messages);
    listener
        .await
        .map_err(|error| Error::general(error.to_string()))?;
    Ok(())
}
