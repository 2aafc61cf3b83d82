//! The schema IR of autogen.
//!
//! A [`Catalog`] is plain data: what a PostgreSQL database (or a set of models and SQL
//! declarations) holds, with every expression, type and definition spelled the way PostgreSQL
//! itself prints it. The catalog has one canonical order ([`Catalog::canonicalize`]), so two
//! catalogs of the same schema are equal with `==`, serialize to the same JSON, and dump to the
//! same SQL ([`Catalog::to_sql`], built from [`Catalog::statements`], which orders objects by
//! their dependencies).
//!
//! This crate depends on nothing of ours and talks to no database.

mod catalog;
mod deps;
mod dump;
mod ident;
mod intent;
mod objects;
pub mod sql;

pub use catalog::*;
pub use deps::{Dependency, ObjectRef};
pub use dump::{Source, Statement};
pub use ident::{QualifiedName, quote_ident, quote_literal};
pub use intent::{ColumnExpression, MemberRename, ModelIntent, Rename};
pub use objects::{
    Attribute, Collation, CompositeType, Domain, DomainCheck, Function, FunctionId, FunctionKind,
    Policy, PolicyCommand, RangeType, TextSearchConfiguration, TextSearchDictionary,
    TextSearchMapping, Trigger, TriggerEnabled, View, dictionary_option_name,
};

/// Parses a catalog from its JSON form (the output of [`Catalog::to_json`]).
pub fn catalog_from_json(text: &str) -> Result<Catalog, serde_json::Error> {
    let mut catalog: Catalog = serde_json::from_str(text)?;
    catalog.canonicalize();
    Ok(catalog)
}
