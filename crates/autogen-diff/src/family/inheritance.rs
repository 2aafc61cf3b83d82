//! Inheritance children (`INHERITS`) that gain or lose a parent.
//!
//! The catalog lists an inheritance child with its own columns and checks only. `NO INHERIT`
//! makes what it inherited its own ([`no_longer_inheriting`]); `INHERIT` needs the table to
//! have the parent's columns and checks already, and PostgreSQL keeps them its own, so the
//! desired table must list them (else no plan can reach it).

use crate::DiffError;
use crate::change::{Change, TableChange};
use crate::family::partition;
use autogen_schema::{Catalog, CheckConstraint, Column, Table};

/// The tables to compare for a table whose parents change (`before`, `after`: as the
/// partition comparison left them), with the `NO INHERIT` changes pushed; the `INHERIT`s are
/// added after the comparison (the parents `after` has and `before` has not).
pub(crate) fn reparented(
    mut before: Table,
    after: Table,
    old: &Table,
    new: &Table,
    current: &Catalog,
    desired: &Catalog,
    changes: &mut Vec<Change>,
) -> Result<(Table, Table), DiffError> {
    if old.inherits == new.inherits {
        return Ok((before, after));
    }
    let name = new.qualified_name();
    let kept = |parents: &[autogen_schema::QualifiedName],
                others: &[autogen_schema::QualifiedName]| {
        parents
            .iter()
            .filter(|p| others.contains(p))
            .cloned()
            .collect::<Vec<_>>()
    };
    if kept(&old.inherits, &new.inherits) != kept(&new.inherits, &old.inherits) {
        return Err(DiffError::Unsupported {
            what: format!(
                "table {name} inherits from the same parents in another order: PostgreSQL \
                 cannot reorder them in place; write it by hand (`autogen revision --empty`)"
            ),
        });
    }
    for parent_name in old.inherits.iter().filter(|p| !new.inherits.contains(p)) {
        changes.push(Change::Table(TableChange::NoInherit {
            table: name.clone(),
            parent: parent_name.clone(),
        }));
        if let Some(parent) = partition::find(current, parent_name) {
            before = no_longer_inheriting(&before, parent);
        }
        before.inherits.retain(|p| p != parent_name);
    }
    for parent_name in new.inherits.iter().filter(|p| !old.inherits.contains(p)) {
        let Some(parent) = partition::find(desired, parent_name) else {
            continue;
        };
        let missing: Vec<&str> = parent
            .columns
            .iter()
            .filter(|column| after.column(&column.name).is_none())
            .map(|column| column.name.as_str())
            .chain(
                parent
                    .checks
                    .iter()
                    .filter(|check| !check.no_inherit)
                    .filter(|check| !after.checks.iter().any(|own| own.name == check.name))
                    .map(|check| check.name.as_str()),
            )
            .collect();
        if !missing.is_empty() {
            return Err(DiffError::Unsupported {
                what: format!(
                    "table {name} starts inheriting from {parent_name}, but does not have {} of \
                     its own: `ALTER TABLE … INHERIT` needs the table to have the parent's \
                     columns and checks already and keeps them the table's own, so declare \
                     them in the table too (or write the change by hand: `autogen revision \
                     --empty`)",
                    missing.join(", ")
                ),
            });
        }
    }
    Ok((before, after))
}

/// `child` right after `ALTER TABLE child NO INHERIT parent`: the parent's columns it did not
/// have of its own become its own (first, where inherited columns stand), and so do the
/// parent's inheritable checks.
pub(crate) fn no_longer_inheriting(child: &Table, parent: &Table) -> Table {
    let mut table = child.clone();
    let mut columns: Vec<Column> = parent
        .columns
        .iter()
        .filter(|column| child.column(&column.name).is_none())
        .map(|column| Column {
            comment: None,
            // An inherited column gets its parent's storage and compression, not the rest.
            statistics: None,
            options: Vec::new(),
            ..column.clone()
        })
        .collect();
    columns.append(&mut table.columns);
    table.columns = columns;
    for check in parent.checks.iter().filter(|check| !check.no_inherit) {
        if !table.checks.iter().any(|own| own.name == check.name) {
            table.checks.push(CheckConstraint {
                comment: None,
                ..check.clone()
            });
        }
    }
    table.checks.sort_by(|a, b| a.name.cmp(&b.name));
    table
}
