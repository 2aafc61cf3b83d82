//! Plans: changes ordered by phase and rendered to statements, each with its hazards, its
//! transactional requirement and its source.

use crate::change::{
    Change, ConstraintChange, EnumChange, IndexChange, RoutineChange, TableChange,
};
use crate::hazard::Hazard;
use crate::mentions::TypeName;
use autogen_schema::QualifiedName;
use serde::Serialize;
use std::collections::HashSet;

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

/// Where a statement of a plan comes from, so nothing downstream reads the SQL to learn what
/// the planner knew.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatementSource {
    /// The change at this position of [`Plan::changes`].
    Change(usize),
    /// A session setting of the plan: online mode's `SET`/`RESET` of `lock_timeout` and
    /// `statement_timeout`.
    Setting,
    /// A data step no change of the plan stands for: the contract side's `down` copying a
    /// renamed column's values back into the old column it adds again (`dual_write.rs`).
    Refill,
}

/// Which step of its change a statement is: online mode splits some changes into several
/// statements, and expand/contract (`phases.rs`) puts the steps of one change on different
/// sides of a deploy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Step {
    /// The change's one statement.
    #[default]
    Whole,
    /// A constraint added `NOT VALID` (it holds for new writes, existing rows unchecked).
    AddNotValid,
    /// `VALIDATE CONSTRAINT` of a constraint added `NOT VALID` before.
    Validate,
    /// A unique or primary key constraint's index built concurrently…
    BuildIndex,
    /// … and attached as the constraint.
    AttachIndex,
    /// One of the four statements of an online `SET NOT NULL`.
    NotNull,
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
    /// Run again and again, each run its own transaction, until it changes no row (a
    /// backfill): written under a `-- batch:` line in revision files.
    pub batched: bool,
    pub source: StatementSource,
    /// Which step of its change this statement is.
    pub step: Step,
}

/// JSON: `sql`, `hazards`, `change`; a statement that needs more than [`Transaction::Any`] adds
/// `"transaction": "own"|"none"` and, as before the requirement had three values,
/// `"transactional": false` (its section runs outside one shared transaction); a batched
/// statement adds `"batched": true`.
impl Serialize for PlannedStatement {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let shared = self.transaction == Transaction::Any;
        let fields = 3 + if shared { 0 } else { 2 } + usize::from(self.batched);
        let mut out = serializer.serialize_struct("PlannedStatement", fields)?;
        out.serialize_field("sql", &self.sql)?;
        out.serialize_field("hazards", &self.hazards)?;
        out.serialize_field("change", &self.change)?;
        if !shared {
            out.serialize_field("transaction", &self.transaction)?;
            out.serialize_field("transactional", &false)?;
        }
        if self.batched {
            out.serialize_field("batched", &true)?;
        }
        out.end()
    }
}

/// The ordered statements that turn one catalog into another, with the changes they come
/// from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The changes, in the order they run ([`StatementSource::Change`] indexes them).
    #[serde(skip)]
    pub changes: Vec<Change>,
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

    /// The change a statement comes from, if it comes from one.
    pub fn change_of(&self, statement: &PlannedStatement) -> Option<&Change> {
        match statement.source {
            StatementSource::Change(index) => self.changes.get(index),
            _ => None,
        }
    }

    /// The statements as one script, one statement per line (a batched one under its
    /// `-- batch:` line).
    pub fn to_sql(&self) -> String {
        let mut out = String::new();
        for statement in &self.statements {
            if statement.batched {
                out.push_str(crate::data::BATCH_DIRECTIVE);
                out.push('\n');
            }
            out.push_str(&statement.sql);
            out.push('\n');
        }
        out
    }
}

/// The one planner behind [`plan_changes`] and online mode: orders `changes` by [`Phase`],
/// renders each (unless `rewrite`, given the tables this plan creates, returns other
/// statements for it), and applies the rules that look across statements.
pub(crate) fn plan_with(
    changes: &[Change],
    rewrite: impl Fn(&Change, &HashSet<QualifiedName>) -> Option<Vec<PlannedStatement>>,
) -> Plan {
    let mut ordered: Vec<Change> = changes.to_vec();
    ordered.sort_by_key(|change| change.phase());
    // A table this plan creates is empty when its constraints and indexes are added:
    // nothing can fail on existing rows, and building an index on it is instant.
    let created = created_tables(changes);
    // Enum values added so far: PostgreSQL refuses a later statement of the same transaction
    // that uses one ("unsafe use of new value"), so such a statement runs in its own, after
    // the value's.
    let mut added_values: Vec<(TypeName, &str)> = Vec::new();
    let mut statements = Vec::new();
    for (index, change) in ordered.iter().enumerate() {
        // The planner knows which change each statement comes from: it stamps them (a
        // rewrite need not).
        let rendered = rewrite(change, &created).unwrap_or_else(|| {
            let mut statement = crate::render::render(change, index);
            if added_to(change).is_some_and(|table| created.contains(table)) {
                statement.hazards.retain(|hazard| {
                    !matches!(hazard, Hazard::MayFailOnExistingRows | Hazard::IndexBuild)
                });
            }
            vec![statement]
        });
        if let Change::Enum(EnumChange::AddValue { name, value, .. }) = change {
            added_values.push((TypeName::new(name), value));
            statements.extend(rendered);
            continue;
        }
        let rendered = rendered.into_iter().map(|mut statement| {
            statement.source = StatementSource::Change(index);
            statement
        });
        let uses_added_value = change.expressions().iter().any(|expression| {
            added_values
                .iter()
                .any(|(type_name, value)| type_name.uses_label(expression, value))
        });
        for mut statement in rendered {
            if uses_added_value {
                statement.transaction = statement.transaction.max(Transaction::Own);
            }
            statements.push(statement);
        }
    }
    if ordered.iter().any(creates_routine) {
        // A routine's body may use tables and routines created after it (only `BEGIN ATOMIC`
        // bodies are tracked, and ordered, by pg_depend): created unchecked, as pg_dump does.
        // Bodies were checked when the desired schema was read.
        statements.insert(
            0,
            setting(
                "SET check_function_bodies = false;",
                "skip checking routine bodies",
            ),
        );
        statements.push(setting(
            "RESET check_function_bodies;",
            "check routine bodies again",
        ));
    }
    Plan {
        changes: ordered,
        statements,
    }
}

/// The tables `changes` create: empty while the plan runs (no existing rows to check, fill or
/// index).
pub(crate) fn created_tables(changes: &[Change]) -> HashSet<QualifiedName> {
    changes
        .iter()
        .filter_map(|change| match change {
            Change::Table(TableChange::Create { table }) => Some(table.qualified_name()),
            _ => None,
        })
        .collect()
}

fn creates_routine(change: &Change) -> bool {
    matches!(
        change,
        Change::Routine(RoutineChange::Create { .. } | RoutineChange::Replace { .. })
    )
}

fn setting(sql: &str, change: &str) -> PlannedStatement {
    PlannedStatement {
        sql: sql.to_string(),
        hazards: Vec::new(),
        change: change.to_string(),
        transaction: Transaction::Any,
        batched: false,
        source: StatementSource::Setting,
        step: Step::Whole,
    }
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
