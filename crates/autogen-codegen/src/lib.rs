//! A database's schema as a project: Rust model files (`#[derive(Model)]` structs and
//! `#[derive(DbEnum)]` enums, one file per schema) for everything the model syntax can say, and
//! one SQL declaration file for the rest (`autogen pull`).
//!
//! The split is computed as a catalog: [`split::model_catalog`] keeps of the inspected catalog
//! exactly what the models will declare; the SQL file is then the diff planner's own plan from
//! that catalog to the whole one (`autogen_diff::plan`, built from `autogen_schema::sql`), so no
//! DDL is written here and nothing is left out silently. The models are rendered in a layout
//! `rustfmt` keeps as it is. Pure: never talks to a database (the engine normalizes the written
//! files and compares them with the source, which is the proof that nothing was lost).

mod attr;
mod names;
mod rust_file;
mod split;
mod sql_file;
mod types;

use autogen_schema::Catalog;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodegenError {
    /// The planner cannot write what the models leave out.
    #[error("the SQL declarations cannot be written: {0}")]
    Plan(#[from] autogen_diff::DiffError),
}

/// Which directory a file belongs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A Rust model file (the project's `[models] paths`).
    Model,
    /// A SQL declaration file (the project's `[models] sql`).
    Sql,
}

/// One file to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub kind: FileKind,
    /// The file name in its directory (`core.rs`, `mod.rs`, `schema.sql`).
    pub name: String,
    pub text: String,
}

/// What [`generate`] made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Generated {
    pub files: Vec<GeneratedFile>,
    /// How many tables and enums became Rust items.
    pub structs: usize,
    pub enums: usize,
    /// How many statements the SQL declaration file holds.
    pub sql_statements: usize,
}

/// The files of a project whose models and SQL declarations normalize to `catalog`.
pub fn generate(catalog: &Catalog) -> Result<Generated, CodegenError> {
    let full = catalog.canonical();
    let models = split::model_catalog(&full);
    let mut generated = Generated {
        structs: models.tables.len(),
        enums: models.enums.len(),
        ..Generated::default()
    };
    generated.files = rust_file::render(&models);
    let statements = sql_file::statements(&models, &full)?;
    generated.sql_statements = statements.len();
    if !statements.is_empty() {
        generated.files.push(GeneratedFile {
            kind: FileKind::Sql,
            name: sql_file::FILE_NAME.to_string(),
            text: sql_file::render(&statements),
        });
    }
    Ok(generated)
}
