//! What a hook chain costs per call: a direct method call, a call through
//! the app with no hook, a `#[hooks(..)]` chain of 4 no-op before hooks,
//! and the same 4 hooks registered at run time (boxed, `Vec<Arc<dyn ..>>`).
//!
//! Run: `cargo bench -p auth-core --bench hook_chain`. Every future here is
//! ready at its first poll, so each call is polled once with a no-op waker:
//! no executor cost is measured.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use auth_core::prelude::*;
use criterion::{Criterion, criterion_group, criterion_main};

fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the benchmarked call was expected to complete at once"),
    }
}

async fn noop<S: Service>(_ctx: &mut HookContext<S>) -> Result<()> {
    Ok(())
}

macro_rules! counter_service {
    ($name:ident $(, #[$attr:meta])?) => {
        struct $name;

        $(#[$attr])?
        impl Service for $name {
            type Item = i64;
            type Data = i64;
            type Patch = i64;

            async fn get(&self, id: &Id, _params: &Params) -> Result<i64> {
                Ok(id.as_number().unwrap_or(0) + 1)
            }
        }
    };
}

counter_service!(Plain);
counter_service!(Compiled, #[hooks(before(all = [noop, noop, noop, noop]))]);

fn bench(c: &mut Criterion) {
    let app = App::new()
        .register("plain", Plain)
        .register("compiled", Compiled)
        .register("runtime", Plain);
    app.service::<Plain>("runtime")
        .hooks(
            ServiceHooks::new()
                .before_all(noop)
                .before_all(noop)
                .before_all(noop)
                .before_all(noop),
        )
        .unwrap();
    let plain = app.service::<Plain>("plain");
    let compiled = app.service::<Compiled>("compiled");
    let runtime = app.service::<Plain>("runtime");
    let id = Id::Number(41);
    let params = Params::new();

    let mut group = c.benchmark_group("get");
    group.bench_function("direct method call", |b| {
        b.iter(|| ready(Plain.get(black_box(&id), &params)).unwrap())
    });
    group.bench_function("through the app, no hooks", |b| {
        b.iter(|| ready(plain.get(black_box(41), Params::new())).unwrap())
    });
    group.bench_function("#[hooks] chain, 4 no-op hooks", |b| {
        b.iter(|| ready(compiled.get(black_box(41), Params::new())).unwrap())
    });
    group.bench_function("run-time hooks, 4 no-op hooks", |b| {
        b.iter(|| ready(runtime.get(black_box(41), Params::new())).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
