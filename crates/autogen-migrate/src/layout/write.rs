//! Writing another stack's files: new files only (never replacing one), each written to a
//! temporary name first and linked into place, so a crash leaves no half-written migration;
//! and the one rule sqlx and Diesel share about running outside a transaction.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::{MigrateError, Section, split_statements};

/// `text` in a temporary file beside `path`, flushed to disk: ready to be moved into place.
fn staged(path: &Path, text: &str) -> Result<tempfile::NamedTempFile, MigrateError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let io_error = |action: &'static str| {
        let path = path.to_path_buf();
        move |source| MigrateError::Io {
            path,
            action,
            source,
        }
    };
    // Dot-prefixed and not ending in a migration suffix: no stack reads it meanwhile.
    let mut temporary = tempfile::Builder::new()
        .prefix(".autogen-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io_error("create a temporary file for"))?;
    temporary
        .write_all(text.as_bytes())
        .map_err(io_error("write"))?;
    temporary
        .as_file()
        .sync_all()
        .map_err(io_error("flush to disk"))?;
    Ok(temporary)
}

/// Writes `text` to `path`, which must not exist.
pub(crate) fn new_file(path: &Path, text: &str, id: &str) -> Result<(), MigrateError> {
    staged(path, text)?
        .persist_noclobber(path)
        .map(drop)
        .map_err(|error| {
            if error.error.kind() == std::io::ErrorKind::AlreadyExists {
                MigrateError::RevisionExists {
                    id: id.to_owned(),
                    path: path.to_path_buf(),
                }
            } else {
                MigrateError::Io {
                    path: path.to_path_buf(),
                    action: "move into place",
                    source: error.error,
                }
            }
        })
}

/// Replaces the existing file `path` with `text` atomically: a reader sees the old text or
/// the new, never half of it.
pub(crate) fn replace_file(path: &Path, text: &str) -> Result<(), MigrateError> {
    staged(path, text)?
        .persist(path)
        .map(drop)
        .map_err(|error| MigrateError::Io {
            path: path.to_path_buf(),
            action: "move into place",
            source: error.error,
        })?;
    sync_dir(path.parent().unwrap_or(Path::new(".")))
}

/// Makes the new directory entries in `dir` durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), MigrateError> {
    fs::File::open(dir)
        .and_then(|directory| directory.sync_all())
        .map_err(|source| MigrateError::Io {
            path: dir.to_path_buf(),
            action: "flush the migrations directory to disk",
            source,
        })
}

/// Removes what an interrupted write of one migration left, best effort: the error being
/// reported matters more than a failure to clean up.
pub(crate) fn remove_quietly(paths: &[PathBuf]) {
    for path in paths {
        let _ = if path.is_dir() {
            fs::remove_dir_all(path)
        } else {
            fs::remove_file(path)
        };
    }
}

/// A batched statement (`-- batch:`) must run again until it changes no row, which only
/// autogen's runner does: another stack would run it once, leaving most rows undone.
pub(crate) fn check_no_batch(
    layout: &'static str,
    name: &'static str,
    section: &Section,
) -> Result<(), MigrateError> {
    match split_statements(&section.sql)
        .into_iter()
        .find(|statement| statement.batch.is_some())
    {
        Some(statement) => Err(MigrateError::LayoutCannotBatch {
            layout,
            section: name,
            line: statement.line,
        }),
        None => Ok(()),
    }
}

/// sqlx and Diesel run a migration that opts out of the transaction as one multi-statement
/// query string, which PostgreSQL itself runs as one implicit transaction block: a
/// `CREATE INDEX CONCURRENTLY` in it fails, and a step that needs its own committed
/// transaction does not get one. Only a section of a single statement really runs outside a
/// transaction there.
pub(crate) fn check_no_transaction(
    layout: &'static str,
    name: &'static str,
    section: &Section,
) -> Result<(), MigrateError> {
    if section.transactional {
        return Ok(());
    }
    let count = split_statements(&section.sql).len();
    if count <= 1 {
        return Ok(());
    }
    Err(MigrateError::LayoutNeedsNoTransaction {
        layout,
        section: name,
        reason: format!(
            "its {count} statements include one PostgreSQL refuses in a transaction block or one that needs a transaction of its own"
        ),
        why: "it runs a migration outside a transaction as one multi-statement query, which PostgreSQL runs as a single implicit transaction",
    })
}

/// Every name directly in `dir`, or the "no migrations directory" error.
pub(crate) fn entries(dir: &Path) -> Result<Vec<(String, PathBuf)>, MigrateError> {
    let listing = fs::read_dir(dir).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            MigrateError::NoMigrationsDir {
                dir: dir.to_path_buf(),
            }
        } else {
            MigrateError::Io {
                path: dir.to_path_buf(),
                action: "list the migrations directory",
                source,
            }
        }
    })?;
    let mut names = Vec::new();
    for entry in listing {
        let entry = entry.map_err(|source| MigrateError::Io {
            path: dir.to_path_buf(),
            action: "list the migrations directory",
            source,
        })?;
        let name = entry.file_name().to_string_lossy().into_owned();
        names.push((name, entry.path()));
    }
    names.sort();
    Ok(names)
}

/// A file's text, with its path in the error.
pub(crate) fn read_text(path: &Path) -> Result<String, MigrateError> {
    fs::read_to_string(path).map_err(|source| MigrateError::Io {
        path: path.to_path_buf(),
        action: "read the migration file",
        source,
    })
}
