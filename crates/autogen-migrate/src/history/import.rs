//! Another tool's migration files as autogen revisions: one revision per migration the old
//! tool applied, chained in its order, each with an `-- origin:` header naming the file.
//! Refused (nothing returned) when the files and the tool's tracking table disagree about
//! what ran: a file it has not applied, or an applied version no file has. Then stamping the
//! database at the imported head would be a lie.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::numbered::{self, Naming};
use super::{OldHistory, OldTool, alembic};
use crate::layout::{Entry, Layout, dir_entries, read_entries};
use crate::{MigrateError, Revision, Section};

/// A file of the old directory that is not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedFile {
    pub path: PathBuf,
    pub reason: String,
    /// The version its name gives, for a migration the tool ran but autogen cannot read (a
    /// Rust one, a version that is no number): the tool's table may record it, and the
    /// baseline difference then holds what it did.
    pub version: Option<String>,
}

/// What [`import_history`] made of a directory.
#[derive(Debug, Clone)]
pub struct ImportedHistory {
    pub tool: OldTool,
    /// autogen revisions, oldest first, each the parent of the next.
    pub revisions: Vec<Revision>,
    /// The file each revision came from, in the same order.
    pub files: Vec<PathBuf>,
    /// What in the directory is not a migration of the tool.
    pub skipped: Vec<SkippedFile>,
    /// Imported files that changed since the tool applied them (sqlx records a checksum): the
    /// revision holds the file's SQL, not what ran.
    pub edited: Vec<PathBuf>,
}

/// The migration files of `dir`, which `history`'s tool applied, as autogen revisions.
/// Alembic's become empty revisions (history only: their Python is not run).
pub fn import_history(
    dir: &Path,
    history: &OldHistory,
    now: SystemTime,
) -> Result<ImportedHistory, MigrateError> {
    let tool = history.tool;
    let (entries, skipped) = match tool {
        OldTool::Alembic => return import_alembic(dir, history, now),
        OldTool::Sqlx => layout_entries(dir, Layout::Sqlx, |name| name.ends_with(".sql"))?,
        OldTool::Diesel => layout_entries(dir, Layout::Diesel, |_| false)?,
        OldTool::Refinery | OldTool::Flyway => numbered::read(dir, Naming::Versioned, tool)?,
        OldTool::SchemaVersion => numbered::read(dir, Naming::Plain, tool)?,
        OldTool::SeaOrm => {
            return Err(MigrateError::HistoryUnsupported {
                tool: tool.name(),
                why: "its migrations are Rust code; keep them and set `[migrations] layout = \"sea-orm\"` (docs/layouts.md), or adopt without --import-history",
            });
        }
    };
    check_applied(dir, history, &entries, &skipped)?;
    let mut edited = Vec::new();
    for entry in &entries {
        if let Some(recorded) = history.checksums.get(&entry.id)
            && crate::layout::sqlx_checksum(&entry.path)? != *recorded
        {
            edited.push(entry.path.clone());
        }
    }
    let mut revisions: Vec<Revision> = Vec::with_capacity(entries.len());
    let mut files = Vec::with_capacity(entries.len());
    for entry in entries {
        let id = revision_id(&entry.id).ok_or_else(|| MigrateError::HistoryFile {
            path: entry.path.clone(),
            problem: format!(
                "version {} cannot be an autogen revision id (a whole number of at most 14 digits)",
                entry.id
            ),
        })?;
        let origin = format!("{tool} {} (version {})", entry.path.display(), entry.id);
        revisions.push(Revision {
            created: created_of(&id, now),
            parents: revisions.last().map(|r| r.id.clone()).into_iter().collect(),
            id,
            message: message_of(&entry),
            origin: Some(origin),
            phase: None,
            up: entry.up,
            down: entry.down,
        });
        files.push(entry.path);
    }
    Ok(ImportedHistory {
        tool,
        revisions,
        files,
        skipped,
        edited,
    })
}

/// A stack's directory read by its layout reader (strict: a malformed name is an error);
/// entries that reader passes over are the skipped ones (`read` says which names it reads).
fn layout_entries(
    dir: &Path,
    layout: Layout,
    reads_file: impl Fn(&str) -> bool,
) -> Result<(Vec<Entry>, Vec<SkippedFile>), MigrateError> {
    let entries = read_entries(dir, layout)?.unwrap_or_default();
    let skipped = dir_entries(dir)?
        .into_iter()
        .filter(|(name, path)| {
            !name.starts_with('.')
                && match layout {
                    Layout::Diesel => !path.is_dir(),
                    _ => !(path.is_file() && reads_file(name)),
                }
        })
        .map(|(_, path)| SkippedFile {
            path,
            reason: format!("not a {layout} migration"),
            version: None,
        })
        .collect();
    Ok((entries, skipped))
}

