//! Online mode: the plan rewritten so that tables that already exist stay readable and
//! writable while it runs.
//!
//! For a table the same plan does not create (a new table is empty: its plain statements are
//! instant and stay as they are):
//!
//! - `CREATE [UNIQUE] INDEX` → `CREATE [UNIQUE] INDEX CONCURRENTLY` (SHARE UPDATE EXCLUSIVE:
//!   writes go on during the build), `DROP INDEX` → `DROP INDEX CONCURRENTLY`. Both refuse a
//!   transaction block: [`Transaction::None`].
//! - a foreign key or a check → added `NOT VALID` (a brief lock, no scan), then
//!   `VALIDATE CONSTRAINT` (scans under SHARE UPDATE EXCLUSIVE: writes go on).
//! - `SET NOT NULL` → `ADD CONSTRAINT <tmp> CHECK (col IS NOT NULL) NOT VALID`, `VALIDATE`,
//!   `SET NOT NULL` (PostgreSQL skips its scan: the valid check proves it), `DROP CONSTRAINT
//!   <tmp>`.
//! - `DETACH PARTITION` → `DETACH PARTITION … CONCURRENTLY` (SHARE UPDATE EXCLUSIVE; refuses
//!   a transaction block: [`Transaction::None`]), unless the parent has a default partition
//!   (PostgreSQL refuses the concurrent form then); the check equal to the bound that the
//!   concurrent form leaves on the table is dropped after it.
//! - a unique constraint or a primary key → `CREATE UNIQUE INDEX CONCURRENTLY <name>`, then
//!   `ADD CONSTRAINT <name> UNIQUE|PRIMARY KEY USING INDEX <name>` (a brief lock, no build).
//!
//! The brief strong-lock steps and every `VALIDATE` are [`Transaction::Own`]: a lock is held
//! until its transaction ends, so the `NOT VALID` step's ACCESS EXCLUSIVE (or SHARE ROW
//! EXCLUSIVE) would otherwise last through the scan. A plan holding them is run statement by
//! statement (`transaction:false`), each committed before the next starts.
//!
//! The plan starts with `SET lock_timeout` (and `statement_timeout` when configured), so each
//! brief lock gives up instead of queueing the table's traffic behind it, and ends with their
//! `RESET`. Session settings: they stay in effect across the section's transactions.

use crate::change::*;
use crate::plan::Step;
use crate::{DiffError, Hazard, Plan, PlannedStatement, StatementSource, Transaction, diff};
use autogen_schema::{
    Catalog, Deferral, Index, IndexKey, IndexTarget, QualifiedName, quote_ident, quote_literal, sql,
};

/// PostgreSQL's identifier limit (NAMEDATALEN - 1), in bytes.
const MAX_IDENTIFIER_BYTES: usize = 63;

/// The settings of online mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnlineOptions {
    /// `SET lock_timeout` at the top of the plan, e.g. `5s`.
    pub lock_timeout: String,
    /// `SET statement_timeout` at the top of the plan, when given.
    pub statement_timeout: Option<String>,
}

impl Default for OnlineOptions {
    fn default() -> Self {
        Self {
            lock_timeout: "5s".to_string(),
            statement_timeout: None,
        }
    }
}

/// The online `up` plan that turns `current` into `desired` (see the module documentation).
pub fn plan_online(
    current: &Catalog,
    desired: &Catalog,
    options: &OnlineOptions,
) -> Result<Plan, DiffError> {
    let changes = diff(current, desired)?;
    Ok(plan_online_changes(&changes, options))
}

/// [`crate::plan_changes`] in online mode: same order, each change on an existing table
/// rewritten. Empty when `changes` is.
pub fn plan_online_changes(changes: &[Change], options: &OnlineOptions) -> Plan {
    if changes.is_empty() {
        return Plan::default();
    }
    let mut statements = settings(options);
    // Tables this plan creates are empty: their changes keep the plain statements.
    let plan = crate::plan_with(changes, |change, created| match table_of(change) {
        Some(table) if !created.contains(table) => online(change),
        _ => None,
    });
    statements.extend(plan.statements);
    statements.extend(resets(options));
    Plan {
        changes: plan.changes,
        statements,
    }
}

