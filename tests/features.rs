//! auth-core's Cargo features bring only what they say: without `auth`, no
//! password-hashing or JWT crate is in auth-core's dependency tree, so a
//! service-only or REST-only build does not compile them.
//!
//! Reads the tree with `cargo tree` (offline, from the lock file), as
//! `.ci/run` does.

use std::collections::BTreeSet;
use std::process::Command;

/// The crates `auth` brings for passwords and tokens: none may be built
/// without it.
const AUTH_ONLY: [&str; 8] = [
    "argon2",
    "bcrypt",
    "jsonwebtoken",
    "hmac",
    "sha2",
    "blake2",
    "blowfish",
    "password-hash",
];

/// The names of auth-core's normal dependencies, direct and indirect, with
/// no default feature and `features` on.
fn dependencies(features: &str) -> BTreeSet<String> {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml");
    let mut tree = Command::new(env!("CARGO"));
    tree.args(["tree", "--manifest-path", manifest, "--offline", "--locked"])
        .args(["-p", "auth-core", "--no-default-features", "-e", "normal"])
        .args(["--prefix", "none", "--format", "{p}"]);
    if !features.is_empty() {
        tree.args(["--features", features]);
    }
    let output = tree.output().expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

fn auth_crates_in(features: &str) -> Vec<&'static str> {
    let dependencies = dependencies(features);
    AUTH_ONLY
        .into_iter()
        .filter(|name| dependencies.contains(*name))
        .collect()
}

#[test]
fn without_auth_no_password_or_jwt_crate_is_a_dependency() {
    for features in ["", "macros", "rest", "macros,rest", "redis"] {
        assert_eq!(
            auth_crates_in(features),
            Vec::<&str>::new(),
            "auth-core with features [{features}] depends on password or JWT crates"
        );
    }
}

#[test]
fn with_auth_the_password_and_jwt_crates_are_there() {
    // The other test reads the same tree: this one proves it would see them.
    assert_eq!(auth_crates_in("auth"), AUTH_ONLY);
}

#[test]
fn redis_brings_its_client_only_with_the_feature_and_never_a_tls_stack() {
    assert!(!dependencies("").contains("redis"));
    let with_redis = dependencies("redis");
    assert!(with_redis.contains("redis"));
    for tls in [
        "rustls",
        "native-tls",
        "openssl",
        "tokio-rustls",
        "tokio-native-tls",
    ] {
        assert!(!with_redis.contains(tls), "the redis feature builds {tls}");
    }
}
