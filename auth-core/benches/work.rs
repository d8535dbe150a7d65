//! The framework's own work, outside the hook chain: `authenticate("jwt")`
//! on a valid token (HS256 verification and the user lookup), the memory
//! adapter's `find` with a 3-operator query over 10 000 records, and error
//! serialization.
//!
//! Run: `cargo bench -p auth-core --bench work`.

use std::hint::black_box;

use auth_core::memory::{MemoryOptions, MemoryService, Pagination};
use auth_core::prelude::*;
use auth_core::query::Paginate;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

struct Messages;

#[hooks(before(all = [authenticate("jwt")]))]
impl Service for Messages {
    type Item = Value;
    type Data = Value;
    type Patch = Value;

    async fn get(&self, id: &Id, _params: &Params) -> Result<Value> {
        Ok(json!({ "id": id.to_json(), "text": "hello" }))
    }
}

fn bench_authenticate(c: &mut Criterion, runtime: &tokio::runtime::Runtime) {
    let app = App::new()
        .register("users", MemoryService::<Value>::new())
        .register("messages", Messages)
        .configure(
            Authentication::new(AuthConfig::new("bench secret").auth_strategies(["local", "jwt"]))
                .strategy(Jwt::default())
                .strategy(Local::default()),
        );
    app.setup().unwrap();
    let users = app.service::<MemoryService<Value>>("users");
    users
        .hooks(ServiceHooks::new().after_all(protect(["password"])))
        .unwrap();
    let token = runtime.block_on(async {
        users
            .create(
                json!({ "email": "ada@example.com", "password": "x" }),
                Params::new(),
            )
            .await
            .unwrap();
        let service = app.service::<AuthenticationService>("authentication");
        let auth = service.inner().unwrap();
        auth.create_access_token(
            Default::default(),
            &auth_core::authentication::TokenOptions {
                subject: Some("0".to_owned()),
                expires_in: None,
            },
        )
        .unwrap()
    });
    let messages = app.service::<Messages>("messages");
    let external = |token: &str| {
        let mut params = Params::external(Provider::Rest);
        params.authentication = Some(AuthenticationRequest::new("jwt").with("accessToken", token));
        params
    };
    c.bench_function("authenticate(jwt)/external get with a valid token", |b| {
        b.iter(|| {
            runtime
                .block_on(messages.get(black_box(1), external(&token)))
                .unwrap()
        })
    });
    let service = app.service::<AuthenticationService>("authentication");
    let auth = service.inner().unwrap();
    c.bench_function("authenticate(jwt)/HS256 verification alone", |b| {
        b.iter(|| auth.verify_access_token(black_box(&token)).unwrap())
    });
}

fn bench_find(c: &mut Criterion, runtime: &tokio::runtime::Runtime) {
    let app = App::new().register(
        "people",
        MemoryService::<Value>::with_options(MemoryOptions::new().paginate(Paginate {
            default: 10,
            max: 50,
        })),
    );
    let people = app.service::<MemoryService<Value>>("people");
    let records: Vec<Value> = (0..10_000)
        .map(|n| {
            let team = ["red", "blue", "green"][n % 3];
            json!({ "name": format!("person {n}"), "age": n % 90, "team": team })
        })
        .collect();
    runtime.block_on(async {
        for record in records {
            people.create(record, Params::new()).await.unwrap();
        }
    });
    let query = || {
        Params::new().with_query(json!({
            "age": { "$gte": "30", "$lt": "60" },
            "team": { "$in": ["red", "blue"] },
            "$sort": { "age": -1 },
            "$limit": 10
        }))
    };
    c.bench_function(
        "memory find/3 operators over 10k records, page of 10",
        |b| b.iter(|| runtime.block_on(people.find(query())).unwrap()),
    );
    let mut unpaginated = query();
    unpaginated.extensions.insert(Pagination(None));
    c.bench_function(
        "memory find/3 operators over 10k records, unpaginated",
        |b| b.iter(|| runtime.block_on(people.find(unpaginated.clone())).unwrap()),
    );
}

fn bench_errors(c: &mut Criterion) {
    let plain = Error::not_authenticated("Not authenticated");
    let detailed = Error::bad_request("Invalid data").with_errors(json!({ "text": "required" }));
    c.bench_function("error JSON/plain 401", |b| {
        b.iter(|| serde_json::to_vec(black_box(&plain)).unwrap())
    });
    c.bench_function("error JSON/400 with errors", |b| {
        b.iter(|| serde_json::to_vec(black_box(&detailed)).unwrap())
    });
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    bench_authenticate(c, &runtime);
    bench_find(c, &runtime);
    bench_errors(c);
}

criterion_group!(benches, bench);
criterion_main!(benches);
