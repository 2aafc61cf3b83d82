//! The diff engine of autogen: `Catalog x Catalog -> Vec<Change> -> Plan`.
//!
//! [`diff`] compares two catalogs by identity (schema-qualified names) and returns semantic
//! [`Change`]s; [`plan`] orders them by dependency and renders each to one SQL statement with
//! its [`Hazard`]s. The `down` plan of a migration is `plan(desired, current)`.
//!
//! Objects are spelled with `autogen_schema::sql`'s statement functions, so the plan and the
//! canonical dump agree on every identifier, type and option. Pure and in-memory: no database.
//!
//! Statement order (a stable sort by [`Phase`]; within a phase, objects in name order):
//! renames (tables, columns, then constraints and indexes identical but for the name); drops of
//! foreign keys, then indexes and other constraints, then identities, then columns, then tables;
//! creates of schemas, extensions, types, sequences, tables (without foreign keys),
//! columns and column alterations, constraints and indexes, foreign keys (so cycles and
//! self-references work), sequence ownership, comments; finally drops of sequences, identities
//! added (after the sequence drops: an identity's sequence takes the name a dropped serial
//! sequence frees), drops of types, extensions and schemas (last, so columns that still use
//! them were altered or dropped first).
//! Enum type and value renames (`renamed_from` on a `DbEnum` or a variant) run with the types.

mod casts;
mod change;
mod classify;
mod diff;
mod equivalence;
mod family;
mod hints;
mod mentions;
mod online;
mod pairs;
mod renames;
mod render;
mod sequence_options;
mod touched;
mod views;

pub use change::{
    Change, ColumnChange, CommentChange, CommentTarget, ConstraintChange, ConstraintKind,
    Conversion, EnumChange, EnumValuePosition, ExtensionChange, IndexChange, Phase, SchemaChange,
    SequenceChange, TableChange,
};
pub use classify::{Classification, classify, classify_all};
pub use diff::diff;
pub use equivalence::{comparable, equivalent, normalize_equivalences};
pub use hints::{RenameHint, rename_hints};
pub use online::{OnlineOptions, plan_online, plan_online_changes};
pub use touched::touched_tables;
pub use views::{keep_views, plan_keeping_views};

use autogen_schema::{Catalog, QualifiedName};
use serde::Serialize;
use std::collections::HashSet;

/// What can go wrong when a statement runs on a live database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hazard {
    /// Data is deleted (a dropped table, column or sequence).
    DataLoss,
    /// PostgreSQL rewrites the whole table.
    TableRewrite,
    /// Takes an ACCESS EXCLUSIVE lock: blocks reads and writes of the table meanwhile.
    AccessExclusiveLock,
    /// Builds an index (time proportional to the table; blocks writes unless concurrent).
    IndexBuild,
    /// May fail when existing rows violate the new rule (NOT NULL, UNIQUE, CHECK, FK, type).
    MayFailOnExistingRows,
}

impl Hazard {
    /// The kebab-case name used in revision comments and JSON (`data-loss`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Hazard::DataLoss => "data-loss",
            Hazard::TableRewrite => "table-rewrite",
            Hazard::AccessExclusiveLock => "access-exclusive-lock",
            Hazard::IndexBuild => "index-build",
            Hazard::MayFailOnExistingRows => "may-fail-on-existing-rows",
        }
    }
}

impl std::fmt::Display for Hazard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a statement needs from the transaction it runs in. Ordered from the least to the
/// most demanding, so the stricter of two requirements is their `max`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transaction {
    /// May share one transaction with the other statements of its section.
    #[default]
    Any,
    /// Must run in a transaction of its own, after the statements before it committed and
    /// committed before the next one starts: a `VALIDATE CONSTRAINT` (the strong lock of its
    /// `NOT VALID` step must be released before the scan, not held through it) and the short
    /// strong-lock steps around it; a statement that uses an enum value the plan adds.
    Own,
    /// PostgreSQL refuses it inside a transaction block (`CREATE INDEX CONCURRENTLY`).
    None,
}

/// One SQL statement of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedStatement {
    /// One complete statement ending with `;`.
    pub sql: String,
    /// Sorted, without duplicates; empty when the statement is harmless.
    pub hazards: Vec<Hazard>,
    /// Human summary of the change, e.g. `add column public.users.phone`.
    pub change: String,
    /// Anything but [`Transaction::Any`] makes a revision holding the statement
    /// `transaction:false`: its statements then run one by one, each in its own transaction.
    pub transaction: Transaction,
}

