//! What a hook chain costs per call: a direct method call, then a `get`
//! through the app with 0, 1, 4 and 16 no-op before hooks, written at
//! compile time by `#[hooks(..)]` and registered at run time.
//!
//! Run: `cargo bench -p auth-core --bench hook_chain`. Every future here is
//! ready at its first poll, so each call is polled once with a no-op waker:
//! no executor cost is measured.

use std::hint::black_box;

use auth_core::prelude::*;

mod support;
use criterion::{Criterion, criterion_group, criterion_main};
use support::{counter_service, noop, ready};

counter_service!(Plain);
counter_service!(Compiled1, #[hooks(before(all = [noop]))]);
counter_service!(Compiled4, #[hooks(before(all = [noop, noop, noop, noop]))]);
counter_service!(Compiled16, #[hooks(before(all = [
    noop, noop, noop, noop, noop, noop, noop, noop,
    noop, noop, noop, noop, noop, noop, noop, noop,
]))]);

fn runtime_hooks(count: usize) -> ServiceHooks<Plain> {
    (0..count).fold(ServiceHooks::new(), |hooks, _| hooks.before_all(noop))
}

fn bench_get<S: Service<Item = i64>>(c: &mut Criterion, name: &str, app: &App, path: &str) {
    let handle = app.service::<S>(path);
    c.bench_function(name, |b| {
        b.iter(|| ready(handle.get(black_box(41), Params::new())).unwrap())
    });
}

fn bench(c: &mut Criterion) {
    let app = App::new()
        .register("plain", Plain)
        .register("compiled-1", Compiled1)
        .register("compiled-4", Compiled4)
        .register("compiled-16", Compiled16)
        .register("runtime-1", Plain)
        .register("runtime-4", Plain)
        .register("runtime-16", Plain);
    for count in [1, 4, 16] {
        app.service::<Plain>(&format!("runtime-{count}"))
            .hooks(runtime_hooks(count))
            .unwrap();
    }
    let id = Id::Number(41);
    let params = Params::new();
    c.bench_function("get/direct method call", |b| {
        b.iter(|| ready(Plain.get(black_box(&id), &params)).unwrap())
    });
    bench_get::<Plain>(c, "get/through the app, 0 hooks", &app, "plain");
    bench_get::<Compiled1>(c, "get/#[hooks], 1 no-op hook", &app, "compiled-1");
    bench_get::<Compiled4>(c, "get/#[hooks], 4 no-op hooks", &app, "compiled-4");
    bench_get::<Compiled16>(c, "get/#[hooks], 16 no-op hooks", &app, "compiled-16");
    bench_get::<Plain>(c, "get/run-time hooks, 1 no-op hook", &app, "runtime-1");
    bench_get::<Plain>(c, "get/run-time hooks, 4 no-op hooks", &app, "runtime-4");
    bench_get::<Plain>(c, "get/run-time hooks, 16 no-op hooks", &app, "runtime-16");
}

criterion_group!(benches, bench);
criterion_main!(benches);