fn settings(options: &OnlineOptions) -> Vec<PlannedStatement> {
    let mut statements = vec![statement(
        format!(
            "SET lock_timeout = {};",
            quote_literal(&options.lock_timeout)
        ),
        vec![],
        "set lock_timeout for this section".to_string(),
        Transaction::Any,
    )];
    if let Some(timeout) = &options.statement_timeout {
        statements.push(statement(
            format!("SET statement_timeout = {};", quote_literal(timeout)),
            vec![],
            "set statement_timeout for this section".to_string(),
            Transaction::Any,
        ));
    }
    statements
}

fn resets(options: &OnlineOptions) -> Vec<PlannedStatement> {
    let mut statements = vec![statement(
        "RESET lock_timeout;".to_string(),
        vec![],
        "reset lock_timeout".to_string(),
        Transaction::Any,
    )];
    if options.statement_timeout.is_some() {
        statements.push(statement(
            "RESET statement_timeout;".to_string(),
            vec![],
            "reset statement_timeout".to_string(),
            Transaction::Any,
        ));
    }
    statements
}

/// A statement of online mode: a session setting, or one step of a change (the planner stamps
/// those with their change, see `plan_with`).
fn statement(
    sql: String,
    mut hazards: Vec<Hazard>,
    change: String,
    transaction: Transaction,
) -> PlannedStatement {
    hazards.sort();
    hazards.dedup();
    PlannedStatement {
        sql,
        hazards,
        change,
        transaction,
        batched: false,
        source: StatementSource::Setting,
        step: Step::Whole,
    }
}

/// `statement` as the given step of its change.
fn at(step: Step, statement: PlannedStatement) -> PlannedStatement {
    PlannedStatement { step, ..statement }
}

/// The existing table a change alters, for the changes online mode rewrites.
fn table_of(change: &Change) -> Option<&QualifiedName> {
    match change {
        Change::Index(IndexChange::Create { table, .. })
        | Change::Index(IndexChange::Drop { table, .. })
        | Change::Constraint(ConstraintChange::AddForeignKey { table, .. })
        | Change::Constraint(ConstraintChange::AddCheck { table, .. })
        | Change::Column(ColumnChange::SetNotNull { table, .. })
        | Change::Constraint(ConstraintChange::AddUnique { table, .. })
        | Change::Constraint(ConstraintChange::AddPrimaryKey { table, .. })
        | Change::Constraint(ConstraintChange::AddExclusion { table, .. })
        | Change::Table(TableChange::DetachPartition { table, .. }) => Some(table),
        _ => None,
    }
}

