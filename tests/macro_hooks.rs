//! Chains written by `#[hooks(..)]` and hooks registered at run time come
//! from one engine: for every method, and for CONTRACT's cases 3 to 7, the
//! compiled chain answers and runs its hooks exactly as the same hooks
//! registered at run time do. The order itself is proven once, case by
//! case, in `hook_order.rs`.

use auth_core::prelude::*;
use serde_json::{Value, json};
use tests::{Action, act, mark, thread_log, wrap};

/// Every kind of hook for `all` and for every method, custom one included.
struct Traced;

#[hooks(
    around(
        all = [wrap("svc.around.all")],
        find = [wrap("svc.around.find")], get = [wrap("svc.around.get")],
        create = [wrap("svc.around.create")], update = [wrap("svc.around.update")],
        patch = [wrap("svc.around.patch")], remove = [wrap("svc.around.remove")],
        shout = [wrap("svc.around.shout")],
    ),
    before(
        all = [mark("svc.before.all")],
        find = [mark("svc.before.find")], get = [mark("svc.before.get")],
        create = [mark("svc.before.create")], update = [mark("svc.before.update")],
        patch = [mark("svc.before.patch")], remove = [mark("svc.before.remove")],
        shout = [mark("svc.before.shout")],
    ),
    after(
        all = [mark("svc.after.all")],
        find = [mark("svc.after.find")], get = [mark("svc.after.get")],
        create = [mark("svc.after.create")], update = [mark("svc.after.update")],
        patch = [mark("svc.after.patch")], remove = [mark("svc.after.remove")],
        shout = [mark("svc.after.shout")],
    ),
    error(
        all = [mark("svc.error.all")],
        find = [mark("svc.error.find")], get = [mark("svc.error.get")],
        create = [mark("svc.error.create")], update = [mark("svc.error.update")],
        patch = [mark("svc.error.patch")], remove = [mark("svc.error.remove")],
        shout = [mark("svc.error.shout")],
    ),
)]
impl Service for Traced {
    type Item = Value;
    type Data = Value;
    type Patch = Value;
    const CUSTOM_METHODS: &'static [&'static str] = &["shout"];

    async fn find(&self, params: &Params) -> Result<Found<Value>> {
        Untraced.find(params).await
    }
    async fn get(&self, id: &Id, params: &Params) -> Result<Value> {
        Untraced.get(id, params).await
    }
    async fn create(&self, data: Value, params: &Params) -> Result<Value> {
        Untraced.create(data, params).await
    }
    async fn update(&self, id: &Id, data: Value, params: &Params) -> Result<Value> {
        Untraced.update(id, data, params).await
    }
    async fn patch(&self, id: &Id, data: Value, params: &Params) -> Result<Value> {
        Untraced.patch(id, data, params).await
    }
    async fn remove(&self, id: &Id, params: &Params) -> Result<Value> {
        Untraced.remove(id, params).await
    }
    async fn custom(&self, method: &str, data: Value, params: &Params) -> Result<Value> {
        Untraced.custom(method, data, params).await
    }
}

/// Traced's methods with no compiled hooks: the run-time twin's service.
struct Untraced;

impl Service for Untraced {
    type Item = Value;
    type Data = Value;
    type Patch = Value;
    const CUSTOM_METHODS: &'static [&'static str] = &["shout"];

    async fn find(&self, _params: &Params) -> Result<Found<Value>> {
        thread_log().push("method");
        Ok(Found::All(vec![json!("found")]))
    }
    async fn get(&self, id: &Id, _params: &Params) -> Result<Value> {
        thread_log().push("method");
        match id.as_number() {
            Some(_) => Ok(json!({ "id": id.to_json() })),
            None => Err(Error::general("boom")),
        }
    }
    async fn create(&self, data: Value, _params: &Params) -> Result<Value> {
        thread_log().push("method");
        Ok(data)
    }
    async fn update(&self, _id: &Id, data: Value, _params: &Params) -> Result<Value> {
        thread_log().push("method");
        Ok(data)
    }
    async fn patch(&self, _id: &Id, data: Value, _params: &Params) -> Result<Value> {
        thread_log().push("method");
        Ok(data)
    }
    async fn remove(&self, id: &Id, _params: &Params) -> Result<Value> {
        thread_log().push("method");
        Ok(id.to_json())
    }
    async fn custom(&self, _method: &str, data: Value, _params: &Params) -> Result<Value> {
        thread_log().push("method");
        Ok(data)
    }
}

const KEYS: [&str; 8] = [
    "all", "find", "get", "create", "update", "patch", "remove", "shout",
];

