//! Model paths -> source texts: files as given, directories recursively (`*.rs`, sorted).

use crate::SourceFile;
use crate::error::ModelError;
use std::path::{Path, PathBuf};

/// Every readable file, and an error for each path or file that could not be read.
pub(crate) fn read_paths(paths: &[PathBuf]) -> (Vec<SourceFile>, Vec<ModelError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(metadata) if metadata.is_dir() => {
                let mut found = Vec::new();
                collect_rs_files(path, &mut found, &mut errors);
                // Sorted so the catalog's declaration order does not depend on the filesystem.
                found.sort();
                files.extend(found);
            }
            Ok(_) => files.push(path.clone()),
            Err(error) => errors.push(io_error(path, "cannot read", &error)),
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|file| seen.insert(file.clone()));

    let mut sources = Vec::with_capacity(files.len());
    for path in files {
        match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => sources.push(SourceFile { path, text }),
                Err(error) => errors.push(not_utf8(&path, error)),
            },
            Err(error) => errors.push(io_error(&path, "cannot read", &error)),
        }
    }
    (sources, errors)
}

/// `*.rs` files below `dir`; hidden directories (`.git`, ...) are skipped and symlinked
/// directories are not followed (no cycles).
fn collect_rs_files(dir: &Path, found: &mut Vec<PathBuf>, errors: &mut Vec<ModelError>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            errors.push(io_error(dir, "cannot list directory", &error));
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                errors.push(io_error(dir, "cannot list directory", &error));
                continue;
            }
        };
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => {
                if !hidden {
                    collect_rs_files(&path, found, errors);
                }
            }
            Ok(_)
                if path.extension().is_some_and(|extension| extension == "rs")
                    && path.is_file() =>
            {
                found.push(path);
            }
            Ok(_) => {}
            Err(error) => errors.push(io_error(&path, "cannot read", &error)),
        }
    }
}

fn io_error(path: &Path, what: &str, error: &std::io::Error) -> ModelError {
    ModelError::at(
        path,
        "",
        0..0,
        format!("{what} `{}`: {error}", path.display()),
        what.to_string(),
        None,
    )
}

fn not_utf8(path: &Path, error: std::string::FromUtf8Error) -> ModelError {
    let valid_up_to = error.utf8_error().valid_up_to();
    let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
    ModelError::at(
        path,
        &text,
        valid_up_to..valid_up_to + char::REPLACEMENT_CHARACTER.len_utf8(),
        format!("`{}` is not valid UTF-8", path.display()),
        "invalid UTF-8 here".to_string(),
        Some("Rust source files must be UTF-8".to_string()),
    )
}
