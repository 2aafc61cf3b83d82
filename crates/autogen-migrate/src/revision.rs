//! One revision as data: its header, its two sections, and how it is written to a file, named
//! and fingerprinted. Reading a file back is `parse.rs`.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::MigrateError;
use crate::naming::slug;

/// One revision file's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// UTC `yyyymmddHHMMSS`.
    pub id: String,
    /// Empty for the first revision, several for a merge.
    pub parents: Vec<String>,
    /// One line.
    pub message: String,
    /// RFC 3339 UTC, e.g. `2026-11-21T10:30:00Z`.
    pub created: String,
    /// Where an imported revision came from (`-- origin:`, e.g. `sqlx migrations/1_init.up.sql`),
    /// `None` for autogen's own. A header only: it is not part of the checksum.
    pub origin: Option<String>,
    /// `-- phase: expand|contract` (`autogen revision --expand-contract`), `None` for an
    /// ordinary revision. A header only: it is not part of the checksum.
    pub phase: Option<crate::RevisionPhase>,
    pub up: Section,
    pub down: Section,
}

/// The SQL under one `-- migrate:up` / `-- migrate:down` marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// False for `transaction:false`: the statements run one by one outside a transaction.
    pub transactional: bool,
    /// The body between the markers, verbatim (hazard comments included), trailing blank lines
    /// removed.
    pub sql: String,
    /// The 1-based file line of the body's first line; 0 for a section built in memory.
    pub first_line: usize,
}

impl Section {
    /// A section built in memory: line endings normalized to `\n` and trailing blank lines
    /// removed, exactly as [`Revision::parse`] would read it back from the rendered file.
    pub fn new(transactional: bool, sql: &str) -> Section {
        Section {
            transactional,
            sql: normalize_body(sql.lines()),
            first_line: 0,
        }
    }
}

impl Revision {
    /// Reads a revision file. Errors name `path` and the offending line.
    pub fn parse(path: &Path, text: &str) -> Result<Revision, MigrateError> {
        crate::parse::parse(path, text).map(|parsed| parsed.revision)
    }

    /// The file text. `Revision::parse` of it gives back this revision, except for
    /// `first_line`, line breaks in the message (written as spaces), surrounding whitespace of
    /// header values, and trailing blank lines of the sections.
    pub fn render(&self) -> String {
        let mut out = String::new();
        header_line(&mut out, "revision", &self.id);
        header_line(&mut out, "parents", &self.parents.join(", "));
        header_line(&mut out, "message", &one_line_message(&self.message));
        header_line(&mut out, "created", &self.created);
        if let Some(origin) = &self.origin {
            header_line(&mut out, "origin", &one_line_message(origin));
        }
        if let Some(phase) = self.phase {
            header_line(&mut out, "phase", phase.name());
        }
        out.push('\n');
        section(&mut out, "up", &self.up);
        out.push('\n');
        section(&mut out, "down", &self.down);
        out
    }

    /// `<id>_<slug>.sql`.
    pub fn file_name(&self) -> String {
        format!("{}_{}.sql", self.id, slug(&self.message))
    }

    /// Hex SHA-256 of what runs: both sections' SQL and transaction flags. Header edits (the
    /// message, even the parents) do not change it; any edit to the SQL does, so the runner can
    /// refuse a revision that was changed after it was applied.
    pub fn checksum(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(b"autogen-revision-checksum-v1\0");
        for (name, section) in [("up", &self.up), ("down", &self.down)] {
            let sql = normalize_body(section.sql.lines());
            hasher.update(name.as_bytes());
            hasher.update(if section.transactional {
                b"\0t\0"
            } else {
                b"\0f\0"
            });
            // Length-prefixed, so no two different pairs of sections hash the same input.
            hasher.update(sql.len().to_string().as_bytes());
            hasher.update(b"\0");
            hasher.update(sql.as_bytes());
        }
        hex_digest(hasher)
    }
}

/// The lower-case hex of a finished SHA-256.
pub(crate) fn hex_digest(hasher: Sha256) -> String {
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Joins body lines with `\n` and drops trailing blank lines.
pub(crate) fn normalize_body<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    let lines: Vec<&str> = lines.collect();
    let end = lines
        .iter()
        .rposition(|line| !line.trim().is_empty())
        .map_or(0, |last| last + 1);
    lines[..end].join("\n")
}

/// The message as it can stand on one header line.
fn one_line_message(message: &str) -> String {
    message
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect()
}

fn header_line(out: &mut String, key: &str, value: &str) {
    let value = value.trim();
    out.push_str("-- ");
    out.push_str(key);
    out.push(':');
    if !value.is_empty() {
        out.push(' ');
        out.push_str(value);
    }
    out.push('\n');
}

fn section(out: &mut String, name: &str, section: &Section) {
    out.push_str("-- migrate:");
    out.push_str(name);
    if !section.transactional {
        out.push_str(" transaction:false");
    }
    out.push('\n');
    let body = normalize_body(section.sql.lines());
    if !body.is_empty() {
        out.push_str(&body);
        out.push('\n');
    }
}
