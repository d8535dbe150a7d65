//! The chat app's HTTP contract tests (`chat_http/suite.rs`), its records
//! in memory (`DATABASE_URL=memory://`).

use examples::chat::Storage;

/// Where each app of the suite keeps its records.
async fn storage() -> Storage {
    Storage::Memory
}

#[path = "chat_http/suite.rs"]
mod suite;
