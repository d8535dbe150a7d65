//! `#[hooks(..)]` on structs holding an adapter: a tuple struct, a struct
//! whose held service is marked `#[service]` among other fields, and a
//! generic one. Every method, multi forms included, reaches the adapter.
use auth_core::memory::{MemoryOptions, MemoryService};
use auth_core::prelude::*;
use serde_json::{Value, json};

async fn stamp(ctx: &mut HookContext<Notes>) -> Result<()> {
    if let Some(Payload::One(note)) = &mut ctx.data {
        note["stamped"] = json!(true);
    }
    Ok(())
}

#[hooks(before(create = [stamp]))]
struct Notes(MemoryService<Value>);

async fn count<S: Service>(ctx: &mut HookContext<S>) -> Result<()> {
    ctx.params.set_field("counted", true);
    Ok(())
}

#[hooks(before(all = [count]))]
struct Tags {
    label: &'static str,
    #[service]
    store: MemoryService<Value>,
}

#[hooks(after(all = [count]))]
struct Generic<T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static>(
    MemoryService<T>,
);

fn main() {
    let multi = || MemoryService::with_options(MemoryOptions::new().multi(true));
    let tags = Tags { label: "tags", store: multi() };
    assert_eq!(tags.label, "tags");
    let app = App::new()
        .register("notes", Notes(multi()))
        .register("tags", tags)
        .register("generic", Generic::<Value>(multi()));
    app.setup().unwrap();
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(async {
            let notes = app.service::<Notes>("notes");
            let note = notes.create(json!({ "text": "a" }), Params::new()).await.unwrap();
            assert_eq!(note["stamped"], json!(true));
            let many = notes
                .create_many(vec![json!({ "text": "b" }), json!({ "text": "c" })], Params::new())
                .await
                .unwrap();
            assert_eq!(many.len(), 2);
            let patched = notes.patch_many(json!({ "done": true }), Params::new()).await.unwrap();
            assert_eq!(patched.len(), 3);
            let removed = notes.remove_many(Params::new()).await.unwrap();
            assert_eq!(removed.len(), 3);
            let tags = app.service::<Tags>("tags");
            tags.create(json!({ "name": "x" }), Params::new()).await.unwrap();
            let generic = app.service::<Generic<Value>>("generic");
            generic.create(json!({ "name": "y" }), Params::new()).await.unwrap();
        });
}
