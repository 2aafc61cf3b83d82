//! Expand/contract: an online plan split into the statements that are safe while the old
//! application version still runs (*expand*) and the ones that must wait until the new version
//! is deployed (*contract*). docs/expand-contract.md has the design.
//!
//! Each statement goes to a side by its change and [`Step`] ([`deploy_phase`]); each side keeps
//! the plan's order. Expand also gets what makes the deploy window work for both versions:
//!
//! - a column rename becomes a second column kept in sync by a trigger, filled in batches
//!   (`dual_write.rs`); the plain `RENAME COLUMN` would break every old-version query;
//! - a table rename runs on the expand side, with a view under the old name standing in for
//!   the table (`renamed_table.rs`);
//! - a column the contract side drops loses its `NOT NULL` (when it has no default), so the
//!   new version, which no longer writes it, can insert rows.
//!
//! The contract *revision* is not [`ExpandContract::deferred`]: it is planned from the catalog
//! the expand side leaves to the desired one (the engine applies the expand statements to a
//! copy of the schema and reads it back), so both revisions have down plans that undo exactly
//! their own side, and both are verified like any revision.

use crate::change::{
    Change, ColumnChange, ConstraintChange, IndexChange, PolicyChange, PrivilegeChange,
    RoutineChange, SchemaChange, SequenceChange, TableChange, TriggerChange, ViewChange,
};
use crate::change::{
    CollationChange, CommentChange, CompositeChange, DomainChange, EnumChange, ExtensionChange,
    RangeChange, TextSearchChange,
};
use crate::plan::{Plan, PlannedStatement, StatementSource, Step};
use autogen_schema::{Catalog, QualifiedName, quote_ident};
use serde::Serialize;
use std::collections::HashSet;

/// The side of a deploy a statement belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeployPhase {
    /// Applied before the new code is deployed; the old version keeps working.
    Expand,
    /// Applied once the new code runs everywhere.
    Contract,
}

/// A plan split for a deploy.
#[derive(Debug, Clone, Default)]
pub struct ExpandContract {
    /// The expand revision's `up` (with the plan's session settings around it when it has
    /// statements of its own; empty otherwise). Its changes are the whole plan's.
    pub expand: Plan,
    /// The plan's statements the contract side takes over, in plan order (a column rename:
    /// its plain `RENAME COLUMN`, which the contract side replaces by dropping the old
    /// column). For review and tests: the contract revision is planned from the catalog
    /// the expand side leaves.
    pub deferred: Vec<PlannedStatement>,
    /// The column renames the expand side turns into synced second columns.
    pub dual_writes: Vec<crate::DualWrite>,
    /// The views the expand side creates under renamed tables' old names (the contract side
    /// drops them).
    pub stand_in_views: Vec<QualifiedName>,
}

impl ExpandContract {
    /// Whether the expand side has statements of its own (not only session settings).
    pub fn expands(&self) -> bool {
        self.expand
            .statements
            .iter()
            .any(|statement| statement.source != StatementSource::Setting)
    }

    /// Whether the contract side has anything to do.
    pub fn contracts(&self) -> bool {
        !self.deferred.is_empty() || !self.stand_in_views.is_empty()
    }
}

/// What decides a statement's side beyond its own change: facts about the whole plan.
struct Context<'p> {
    /// Tables the plan creates: everything on them is new, nothing old uses it.
    created: HashSet<QualifiedName>,
    /// Objects the plan drops (by kind and name): a create of the same name re-creates it,
    /// after the drop, so both are contract.
    dropped: HashSet<(&'static str, String)>,
    /// Columns renamed by the plan, by their new name: their other changes wait for the
    /// contract side (the dual-write column is added bare).
    renamed: HashSet<(&'p QualifiedName, &'p str)>,
    /// Tables with a column added on the contract side: their new indexes and constraints
    /// may use it.
    contract_columns: HashSet<&'p QualifiedName>,
    /// Unique and primary keys (table, columns) attached on the contract side: a foreign key
    /// referencing one needs it.
    contract_keys: HashSet<(&'p QualifiedName, &'p [String])>,
}

