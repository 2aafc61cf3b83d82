//! Checking the bodies of declared functions and procedures once everything exists. They are
//! created with `check_function_bodies = false` (a body may use what is created after it, as
//! in pg_dump's output), so a mistake in a body would otherwise surface only when a revision
//! creates the routine on a real database. Each routine declaration is run again as
//! `CREATE OR REPLACE` with the check on, inside a transaction that is rolled back, and
//! PostgreSQL's complaint is reported at its line of the SQL file. Unqualified names in a body
//! resolve through the `search_path` of the session that calls it: the check uses the one the
//! project declares for its databases (`[models] search_path`), PostgreSQL's default otherwise.

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
        .batch_execute(&format!(
            "SET check_function_bodies = true; BEGIN{}",
            search_path_setting(&sql.search_path)
        ))
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
            let mut message = autogen_pg::error_text(&error);
            if sql.search_path.is_empty() && names_something_missing(&error) {
                message.push_str(
                    "; routine bodies are checked with PostgreSQL's default search_path \
                     (\"$user\", public): schema-qualify the name, give the routine a `SET \
                     search_path`, or, if your databases set one for every session, declare it \
                     in autogen.toml: [models] search_path = [\"app\", \"public\"]",
                );
            }
            return Err(EngineError::DeclarationRejected {
                path: declaration.path.clone(),
                line: declaration.line_at(position),
                message,
            });
        }
    }
    client
        .batch_execute("ROLLBACK; SET check_function_bodies = false")
        .await
        .map_err(|error| connection_lost(&error))
}

/// `; SET LOCAL search_path = "a", "b"` for the check's transaction; nothing when the project
/// declares none (the session's default stays).
fn search_path_setting(schemas: &[String]) -> String {
    if schemas.is_empty() {
        return String::new();
    }
    let schemas: Vec<String> = schemas
        .iter()
        .map(|schema| autogen_schema::quote_ident(schema))
        .collect();
    format!("; SET LOCAL search_path = {}", schemas.join(", "))
}

/// An undefined table, function, type or other object: what an unqualified name that the
/// callers' search_path would find looks like under an empty one.
fn names_something_missing(error: &autogen_pg::tokio_postgres::Error) -> bool {
    use autogen_pg::tokio_postgres::error::SqlState;
    error.code().is_some_and(|code| {
        [
            SqlState::UNDEFINED_TABLE,
            SqlState::UNDEFINED_FUNCTION,
            SqlState::UNDEFINED_OBJECT,
            SqlState::UNDEFINED_COLUMN,
        ]
        .contains(code)
    })
}
