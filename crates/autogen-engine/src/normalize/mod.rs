//! Normalization of the declared schema through PostgreSQL (DESIGN principle 1): the
//! declared catalog's own DDL (`Catalog::statements`, traced back to the models by
//! `model_ddl.rs`) and the project's SQL declarations are applied to a fresh dev database
//! (`apply.rs`, in an order that works whatever their dependencies; routine bodies are checked
//! once everything exists, `bodies.rs`) and read back, so the
//! desired schema is spelled exactly as PostgreSQL stores it — including the names PostgreSQL
//! itself gives unnamed constraints and indexes.

use crate::cache::{KeyBuilder, Kind};
use crate::declarations::SqlDeclarations;
use crate::dev::{DevPool, drop_quietly};
use crate::error::EngineError;
use autogen_introspect::{InspectOptions, Inspection};
use autogen_model::Models;
use autogen_pg::TempDatabase;

mod apply;
mod bodies;
mod extension;
mod model_ddl;
mod root_cause;

/// The desired schema as the project declares it: the models, and the SQL declarations of what
/// a struct cannot express.
#[derive(Debug, Clone)]
pub struct DeclaredSchema {
    pub models: Models,
    pub sql: SqlDeclarations,
}

impl DeclaredSchema {
    /// Models alone (a models SRC).
    pub fn models(models: Models) -> DeclaredSchema {
        DeclaredSchema {
            models,
            sql: SqlDeclarations::default(),
        }
    }
}

/// The declared schema as PostgreSQL makes it: applied to a fresh database on the dev server
/// (dropped afterwards) and read back with `options`.
pub async fn normalize(
    declared: &DeclaredSchema,
    dev: &DevPool,
    options: &InspectOptions,
) -> Result<Inspection, EngineError> {
    // The result depends only on the declared catalog, the SQL declarations' text, the options
    // and the server version: cached under those (cache.rs). Failures are never cached.
    // A catalog that does not serialize (it always does) is simply not cached: an empty key
    // part would let such catalogs answer for each other.
    let catalog = serde_json::to_string(&declared.models.catalog).ok();
    let key = match (dev.cache(), catalog) {
        (Some(_), Some(catalog)) => {
            let mut key = KeyBuilder::new(Kind::Models, dev.server_version().await?, options);
            key.add(&catalog);
            // Every file's text, in order (the statements, their order and stage follow from
            // it; paths only name errors, which are never cached).
            key.add(&declared.sql.files.len().to_string());
            for file in &declared.sql.files {
                key.add(&file.text);
            }
            // The bodies' search_path decides whether a declaration is accepted.
            key.add(&declared.sql.search_path.join("\0"));
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
    let result = apply_and_inspect(declared, &database, options).await;
    drop_quietly(database).await;
    if let (Ok(inspection), Some(cache), Some(key)) = (&result, dev.cache(), &key) {
        cache.put(Kind::Models, key, inspection);
    }
    result
}

/// Applies the declared schema to `database` (which must be empty) and reads back the schemas
/// `options` select.
async fn apply_and_inspect(
    declared: &DeclaredSchema,
    database: &TempDatabase,
    options: &InspectOptions,
) -> Result<Inspection, EngineError> {
    let mut client = database.connect().await?;
    apply::apply(&client, declared).await?;
    bodies::check_bodies(&client, &declared.sql).await?;
    crate::inspection::inspect(&mut client, database.connect().await, options).await
}
