//! Table constraints: primary keys, uniques, checks, exclusions and foreign keys.

use crate::Hazard;
use crate::change::Phase;
use crate::family::*;
use autogen_schema::{
    CheckConstraint, ExclusionConstraint, ForeignKey, PrimaryKey, QualifiedName, UniqueConstraint,
    quote_ident, sql,
};
use serde::Serialize;

// Changes are few and short-lived (one plan's worth): boxing the large variants buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ConstraintChange {
    /// A primary key, unique, check, foreign key or exclusion constraint whose definition is
    /// unchanged but for its name (PostgreSQL renames a constraint's index along with it).
    Rename {
        table: QualifiedName,
        from: String,
        to: String,
    },
    AddPrimaryKey {
        table: QualifiedName,
        primary_key: PrimaryKey,
    },
    AddUnique {
        table: QualifiedName,
        unique: UniqueConstraint,
    },
    AddCheck {
        table: QualifiedName,
        check: CheckConstraint,
    },
    AddExclusion {
        table: QualifiedName,
        exclusion: ExclusionConstraint,
    },
    Drop {
        table: QualifiedName,
        name: String,
        constraint: ConstraintKind,
    },
    AddForeignKey {
        table: QualifiedName,
        foreign_key: ForeignKey,
    },
    DropForeignKey {
        table: QualifiedName,
        name: String,
    },
}

impl ConstraintChange {
    pub(crate) fn phase(&self) -> Phase {
        match self {
            ConstraintChange::Rename { .. } => Phase::RenameConstraintOrIndex,
            ConstraintChange::DropForeignKey { .. } => Phase::DropForeignKey,
            ConstraintChange::Drop { .. } => Phase::DropConstraintOrIndex,
            ConstraintChange::AddPrimaryKey { .. }
            | ConstraintChange::AddUnique { .. }
            | ConstraintChange::AddCheck { .. }
            | ConstraintChange::AddExclusion { .. } => Phase::ConstraintOrIndex,
            ConstraintChange::AddForeignKey { .. } => Phase::ForeignKey,
        }
    }

    pub(crate) fn summary(&self) -> String {
        match self {
            ConstraintChange::Rename { table, from, to } => {
                format!("rename constraint {from} on {table} to {to}")
            }
            ConstraintChange::AddPrimaryKey { table, primary_key } => {
                format!("add primary key {} on {table}", primary_key.name)
            }
            ConstraintChange::AddUnique { table, unique } => {
                format!("add unique constraint {} on {table}", unique.name)
            }
            ConstraintChange::AddCheck { table, check } => {
                format!("add check constraint {} on {table}", check.name)
            }
            ConstraintChange::AddExclusion { table, exclusion } => {
                format!("add exclusion constraint {} on {table}", exclusion.name)
            }
            ConstraintChange::Drop {
                table,
                name,
                constraint,
            } => format!("drop {} {name} on {table}", constraint.label()),
            ConstraintChange::AddForeignKey { table, foreign_key } => format!(
                "add foreign key {} on {table} referencing {}",
                foreign_key.name, foreign_key.references
            ),
            ConstraintChange::DropForeignKey { table, name } => {
                format!("drop foreign key {name} on {table}")
            }
        }
    }

    pub(crate) fn render(&self) -> (String, Vec<Hazard>) {
        use Hazard::*;
        let lock = vec![AccessExclusiveLock];
        match self {
            ConstraintChange::Rename { table, from, to } => (
                alter_table_sql(
                    table,
                    &format!(
                        "RENAME CONSTRAINT {} TO {}",
                        quote_ident(from),
                        quote_ident(to)
                    ),
                ),
                lock,
            ),
            ConstraintChange::AddPrimaryKey { table, primary_key } => (
                sql::add_constraint(table, &sql::primary_key_definition(primary_key), false),
                vec![AccessExclusiveLock, IndexBuild, MayFailOnExistingRows],
            ),
            ConstraintChange::AddUnique { table, unique } => (
                sql::add_constraint(table, &sql::unique_definition(unique), false),
                vec![AccessExclusiveLock, IndexBuild, MayFailOnExistingRows],
            ),
            ConstraintChange::AddCheck { table, check } => {
                let mut hazards = lock;
                if !check.not_valid {
                    hazards.push(MayFailOnExistingRows);
                }
                (
                    sql::add_constraint(table, &sql::check_definition(check), check.not_valid),
                    hazards,
                )
            }
            ConstraintChange::AddExclusion { table, exclusion } => (
                sql::add_constraint(table, &sql::exclusion_definition(exclusion), false),
                vec![AccessExclusiveLock, IndexBuild, MayFailOnExistingRows],
            ),
            ConstraintChange::Drop { table, name, .. }
            | ConstraintChange::DropForeignKey { table, name } => (
                alter_table_sql(table, &format!("DROP CONSTRAINT {}", quote_ident(name))),
                lock,
            ),
            ConstraintChange::AddForeignKey { table, foreign_key } => (
                sql::add_constraint(
                    table,
                    &sql::foreign_key_definition(foreign_key),
                    foreign_key.not_valid,
                ),
                if foreign_key.not_valid {
                    vec![]
                } else {
                    vec![MayFailOnExistingRows]
                },
            ),
        }
    }
}

/// The kind of a table constraint other than a foreign key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConstraintKind {
    PrimaryKey,
    Unique,
    Check,
    Exclusion,
}

impl ConstraintKind {
    fn label(self) -> &'static str {
        match self {
            ConstraintKind::PrimaryKey => "primary key",
            ConstraintKind::Unique => "unique constraint",
            ConstraintKind::Check => "check constraint",
            ConstraintKind::Exclusion => "exclusion constraint",
        }
    }
}