/// The app hooks of every kind for every key.
fn app_hooks() -> AppHooks {
    KEYS.iter().fold(AppHooks::new(), |hooks, key| {
        hooks
            .around(key, wrap(&format!("app.around.{key}")))
            .before(key, mark(&format!("app.before.{key}")))
            .after(key, mark(&format!("app.after.{key}")))
            .error(key, mark(&format!("app.error.{key}")))
    })
}

/// What `Traced`'s attribute says, registered at run time on `Untraced`.
fn run_time_twin() -> ServiceHooks<Untraced> {
    KEYS.iter().fold(ServiceHooks::new(), |hooks, key| {
        hooks
            .around(key, wrap(&format!("svc.around.{key}")))
            .before(key, mark(&format!("svc.before.{key}")))
            .after(key, mark(&format!("svc.after.{key}")))
            .error(key, mark(&format!("svc.error.{key}")))
    })
}

/// Every method once, and a failing `get`, through `S` at `path`: the
/// answers and the hooks each call ran.
async fn every_call<S: Service<Item = Value, Data = Value, Patch = Value>>(
    app: &App,
    path: &str,
) -> Vec<(String, Vec<String>)> {
    let service = app.service::<S>(path);
    let p = Params::new;
    let mut calls = Vec::new();
    let mut record = |answer: String| calls.push((answer, thread_log().take()));
    record(format!("{:?}", service.find(p()).await));
    record(format!("{:?}", service.get(1, p()).await));
    record(format!("{:?}", service.get("x", p()).await));
    record(format!(
        "{:?}",
        service.create(json!({ "a": 1 }), p()).await
    ));
    record(format!(
        "{:?}",
        service.update(1, json!({ "a": 2 }), p()).await
    ));
    record(format!(
        "{:?}",
        service.patch(1, json!({ "a": 3 }), p()).await
    ));
    record(format!("{:?}", service.remove(1, p()).await));
    record(format!(
        "{:?}",
        service.custom("shout", json!("hi"), p()).await
    ));
    calls
}

/// The compiled chain selects each method's hooks as run-time hooks do,
/// custom methods included: the same answers, the same sequences (the
/// order itself is proven case by case in `hook_order.rs`).
#[tokio::test]
async fn every_method_runs_the_same_hooks_compiled_or_registered_at_run_time() {
    let app = App::new()
        .hooks(app_hooks())
        .register("traced", Traced)
        .register("untraced", Untraced);
    app.service::<Untraced>("untraced")
        .hooks(run_time_twin())
        .unwrap();

    let compiled = every_call::<Traced>(&app, "traced").await;
    let run_time = every_call::<Untraced>(&app, "untraced").await;

    assert_eq!(compiled, run_time);
    // Each call ran its method's hooks of every kind, app and service.
    for (answer, sequence) in &compiled {
        assert!(sequence.len() >= 13, "{answer}: {sequence:?}");
    }
    assert!(compiled[2].0.contains("boom"), "{:?}", compiled[2]);
    assert!(compiled[2].1.contains(&"svc.error.get".to_owned()));
}

/// CONTRACT's cases 3 to 7, one service each, and the same hooks
/// registered at run time on [`Plain`]: both forms are built from the one
/// engine, and these tests prove they give the same sequence (the order
/// itself is proven case by case in `hook_order.rs`).
macro_rules! case_service {
    ($name:ident, $($hooks:tt)*) => {
        struct $name;

        #[hooks($($hooks)*)]
        impl Service for $name {
            type Item = Value;
            type Data = Value;
            type Patch = Value;

            async fn get(&self, id: &Id, params: &Params) -> Result<Value> {
                Plain.get(id, params).await
            }
        }
    };
}

/// The same `get`, with no compiled hooks.
struct Plain;

impl Service for Plain {
    type Item = Value;
    type Data = Value;
    type Patch = Value;

    async fn get(&self, id: &Id, _params: &Params) -> Result<Value> {
        thread_log().push("method");
        match id.as_number() {
            Some(_) => Ok(json!({ "id": id.to_json() })),
            None => Err(Error::general("boom")),
        }
    }
}