/// The online statements of `change`, or `None` to keep its plain statement.
fn online(change: &Change) -> Option<Vec<PlannedStatement>> {
    use Hazard::*;
    let summary = change.summary();
    let step = |what: &str| format!("{summary} ({what})");
    Some(match change {
        Change::Index(IndexChange::Create { table, index }) => {
            let mut hazards = vec![IndexBuild];
            if index.unique {
                hazards.push(MayFailOnExistingRows);
            }
            vec![statement(
                concurrently(&sql::create_index(table, index))?,
                hazards,
                summary,
                Transaction::None,
            )]
        }
        // SHARE UPDATE EXCLUSIVE on the parent and the partition, in two transactions of its
        // own (so never in a transaction block); PostgreSQL refuses it beside a default
        // partition, where the plain form stays.
        Change::Table(TableChange::DetachPartition {
            table,
            parent,
            concurrent_check: Some(check),
        }) => vec![
            statement(
                sql::detach_partition(parent, table, true),
                vec![BehaviorChange],
                summary.clone(),
                Transaction::None,
            ),
            // The concurrent form leaves a check equal to the bound on the detached table.
            statement(
                format!(
                    "ALTER TABLE {} DROP CONSTRAINT IF EXISTS {};",
                    table.quoted(),
                    quote_ident(check)
                ),
                vec![AccessExclusiveLock],
                step("drop the check of the former bound"),
                Transaction::Any,
            ),
        ],
        Change::Index(IndexChange::Drop { table, name }) => vec![statement(
            format!(
                "DROP INDEX CONCURRENTLY {};",
                QualifiedName::new(&table.schema, name).quoted()
            ),
            vec![],
            summary,
            Transaction::None,
        )],
        Change::Constraint(ConstraintChange::AddForeignKey { table, foreign_key })
            if !foreign_key.not_valid =>
        {
            vec![
                at(
                    Step::AddNotValid,
                    statement(
                        sql::add_constraint(table, &sql::foreign_key_definition(foreign_key), true),
                        vec![],
                        step("not valid"),
                        Transaction::Own,
                    ),
                ),
                at(
                    Step::Validate,
                    statement(
                        validate(table, &foreign_key.name),
                        vec![MayFailOnExistingRows],
                        step("validate"),
                        Transaction::Own,
                    ),
                ),
            ]
        }
        Change::Constraint(ConstraintChange::AddCheck { table, check }) if !check.not_valid => {
            vec![
                at(
                    Step::AddNotValid,
                    statement(
                        sql::add_constraint(table, &sql::check_definition(check), true),
                        vec![AccessExclusiveLock],
                        step("not valid"),
                        Transaction::Own,
                    ),
                ),
                at(
                    Step::Validate,
                    statement(
                        validate(table, &check.name),
                        vec![MayFailOnExistingRows],
                        step("validate"),
                        Transaction::Own,
                    ),
                ),
            ]
        }
        Change::Column(ColumnChange::SetNotNull { table, column }) => {
            let check = not_null_check_name(&table.name, column);
            let quoted_table = table.quoted();
            [
                statement(
                    format!(
                        "ALTER TABLE {quoted_table} ADD CONSTRAINT {} CHECK ({} IS NOT NULL) NOT VALID;",
                        quote_ident(&check),
                        quote_ident(column)
                    ),
                    vec![AccessExclusiveLock],
                    step("temporary check, not valid"),
                    Transaction::Own,
                ),
                statement(
                    validate(table, &check),
                    vec![MayFailOnExistingRows],
                    step("validate the temporary check"),
                    Transaction::Own,
                ),
                statement(
                    format!(
                        "ALTER TABLE {quoted_table} ALTER COLUMN {} SET NOT NULL;",
                        quote_ident(column)
                    ),
                    vec![AccessExclusiveLock],
                    step("no scan: the check proves it"),
                    Transaction::Own,
                ),
                statement(
                    format!(
                        "ALTER TABLE {quoted_table} DROP CONSTRAINT {};",
                        quote_ident(&check)
                    ),
                    vec![AccessExclusiveLock],
                    step("drop the temporary check"),
                    Transaction::Own,
                ),
            ]
            .into_iter()
            .map(|statement| at(Step::NotNull, statement))
            .collect()
        }
        Change::Constraint(ConstraintChange::AddUnique { table, unique })
            if !unique.name.is_empty() =>
        {
            using_index(
                table,
                &unique_index(
                    &unique.name,
                    &unique.columns,
                    &unique.include,
                    unique.nulls_not_distinct,
                    &unique.storage_parameters,
                ),
                "UNIQUE",
                unique.deferral,
                &summary,
            )?
        }
        Change::Constraint(ConstraintChange::AddPrimaryKey { table, primary_key })
            if !primary_key.name.is_empty() =>
        {
            using_index(
                table,
                &unique_index(
                    &primary_key.name,
                    &primary_key.columns,
                    &primary_key.include,
                    false,
                    &primary_key.storage_parameters,
                ),
                "PRIMARY KEY",
                primary_key.deferral,
                &summary,
            )?
        }
        _ => return None,
    })
}

