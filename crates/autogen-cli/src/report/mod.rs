//! Machine-readable reports: the JSON documents (`--format json`) and GitHub Actions workflow
//! commands (`--format github`) the commands print instead of text. The documents themselves
//! are serde structs next to each command; this module holds what they share: the version
//! every document carries, writing a document whole, and paths as the user sees them.

pub mod change;
pub mod github;
pub mod origin;
pub mod statement;

use crate::error::CliError;
use crate::output;
use serde::Serialize;
use std::path::Path;

/// The `format_version` of every JSON document. It changes only when a documented field is
/// removed or changes meaning; new fields may appear without a new version.
pub const FORMAT_VERSION: u32 = 1;

/// A command's document with `format_version` first.
#[derive(Serialize)]
struct Versioned<'a, T: Serialize> {
    format_version: u32,
    #[serde(flatten)]
    document: &'a T,
}

/// Prints `document` as one pretty-printed JSON object on stdout. It is serialized completely
/// before anything is written, so stdout never holds partial JSON.
pub fn print_json<T: Serialize>(document: &T) -> Result<(), CliError> {
    let mut text = serde_json::to_string_pretty(&Versioned {
        format_version: FORMAT_VERSION,
        document,
    })
    .map_err(CliError::Serialize)?;
    text.push('\n');
    output::stdout(&text).map_err(CliError::Output)
}

/// `path` relative to the current directory when it is inside it (as `git` prints paths run
/// from there), with `/` separators; else as given.
pub fn display_path(path: &Path) -> String {
    let current = std::env::current_dir().unwrap_or_default();
    // The project's paths may be spelled through a symlink the current directory is not.
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let relative = path
        .strip_prefix(&current)
        .map(Path::to_path_buf)
        .or_else(|_| {
            canonical(path)
                .strip_prefix(canonical(&current))
                .map(Path::to_path_buf)
        })
        .unwrap_or_else(|_| path.to_path_buf());
    relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