case_service!(
    BeforeSetsResult,
    around(all = [wrap("svc.around.all")]),
    before(
        all = [
            act("b1", Action::SetResult(json!({ "from": "b1" }))),
            mark("b2")
        ]
    ),
    after(all = [mark("svc.after.all")]),
    error(all = [mark("svc.error.all")]),
);
case_service!(
    BeforeFails,
    around(all = [wrap("svc.around.all")]),
    before(
        all = [
            act("b1", Action::Fail(Error::forbidden("b1 says no"))),
            mark("b2")
        ]
    ),
    after(all = [mark("svc.after.all")]),
    error(all = [mark("svc.error.all")]),
);
case_service!(
    AfterFails,
    around(all = [wrap("svc.around.all")]),
    before(all = [mark("svc.before.all")]),
    after(
        all = [
            act("a1", Action::Fail(Error::unprocessable("a1 failed"))),
            mark("a2")
        ]
    ),
    error(all = [mark("svc.error.all")]),
);
case_service!(
    ErrorSetsResult,
    around(all = [wrap("svc.around.all")]),
    before(all = [mark("svc.before.all")]),
    after(all = [mark("svc.after.all")]),
    error(
        all = [
            act("e1", Action::SetResult(json!({ "recovered": true }))),
            mark("e2")
        ]
    ),
);
case_service!(
    ErrorReplaced,
    around(all = [wrap("svc.around.all")]),
    before(all = [mark("svc.before.all")]),
    after(all = [mark("svc.after.all")]),
    error(
        all = [
            act(
                "e1",
                Action::ReplaceError(Error::bad_gateway("replaced by e1"))
            ),
            act("e2", Action::RecordError),
        ]
    ),
);

fn one_app_hook_of_each_kind() -> AppHooks {
    AppHooks::new()
        .around_all(wrap("app.around.all"))
        .before_all(mark("app.before.all"))
        .after_all(mark("app.after.all"))
        .error_all(mark("app.error.all"))
}

/// A `get` of `id` through `service` with one app hook of each kind: what
/// it answered (an error as its code and message) and the hooks it ran.
async fn traced_get<S: Service<Item = Value>>(
    service: S,
    hooks: ServiceHooks<S>,
    id: &str,
) -> (std::result::Result<Value, (u16, String)>, Vec<String>) {
    let app = App::new()
        .hooks(one_app_hook_of_each_kind())
        .register("s", service);
    app.service::<S>("s").hooks(hooks).unwrap();
    let outcome = app.service::<S>("s").get(id, Params::new()).await;
    let outcome = outcome.map_err(|error| (error.code(), error.message().to_owned()));
    (outcome, thread_log().take())
}

/// The compiled `service` and the run-time `twin` answer `id` alike, in
/// the same sequence.
async fn assert_same<S: Service<Item = Value>>(service: S, twin: ServiceHooks<Plain>, id: &str) {
    let compiled = traced_get(service, ServiceHooks::new(), id).await;
    let run_time = traced_get(Plain, twin, id).await;
    assert!(compiled.1.len() > 4, "{compiled:?}");
    assert_eq!(compiled, run_time);
}

#[tokio::test]
async fn case_3_compiled_and_run_time_hooks_run_alike() {
    let twin = ServiceHooks::new()
        .around_all(wrap("svc.around.all"))
        .before_all(act("b1", Action::SetResult(json!({ "from": "b1" }))))
        .before_all(mark("b2"))
        .after_all(mark("svc.after.all"))
        .error_all(mark("svc.error.all"));
    assert_same(BeforeSetsResult, twin, "1").await;
}

#[tokio::test]
async fn case_4_compiled_and_run_time_hooks_run_alike() {
    let twin = ServiceHooks::new()
        .around_all(wrap("svc.around.all"))
        .before_all(act("b1", Action::Fail(Error::forbidden("b1 says no"))))
        .before_all(mark("b2"))
        .after_all(mark("svc.after.all"))
        .error_all(mark("svc.error.all"));
    assert_same(BeforeFails, twin, "1").await;
}

#[tokio::test]
async fn case_5_compiled_and_run_time_hooks_run_alike() {
    let twin = ServiceHooks::new()
        .around_all(wrap("svc.around.all"))
        .before_all(mark("svc.before.all"))
        .after_all(act("a1", Action::Fail(Error::unprocessable("a1 failed"))))
        .after_all(mark("a2"))
        .error_all(mark("svc.error.all"));
    assert_same(AfterFails, twin, "1").await;
}

#[tokio::test]
async fn case_6_compiled_and_run_time_hooks_run_alike() {
    let twin = ServiceHooks::new()
        .around_all(wrap("svc.around.all"))
        .before_all(mark("svc.before.all"))
        .after_all(mark("svc.after.all"))
        .error_all(act("e1", Action::SetResult(json!({ "recovered": true }))))
        .error_all(mark("e2"));
    assert_same(ErrorSetsResult, twin, "x").await;
}

#[tokio::test]
async fn case_7_compiled_and_run_time_hooks_run_alike() {
    let twin = ServiceHooks::new()
        .around_all(wrap("svc.around.all"))
        .before_all(mark("svc.before.all"))
        .after_all(mark("svc.after.all"))
        .error_all(act(
            "e1",
            Action::ReplaceError(Error::bad_gateway("replaced by e1")),
        ))
        .error_all(act("e2", Action::RecordError));
    assert_same(ErrorReplaced, twin, "x").await;
}
