//! Hook order: one test per case of CONTRACT.md, section "Hook order"
//! (recorded from FeathersJS v5). Each records the exact sequence a `get`
//! goes through and compares it with the one written there.

use auth_core::prelude::*;
use serde_json::json;
use tests::{Action, Around, Log, Step, recorded_app, things};

fn sequence(labels: &str) -> Vec<String> {
    labels.split(", ").map(str::to_owned).collect()
}

/// App and service hooks of every kind, for `all` and for `get`.
fn register_all_and_get(log: &Log, app: &App) {
    let mut app_hooks = AppHooks::new();
    let mut svc_hooks = ServiceHooks::new();
    for key in ["all", "get"] {
        app_hooks = app_hooks
            .around(key, Around::new(log, &format!("app.around.{key}")))
            .before(key, Step::record(log, &format!("app.before.{key}")))
            .after(key, Step::record(log, &format!("app.after.{key}")))
            .error(key, Step::record(log, &format!("app.error.{key}")));
        svc_hooks = svc_hooks
            .around(key, Around::new(log, &format!("svc.around.{key}")))
            .before(key, Step::record(log, &format!("svc.before.{key}")))
            .after(key, Step::record(log, &format!("svc.after.{key}")))
            .error(key, Step::record(log, &format!("svc.error.{key}")));
    }
    app.add_hooks(app_hooks);
    things(app).hooks(svc_hooks).unwrap();
}

/// One app hook of each kind for `all`, and the service's `all` hooks given.
fn register_all_only(log: &Log, app: &App, before: Vec<Step>, after: Vec<Step>, error: Vec<Step>) {
    app.add_hooks(
        AppHooks::new()
            .around_all(Around::new(log, "app.around.all"))
            .before_all(Step::record(log, "app.before.all"))
            .after_all(Step::record(log, "app.after.all"))
            .error_all(Step::record(log, "app.error.all")),
    );
    let mut hooks = ServiceHooks::new().around_all(Around::new(log, "svc.around.all"));
    for hook in before {
        hooks = hooks.before_all(hook);
    }
    for hook in after {
        hooks = hooks.after_all(hook);
    }
    for hook in error {
        hooks = hooks.error_all(hook);
    }
    things(app).hooks(hooks).unwrap();
}

#[tokio::test]
async fn case_1_success() {
    let log = Log::new();
    let app = recorded_app(&log);
    register_all_and_get(&log, &app);

    let result = things(&app).get("1", Params::new()).await.unwrap();

    assert_eq!(result, json!({ "id": "1", "data": null }));
    assert_eq!(
        log.take(),
        sequence(
            "app.around.all:pre, app.around.get:pre, app.before.all, app.before.get, \
             svc.around.all:pre, svc.around.get:pre, svc.before.all, svc.before.get, method, \
             svc.after.all, svc.after.get, svc.around.get:post, svc.around.all:post, \
             app.after.all, app.after.get, app.around.get:post, app.around.all:post"
        )
    );
}

#[tokio::test]
async fn case_2_the_method_fails() {
    let log = Log::new();
    let app = recorded_app(&log);
    register_all_and_get(&log, &app);

    let error = things(&app).get("fail", Params::new()).await.unwrap_err();

    assert_eq!(
        (error.kind(), error.message()),
        (ErrorKind::GeneralError, "boom")
    );
    assert_eq!(
        log.take(),
        sequence(
            "app.around.all:pre, app.around.get:pre, app.before.all, app.before.get, \
             svc.around.all:pre, svc.around.get:pre, svc.before.all, svc.before.get, method, \
             svc.error.get, svc.error.all, app.error.get, app.error.all"
        )
    );
}

#[tokio::test]
async fn case_3_a_before_hook_sets_the_result() {
    let log = Log::new();
    let app = recorded_app(&log);
    let b1 = Step::new(&log, "b1", Action::SetResult(json!({ "from": "b1" })));
    register_all_only(
        &log,
        &app,
        vec![b1, Step::record(&log, "b2")],
        vec![Step::record(&log, "svc.after.all")],
        vec![Step::record(&log, "svc.error.all")],
    );

    let result = things(&app).get("1", Params::new()).await.unwrap();

    assert_eq!(result, json!({ "from": "b1" }));
    assert_eq!(
        log.take(),
        sequence(
            "app.around.all:pre, app.before.all, svc.around.all:pre, b1, b2, svc.after.all, \
             svc.around.all:post, app.after.all, app.around.all:post"
        )
    );
}

#[tokio::test]
async fn case_4_a_before_hook_fails() {
    let log = Log::new();
    let app = recorded_app(&log);
    let b1 = Step::new(&log, "b1", Action::Fail(Error::forbidden("b1 says no")));
    register_all_only(
        &log,
        &app,
        vec![b1, Step::record(&log, "b2")],
        vec![Step::record(&log, "svc.after.all")],
        vec![Step::record(&log, "svc.error.all")],
    );

    let error = things(&app).get("1", Params::new()).await.unwrap_err();

    assert_eq!((error.code(), error.message()), (403, "b1 says no"));
    assert_eq!(
        log.take(),
        sequence(
            "app.around.all:pre, app.before.all, svc.around.all:pre, b1, svc.error.all, \
             app.error.all"
        )
    );
}

