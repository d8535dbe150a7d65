//! A generic service, with a memory adapter inside.
use auth_core::memory::MemoryService;
use auth_core::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

struct Store<T> {
    inner: MemoryService<T>,
}

async fn log_call<S: Service>(_ctx: &mut HookContext<S>) -> Result<()> {
    Ok(())
}

#[hooks(before(all = [log_call]))]
impl<T> Service for Store<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
{
    type Item = T;
    type Data = T;
    type Patch = Value;

    async fn get(&self, id: &Id, params: &Params) -> Result<T> {
        self.inner.get(id, params).await
    }
}

fn main() {
    let _ = Store::<Value> { inner: MemoryService::new() };
}
