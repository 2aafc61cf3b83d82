//! Tables: created, dropped, renamed, made (un)logged; the comparison of kept tables walks their
//! columns, constraints and indexes, and rebuilds what a change elsewhere forces.

use crate::change::{Change, Phase};
use crate::family::privilege::{self, PrivilegeTarget};
use crate::family::*;
use crate::family::{inheritance, partition};
use crate::handover::Handovers;
use crate::mentions::{ColumnName, TypeName};
use crate::pairs::paired_tables;
use crate::{DiffError, Hazard};
use autogen_schema::ObjectRef;
use autogen_schema::{
    Catalog, Column, ForeignKey, QualifiedName, ReplicaIdentity, Table, quote_ident, sql,
};
use serde::Serialize;
use std::collections::HashSet;

// Changes are few and short-lived (one plan's worth): boxing the large variants buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum TableChange {
    /// `CREATE TABLE` with columns, primary key, uniques, valid checks and exclusions;
    /// indexes, foreign keys, NOT VALID checks and comments are separate changes.
    Create {
        table: Table,
    },
    Drop {
        name: QualifiedName,
    },
    Rename {
        from: QualifiedName,
        to: String,
    },
    SetUnlogged {
        table: QualifiedName,
        unlogged: bool,
    },
    /// `ENABLE` / `DISABLE ROW LEVEL SECURITY`.
    SetRowLevelSecurity {
        table: QualifiedName,
        enabled: bool,
    },
    /// `[NO] FORCE ROW LEVEL SECURITY`.
    SetForceRowLevelSecurity {
        table: QualifiedName,
        forced: bool,
    },
    /// `RESET` the parameters `to` lacks, `SET` those it has anew or with another value.
    SetStorageParameters {
        table: QualifiedName,
        from: Vec<String>,
        to: Vec<String>,
    },
    SetReplicaIdentity {
        table: QualifiedName,
        identity: ReplicaIdentity,
    },
    /// `ALTER TABLE parent ATTACH PARTITION table FOR VALUES …` (or `DEFAULT`).
    AttachPartition {
        table: QualifiedName,
        parent: QualifiedName,
        bound: String,
    },
    /// `ALTER TABLE table INHERIT parent`: the table already has the parent's columns and
    /// checks as its own (PostgreSQL requires them, and keeps them the table's own).
    Inherit {
        table: QualifiedName,
        parent: QualifiedName,
    },
    /// `ALTER TABLE table NO INHERIT parent`: what it inherited becomes its own.
    NoInherit {
        table: QualifiedName,
        parent: QualifiedName,
    },
    /// `ALTER TABLE parent DETACH PARTITION table`; online mode makes it `CONCURRENTLY`
    /// unless the parent has a default partition (PostgreSQL refuses it then).
    DetachPartition {
        table: QualifiedName,
        parent: QualifiedName,
        /// The check `DETACH … CONCURRENTLY` adds in place of the bound (online mode drops
        /// it after), or `None` when the concurrent form is refused (a default partition).
        concurrent_check: Option<String>,
    },
}

impl TableChange {
    pub(crate) fn phase(&self) -> Phase {
        match self {
            TableChange::Rename { .. } => Phase::RenameTable,
            TableChange::DetachPartition { .. } | TableChange::NoInherit { .. } => {
                Phase::DetachPartition
            }
            TableChange::AttachPartition { .. } | TableChange::Inherit { .. } => {
                Phase::AttachPartition
            }
            TableChange::Drop { .. } => Phase::DropTable,
            TableChange::Create { .. } | TableChange::SetUnlogged { .. } => Phase::CreateTable,
            TableChange::SetRowLevelSecurity { .. }
            | TableChange::SetForceRowLevelSecurity { .. }
            | TableChange::SetStorageParameters { .. }
            | TableChange::SetReplicaIdentity { .. } => Phase::TableSetting,
        }
    }