/// Every file must be one the tool applied, and every version it applied must have a file.
fn check_applied(
    dir: &Path,
    history: &OldHistory,
    entries: &[Entry],
    skipped: &[SkippedFile],
) -> Result<(), MigrateError> {
    let tool = history.tool.name();
    let not_applied: Vec<&Entry> = if history.tool == OldTool::SchemaVersion {
        // A hand-kept table may hold one row (the current version) or one per file: the files
        // up to the highest version are the applied ones.
        let current = history
            .current()
            .map(|version| {
                canonical(version).ok_or_else(|| MigrateError::HistoryFile {
                    path: dir.to_path_buf(),
                    problem: format!(
                        "{} holds version `{version}`, not a number: which numbered files ran cannot be told",
                        history.qualified_table()
                    ),
                })
            })
            .transpose()?;
        entries
            .iter()
            .filter(|entry| {
                let version = canonical(&entry.id).and_then(|v| v.parse::<u128>().ok());
                let current = current.as_deref().and_then(|v| v.parse::<u128>().ok());
                version > current
            })
            .collect()
    } else {
        let applied: BTreeSet<String> = history
            .applied
            .iter()
            .map(|version| canonical(version).unwrap_or_else(|| version.clone()))
            .collect();
        let files: BTreeSet<String> = entries
            .iter()
            .map(|entry| canonical(&entry.id).unwrap_or_else(|| entry.id.clone()))
            .chain(
                skipped
                    .iter()
                    .filter_map(|file| file.version.as_deref())
                    .map(|version| canonical(version).unwrap_or_else(|| version.to_owned())),
            )
            .collect();
        let missing: Vec<&String> = applied.difference(&files).collect();
        if !missing.is_empty() {
            return Err(MigrateError::HistoryMissingFiles {
                tool,
                table: history.qualified_table(),
                dir: dir.to_path_buf(),
                versions: join(missing.iter().map(|version| version.to_string())),
            });
        }
        entries
            .iter()
            .filter(|entry| {
                !applied.contains(&canonical(&entry.id).unwrap_or_else(|| entry.id.clone()))
            })
            .collect()
    };
    if !not_applied.is_empty() {
        return Err(MigrateError::HistoryNotApplied {
            tool,
            dir: dir.to_path_buf(),
            count: not_applied.len(),
            files: join(
                not_applied
                    .iter()
                    .map(|entry| entry.path.display().to_string()),
            ),
        });
    }
    Ok(())
}

fn import_alembic(
    dir: &Path,
    history: &OldHistory,
    now: SystemTime,
) -> Result<ImportedHistory, MigrateError> {
    let (read, skipped) = alembic::read(dir)?;
    let heads = alembic::heads(&read);
    let database: BTreeSet<String> = history.applied.iter().cloned().collect();
    if heads != database {
        return Err(MigrateError::HistoryHeadMismatch {
            tool: OldTool::Alembic.name(),
            dir: dir.to_path_buf(),
            database: or_none(join(database.iter().cloned())),
            files: or_none(join(heads.iter().cloned())),
        });
    }
    let mut revisions: Vec<Revision> = Vec::with_capacity(read.len());
    let mut files = Vec::with_capacity(read.len());
    for (index, old) in read.into_iter().enumerate() {
        // Alembic's ids are hex: numbered in the history's order instead, below any
        // timestamp id autogen gives the revisions that follow.
        let id = format!("{:014}", index + 1);
        let message = if old.message.is_empty() {
            format!("Alembic revision {}", old.revision)
        } else {
            old.message.clone()
        };
        revisions.push(Revision {
            created: old.created.clone().unwrap_or_else(|| crate::rfc3339_utc(now)),
            parents: revisions.last().map(|r| r.id.clone()).into_iter().collect(),
            id,
            message,
            phase: None,
            origin: Some(format!(
                "Alembic {} (revision {}; Python, recorded as history only: autogen does not run it)",
                old.path.display(),
                old.revision
            )),
            up: Section::new(true, ""),
            down: Section::new(true, ""),
        });
        files.push(old.path);
    }
    Ok(ImportedHistory {
        tool: OldTool::Alembic,
        revisions,
        files,
        skipped,
        edited: Vec::new(),
    })
}

/// A numeric version without leading zeros (`001` and `1` are one version), `None` otherwise.
fn canonical(version: &str) -> Option<String> {
    version
        .parse::<u128>()
        .ok()
        .map(|number| number.to_string())
}

