//! The entity cache (`authentication.entity_cache`): an authenticated
//! call finds its user without a `get` through the users service while
//! nothing changed it, and sees every change made through the service at
//! once: a patch, a removal (401), a new token epoch (a revoked token),
//! hooks added to the app. External and internal callers keep their own
//! views. Counted by a hook on the users service's `get`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use auth_core::authentication::{EntityCacheOptions, EntityView, TokenOptions};
use auth_core::memory::MemoryService;
use auth_core::prelude::*;
use serde_json::{Map, Value, json};

type Users = MemoryService<Value>;

const SECRET: &str = "a secret long enough for the cache tests";

/// Counts the `get`s the users service runs.
#[derive(Clone, Default)]
struct CountGets(Arc<AtomicUsize>);

impl CountGets {
    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl Hook<HookContext<Users>> for CountGets {
    async fn run(&self, _ctx: &mut HookContext<Users>) -> Result<()> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

struct Fixture {
    app: App,
    gets: CountGets,
    token: String,
}

/// Users behind `protect("password")`, one user, a token naming them;
/// tokens revocable through the field `epoch`.
async fn fixture(cache: Option<EntityCacheOptions>, view: EntityView) -> Fixture {
    let mut config = AuthConfig::new(SECRET)
        .auth_strategies(["jwt"])
        .token_epoch_field("epoch")
        .entity_view(view);
    config.entity_cache = cache;
    let app = App::new()
        .register("users", Users::new())
        .configure(Authentication::new(config).strategy(Jwt::default()));
    app.setup().unwrap();
    let gets = CountGets::default();
    let users = app.service::<Users>("users");
    users
        .hooks(
            ServiceHooks::new()
                .before("get", gets.clone())
                .after_all(protect(["password"])),
        )
        .unwrap();
    let user = users
        .create(
            json!({ "name": "Ada", "password": "hashed", "epoch": "e1" }),
            Params::new(),
        )
        .await
        .unwrap();
    let token = token_for(&app, &user, "e1");
    Fixture { app, gets, token }
}

fn token_for(app: &App, user: &Value, epoch: &str) -> String {
    let handle = app.service::<AuthenticationService>("authentication");
    let service = handle.inner().unwrap();
    let mut payload = Map::new();
    payload.insert("epoch".to_owned(), json!(epoch));
    let options = TokenOptions {
        subject: Some(user["id"].to_string()),
        ..TokenOptions::default()
    };
    service.create_access_token(payload, &options).unwrap()
}

fn cached() -> Option<EntityCacheOptions> {
    Some(EntityCacheOptions {
        capacity: 100,
        ttl: 60.0,
    })
}

/// The user the token authenticates, for an external caller (`rest`) or
/// an internal one.
async fn user_of(app: &App, token: &str, external: bool) -> Result<Value> {
    let handle = app.service::<AuthenticationService>("authentication");
    let service = handle.inner().unwrap();
    let params = if external {
        Params::external(Provider::Rest)
    } else {
        Params::new()
    };
    let request = AuthenticationRequest::new("jwt").with("accessToken", token);
    let result = service.authenticate(&request, &params, &["jwt"]).await?;
    Ok(result.get("user").cloned().expect("a user"))
}

#[tokio::test]
async fn a_user_is_looked_up_once_while_nothing_changes() {
    let Fixture { app, gets, token } = fixture(cached(), EntityView::Internal).await;
    for _ in 0..3 {
        let user = user_of(&app, &token, true).await.unwrap();
        assert_eq!(user["name"], "Ada");
        assert_eq!(user.get("password"), None, "protect applies");
    }
    assert_eq!(gets.count(), 1);
    // An internal caller has a view of its own: the record as stored.
    for _ in 0..2 {
        let user = user_of(&app, &token, false).await.unwrap();
        assert_eq!(user["password"], "hashed");
    }
    assert_eq!(gets.count(), 2);
}

#[tokio::test]
async fn without_the_cache_every_call_looks_the_user_up() {
    let Fixture { app, gets, token } = fixture(None, EntityView::Internal).await;
    for _ in 0..3 {
        user_of(&app, &token, true).await.unwrap();
    }
    assert_eq!(gets.count(), 3);
}

#[tokio::test]
async fn a_patch_through_the_service_is_seen_by_the_next_call() {
    let Fixture { app, gets, token } = fixture(cached(), EntityView::Internal).await;
    user_of(&app, &token, true).await.unwrap();
    app.service::<Users>("users")
        .patch(0, json!({ "name": "Ada L." }), Params::new())
        .await
        .unwrap();
    let user = user_of(&app, &token, true).await.unwrap();
    assert_eq!(user["name"], "Ada L.");
    assert_eq!(gets.count(), 2);
}

#[tokio::test]
async fn a_removed_user_is_401_at_once() {
    let Fixture { app, token, .. } = fixture(cached(), EntityView::Internal).await;
    user_of(&app, &token, true).await.unwrap();
    app.service::<Users>("users")
        .remove(0, Params::new())
        .await
        .unwrap();
    let error = user_of(&app, &token, true).await.unwrap_err();
    assert_eq!(error.code(), 401, "{error}");
}

#[tokio::test]
async fn a_new_epoch_revokes_a_cached_users_token_at_once() {
    let Fixture { app, gets, token } = fixture(cached(), EntityView::Internal).await;
    user_of(&app, &token, true).await.unwrap();
    user_of(&app, &token, true).await.unwrap();
    assert_eq!(gets.count(), 1, "the epoch is checked on the kept record");
    app.service::<Users>("users")
        .patch(0, json!({ "epoch": "e2" }), Params::new())
        .await
        .unwrap();
    let error = user_of(&app, &token, true).await.unwrap_err();
    assert_eq!(error.code(), 401, "{error}");
    assert!(error.message().contains("revoked"), "{error}");
    // A revoked token stays refused while the user is kept.
    let error = user_of(&app, &token, true).await.unwrap_err();
    assert!(error.message().contains("revoked"), "{error}");
    let fresh = token_for(&app, &json!({ "id": 0 }), "e2");
    user_of(&app, &fresh, true).await.unwrap();
}

#[tokio::test]
async fn a_token_the_kept_user_refuses_is_checked_on_the_stored_user() {
    let Fixture { app, gets, token } = fixture(cached(), EntityView::Internal).await;
    user_of(&app, &token, true).await.unwrap();
    // A token with another epoch than the kept user's: its refusal is
    // made on the user as stored, looked up again.
    let other = token_for(&app, &json!({ "id": 0 }), "e2");
    let error = user_of(&app, &other, true).await.unwrap_err();
    assert!(error.message().contains("revoked"), "{error}");
    assert_eq!(gets.count(), 2);
    // The first token still passes on the kept user.
    user_of(&app, &token, true).await.unwrap();
    assert_eq!(gets.count(), 2);
}

#[tokio::test]
async fn hooks_added_later_shape_the_next_call() {
    let Fixture { app, gets, token } = fixture(cached(), EntityView::Internal).await;
    let user = user_of(&app, &token, true).await.unwrap();
    assert_eq!(user.get("name"), Some(&json!("Ada")));
    app.service::<Users>("users")
        .hooks(ServiceHooks::new().after_all(protect(["name"])))
        .unwrap();
    let user = user_of(&app, &token, true).await.unwrap();
    assert_eq!(user.get("name"), None, "the new protect applies");
    assert_eq!(gets.count(), 2);
}

#[tokio::test]
async fn an_entity_is_kept_at_most_its_ttl() {
    let options = EntityCacheOptions {
        capacity: 100,
        ttl: 0.05,
    };
    let Fixture { app, gets, token } = fixture(Some(options), EntityView::Internal).await;
    user_of(&app, &token, true).await.unwrap();
    user_of(&app, &token, true).await.unwrap();
    assert_eq!(gets.count(), 1);
    tokio::time::sleep(Duration::from_millis(80)).await;
    user_of(&app, &token, true).await.unwrap();
    assert_eq!(gets.count(), 2);
}

#[tokio::test]
async fn feathers_second_lookup_as_the_caller_is_never_cached() {
    let Fixture { app, gets, token } = fixture(cached(), EntityView::Caller).await;
    user_of(&app, &token, true).await.unwrap();
    user_of(&app, &token, true).await.unwrap();
    assert_eq!(gets.count(), 4, "two gets a call");
}

/// Keeps the `params.user` of each call it sees, as JSON.
#[derive(Clone, Default)]
struct SeeUser(Arc<std::sync::Mutex<Vec<Value>>>);

impl Hook<HookContext<Users>> for SeeUser {
    async fn run(&self, ctx: &mut HookContext<Users>) -> Result<()> {
        let user = ctx.params.user.as_ref().expect("a user");
        self.0.lock().unwrap().push(user.json()?.clone());
        Ok(())
    }
}

#[tokio::test]
async fn an_authenticated_call_gets_the_cached_user_as_params_user() {
    let Fixture { app, gets, token } = fixture(cached(), EntityView::Internal).await;
    let users = app.service::<Users>("users");
    let seen = SeeUser::default();
    users
        .hooks(
            ServiceHooks::new()
                .before("find", authenticate(["jwt"]))
                .before("find", seen.clone()),
        )
        .unwrap();
    let before = gets.count();
    for _ in 0..2 {
        let mut params = Params::external(Provider::Rest);
        params.authentication =
            Some(AuthenticationRequest::new("jwt").with("accessToken", token.as_str()));
        users.find(params).await.unwrap();
    }
    assert_eq!(gets.count(), before + 1);
    let seen = seen.0.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    for user in seen {
        assert_eq!(user, json!({ "id": 0, "name": "Ada", "epoch": "e1" }));
    }
}

#[tokio::test]
async fn the_cache_is_read_from_the_configuration() {
    let app = App::new().register("users", Users::new());
    app.set(
        "authentication",
        json!({ "secret": SECRET, "entity_cache": { "capacity": 0 } }),
    );
    let app = app.configure(Authentication::from_settings().strategy(Jwt::default()));
    let error = app.setup().unwrap_err();
    assert!(
        error
            .message()
            .contains("Invalid 'authentication.entity_cache.capacity'"),
        "{error}"
    );

    let app = App::new().register("users", Users::new());
    app.set(
        "authentication",
        json!({ "secret": SECRET, "entity_cache": { "capacity": 5, "tll": 2 } }),
    );
    let app = app.configure(Authentication::from_settings().strategy(Jwt::default()));
    let error = app.setup().unwrap_err();
    assert!(error.message().contains("unknown field `tll`"), "{error}");
}
