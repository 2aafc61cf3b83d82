//! Tables: created, dropped, renamed, made (un)logged; the comparison of kept tables walks their
//! columns, constraints and indexes, and rebuilds what a change elsewhere forces.

use crate::change::{Change, Phase};
use crate::family::*;
use crate::mentions::{ColumnName, TypeName};
use crate::pairs::{TablePair, paired_tables};
use crate::{DiffError, Hazard};
use autogen_schema::{
    Catalog, CheckConstraint, Column, ExclusionConstraint, ForeignKey, Index, IndexTarget,
    PrimaryKey, QualifiedName, Table, UniqueConstraint, quote_ident, sql,
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
}

impl TableChange {
    pub(crate) fn phase(&self) -> Phase {
        match self {
            TableChange::Rename { .. } => Phase::RenameTable,
            TableChange::Drop { .. } => Phase::DropTable,
            TableChange::Create { .. } | TableChange::SetUnlogged { .. } => Phase::CreateTable,
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
        }
    }

    pub(crate) fn render(&self) -> (String, Vec<Hazard>) {
        use Hazard::*;
        let lock = vec![AccessExclusiveLock];
        match self {
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
        }
    }
}

pub(crate) fn diff_tables(
    current: &Catalog,
    desired: &Catalog,
    recreated: &[TypeName],
    changes: &mut Vec<Change>,
) -> Result<(), DiffError> {
    let pairs = paired_tables(&current.tables, &desired.tables);
    let mut rebuilt = Rebuilt::default();
    // Most tables are unchanged: one comparison instead of a walk through every part.
    let identical: Vec<bool> = pairs
        .iter()
        .map(|pair| matches!(pair, (Some(old), Some(new)) if old == new))
        .collect();
    for (pair, &identical) in pairs.iter().zip(&identical) {
        match *pair {
            (None, Some(table)) => create_table(table, changes),
            (Some(_), Some(_)) if identical && recreated.is_empty() => {}
            (Some(old), Some(table)) => compare_table(old, table, recreated, changes, &mut rebuilt),
            _ => {}
        }
    }
    for pair in &pairs {
        if let (Some(table), None) = pair {
            changes.push(Change::Table(TableChange::Drop {
                name: table.qualified_name(),
            }));
        }
    }

    // Foreign keys last: drops of every current table, adds of every desired table.
    let unchanged = |&(_, &identical): &(&TablePair, &bool)| identical && rebuilt.is_empty();
    let candidates = || {
        pairs
            .iter()
            .zip(&identical)
            .filter(|entry| !unchanged(entry))
            .map(|(pair, _)| pair)
    };
    for pair in candidates() {
        let Some(table) = pair.0 else { continue };
        let name = table.qualified_name();
        for op in diff_items(&table.foreign_keys, foreign_keys(pair.1), |fk| {
            rebuilt.forces(&name, fk)
        }) {
            if let Op::Drop(fk) = op {
                changes.push(Change::Constraint(ConstraintChange::DropForeignKey {
                    table: name.clone(),
                    name: fk.name.clone(),
                }));
            }
        }
    }
    for pair in candidates() {
        let Some(table) = pair.1 else { continue };
        let name = table.qualified_name();
        for op in diff_items(foreign_keys(pair.0), &table.foreign_keys, |fk| {
            rebuilt.forces(&name, fk)
        }) {
            match op {
                Op::Drop(_) => {}
                Op::Add(fk) => {
                    changes.push(Change::Constraint(ConstraintChange::AddForeignKey {
                        table: name.clone(),
                        foreign_key: fk.clone(),
                    }));
                    if fk.comment.is_some() {
                        changes.push(constraint_comment(&name, &fk.name, &fk.comment));
                    }
                }
                Op::Comment(fk) => changes.push(constraint_comment(&name, &fk.name, &fk.comment)),
            }
        }
    }
    Ok(())
}

/// The foreign keys of a table that may be absent on one side.
pub(crate) fn foreign_keys(table: Option<&Table>) -> &[ForeignKey] {
    table.map_or(&[], |t| t.foreign_keys.as_slice())
}