/// The 14-digit autogen id of a numeric version (zero-padded, so the order stays).
fn revision_id(version: &str) -> Option<String> {
    let number = canonical(version)?;
    (number.len() <= 14).then(|| format!("{number:0>14}"))
}

/// The time a timestamp id names (sqlx's and Diesel's usual versions), else the import's.
fn created_of(id: &str, now: SystemTime) -> String {
    let (date, time) = id.split_at(8);
    let candidate = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &date[..4],
        &date[4..6],
        &date[6..],
        &time[..2],
        &time[2..4],
        &time[4..]
    );
    if crate::naming::is_rfc3339_utc(&candidate) && !date.starts_with("0000") {
        candidate
    } else {
        crate::rfc3339_utc(now)
    }
}

fn message_of(entry: &Entry) -> String {
    let message = entry.message.replace('_', " ").trim().to_owned();
    if message.is_empty() {
        format!("version {}", entry.id)
    } else {
        message
    }
}

fn join(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

fn or_none(text: String) -> String {
    if text.is_empty() {
        "none".to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(tool: OldTool, applied: &[&str]) -> OldHistory {
        OldHistory {
            tool,
            schema: "public".to_owned(),
            table: "t".to_owned(),
            applied: applied.iter().map(|v| (*v).to_owned()).collect(),
            description: None,
            failed: 0,
            checksums: Default::default(),
        }
    }

    fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).expect("write");
        }
        dir
    }

    #[test]
    fn refinery_and_flyway_files_with_what_cannot_be_read_named() {
        let dir = dir_with(&[
            ("V1__init.sql", "CREATE TABLE a (id int);"),
            ("U1__init.sql", "DROP TABLE a;"),
            ("V2__seed.rs", "fn migration() -> String { String::new() }"),
            ("V2.5__point.sql", "SELECT 1;"),
            ("R__views.sql", "SELECT 1;"),
        ]);
        let imported = import_history(
            dir.path(),
            &history(OldTool::Flyway, &["1", "2", "2.5"]),
            SystemTime::now(),
        )
        .expect("imported");
        assert_eq!(imported.revisions.len(), 1);
        assert_eq!(imported.revisions[0].id, "00000000000001");
        assert_eq!(imported.revisions[0].down.sql, "DROP TABLE a;");
        let skipped: Vec<(String, Option<String>)> = imported
            .skipped
            .iter()
            .map(|file| {
                let name = file
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned());
                (name.unwrap_or_default(), file.version.clone())
            })
            .collect();
        assert_eq!(
            skipped,
            [
                ("R__views.sql".to_owned(), None),
                ("V2.5__point.sql".to_owned(), Some("2.5".to_owned())),
                ("V2__seed.rs".to_owned(), Some("2".to_owned())),
            ]
        );
    }

    #[test]
    fn what_did_not_run_and_what_has_no_file_are_refused() {
        let dir = dir_with(&[
            ("1_a.sql", "CREATE TABLE a (id int);"),
            ("2_b.sql", "CREATE TABLE b (id int);"),
        ]);
        let behind = import_history(
            dir.path(),
            &history(OldTool::SchemaVersion, &["1"]),
            SystemTime::now(),
        );
        assert!(
            matches!(
                behind,
                Err(MigrateError::HistoryNotApplied { count: 1, .. })
            ),
            "{behind:?}"
        );
        let dir = dir_with(&[("1_a.up.sql", "CREATE TABLE a (id int);")]);
        let missing = import_history(
            dir.path(),
            &history(OldTool::Sqlx, &["1", "2"]),
            SystemTime::now(),
        );
        assert!(
            matches!(&missing, Err(MigrateError::HistoryMissingFiles { versions, .. }) if versions == "2"),
            "{missing:?}"
        );
    }

    #[test]
    fn ids_keep_the_order() {
        assert_eq!(revision_id("1").as_deref(), Some("00000000000001"));
        assert_eq!(revision_id("0010").as_deref(), Some("00000000000010"));
        assert_eq!(
            revision_id("20240101120000").as_deref(),
            Some("20240101120000")
        );
        assert_eq!(revision_id("202401011200001"), None);
        assert_eq!(revision_id("a1"), None);
    }

    #[test]
    fn created_from_a_timestamp_only() {
        let now = std::time::UNIX_EPOCH;
        assert_eq!(created_of("20240102030405", now), "2024-01-02T03:04:05Z");
        assert_eq!(created_of("00000000000001", now), "1970-01-01T00:00:00Z");
    }
}
