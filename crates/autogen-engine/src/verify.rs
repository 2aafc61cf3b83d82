//! Plan verification (DESIGN principle 3): before anyone sees a plan, re-create the current
//! schema in a fresh dev database, apply `up`, and require the result to equal the desired
//! schema; then apply `down` and require the current schema again. A plan that does not
//! converge is an internal error, reported with what is left over. The views a plan drops and
//! re-creates (docs/diff.md, "Views") are created on the copy too, so their statements run.

use crate::dev::{DevPool, drop_quietly};
use crate::error::{EngineError, TypeNeedsConversion};
use crate::step::step;
use autogen_diff::{Change, ColumnChange, Migration, Plan, Verification};
use autogen_introspect::InspectOptions;
use autogen_schema::{Catalog, QualifiedName, View};
use std::collections::BTreeSet;
use tracing::Instrument;

/// Verifies `migration` from `current` to `desired`; `views` are those of the database
/// `current` was read from.
pub async fn verify(
    dev: &DevPool,
    options: &InspectOptions,
    current: &Catalog,
    views: &[View],
    desired: &Catalog,
    migration: &Migration,
) -> Result<Verification, EngineError> {
    let views = kept_views(views, migration);
    let up = &migration.up;
    let down = migration.down.as_ref().ok();
    // Re-creating a large schema costs far more than the plan: first verify on the tables the
    // plan touches only (with what their foreign keys and the kept views need), and fall back
    // to the whole schema should that not work out.
    if let Some((current_part, desired_part)) = touched_part(current, desired, migration, &views) {
        let database = dev
            .database()
            .instrument(step("verify: create a scratch database"))
            .await?;
        let result = run(
            &database,
            options,
            (&current_part, &views),
            &desired_part,
            up,
            down,
        )
        .await;
        drop_quietly(database)
            .instrument(step("verify: drop the scratch database"))
            .await;
        match result {
            // The user's to resolve; the whole schema would say the same.
            Err(error @ EngineError::TypeNeedsConversion(_)) => return Err(error),
            Ok(verified) => {
                tracing::info!(
                    "verified on the {} table(s) the plan touches (of {})",
                    current_part.tables.len().max(desired_part.tables.len()),
                    current.tables.len().max(desired.tables.len())
                );
                return Ok(verified);
            }
            Err(error) => tracing::info!(
                "verification on the touched tables failed ({error}); verifying on the whole schema"
            ),
        }
    }
    let database = dev
        .database()
        .instrument(step("verify: create a scratch database"))
        .await?;
    let result = run(&database, options, (current, &views), desired, up, down).await;
    drop_quietly(database)
        .instrument(step("verify: drop the scratch database"))
        .await;
    result
}

/// `current` and `desired` with only the tables the change between them touches, when that
/// is fewer than all; every schema, extension, type and sequence stays (a sequence owned by a
/// table left out is kept unowned on both sides).
fn touched_part(
    current: &Catalog,
    desired: &Catalog,
    migration: &Migration,
    views: &[&View],
) -> Option<(Catalog, Catalog)> {
    // Both directions (the migration's): a down can touch more (an added enum value's down
    // re-creates the type and converts every column of it). A down that could not be planned
    // is not verified, so its tables do not matter.
    let mut tables = migration.touched_tables.clone();
    tables.extend(
        views
            .iter()
            .flat_map(|view| view.depends_on.iter())
            .filter_map(|dependency| dependency.relation().cloned())
            .filter(|relation| {
                current.table(&relation.schema, &relation.name).is_some()
                    || desired.table(&relation.schema, &relation.name).is_some()
            }),
    );
    if tables.len() >= current.tables.len().max(desired.tables.len()) {
        return None;
    }
    let part = |catalog: &Catalog| {
        let mut part = Catalog {
            schemas: catalog.schemas.clone(),
            extensions: catalog.extensions.clone(),
            enums: catalog.enums.clone(),
            sequences: catalog.sequences.clone(),
            tables: catalog
                .tables
                .iter()
                .filter(|table| tables.contains(&table.qualified_name()))
                .cloned()
                .collect(),
        };
        for sequence in &mut part.sequences {
            if sequence
                .owned_by
                .as_ref()
                .is_some_and(|owner| !tables.contains(&owner.table))
            {
                sequence.owned_by = None;
            }
        }
        part
    };
    Some((part(current), part(desired)))
}

async fn run(
    database: &autogen_pg::TempDatabase,
    options: &InspectOptions,
    (current, views): (&Catalog, &[&View]),
    desired: &Catalog,
    up: &Plan,
    down: Option<&Plan>,
) -> Result<Verification, EngineError> {
    let mut client = database.connect().await?;
    recreate(&client, current, views)
        .instrument(step("verify: re-create the current schema"))
        .await?;
    apply(&client, up, "up")
        .instrument(step("verify: apply up"))
        .await?;
    async {
        let after_up = autogen_introspect::inspect(&mut client, options)
            .await?
            .catalog;
        converged("up", &after_up, desired)
    }
    .instrument(step("verify: read back and compare after up"))
    .await?;
    let Some(down) = down else {
        return Ok(Verification::Verified { down: false });
    };
    apply(&client, down, "down")
        .instrument(step("verify: apply down"))
        .await?;
    async {
        let after_down = autogen_introspect::inspect(&mut client, options)
            .await?
            .catalog;
        converged("down", &after_down, current)
    }
    .instrument(step("verify: read back and compare after down"))
    .await?;
    Ok(Verification::Verified { down: true })
}