/// A referenced table and the sorted columns of one of its keys: what a foreign key depends on.
pub(crate) type KeyColumns = (QualifiedName, Vec<String>);

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
    fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.foreign_keys.is_empty() && self.retyped_columns.is_empty()
    }

    /// Whether the foreign key `fk` of `table` must be re-created although unchanged.
    fn forces(&self, table: &QualifiedName, fk: &ForeignKey) -> bool {
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

pub(crate) fn create_table(table: &Table, changes: &mut Vec<Change>) {
    let name = table.qualified_name();
    // Exactly what `sql::create_table` renders; the rest follows as separate changes.
    let mut created = table.clone();
    created.foreign_keys.clear();
    created.indexes.clear();
    created.checks.retain(|check| !check.not_valid);
    created.renamed_from = None;
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
    for index in table.indexes.iter().filter(|i| i.comment.is_some()) {
        changes.push(index_comment(&name, index));
    }
}

pub(crate) fn compare_table(
    old: &Table,
    new: &Table,
    recreated: &[TypeName],
    changes: &mut Vec<Change>,
    rebuilt: &mut Rebuilt,
) {
    let name = new.qualified_name();
    if old.unlogged != new.unlogged {
        changes.push(Change::Table(TableChange::SetUnlogged {
            table: name.clone(),
            unlogged: new.unlogged,
        }));
    }
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
                    column: Column {
                        renamed_from: None,
                        ..column.clone()
                    },
                }));
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
                if compare_column(&name, existing, column, recreated, changes)
                    == ColumnOutcome::Replaced
                {
                    replaced.push(ColumnName::new(&column.name));
                }
            }
        }
    }
    // Constraints and indexes that mention a column dropped and added back, or a re-created
    // type (PostgreSQL re-parses their stored text when a column's type changes, and that text
    // names the old type), are re-created around the change.
    let of_replaced = |test: &dyn Fn(&ColumnName) -> bool| replaced.iter().any(test);
    let of_recreated = |text: &str| recreated.iter().any(|t| t.in_text(text));
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

    let drop_constraint = |constraint_name: &str, constraint: ConstraintKind| {
        Change::Constraint(ConstraintChange::Drop {
            table: name.clone(),
            name: constraint_name.to_string(),
            constraint,
        })
    };
    let old_pk: Vec<PrimaryKey> = old.primary_key.iter().cloned().collect();
    let new_pk: Vec<PrimaryKey> = new.primary_key.iter().cloned().collect();
    // A primary key is one per table: a renamed one is a changed one.
    let pk_changed = match (&old.primary_key, &new.primary_key) {
        (Some(a), Some(b)) => !a.same(b),
        (None, None) => false,
        _ => true,
    };
    let force_pk = |pk: &PrimaryKey| pk_changed || of_replaced(&|c| c.in_primary_key(pk));
    for op in diff_items(&old_pk, &new_pk, force_pk) {
        match op {
            Op::Drop(pk) => {
                rebuilt.keys.insert(key_columns(&name, &pk.columns));
                changes.push(drop_constraint(&pk.name, ConstraintKind::PrimaryKey));
            }
            Op::Add(pk) => {
                changes.push(Change::Constraint(ConstraintChange::AddPrimaryKey {
                    table: name.clone(),
                    primary_key: pk.clone(),
                }));
                if pk.comment.is_some() {
                    changes.push(constraint_comment(&name, &pk.name, &pk.comment));
                }
            }
            Op::Comment(pk) => changes.push(constraint_comment(&name, &pk.name, &pk.comment)),
        }
    }

    let force_unique = |unique: &UniqueConstraint| of_replaced(&|c| c.in_unique(unique));
    for op in diff_items(&old.uniques, &new.uniques, force_unique) {
        match op {
            Op::Drop(unique) => {
                rebuilt.keys.insert(key_columns(&name, &unique.columns));
                changes.push(drop_constraint(&unique.name, ConstraintKind::Unique));
            }
            Op::Add(unique) => {
                changes.push(Change::Constraint(ConstraintChange::AddUnique {
                    table: name.clone(),
                    unique: unique.clone(),
                }));
                if unique.comment.is_some() {
                    changes.push(constraint_comment(&name, &unique.name, &unique.comment));
                }
            }
            Op::Comment(unique) => {
                changes.push(constraint_comment(&name, &unique.name, &unique.comment))
            }
        }
    }
    let force_check = |check: &CheckConstraint| {
        of_replaced(&|c| c.in_check(check)) || of_recreated(&check.expression)
    };
    for op in diff_items(&old.checks, &new.checks, force_check) {
        match op {
            Op::Drop(check) => changes.push(drop_constraint(&check.name, ConstraintKind::Check)),
            Op::Add(check) => {
                changes.push(Change::Constraint(ConstraintChange::AddCheck {
                    table: name.clone(),
                    check: check.clone(),
                }));
                if check.comment.is_some() {
                    changes.push(constraint_comment(&name, &check.name, &check.comment));
                }
            }
            Op::Comment(check) => {
                changes.push(constraint_comment(&name, &check.name, &check.comment))
            }
        }
    }
    let force_exclusion = |exclusion: &ExclusionConstraint| {
        of_replaced(&|c| c.in_exclusion(exclusion)) || of_recreated(&exclusion.definition)
    };
    for op in diff_items(&old.exclusions, &new.exclusions, force_exclusion) {
        match op {
            Op::Drop(exclusion) => {
                changes.push(drop_constraint(&exclusion.name, ConstraintKind::Exclusion))
            }
            Op::Add(exclusion) => {
                changes.push(Change::Constraint(ConstraintChange::AddExclusion {
                    table: name.clone(),
                    exclusion: exclusion.clone(),
                }));
                if exclusion.comment.is_some() {
                    changes.push(constraint_comment(
                        &name,
                        &exclusion.name,
                        &exclusion.comment,
                    ));
                }
            }
            Op::Comment(exclusion) => changes.push(constraint_comment(
                &name,
                &exclusion.name,
                &exclusion.comment,
            )),
        }
    }
    let force_index = |index: &Index| {
        of_replaced(&|c| c.in_index(index)) || recreated.iter().any(|t| t.in_index(index))
    };
    for op in diff_items(&old.indexes, &new.indexes, force_index) {
        match op {
            Op::Drop(index) => {
                let columns: Option<Vec<String>> = index
                    .keys
                    .iter()
                    .map(|key| match &key.target {
                        IndexTarget::Column(column) => Some(column.clone()),
                        IndexTarget::Expression(_) => None,
                    })
                    .collect();
                if let (true, None, Some(columns)) = (index.unique, &index.predicate, columns) {
                    rebuilt.keys.insert(key_columns(&name, &columns));
                }
                changes.push(Change::Index(IndexChange::Drop {
                    table: name.clone(),
                    name: index.name.clone(),
                }));
            }
            Op::Add(index) => {
                changes.push(Change::Index(IndexChange::Create {
                    table: name.clone(),
                    index: index.clone(),
                }));
                if index.comment.is_some() {
                    changes.push(index_comment(&name, index));
                }
            }
            Op::Comment(index) => changes.push(index_comment(&name, index)),
        }
    }
}
