//! `trybuild` cases for `#[hooks(..)]`: expansions that must compile (and
//! run), and mistakes whose messages must point at the user's tokens.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/fail/*.rs");
}
