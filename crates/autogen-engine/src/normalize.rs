//! Normalization of declared models through PostgreSQL (DESIGN principle 1): the declared
//! catalog is rendered to DDL, applied to a fresh dev database, and read back, so the
//! desired schema is spelled exactly as PostgreSQL stores it — including the names
//! PostgreSQL itself gives unnamed constraints and indexes.

use crate::cache::{KeyBuilder, Kind};
use crate::dev::{DevPool, drop_quietly};
use crate::error::{EngineError, ModelRejected};
use autogen_introspect::{InspectOptions, Inspection};
use autogen_model::{Models, Origin};
use autogen_pg::TempDatabase;
use autogen_schema::sql;
use std::ops::Range;

/// One statement of the declared schema, with the model source that produced it and, for
/// `CREATE TABLE`, the character range of each column and constraint inside it (PostgreSQL
/// reports error positions in characters).
struct Statement {
    sql: String,
    origin: Origin,
    parts: Vec<(Range<usize>, Origin)>,
    /// The column types a `CREATE TABLE` uses (to find a type an extension would bring).
    types: Vec<String>,
}

impl Statement {
    fn single(sql: String, origin: &Origin) -> Self {
        Self {
            sql,
            origin: origin.clone(),
            parts: Vec::new(),
            types: Vec::new(),
        }
    }

    /// The origin of the part containing the 1-based character `position`.
    fn origin_at(&self, position: Option<usize>) -> &Origin {
        position
            .and_then(|position| {
                self.parts
                    .iter()
                    .find(|(range, _)| range.contains(&(position - 1)))
            })
            .map(|(_, origin)| origin)
            .unwrap_or(&self.origin)
    }
}

/// The declared catalog as statements in dependency order: schemas, enum types, tables (with
/// primary keys, uniques and checks inline), indexes, foreign keys, comments.
fn declared_statements(models: &Models) -> Vec<Statement> {
    let catalog = &models.catalog;
    let origins = &models.origins;
    let mut statements = Vec::new();
    for schema in &catalog.schemas {
        // A schema has no source of its own: blame the first object that lives in it.
        let origin = catalog
            .tables
            .iter()
            .zip(&origins.tables)
            .find(|(table, _)| table.schema == schema.name)
            .map(|(_, table_origins)| &table_origins.table)
            .or_else(|| {
                catalog
                    .enums
                    .iter()
                    .zip(&origins.enums)
                    .find(|(enum_type, _)| enum_type.schema == schema.name)
                    .map(|(_, origin)| origin)
            });
        if let Some(origin) = origin {
            statements.push(Statement::single(sql::create_schema(schema), origin));
        }
    }
    for (enum_type, origin) in catalog.enums.iter().zip(&origins.enums) {
        statements.push(Statement::single(sql::create_enum(enum_type), origin));
    }
    for (table, table_origins) in catalog.tables.iter().zip(&origins.tables) {
        statements.push(create_table(table, table_origins));
    }
    for (table, table_origins) in catalog.tables.iter().zip(&origins.tables) {
        let name = table.qualified_name();
        for (index, origin) in table.indexes.iter().zip(&table_origins.indexes) {
            statements.push(Statement::single(sql::create_index(&name, index), origin));
        }
    }
    for (table, table_origins) in catalog.tables.iter().zip(&origins.tables) {
        let name = table.qualified_name();
        for (foreign_key, origin) in table.foreign_keys.iter().zip(&table_origins.foreign_keys) {
            let definition = sql::foreign_key_definition(foreign_key);
            statements.push(Statement::single(
                sql::add_constraint(&name, &definition, false),
                origin,
            ));
        }
    }
    for (enum_type, origin) in catalog.enums.iter().zip(&origins.enums) {
        if enum_type.comment.is_some() {
            let name = autogen_schema::QualifiedName::new(&enum_type.schema, &enum_type.name);
            statements.push(Statement::single(
                sql::comment_on(sql::CommentOn::Type(&name), &enum_type.comment),
                origin,
            ));
        }
    }
    for (table, table_origins) in catalog.tables.iter().zip(&origins.tables) {
        let name = table.qualified_name();
        if table.comment.is_some() {
            statements.push(Statement::single(
                sql::comment_on(sql::CommentOn::Table(&name), &table.comment),
                &table_origins.table,
            ));
        }
        for (column, origin) in table.columns.iter().zip(&table_origins.columns) {
            if column.comment.is_some() {
                statements.push(Statement::single(
                    sql::comment_on(sql::CommentOn::Column(&name, &column.name), &column.comment),
                    origin,
                ));
            }
        }
    }
    statements
}

/// `CREATE TABLE` with columns, primary key, uniques and checks, remembering where each
/// part sits so an error PostgreSQL positions can be traced to its field or attribute.
fn create_table(table: &autogen_schema::Table, origins: &autogen_model::TableOrigins) -> Statement {
    let mut parts: Vec<(String, &Origin)> = table
        .columns
        .iter()
        .zip(&origins.columns)
        .map(|(column, origin)| (sql::column_definition(column), origin))
        .collect();
    if let Some(primary_key) = &table.primary_key {
        let origin = origins.primary_key.as_ref().unwrap_or(&origins.table);
        parts.push((sql::primary_key_definition(primary_key), origin));
    }
    for (unique, origin) in table.uniques.iter().zip(&origins.uniques) {
        parts.push((sql::unique_definition(unique), origin));
    }
    for (check, origin) in table.checks.iter().zip(&origins.checks) {
        parts.push((sql::check_definition(check), origin));
    }
    let mut text = format!("CREATE TABLE {} (", table.qualified_name().quoted());
    let mut ranges = Vec::with_capacity(parts.len());
    for (position, (part, origin)) in parts.iter().enumerate() {
        text.push_str(if position == 0 { "\n    " } else { ",\n    " });
        let start = text.chars().count();
        text.push_str(part);
        ranges.push((start..text.chars().count(), (*origin).clone()));
    }
    text.push_str("\n);");
    Statement {
        sql: text,
        origin: origins.table.clone(),
        parts: ranges,
        types: table
            .columns
            .iter()
            .map(|column| column.data_type.clone())
            .collect(),
    }
}

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
    for statement in declared_statements(models) {
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
    statement: &Statement,
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
    statement: &Statement,
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
