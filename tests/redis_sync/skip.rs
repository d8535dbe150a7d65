//! The skip without a server (`tests::redis::skip`), and the failure
//! instead when CI requires Redis.

use tests::redis::{REQUIRE_VARIABLE, URL_VARIABLE, skip};

/// Runs [`skip_probe`] in a child process of this test binary with only
/// `env` of the Redis variables set, and returns what it did.
fn probe(env: &[(&str, &str)]) -> std::process::Output {
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command
        .args(["skip::skip_probe", "--exact", "--ignored", "--nocapture"])
        .env_remove(URL_VARIABLE)
        .env_remove(REQUIRE_VARIABLE);
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("the probe runs")
}

#[test]
#[ignore = "run by the skip test, in a child process with the environment it sets"]
fn skip_probe() {
    println!("skip returned {}", skip("skip_probe"));
}

#[test]
fn without_redis_a_test_is_skipped_with_a_message_unless_redis_is_required() {
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    for env in [&[][..], &[(URL_VARIABLE, "")], &[(REQUIRE_VARIABLE, "0")]] {
        let output = probe(env);
        assert!(output.status.success(), "{env:?}: {output:?}");
        assert!(
            text(&output.stdout).contains("skip returned true"),
            "{output:?}"
        );
        assert!(
            text(&output.stderr).contains(
                "skipped skip_probe: no Redis (set TEST_REDIS_URL, or run scripts/redis.sh run -- cargo test)"
            ),
            "{output:?}"
        );
    }
    let required = probe(&[(REQUIRE_VARIABLE, "1")]);
    assert!(!required.status.success(), "{required:?}");
    assert!(
        text(&required.stderr).contains("REQUIRE_REDIS is set but TEST_REDIS_URL is not"),
        "{required:?}"
    );
    let with_url = probe(&[
        (URL_VARIABLE, "redis://127.0.0.1:1"),
        (REQUIRE_VARIABLE, "1"),
    ]);
    assert!(
        text(&with_url.stdout).contains("skip returned false"),
        "{with_url:?}"
    );
}