/// JSON: `sql`, `hazards`, `change`; a statement that needs more than [`Transaction::Any`] adds
/// `"transaction": "own"|"none"` and, as before the requirement had three values,
/// `"transactional": false` (its section runs outside one shared transaction).
impl Serialize for PlannedStatement {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let shared = self.transaction == Transaction::Any;
        let mut out =
            serializer.serialize_struct("PlannedStatement", if shared { 3 } else { 5 })?;
        out.serialize_field("sql", &self.sql)?;
        out.serialize_field("hazards", &self.hazards)?;
        out.serialize_field("change", &self.change)?;
        if !shared {
            out.serialize_field("transaction", &self.transaction)?;
            out.serialize_field("transactional", &false)?;
        }
        out.end()
    }
}

/// The ordered statements that turn one catalog into another.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub statements: Vec<PlannedStatement>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// Whether every statement may share one transaction (see
    /// [`PlannedStatement::transaction`]); a revision section is `transaction:false` otherwise.
    pub fn transactional(&self) -> bool {
        self.statements
            .iter()
            .all(|statement| statement.transaction == Transaction::Any)
    }

    /// The statements as one script, one statement per line.
    pub fn to_sql(&self) -> String {
        let mut out = String::new();
        for statement in &self.statements {
            out.push_str(&statement.sql);
            out.push('\n');
        }
        out
    }
}

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

/// The one planner behind [`plan_changes`] and online mode: orders `changes` by [`Phase`],
/// renders each (unless `rewrite`, given the tables this plan creates, returns other
/// statements for it), and applies the rules that look across statements.
pub(crate) fn plan_with(
    changes: &[Change],
    rewrite: impl Fn(&Change, &HashSet<QualifiedName>) -> Option<Vec<PlannedStatement>>,
) -> Plan {
    let mut ordered: Vec<&Change> = changes.iter().collect();
    ordered.sort_by_key(|change| change.phase());
    // A table this plan creates is empty when its constraints and indexes are added:
    // nothing can fail on existing rows, and building an index on it is instant.
    let created: HashSet<QualifiedName> = changes
        .iter()
        .filter_map(|change| match change {
            Change::Table(TableChange::Create { table }) => Some(table.qualified_name()),
            _ => None,
        })
        .collect();
    // Enum values added so far: PostgreSQL refuses a later statement of the same transaction
    // that uses one ("unsafe use of new value"), so such a statement runs in its own, after
    // the value's.
    let mut added_values: Vec<(mentions::TypeName, &str)> = Vec::new();
    let mut statements = Vec::new();
    for change in ordered {
        let rendered = rewrite(change, &created).unwrap_or_else(|| {
            let mut statement = render::render(change);
            if added_to(change).is_some_and(|table| created.contains(table)) {
                statement.hazards.retain(|hazard| {
                    !matches!(hazard, Hazard::MayFailOnExistingRows | Hazard::IndexBuild)
                });
            }
            vec![statement]
        });
        if let Change::Enum(EnumChange::AddValue { name, value, .. }) = change {
            added_values.push((mentions::TypeName::new(name), value));
            statements.extend(rendered);
            continue;
        }
        for mut statement in rendered {
            if added_values
                .iter()
                .any(|(type_name, value)| type_name.uses_label(&statement.sql, value))
            {
                statement.transaction = statement.transaction.max(Transaction::Own);
            }
            statements.push(statement);
        }
    }
    Plan { statements }
}

/// The table a constraint or index is added to.
fn added_to(change: &Change) -> Option<&QualifiedName> {
    match change {
        Change::Constraint(ConstraintChange::AddPrimaryKey { table, .. })
        | Change::Constraint(ConstraintChange::AddUnique { table, .. })
        | Change::Constraint(ConstraintChange::AddCheck { table, .. })
        | Change::Constraint(ConstraintChange::AddExclusion { table, .. })
        | Change::Constraint(ConstraintChange::AddForeignKey { table, .. })
        | Change::Index(IndexChange::Create { table, .. }) => Some(table),
        _ => None,
    }
}