    pub(crate) fn summary(&self) -> String {
        match self {
            TableChange::Create { table } => format!("create table {}", table.qualified_name()),
            TableChange::Drop { name } => format!("drop table {name}"),
            TableChange::Rename { from, to } => format!("rename table {from} to {to}"),
            TableChange::SetUnlogged { table, unlogged } => format!(
                "make table {table} {}",
                if *unlogged { "unlogged" } else { "logged" }
            ),
            TableChange::SetRowLevelSecurity { table, enabled } => format!(
                "{} row-level security on {table}",
                if *enabled { "enable" } else { "disable" }
            ),
            TableChange::SetForceRowLevelSecurity { table, forced } => format!(
                "{} row-level security on {table}",
                if *forced { "force" } else { "stop forcing" }
            ),
            TableChange::SetStorageParameters { table, to, .. } => {
                if to.is_empty() {
                    format!("reset the storage parameters of {table}")
                } else {
                    format!("set the storage parameters of {table} to {}", to.join(", "))
                }
            }
            TableChange::SetReplicaIdentity { table, identity } => format!(
                "set the replica identity of {table} to {}",
                identity.sql().to_lowercase()
            ),
            TableChange::AttachPartition { table, parent, .. } => {
                format!("attach {table} as a partition of {parent}")
            }
            TableChange::DetachPartition { table, parent, .. } => {
                format!("detach partition {table} from {parent}")
            }
            TableChange::Inherit { table, parent } => {
                format!("make {table} inherit from {parent}")
            }
            TableChange::NoInherit { table, parent } => {
                format!("stop {table} inheriting from {parent}")
            }
        }
    }

    pub(crate) fn render(&self) -> (String, Vec<Hazard>) {
        use Hazard::*;
        let lock = vec![AccessExclusiveLock];
        match self {
            // A partition takes ACCESS EXCLUSIVE on its parent (and its default partition,
            // which is scanned for rows of the new bound).
            TableChange::Create { table } if table.partition_of.is_some() => {
                (sql::create_table(table), lock)
            }
            TableChange::Create { table } => (sql::create_table(table), vec![]),
            TableChange::Drop { name } => (
                format!("DROP TABLE {};", name.quoted()),
                vec![DataLoss, AccessExclusiveLock],
            ),
            TableChange::Rename { from, to } => (
                alter_table_sql(from, &format!("RENAME TO {}", quote_ident(to))),
                lock,
            ),
            TableChange::SetUnlogged { table, unlogged } => (
                alter_table_sql(
                    table,
                    if *unlogged {
                        "SET UNLOGGED"
                    } else {
                        "SET LOGGED"
                    },
                ),
                vec![TableRewrite, AccessExclusiveLock],
            ),
            // Which rows sessions see changes at once.
            TableChange::SetRowLevelSecurity { table, enabled } => (
                sql::row_level_security(table, *enabled),
                vec![AccessExclusiveLock, BehaviorChange],
            ),
            TableChange::SetForceRowLevelSecurity { table, forced } => (
                sql::force_row_level_security(table, *forced),
                vec![AccessExclusiveLock, BehaviorChange],
            ),
            // fillfactor, autovacuum_* and toast.* take SHARE UPDATE EXCLUSIVE: reads and
            // writes go on, and nothing is rewritten (new values apply to new pages).
            TableChange::SetStorageParameters { table, from, to } => (
                sql::storage_parameter_changes(table, from, to).join("\n"),
                vec![],
            ),
            TableChange::SetReplicaIdentity { table, identity } => {
                (sql::replica_identity(table, identity), lock)
            }
            // SHARE UPDATE EXCLUSIVE on the parent, ACCESS EXCLUSIVE on the table attached (and
            // on a default partition), which is scanned to prove its rows fit the bound unless a
            // valid CHECK constraint already proves it; a row outside the bound fails it.
            TableChange::AttachPartition {
                table,
                parent,
                bound,
            } => (
                alter_table_sql(
                    parent,
                    &format!("ATTACH PARTITION {} {bound}", table.quoted()),
                ),
                vec![AccessExclusiveLock, MayFailOnExistingRows, LongRunning],
            ),
            // ACCESS EXCLUSIVE on the parent and the partition; the partition's rows leave the
            // parent's queries.
            TableChange::DetachPartition { table, parent, .. } => (
                sql::detach_partition(parent, table, false),
                vec![AccessExclusiveLock, BehaviorChange],
            ),
            // ACCESS EXCLUSIVE on the child; the parent's queries gain (or lose) its rows.
            TableChange::Inherit { table, parent } => (
                alter_table_sql(table, &format!("INHERIT {}", parent.quoted())),
                vec![AccessExclusiveLock, BehaviorChange],
            ),
            TableChange::NoInherit { table, parent } => (
                alter_table_sql(table, &format!("NO INHERIT {}", parent.quoted())),
                vec![AccessExclusiveLock, BehaviorChange],
            ),
        }
    }
}

