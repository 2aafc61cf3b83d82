//! Keeping the views a plan runs into (docs/diff.md, "Views").
//!
//! The diff does not compare views yet, but PostgreSQL refuses `ALTER COLUMN … TYPE` on a
//! column a view uses and `DROP TYPE` of a type a view uses. So a view that uses a column whose
//! type the plan changes, or an enum type the plan re-creates, is dropped at the start of the
//! plan and re-created at its end from the definition PostgreSQL gave for it, together with
//! every view that uses such a view. What uses what comes from the catalog of the database the
//! plan runs on: its views and its `pg_depend` edges (`Catalog::dependencies`).

use crate::change::*;
use crate::{DiffError, Hazard, Plan, PlannedStatement, StatementSource, Transaction};
use autogen_schema::sql::{self, CommentOn};
use autogen_schema::{Catalog, ObjectRef, QualifiedName, View};
use std::collections::{BTreeSet, HashMap, HashSet};

/// `plan` with the affected views of `database` (the catalog of the database the plan runs
/// on) dropped after its leading `SET`s and re-created, with their indexes, comments, grants
/// and triggers, before its trailing `RESET`s.
///
/// Refuses a plan that both renames and needs to re-create what such a view uses: the stored
/// definition names the old relation or column, so it could not be re-created as it was.
pub fn keep_views(plan: Plan, database: &Catalog) -> Result<Plan, DiffError> {
    if database.views.is_empty() {
        return Ok(plan);
    }
    let changes = &plan.changes;
    let uses = ViewUses::of(database);
    let affected = affected_views(changes, database, &uses);
    if affected.is_empty() {
        return Ok(plan);
    }
    refuse_renamed_dependencies(changes, &affected, &uses)?;
    let ordered = in_creation_order(&affected, &uses);
    let drops = ordered.iter().rev().map(|view| PlannedStatement {
        sql: sql::drop_view(view),
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
        recreate(view, database)
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

/// The statements that re-create `view` as it was: the view, a materialized view's indexes,
/// comments (view, columns, indexes), grants, and the triggers on it (dropped with it).
fn recreate(view: &View, database: &Catalog) -> Vec<String> {
    let name = view.qualified_name();
    let mut statements = vec![sql::create_view(view)];
    statements.extend(
        view.indexes
            .iter()
            .map(|index| sql::create_index(&name, index)),
    );
    if view.comment.is_some() {
        let target = if view.materialized {
            CommentOn::MaterializedView(&name)
        } else {
            CommentOn::View(&name)
        };
        statements.push(sql::comment_on(target, &view.comment));
    }
    for (column, comment) in &view.column_comments {
        statements.push(sql::comment_on(
            CommentOn::Column(&name, column),
            &Some(comment.clone()),
        ));
    }
    for index in view.indexes.iter().filter(|index| index.comment.is_some()) {
        let index_name = QualifiedName::new(&view.schema, &index.name);
        statements.push(sql::comment_on(
            CommentOn::Index(&index_name),
            &index.comment,
        ));
    }
    statements.extend(view.grants.iter().cloned());
    for trigger in database
        .triggers
        .iter()
        .filter(|trigger| trigger.table == name)
    {
        statements.extend(sql::create_trigger(trigger));
        if trigger.comment.is_some() {
            statements.push(sql::comment_on(
                CommentOn::Trigger(&trigger.table, &trigger.name),
                &trigger.comment,
            ));
        }
    }
    statements
}

/// What each view of a catalog uses, from its dependency edges: an edge whose dependent is
/// the view (its query) or one of its columns (a column's type).
struct ViewUses<'a> {
    views: HashMap<QualifiedName, &'a View>,
    uses: HashMap<QualifiedName, Vec<&'a ObjectRef>>,
}

impl<'a> ViewUses<'a> {
    fn of(catalog: &'a Catalog) -> Self {
        let views: HashMap<QualifiedName, &View> = catalog
            .views
            .iter()
            .map(|view| (view.qualified_name(), view))
            .collect();
        let mut uses: HashMap<QualifiedName, Vec<&ObjectRef>> = HashMap::new();
        for edge in &catalog.dependencies {
            let user = match &edge.dependent {
                ObjectRef::Relation(name) | ObjectRef::Column { relation: name, .. } => name,
                _ => continue,
            };
            if views.contains_key(user) {
                uses.entry(user.clone()).or_default().push(&edge.on);
            }
        }
        Self { views, uses }
    }

    fn of_view(&self, view: &QualifiedName) -> &[&'a ObjectRef] {
        self.uses.get(view).map(Vec::as_slice).unwrap_or_default()
    }

    /// The other views `view` uses.
    fn views_used_by<'b>(
        &'b self,
        view: &'b QualifiedName,
    ) -> impl Iterator<Item = &'b QualifiedName> + 'b {
        self.of_view(view)
            .iter()
            .filter_map(|used| relation_of(used))
            .filter(move |relation| self.views.contains_key(*relation) && *relation != view)
    }
}

/// The relation a `Relation` or `Column` reference is about.
fn relation_of(object: &ObjectRef) -> Option<&QualifiedName> {
    match object {
        ObjectRef::Relation(name) | ObjectRef::Column { relation: name, .. } => Some(name),
        _ => None,
    }
}

/// `views` ordered so that each comes after the views among them it uses (the order to create
/// them in; reversed, the order to drop them in). Views cannot form a cycle; should the edges
/// say otherwise, what is left keeps its order.
fn in_creation_order<'a>(views: &[&'a View], uses: &ViewUses<'_>) -> Vec<&'a View> {
    let names: HashSet<QualifiedName> = views.iter().map(|view| view.qualified_name()).collect();
    let mut pending: Vec<&View> = views.to_vec();
    let mut placed: HashSet<QualifiedName> = HashSet::new();
    let mut ordered = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let before = pending.len();
        pending.retain(|view| {
            let name = view.qualified_name();
            let ready = uses
                .views_used_by(&name)
                .all(|used| !names.contains(used) || placed.contains(used));
            if ready {
                placed.insert(name);
                ordered.push(*view);
            }
            !ready
        });
        if pending.len() == before {
            ordered.append(&mut pending);
        }
    }
    ordered
}

