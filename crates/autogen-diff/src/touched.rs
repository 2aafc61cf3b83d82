//! Which tables a set of changes touches, so verification can re-create only those.

use crate::change::*;
use autogen_schema::{Catalog, ObjectRef, QualifiedName};

use std::collections::BTreeSet;

/// The tables `changes` name (a renamed table under both names) and the tables in `also`,
/// plus every table a foreign key of theirs references and their parents and children
/// (partitions, inheritance), in either catalog, until nothing is added: what a database needs for
/// the plan's statements on them to run.
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
            // A partition or inheritance child needs its parents, and a parent its partitions
            // and children (they share columns and constraints).
            let related = table
                .foreign_keys
                .iter()
                .map(|foreign_key| foreign_key.references.clone())
                .chain(table.parents().cloned())
                .chain(
                    catalog
                        .tables
                        .iter()
                        .filter(|other| other.parents().any(|parent| *parent == name))
                        .map(|other| other.qualified_name()),
                );
            for related in related.collect::<Vec<_>>() {
                if tables.insert(related.clone()) {
                    pending.push(related);
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
        Change::Table(TableChange::Create { table }) => {
            tables.insert(table.qualified_name());
        }
        Change::Table(TableChange::Drop { name }) => {
            tables.insert(name.clone());
        }
        Change::Table(
            TableChange::AttachPartition { table, parent, .. }
            | TableChange::DetachPartition { table, parent, .. }
            | TableChange::Inherit { table, parent }
            | TableChange::NoInherit { table, parent },
        ) => {
            tables.insert(table.clone());
            tables.insert(parent.clone());
        }
        Change::Table(TableChange::Rename { from, to }) => {
            tables.insert(from.clone());
            tables.insert(QualifiedName::new(&from.schema, to));
        }
        Change::Table(
            TableChange::SetUnlogged { table, .. }
            | TableChange::SetRowLevelSecurity { table, .. }
            | TableChange::SetForceRowLevelSecurity { table, .. }
            | TableChange::SetStorageParameters { table, .. }
            | TableChange::SetReplicaIdentity { table, .. },
        )
        | Change::Column(ColumnChange::Add { table, .. })
        | Change::Column(ColumnChange::Drop { table, .. })
        | Change::Column(ColumnChange::Rename { table, .. })
        | Change::Constraint(ConstraintChange::Rename { table, .. })
        | Change::Index(IndexChange::Rename { table, .. })
        | Change::Column(ColumnChange::AlterType { table, .. })
        | Change::Column(ColumnChange::DropExpression { table, .. })
        | Change::Column(ColumnChange::ReplaceWithGenerated { table, .. })
        | Change::Column(ColumnChange::SetNotNull { table, .. })
        | Change::Column(ColumnChange::Backfill { table, .. })
        | Change::Column(ColumnChange::DropNotNull { table, .. })
        | Change::Column(ColumnChange::SetDefault { table, .. })
        | Change::Column(ColumnChange::DropDefault { table, .. })
        | Change::Column(ColumnChange::ReleaseDefault { table, .. })
        | Change::Column(ColumnChange::AddIdentity { table, .. })
        | Change::Column(ColumnChange::DropIdentity { table, .. })
        | Change::Column(ColumnChange::DropCarriedIdentity { table, .. })
        | Change::Column(ColumnChange::AlterIdentity { table, .. })
        | Change::Column(ColumnChange::SetStatistics { table, .. })
        | Change::Column(ColumnChange::SetOptions { table, .. })
        | Change::Constraint(ConstraintChange::AddPrimaryKey { table, .. })
        | Change::Constraint(ConstraintChange::AddUnique { table, .. })
        | Change::Constraint(ConstraintChange::AddCheck { table, .. })
        | Change::Constraint(ConstraintChange::AddExclusion { table, .. })
        | Change::Constraint(ConstraintChange::Drop { table, .. })
        | Change::Constraint(ConstraintChange::DropForeignKey { table, .. })
        | Change::Index(IndexChange::Create { table, .. })
        | Change::Index(IndexChange::Drop { table, .. }) => {
            tables.insert(table.clone());
        }
        Change::Column(
            ColumnChange::SetStorage {
                table, followers, ..
            }
            | ColumnChange::SetCompression {
                table, followers, ..
            },
        ) => {
            tables.insert(table.clone());
            tables.extend(followers.iter().cloned());
        }
        Change::Constraint(ConstraintChange::AddForeignKey { table, foreign_key }) => {
            tables.insert(table.clone());
            tables.insert(foreign_key.references.clone());
        }
        Change::Sequence(SequenceChange::SetOwner {
            owner: Some(owner), ..
        }) => {
            tables.insert(owner.table.clone());
        }
        Change::Sequence(SequenceChange::CarryValue { from, to, .. }) => {
            for sequence in [from, to] {
                if let SequenceRef::IdentityOf { table, .. } = sequence {
                    tables.insert(table.clone());
                }
            }
        }
        Change::Comment(CommentChange::Set { target, .. }) => match target {
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
            CommentTarget::Trigger { table, .. } | CommentTarget::Policy { table, .. } => {
                tables.insert(table.clone());
            }
            CommentTarget::Schema { .. }
            | CommentTarget::Type { .. }
            | CommentTarget::Sequence { .. }
            | CommentTarget::View { .. }
            | CommentTarget::Routine { .. }
            | CommentTarget::Domain { .. }
            | CommentTarget::DomainConstraint { .. }
            | CommentTarget::Collation { .. }
            | CommentTarget::TextSearchDictionary { .. }
            | CommentTarget::TextSearchConfiguration { .. } => {}
        },
        Change::Trigger(
            TriggerChange::Drop { table, .. } | TriggerChange::SetEnabled { table, .. },
        ) => {
            tables.insert(table.clone());
        }
        Change::Trigger(TriggerChange::Create { trigger }) => {
            tables.insert(trigger.table.clone());
        }
        Change::Policy(PolicyChange::Create { policy } | PolicyChange::Alter { policy }) => {
            tables.insert(policy.table.clone());
        }
        Change::Policy(PolicyChange::Drop { table, .. }) => {
            tables.insert(table.clone());
        }
        Change::Privilege(
            PrivilegeChange::Grant { on, .. } | PrivilegeChange::Revoke { on, .. },
        ) => {
            if let PrivilegeTarget::Table { name } = on {
                tables.insert(name.clone());
            }
        }
        Change::View(_) | Change::Routine(_) => {}
        Change::Domain(_)
        | Change::Composite(_)
        | Change::Range(_)
        | Change::Collation(_)
        | Change::TextSearch(_) => {}
        Change::Schema(SchemaChange::Create { .. })
        | Change::Schema(SchemaChange::Drop { .. })
        | Change::Extension(ExtensionChange::Create { .. })
        | Change::Extension(ExtensionChange::Drop { .. })
        | Change::Extension(ExtensionChange::Update { .. })
        | Change::Extension(ExtensionChange::SetSchema { .. })
        | Change::Enum(EnumChange::Create { .. })
        | Change::Enum(EnumChange::Drop { .. })
        | Change::Enum(EnumChange::Rename { .. })
        | Change::Enum(EnumChange::RenameValue { .. })
        | Change::Enum(EnumChange::AddValue { .. })
        | Change::Sequence(SequenceChange::Create { .. })
        | Change::Sequence(SequenceChange::Drop { .. })
        | Change::Sequence(SequenceChange::Alter { .. })
        | Change::Sequence(SequenceChange::SetOwner { owner: None, .. })
        | Change::Sequence(SequenceChange::Retire { .. })
        | Change::Sequence(SequenceChange::Unstage { .. })
        | Change::Sequence(SequenceChange::DropCarried { .. }) => {}
    }
}

