//! A tour of services and hooks: a service whose hook chain `#[hooks(..)]`
//! writes at compile time, app-level hooks registered at run time, and
//! internal calls, with every hook logging what it does.
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

/// The messages service: plain business logic, delegating storage to a
/// memory adapter; its hooks are written at compile time.
struct Messages {
    store: MemoryService<Message>,
}

#[hooks(before(create = [validate_text]), after(find = [count_results]))]
impl Service for Messages {
    type Item = Message;
    type Data = Message;
    type Patch = serde_json::Value;

    async fn find(&self, params: &Params) -> Result<Found<Message>> {
        self.store.find(params).await
    }
    async fn get(&self, id: &Id, params: &Params) -> Result<Message> {
        self.store.get(id, params).await
    }
    async fn create(&self, data: Message, params: &Params) -> Result<Message> {
        self.store.create(data, params).await
    }
    async fn patch(&self, id: &Id, data: serde_json::Value, params: &Params) -> Result<Message> {
        self.store.patch(id, data, params).await
    }
    async fn remove(&self, id: &Id, params: &Params) -> Result<Message> {
        self.store.remove(id, params).await
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
            Messages {
                store: MemoryService::with_options(MemoryOptions::new().paginate(paginate)),
            },
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

    drop(app);
    drop(messages);
    listener
        .await
        .map_err(|error| Error::general(error.to_string()))?;
    Ok(())
}
