//! Compile-fail tests: bad model attributes are compile errors at their spans, with the same
//! messages as the CLI. Regenerate the expected output with
//! `TRYBUILD=overwrite cargo test -p autogen --test ui`, then read the diff.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
