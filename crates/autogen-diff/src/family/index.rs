//! Indexes: created, dropped, renamed.

use crate::Hazard;
use crate::change::{Change, Phase};
use crate::family::*;
use autogen_schema::{Index, IndexTarget, QualifiedName, Table, quote_ident, sql};

use serde::Serialize;

// Changes are few and short-lived (one plan's worth): boxing the large variants buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum IndexChange {
    Create {
        table: QualifiedName,
        index: Index,
    },
    Drop {
        table: QualifiedName,
        name: String,
    },
    /// A plain index whose definition is unchanged but for its name.
    Rename {
        table: QualifiedName,
        from: String,
        to: String,
    },
}

impl IndexChange {
    pub(crate) fn expressions(&self) -> Vec<&str> {
        match self {
            IndexChange::Create { index, .. } => index
                .keys
                .iter()
                .filter_map(|key| match &key.target {
                    IndexTarget::Expression(expression) => Some(expression.as_str()),
                    IndexTarget::Column(_) => None,
                })
                .chain(index.predicate.as_deref())
                .collect(),
            _ => Vec::new(),
        }
    }

    pub(crate) fn phase(&self) -> Phase {
        match self {
            IndexChange::Rename { .. } => Phase::RenameConstraintOrIndex,
            IndexChange::Drop { .. } => Phase::DropConstraintOrIndex,
            IndexChange::Create { .. } => Phase::ConstraintOrIndex,
        }
    }

    pub(crate) fn summary(&self) -> String {
        match self {
            IndexChange::Rename { table, from, to } => {
                format!("rename index {from} on {table} to {to}")
            }
            IndexChange::Create { table, index } => {
                format!("create index {} on {table}", index.name)
            }
            IndexChange::Drop { table, name } => format!("drop index {name} on {table}"),
        }
    }

    pub(crate) fn render(&self) -> (String, Vec<Hazard>) {
        use Hazard::*;
        let lock = vec![AccessExclusiveLock];
        match self {
            IndexChange::Rename { table, from, to } => (
                format!(
                    "ALTER INDEX {} RENAME TO {};",
                    QualifiedName::new(&table.schema, from).quoted(),
                    quote_ident(to)
                ),
                lock,
            ),
            IndexChange::Create { table, index } => {
                let mut hazards = vec![IndexBuild];
                if index.unique {
                    hazards.push(MayFailOnExistingRows);
                }
                (sql::create_index(table, index), hazards)
            }
            IndexChange::Drop { table, name } => (
                format!(
                    "DROP INDEX {};",
                    QualifiedName::new(&table.schema, name).quoted()
                ),
                lock,
            ),
        }
    }
}

/// The indexes of a kept table.
pub(crate) fn compare_indexes(
    name: &QualifiedName,
    old: &Table,
    new: &Table,
    forced: &Forced,
    changes: &mut Vec<Change>,
    rebuilt: &mut Rebuilt,
) {
    let force_index = |index: &Index| {
        forced.column(|c| c.in_index(index))
            || forced.recreated.iter().any(|t| t.in_index(index))
            || forced.index(&index.name)
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
                    rebuilt.rebuild_key(name, &columns);
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
                    changes.push(index_comment(name, index));
                }
            }
            Op::Comment(_, index) => changes.push(index_comment(name, index)),
        }
    }
}
