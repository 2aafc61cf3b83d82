//! A column rename that keeps both names working during a deploy (expand/contract): the new
//! column is added next to the old one, a row trigger keeps the two in sync whichever one a
//! writer sets, and existing rows are copied over in batches. The contract side (planned from
//! the catalog this leaves) drops the trigger, its function and the old column.

use crate::change::{Change, ColumnChange};
use crate::plan::Step;
use crate::{Hazard, PlannedStatement, StatementSource, Transaction};
use autogen_schema::{Column, QualifiedName, quote_ident, sql};

/// A column renamed through a second column (`old` kept in sync with `new` until the contract
/// side drops it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DualWrite {
    /// The table, by its name after the plan's table renames.
    pub table: QualifiedName,
    pub old: String,
    pub new: String,
}

/// The contract side's `down` adds the old columns back empty (the trigger keeps them in sync
/// from then on): this copies the values over, in batches, so the expand side's `down` can
/// make them `NOT NULL` again. Appended before the plan's closing session settings.
pub fn refill_old_columns(down: &mut crate::Plan, dual_writes: &[DualWrite]) {
    let at = down
        .statements
        .iter()
        .rposition(|statement| statement.source != StatementSource::Setting)
        .map_or(down.statements.len(), |last| last + 1);
    let refills = dual_writes.iter().map(|dual_write| {
        let mut statement = crate::render::render(
            &Change::Column(ColumnChange::Backfill {
                table: dual_write.table.clone(),
                column: dual_write.old.clone(),
                expression: quote_ident(&dual_write.new),
            }),
            0,
        );
        statement.source = StatementSource::Refill;
        statement.change = format!(
            "copy column {}.{} back into {} in batches",
            dual_write.table, dual_write.new, dual_write.old
        );
        statement
    });
    let tail = down.statements.split_off(at);
    down.statements.extend(refills);
    down.statements.extend(tail);
}

/// PostgreSQL's identifier limit (NAMEDATALEN - 1), in bytes.
const MAX_IDENTIFIER_BYTES: usize = 63;

/// The expand statements of renaming `old` to `new` on `table` (its name after the plan's
/// table renames), `source` being the rename change's position in the plan. `None` when the
/// column cannot be written twice (an identity or generated column): the rename then stays a
/// plain `RENAME COLUMN` on the contract side.
pub(crate) fn expand_rename(
    table: &QualifiedName,
    old: &Column,
    new: &str,
    source: usize,
) -> Option<Vec<PlannedStatement>> {
    if old.identity.is_some() || old.generated.is_some() {
        return None;
    }
    // Nullable and without a default: an insert that leaves it out is told apart from one
    // that sets it (the trigger copies the other column), and the contract side can add the
    // old column back (its down) on a table with rows.
    let added = Column {
        name: new.to_string(),
        not_null: false,
        default: None,
        comment: None,
        ..old.clone()
    };
    let quoted_table = table.quoted();
    let function = sync_function(table, &old.name, new);
    let trigger = quote_ident(&sync_trigger_name(&old.name, new));
    let summary = format!("rename column {table}.{} to {new}", old.name);
    let step = |sql: String, hazards: Vec<Hazard>, what: &str, transaction| PlannedStatement {
        sql,
        hazards,
        change: format!("{summary} ({what})"),
        transaction,
        batched: false,
        source: StatementSource::Change(source),
        step: Step::Whole,
    };
    let mut statements = vec![step(
        format!(
            "ALTER TABLE {quoted_table} ADD COLUMN {};",
            sql::column_definition(&added)
        ),
        vec![Hazard::AccessExclusiveLock],
        "add the new column",
        Transaction::Any,
    )];
    // The new column gets the old one's settings (statistics target, storage, …).
    for change in crate::family::column::new_column_settings(table, &added, &[]) {
        let mut setting = crate::render::render(&change, source);
        setting.change = format!("{summary} ({})", change.summary());
        statements.push(setting);
    }
    if old.not_null {
        statements.push(step(
            format!(
                "ALTER TABLE {quoted_table} ALTER COLUMN {} DROP NOT NULL;",
                quote_ident(&old.name)
            ),
            vec![Hazard::AccessExclusiveLock],
            "the old column optional while it goes",
            Transaction::Any,
        ));
    }
    statements.push(step(
        sync_function_sql(&function, &old.name, new),
        Vec::new(),
        "function keeping both columns in sync",
        Transaction::Any,
    ));
    statements.push(step(
        format!(
            "CREATE TRIGGER {trigger} BEFORE INSERT OR UPDATE ON {quoted_table} FOR EACH ROW \
             EXECUTE FUNCTION {}();",
            function.quoted()
        ),
        vec![Hazard::BehaviorChange],
        "trigger keeping both columns in sync",
        Transaction::Any,
    ));
    let mut backfill = crate::render::render(
        &Change::Column(ColumnChange::Backfill {
            table: table.clone(),
            column: new.to_string(),
            expression: quote_ident(&old.name),
        }),
        source,
    );
    backfill.change = format!("{summary} (copy existing rows in batches)");
    statements.push(backfill);
    Some(statements)
}

