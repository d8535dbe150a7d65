//! Instructions per memory `find`, for callgrind: the query of `work`'s
//! "memory find" bench (3 operators, sorted, over 10 000 records), `N`
//! times, as a page of 10 (`page`, as `work` measures it) or every match
//! sorted, unpaginated and without `$limit` (`all`). The difference between two runs (`N` and `2N`) divided by
//! `N` is the cost of one find, the same on every run whatever else the
//! machine does:
//!
//! ```sh
//! cargo bench -p auth-core --bench find_instructions --no-run
//! B=$(ls -t target/release/deps/find_instructions-* | grep -v '\.d$' | head -1)
//! for n in 10 20; do valgrind --tool=callgrind --callgrind-out-file=/dev/null $B page $n 2>&1 | grep Collected; done
//! ```

use std::hint::black_box;

use auth_core::memory::{MemoryOptions, MemoryService, Pagination};
use auth_core::prelude::*;
use auth_core::query::Paginate;
use serde_json::{Value, json};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count: usize = args
        .get(1)
        .and_then(|count| count.parse().ok())
        .unwrap_or(0);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let app = App::new().register(
        "people",
        MemoryService::<Value>::with_options(MemoryOptions::new().paginate(Paginate {
            default: 10,
            max: 50,
        })),
    );
    let people = app.service::<MemoryService<Value>>("people");
    runtime.block_on(async {
        for n in 0..10_000 {
            let team = ["red", "blue", "green"][n % 3];
            let record = json!({ "name": format!("person {n}"), "age": n % 90, "team": team });
            people
                .create(record, Params::new())
                .await
                .expect("a record");
        }
    });
    let mut params = Params::new().with_query(json!({
        "age": { "$gte": "30", "$lt": "60" },
        "team": { "$in": ["red", "blue"] },
        "$sort": { "age": -1 },
        "$limit": 10
    }));
    match args.first().map(String::as_str) {
        Some("page") => {}
        Some("all") => {
            // Every match, sorted: the full sort.
            params.query.remove("$limit");
            params.extensions.insert(Pagination(None));
        }
        _ => {
            println!("usage: find_instructions page|all COUNT");
            return;
        }
    }
    for _ in 0..count {
        black_box(
            runtime
                .block_on(people.find(params.clone()))
                .expect("found"),
        );
    }
}
