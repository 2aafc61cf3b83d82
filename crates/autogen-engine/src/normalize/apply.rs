//! Running the declared schema's statements on the scratch database in an order that works
//! whatever their dependencies: the SQL declarations of what models may use (types, domains,
//! functions, collations, …) first, then the models' own DDL, then every other declaration;
//! each statement in its own implicit transaction. A statement that fails because something it
//! needs does not exist yet (a table, function, type, column or schema) is tried again after a
//! pass over the others, until everything succeeds or a pass changes nothing. Then the failure
//! no other failure explains (`root_cause.rs`) is reported at its origin — a model's field or
//! attribute, or a SQL file's line. Any other error is reported at once.

use super::DeclaredSchema;
use super::extension::extension_for_missing_type;
use super::model_ddl::{ModelStatement, model_statements};
use super::root_cause::root_cause;
use crate::declarations::{Declaration, Stage};
use crate::error::{EngineError, ModelRejected};
use autogen_pg::tokio_postgres::error::SqlState;

/// One statement to run, and what to blame when PostgreSQL rejects it.
enum Step<'a> {
    Model(ModelStatement),
    Declared(&'a Declaration),
}

impl Step<'_> {
    fn sql(&self) -> &str {
        match self {
            Step::Model(statement) => &statement.sql,
            Step::Declared(declaration) => &declaration.sql,
        }
    }
}

/// Function bodies may use what is created after them (pg_dump sets the same); everything a
/// body names is checked when it runs.
const SETUP: &str = "SET check_function_bodies = false";

/// Runs every statement of `declared` on `client` (an empty database).
pub(super) async fn apply(
    client: &autogen_pg::Client,
    declared: &DeclaredSchema,
) -> Result<(), EngineError> {
    client
        .batch_execute(SETUP)
        .await
        .map_err(|error| connection_lost(&error))?;
    let roles = declared
        .sql
        .statements
        .iter()
        .flat_map(|declaration| autogen_migrate::roles_named(&declaration.sql))
        .chain(crate::roles::of_catalog(&declared.models.catalog))
        .collect();
    crate::roles::ensure(client, roles).await?;
    let declarations = |stage: Stage| {
        declared
            .sql
            .statements
            .iter()
            .filter(move |declaration| declaration.stage == stage)
            .map(Step::Declared)
    };
    let mut pending: Vec<Step> = declarations(Stage::BeforeModels)
        .chain(
            model_statements(&declared.models)
                .into_iter()
                .map(Step::Model),
        )
        .chain(declarations(Stage::AfterModels))
        .collect();
    let mut extensions: Vec<String> = Vec::new();
    while !pending.is_empty() {
        let before = pending.len();
        let mut waiting = Vec::new();
        for step in pending {
            match client.batch_execute(step.sql()).await {
                Ok(()) => {}
                Err(error) if may_wait(&error) => waiting.push((step, error)),
                Err(error) => return Err(rejected(declared, &step, &error)),
            }
        }
        if waiting.len() == before
            && !created_missing_extension(client, declared, &waiting, &mut extensions).await?
        {
            // A pass changed nothing: what is still missing is declared nowhere.
            let failing: Vec<&str> = waiting.iter().map(|(step, _)| step.sql()).collect();
            let (step, error) = &waiting[root_cause(&failing)];
            return Err(rejected(declared, step, error));
        }
        pending = waiting.into_iter().map(|(step, _)| step).collect();
    }
    Ok(())
}

/// An error a statement run later may fix: something it names does not exist (yet).
fn may_wait(error: &autogen_pg::tokio_postgres::Error) -> bool {
    error.as_db_error().is_some_and(|db_error| {
        [
            SqlState::UNDEFINED_TABLE,
            SqlState::UNDEFINED_FUNCTION,
            SqlState::UNDEFINED_OBJECT,
            SqlState::UNDEFINED_COLUMN,
            SqlState::INVALID_SCHEMA_NAME,
        ]
        .contains(db_error.code())
    })
}

/// The last resort when nothing declared provides a model's column type: the extension of
/// that name (see `extension.rs`). True when one was created, so another pass may succeed.
async fn created_missing_extension(
    client: &autogen_pg::Client,
    declared: &DeclaredSchema,
    waiting: &[(Step<'_>, autogen_pg::tokio_postgres::Error)],
    created: &mut Vec<String>,
) -> Result<bool, EngineError> {
    let mut any = false;
    for (step, error) in waiting {
        let Step::Model(statement) = step else {
            continue;
        };
        let Some(extension) = extension_for_missing_type(client, error, &statement.types).await
        else {
            continue;
        };
        if created.contains(&extension) {
            continue;
        }
        let create = format!(
            "CREATE EXTENSION IF NOT EXISTS {}",
            autogen_schema::quote_ident(&extension)
        );
        if let Err(error) = client.batch_execute(&create).await {
            return Err(rejected(declared, step, &error));
        }
        tracing::info!("the models use a type of extension {extension}: created it");
        created.push(extension);
        any = true;
    }
    Ok(any)
}

pub(super) fn connection_lost(error: &autogen_pg::tokio_postgres::Error) -> EngineError {
    EngineError::DevConnectionLost {
        during: "normalizing the models",
        detail: autogen_pg::error_text(error),
    }
}

/// PostgreSQL's message at the origin of `step`.
fn rejected(
    declared: &DeclaredSchema,
    step: &Step<'_>,
    error: &autogen_pg::tokio_postgres::Error,
) -> EngineError {
    if error.as_db_error().is_none() {
        // No message from PostgreSQL: the connection went away under the statement, which
        // says nothing about the models (the session attributes it to the dev server).
        return connection_lost(error);
    }
    let message = autogen_pg::error_text(error);
    let position = autogen_pg::error_position(error);
    match step {
        Step::Model(statement) => {
            let origin = statement.origin_at(position);
            let text = declared
                .models
                .sources
                .iter()
                .find(|source| source.path == origin.file)
                .map(|source| source.text.clone())
                .unwrap_or_default();
            EngineError::ModelRejected(Box::new(ModelRejected::new(
                origin,
                text,
                message,
                statement.sql.clone(),
            )))
        }
        Step::Declared(declaration) => EngineError::DeclarationRejected {
            path: declaration.path.clone(),
            line: declaration.line_at(position),
            message,
        },
    }
}