/// What the comparison of kept tables needs beyond the two tables.
pub(crate) struct TableContext<'a> {
    /// Enum types re-created by this plan.
    pub(crate) recreated: &'a [TypeName],
    pub(crate) handovers: &'a Handovers,
    /// Defaults, constraints and indexes that use a function or type this plan drops or
    /// re-creates (`objects::prepare`): re-created around it although unchanged.
    pub(crate) forced_parts: &'a HashSet<ObjectRef>,
    /// The enum types of both catalogs as columns spell them (`public.mood`): a column moved
    /// from one enum type to another converts through text (there is no cast between them).
    pub(crate) enum_types: HashSet<String>,
    /// The default storage of the desired catalog's column types (`SET STORAGE` back to it).
    pub(crate) type_storage: crate::type_storage::TypeStorage,
    /// The desired catalog's tables: the partitions and children a column setting reaches.
    pub(crate) desired_tables: &'a [Table],
}

impl TableContext<'_> {
    /// Whether `table` has a part the plan re-creates around a function or type.
    fn has_forced_part(&self, table: &Table) -> bool {
        let name = table.qualified_name();
        self.forced_parts.iter().any(|part| match part {
            ObjectRef::Index(index) => {
                index.schema == table.schema && table.indexes.iter().any(|i| i.name == index.name)
            }
            other => other.relation() == Some(&name),
        })
    }
}

pub(crate) fn diff_tables(
    current: &Catalog,
    desired: &Catalog,
    context: &TableContext,
    changes: &mut Vec<Change>,
) -> Result<(), DiffError> {
    let recreated = context.recreated;
    let mut pairs = paired_tables(&current.tables, &desired.tables);
    // Tables attached, detached or re-bound are compared as PostgreSQL makes them around
    // the `ATTACH` / `DETACH` (see `partition`), foreign keys included.
    let mut moved: Vec<(usize, Table, Table)> = Vec::new();
    for (position, pair) in pairs.iter().enumerate() {
        if let (Some(old), Some(new)) = *pair {
            refuse_repartitioning(old, new)?;
            if old.partition_of != new.partition_of || old.inherits != new.inherits {
                let (before, after) = moved_partition(old, new, current, desired, changes)?;
                let (before, after) =
                    inheritance::reparented(before, after, old, new, current, desired, changes)?;
                moved.push((position, before, after));
            }
        }
    }
    for (position, before, after) in &moved {
        pairs[*position] = (Some(before), Some(after));
    }
    let mut rebuilt = Rebuilt::default();
    // Most tables are unchanged: one comparison instead of a walk through every part.
    let identical: Vec<bool> = pairs
        .iter()
        .map(|pair| matches!(pair, (Some(old), Some(new)) if old == new))
        .collect();
    let mut created: Vec<&Table> = Vec::new();
    for (pair, &identical) in pairs.iter().zip(&identical) {
        match *pair {
            (None, Some(table)) => created.push(table),
            (Some(old), Some(_))
                if identical && recreated.is_empty() && !context.has_forced_part(old) => {}
            (Some(old), Some(table)) => compare_table(old, table, context, changes, &mut rebuilt),
            _ => {}
        }
    }
    // Parents before their partitions, partitions dropped before their parents (dropping a
    // parent drops its partitions with it).
    created.sort_by_key(|table| table.partition_depth(&desired.tables));
    for table in created {
        create_table(table, &desired.tables, changes);
    }
    let mut dropped: Vec<&Table> = pairs
        .iter()
        .filter_map(|pair| match pair {
            (Some(table), None) => Some(*table),
            _ => None,
        })
        .collect();
    dropped.sort_by_key(|table| std::cmp::Reverse(table.partition_depth(&current.tables)));
    for table in dropped {
        changes.push(Change::Table(TableChange::Drop {
            name: table.qualified_name(),
        }));
    }

    compare_foreign_keys(&pairs, &identical, &rebuilt, changes);
    for (_, before, after) in &moved {
        let name = after.qualified_name();
        for parent in after
            .inherits
            .iter()
            .filter(|p| !before.inherits.contains(p))
        {
            changes.push(Change::Table(TableChange::Inherit {
                table: name.clone(),
                parent: parent.clone(),
            }));
        }
        if let Some(of) = desired
            .tables
            .iter()
            .find(|table| table.schema == name.schema && table.name == name.name)
            .and_then(|table| table.partition_of.as_ref())
        {
            changes.push(Change::Table(TableChange::AttachPartition {
                table: name,
                parent: of.parent.clone(),
                bound: of.bound.clone(),
            }));
        }
    }
    Ok(())
}

