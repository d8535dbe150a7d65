//! `/messages`: open to anonymous callers and users alike, as in Feathers'
//! anonymous-authentication recipe; each message records who wrote it, and
//! only its author changes or removes it, one message at a time.

use auth_core::prelude::*;
use auth_core::store::Store;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::User;

/// A chat message.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Assigned on creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// The text, never empty.
    pub text: String,
    /// The author, when a user wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<u64>,
    /// True when an anonymous caller wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymous: Option<bool>,
}

/// Before `create`: the text must be a non-empty string; the message
/// records its author (the user) or that it is anonymous.
async fn prepare_message(ctx: &mut HookContext<Messages>) -> Result<()> {
    let user = ctx.params.user::<User>()?;
    let anonymous = ctx.params.anonymous();
    let Some(Payload::One(message)) = &mut ctx.data else {
        return Err(Error::bad_request("A message needs data"));
    };
    message.text = message.text.trim().to_owned();
    if message.text.is_empty() {
        return Err(Error::bad_request("A message needs text")
            .with_errors(serde_json::json!({ "text": "must be a non-empty string" })));
    }
    message.id = None;
    message.user_id = user.and_then(|user| user.id);
    message.anonymous = (anonymous && message.user_id.is_none()).then_some(true);
    Ok(())
}

/// Before `update` and `patch` from outside: a message keeps its author.
/// `restrict_to_owner` lets only the author through, so an update records
/// the caller again (a `PUT` body carries no `userId`, and would leave the
/// message without an author), and a patch may not name the author fields.
async fn keep_author(ctx: &mut HookContext<Messages>) -> Result<()> {
    if !ctx.params.is_external() {
        return Ok(());
    }
    let author = ctx.params.user::<User>()?.and_then(|user| user.id);
    match &mut ctx.data {
        Some(Payload::One(message)) => {
            message.user_id = author;
            message.anonymous = None;
        }
        Some(Payload::Patch(Value::Object(patch))) => {
            if let Some(field) = ["userId", "anonymous"]
                .into_iter()
                .find(|field| patch.contains_key(*field))
            {
                return Err(
                    Error::bad_request(format!("Field '{field}' can not be patched"))
                        .with_errors(serde_json::json!({ field: "can not be patched" })),
                );
            }
        }
        _ => {}
    }
    Ok(())
}

/// The messages service: messages kept in the storage chosen at start, behind these hooks.
#[hooks(before(
    all = [allow_anonymous, authenticate("jwt", "anonymous")],
    create = [prepare_message],
    update = [restrict_to_owner("userId"), keep_author],
    patch = [disallow_external_multi, restrict_to_owner("userId"), keep_author],
    remove = [disallow_external_multi, restrict_to_owner("userId")],
))]
pub struct Messages(pub Store<Message>);
