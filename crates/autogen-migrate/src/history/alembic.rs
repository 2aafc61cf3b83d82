//! Alembic's revision files, read for their history only: the module-level `revision` and
//! `down_revision` assignments and the docstring's first line and `Create Date:`. The Python
//! itself is never run or translated (autogen cannot run it), so the files become empty
//! revisions that record what happened before autogen.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::import::SkippedFile;
use crate::MigrateError;
use crate::layout::{dir_entries, read_text};

/// One Alembic revision file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AlembicRevision {
    pub revision: String,
    /// Empty for the first; several for a merge.
    pub down_revisions: Vec<String>,
    pub message: String,
    /// `YYYY-MM-DDTHH:MM:SSZ` from `Create Date:`, when the file has one.
    pub created: Option<String>,
    pub path: PathBuf,
}

/// The revisions of `dir` in an order where each comes after the ones it revises (branches
/// are laid out one after the other, by file name), and the files that are not revisions.
pub(crate) fn read(dir: &Path) -> Result<(Vec<AlembicRevision>, Vec<SkippedFile>), MigrateError> {
    let mut revisions = Vec::new();
    let mut skipped = Vec::new();
    for (name, path) in dir_entries(dir)? {
        if name.starts_with('.') || name == "__pycache__" {
            continue;
        }
        if !name.ends_with(".py") || name == "__init__.py" || !path.is_file() {
            skipped.push(SkippedFile {
                path,
                reason: "not an Alembic revision file".to_owned(),
                version: None,
            });
            continue;
        }
        let text = read_text(&path)?;
        match parse(&text, path.clone()) {
            Some(revision) => revisions.push(revision),
            None => skipped.push(SkippedFile {
                path,
                reason: "no module-level `revision = \"…\"` assignment".to_owned(),
                version: None,
            }),
        }
    }
    Ok((order(revisions, dir)?, skipped))
}

/// The revisions no other revises (where the database should be).
pub(crate) fn heads(revisions: &[AlembicRevision]) -> BTreeSet<String> {
    let revised: BTreeSet<&str> = revisions
        .iter()
        .flat_map(|revision| revision.down_revisions.iter().map(String::as_str))
        .collect();
    revisions
        .iter()
        .filter(|revision| !revised.contains(revision.revision.as_str()))
        .map(|revision| revision.revision.clone())
        .collect()
}

fn order(
    revisions: Vec<AlembicRevision>,
    dir: &Path,
) -> Result<Vec<AlembicRevision>, MigrateError> {
    let mut by_id: BTreeMap<String, AlembicRevision> = BTreeMap::new();
    for revision in revisions {
        if let Some(first) = by_id.get(&revision.revision) {
            return Err(MigrateError::HistoryFile {
                path: revision.path.clone(),
                problem: format!(
                    "Alembic revision {} is also defined in {}",
                    revision.revision,
                    first.path.display()
                ),
            });
        }
        by_id.insert(revision.revision.clone(), revision);
    }
    for revision in by_id.values() {
        if let Some(missing) = revision
            .down_revisions
            .iter()
            .find(|parent| !by_id.contains_key(*parent))
        {
            return Err(MigrateError::HistoryFile {
                path: revision.path.clone(),
                problem: format!(
                    "revises {missing}, which no file in {} defines",
                    dir.display()
                ),
            });
        }
    }
    // Depth-first from the file-name order, parents first: deterministic, and a line when the
    // history is one (branches end up one after the other).
    let mut files: Vec<&AlembicRevision> = by_id.values().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut placed: BTreeSet<String> = BTreeSet::new();
    let mut ordered = Vec::with_capacity(files.len());
    let mut visiting: BTreeSet<String> = BTreeSet::new();
    for file in files {
        place(file, &by_id, &mut placed, &mut visiting, &mut ordered)?;
    }
    Ok(ordered)
}

