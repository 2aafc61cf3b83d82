//! Rename hints: a table or column dropped while another with the same definition is added
//! looks like a rename, but the diff never guesses (a wrong guess would move data where it
//! does not belong). It names the `renamed_from` attribute that makes it one.

use crate::pairs::paired_tables;
use autogen_schema::{Catalog, Column, ModelIntent, QualifiedName, Table};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "object", rename_all = "snake_case")]
pub enum RenameHint {
    Table {
        schema: String,
        from: String,
        to: String,
    },
    Column {
        table: QualifiedName,
        from: String,
        to: String,
    },
}

impl std::fmt::Display for RenameHint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenameHint::Table { schema, from, to } => write!(
                f,
                "table {schema}.{from} is dropped and {schema}.{to} added with the same columns; \
                 if it is a rename, add #[model(renamed_from = \"{from}\")] to the model of {to}"
            ),
            RenameHint::Column { table, from, to } => write!(
                f,
                "column {table}.{from} is dropped and {table}.{to} added with the same definition; \
                 if it is a rename, add #[model(renamed_from = \"{from}\")] to the field of {to}"
            ),
        }
    }
}

/// A column's definition without its name (and without comment and intent).
fn shape(column: &Column) -> impl PartialEq + '_ {
    (
        &column.data_type,
        column.not_null,
        &column.default,
        &column.identity,
        &column.generated,
        &column.collation,
    )
}

fn same_columns(a: &Table, b: &Table) -> bool {
    a.columns.len() == b.columns.len()
        && a.columns
            .iter()
            .zip(&b.columns)
            .all(|(x, y)| x.name == y.name && shape(x) == shape(y))
}

/// Pairs `olds` with `news` where exactly one of each matches: an ambiguous match is no hint.
fn unique_pairs<'a, T>(
    olds: &[&'a T],
    news: &[&'a T],
    matches: impl Fn(&T, &T) -> bool,
) -> Vec<(&'a T, &'a T)> {
    let mut pairs = Vec::new();
    for &old in olds {
        let candidates: Vec<&T> = news
            .iter()
            .copied()
            .filter(|new| matches(old, new))
            .collect();
        if let [new] = candidates.as_slice() {
            let rivals = olds.iter().filter(|other| matches(other, new)).count();
            if rivals == 1 {
                pairs.push((old, *new));
            }
        }
    }
    pairs
}

/// The drop+add pairs between `current` and `desired` that look like renames. Call it with the
/// catalogs the diff saw; renames the models already declare never show up here, because
/// the diff applied them.
pub fn rename_hints(current: &Catalog, desired: &Catalog, intent: &ModelIntent) -> Vec<RenameHint> {
    // A table or column the models say was renamed is no hint, whether or not the rename
    // applied.
    let declared_table = |table: &Table| {
        intent
            .tables
            .iter()
            .any(|rename| rename.schema == table.schema && rename.to == table.name)
    };
    let declared_column = |table: &Table, column: &Column| {
        intent
            .columns
            .iter()
            .any(|rename| rename.owner == table.qualified_name() && rename.to == column.name)
    };
    let (current, desired) = (current.canonical(), desired.canonical());
    let pairs = paired_tables(&current.tables, &desired.tables);
    let dropped: Vec<&Table> = pairs
        .iter()
        .filter_map(|pair| match pair {
            (Some(table), None) => Some(*table),
            _ => None,
        })
        .collect();
    let added: Vec<&Table> = pairs
        .iter()
        .filter_map(|pair| match pair {
            (None, Some(table)) if !declared_table(table) => Some(*table),
            _ => None,
        })
        .collect();
    let mut hints: Vec<RenameHint> = unique_pairs(&dropped, &added, |a, b| {
        a.schema == b.schema && same_columns(a, b)
    })
    .into_iter()
    .map(|(old, new)| RenameHint::Table {
        schema: new.schema.clone(),
        from: old.name.clone(),
        to: new.name.clone(),
    })
    .collect();

    for pair in &pairs {
        let (Some(old_table), Some(new_table)) = *pair else {
            continue;
        };
        if old_table.columns == new_table.columns {
            continue;
        }
        let dropped: Vec<&Column> = old_table
            .columns
            .iter()
            .filter(|c| new_table.column(&c.name).is_none())
            .collect();
        let added: Vec<&Column> = new_table
            .columns
            .iter()
            .filter(|c| old_table.column(&c.name).is_none() && !declared_column(new_table, c))
            .collect();
        if dropped.is_empty() || added.is_empty() {
            continue;
        }
        for (old, new) in unique_pairs(&dropped, &added, |a, b| shape(a) == shape(b)) {
            hints.push(RenameHint::Column {
                table: new_table.qualified_name(),
                from: old.name.clone(),
                to: new.name.clone(),
            });
        }
    }
    hints
}