/// `CREATE [UNIQUE] INDEX …` → `CREATE [UNIQUE] INDEX CONCURRENTLY …`.
fn concurrently(create_index: &str) -> Option<String> {
    let rest = create_index.strip_prefix("CREATE ")?;
    let (unique, rest) = match rest.strip_prefix("UNIQUE ") {
        Some(rest) => ("UNIQUE ", rest),
        None => ("", rest),
    };
    let rest = rest.strip_prefix("INDEX ")?;
    Some(format!("CREATE {unique}INDEX CONCURRENTLY {rest}"))
}

fn validate(table: &QualifiedName, constraint: &str) -> String {
    format!(
        "ALTER TABLE {} VALIDATE CONSTRAINT {};",
        table.quoted(),
        quote_ident(constraint)
    )
}

fn unique_index(
    name: &str,
    columns: &[String],
    include: &[String],
    nulls_not_distinct: bool,
    storage_parameters: &[String],
) -> Index {
    Index {
        name: name.to_string(),
        unique: true,
        method: "btree".to_string(),
        keys: columns
            .iter()
            .map(|column| IndexKey {
                target: IndexTarget::Column(column.clone()),
                collation: None,
                opclass: None,
                descending: false,
                nulls_first: false,
            })
            .collect(),
        include: include.to_vec(),
        predicate: None,
        nulls_not_distinct,
        storage_parameters: storage_parameters.to_vec(),
        comment: None,
    }
}

/// The constraint's index built concurrently, then attached (PostgreSQL renames nothing: the
/// index already has the constraint's name).
fn using_index(
    table: &QualifiedName,
    index: &Index,
    kind: &str,
    deferral: Deferral,
    summary: &str,
) -> Option<Vec<PlannedStatement>> {
    use Hazard::*;
    let create = concurrently(&sql::create_index(table, index))?;
    let name = quote_ident(&index.name);
    Some(vec![
        at(
            Step::BuildIndex,
            statement(
                create,
                vec![IndexBuild, MayFailOnExistingRows],
                format!("{summary} (build its index concurrently)"),
                Transaction::None,
            ),
        ),
        at(
            Step::AttachIndex,
            statement(
                format!(
                    "ALTER TABLE {} ADD CONSTRAINT {name} {kind} USING INDEX {name}{};",
                    table.quoted(),
                    deferral.sql_suffix()
                ),
                vec![AccessExclusiveLock],
                format!("{summary} (attach the index)"),
                Transaction::Own,
            ),
        ),
    ])
}

/// The temporary check of the `SET NOT NULL` steps: `<table>_<column>_autogen_nn`, the
/// table and column part shortened (on a character boundary) to fit 63 bytes.
pub(crate) fn not_null_check_name(table: &str, column: &str) -> String {
    const SUFFIX: &str = "_autogen_nn";
    let mut stem = format!("{table}_{column}");
    let limit = MAX_IDENTIFIER_BYTES - SUFFIX.len();
    if stem.len() > limit {
        let mut end = limit;
        while !stem.is_char_boundary(end) {
            end -= 1;
        }
        stem.truncate(end);
    }
    stem.push_str(SUFFIX);
    stem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_temporary_check_name_fits_63_bytes() {
        assert_eq!(
            not_null_check_name("users", "email"),
            "users_email_autogen_nn"
        );
        let long = not_null_check_name(&"t".repeat(60), &"é".repeat(30));
        assert!(long.len() <= 63, "{long}");
        assert!(long.ends_with("_autogen_nn"));
    }

    #[test]
    fn concurrently_goes_after_index() {
        assert_eq!(
            concurrently("CREATE UNIQUE INDEX \"a\" ON \"public\".\"t\" USING btree (\"x\");")
                .unwrap(),
            "CREATE UNIQUE INDEX CONCURRENTLY \"a\" ON \"public\".\"t\" USING btree (\"x\");"
        );
        assert_eq!(
            concurrently("CREATE INDEX ON t USING btree (x);").unwrap(),
            "CREATE INDEX CONCURRENTLY ON t USING btree (x);"
        );
    }
}
