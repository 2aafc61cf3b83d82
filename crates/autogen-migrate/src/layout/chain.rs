//! Another stack's migrations as autogen revisions: each one's parent is the one the stack
//! applies before it, so the graph is a chain in the stack's order and the runner, replay and
//! `check` need nothing layout-specific.

use std::path::PathBuf;

use crate::files::{LoadedFile, RevisionFile};
use crate::revision::normalize_body;
use crate::{MigrateError, Revision, RevisionGraph, Section};

/// One migration as read from another stack's files, in that stack's order.
pub(crate) struct Entry {
    /// The version the stack records in its tracking table, as autogen's revision id.
    pub id: String,
    /// The description part of its name.
    pub message: String,
    /// The file (or directory) errors and `autogen show` name.
    pub path: PathBuf,
    pub up: Section,
    pub down: Section,
}

/// A section read from a file whose body starts at line `first_line`.
pub(crate) fn section(transactional: bool, sql: &str, first_line: usize) -> Section {
    Section {
        transactional,
        sql: normalize_body(sql.lines()),
        first_line,
    }
}

/// `entries` (already in the stack's order) chained into a graph.
pub(crate) fn graph(entries: Vec<Entry>) -> Result<RevisionGraph, MigrateError> {
    let mut previous: Option<String> = None;
    let mut loaded = Vec::with_capacity(entries.len());
    for entry in entries {
        let revision = Revision {
            created: created_of(&entry.id),
            origin: None,
            phase: None,
            parents: previous.iter().cloned().collect(),
            id: entry.id,
            message: entry.message.replace('_', " "),
            up: entry.up,
            down: entry.down,
        };
        previous = Some(revision.id.clone());
        loaded.push(LoadedFile {
            file: RevisionFile::new(entry.path, revision),
            revision_line: 0,
            parents_line: 0,
        });
    }
    RevisionGraph::build(loaded)
}

/// The creation time a timestamp version names, RFC 3339; empty for other versions.
fn created_of(id: &str) -> String {
    match super::split_timestamp(id) {
        Some((date, time)) => format!(
            "{}-{}-{}T{}:{}:{}Z",
            &date[..4],
            &date[4..6],
            &date[6..],
            &time[..2],
            &time[2..4],
            &time[4..]
        ),
        None => String::new(),
    }
}
