//! The history another migration tool left on a database that autogen adopts: which tool's
//! tracking table is there and how far it got (`detect.rs`), and its migration files turned
//! into autogen revisions that become the prefix of the chain (`import.rs`; the file shapes
//! each tool reads are in `numbered.rs` and `alembic.rs`). Nothing here runs a migration: the
//! caller stamps the adopted database at the imported head.

mod alembic;
mod detect;
mod import;
mod numbered;

pub use detect::{OldHistory, detect_histories};
pub use import::{ImportedHistory, SkippedFile, import_history};

/// The migration tools whose tracking tables autogen recognizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OldTool {
    Alembic,
    Sqlx,
    Diesel,
    Flyway,
    Refinery,
    SeaOrm,
    /// A hand-kept `schema_version` table beside numbered SQL files (and a `migrate.sh`).
    SchemaVersion,
}

/// Tables whose name alone says which tool keeps them: never part of an application's schema,
/// so every command leaves them out wherever a database has them (in `public`, where the
/// tools create them by default). `schema_version` is not among them: an application may
/// have a table of that name, so it is recognized by its shape on a database being adopted
/// and then named in the project's `[migrations] ignore_tables`.
pub const TOOL_TABLES: [(&str, OldTool); 6] = [
    ("alembic_version", OldTool::Alembic),
    ("_sqlx_migrations", OldTool::Sqlx),
    ("__diesel_schema_migrations", OldTool::Diesel),
    ("flyway_schema_history", OldTool::Flyway),
    ("refinery_schema_history", OldTool::Refinery),
    ("seaql_migrations", OldTool::SeaOrm),
];

/// The hand-kept table's name (and Flyway's before version 5).
pub const SCHEMA_VERSION_TABLE: &str = "schema_version";

impl OldTool {
    /// The tool's name in messages.
    pub fn name(self) -> &'static str {
        match self {
            OldTool::Alembic => "Alembic",
            OldTool::Sqlx => "sqlx",
            OldTool::Diesel => "Diesel",
            OldTool::Flyway => "Flyway",
            OldTool::Refinery => "refinery",
            OldTool::SeaOrm => "sea-orm-migration",
            OldTool::SchemaVersion => "schema_version",
        }
    }

    /// Whether its migration files can be run by autogen (Alembic's are Python: recorded as
    /// applied history only).
    pub fn runnable(self) -> bool {
        self != OldTool::Alembic
    }
}

impl std::fmt::Display for OldTool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
