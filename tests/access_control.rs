//! The access control hooks through the public API: `restrict_to_owner(..)`,
//! `forbid_query_fields(..)` and `disallow_external_multi` on a
//! `MemoryService`, registered at run time with `ServiceHooks`. The chat
//! app (`chat_http.rs`) uses them through `#[hooks(..)]`.
//!
//! External calls are made as `authenticate(..)` leaves them: a provider,
//! `authenticated`, and the user as JSON in `params.user`.

use auth_core::memory::{MemoryOptions, MemoryService};
use auth_core::prelude::*;
use serde_json::{Value, json};

const ADA: u64 = 1;
const BOB: u64 = 2;

/// Notes 0 (Ada's), 1 (Bob's), 2 (Ada's), 3 (no owner), with `hooks`.
async fn notes(hooks: ServiceHooks<MemoryService>) -> ServiceHandle<MemoryService> {
    let service = MemoryService::<Value>::with_options(MemoryOptions::new().multi(true));
    let app = App::new().register("notes", service);
    let notes = app.service::<MemoryService>("notes");
    for note in [
        json!({ "text": "a0", "userId": ADA }),
        json!({ "text": "b1", "userId": BOB }),
        json!({ "text": "a2", "userId": ADA }),
        json!({ "text": "nobody's" }),
    ] {
        notes.create(note, Params::new()).await.unwrap();
    }
    notes.hooks(hooks).unwrap();
    notes
}

async fn owned_notes() -> ServiceHandle<MemoryService> {
    notes(ServiceHooks::new().before_all(restrict_to_owner("userId"))).await
}

/// An external call as `authenticate(..)` leaves it for `user`.
fn as_user(user: Value) -> Params {
    let mut params = Params::external(Provider::Rest);
    params.authenticated = true;
    params.user = Some(user.into());
    params
}

fn ada() -> Params {
    as_user(json!({ "id": ADA, "email": "ada@example.com" }))
}

fn texts(found: Found<Value>) -> Vec<String> {
    let Found::All(records) = found else {
        panic!("not a list")
    };
    records
        .iter()
        .map(|record| record["text"].as_str().unwrap().to_owned())
        .collect()
}

async fn all_texts(notes: &ServiceHandle<MemoryService>) -> Vec<String> {
    texts(notes.find(Params::new()).await.unwrap())
}

#[tokio::test]
async fn find_narrows_to_the_callers_records_whatever_the_query_says() {
    let notes = owned_notes().await;
    assert_eq!(texts(notes.find(ada()).await.unwrap()), ["a0", "a2"]);
    // A client's own value for the owner field is replaced, not obeyed.
    for query in [
        json!({ "userId": BOB }),
        json!({ "userId": { "$ne": ADA } }),
    ] {
        let params = ada().with_query(query.clone());
        assert_eq!(
            texts(notes.find(params).await.unwrap()),
            ["a0", "a2"],
            "{query}"
        );
    }
    // Other conditions still narrow further.
    let params = ada().with_query(json!({ "text": "a2" }));
    assert_eq!(texts(notes.find(params).await.unwrap()), ["a2"]);
}

#[tokio::test]
async fn another_users_record_is_403_for_every_single_record_method() {
    let notes = owned_notes().await;
    let forbidden = |result: Result<Value>| {
        let error = result.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Forbidden, "{error:?}");
        assert_eq!(
            error.message(),
            "You do not have the permissions to access this."
        );
    };
    forbidden(notes.get(1, ada()).await);
    forbidden(
        notes
            .update(1, json!({ "text": "mine now", "userId": ADA }), ada())
            .await,
    );
    forbidden(notes.patch(1, json!({ "userId": ADA }), ada()).await);
    forbidden(notes.remove(1, ada()).await);
    // A record without an owner is nobody's, the caller's neither.
    forbidden(notes.patch(3, json!({ "text": "x" }), ada()).await);
    // The query can not make another's record look like the caller's.
    forbidden(
        notes
            .get(1, ada().with_query(json!({ "userId": BOB })))
            .await,
    );
    assert_eq!(all_texts(&notes).await, ["a0", "b1", "a2", "nobody's"]);
}

