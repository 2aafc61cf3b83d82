//! Which migrations a database has applied, read from the tracking table of the stack that
//! applied them, as autogen revision ids (the same ids `load_graph` gives the files).

use tokio_postgres::Client;

use super::Layout;
use crate::error::database;
use crate::{MigrateError, RevisionGraph};

pub(crate) const SQLX_TABLE: &str = "_sqlx_migrations";
pub(crate) const DIESEL_TABLE: &str = "__diesel_schema_migrations";
pub(crate) const SEA_ORM_TABLE: &str = "seaql_migrations";

/// One migration a stack's tracking table records as applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedVersion {
    /// As an autogen revision id (the id `load_graph` gives its file).
    pub revision: String,
    /// Its file changed since it was applied: sqlx records a SHA-384 of the up file, and
    /// this is its check. Always false for Diesel and sea-orm, which record no checksum.
    pub edited: bool,
}

/// What `layout`'s runner recorded as applied in `client`'s database, oldest first; empty
/// when its table does not exist (nothing applied yet). sqlx's failed ("dirty") versions are
/// not applied. `graph` (the directory read in `layout`) finds the files to compare with
/// sqlx's checksums. For autogen's own layout, the rows of `autogen_revisions`, whose
/// checksums the caller compares.
pub async fn applied_versions(
    client: &Client,
    layout: Layout,
    graph: &RevisionGraph,
) -> Result<Vec<AppliedVersion>, MigrateError> {
    let query = match layout {
        Layout::Autogen => {
            return Ok(crate::applied_revisions(client)
                .await?
                .into_iter()
                .map(|row| AppliedVersion {
                    revision: row.revision,
                    edited: false,
                })
                .collect());
        }
        Layout::Sqlx => {
            "SELECT version::text, checksum FROM _sqlx_migrations WHERE success ORDER BY version"
        }
        Layout::Diesel => {
            "SELECT version::text, NULL::bytea FROM __diesel_schema_migrations ORDER BY run_on, version"
        }
        Layout::SeaOrm => {
            "SELECT version::text, NULL::bytea FROM seaql_migrations ORDER BY applied_at, version"
        }
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
        let recorded: Option<Vec<u8>> = row
            .try_get(1)
            .map_err(database("read the migration tracking table"))?;
        let revision = match layout {
            Layout::SeaOrm => super::sea_orm::version_of(&version).0,
            _ => version,
        };
        let edited = match (recorded, graph.get(&revision)) {
            (Some(recorded), Some(file)) => super::sqlx::checksum(&file.path)? != recorded,
            _ => false,
        };
        versions.push(AppliedVersion { revision, edited });
    }
    Ok(versions)
}