/// The views, routines, triggers, policies, domains, composite and range types, collations and
/// text search dictionaries and configurations that
/// `changes` create, drop, alter or comment on (the tables they use are not listed:
/// verification follows the dependency edges to them).
pub fn touched_objects(changes: &[Change]) -> BTreeSet<ObjectRef> {
    changes.iter().filter_map(touched_object).collect()
}

fn touched_object(change: &Change) -> Option<ObjectRef> {
    Some(match change {
        Change::View(change) => ObjectRef::Relation(match change {
            ViewChange::Create { view } | ViewChange::Replace { view } => view.qualified_name(),
            ViewChange::Drop { name, .. }
            | ViewChange::CreateIndex { view: name, .. }
            | ViewChange::Grant { view: name, .. }
            | ViewChange::Revoke { view: name, .. } => name.clone(),
        }),
        Change::Routine(change) => ObjectRef::Function(match change {
            RoutineChange::Create { function, .. } | RoutineChange::Replace { function, .. } => {
                function.id()
            }
            RoutineChange::Drop { id, .. } => id.clone(),
        }),
        Change::Trigger(change) => {
            let (table, name) = match change {
                TriggerChange::Create { trigger } => (&trigger.table, &trigger.name),
                TriggerChange::Drop { table, name }
                | TriggerChange::SetEnabled { table, name, .. } => (table, name),
            };
            ObjectRef::Trigger {
                table: table.clone(),
                name: name.clone(),
            }
        }
        Change::Policy(change) => {
            let (table, name) = match change {
                PolicyChange::Create { policy } | PolicyChange::Alter { policy } => {
                    (&policy.table, &policy.name)
                }
                PolicyChange::Drop { table, name } => (table, name),
            };
            ObjectRef::Policy {
                table: table.clone(),
                name: name.clone(),
            }
        }
        Change::Privilege(
            PrivilegeChange::Grant {
                on: PrivilegeTarget::Routine { id, .. },
                ..
            }
            | PrivilegeChange::Revoke {
                on: PrivilegeTarget::Routine { id, .. },
                ..
            },
        ) => ObjectRef::Function(id.clone()),
        Change::Privilege(
            PrivilegeChange::Grant {
                on: PrivilegeTarget::Type { name },
                ..
            }
            | PrivilegeChange::Revoke {
                on: PrivilegeTarget::Type { name },
                ..
            },
        ) => ObjectRef::Type(name.clone()),
        Change::Domain(change) => ObjectRef::Type(change.domain()),
        Change::Composite(change) => ObjectRef::Type(change.type_name()),
        Change::Range(RangeChange::Create { range }) => {
            ObjectRef::Type(QualifiedName::new(&range.schema, &range.name))
        }
        Change::Range(RangeChange::Drop { name }) => ObjectRef::Type(name.clone()),
        Change::Collation(CollationChange::Create { collation }) => {
            ObjectRef::Collation(collation.qualified_name())
        }
        Change::Collation(CollationChange::Drop { name }) => ObjectRef::Collation(name.clone()),
        Change::TextSearch(change) => change.object(),
        Change::Comment(CommentChange::Set { target, .. }) => match target {
            CommentTarget::View { name, .. } => ObjectRef::Relation(name.clone()),
            CommentTarget::Routine { id, .. } => ObjectRef::Function(id.clone()),
            CommentTarget::Trigger { table, name } => ObjectRef::Trigger {
                table: table.clone(),
                name: name.clone(),
            },
            CommentTarget::Policy { table, name } => ObjectRef::Policy {
                table: table.clone(),
                name: name.clone(),
            },
            CommentTarget::Domain { name }
            | CommentTarget::DomainConstraint { domain: name, .. } => ObjectRef::Type(name.clone()),
            CommentTarget::Collation { name } => ObjectRef::Collation(name.clone()),
            CommentTarget::TextSearchDictionary { name } => {
                ObjectRef::TextSearchDictionary(name.clone())
            }
            CommentTarget::TextSearchConfiguration { name } => {
                ObjectRef::TextSearchConfiguration(name.clone())
            }
            _ => return None,
        },
        _ => return None,
    })
}