#[tokio::test]
async fn the_callers_own_records_are_served_and_missing_ones_are_404() {
    let notes = owned_notes().await;
    assert_eq!(notes.get(0, ada()).await.unwrap()["text"], "a0");
    let patched = notes
        .patch(0, json!({ "text": "a0!" }), ada())
        .await
        .unwrap();
    assert_eq!(patched, json!({ "id": 0, "text": "a0!", "userId": ADA }));
    let updated = notes
        .update(2, json!({ "text": "a2!", "userId": ADA }), ada())
        .await
        .unwrap();
    assert_eq!(updated["text"], "a2!");
    notes.remove(2, ada()).await.unwrap();
    let error = notes.get(99, ada()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotFound);
    let error = notes
        .patch(2, json!({ "text": "gone" }), ada())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotFound);
    assert_eq!(all_texts(&notes).await, ["a0!", "b1", "nobody's"]);
}

#[tokio::test]
async fn multi_patch_and_remove_touch_only_the_callers_records() {
    let notes = owned_notes().await;
    let patched = notes
        .patch_many(json!({ "text": "edited" }), ada())
        .await
        .unwrap();
    assert_eq!(patched.len(), 2);
    assert_eq!(
        all_texts(&notes).await,
        ["edited", "b1", "edited", "nobody's"]
    );
    let params = ada().with_query(json!({ "userId": BOB }));
    let removed = notes.remove_many(params).await.unwrap();
    assert_eq!(removed.len(), 2);
    assert_eq!(all_texts(&notes).await, ["b1", "nobody's"]);
}

#[tokio::test]
async fn callers_without_a_user_are_401_or_403_and_internal_calls_pass() {
    let notes = owned_notes().await;
    // Nothing authenticated the call: 401, as `authenticate(..)` would say.
    let error = notes
        .find(Params::external(Provider::Rest))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotAuthenticated);
    // A strategy authenticated it without a user (anonymous): 403.
    let mut anonymous = Params::external(Provider::Rest);
    anonymous.authenticated = true;
    anonymous.set_field("anonymous", true);
    let error = notes.remove(3, anonymous.clone()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Forbidden);
    let error = notes.find(anonymous).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Forbidden);
    // The server's own calls are not restricted.
    assert_eq!(all_texts(&notes).await.len(), 4);
    notes
        .patch(1, json!({ "text": "moderated" }), Params::new())
        .await
        .unwrap();
    notes.remove(3, Params::new()).await.unwrap();
    assert_eq!(all_texts(&notes).await, ["a0", "moderated", "a2"]);
}

#[tokio::test]
async fn ids_compare_by_their_string_form_and_lists_of_owners_count() {
    let service = MemoryService::<Value>::new();
    let app = App::new().register("docs", service);
    let docs = app.service::<MemoryService>("docs");
    for doc in [
        json!({ "ownerIds": ["u1", "u2"] }),
        json!({ "ownerIds": ["u3"] }),
        json!({ "ownerIds": 7 }),
    ] {
        docs.create(doc, Params::new()).await.unwrap();
    }
    docs.hooks(ServiceHooks::new().before_all(restrict_to_owner("ownerIds").user_id("_id")))
        .unwrap();
    let u2 = as_user(json!({ "_id": "u2" }));
    assert!(docs.get(0, u2.clone()).await.is_ok());
    assert_eq!(
        docs.get(1, u2.clone()).await.unwrap_err().kind(),
        ErrorKind::Forbidden
    );
    let Found::All(found) = docs.find(u2).await.unwrap() else {
        panic!("not a list")
    };
    assert_eq!(found.len(), 1);
    // A numeric id and its string form are one id.
    let seven = as_user(json!({ "_id": "7" }));
    assert!(docs.get(2, seven).await.is_ok());
    // A user without the configured id field is the server's mistake.
    let error = docs
        .get(0, as_user(json!({ "id": "u1" })))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::GeneralError);
    assert!(error.message().contains("'_id'"), "{}", error.message());
}

