//! Change -> one SQL statement with its hazards (each family renders its own changes, spelling
//! objects with `autogen_schema::sql`, exactly as the canonical dump spells them).

use crate::change::Change;
use crate::{PlannedStatement, StatementSource, Transaction};

/// The statement of `change`, the `index`-th change of its plan.
pub(crate) fn render(change: &Change, index: usize) -> PlannedStatement {
    let (sql, mut hazards) = change.render();
    hazards.sort();
    hazards.dedup();
    PlannedStatement {
        sql,
        hazards,
        change: change.summary(),
        transaction: Transaction::Any,
        source: StatementSource::Change(index),
    }
}
