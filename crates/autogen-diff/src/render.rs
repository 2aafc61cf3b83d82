//! Change -> one SQL statement with its hazards (each family renders its own changes, spelling
//! objects with `autogen_schema::sql`, exactly as the canonical dump spells them).

use crate::change::{Change, ColumnChange};
use crate::{PlannedStatement, StatementSource, Transaction};

/// The statement of `change`, the `index`-th change of its plan.
pub(crate) fn render(change: &Change, index: usize) -> PlannedStatement {
    let (sql, mut hazards) = change.render();
    hazards.sort();
    hazards.dedup();
    // A batched statement commits batch by batch: it cannot share a transaction.
    let batched = matches!(change, Change::Column(ColumnChange::Backfill { .. }));
    PlannedStatement {
        sql,
        hazards,
        change: change.summary(),
        transaction: if batched {
            Transaction::Own
        } else {
            Transaction::Any
        },
        batched,
        source: StatementSource::Change(index),
        step: crate::plan::Step::Whole,
    }
}