/// Statements per round trip when re-creating the current schema: a multi-statement query runs
/// as one transaction, and one holding a whole large schema's locks exhausts the lock table of
/// a default-configured server (`--dev-url`).
const RECREATE_BATCH: usize = 200;

/// The views the migration drops and re-creates, with the views they use (which must exist to
/// create them), in creation order.
fn kept_views<'a>(views: &'a [View], migration: &Migration) -> Vec<&'a View> {
    let mut needed: BTreeSet<QualifiedName> = migration.kept_views.clone();
    loop {
        let before = needed.len();
        let used: Vec<QualifiedName> = views
            .iter()
            .filter(|view| needed.contains(&view.qualified_name()))
            .flat_map(|view| view.depends_on.iter())
            .filter_map(|dependency| dependency.relation().cloned())
            .filter(|relation| views.iter().any(|v| v.qualified_name() == *relation))
            .collect();
        needed.extend(used);
        if needed.len() == before {
            break;
        }
    }
    autogen_schema::views_in_creation_order(
        views
            .iter()
            .filter(|view| needed.contains(&view.qualified_name())),
    )
}

/// Re-creates `current` and `views` on the empty database, in batches.
pub async fn recreate(
    client: &autogen_pg::Client,
    current: &Catalog,
    views: &[&View],
) -> Result<(), EngineError> {
    let mut sql = current.to_sql();
    for view in views {
        for statement in view.create_sql() {
            sql.push_str(&statement);
            sql.push('\n');
        }
    }
    let statements = autogen_migrate::split_statements(&sql);
    for batch in statements.chunks(RECREATE_BATCH) {
        let sql: Vec<&str> = batch
            .iter()
            .map(|statement| statement.sql.as_str())
            .collect();
        client
            .batch_execute(&sql.join("\n"))
            .await
            .map_err(|error| EngineError::VerifySetup {
                detail: autogen_pg::error_text(&error),
            })?;
    }
    Ok(())
}

/// Runs a plan statement by statement, so a failure names its statement.
async fn apply(
    client: &autogen_pg::Client,
    plan: &Plan,
    direction: &'static str,
) -> Result<(), EngineError> {
    for statement in &plan.statements {
        if let Err(error) = client.batch_execute(&statement.sql).await {
            if let Some(refused) =
                type_needing_conversion(&error, plan.change_of(statement), direction)
            {
                return Err(refused);
            }
            return Err(EngineError::VerifyStatement {
                direction,
                statement: statement.sql.clone(),
                detail: autogen_pg::error_text(&error),
            });
        }
    }
    Ok(())
}

/// A column type change PostgreSQL refused because it knows no conversion between the two
/// types (`cannot_coerce` for `USING col::type`, `datatype_mismatch` for a `TYPE` without
/// `USING`): not a flaw of the plan but a change only the user can complete. `change` is the
/// change the failing statement comes from.
fn type_needing_conversion(
    error: &autogen_pg::tokio_postgres::Error,
    change: Option<&Change>,
    direction: &'static str,
) -> Option<EngineError> {
    use autogen_pg::tokio_postgres::error::SqlState;
    let code = error.code()?;
    if *code != SqlState::CANNOT_COERCE && *code != SqlState::DATATYPE_MISMATCH {
        return None;
    }
    let Some(Change::Column(ColumnChange::AlterType {
        table,
        column,
        from,
        to,
        ..
    })) = change
    else {
        return None;
    };
    Some(EngineError::TypeNeedsConversion(Box::new(
        TypeNeedsConversion {
            direction,
            column: format!("{table}.{column}"),
            example: format!(
                "ALTER TABLE {} ALTER COLUMN {} TYPE {to} USING <expression>;",
                table.quoted(),
                autogen_schema::quote_ident(column)
            ),
            from: from.clone(),
            to: to.clone(),
            detail: autogen_pg::error_text(error),
        },
    )))
}

/// Equal, or an error listing what a further plan would still have to change.
///
/// Column order is not compared: PostgreSQL appends every added column and cannot move one,
/// so a column added in the middle of a model, or re-added by a `down`, lands at the end.
fn converged(
    direction: &'static str,
    actual: &Catalog,
    expected: &Catalog,
) -> Result<(), EngineError> {
    if autogen_diff::equivalent(actual, expected) {
        return Ok(());
    }
    let residual = match autogen_diff::plan(actual, expected) {
        Ok(plan) if !plan.statements.is_empty() => plan
            .statements
            .iter()
            .map(|statement| statement.change.clone())
            .collect::<Vec<_>>()
            .join("; "),
        Ok(_) => "a difference the diff engine does not see".to_string(),
        Err(error) => error.to_string(),
    };
    Err(EngineError::NotConverged {
        direction,
        residual,
    })
}