impl<'p> Context<'p> {
    fn of(changes: &'p [Change]) -> Self {
        let mut context = Context {
            created: HashSet::new(),
            dropped: HashSet::new(),
            renamed: HashSet::new(),
            contract_columns: HashSet::new(),
            contract_keys: HashSet::new(),
        };
        for change in changes {
            match change {
                Change::Table(TableChange::Create { table }) => {
                    context.created.insert(table.qualified_name());
                }
                Change::Column(ColumnChange::Rename { table, to, .. }) => {
                    context.renamed.insert((table, to.as_str()));
                }
                _ => {}
            }
            if let Some(key) = dropped_object(change) {
                context.dropped.insert(key);
            }
        }
        for change in changes {
            match change {
                Change::Column(ColumnChange::Add { table, column })
                    if !context.created.contains(table) && !adds_safely(column) =>
                {
                    context.contract_columns.insert(table);
                }
                Change::Constraint(ConstraintChange::AddUnique { table, unique })
                    if !context.created.contains(table) =>
                {
                    context.contract_keys.insert((table, &unique.columns));
                }
                Change::Constraint(ConstraintChange::AddPrimaryKey { table, primary_key })
                    if !context.created.contains(table) =>
                {
                    context.contract_keys.insert((table, &primary_key.columns));
                }
                _ => {}
            }
        }
        context
    }
}

/// A column the old version can live with: it may leave it out of its inserts.
fn adds_safely(column: &autogen_schema::Column) -> bool {
    !column.not_null
        || column.default.is_some()
        || column.identity.is_some()
        || column.generated.is_some()
}

/// The object a change drops, by kind and name.
fn dropped_object(change: &Change) -> Option<(&'static str, String)> {
    Some(match change {
        Change::Index(IndexChange::Drop { table, name }) => {
            ("index", format!("{}.{name}", table.schema))
        }
        Change::Constraint(
            ConstraintChange::Drop { table, name, .. }
            | ConstraintChange::DropForeignKey { table, name },
        ) => ("constraint", format!("{table}.{name}")),
        Change::View(ViewChange::Drop { name, .. }) => ("relation", name.to_string()),
        Change::Table(TableChange::Drop { name }) => ("relation", name.to_string()),
        Change::Trigger(TriggerChange::Drop { table, name }) => {
            ("trigger", format!("{table}.{name}"))
        }
        Change::Policy(PolicyChange::Drop { table, name }) => ("policy", format!("{table}.{name}")),
        Change::Routine(RoutineChange::Drop { id, .. }) => {
            ("routine", format!("{}.{}", id.schema, id.name))
        }
        Change::Sequence(SequenceChange::Drop { name, .. }) => ("relation", name.to_string()),
        _ => return None,
    })
}

/// The object a change creates, by the same keys as [`dropped_object`].
fn created_object(change: &Change) -> Option<(&'static str, String)> {
    Some(match change {
        Change::Index(IndexChange::Create { table, index }) => {
            ("index", format!("{}.{}", table.schema, index.name))
        }
        Change::Constraint(ConstraintChange::AddCheck { table, check }) => {
            ("constraint", format!("{table}.{}", check.name))
        }
        Change::Constraint(ConstraintChange::AddForeignKey { table, foreign_key }) => {
            ("constraint", format!("{table}.{}", foreign_key.name))
        }
        Change::Constraint(ConstraintChange::AddUnique { table, unique }) => {
            ("constraint", format!("{table}.{}", unique.name))
        }
        Change::Constraint(ConstraintChange::AddPrimaryKey { table, primary_key }) => {
            ("constraint", format!("{table}.{}", primary_key.name))
        }
        Change::Constraint(ConstraintChange::AddExclusion { table, exclusion }) => {
            ("constraint", format!("{table}.{}", exclusion.name))
        }
        Change::View(ViewChange::Create { view }) => (
            "relation",
            QualifiedName::new(&view.schema, &view.name).to_string(),
        ),
        Change::Table(TableChange::Create { table }) => (
            "relation",
            QualifiedName::new(&table.schema, &table.name).to_string(),
        ),
        Change::Trigger(TriggerChange::Create { trigger }) => {
            ("trigger", format!("{}.{}", trigger.table, trigger.name))
        }
        Change::Policy(PolicyChange::Create { policy }) => {
            ("policy", format!("{}.{}", policy.table, policy.name))
        }
        Change::Routine(RoutineChange::Create { function, .. }) => {
            ("routine", format!("{}.{}", function.schema, function.name))
        }
        Change::Sequence(SequenceChange::Create { sequence }) => (
            "relation",
            QualifiedName::new(&sequence.schema, &sequence.name).to_string(),
        ),
        _ => return None,
    })
}

