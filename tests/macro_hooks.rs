//! Chains written by `#[hooks(..)]` run in exactly the documented order, for
//! every method, with app hooks around them.

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

fn traced_app() -> App {
    let mut app_hooks = AppHooks::new();
    for key in [
        "all", "find", "get", "create", "update", "patch", "remove", "shout",
    ] {
        app_hooks = app_hooks
            .around(key, wrap(&format!("app.around.{key}")))
            .before(key, mark(&format!("app.before.{key}")))
            .after(key, mark(&format!("app.after.{key}")))
            .error(key, mark(&format!("app.error.{key}")));
    }
    App::new().hooks(app_hooks).register("traced", Traced)
}

fn success_sequence(m: &str) -> Vec<String> {
    format!(
        "app.around.all:pre, app.around.{m}:pre, app.before.all, app.before.{m}, \
         svc.around.all:pre, svc.around.{m}:pre, svc.before.all, svc.before.{m}, method, \
         svc.after.all, svc.after.{m}, svc.around.{m}:post, svc.around.all:post, \
         app.after.all, app.after.{m}, app.around.{m}:post, app.around.all:post"
    )
    .split(", ")
    .map(str::to_owned)
    .collect()
}

#[tokio::test]
async fn every_method_runs_its_compiled_chain_inside_the_app_hooks() {
    let app = traced_app();
    let traced = app.service::<Traced>("traced");
    let log = thread_log();
    let p = Params::new;

    traced.find(p()).await.unwrap();
    assert_eq!(log.take(), success_sequence("find"));
    assert_eq!(traced.get(1, p()).await.unwrap(), json!({ "id": 1 }));
    assert_eq!(log.take(), success_sequence("get"));
    traced.create(json!({ "a": 1 }), p()).await.unwrap();
    assert_eq!(log.take(), success_sequence("create"));
    traced.update(1, json!({ "a": 2 }), p()).await.unwrap();
    assert_eq!(log.take(), success_sequence("update"));
    traced.patch(1, json!({ "a": 3 }), p()).await.unwrap();
    assert_eq!(log.take(), success_sequence("patch"));
    traced.remove(1, p()).await.unwrap();
    assert_eq!(log.take(), success_sequence("remove"));
    assert_eq!(
        traced.custom("shout", json!("hi"), p()).await.unwrap(),
        json!("hi")
    );
    assert_eq!(log.take(), success_sequence("shout"));
}

#[tokio::test]
async fn a_failing_method_runs_the_compiled_error_hooks_method_first() {
    let app = traced_app();
    let error = app
        .service::<Traced>("traced")
        .get("x", Params::new())
        .await
        .unwrap_err();
    assert_eq!(error.message(), "boom");
    assert_eq!(
        thread_log().take().join(", "),
        "app.around.all:pre, app.around.get:pre, app.before.all, app.before.get, \
         svc.around.all:pre, svc.around.get:pre, svc.before.all, svc.before.get, method, \
         svc.error.get, svc.error.all, app.error.get, app.error.all"
    );
}

/// A service whose `get` fails for a non-numeric id; the hooks are the
/// CONTRACT's cases 3 to 7, one service each.
macro_rules! case_service {
    ($name:ident, $($hooks:tt)*) => {
        struct $name;

        #[hooks($($hooks)*)]
        impl Service for $name {
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
    };
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

async fn get<S: Service<Item = Value>>(service: S, id: &str) -> Result<Value> {
    let app = App::new()
        .hooks(one_app_hook_of_each_kind())
        .register("s", service);
    app.service::<S>("s").get(id, Params::new()).await
}

#[tokio::test]
async fn case_3_through_the_macro() {
    assert_eq!(
        get(BeforeSetsResult, "1").await.unwrap(),
        json!({ "from": "b1" })
    );
    assert_eq!(
        thread_log().take().join(", "),
        "app.around.all:pre, app.before.all, svc.around.all:pre, b1, b2, svc.after.all, \
         svc.around.all:post, app.after.all, app.around.all:post"
    );
}

#[tokio::test]
async fn case_4_through_the_macro() {
    assert_eq!(get(BeforeFails, "1").await.unwrap_err().code(), 403);
    assert_eq!(
        thread_log().take().join(", "),
        "app.around.all:pre, app.before.all, svc.around.all:pre, b1, svc.error.all, app.error.all"
    );
}

#[tokio::test]
async fn case_5_through_the_macro() {
    assert_eq!(get(AfterFails, "1").await.unwrap_err().code(), 422);
    assert_eq!(
        thread_log().take().join(", "),
        "app.around.all:pre, app.before.all, svc.around.all:pre, svc.before.all, method, a1, \
         svc.error.all, app.error.all"
    );
}

#[tokio::test]
async fn case_6_through_the_macro() {
    assert_eq!(
        get(ErrorSetsResult, "x").await.unwrap(),
        json!({ "recovered": true })
    );
    assert_eq!(
        thread_log().take().join(", "),
        "app.around.all:pre, app.before.all, svc.around.all:pre, svc.before.all, method, e1, e2, \
         svc.around.all:post, app.after.all, app.around.all:post"
    );
}

#[tokio::test]
async fn case_7_through_the_macro() {
    let error = get(ErrorReplaced, "x").await.unwrap_err();
    assert_eq!((error.code(), error.message()), (502, "replaced by e1"));
    assert_eq!(
        thread_log().take().join(", "),
        "app.around.all:pre, app.before.all, svc.around.all:pre, svc.before.all, method, e1, e2, \
         e2 saw replaced by e1, app.error.all"
    );
}