/// A table attached, detached or re-bound: the `DETACH` change when it was a partition, and
/// the table as it stands after the detach (or as it is) and as it must stand before the
/// attach (or as it is desired); the `ATTACH` is added after the comparison.
fn moved_partition(
    old: &Table,
    new: &Table,
    current: &Catalog,
    desired: &Catalog,
    changes: &mut Vec<Change>,
) -> Result<(Table, Table), DiffError> {
    let name = new.qualified_name();
    let parent_of = |catalog: &Catalog, of: &autogen_schema::PartitionOf| {
        partition::find(catalog, &of.parent)
            .cloned()
            .ok_or_else(|| DiffError::Unsupported {
                what: format!(
                    "table {name} is a partition of {}, which is not in the catalog",
                    of.parent
                ),
            })
    };
    let before = match &old.partition_of {
        Some(of) => {
            let parent = parent_of(current, of)?;
            let detached = partition::detached(old, &parent);
            changes.push(Change::Table(TableChange::DetachPartition {
                table: name.clone(),
                parent: of.parent.clone(),
                concurrent_check: (!partition::has_default_partition(current, &of.parent))
                    .then(|| partition::concurrent_detach_check(old, &parent, current)),
            }));
            detached
        }
        None => old.clone(),
    };
    let after = match &new.partition_of {
        Some(of) => partition::before_attach(new, &parent_of(desired, of)?, &before),
        None => new.clone(),
    };
    Ok((before, after))
}

/// A table becoming partitioned (or no longer): PostgreSQL cannot turn a table into a
/// partitioned one in place.
fn refuse_repartitioning(old: &Table, new: &Table) -> Result<(), DiffError> {
    let name = new.qualified_name();
    if old.partition_by != new.partition_by {
        let what = match (&old.partition_by, &new.partition_by) {
            (None, Some(key)) => format!("becomes partitioned (PARTITION BY {key})"),
            (Some(_), None) => "stops being partitioned".to_string(),
            _ => "changes its partition key".to_string(),
        };
        return Err(DiffError::Unsupported {
            what: format!(
                "table {name} {what}: PostgreSQL cannot convert a table in place; write it by hand \
                 (`autogen revision --empty`): create the new table beside it, move the rows, \
                 drop the old one and rename the new one"
            ),
        });
    }
    Ok(())
}

/// A referenced table and the sorted columns of one of its keys: what a foreign key depends on.
pub(crate) type KeyColumns = (QualifiedName, Vec<String>);

