//! Diesel's layout: one directory per migration, `<version>_<name>/up.sql` and `down.sql`,
//! with an optional `metadata.toml` whose `run_in_transaction = false` runs both outside a
//! transaction. The version Diesel records is the part of the directory name before the first
//! `_` without its dashes (`2026-11-21-103000` → `20261121103000`); directories run in name
//! order.

use std::path::Path;

use super::chain::{Entry, section};
use super::write::{
    check_no_batch, check_no_transaction, entries, new_file, read_text, remove_quietly, sync_dir,
};
use super::{Written, split_timestamp};
use crate::naming::slug;
use crate::{MigrateError, Revision, Section};

const LAYOUT: &str = "diesel";
const METADATA: &str = "metadata.toml";

pub(crate) fn read(dir: &Path) -> Result<Vec<Entry>, MigrateError> {
    let mut read_entries = Vec::new();
    for (name, path) in entries(dir)? {
        // Diesel skips what is not a directory and hidden directories (our temporary one too).
        if name.starts_with('.') || !path.is_dir() {
            continue;
        }
        let up_path = path.join("up.sql");
        if !up_path.is_file() {
            return Err(MigrateError::LayoutFile {
                path: path.clone(),
                line: 0,
                layout: LAYOUT,
                problem: "the directory has no up.sql".to_owned(),
            });
        }
        let transactional = run_in_transaction(&path.join(METADATA))?;
        let up = section(transactional, &read_text(&up_path)?, 1);
        let down_path = path.join("down.sql");
        let down = if down_path.is_file() {
            section(transactional, &read_text(&down_path)?, 1)
        } else {
            Section::new(transactional, "")
        };
        let (version, description) = name.split_once('_').unwrap_or((name.as_str(), ""));
        read_entries.push(Entry {
            id: version.replace('-', ""),
            message: description.to_owned(),
            path: up_path,
            up,
            down,
        });
    }
    Ok(read_entries)
}

/// `run_in_transaction` of a `metadata.toml` (true when there is none). The file has one
/// known key; anything else is an error rather than a guess.
fn run_in_transaction(path: &Path) -> Result<bool, MigrateError> {
    if !path.is_file() {
        return Ok(true);
    }
    let text = read_text(path)?;
    let mut transactional = true;
    for (index, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let problem = |problem: &str| MigrateError::LayoutFile {
            path: path.to_path_buf(),
            line: index + 1,
            layout: LAYOUT,
            problem: problem.to_owned(),
        };
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| problem("expected `run_in_transaction = true|false`"))?;
        if key.trim() != "run_in_transaction" {
            return Err(problem(
                "the only key autogen reads here is `run_in_transaction`",
            ));
        }
        transactional = match value.trim() {
            "true" => true,
            "false" => false,
            _ => return Err(problem("`run_in_transaction` is `true` or `false`")),
        };
    }
    Ok(transactional)
}

pub(crate) fn write(dir: &Path, revision: &Revision) -> Result<Written, MigrateError> {
    check_no_batch(LAYOUT, "up", &revision.up)?;
    check_no_batch(LAYOUT, "down", &revision.down)?;
    check_no_transaction(LAYOUT, "up", &revision.up)?;
    check_no_transaction(LAYOUT, "down", &revision.down)?;
    let version = match split_timestamp(&revision.id) {
        Some((date, time)) => format!("{}-{}-{}-{time}", &date[..4], &date[4..6], &date[6..]),
        None => revision.id.clone(),
    };
    let target = dir.join(format!("{version}_{}", slug(&revision.message)));
    // Diesel's setting covers the whole migration: either section outside a transaction
    // takes both out (a lone statement runs the same either way).
    let transactional = revision.up.transactional && revision.down.transactional;
    // Built in a hidden directory Diesel skips, then renamed into place whole.
    let staging = tempfile::Builder::new()
        .prefix(".autogen-")
        .tempdir_in(dir)
        .map_err(|source| MigrateError::Io {
            path: target.clone(),
            action: "create a temporary directory for",
            source,
        })?;
    new_file(
        &staging.path().join("up.sql"),
        &file_text(&revision.up),
        &revision.id,
    )?;
    new_file(
        &staging.path().join("down.sql"),
        &file_text(&revision.down),
        &revision.id,
    )?;
    if !transactional {
        new_file(
            &staging.path().join(METADATA),
            "# Written by autogen: the migration holds a statement PostgreSQL refuses in a transaction block.\nrun_in_transaction = false\n",
            &revision.id,
        )?;
    }
    if target.exists() {
        return Err(MigrateError::RevisionExists {
            id: revision.id.clone(),
            path: target,
        });
    }
    let staged = staging.keep();
    if let Err(source) = std::fs::rename(&staged, &target) {
        remove_quietly(std::slice::from_ref(&staged));
        return Err(MigrateError::Io {
            path: target,
            action: "move into place",
            source,
        });
    }
    sync_dir(dir)?;
    Ok(Written {
        paths: vec![target.join("up.sql"), target.join("down.sql")],
        note: None,
    })
}

/// A section as Diesel's file; Diesel refuses an empty one, so no SQL is its own comment.
fn file_text(section: &Section) -> String {
    if section.sql.trim().is_empty() {
        "-- Your SQL goes here\n".to_owned()
    } else {
        format!("{}\n", section.sql)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_is_read_strictly() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join(METADATA);
        assert!(run_in_transaction(&path).expect("none"));
        std::fs::write(&path, "# note\nrun_in_transaction = false\n").expect("write");
        assert!(!run_in_transaction(&path).expect("false"));
        std::fs::write(&path, "other = 1\n").expect("write");
        assert!(matches!(
            run_in_transaction(&path),
            Err(MigrateError::LayoutFile { line: 1, .. })
        ));
    }
}