/// The side of one statement of an online plan, by the change it comes from and its step.
fn phase_in(change: &Change, step: Step, context: &Context) -> DeployPhase {
    use DeployPhase::{Contract, Expand};
    let expand_if = |condition: bool| if condition { Expand } else { Contract };
    if created_object(change).is_some_and(|key| context.dropped.contains(&key)) {
        return Contract;
    }
    let on_created = |table: &QualifiedName| context.created.contains(table);
    match change {
        Change::Schema(SchemaChange::Create { .. })
        | Change::Extension(ExtensionChange::Create { .. })
        | Change::Enum(EnumChange::Create { .. } | EnumChange::AddValue { .. })
        | Change::Sequence(SequenceChange::Create { .. })
        | Change::Table(TableChange::Create { .. })
        | Change::View(ViewChange::Create { .. } | ViewChange::CreateIndex { .. })
        | Change::Routine(RoutineChange::Create { .. })
        | Change::Privilege(PrivilegeChange::Grant { .. }) => Expand,
        Change::Domain(DomainChange::Create { .. })
        | Change::Composite(CompositeChange::Create { .. })
        | Change::Range(RangeChange::Create { .. })
        | Change::Collation(CollationChange::Create { .. })
        | Change::TextSearch(
            TextSearchChange::CreateDictionary { .. }
            | TextSearchChange::CreateConfiguration { .. }
            // A new configuration's mappings go with it (an index of the expand side may use
            // it); a mapping for a token type nothing matched before is as harmless.
            | TextSearchChange::AddMapping { .. },
        ) => Expand,
        Change::Sequence(SequenceChange::SetOwner { owner: Some(_), .. }) => Expand,
        Change::Column(column) => column_phase(column, context),
        Change::Index(IndexChange::Create { table, .. }) => {
            expand_if(on_created(table) || !context.contract_columns.contains(table))
        }
        Change::Constraint(
            ConstraintChange::AddCheck { table, .. }
            | ConstraintChange::AddForeignKey { table, .. },
        ) if on_created(table) => Expand,
        Change::Constraint(ConstraintChange::AddForeignKey { table, foreign_key }) => {
            let referenced = &foreign_key.references;
            expand_if(
                step == Step::AddNotValid
                    && !context.contract_columns.contains(table)
                    && !context
                        .contract_keys
                        .contains(&(referenced, foreign_key.referenced_columns.as_slice())),
            )
        }
        Change::Constraint(ConstraintChange::AddCheck { table, .. }) => {
            expand_if(step == Step::AddNotValid && !context.contract_columns.contains(table))
        }
        Change::Constraint(
            ConstraintChange::AddUnique { table, .. }
            | ConstraintChange::AddPrimaryKey { table, .. },
        ) => expand_if(
            on_created(table)
                || (step == Step::BuildIndex && !context.contract_columns.contains(table)),
        ),
        Change::Constraint(ConstraintChange::AddExclusion { table, .. }) => {
            expand_if(on_created(table))
        }
        Change::Trigger(TriggerChange::Create { trigger }) => expand_if(on_created(&trigger.table)),
        Change::Policy(PolicyChange::Create { policy }) => expand_if(on_created(&policy.table)),
        // Comments may name what the contract side creates; they harm nobody late.
        Change::Comment(CommentChange::Set { .. }) => Contract,
        _ => Contract,
    }
}

fn column_phase(change: &ColumnChange, context: &Context) -> DeployPhase {
    use DeployPhase::{Contract, Expand};
    let renamed = |table: &QualifiedName, column: &str| context.renamed.contains(&(table, column));
    match change {
        ColumnChange::Add { table, column } => {
            if context.created.contains(table) || adds_safely(column) {
                Expand
            } else {
                Contract
            }
        }
        ColumnChange::SetDefault { table, column, .. }
        | ColumnChange::DropNotNull { table, column }
        | ColumnChange::Backfill { table, column, .. }
            if !renamed(table, column) =>
        {
            Expand
        }
        _ => Contract,
    }
}

