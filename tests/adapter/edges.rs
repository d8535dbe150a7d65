//! Refused queries and calls, and ids: how they are assigned, kept and
//! named.

use auth_core::prelude::*;
use serde_json::{Value, json};

use crate::harness::*;

async fn unknown_operators_are_bad_requests<S: Storage>() {
    let people = with_three::<S>(base("id").multi(true)).await;
    let cases = [
        (json!({ "$foo": 1 }), "Invalid filter value $foo"),
        (
            json!({ "$populate": true, "name": "Bob" }),
            "Invalid filter value $populate",
        ),
        (
            json!({ "age": { "$regex": "2" } }),
            "Invalid query parameter $regex",
        ),
        (
            json!({ "age": { "$exists": true } }),
            "Invalid query parameter $exists",
        ),
        (
            json!({ "$or": [{ "name": "Bob" }, { "$where": "x" }] }),
            "Invalid query parameter $where",
        ),
        (
            json!({ "$and": [{ "age": { "$gt": 1, "$glob": "x" } }] }),
            "Invalid query parameter $glob",
        ),
    ];
    for (bad, message) in cases {
        let params = || query(bad.clone());
        assert_error(people.find(params()).await, ErrorKind::BadRequest, message);
        assert_error(
            people.get(0, params()).await,
            ErrorKind::BadRequest,
            message,
        );
        assert_error(
            people.update(0, json!({ "name": "X" }), params()).await,
            ErrorKind::BadRequest,
            message,
        );
        assert_error(
            people.patch(0, json!({ "name": "X" }), params()).await,
            ErrorKind::BadRequest,
            message,
        );
        assert_error(
            people.remove(0, params()).await,
            ErrorKind::BadRequest,
            message,
        );
        assert_error(
            people.patch_many(json!({ "name": "X" }), params()).await,
            ErrorKind::BadRequest,
            message,
        );
        assert_error(
            people.remove_many(params()).await,
            ErrorKind::BadRequest,
            message,
        );
    }
    // Nothing was changed by the refused calls.
    let data = find_list(&people, query(json!({ "$sort": { "name": 1 } }))).await;
    assert_eq!(names(&data), ["Alice", "Bob", "Doug"]);
}

async fn missing_id_is_not_found<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        for id in [Id::from(99), Id::from("nope")] {
            assert_not_found(people.get(&id, Params::new()).await, &id);
            assert_not_found(
                people
                    .update(&id, json!({ "name": "X" }), Params::new())
                    .await,
                &id,
            );
            assert_not_found(
                people
                    .patch(&id, json!({ "name": "X" }), Params::new())
                    .await,
                &id,
            );
            assert_not_found(people.remove(&id, Params::new()).await, &id);
        }
        let error = people.get(99, Params::new()).await.unwrap_err();
        assert_eq!(error.message(), "No record found for id '99'");
        assert_eq!(error.code(), 404);
        assert_eq!(find_list(&people, Params::new()).await, vec![doug]);
    }
}

async fn multi_calls_refused_without_multi<S: Storage>() {
    let people = with_three::<S>(base("id")).await;
    assert_error(
        people
            .create_many(vec![json!({ "name": "X" })], Params::new())
            .await,
        ErrorKind::MethodNotAllowed,
        "Can not create multiple entries",
    );
    assert_error(
        people
            .patch_many(json!({ "age": 1 }), query(json!({ "name": "Bob" })))
            .await,
        ErrorKind::MethodNotAllowed,
        "Can not patch multiple entries",
    );
    assert_error(
        people.remove_many(query(json!({ "name": "Bob" }))).await,
        ErrorKind::MethodNotAllowed,
        "Can not remove multiple entries",
    );
    let error = people.remove_many(Params::new()).await.unwrap_err();
    assert_eq!((error.code(), error.name()), (405, "MethodNotAllowed"));
    assert_eq!(find_list(&people, Params::new()).await.len(), 3);

    // Allowing some methods leaves the others refused.
    let people = with_three::<S>(base("id").multi_methods(["patch"])).await;
    let patched = people
        .patch_many(json!({ "age": 1 }), query(json!({ "name": "Bob" })))
        .await
        .unwrap();
    assert_eq!(names(&patched), ["Bob"]);
    assert_error(
        people.remove_many(Params::new()).await,
        ErrorKind::MethodNotAllowed,
        "Can not remove multiple entries",
    );
    assert_error(
        people.create_many(vec![], Params::new()).await,
        ErrorKind::MethodNotAllowed,
        "Can not create multiple entries",
    );
}

