//! Normalization of declared models through PostgreSQL (DESIGN principle 1): the declared
//! catalog's own DDL (`Catalog::statements`, see `model_ddl.rs`) is applied to a fresh dev
//! database and read back, so the desired schema is spelled exactly as PostgreSQL stores it —
//! including the names PostgreSQL itself gives unnamed constraints and indexes.

use crate::cache::{KeyBuilder, Kind};
use crate::dev::{DevPool, drop_quietly};
use crate::error::{EngineError, ModelRejected};
use autogen_introspect::{InspectOptions, Inspection};
use autogen_model::Models;
use autogen_pg::TempDatabase;
use model_ddl::{ModelStatement, model_statements};

mod model_ddl;

/// The models as PostgreSQL makes them: applied to a fresh database on the dev server (dropped
/// afterwards) and read back with `options`.
pub async fn normalize(
    models: &Models,
    dev: &DevPool,
    options: &InspectOptions,
) -> Result<Inspection, EngineError> {
    // The result depends only on the declared catalog, the options and the server version: cached under those (cache.rs). Failures are never cached.
    // A catalog that does not serialize (it always does) is simply not cached: an empty key
    // part would let such catalogs answer for each other.
    let declared = serde_json::to_string(&models.catalog).ok();
    let key = match (dev.cache(), declared) {
        (Some(_), Some(declared)) => {
            let mut key = KeyBuilder::new(Kind::Models, dev.server_version().await?, options);
            key.add(&declared);
            Some(key.finish())
        }
        _ => None,
    };
    if let (Some(cache), Some(key)) = (dev.cache(), &key)
        && let Some(inspection) = cache.get(Kind::Models, key)
    {
        return Ok(inspection);
    }
    let database = dev.database().await?;
    let result = apply_and_inspect(models, &database, options).await;
    drop_quietly(database).await;
    if let (Ok(inspection), Some(cache), Some(key)) = (&result, dev.cache(), &key) {
        cache.put(Kind::Models, key, inspection);
    }
    result
}

/// Applies the models to `database` (which must be empty) and reads back the schemas
/// `options` select.
async fn apply_and_inspect(
    models: &Models,
    database: &TempDatabase,
    options: &InspectOptions,
) -> Result<Inspection, EngineError> {
    let mut client = database.connect().await?;
    for statement in model_statements(models) {
        let mut created: Vec<String> = Vec::new();
        while let Err(error) = client.batch_execute(&statement.sql).await {
            match extension_for_missing_type(&client, &error, &statement).await {
                Some(extension) if !created.contains(&extension) => {
                    let create = format!(
                        "CREATE EXTENSION IF NOT EXISTS {}",
                        autogen_schema::quote_ident(&extension)
                    );
                    if let Err(error) = client.batch_execute(&create).await {
                        return Err(rejected(models, &statement, &error));
                    }
                    tracing::info!("the models use a type of extension {extension}: created it");
                    created.push(extension);
                }
                _ => return Err(rejected(models, &statement, &error)),
            }
        }
    }
    Ok(autogen_introspect::inspect(&mut client, options).await?)
}

/// Models cannot declare extensions yet, so a type PostgreSQL does not know that shares its
/// name with an available extension (citext, hstore, ltree, cube, …) is taken to come from
/// that extension. The extension then appears in the desired schema like any other object.
/// Language-independent: the error is recognized by its SQLSTATE, and the missing type among
/// the statement's column types by asking the server (`to_regtype`), never by reading the
/// (possibly translated) message.
async fn extension_for_missing_type(
    client: &autogen_pg::Client,
    error: &autogen_pg::tokio_postgres::Error,
    statement: &ModelStatement,
) -> Option<String> {
    let db_error = error.as_db_error()?;
    if db_error.code() != &autogen_pg::tokio_postgres::error::SqlState::UNDEFINED_OBJECT {
        return None;
    }
    for data_type in &statement.types {
        let element = data_type.trim_end_matches("[]");
        let known = client
            .query_one("SELECT pg_catalog.to_regtype($1) IS NOT NULL", &[&element])
            .await
            .ok()?
            .try_get::<_, bool>(0)
            .ok()?;
        if known {
            continue;
        }
        let name = element.rsplit('.').next()?.trim_matches('"').to_string();
        let available = client
            .query_opt(
                "SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = $1",
                &[&name],
            )
            .await
            .ok()?;
        if available.is_some() {
            return Some(name);
        }
    }
    None
}

fn rejected(
    models: &Models,
    statement: &ModelStatement,
    error: &autogen_pg::tokio_postgres::Error,
) -> EngineError {
    if error.as_db_error().is_none() {
        // No message from PostgreSQL: the connection went away under the statement, which
        // says nothing about the model (the session attributes it to the dev server).
        return EngineError::DevConnectionLost {
            during: "normalizing the models",
            detail: autogen_pg::error_text(error),
        };
    }
    let message = autogen_pg::error_text(error);
    let position = autogen_pg::error_position(error);
    let origin = statement.origin_at(position);
    let text = models
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
