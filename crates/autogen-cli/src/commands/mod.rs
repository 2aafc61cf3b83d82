pub mod diff;
pub mod inspect;

/// How a command ended when it did not fail: exit code 0, or 1 for "differences found"
/// (`--exit-code`).
pub enum Outcome {
    Success,
    Differences,
}