#[tokio::test]
async fn case_5_an_after_hook_fails() {
    let log = Log::new();
    let app = recorded_app(&log);
    let a1 = Step::new(&log, "a1", Action::Fail(Error::unprocessable("a1 failed")));
    register_all_only(
        &log,
        &app,
        vec![Step::record(&log, "svc.before.all")],
        vec![a1, Step::record(&log, "a2")],
        vec![Step::record(&log, "svc.error.all")],
    );

    let error = things(&app).get("1", Params::new()).await.unwrap_err();

    assert_eq!((error.code(), error.message()), (422, "a1 failed"));
    assert_eq!(
        log.take(),
        sequence(
            "app.around.all:pre, app.before.all, svc.around.all:pre, svc.before.all, method, \
             a1, svc.error.all, app.error.all"
        )
    );
}

#[tokio::test]
async fn case_6_an_error_hook_sets_the_result() {
    let log = Log::new();
    let app = recorded_app(&log);
    let e1 = Step::new(&log, "e1", Action::SetResult(json!({ "recovered": true })));
    register_all_only(
        &log,
        &app,
        vec![Step::record(&log, "svc.before.all")],
        vec![Step::record(&log, "svc.after.all")],
        vec![e1, Step::record(&log, "e2")],
    );

    let result = things(&app).get("fail", Params::new()).await.unwrap();

    assert_eq!(result, json!({ "recovered": true }));
    assert_eq!(
        log.take(),
        sequence(
            "app.around.all:pre, app.before.all, svc.around.all:pre, svc.before.all, method, \
             e1, e2, svc.around.all:post, app.after.all, app.around.all:post"
        )
    );
}

#[tokio::test]
async fn case_7_an_error_hook_replaces_the_error() {
    let log = Log::new();
    let app = recorded_app(&log);
    let e1 = Step::new(
        &log,
        "e1",
        Action::ReplaceError(Error::bad_gateway("replaced by e1")),
    );
    register_all_only(
        &log,
        &app,
        vec![Step::record(&log, "svc.before.all")],
        vec![Step::record(&log, "svc.after.all")],
        vec![e1, Step::new(&log, "e2", Action::RecordError)],
    );

    let error = things(&app).get("fail", Params::new()).await.unwrap_err();

    assert_eq!((error.code(), error.message()), (502, "replaced by e1"));
    assert_eq!(
        log.take(),
        sequence(
            "app.around.all:pre, app.before.all, svc.around.all:pre, svc.before.all, method, \
             e1, e2, e2 saw replaced by e1, app.error.all"
        )
    );
}

#[tokio::test]
async fn an_around_hook_that_does_not_call_next_skips_the_rest() {
    async fn short_circuit(
        ctx: &mut HookContext<tests::Recorded>,
        _next: Next<'_, HookContext<tests::Recorded>>,
    ) -> Result<()> {
        ctx.result = Some(Output::One(json!({ "short": "circuit" })));
        Ok(())
    }
    let log = Log::new();
    let app = recorded_app(&log);
    things(&app)
        .hooks(
            ServiceHooks::new()
                .around_all(short_circuit)
                .before_all(Step::record(&log, "svc.before.all")),
        )
        .unwrap();

    let result = things(&app).get("1", Params::new()).await.unwrap();

    assert_eq!(result, json!({ "short": "circuit" }));
    assert!(log.take().is_empty());
}

#[tokio::test]
async fn hooks_see_the_kind_they_run_as() {
    async fn record_kind(ctx: &mut AppContext) -> Result<()> {
        let kind = ctx.kind().as_str().to_owned();
        ctx.params_mut()
            .fields
            .entry("kinds")
            .or_insert_with(|| json!([]))
            .as_array_mut()
            .unwrap()
            .push(kind.into());
        Ok(())
    }
    async fn check_kinds(ctx: &mut AppContext) -> Result<()> {
        assert_eq!(
            ctx.params().field("kinds"),
            Some(&json!(["before", "after"]))
        );
        Ok(())
    }
    let log = Log::new();
    let app = recorded_app(&log).hooks(
        AppHooks::new()
            .before_all(record_kind)
            .after_all(record_kind)
            .after_all(check_kinds),
    );
    things(&app).get("1", Params::new()).await.unwrap();
}

#[tokio::test]
async fn later_registrations_run_after_earlier_ones() {
    let log = Log::new();
    let app = recorded_app(&log)
        .hooks(AppHooks::new().before_all(Step::record(&log, "first")))
        .hooks(AppHooks::new().before_all(Step::record(&log, "second")));
    things(&app)
        .hooks(ServiceHooks::new().before("get", Step::record(&log, "third")))
        .unwrap();
    things(&app)
        .hooks(ServiceHooks::new().before("get", Step::record(&log, "fourth")))
        .unwrap();

    things(&app).get("1", Params::new()).await.unwrap();

    assert_eq!(log.take(), sequence("first, second, third, fourth, method"));
}
