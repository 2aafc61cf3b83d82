//! Migration files named by a number: a hand-kept project's `001_create_users.sql` (with an
//! optional `.down.sql`), refinery's `V1__create_users.sql` and Flyway's `V1__create_users.sql`
//! with `U1__…` undo files. What is not such a file is returned as skipped, with the reason.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::OldTool;
use super::import::SkippedFile;
use crate::layout::{Entry, dir_entries, read_text, section};
use crate::{MigrateError, Section};

/// Which naming the directory follows.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Naming {
    /// `<number>_<name>.sql` or `<number>-<name>.sql`, `.up.sql`/`.down.sql` pairs too.
    Plain,
    /// `V<number>__<name>.sql` (refinery, Flyway), `U<number>__<name>.sql` (Flyway's undo).
    Versioned,
}

#[derive(Default)]
struct Files {
    name: String,
    up: Option<PathBuf>,
    down: Option<PathBuf>,
}

/// The migrations of `dir`, in version order, and the files that are not migrations.
pub(crate) fn read(
    dir: &Path,
    naming: Naming,
    tool: OldTool,
) -> Result<(Vec<Entry>, Vec<SkippedFile>), MigrateError> {
    let mut by_version: BTreeMap<u64, Files> = BTreeMap::new();
    let mut skipped = Vec::new();
    for (name, path) in dir_entries(dir)? {
        if name.starts_with('.') {
            continue;
        }
        let parsed = match naming {
            Naming::Plain => plain_name(&name),
            Naming::Versioned => versioned_name(&name),
        };
        let (version, description, down) = match parsed {
            Ok(parsed) if path.is_file() => parsed,
            Ok(_) => {
                skipped.push(SkippedFile {
                    path,
                    reason: "a directory".to_owned(),
                    version: None,
                });
                continue;
            }
            Err(reason) => {
                skipped.push(SkippedFile {
                    version: (naming == Naming::Versioned)
                        .then(|| version_of_versioned(&name))
                        .flatten(),
                    path,
                    reason: reason.replace("{tool}", tool.name()),
                });
                continue;
            }
        };
        let files = by_version.entry(version).or_default();
        let slot = if down { &mut files.down } else { &mut files.up };
        if let Some(first) = slot {
            return Err(MigrateError::HistoryFile {
                path,
                problem: format!(
                    "version {version} is also the version of {}: which one {tool} ran cannot be told",
                    first.display()
                ),
            });
        }
        *slot = Some(path);
        if !down || files.name.is_empty() {
            files.name = description.replace(['_', '-'], " ").trim().to_owned();
        }
    }
    let mut entries = Vec::with_capacity(by_version.len());
    for (version, files) in by_version {
        let Some(up) = files.up else {
            // An undo or down file alone: nothing of it ran going up.
            if let Some(path) = files.down {
                skipped.push(SkippedFile {
                    path,
                    reason: format!("a down/undo file without an up file for version {version}"),
                    version: None,
                });
            }
            continue;
        };
        let down = match &files.down {
            Some(path) => file_section(path)?,
            None => Section::new(true, ""),
        };
        entries.push(Entry {
            id: version.to_string(),
            message: files.name,
            up: file_section(&up)?,
            path: up,
            down,
        });
    }
    Ok((entries, skipped))
}

fn file_section(path: &Path) -> Result<Section, MigrateError> {
    Ok(section(true, &read_text(path)?, 1))
}

/// `(version, description, is_down)` of `001_name.sql`, `1-name.up.sql`, `1_name.down.sql`.
fn plain_name(name: &str) -> Result<(u64, &str, bool), String> {
    let not_numbered = || "not a numbered SQL file (`<number>_<name>.sql`)".to_owned();
    let stem = name.strip_suffix(".sql").ok_or_else(not_numbered)?;
    let (stem, down) = match (stem.strip_suffix(".down"), stem.strip_suffix(".up")) {
        (Some(stem), _) => (stem, true),
        (None, Some(stem)) => (stem, false),
        (None, None) => (stem, false),
    };
    let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err(not_numbered());
    }
    let version = version_number(&stem[..digits])?;
    let description = stem[digits..].trim_start_matches(['_', '-']);
    Ok((version, description, down))
}

/// `(version, description, is_undo)` of `V1__name.sql` / `U1__name.sql`.
fn versioned_name(name: &str) -> Result<(u64, &str, bool), String> {
    if name.ends_with(".rs") {
        return Err("a Rust migration: {tool} compiles it, autogen cannot read it".to_owned());
    }
    if name.starts_with("R__") {
        return Err(
            "a repeatable migration: {tool} re-runs it whenever it changes, it has no place in a chain"
                .to_owned(),
        );
    }
    let not_versioned = || "not a versioned SQL migration (`V<number>__<name>.sql`)".to_owned();
    let stem = name.strip_suffix(".sql").ok_or_else(not_versioned)?;
    let (undo, rest) = match (stem.strip_prefix('V'), stem.strip_prefix('U')) {
        (Some(rest), _) => (false, rest),
        (None, Some(rest)) => (true, rest),
        (None, None) => return Err(not_versioned()),
    };
    let (version, description) = rest.split_once("__").ok_or_else(not_versioned)?;
    Ok((version_number(version)?, description, undo))
}

/// The version in a `V<version>__<name>.<any>` name (a Rust migration, a dotted version).
fn version_of_versioned(name: &str) -> Option<String> {
    let (version, _) = name.strip_prefix('V')?.split_once("__")?;
    (!version.is_empty()).then(|| version.to_owned())
}

/// A version autogen can make a revision id of: a whole number of at most 14 digits.
fn version_number(text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(number) if number < 100_000_000_000_000 => Ok(number),
        _ => Err(format!(
            "version `{text}` is not a whole number of at most 14 digits (autogen's revision ids are 14 digits)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names() {
        assert_eq!(
            plain_name("001_create_users.sql"),
            Ok((1, "create_users", false))
        );
        assert_eq!(
            plain_name("2-add-posts.down.sql"),
            Ok((2, "add-posts", true))
        );
        assert_eq!(plain_name("0003.up.sql"), Ok((3, "", false)));
        assert!(plain_name("migrate.sh").is_err());
        assert!(plain_name("seed.sql").is_err());
    }

    #[test]
    fn versioned_names() {
        assert_eq!(versioned_name("V1__init.sql"), Ok((1, "init", false)));
        assert_eq!(versioned_name("U12__init.sql"), Ok((12, "init", true)));
        assert!(versioned_name("V1.1__point.sql").is_err());
        assert!(versioned_name("R__views.sql").is_err());
        assert!(versioned_name("V2__rust.rs").is_err());
    }
}
