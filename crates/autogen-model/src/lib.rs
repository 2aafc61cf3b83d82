//! Rust model files -> the declared [`autogen_schema::Catalog`].
//!
//! Users declare tables as structs with `#[derive(Model)]` and enum types as enums with
//! `#[derive(DbEnum)]`, configured by `#[model(...)]` attributes (see the design's "Model
//! syntax"). This crate reads `.rs` files with `syn` (no compilation, no type resolution: types
//! are matched by their last path segment), finds those items, also inside inline modules,
//! and builds the catalog they declare, with the source location of every object.
//!
//! Problems are collected, never stopping at the first, as [`ModelError`]s that miette renders
//! with the source line. The derive crate validates the same attributes at compile time
//! through [`derive_support`], so both report the same problems.
//!
//! The catalog is what the models *say*: types in `format_type` spelling, expressions as
//! written, unnamed constraints with an empty name. PostgreSQL normalizes it later.

mod attr;
mod decl;
pub mod derive_support;
mod discover;
mod error;
mod index_key;
mod load;
mod naming;
mod origin;
mod parse;
mod problem;
mod reference;
mod resolve;
mod seaorm;
mod sources;
mod sql_text;
mod suggest;
mod types;

pub use error::{ModelError, ModelErrors};
pub use origin::{CatalogOrigins, Origin, TableOrigins};
pub use seaorm::{AutoIncrement, SeaOrmOptions};

use autogen_schema::Catalog;
use std::path::PathBuf;

/// The models of a run.
#[derive(Debug, Clone)]
pub struct Models {
    /// Declared catalog in declaration order (never canonicalized here; origins are parallel
    /// to it). Unnamed constraints and indexes have an empty `name`: PostgreSQL names them
    /// during normalization.
    pub catalog: Catalog,
    pub origins: CatalogOrigins,
    /// What the models say was renamed: an input to the diff beside the catalogs, never part
    /// of one.
    pub intent: autogen_schema::ModelIntent,
    /// Every file read, for diagnostics after normalization.
    pub sources: Vec<SourceFile>,
}

impl Models {
    /// No `#[derive(Model)]` struct and no `#[derive(DbEnum)]` enum was found.
    pub fn is_empty(&self) -> bool {
        self.catalog.tables.is_empty() && self.catalog.enums.is_empty()
    }
}

/// A model file as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

/// Reads the models in `paths`: `.rs` files, or directories searched recursively for them
/// (in sorted order).
pub fn load_models(paths: &[PathBuf]) -> Result<Models, ModelErrors> {
    load_models_with(paths, &SeaOrmOptions::default())
}

/// Same as [`load_models`], with the options of SeaORM entities among the files.
pub fn load_models_with(paths: &[PathBuf], options: &SeaOrmOptions) -> Result<Models, ModelErrors> {
    let paths = paths.to_vec();
    let options = *options;
    load::isolated(move || {
        let (sources, errors) = sources::read_paths(&paths);
        load::analyze(sources, errors, &options)
    })
}

/// Same as [`load_models`], from in-memory sources (the path is only used in messages).
pub fn load_sources(sources: Vec<(PathBuf, String)>) -> Result<Models, ModelErrors> {
    let sources = sources
        .into_iter()
        .map(|(path, text)| SourceFile { path, text })
        .collect();
    load::isolated(move || load::analyze(sources, Vec::new(), &SeaOrmOptions::default()))
}