/// Constraints and indexes that mention a column dropped and added back, or a re-created type
/// (PostgreSQL re-parses their stored text when a column's type changes, and that text names
/// the old type), are re-created around the change although their definition is unchanged.
pub(crate) struct Forced<'a> {
    /// Columns of this table dropped and added back.
    pub(crate) replaced: &'a [ColumnName<'a>],
    /// Enum types re-created by this plan.
    pub(crate) recreated: &'a [TypeName],
    /// This table, and the parts that use a function or type the plan drops or re-creates.
    pub(crate) table: &'a QualifiedName,
    pub(crate) parts: &'a HashSet<ObjectRef>,
}

impl Forced<'_> {
    /// Whether the constraint `name` of this table uses a function or type the plan drops or
    /// re-creates.
    pub(crate) fn constraint(&self, name: &str) -> bool {
        !self.parts.is_empty()
            && self.parts.contains(&ObjectRef::Constraint {
                table: self.table.clone(),
                name: name.to_string(),
            })
    }

    /// The same for the index `name` of this table.
    pub(crate) fn index(&self, name: &str) -> bool {
        !self.parts.is_empty()
            && self.parts.contains(&ObjectRef::Index(QualifiedName::new(
                &self.table.schema,
                name,
            )))
    }

    pub(crate) fn column(&self, test: impl Fn(&ColumnName) -> bool) -> bool {
        self.replaced.iter().any(test)
    }

    pub(crate) fn type_in(&self, text: &str) -> bool {
        self.recreated.iter().any(|t| t.in_text(text))
    }
}

/// What kept tables re-create although its definition is unchanged, so foreign keys (handled
/// after all tables) follow.
#[derive(Default)]
pub(crate) struct Rebuilt {
    /// Primary keys, unique constraints and unique indexes re-created: foreign keys
    /// referencing them must be dropped first and re-added after.
    keys: HashSet<KeyColumns>,
    /// Foreign keys (table, name) on a column that is re-created or converted.
    foreign_keys: HashSet<(QualifiedName, String)>,
    /// Columns (table, column) whose type changes: PostgreSQL re-checks a foreign key after
    /// each `ALTER COLUMN … TYPE`, and fails while only one side has changed, so every foreign
    /// key from or to such a column is dropped before and added back after.
    /// Within the integer types or within the string types a key stays comparable all along
    /// (one btree operator family), so those changes are not recorded.
    retyped_columns: HashSet<(QualifiedName, String)>,
}

/// Whether a kept column's type change breaks its foreign keys while only one side has changed:
/// a type leaving its btree family, or a conversion to a re-created enum type.
pub(crate) fn retypes_foreign_keys(old: &Column, new: &Column, recreated: &[TypeName]) -> bool {
    let family = crate::casts::comparable_family(&old.data_type);
    (old.data_type != new.data_type
        && (family.is_none() || family != crate::casts::comparable_family(&new.data_type)))
        || recreated.iter().any(|t| t.is_type_of(&new.data_type))
}

impl Rebuilt {
    /// A primary key, unique constraint or unique index over `columns` of `table` is dropped
    /// and created again: foreign keys referencing it must follow.
    pub(crate) fn rebuild_key(&mut self, table: &QualifiedName, columns: &[String]) {
        self.keys.insert(key_columns(table, columns));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.foreign_keys.is_empty() && self.retyped_columns.is_empty()
    }

    /// Whether the foreign key `fk` of `table` must be re-created although unchanged.
    pub(crate) fn forces(&self, table: &QualifiedName, fk: &ForeignKey) -> bool {
        self.keys
            .contains(&key_columns(&fk.references, &fk.referenced_columns))
            || self
                .foreign_keys
                .contains(&(table.clone(), fk.name.clone()))
            || (!self.retyped_columns.is_empty() && self.retypes(table, fk))
    }

    /// Whether a column on either side of `fk` changes type.
    fn retypes(&self, table: &QualifiedName, fk: &ForeignKey) -> bool {
        let changed = |table: &QualifiedName, column: &String| {
            self.retyped_columns
                .contains(&(table.clone(), column.clone()))
        };
        fk.columns.iter().any(|column| changed(table, column))
            || fk
                .referenced_columns
                .iter()
                .any(|column| changed(&fk.references, column))
    }
}

