//! The schema IR of autogen.
//!
//! A [`Catalog`] is plain data: what a PostgreSQL database (or a set of models) declares,
//! with every expression and type spelled the way PostgreSQL itself prints it. The catalog
//! has one canonical order ([`Catalog::canonicalize`]), so two catalogs of the same schema are
//! equal with `==`, serialize to the same JSON, and dump to the same SQL ([`Catalog::to_sql`]).
//!
//! This crate depends on nothing of ours and talks to no database.

mod catalog;
mod ident;
mod intent;
pub mod sql;
mod view;

pub use catalog::*;
pub use ident::{QualifiedName, quote_ident, quote_literal};
pub use intent::{MemberRename, Rename, RenameIntent};
pub use view::{View, ViewDependency, views_in_creation_order};

/// Parses a catalog from its JSON form (the output of [`Catalog::to_json`]).
pub fn catalog_from_json(text: &str) -> Result<Catalog, serde_json::Error> {
    let mut catalog: Catalog = serde_json::from_str(text)?;
    catalog.canonicalize();
    Ok(catalog)
}
