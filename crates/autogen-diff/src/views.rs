//! Keeping the views a plan runs into (docs/diff.md, "Views").
//!
//! Views are not modeled, but PostgreSQL refuses `ALTER COLUMN … TYPE` on a column a view
//! uses and `DROP TYPE` of a type a view uses. So a view that uses a column whose type the
//! plan changes, or an enum type the plan re-creates, is dropped at the start of the plan and
//! re-created at its end from the definition PostgreSQL gave for it, together with every view
//! that uses such a view.

use crate::change::*;
use crate::{DiffError, Hazard, Plan, PlannedStatement, StatementSource, Transaction};
use autogen_schema::{QualifiedName, View, ViewDependency};
use std::collections::{BTreeSet, HashSet};

/// `plan` with the affected `views` (those of the database the plan runs on) dropped after
/// its leading `SET`s and re-created before its trailing `RESET`s.
///
/// Refuses a plan that both renames and needs to re-create what such a view uses: the stored
/// definition names the old relation or column, so it could not be re-created as it was.
pub fn keep_views(plan: Plan, views: &[View]) -> Result<Plan, DiffError> {
    if views.is_empty() {
        return Ok(plan);
    }
    let changes = &plan.changes;
    let affected = affected_views(changes, views);
    if affected.is_empty() {
        return Ok(plan);
    }
    refuse_renamed_dependencies(changes, &affected)?;
    let ordered = autogen_schema::views_in_creation_order(affected.iter().copied());
    let drops = ordered.iter().rev().map(|view| PlannedStatement {
        sql: view.drop_sql(),
        hazards: vec![Hazard::AccessExclusiveLock],
        change: format!(
            "drop view {} (re-created at the end: it uses what this plan changes)",
            view.qualified_name()
        ),
        transaction: Transaction::Any,
        source: StatementSource::KeptView(view.qualified_name()),
    });
    let creates = ordered.iter().flat_map(|view| {
        let change = format!("re-create view {}", view.qualified_name());
        let name = view.qualified_name();
        view.create_sql()
            .into_iter()
            .map(move |sql| PlannedStatement {
                sql,
                hazards: Vec::new(),
                change: change.clone(),
                transaction: Transaction::Any,
                source: StatementSource::KeptView(name.clone()),
            })
    });
    let Plan {
        changes,
        statements,
    } = plan;
    let setting = |statement: &&PlannedStatement| statement.source == StatementSource::Setting;
    let leading = statements.iter().take_while(setting).count();
    let trailing = statements[leading..]
        .iter()
        .rev()
        .take_while(setting)
        .count();
    let body_end = statements.len() - trailing;
    let mut kept = Vec::with_capacity(statements.len() + 2 * ordered.len());
    kept.extend_from_slice(&statements[..leading]);
    kept.extend(drops);
    kept.extend_from_slice(&statements[leading..body_end]);
    kept.extend(creates);
    kept.extend_from_slice(&statements[body_end..]);
    Ok(Plan {
        changes,
        statements: kept,
    })
}

/// The views that use a re-typed column or a re-created type, and the views that use those.
fn affected_views<'a>(changes: &[Change], views: &'a [View]) -> Vec<&'a View> {
    // Views know columns by the names they had before the plan's renames.
    let original = |table: &QualifiedName, column: &str| -> (QualifiedName, String) {
        let column = changes
            .iter()
            .find_map(|change| match change {
                Change::Column(ColumnChange::Rename { table: t, from, to })
                    if t == table && to == column =>
                {
                    Some(from.clone())
                }
                _ => None,
            })
            .unwrap_or_else(|| column.to_string());
        (table_before_renames(changes, table), column)
    };
    let mut retyped: HashSet<(QualifiedName, String)> = HashSet::new();
    for change in changes {
        match change {
            Change::Column(ColumnChange::AlterType { table, column, .. }) => {
                retyped.insert(original(table, column));
            }
            Change::Column(ColumnChange::ReplaceWithGenerated { table, column, .. }) => {
                retyped.insert(original(table, &column.name));
            }
            _ => {}
        }
    }
    // An enum re-created without some values: renamed away, then dropped at the end.
    let dropped: HashSet<&QualifiedName> = changes
        .iter()
        .filter_map(|change| match change {
            Change::Enum(EnumChange::Drop { name }) => Some(name),
            _ => None,
        })
        .collect();
    let recreated: HashSet<QualifiedName> = changes
        .iter()
        .filter_map(|change| match change {
            Change::Enum(EnumChange::Rename { from, to })
                if dropped.contains(&QualifiedName::new(&from.schema, to)) =>
            {
                Some(from.clone())
            }
            _ => None,
        })
        .collect();
    let uses_changed = |view: &View| {
        view.depends_on.iter().any(|dependency| match dependency {
            ViewDependency::Column { relation, column } => {
                retyped.contains(&(relation.clone(), column.clone()))
            }
            ViewDependency::Type(name) => recreated.contains(name),
            ViewDependency::Relation(_) => false,
        })
    };
    let mut affected: BTreeSet<QualifiedName> = views
        .iter()
        .filter(|view| uses_changed(view))
        .map(View::qualified_name)
        .collect();
    // Views over affected views, to a fixed point (view chains are short).
    loop {
        let before = affected.len();
        for view in views {
            if view
                .depends_on
                .iter()
                .filter_map(ViewDependency::relation)
                .any(|relation| affected.contains(relation))
            {
                affected.insert(view.qualified_name());
            }
        }
        if affected.len() == before {
            break;
        }
    }
    views
        .iter()
        .filter(|view| affected.contains(&view.qualified_name()))
        .collect()
}

/// The name `table` (as changes name it: after the plan's renames) has before the plan.
fn table_before_renames(changes: &[Change], table: &QualifiedName) -> QualifiedName {
    changes
        .iter()
        .find_map(|change| match change {
            Change::Table(TableChange::Rename { from, to })
                if from.schema == table.schema && *to == table.name =>
            {
                Some(from.clone())
            }
            _ => None,
        })
        .unwrap_or_else(|| table.clone())
}

fn refuse_renamed_dependencies(changes: &[Change], affected: &[&View]) -> Result<(), DiffError> {
    for change in changes {
        let (renamed, column) = match change {
            Change::Table(TableChange::Rename { from, .. }) => (from.clone(), None),
            Change::Column(ColumnChange::Rename { table, from, .. }) => {
                (table_before_renames(changes, table), Some(from.as_str()))
            }
            _ => continue,
        };
        let Some(view) = affected.iter().find(|view| {
            view.depends_on
                .iter()
                .any(|dependency| match (dependency, column) {
                    (
                        ViewDependency::Column {
                            relation,
                            column: used,
                        },
                        Some(column),
                    ) => *relation == renamed && used == column,
                    (dependency, None) => dependency.relation() == Some(&renamed),
                    _ => false,
                })
        }) else {
            continue;
        };
        let what = match column {
            Some(column) => format!("column {renamed}.{column}"),
            None => format!("table {renamed}"),
        };
        return Err(DiffError::Unsupported {
            what: format!(
                "view {} must be re-created by this plan but uses {what}, which the plan also \
                 renames; make the rename and the other change in two revisions",
                view.qualified_name()
            ),
        });
    }
    Ok(())
}
