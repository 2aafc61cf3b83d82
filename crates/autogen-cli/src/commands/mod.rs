pub mod check;
mod check_report;
pub mod completions;
pub mod diff;
mod history;
pub mod init;
pub mod inspect;
pub mod lint;
pub mod merge;
pub mod pull;
pub mod revision;
pub mod stamp;
pub mod status;
pub mod upgrade;

/// How a command ended when it did not fail: exit code 0, or 1 for "differences found"
/// (`--exit-code`).
pub enum Outcome {
    Success,
    Differences,
}
