//! Revisions in the migration layout another Rust stack already runs (sqlx, Diesel,
//! sea-orm-migration): writing a verified revision as that stack's files, and reading such a
//! directory back as a linear [`RevisionGraph`] in the order the stack applies it, so replay
//! and `check` work unchanged. Which of them a database has applied is read from the stack's
//! own tracking table (`tracking.rs`). autogen's own layout is [`Layout::Autogen`] and stays
//! the default; the native files are `files.rs`.

mod chain;
mod diesel;
mod rust_tokens;
mod sea_orm;
mod sea_orm_lib;
mod sqlx;
mod tracking;
mod write;

pub(crate) use write::entries;

use std::path::{Path, PathBuf};

use crate::{MigrateError, Revision, RevisionGraph};

pub use tracking::{AppliedVersion, applied_versions};
// For importing another tool's history (`history/`), which reads the same files.
pub(crate) use chain::{Entry, section};
pub(crate) use sqlx::checksum as sqlx_checksum;
pub(crate) use write::{entries as dir_entries, read_text};

/// How a project's migrations directory is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// `<id>_<slug>.sql` with a header and both sections (the revision file format).
    #[default]
    Autogen,
    /// `<version>_<slug>.up.sql` / `.down.sql`.
    Sqlx,
    /// `<YYYY-MM-DD-HHMMSS>_<slug>/up.sql`, `down.sql` (and `metadata.toml`).
    Diesel,
    /// `m<YYYYMMDD_HHMMSS>_<slug>.rs` modules of a sea-orm-migration crate.
    SeaOrm,
}

impl Layout {
    /// The names `[migrations] layout` and `--layout` accept.
    pub const NAMES: [&'static str; 4] = ["autogen", "sqlx", "diesel", "sea-orm"];

    pub fn parse(name: &str) -> Option<Layout> {
        match name {
            "autogen" => Some(Layout::Autogen),
            "sqlx" => Some(Layout::Sqlx),
            "diesel" => Some(Layout::Diesel),
            "sea-orm" => Some(Layout::SeaOrm),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Layout::Autogen => "autogen",
            Layout::Sqlx => "sqlx",
            Layout::Diesel => "diesel",
            Layout::SeaOrm => "sea-orm",
        }
    }

    /// The stack's own tracking table (unqualified: each stack creates it in the first schema
    /// of the search path), or `None` for autogen's layout.
    pub fn tracking_table(self) -> Option<&'static str> {
        match self {
            Layout::Autogen => None,
            Layout::Sqlx => Some(tracking::SQLX_TABLE),
            Layout::Diesel => Some(tracking::DIESEL_TABLE),
            Layout::SeaOrm => Some(tracking::SEA_ORM_TABLE),
        }
    }

    /// What to do about an applied migration whose file was edited since, for messages.
    pub fn edited_fix(self) -> &'static str {
        match self {
            Layout::Sqlx => {
                "undo the edit (sqlx refuses to run while an applied migration differs from its checksum)"
            }
            _ => "undo the edit, or record the edited file with `autogen stamp`",
        }
    }

    /// The command that applies this layout's files, for messages.
    pub fn runner(self) -> &'static str {
        match self {
            Layout::Autogen => "autogen upgrade",
            Layout::Sqlx => "sqlx migrate run (or sqlx::migrate!)",
            Layout::Diesel => "diesel migration run (or diesel_migrations)",
            Layout::SeaOrm => "your sea-orm-migration Migrator (sea-orm-cli migrate up)",
        }
    }
}

impl std::fmt::Display for Layout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The migrations directory `dir` in `layout`, as a revision graph: autogen's files as they
/// are, another stack's as a chain in the order that stack applies them.
pub fn load_graph(dir: &Path, layout: Layout) -> Result<RevisionGraph, MigrateError> {
    match read_entries(dir, layout)? {
        Some(entries) => chain::graph(entries),
        None => RevisionGraph::load(dir),
    }
}

/// Another stack's migrations in `dir`, in its order; `None` for autogen's own layout.
pub(crate) fn read_entries(dir: &Path, layout: Layout) -> Result<Option<Vec<Entry>>, MigrateError> {
    Ok(Some(match layout {
        Layout::Autogen => return Ok(None),
        Layout::Sqlx => sqlx::read(dir)?,
        Layout::Diesel => diesel::read(dir)?,
        Layout::SeaOrm => sea_orm::read(dir)?,
    }))
}

/// What writing a revision in a layout produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The files (or, for Diesel, the directory) written, the main one first.
    pub paths: Vec<PathBuf>,
    /// What else was done or is left to do, e.g. the sea-orm migration registered in the
    /// `Migrator`'s `lib.rs`, or the lines to add there.
    pub note: Option<String>,
}

/// Writes `revision` into `dir` in `layout`, never replacing an existing file. Refused when
/// a section must run outside a transaction in a form the stack cannot run that way.
pub fn write_revision(
    dir: &Path,
    layout: Layout,
    revision: &Revision,
) -> Result<Written, MigrateError> {
    match layout {
        Layout::Autogen => Ok(Written {
            paths: vec![crate::write_new(dir, revision)?],
            note: None,
        }),
        Layout::Sqlx => sqlx::write(dir, revision),
        Layout::Diesel => diesel::write(dir, revision),
        Layout::SeaOrm => sea_orm::write(dir, revision),
    }
}

/// `YYYYMMDDHHMMSS` → (`YYYYMMDD`, `HHMMSS`), for the layouts that spell the time their own way.
fn split_timestamp(id: &str) -> Option<(&str, &str)> {
    (id.len() == 14 && id.bytes().all(|b| b.is_ascii_digit())).then(|| id.split_at(8))
}