/// The side of `statement`, one of `plan`'s (a session setting says expand: it goes with
/// whichever side has statements).
pub fn deploy_phase(plan: &Plan, statement: &PlannedStatement) -> DeployPhase {
    let context = Context::of(&plan.changes);
    match plan.change_of(statement) {
        Some(change) => phase_in(change, statement.step, &context),
        None => DeployPhase::Expand,
    }
}

/// Splits an online `plan` from `current` (see the module documentation).
pub fn split_expand_contract(plan: &Plan, current: &Catalog) -> ExpandContract {
    let context = Context::of(&plan.changes);
    let original = |table: &QualifiedName| -> QualifiedName {
        plan.changes
            .iter()
            .find_map(|change| match change {
                Change::Table(TableChange::Rename { from, to })
                    if from.schema == table.schema && *to == table.name =>
                {
                    Some(from.clone())
                }
                _ => None,
            })
            .unwrap_or_else(|| table.clone())
    };
    let column_of = |table: &QualifiedName, column: &str| {
        let table = original(table);
        current
            .table(&table.schema, &table.name)
            .and_then(|table| table.columns.iter().find(|c| c.name == column))
    };
    let mut expand = Vec::new();
    let mut deferred = Vec::new();
    let mut settings_head = Vec::new();
    let mut settings_tail = Vec::new();
    let mut seen_change = false;
    let mut renames_done: HashSet<usize> = HashSet::new();
    let mut dual_writes = Vec::new();
    let mut stand_in_views = Vec::new();
    for statement in &plan.statements {
        let StatementSource::Change(index) = statement.source else {
            if seen_change {
                settings_tail.push(statement.clone());
            } else {
                settings_head.push(statement.clone());
            }
            continue;
        };
        seen_change = true;
        let Some(change) = plan.changes.get(index) else {
            deferred.push(statement.clone());
            continue;
        };
        if let Change::Column(ColumnChange::Rename { table, from, to }) = change
            && let Some(old) = column_of(table, from)
            && let Some(statements) = crate::dual_write::expand_rename(table, old, to, index)
        {
            if renames_done.insert(index) {
                expand.extend(statements);
                dual_writes.push(crate::DualWrite {
                    table: table.clone(),
                    old: from.clone(),
                    new: to.clone(),
                });
            }
            deferred.push(statement.clone());
            continue;
        }
        if let Change::Table(TableChange::Rename { from, to }) = change {
            expand.push(statement.clone());
            expand.push(crate::renamed_table::stand_in_view(from, to, index));
            stand_in_views.push(from.clone());
            continue;
        }
        match phase_in(change, statement.step, &context) {
            DeployPhase::Expand => expand.push(statement.clone()),
            DeployPhase::Contract => {
                if let Change::Column(ColumnChange::Drop { table, column }) = change
                    && let Some(old) = column_of(table, column)
                    && old.not_null
                    && old.default.is_none()
                    && old.identity.is_none()
                    && old.generated.is_none()
                {
                    expand.push(release_not_null(table, column, index));
                }
                deferred.push(statement.clone());
            }
        }
    }
    let has_own = !expand.is_empty();
    let mut statements = Vec::new();
    if has_own {
        statements.extend(settings_head);
        statements.extend(expand);
        statements.extend(settings_tail);
    }
    ExpandContract {
        expand: Plan {
            changes: plan.changes.clone(),
            statements,
        },
        deferred,
        dual_writes,
        stand_in_views,
    }
}

/// `DROP NOT NULL` on a column the contract side drops: the new version no longer writes it.
fn release_not_null(table: &QualifiedName, column: &str, source: usize) -> PlannedStatement {
    PlannedStatement {
        sql: format!(
            "ALTER TABLE {} ALTER COLUMN {} DROP NOT NULL;",
            table.quoted(),
            quote_ident(column)
        ),
        hazards: vec![crate::Hazard::AccessExclusiveLock],
        change: format!(
            "drop not null on column {table}.{column} (the new version no longer writes it; dropped on the contract side)"
        ),
        transaction: crate::Transaction::Any,
        batched: false,
        source: StatementSource::Change(source),
        step: Step::Whole,
    }
}
