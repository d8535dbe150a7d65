//! Error JSON for every kind, exactly as `@feathersjs/errors` serializes it.

use auth_core::{Error, ErrorKind};
use serde_json::json;

/// Name, code and class name of every kind, as `@feathersjs/errors` has
/// them (plus `PayloadTooLarge` and `UnsupportedMediaType`, ours for 413
/// and 415).
const KINDS: [(ErrorKind, &str, u16, &str); 19] = [
    (ErrorKind::BadRequest, "BadRequest", 400, "bad-request"),
    (
        ErrorKind::NotAuthenticated,
        "NotAuthenticated",
        401,
        "not-authenticated",
    ),
    (
        ErrorKind::PaymentError,
        "PaymentError",
        402,
        "payment-error",
    ),
    (ErrorKind::Forbidden, "Forbidden", 403, "forbidden"),
    (ErrorKind::NotFound, "NotFound", 404, "not-found"),
    (
        ErrorKind::MethodNotAllowed,
        "MethodNotAllowed",
        405,
        "method-not-allowed",
    ),
    (
        ErrorKind::NotAcceptable,
        "NotAcceptable",
        406,
        "not-acceptable",
    ),
    (ErrorKind::Timeout, "Timeout", 408, "timeout"),
    (ErrorKind::Conflict, "Conflict", 409, "conflict"),
    (ErrorKind::Gone, "Gone", 410, "gone"),
    (
        ErrorKind::LengthRequired,
        "LengthRequired",
        411,
        "length-required",
    ),
    (
        ErrorKind::PayloadTooLarge,
        "PayloadTooLarge",
        413,
        "payload-too-large",
    ),
    (
        ErrorKind::UnsupportedMediaType,
        "UnsupportedMediaType",
        415,
        "unsupported-media-type",
    ),
    (
        ErrorKind::Unprocessable,
        "Unprocessable",
        422,
        "unprocessable",
    ),
    (
        ErrorKind::TooManyRequests,
        "TooManyRequests",
        429,
        "too-many-requests",
    ),
    (
        ErrorKind::GeneralError,
        "GeneralError",
        500,
        "general-error",
    ),
    (
        ErrorKind::NotImplemented,
        "NotImplemented",
        501,
        "not-implemented",
    ),
    (ErrorKind::BadGateway, "BadGateway", 502, "bad-gateway"),
    (ErrorKind::Unavailable, "Unavailable", 503, "unavailable"),
];

#[test]
fn every_kind_serializes_with_its_name_code_and_class_name_in_feathers_order() {
    assert_eq!(ErrorKind::ALL.len(), KINDS.len());
    for (kind, name, code, class_name) in KINDS {
        let error = Error::new(kind, "Something happened");
        assert_eq!(
            serde_json::to_string(&error).unwrap(),
            format!(
                r#"{{"name":"{name}","message":"Something happened","code":{code},"className":"{class_name}"}}"#
            )
        );
        assert_eq!(error.to_json(), serde_json::to_value(&error).unwrap());
        assert_eq!(
            (error.name(), error.code(), error.class_name()),
            (name, code, class_name)
        );
    }
}

#[test]
fn every_named_constructor_makes_its_kind() {
    let made = [
        Error::bad_request("m"),
        Error::not_authenticated("m"),
        Error::payment_error("m"),
        Error::forbidden("m"),
        Error::not_found("m"),
        Error::method_not_allowed("m"),
        Error::not_acceptable("m"),
        Error::timeout("m"),
        Error::conflict("m"),
        Error::gone("m"),
        Error::length_required("m"),
        Error::payload_too_large("m"),
        Error::unsupported_media_type("m"),
        Error::unprocessable("m"),
        Error::too_many_requests("m"),
        Error::general("m"),
        Error::not_implemented("m"),
        Error::bad_gateway("m"),
        Error::unavailable("m"),
    ];
    for (error, (kind, ..)) in made.iter().zip(KINDS) {
        assert_eq!(error.kind(), kind);
    }
}

#[test]
fn the_contract_example_is_byte_for_byte() {
    let error = Error::not_authenticated("Not authenticated");
    assert_eq!(
        serde_json::to_string(&error).unwrap(),
        r#"{"name":"NotAuthenticated","message":"Not authenticated","code":401,"className":"not-authenticated"}"#
    );
}

#[test]
fn data_and_errors_appear_only_when_set() {
    let with_data = Error::not_found("No record").with_data(json!({ "id": 3 }));
    assert_eq!(
        serde_json::to_string(&with_data).unwrap(),
        r#"{"name":"NotFound","message":"No record","code":404,"className":"not-found","data":{"id":3}}"#
    );
    let with_both = Error::bad_request("Invalid")
        .with_data(json!(null))
        .with_errors(json!({ "text": "required" }));
    assert_eq!(
        serde_json::to_string(&with_both).unwrap(),
        r#"{"name":"BadRequest","message":"Invalid","code":400,"className":"bad-request","data":null,"errors":{"text":"required"}}"#
    );
    assert_eq!(with_both.errors(), Some(&json!({ "text": "required" })));
}

#[test]
fn errors_read_back_from_feathers_json() {
    let from_feathers: Error = serde_json::from_value(json!({
        "name": "Conflict", "message": "Taken", "code": 409, "className": "conflict",
        "errors": { "email": "taken" }
    }))
    .unwrap();
    assert_eq!(
        from_feathers,
        Error::conflict("Taken").with_errors(json!({ "email": "taken" }))
    );

    let unknown_name: Error =
        serde_json::from_value(json!({ "name": "Teapot", "message": "x", "code": 429 })).unwrap();
    assert_eq!(unknown_name.kind(), ErrorKind::TooManyRequests);
}

#[test]
fn conversions_classify_the_cause() {
    let syntax: Error = serde_json::from_str::<serde_json::Value>("{")
        .unwrap_err()
        .into();
    assert_eq!(syntax.kind(), ErrorKind::BadRequest);
    let io: Error = std::io::Error::other("disk").into();
    assert_eq!((io.kind(), io.message()), (ErrorKind::GeneralError, "disk"));
    assert_eq!(Error::forbidden("No").to_string(), "Forbidden: No");
}

#[test]
fn errors_stay_small() {
    assert!(
        std::mem::size_of::<Error>() <= 40,
        "{}",
        std::mem::size_of::<Error>()
    );
}