// Ids are assigned by the storage (each its own way: see
// `memory_only::ids_count_from_zero_and_may_be_strings`), always distinct;
// a record bringing its own id keeps it, and nothing changes an id.
async fn own_ids_kept_and_never_changed<S: Storage>() {
    for id_field in ID_FIELDS {
        let people = S::service(base(id_field).multi(true)).await;
        let mut ids = Vec::new();
        for n in 0..3 {
            let record = people
                .create(json!({ "name": format!("p{n}") }), Params::new())
                .await
                .unwrap();
            ids.push(record[id_field].clone());
        }
        let own = people
            .create(json!({ id_field: 10, "name": "ten" }), Params::new())
            .await
            .unwrap();
        assert_eq!(own[id_field], 10);
        ids.push(own[id_field].clone());
        let many = people
            .create_many(
                vec![json!({ "name": "p3" }), json!({ "name": "p4" })],
                Params::new(),
            )
            .await
            .unwrap();
        ids.extend(many.iter().map(|record| record[id_field].clone()));
        let mut distinct = ids.clone();
        distinct.sort_by_key(|id| id.as_i64());
        distinct.dedup();
        assert_eq!(distinct.len(), 6, "assigned ids are distinct: {ids:?}");
        assert!(ids.iter().all(Value::is_i64), "{ids:?}");

        // Neither update nor patch changes a record's id.
        let updated = people
            .update(
                10,
                json!({ id_field: 99, "name": "still ten" }),
                Params::new(),
            )
            .await
            .unwrap();
        assert_eq!(
            without_nulls(&updated),
            json!({ id_field: 10, "name": "still ten" })
        );
        let patched = people
            .patch(
                10,
                json!({ id_field: 98, "name": "ten again" }),
                Params::new(),
            )
            .await
            .unwrap();
        assert_eq!(
            without_nulls(&patched),
            json!({ id_field: 10, "name": "ten again" })
        );
        let patched = people
            .patch_many(json!({ id_field: 97 }), query(json!({ "name": "p0" })))
            .await
            .unwrap();
        assert_eq!(patched[0][id_field], ids[0]);
        for gone in [99, 98, 97] {
            assert_not_found(people.get(gone, Params::new()).await, &Id::from(gone));
        }
        assert_eq!(find_list(&people, paginate(None)).await.len(), 6);
    }
}

// An id arrives as a string in a URL: `"3"` names the record 3, but
// `"03"`, `" 3"` or `"3.0"` is another id (a string one), found nowhere.
async fn string_ids_name_numbers_in_decimal_only<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field)).await;
        let number = doug[id_field].as_i64().unwrap();
        for same in [Id::from(number), Id::from(number.to_string())] {
            assert_eq!(people.get(&same, Params::new()).await.unwrap(), doug);
        }
        for other in [
            format!("0{number}"),
            format!(" {number}"),
            format!("+{number}"),
            format!("{number}.0"),
            format!("{number} OR 1=1"),
        ] {
            let other = Id::from(other);
            assert_not_found(people.get(&other, Params::new()).await, &other);
            assert_not_found(people.remove(&other, Params::new()).await, &other);
        }
        assert_eq!(find_list(&people, Params::new()).await, vec![doug]);
    }
}

