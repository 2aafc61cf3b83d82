//! Checking the bodies of declared functions and procedures once everything exists. They are
//! created with `check_function_bodies = false` (a body may use what is created after it, as
//! in pg_dump's output), so a mistake in a body would otherwise surface only when a revision
//! creates the routine on a real database. Each routine declaration is run again as
//! `CREATE OR REPLACE` with the check on, inside a transaction that is rolled back, and
//! PostgreSQL's complaint is reported at its line of the SQL file.

use super::apply::connection_lost;
use crate::declarations::{SqlDeclarations, replaceable_routine};
use crate::error::EngineError;

pub(super) async fn check_bodies(
    client: &autogen_pg::Client,
    sql: &SqlDeclarations,
) -> Result<(), EngineError> {
    let routines: Vec<_> = sql
        .statements
        .iter()
        .filter_map(|declaration| {
            replaceable_routine(&declaration.sql).map(|replacement| (declaration, replacement))
        })
        .collect();
    if routines.is_empty() {
        return Ok(());
    }
    client
        .batch_execute("SET check_function_bodies = true; BEGIN")
        .await
        .map_err(|error| connection_lost(&error))?;
    for (declaration, replacement) in routines {
        if let Err(error) = client.batch_execute(&replacement.sql).await {
            if error.as_db_error().is_none() {
                return Err(connection_lost(&error));
            }
            // The database is dropped with the error: no need to roll back.
            let position = autogen_pg::error_position(&error)
                .map(|position| replacement.original_position(position));
            return Err(EngineError::DeclarationRejected {
                path: declaration.path.clone(),
                line: declaration.line_at(position),
                message: autogen_pg::error_text(&error),
            });
        }
    }
    client
        .batch_execute("ROLLBACK; SET check_function_bodies = false")
        .await
        .map_err(|error| connection_lost(&error))
}
