//! Table constraints: primary keys, uniques, checks, exclusions and foreign keys.

use crate::Hazard;
use crate::change::{Change, Phase};
use crate::family::*;
use crate::pairs::TablePair;
use autogen_schema::{
    CheckConstraint, ExclusionConstraint, ForeignKey, PrimaryKey, QualifiedName, Table,
    UniqueConstraint, quote_ident, sql,
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
    pub(crate) fn expressions(&self) -> Vec<&str> {
        match self {
            ConstraintChange::AddCheck { check, .. } => vec![check.expression.as_str()],
            ConstraintChange::AddExclusion { exclusion, .. } => {
                vec![exclusion.definition.as_str()]
            }
            _ => Vec::new(),
        }
    }

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

/// The primary key, unique, check and exclusion constraints of a kept table (foreign keys are
/// compared after every table: [`compare_foreign_keys`]).
pub(crate) fn compare_constraints(
    name: &QualifiedName,
    old: &Table,
    new: &Table,
    forced: &Forced,
    changes: &mut Vec<Change>,
    rebuilt: &mut Rebuilt,
) {
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
    let force_pk = |pk: &PrimaryKey| pk_changed || forced.column(|c| c.in_primary_key(pk));
    for op in diff_items(&old_pk, &new_pk, force_pk) {
        match op {
            Op::Drop(pk) => {
                rebuilt.rebuild_key(name, &pk.columns);
                changes.push(drop_constraint(&pk.name, ConstraintKind::PrimaryKey));
            }
            Op::Add(pk) => {
                changes.push(Change::Constraint(ConstraintChange::AddPrimaryKey {
                    table: name.clone(),
                    primary_key: pk.clone(),
                }));
                changes.extend(comments(name, None, pk));
            }
            Op::Comment(before, pk) => changes.extend(comments(name, Some(before), pk)),
        }
    }

    let force_unique = |unique: &UniqueConstraint| forced.column(|c| c.in_unique(unique));
    for op in diff_items(&old.uniques, &new.uniques, force_unique) {
        match op {
            Op::Drop(unique) => {
                rebuilt.rebuild_key(name, &unique.columns);
                changes.push(drop_constraint(&unique.name, ConstraintKind::Unique));
            }
            Op::Add(unique) => {
                changes.push(Change::Constraint(ConstraintChange::AddUnique {
                    table: name.clone(),
                    unique: unique.clone(),
                }));
                changes.extend(comments(name, None, unique));
            }
            Op::Comment(before, unique) => changes.extend(comments(name, Some(before), unique)),
        }
    }
    let force_check = |check: &CheckConstraint| {
        forced.column(|c| c.in_check(check))
            || forced.type_in(&check.expression)
            || forced.constraint(&check.name)
    };
    for op in diff_items(&old.checks, &new.checks, force_check) {
        match op {
            Op::Drop(check) => changes.push(drop_constraint(&check.name, ConstraintKind::Check)),
            Op::Add(check) => {
                changes.push(Change::Constraint(ConstraintChange::AddCheck {
                    table: name.clone(),
                    check: check.clone(),
                }));
                changes.extend(comments(name, None, check));
            }
            Op::Comment(before, check) => changes.extend(comments(name, Some(before), check)),
        }
    }
    let force_exclusion = |exclusion: &ExclusionConstraint| {
        forced.column(|c| c.in_exclusion(exclusion))
            || forced.type_in(&exclusion.definition)
            || forced.constraint(&exclusion.name)
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
                changes.extend(comments(name, None, exclusion));
            }
            Op::Comment(before, exclusion) => {
                changes.extend(comments(name, Some(before), exclusion))
            }
        }
    }
}

/// The comment changes of a constraint added (`before` is `None`) or kept with other
/// comments: on the constraint, and on its own index (primary key, unique, exclusion).
fn comments<T: Item>(table: &QualifiedName, before: Option<&T>, after: &T) -> Vec<Change> {
    let mut out = Vec::new();
    if before.map_or(after.comment().is_some(), |b| {
        b.comment() != after.comment()
    }) {
        out.push(constraint_comment(table, after.name(), after.comment()));
    }
    let index_comment = |item: &T| item.index_comment().cloned();
    if before.map_or(after.index_comment().is_some(), |b| {
        index_comment(b) != index_comment(after)
    }) {
        out.push(comment_change(
            CommentTarget::Index {
                name: QualifiedName::new(&table.schema, after.name()),
            },
            &index_comment(after),
        ));
    }
    out
}

/// The foreign keys, after every table was compared (so cycles and self-references work, and
/// keys re-created elsewhere force theirs): drops of every current table, adds of every
/// desired table. `identical[i]` says whether the pair `pairs[i]` is unchanged.
pub(crate) fn compare_foreign_keys(
    pairs: &[TablePair],
    identical: &[bool],
    rebuilt: &Rebuilt,
    changes: &mut Vec<Change>,
) {
    let unchanged = |&(_, &identical): &(&TablePair, &bool)| identical && rebuilt.is_empty();
    let candidates = || {
        pairs
            .iter()
            .zip(identical)
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
                    changes.extend(comments(&name, None, fk));
                }
                Op::Comment(before, fk) => changes.extend(comments(&name, Some(before), fk)),
            }
        }
    }
}

/// The foreign keys of a table that may be absent on one side.
pub(crate) fn foreign_keys(table: Option<&Table>) -> &[ForeignKey] {
    table.map_or(&[], |t| t.foreign_keys.as_slice())
}
