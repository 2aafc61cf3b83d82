//! A table rename that keeps the old name working during a deploy (expand/contract): the table
//! is renamed and a simple view under the old name stands in for it — PostgreSQL makes such a
//! view automatically updatable, so the old version reads and writes through it. The contract
//! side (planned from the catalog this leaves) drops the view.

use crate::change::{Change, TableChange, ViewChange};
use crate::plan::{Plan, Step};
use crate::{PlannedStatement, StatementSource};
use autogen_schema::QualifiedName;

/// The view standing in for `from` once it is renamed to `to` (its name in `from`'s schema),
/// `source` being the rename change's position in the plan.
pub(crate) fn stand_in_view(from: &QualifiedName, to: &str, source: usize) -> PlannedStatement {
    let renamed = QualifiedName::new(&from.schema, to);
    PlannedStatement {
        sql: format!(
            "CREATE VIEW {} AS SELECT * FROM {};",
            from.quoted(),
            renamed.quoted()
        ),
        hazards: Vec::new(),
        change: format!("view {from} over the renamed table {renamed}, for the old version"),
        transaction: crate::Transaction::Any,
        batched: false,
        source: StatementSource::Change(source),
        step: Step::Whole,
    }
}

/// In a plan that renames a table back to a name a view holds (the expand side's `down`), the
/// view's drop runs before the rename: the name must be free (renames otherwise run first).
pub fn drop_stand_in_views_first(plan: &mut Plan) {
    let targets: Vec<(usize, QualifiedName)> = plan
        .statements
        .iter()
        .enumerate()
        .filter_map(|(position, statement)| match plan.change_of(statement) {
            Some(Change::Table(TableChange::Rename { from, to })) => {
                Some((position, QualifiedName::new(&from.schema, to)))
            }
            _ => None,
        })
        .collect();
    for (rename_at, target) in targets {
        let drop_at = plan.statements.iter().position(|statement| {
            matches!(
                plan.change_of(statement),
                Some(Change::View(ViewChange::Drop { name, .. })) if *name == target
            )
        });
        if let Some(drop_at) = drop_at
            && drop_at > rename_at
        {
            let drop = plan.statements.remove(drop_at);
            plan.statements.insert(rename_at, drop);
        }
    }
}