pub(crate) fn key_columns(table: &QualifiedName, columns: &[String]) -> KeyColumns {
    let mut columns = columns.to_vec();
    columns.sort();
    (table.clone(), columns)
}

pub(crate) fn create_table(table: &Table, tables: &[Table], changes: &mut Vec<Change>) {
    let name = table.qualified_name();
    // Exactly what `sql::create_table` renders; the rest follows as separate changes.
    let mut created = table.clone();
    created.foreign_keys.clear();
    created.indexes.clear();
    created.checks.retain(|check| !check.not_valid);
    changes.push(Change::Table(TableChange::Create { table: created }));
    for check in table.checks.iter().filter(|check| check.not_valid) {
        changes.push(Change::Constraint(ConstraintChange::AddCheck {
            table: name.clone(),
            check: check.clone(),
        }));
    }
    for index in &table.indexes {
        changes.push(Change::Index(IndexChange::Create {
            table: name.clone(),
            index: index.clone(),
        }));
    }
    // Storage parameters are part of `CREATE TABLE`; the rest follows it.
    let bare = Table {
        row_level_security: false,
        force_row_level_security: false,
        replica_identity: ReplicaIdentity::Default,
        ..table.clone()
    };
    changes.extend(settings(&bare, table));
    for column in &table.columns {
        changes.extend(new_column_settings(&name, column, tables));
    }
    changes.extend(privilege::changes(
        &PrivilegeTarget::Table { name: name.clone() },
        (&[], &[]),
        (&table.grants, &[]),
    ));
    if table.comment.is_some() {
        changes.push(comment_change(
            CommentTarget::Table { name: name.clone() },
            &table.comment,
        ));
    }
    for column in table.columns.iter().filter(|c| c.comment.is_some()) {
        changes.push(comment_change(
            CommentTarget::Column {
                table: name.clone(),
                column: column.name.clone(),
            },
            &column.comment,
        ));
    }
    let constraints = table
        .primary_key
        .iter()
        .map(|c| (&c.name, &c.comment))
        .chain(table.uniques.iter().map(|c| (&c.name, &c.comment)))
        .chain(table.checks.iter().map(|c| (&c.name, &c.comment)))
        .chain(table.exclusions.iter().map(|c| (&c.name, &c.comment)));
    for (constraint, comment) in constraints.filter(|(_, comment)| comment.is_some()) {
        changes.push(constraint_comment(&name, constraint, comment));
    }
    // Comments on the constraints' own indexes.
    let constraint_indexes = table
        .primary_key
        .iter()
        .map(|c| (&c.name, &c.index_comment))
        .chain(table.uniques.iter().map(|c| (&c.name, &c.index_comment)))
        .chain(table.exclusions.iter().map(|c| (&c.name, &c.index_comment)));
    for (index, comment) in constraint_indexes.filter(|(_, comment)| comment.is_some()) {
        changes.push(comment_change(
            CommentTarget::Index {
                name: QualifiedName::new(&table.schema, index),
            },
            comment,
        ));
    }
    for index in table.indexes.iter().filter(|i| i.comment.is_some()) {
        changes.push(index_comment(&name, index));
    }
}

