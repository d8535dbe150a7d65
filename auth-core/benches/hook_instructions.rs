//! Instructions per call through a hook chain, for callgrind: runs `N`
//! `get`s of one service (`plain`: no hook, `compiled-4`/`compiled-16`:
//! `#[hooks]` with 4/16 no-op before hooks, `runtime-4`: 4 run-time ones),
//! each polled once with a no-op waker. The difference between two runs
//! (`N` and `2N`) divided by `N` is the cost of one call, the same on every
//! run whatever else the machine does:
//!
//! ```sh
//! cargo bench -p auth-core --bench hook_instructions --no-run
//! B=$(ls -t target/release/deps/hook_instructions-* | grep -v '\.d$' | head -1)
//! for n in 10000 20000; do valgrind --tool=callgrind $B compiled-4 $n 2>&1 | grep Collected; done
//! ```
//!
//! Without arguments (as `cargo bench` runs it) it prints the size of each
//! call's future: what every call copies as it is built.

use std::hint::black_box;

use auth_core::prelude::*;

mod support;
use support::{counter_service, noop, ready};

counter_service!(Plain);
counter_service!(Compiled4, #[hooks(before(all = [noop, noop, noop, noop]))]);
counter_service!(Compiled16, #[hooks(before(all = [
    noop, noop, noop, noop, noop, noop, noop, noop,
    noop, noop, noop, noop, noop, noop, noop, noop,
]))]);

fn calls<S: Service<Item = i64>>(app: &App, path: &str, count: usize) {
    let handle = app.service::<S>(path);
    for _ in 0..count {
        black_box(ready(handle.get(black_box(41), Params::new())).ok());
    }
}

fn future_size<S: Service<Item = i64>>(app: &App, path: &str) -> usize {
    std::mem::size_of_val(&app.service::<S>(path).get(41, Params::new()))
}

fn main() {
    let app = App::new()
        .register("plain", Plain)
        .register("compiled-4", Compiled4)
        .register("compiled-16", Compiled16)
        .register("runtime-4", Plain);
    let hooks = (0..4).fold(ServiceHooks::<Plain>::new(), |hooks, _| {
        hooks.before_all(noop)
    });
    if let Err(error) = app.service::<Plain>("runtime-4").hooks(hooks) {
        panic!("{error}");
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count = args.get(1).and_then(|count| count.parse().ok());
    match (args.first().map(String::as_str), count) {
        (Some("plain"), Some(count)) => calls::<Plain>(&app, "plain", count),
        (Some("compiled-4"), Some(count)) => calls::<Compiled4>(&app, "compiled-4", count),
        (Some("compiled-16"), Some(count)) => calls::<Compiled16>(&app, "compiled-16", count),
        (Some("runtime-4"), Some(count)) => calls::<Plain>(&app, "runtime-4", count),
        _ => {
            println!(
                "future of a get, no hook: {} bytes",
                future_size::<Plain>(&app, "plain")
            );
            println!(
                "future of a get, 4 compiled hooks: {} bytes",
                future_size::<Compiled4>(&app, "compiled-4")
            );
            println!(
                "future of a get, 16 compiled hooks: {} bytes",
                future_size::<Compiled16>(&app, "compiled-16")
            );
        }
    }
}