// Deliberate difference: Feathers' memory adapter replaces a stored record
// when a create brings its id; here that is a 409 and nothing changes.
async fn a_create_never_replaces_a_record_with_its_id<S: Storage>() {
    for id_field in ID_FIELDS {
        let (people, doug) = with_doug::<S>(base(id_field).multi(true)).await;
        let doug_id = id_of(&doug, id_field);
        // By number, by the same number as a string, and in a multi create.
        for taken in [json!(doug_id.to_json()), json!(doug_id.key())] {
            assert_error(
                people
                    .create(json!({ id_field: taken, "name": "Eve" }), Params::new())
                    .await,
                ErrorKind::Conflict,
                &format!("A record with id '{doug_id}' already exists"),
            );
        }
        let batch = vec![
            json!({ "name": "Fay" }),
            json!({ id_field: 7, "name": "Gus" }),
            json!({ id_field: doug_id.to_json(), "name": "Eve" }),
        ];
        assert_error(
            people.create_many(batch, Params::new()).await,
            ErrorKind::Conflict,
            &format!("A record with id '{doug_id}' already exists"),
        );
        // Records of one multi create may not share an id either.
        let twins = vec![
            json!({ id_field: 42, "name": "Ann" }),
            json!({ id_field: 42, "name": "Bea" }),
        ];
        assert_error(
            people.create_many(twins, Params::new()).await,
            ErrorKind::Conflict,
            "A record with id '42' already exists",
        );
        // Nothing was stored or replaced.
        assert_eq!(find_list(&people, Params::new()).await, vec![doug.clone()]);

        // Assigned ids skip the ids the batch brings, whatever their order:
        // Gus brings the id that would be assigned to Fay next.
        let next = doug[id_field].as_i64().unwrap() + 1;
        let batch = vec![
            json!({ "name": "Fay" }),
            json!({ id_field: next, "name": "Gus" }),
        ];
        let created = people.create_many(batch, Params::new()).await.unwrap();
        assert_eq!(names(&created), ["Fay", "Gus"]);
        assert_eq!(created[1][id_field], next);
        let fay = &created[0][id_field];
        assert!(fay.is_i64() && *fay != next && *fay != doug[id_field]);
    }
}

// From @feathersjs/memory's own tests ('update with string id works'): an
// update through a string id keeps the record's numeric id.
async fn update_with_string_id_works<S: Storage>() {
    let (people, doug) = with_doug::<S>(base("id")).await;
    let text_id = id_of(&doug, "id").key().into_owned();
    let updated = people
        .update(
            text_id.as_str(),
            json!({ "name": "Doug", "age": 33 }),
            Params::new(),
        )
        .await
        .unwrap();
    assert_eq!(updated["id"], doug["id"]);
    assert!(updated["id"].is_number());
    let removed = people
        .remove(text_id.as_str(), Params::new())
        .await
        .unwrap();
    assert_eq!(removed["id"], doug["id"]);
}

// Feathers' memory adapter strips `$limit`, `$skip` and `$sort` from the
// query of a multi `patch` or `remove` (`getQuery`): every match is touched.
async fn multi_patch_and_remove_ignore_limit_skip_and_sort<S: Storage>() {
    let people = S::service(Options::new().multi(true)).await;
    for (name, age) in [("Alice", 19), ("Bob", 25), ("Doug", 32)] {
        people
            .create(json!({ "name": name, "age": age }), Params::new())
            .await
            .unwrap();
    }
    let narrowing =
        json!({ "age": { "$gt": 18 }, "$limit": 1, "$skip": 1, "$sort": { "age": -1 } });

    let patched = people
        .patch_many(json!({ "created": true }), query(narrowing.clone()))
        .await
        .unwrap();
    assert_eq!(patched.len(), 3);

    let removed = people.remove_many(query(narrowing)).await.unwrap();
    assert_eq!(removed.len(), 3);
    assert!(
        removed
            .iter()
            .all(|person| person["created"] == json!(true))
    );
}

// `create` reads only `$select` from the query, as Feathers does; other
// keys, even invalid operators, are not its business.
async fn create_reads_only_select_from_the_query<S: Storage>() {
    let people = S::service(Options::new()).await;
    let created = people
        .create(
            json!({ "name": "Billy", "age": 42 }),
            query(json!({ "name": { "$regex": "x" }, "$select": ["name"] })),
        )
        .await
        .unwrap();
    let id = created["id"].clone();
    assert!(id.is_i64(), "{created}");
    assert_eq!(created, json!({ "id": id, "name": "Billy" }));
}

storage_tests!(
    unknown_operators_are_bad_requests,
    missing_id_is_not_found,
    multi_calls_refused_without_multi,
    own_ids_kept_and_never_changed,
    string_ids_name_numbers_in_decimal_only,
    a_create_never_replaces_a_record_with_its_id,
    update_with_string_id_works,
    multi_patch_and_remove_ignore_limit_skip_and_sort,
    create_reads_only_select_from_the_query,
);
