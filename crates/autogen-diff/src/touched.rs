//! Which tables a set of changes touches, so verification can re-create only those.

use crate::{Change, CommentTarget};
use autogen_schema::{Catalog, QualifiedName};
use std::collections::BTreeSet;

/// The tables `changes` name (a renamed table under both names) and the tables in `also`,
/// plus every table a foreign key of theirs references, in either catalog, until nothing is
/// added: what a database needs for the plan's statements on them to run.
pub fn touched_tables(
    changes: &[Change],
    current: &Catalog,
    desired: &Catalog,
    also: impl IntoIterator<Item = QualifiedName>,
) -> BTreeSet<QualifiedName> {
    let mut tables: BTreeSet<QualifiedName> = also.into_iter().collect();
    for change in changes {
        named_tables(change, current, desired, &mut tables);
    }
    let mut pending: Vec<QualifiedName> = tables.iter().cloned().collect();
    while let Some(name) = pending.pop() {
        for catalog in [current, desired] {
            let Some(table) = catalog.tables.iter().find(|t| t.qualified_name() == name) else {
                continue;
            };
            for foreign_key in &table.foreign_keys {
                if tables.insert(foreign_key.references.clone()) {
                    pending.push(foreign_key.references.clone());
                }
            }
        }
    }
    tables
}

fn named_tables(
    change: &Change,
    current: &Catalog,
    desired: &Catalog,
    tables: &mut BTreeSet<QualifiedName>,
) {
    match change {
        Change::CreateTable { table } => {
            tables.insert(table.qualified_name());
        }
        Change::DropTable { name } => {
            tables.insert(name.clone());
        }
        Change::RenameTable { from, to } => {
            tables.insert(from.clone());
            tables.insert(QualifiedName::new(&from.schema, to));
        }
        Change::SetUnlogged { table, .. }
        | Change::AddColumn { table, .. }
        | Change::DropColumn { table, .. }
        | Change::RenameColumn { table, .. }
        | Change::RenameConstraint { table, .. }
        | Change::RenameIndex { table, .. }
        | Change::AlterColumnType { table, .. }
        | Change::DropExpression { table, .. }
        | Change::ReplaceWithGeneratedColumn { table, .. }
        | Change::SetNotNull { table, .. }
        | Change::DropNotNull { table, .. }
        | Change::SetDefault { table, .. }
        | Change::DropDefault { table, .. }
        | Change::AddIdentity { table, .. }
        | Change::DropIdentity { table, .. }
        | Change::AlterIdentity { table, .. }
        | Change::AddPrimaryKey { table, .. }
        | Change::AddUnique { table, .. }
        | Change::AddCheck { table, .. }
        | Change::AddExclusion { table, .. }
        | Change::DropConstraint { table, .. }
        | Change::DropForeignKey { table, .. }
        | Change::CreateIndex { table, .. }
        | Change::DropIndex { table, .. } => {
            tables.insert(table.clone());
        }
        Change::AddForeignKey { table, foreign_key } => {
            tables.insert(table.clone());
            tables.insert(foreign_key.references.clone());
        }
        Change::SetSequenceOwner {
            owner: Some(owner), ..
        } => {
            tables.insert(owner.table.clone());
        }
        Change::SetComment { target, .. } => match target {
            CommentTarget::Table { name } => {
                tables.insert(name.clone());
            }
            CommentTarget::Column { table, .. } | CommentTarget::Constraint { table, .. } => {
                tables.insert(table.clone());
            }
            CommentTarget::Index { name } => {
                // The table that has an index (or a constraint's index) of that name.
                for catalog in [current, desired] {
                    for table in catalog.tables.iter().filter(|t| t.schema == name.schema) {
                        let has_index = table.indexes.iter().any(|i| i.name == name.name)
                            || table.uniques.iter().any(|u| u.name == name.name)
                            || table
                                .primary_key
                                .as_ref()
                                .is_some_and(|p| p.name == name.name)
                            || table.exclusions.iter().any(|e| e.name == name.name);
                        if has_index {
                            tables.insert(table.qualified_name());
                        }
                    }
                }
            }
            CommentTarget::Schema { .. }
            | CommentTarget::Type { .. }
            | CommentTarget::Sequence { .. } => {}
        },
        Change::CreateSchema { .. }
        | Change::DropSchema { .. }
        | Change::CreateExtension { .. }
        | Change::DropExtension { .. }
        | Change::UpdateExtension { .. }
        | Change::SetExtensionSchema { .. }
        | Change::CreateEnum { .. }
        | Change::DropEnum { .. }
        | Change::RenameEnum { .. }
        | Change::RenameEnumValue { .. }
        | Change::AddEnumValue { .. }
        | Change::CreateSequence { .. }
        | Change::DropSequence { .. }
        | Change::AlterSequence { .. }
        | Change::SetSequenceOwner { owner: None, .. } => {}
    }
}
