//! The diff engine of autogen: `Catalog x Catalog -> Vec<Change> -> Plan`.
//!
//! [`diff`] compares two catalogs by identity (schema-qualified names) and returns semantic
//! [`Change`]s; [`plan`] orders them by dependency and renders each to one SQL statement with
//! its [`Hazard`]s. The `down` plan of a migration is `plan(desired, current)`.
//!
//! Objects are spelled with `autogen_schema::sql`'s statement functions, so the plan and the
//! canonical dump agree on every identifier, type and option. Pure and in-memory: no database.
//!
//! Statement order (a stable sort by [`Phase`]; within a phase, objects in name order, or for
//! views, routines, triggers and types in dependency order): renames (tables, columns, then
//! constraints and indexes identical but for the name); drops of triggers and views, foreign
//! keys, indexes and other constraints, table parts that use a routine or type being replaced,
//! routines that use tables, identities, sequences released from their owners, serials'
//! sequences renamed out of the way of their columns' identities, columns, tables; creates of
//! schemas, extensions, enum types, then collations, domains, composite and range types and the
//! routines that use no table, sequences (a serial's replacing an identity under a temporary
//! name, given the identity's value before the identity is dropped and renamed after), tables
//! (without foreign keys), columns and column alterations, constraints and indexes, foreign keys
//! (so cycles and self-references work), views, triggers and the routines that use tables,
//! sequence ownership, comments; finally drops of sequences, identities added (after the
//! sequence drops: an identity's sequence takes the name `<table>_<column>_seq` only while it is
//! free), the values of renamed serials' sequences carried over to them and those sequences
//! dropped, drops of the remaining routines and of types, extensions and schemas (last, so
//! columns that still use them were altered or dropped first). `handover.rs` says which columns
//! hand their counter over; `family/objects/` which objects are rebuilt around a change.
//! Enum type and value renames (`renamed_from` on a `DbEnum` or a variant) run with the types.

mod casts;
mod change;
mod classify;
mod data;
mod diff;
mod dual_write;
mod equivalence;
mod family;
mod handover;
mod hazard;
mod hints;
mod mentions;
mod migration;
mod online;
mod pairs;
mod phases;
mod plan;
mod renamed_table;
mod renames;
mod render;
mod sequence_options;
mod touched;
mod type_storage;
mod unmanaged;

pub use change::{
    Change, ColumnChange, CommentChange, CommentTarget, ConstraintChange, ConstraintKind,
    Conversion, EnumChange, EnumValuePosition, ExtensionChange, IndexChange, Phase, SchemaChange,
    SequenceChange, TableChange,
};
pub use classify::{Classification, classify, classify_all, visits_existing_rows};
pub use data::{BATCH_DIRECTIVE, ValueHint};
pub use diff::{diff, diff_renaming};
pub use dual_write::{DualWrite, refill_old_columns};
pub use equivalence::{comparable, equivalent, normalize_equivalences};
pub use hazard::{ALL_HAZARDS, Hazard, hazard_comment, hazard_names, parse_hazard_comment};
pub use hints::{RenameHint, rename_hints};
pub use migration::{Migration, PlanOptions, Verification, migration};
pub use online::{OnlineOptions, plan_online, plan_online_changes};
pub use phases::{DeployPhase, ExpandContract, deploy_phase, split_expand_contract};
pub use plan::{Plan, PlannedStatement, StatementSource, Step, Transaction};
pub use renamed_table::drop_stand_in_views_first;
pub use touched::touched_tables;
pub use unmanaged::{UnmanagedChange, UnmanagedDifference, UnmanagedObject, unmanaged_differences};

use autogen_schema::Catalog;
pub(crate) use plan::plan_with;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiffError {
    /// A change the engine cannot (yet) express safely; never silently skipped.
    #[error("unsupported change: {what}")]
    Unsupported { what: String },
}

/// The ordered `up` statements that turn `current` into `desired`.
pub fn plan(current: &Catalog, desired: &Catalog) -> Result<Plan, DiffError> {
    let changes = diff(current, desired)?;
    Ok(plan_changes(&changes))
}

/// Orders `changes` by [`Phase`] (stable, so the diff's name order holds within a phase) and
/// renders each to a statement.
pub fn plan_changes(changes: &[Change]) -> Plan {
    plan_with(changes, |_, _| None)
}