/// The trigger function: `autogen_sync_<table>_<old>_<new>` in the table's schema, shortened to
/// 63 bytes.
pub(crate) fn sync_function(table: &QualifiedName, old: &str, new: &str) -> QualifiedName {
    QualifiedName::new(
        &table.schema,
        fit(format!("autogen_sync_{}_{old}_{new}", table.name)),
    )
}

/// The trigger: `autogen_sync_<old>_<new>` (trigger names are per table), shortened to 63
/// bytes.
pub(crate) fn sync_trigger_name(old: &str, new: &str) -> String {
    fit(format!("autogen_sync_{old}_{new}"))
}

fn fit(mut name: String) -> String {
    if name.len() > MAX_IDENTIFIER_BYTES {
        let mut end = MAX_IDENTIFIER_BYTES;
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        name.truncate(end);
    }
    name
}

/// Whichever column a writer sets wins and is copied to the other: an old-version writer
/// knows only `old`, a new-version writer only `new`.
///
/// - `INSERT`: `new` given → `old := new`; else `new := old` (so `old`'s default reaches
///   `new` too).
/// - `UPDATE` that changes one of them → the other gets its value; that changes neither (or
///   both) → `new` is filled from `old` when still NULL (a row the backfill has not reached).
fn sync_function_sql(function: &QualifiedName, old: &str, new: &str) -> String {
    let (old, new) = (quote_ident(old), quote_ident(new));
    format!(
        "CREATE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS $autogen$\n\
         BEGIN\n\
         \x20 IF TG_OP = 'INSERT' THEN\n\
         \x20   IF NEW.{new} IS NULL THEN\n\
         \x20     NEW.{new} := NEW.{old};\n\
         \x20   ELSE\n\
         \x20     NEW.{old} := NEW.{new};\n\
         \x20   END IF;\n\
         \x20 ELSIF NEW.{old} IS DISTINCT FROM OLD.{old} AND NEW.{new} IS NOT DISTINCT FROM OLD.{new} THEN\n\
         \x20   NEW.{new} := NEW.{old};\n\
         \x20 ELSIF NEW.{new} IS DISTINCT FROM OLD.{new} AND NEW.{old} IS NOT DISTINCT FROM OLD.{old} THEN\n\
         \x20   NEW.{old} := NEW.{new};\n\
         \x20 ELSIF NEW.{new} IS NULL THEN\n\
         \x20   NEW.{new} := NEW.{old};\n\
         \x20 END IF;\n\
         \x20 RETURN NEW;\n\
         END\n\
         $autogen$;",
        function.quoted()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fit_63_bytes() {
        let table = QualifiedName::new("public", "t".repeat(40));
        let function = sync_function(&table, &"o".repeat(30), "n");
        assert_eq!(function.name.len(), 63);
        assert!(sync_trigger_name(&"é".repeat(40), "n").len() <= 63);
    }
}