fn place(
    revision: &AlembicRevision,
    by_id: &BTreeMap<String, AlembicRevision>,
    placed: &mut BTreeSet<String>,
    visiting: &mut BTreeSet<String>,
    ordered: &mut Vec<AlembicRevision>,
) -> Result<(), MigrateError> {
    if placed.contains(&revision.revision) {
        return Ok(());
    }
    if !visiting.insert(revision.revision.clone()) {
        return Err(MigrateError::HistoryFile {
            path: revision.path.clone(),
            problem: format!(
                "Alembic revision {} revises itself through a cycle",
                revision.revision
            ),
        });
    }
    for parent in &revision.down_revisions {
        if let Some(parent) = by_id.get(parent) {
            place(parent, by_id, placed, visiting, ordered)?;
        }
    }
    placed.insert(revision.revision.clone());
    ordered.push(revision.clone());
    Ok(())
}

/// The history of one file, or `None` when it has no `revision` assignment.
fn parse(text: &str, path: PathBuf) -> Option<AlembicRevision> {
    let mut revision = None;
    let mut down_revisions = Vec::new();
    let mut created = None;
    for line in text.lines() {
        if let Some(value) = assignment(line, "revision") {
            revision = strings(value).into_iter().next();
        } else if let Some(value) = assignment(line, "down_revision") {
            down_revisions = strings(value);
        } else if let Some(date) = line.trim().strip_prefix("Create Date:") {
            created = rfc3339(date.trim());
        }
    }
    Some(AlembicRevision {
        revision: revision?,
        down_revisions,
        message: docstring_title(text).unwrap_or_default(),
        created,
        path,
    })
}

/// The value of a module-level `name = …` or `name: Type = …`.
fn assignment<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(name)?;
    if !rest.starts_with([' ', ':', '=']) {
        return None;
    }
    let (_, value) = rest.split_once('=')?;
    Some(value.trim())
}

/// The string literals of `'a'`, `"a"`, `('a', 'b')`; nothing for `None`.
fn strings(value: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = value;
    while let Some(start) = rest.find(['\'', '"']) {
        let quote = rest[start..].chars().next().unwrap_or('"');
        let after = &rest[start + 1..];
        let Some(end) = after.find(quote) else { break };
        found.push(after[..end].to_owned());
        rest = &after[end + 1..];
    }
    found
}

/// The module docstring's first line (Alembic writes the message there).
fn docstring_title(text: &str) -> Option<String> {
    let start = text.trim_start();
    let body = start
        .strip_prefix("\"\"\"")
        .or_else(|| start.strip_prefix("'''"))?;
    let title = body
        .lines()
        .next()?
        .trim()
        .trim_end_matches("\"\"\"")
        .trim();
    (!title.is_empty()).then(|| title.to_owned())
}

/// `2024-01-02 10:00:00.123456` → `2024-01-02T10:00:00Z`.
fn rfc3339(date: &str) -> Option<String> {
    let (day, time) = date.split_once(' ')?;
    let time = time.get(..8)?;
    let candidate = format!("{day}T{time}Z");
    crate::naming::is_rfc3339_utc(&candidate).then_some(candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#""""add users

Revision ID: 1a2b3c4d
Revises: 0f0f0f0f
Create Date: 2024-01-02 10:00:00.123456

"""
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "1a2b3c4d"
down_revision: Union[str, None] = '0f0f0f0f'
branch_labels = None
"#;

    #[test]
    fn reads_the_history_of_a_file() {
        let parsed = parse(FILE, PathBuf::from("v/1a2b.py")).expect("a revision");
        assert_eq!(parsed.revision, "1a2b3c4d");
        assert_eq!(parsed.down_revisions, ["0f0f0f0f"]);
        assert_eq!(parsed.message, "add users");
        assert_eq!(parsed.created.as_deref(), Some("2024-01-02T10:00:00Z"));
    }

    #[test]
    fn merges_and_firsts() {
        assert_eq!(strings("('a1', \"b2\")"), ["a1", "b2"]);
        assert!(strings("None").is_empty());
        assert_eq!(assignment("revision = 'x'", "revision"), Some("'x'"));
        assert_eq!(assignment("revisions = 'x'", "revision"), None);
    }
}
