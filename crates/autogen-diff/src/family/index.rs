//! Indexes: created, dropped, renamed.

use crate::Hazard;
use crate::change::Phase;
use autogen_schema::{Index, QualifiedName, quote_ident, sql};
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
