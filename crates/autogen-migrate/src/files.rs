//! The migrations directory on disk: reading every revision file in it, and adding a new one
//! atomically without ever replacing an existing file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::parse::{Parsed, parse};
use crate::{MigrateError, Revision};

/// A revision together with the file it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionFile {
    pub path: PathBuf,
    pub revision: Revision,
    /// `revision.checksum()`, computed once.
    pub checksum: String,
}

impl RevisionFile {
    /// Pairs a revision with its path and computes the checksum.
    pub fn new(path: PathBuf, revision: Revision) -> RevisionFile {
        let checksum = revision.checksum();
        RevisionFile {
            path,
            revision,
            checksum,
        }
    }
}

/// A file read from the directory, with the header lines the graph's errors point at.
pub(crate) struct LoadedFile {
    pub file: RevisionFile,
    pub revision_line: usize,
    pub parents_line: usize,
}

/// Every `*.sql` file directly in `dir`, sorted by name, parsed; each file's name must start
/// with its revision id.
pub(crate) fn load_dir(dir: &Path) -> Result<Vec<LoadedFile>, MigrateError> {
    let mut loaded = Vec::new();
    for path in sql_files(dir)? {
        let text = fs::read_to_string(&path).map_err(|source| MigrateError::Io {
            path: path.clone(),
            action: "read the revision file",
            source,
        })?;
        loaded.push(parse_file(path, &text)?);
    }
    Ok(loaded)
}

/// One revision file's text, parsed; `path` is what errors name, and its file name must start
/// with the revision id. Shared by [`load_dir`] and the embedded migrations, so both accept
/// exactly the same files.
pub(crate) fn parse_file(path: PathBuf, text: &str) -> Result<LoadedFile, MigrateError> {
    let Parsed {
        revision,
        revision_line,
        parents_line,
    } = parse(&path, text)?;
    let name = file_name(&path);
    if id_of_file_name(&name) != Some(revision.id.as_str()) {
        return Err(MigrateError::FileNameMismatch {
            expected: revision.file_name(),
            id: revision.id,
            path,
            line: revision_line,
        });
    }
    Ok(LoadedFile {
        file: RevisionFile::new(path, revision),
        revision_line,
        parents_line,
    })
}

/// Writes `revision` into `dir` as `revision.file_name()` and returns the path.
///
/// Atomic: the text goes to a temporary file in `dir`, is flushed to disk, and is then linked
/// into place only if no file of that name exists, so a crash never leaves half a revision and
/// nothing is overwritten. Refused when any file for the same revision id exists (whatever its
/// slug).
pub fn write_new(dir: &Path, revision: &Revision) -> Result<PathBuf, MigrateError> {
    if let Some(existing) = sql_files(dir)?
        .into_iter()
        .find(|path| id_of_file_name(&file_name(path)) == Some(revision.id.as_str()))
    {
        return Err(MigrateError::RevisionExists {
            id: revision.id.clone(),
            path: existing,
        });
    }
    let target = dir.join(revision.file_name());
    let io_error = |action: &'static str| {
        let path = target.clone();
        move |source| MigrateError::Io {
            path,
            action,
            source,
        }
    };
    // The temporary name does not end in `.sql`, so a concurrent load never reads it.
    let mut temporary = tempfile::Builder::new()
        .prefix(".autogen-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io_error("create a temporary file for"))?;
    temporary
        .write_all(revision.render().as_bytes())
        .map_err(io_error("write"))?;
    temporary
        .as_file()
        .sync_all()
        .map_err(io_error("flush to disk"))?;
    temporary.persist_noclobber(&target).map_err(|error| {
        if error.error.kind() == std::io::ErrorKind::AlreadyExists {
            MigrateError::RevisionExists {
                id: revision.id.clone(),
                path: target.clone(),
            }
        } else {
            MigrateError::Io {
                path: target.clone(),
                action: "move into place",
                source: error.error,
            }
        }
    })?;
    // Make the new directory entry itself durable.
    fs::File::open(dir)
        .and_then(|directory| directory.sync_all())
        .map_err(|source| MigrateError::Io {
            path: dir.to_path_buf(),
            action: "flush the migrations directory to disk",
            source,
        })?;
    Ok(target)
}

/// The `*.sql` files directly in `dir`, sorted by name.
fn sql_files(dir: &Path) -> Result<Vec<PathBuf>, MigrateError> {
    Ok(crate::layout::entries(dir)?
        .into_iter()
        .map(|(_, path)| path)
        .filter(|path| path.extension().is_some_and(|ext| ext == "sql") && path.is_file())
        .collect())
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The id a file name claims: what comes before the first `_`, or the whole stem.
fn id_of_file_name(name: &str) -> Option<&str> {
    let stem = name.strip_suffix(".sql")?;
    Some(stem.split_once('_').map_or(stem, |(id, _)| id))
}