#[tokio::test]
async fn forbidden_query_fields_are_400_for_external_calls_only() {
    let notes = notes(ServiceHooks::new().before_all(forbid_query_fields(["userId"]))).await;
    for query in [
        json!({ "userId": 1 }),
        json!({ "userId": { "$gt": 0 } }),
        json!({ "$or": [{ "text": "a0" }, { "userId": 1 }] }),
        json!({ "$and": [{ "$or": [{ "userId": 1 }] }] }),
        json!({ "$sort": { "userId": -1 } }),
        json!({ "$select": ["text", "userId"] }),
    ] {
        let params = Params::external(Provider::Rest).with_query(query.clone());
        let error = notes.find(params).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::BadRequest, "{query}");
        assert_eq!(error.message(), "Field 'userId' can not be used in a query");
        assert_eq!(
            error.errors(),
            Some(&json!({ "userId": "can not be used in a query" }))
        );
        // Every method's query, not only find's.
        let params = Params::external(Provider::Rest).with_query(query.clone());
        let error = notes.remove(0, params).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::BadRequest, "{query}");
        let params = Params::new().with_query(query.clone());
        assert!(notes.find(params).await.is_ok(), "{query}");
    }
    let params = Params::external(Provider::Rest).with_query(json!({ "text": "userId" }));
    assert_eq!(
        texts(notes.find(params).await.unwrap()),
        Vec::<String>::new()
    );
    assert_eq!(all_texts(&notes).await.len(), 4);
}

#[tokio::test]
async fn external_multi_calls_are_405_and_internal_ones_pass() {
    let notes = notes(ServiceHooks::new().before_all(disallow_external_multi)).await;
    let external = || Params::external(Provider::Rest);
    let error = notes
        .patch_many(json!({ "text": "all" }), external())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::MethodNotAllowed);
    assert_eq!(error.message(), "Can not patch multiple entries");
    let error = notes.remove_many(external()).await.unwrap_err();
    assert_eq!(error.message(), "Can not remove multiple entries");
    let error = notes
        .create_many(vec![json!({ "text": "x" })], external())
        .await
        .unwrap_err();
    assert_eq!(error.message(), "Can not create multiple entries");
    assert_eq!(all_texts(&notes).await.len(), 4);
    // Single calls pass; internal multi calls too.
    notes
        .patch(0, json!({ "text": "one" }), external())
        .await
        .unwrap();
    notes.remove_many(Params::new()).await.unwrap();
    assert!(all_texts(&notes).await.is_empty());
}

/// `protect(..)` declares its fields unqueryable: an external query naming
/// one is refused before any hook runs, whether `protect` was written by
/// `#[hooks]` or registered at run time, and internal calls still may.
#[tokio::test]
async fn protected_fields_are_never_queried_by_external_callers() {
    #[hooks(after(all = [protect("secret")]))]
    struct Vault(MemoryService<Value>);

    let app = App::new()
        .register("vault", Vault(MemoryService::new()))
        .register("notes", MemoryService::<Value>::new());
    let vault = app.service::<Vault>("vault");
    vault
        .create(json!({ "name": "a", "secret": "s3" }), Params::new())
        .await
        .unwrap();
    let notes = app.service::<MemoryService>("notes");
    notes
        .create(json!({ "text": "a0", "userId": ADA }), Params::new())
        .await
        .unwrap();
    notes
        .hooks(ServiceHooks::new().after_all(protect(["userId"])))
        .unwrap();

    let oracle = json!({ "secret": { "$gt": "s" } });
    let params = Params::external(Provider::Rest).with_query(oracle.clone());
    let error = vault.find(params).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::BadRequest);
    assert_eq!(error.message(), "Field 'secret' can not be used in a query");
    assert!(vault.find(Params::new().with_query(oracle)).await.is_ok());

    let params = Params::external(Provider::Rest).with_query(json!({ "$sort": { "userId": 1 } }));
    let error = notes.find(params).await.unwrap_err();
    assert_eq!(error.message(), "Field 'userId' can not be used in a query");
}

/// `protect(..)` registered as an app hook makes its fields unqueryable
/// for every service's external calls.
#[tokio::test]
async fn fields_an_app_hook_protects_are_never_queried_by_external_callers() {
    let app = App::new()
        .hooks(AppHooks::new().after_all(protect(["secret"])))
        .register("notes", MemoryService::<Value>::new());
    let notes = app.service::<MemoryService>("notes");
    notes
        .create(json!({ "text": "a0", "secret": "s3" }), Params::new())
        .await
        .unwrap();

    let oracle = json!({ "$or": [{ "secret": { "$lt": "t" } }] });
    let params = Params::external(Provider::Rest).with_query(oracle.clone());
    let error = notes.find(params).await.unwrap_err();
    assert_eq!(error.message(), "Field 'secret' can not be used in a query");
    assert!(notes.find(Params::new().with_query(oracle)).await.is_ok());
}