pub(crate) fn compare_table(
    old: &Table,
    new: &Table,
    context: &TableContext,
    changes: &mut Vec<Change>,
    rebuilt: &mut Rebuilt,
) {
    let recreated = context.recreated;
    let name = new.qualified_name();
    if old.unlogged != new.unlogged {
        changes.push(Change::Table(TableChange::SetUnlogged {
            table: name.clone(),
            unlogged: new.unlogged,
        }));
    }
    changes.extend(settings(old, new));
    if old.comment != new.comment {
        changes.push(comment_change(
            CommentTarget::Table { name: name.clone() },
            &new.comment,
        ));
    }

    let mut replaced: Vec<ColumnName> = Vec::new();
    for column in &new.columns {
        match old.column(&column.name) {
            None => {
                changes.push(Change::Column(ColumnChange::Add {
                    table: name.clone(),
                    column: column.clone(),
                }));
                changes.extend(new_column_settings(&name, column, context.desired_tables));
                if column.comment.is_some() {
                    changes.push(comment_change(
                        CommentTarget::Column {
                            table: name.clone(),
                            column: column.name.clone(),
                        },
                        &column.comment,
                    ));
                }
            }
            Some(existing) => {
                if retypes_foreign_keys(existing, column, recreated) {
                    rebuilt
                        .retyped_columns
                        .insert((name.clone(), column.name.clone()));
                }
                if compare_column(&name, existing, column, context, changes)
                    == ColumnOutcome::Replaced
                {
                    replaced.push(ColumnName::new(&column.name));
                }
            }
        }
    }
    // (Foreign keys over a converted column follow `rebuilt.retyped_columns`.)
    for fk in &new.foreign_keys {
        if replaced.iter().any(|c| c.in_foreign_key(fk)) {
            rebuilt.foreign_keys.insert((name.clone(), fk.name.clone()));
        }
    }
    for column in &old.columns {
        if new.column(&column.name).is_none() {
            changes.push(Change::Column(ColumnChange::Drop {
                table: name.clone(),
                column: column.name.clone(),
            }));
        }
    }

    // Privileges: a column dropped (or dropped and added back) took its own with it.
    let gone: HashSet<&str> = old
        .columns
        .iter()
        .map(|column| column.name.as_str())
        .filter(|column| new.column(column).is_none() || replaced.iter().any(|r| r.is(column)))
        .collect();
    let kept_grants: Vec<autogen_schema::Grant> = old
        .grants
        .iter()
        .filter(|grant| grant.column.as_deref().is_none_or(|c| !gone.contains(c)))
        .cloned()
        .collect();
    changes.extend(privilege::changes(
        &PrivilegeTarget::Table { name: name.clone() },
        (&kept_grants, &[]),
        (&new.grants, &[]),
    ));

    let forced = Forced {
        replaced: &replaced,
        recreated,
        table: &name,
        parts: context.forced_parts,
    };
    let before = changes.len();
    compare_constraints(&name, old, new, &forced, changes, rebuilt);
    compare_indexes(&name, old, new, &forced, changes, rebuilt);
    // An index dropped and created again is no longer the replica identity: set it again.
    if let ReplicaIdentity::Index(index) = &new.replica_identity
        && old.replica_identity == new.replica_identity
        && changes[before..]
            .iter()
            .any(|change| drops_index(change, index))
    {
        changes.push(Change::Table(TableChange::SetReplicaIdentity {
            table: name.clone(),
            identity: new.replica_identity.clone(),
        }));
    }
}

/// Whether `change` drops the index `index` (or the constraint it belongs to).
fn drops_index(change: &Change, index: &str) -> bool {
    matches!(
        change,
        Change::Index(IndexChange::Drop { name, .. })
            | Change::Constraint(ConstraintChange::Drop { name, .. }) if name == index
    )
}

/// The changes of a table's settings from `old`'s to `new`'s: row-level security, storage
/// parameters, replica identity.
fn settings(old: &Table, new: &Table) -> Vec<Change> {
    let table = new.qualified_name();
    let mut changes = Vec::new();
    if old.row_level_security != new.row_level_security {
        changes.push(Change::Table(TableChange::SetRowLevelSecurity {
            table: table.clone(),
            enabled: new.row_level_security,
        }));
    }
    if old.force_row_level_security != new.force_row_level_security {
        changes.push(Change::Table(TableChange::SetForceRowLevelSecurity {
            table: table.clone(),
            forced: new.force_row_level_security,
        }));
    }
    if old.storage_parameters != new.storage_parameters {
        changes.push(Change::Table(TableChange::SetStorageParameters {
            table: table.clone(),
            from: old.storage_parameters.clone(),
            to: new.storage_parameters.clone(),
        }));
    }
    if old.replica_identity != new.replica_identity {
        changes.push(Change::Table(TableChange::SetReplicaIdentity {
            table,
            identity: new.replica_identity.clone(),
        }));
    }
    changes
}
