//! Which migrations a database has applied, read from the tracking table of the stack that
//! applied them, as autogen revision ids (the same ids `load_graph` gives the files).

use tokio_postgres::Client;

use super::Layout;
use crate::MigrateError;
use crate::error::database;

pub(crate) const SQLX_TABLE: &str = "_sqlx_migrations";
pub(crate) const DIESEL_TABLE: &str = "__diesel_schema_migrations";
pub(crate) const SEA_ORM_TABLE: &str = "seaql_migrations";

/// The revision ids `layout`'s runner recorded in `client`'s database, oldest first; empty
/// when its table does not exist (nothing applied yet). sqlx's failed ("dirty") versions are
/// not applied. For autogen's own layout, the rows of `autogen_revisions`.
pub async fn applied_versions(
    client: &Client,
    layout: Layout,
) -> Result<Vec<String>, MigrateError> {
    let query = match layout {
        Layout::Autogen => {
            return Ok(crate::applied_revisions(client)
                .await?
                .into_iter()
                .map(|row| row.revision)
                .collect());
        }
        Layout::Sqlx => "SELECT version::text FROM _sqlx_migrations WHERE success ORDER BY version",
        Layout::Diesel => {
            "SELECT version::text FROM __diesel_schema_migrations ORDER BY run_on, version"
        }
        Layout::SeaOrm => "SELECT version::text FROM seaql_migrations ORDER BY applied_at, version",
    };
    let Some(table) = layout.tracking_table() else {
        return Ok(Vec::new());
    };
    // Unqualified, like the stacks themselves create and read it: the search path decides.
    let exists: bool = client
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&table])
        .await
        .and_then(|row| row.try_get(0))
        .map_err(database("look for the migration tracking table"))?;
    if !exists {
        return Ok(Vec::new());
    }
    let rows = client
        .query(query, &[])
        .await
        .map_err(database("read the migration tracking table"))?;
    let mut versions = Vec::with_capacity(rows.len());
    for row in rows {
        let version: String = row
            .try_get(0)
            .map_err(database("read the migration tracking table"))?;
        versions.push(match layout {
            Layout::SeaOrm => super::sea_orm::version_of(&version).0,
            _ => version,
        });
    }
    Ok(versions)
}
