//! sqlx's layout: `<version>_<description>.up.sql` and `.down.sql` (reversible), or
//! `<version>_<description>.sql` (up only), directly in the directory, applied in version
//! order; a file whose first line is `-- no-transaction` runs outside a transaction.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::Written;
use super::chain::{Entry, section};
use super::write::{
    check_no_batch, check_no_transaction, entries, new_file, read_text, remove_quietly, sync_dir,
};
use crate::naming::slug;
use crate::{MigrateError, Revision, Section};

const LAYOUT: &str = "sqlx";
/// sqlx's marker, which it looks for at the very start of the file.
const NO_TRANSACTION: &str = "-- no-transaction";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Up,
    Down,
    /// `<version>_<description>.sql`: sqlx's irreversible form.
    Simple,
}

#[derive(Default)]
struct Files {
    description: String,
    up: Option<PathBuf>,
    down: Option<PathBuf>,
}

pub(crate) fn read(dir: &Path) -> Result<Vec<Entry>, MigrateError> {
    let mut by_version: BTreeMap<i64, Files> = BTreeMap::new();
    for (name, path) in entries(dir)? {
        if name.starts_with('.') || !name.ends_with(".sql") || !path.is_file() {
            continue;
        }
        let problem = |problem: String| MigrateError::LayoutFile {
            path: path.clone(),
            line: 0,
            layout: LAYOUT,
            problem,
        };
        let (version, description, kind) = parse_name(&name).ok_or_else(|| {
            problem("expected a name like `<version>_<description>.up.sql`, `.down.sql` or `.sql`, the version a number".to_owned())
        })?;
        let files = by_version.entry(version).or_default();
        if !files.description.is_empty() && files.description != description {
            return Err(problem(format!(
                "version {version} is also used by a migration named `{}`",
                files.description
            )));
        }
        files.description = description.to_owned();
        let slot = match kind {
            Kind::Up | Kind::Simple => &mut files.up,
            Kind::Down => &mut files.down,
        };
        if slot.is_some() {
            return Err(problem(format!(
                "a second up or down file for version {version}"
            )));
        }
        *slot = Some(path.clone());
    }
    let mut read_entries = Vec::with_capacity(by_version.len());
    for (version, files) in by_version {
        let Some(up_path) = files.up else {
            let path = files.down.unwrap_or_else(|| dir.to_path_buf());
            return Err(MigrateError::LayoutFile {
                path,
                line: 0,
                layout: LAYOUT,
                problem: format!("version {version} has a `.down.sql` file but no `.up.sql`"),
            });
        };
        let up = file_section(&up_path)?;
        if files.down.is_none() {
            refuse_autogen_file(&up_path, &up.sql)?;
        }
        let down = match &files.down {
            Some(path) => file_section(path)?,
            None => Section::new(true, ""),
        };
        read_entries.push(Entry {
            id: version.to_string(),
            message: files.description,
            path: up_path,
            up,
            down,
        });
    }
    Ok(read_entries)
}

/// `(version, description, kind)` of a file name sqlx would read.
fn parse_name(name: &str) -> Option<(i64, &str, Kind)> {
    let (version, rest) = name.split_once('_')?;
    let version: i64 = version.parse().ok()?;
    let (description, kind) = if let Some(description) = rest.strip_suffix(".up.sql") {
        (description, Kind::Up)
    } else if let Some(description) = rest.strip_suffix(".down.sql") {
        (description, Kind::Down)
    } else {
        (rest.strip_suffix(".sql")?, Kind::Simple)
    };
    Some((version, description, kind))
}

/// An up-only file holding autogen's section markers is autogen's own revision, which sqlx
/// would run whole, down section included: a layout setting that does not match the
/// directory, reported rather than replayed.
fn refuse_autogen_file(path: &Path, sql: &str) -> Result<(), MigrateError> {
    match sql
        .lines()
        .position(|line| line.trim_end() == "-- migrate:down" || line.starts_with("-- migrate:down "))
    {
        Some(index) => Err(MigrateError::LayoutFile {
            path: path.to_path_buf(),
            line: index + 1,
            layout: LAYOUT,
            problem: "this is an autogen revision file (it has a `-- migrate:down` section, which sqlx would run as part of the migration): is `[migrations] layout` right for this directory?".to_owned(),
        }),
        None => Ok(()),
    }
}

/// The checksum sqlx records for a migration: SHA-384 of its file's bytes.
pub(crate) fn checksum(path: &Path) -> Result<Vec<u8>, MigrateError> {
    use sha2::Digest;
    let bytes = std::fs::read(path).map_err(|source| MigrateError::Io {
        path: path.to_path_buf(),
        action: "read the migration file",
        source,
    })?;
    Ok(sha2::Sha384::digest(&bytes).to_vec())
}

fn file_section(path: &Path) -> Result<Section, MigrateError> {
    let text = read_text(path)?;
    let transactional = !text.starts_with(NO_TRANSACTION);
    Ok(section(transactional, &text, 1))
}

pub(crate) fn write(dir: &Path, revision: &Revision) -> Result<Written, MigrateError> {
    check_no_batch(LAYOUT, "up", &revision.up)?;
    check_no_batch(LAYOUT, "down", &revision.down)?;
    check_no_transaction(LAYOUT, "up", &revision.up)?;
    check_no_transaction(LAYOUT, "down", &revision.down)?;
    let stem = format!("{}_{}", revision.id, slug(&revision.message));
    let up = dir.join(format!("{stem}.up.sql"));
    let down = dir.join(format!("{stem}.down.sql"));
    new_file(&up, &file_text(&revision.up), &revision.id)?;
    if let Err(error) = new_file(&down, &file_text(&revision.down), &revision.id) {
        remove_quietly(std::slice::from_ref(&up));
        return Err(error);
    }
    sync_dir(dir)?;
    Ok(Written {
        paths: vec![up, down],
        note: None,
    })
}

/// A section as a sqlx file: the marker first when it runs outside a transaction; a comment
/// where there is no SQL, as `sqlx migrate add` writes.
fn file_text(section: &Section) -> String {
    let mut text = String::new();
    if !section.transactional {
        text.push_str(NO_TRANSACTION);
        text.push('\n');
    }
    if section.sql.trim().is_empty() {
        text.push_str("-- Add migration script here\n");
    } else {
        text.push_str(&section.sql);
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(matches!(
            parse_name("20261121103000_add_phone.up.sql"),
            Some((20261121103000, "add_phone", Kind::Up))
        ));
        assert!(matches!(
            parse_name("1_init.down.sql"),
            Some((1, "init", Kind::Down))
        ));
        assert!(matches!(
            parse_name("0002_x.sql"),
            Some((2, "x", Kind::Simple))
        ));
        assert!(parse_name("init.up.sql").is_none());
        assert!(parse_name("v1_init.up.sql").is_none());
    }

    #[test]
    fn no_transaction_marker_comes_first() {
        let text = file_text(&Section::new(
            false,
            "CREATE INDEX CONCURRENTLY i ON t (a);",
        ));
        assert!(text.starts_with("-- no-transaction\nCREATE INDEX"));
        assert_eq!(
            file_text(&Section::new(true, "")),
            "-- Add migration script here\n"
        );
    }
}