/// The views that use a re-typed column or a re-created type, and the views that use those.
fn affected_views<'a>(
    changes: &[Change],
    database: &'a Catalog,
    uses: &ViewUses<'_>,
) -> Vec<&'a View> {
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
        uses.of_view(&view.qualified_name())
            .iter()
            .any(|used| match used {
                ObjectRef::Column { relation, column } => {
                    retyped.contains(&(relation.clone(), column.clone()))
                }
                ObjectRef::Type(name) => recreated.contains(name),
                _ => false,
            })
    };
    let mut affected: BTreeSet<QualifiedName> = database
        .views
        .iter()
        .filter(|view| uses_changed(view))
        .map(View::qualified_name)
        .collect();
    // Views over affected views, to a fixed point (view chains are short).
    loop {
        let before = affected.len();
        for view in &database.views {
            let name = view.qualified_name();
            if uses
                .views_used_by(&name)
                .any(|used| affected.contains(used))
            {
                affected.insert(name);
            }
        }
        if affected.len() == before {
            break;
        }
    }
    database
        .views
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

fn refuse_renamed_dependencies(
    changes: &[Change],
    affected: &[&View],
    uses: &ViewUses<'_>,
) -> Result<(), DiffError> {
    for change in changes {
        let (renamed, column) = match change {
            Change::Table(TableChange::Rename { from, .. }) => (from.clone(), None),
            Change::Column(ColumnChange::Rename { table, from, .. }) => {
                (table_before_renames(changes, table), Some(from.as_str()))
            }
            _ => continue,
        };
        let Some(view) = affected.iter().find(|view| {
            uses.of_view(&view.qualified_name())
                .iter()
                .any(|used| match (used, column) {
                    (
                        ObjectRef::Column {
                            relation,
                            column: used,
                        },
                        Some(column),
                    ) => *relation == renamed && used == column,
                    (used, None) => relation_of(used) == Some(&renamed),
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
