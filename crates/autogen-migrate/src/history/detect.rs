//! Finding other tools' tracking tables on a database and reading how far each got. Tables
//! are recognized by name and by the columns the tool creates, so an application's own table
//! that happens to share a name is left alone.

use std::collections::BTreeMap;

use tokio_postgres::Client;

use super::{OldTool, SCHEMA_VERSION_TABLE, TOOL_TABLES};
use crate::MigrateError;
use crate::error::database;

/// One tool's tracking table on a database and what it records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldHistory {
    pub tool: OldTool,
    pub schema: String,
    pub table: String,
    /// The versions it records as applied, oldest first (Alembic: the revisions the database
    /// is at, its heads; a hand-kept `schema_version`: its rows' versions, in numeric order).
    pub applied: Vec<String>,
    /// The newest applied one's description, when the tool records one.
    pub description: Option<String>,
    /// Rows of runs that failed (sqlx and Flyway record them), not counted as applied.
    pub failed: usize,
    /// sqlx's SHA-384 of each applied file, by version: an import compares the files with it.
    pub checksums: BTreeMap<String, Vec<u8>>,
}

impl OldHistory {
    /// The version the database is at in the old tool (the newest applied).
    pub fn current(&self) -> Option<&str> {
        self.applied.last().map(String::as_str)
    }

    /// `schema.table`, as messages and `[migrations] ignore_tables` spell it.
    pub fn qualified_table(&self) -> String {
        format!("{}.{}", self.schema, self.table)
    }

    /// One line for people: the tool, the table, and where the database is in it.
    pub fn describe(&self) -> String {
        let at = match (self.tool, self.current()) {
            (_, None) => "nothing applied".to_owned(),
            (OldTool::Alembic, Some(_)) => format!("at revision {}", self.applied.join(", ")),
            (OldTool::SchemaVersion, Some(version)) => format!("at version {version}"),
            (_, Some(version)) => {
                let described = match &self.description {
                    Some(description) if !description.is_empty() => {
                        format!(" ({description})")
                    }
                    _ => String::new(),
                };
                format!(
                    "{} applied migration(s), at version {version}{described}",
                    self.applied.len()
                )
            }
        };
        let failed = if self.failed > 0 {
            format!("; {} failed run(s) recorded", self.failed)
        } else {
            String::new()
        };
        format!(
            "{} history in {}: {at}{failed}",
            self.tool,
            self.qualified_table()
        )
    }
}

/// Every tracking table of another tool on `client`'s database (in any user schema), with
/// what it records. Empty when there is none.
pub async fn detect_histories(client: &Client) -> Result<Vec<OldHistory>, MigrateError> {
    let mut names: Vec<&str> = TOOL_TABLES.iter().map(|(name, _)| *name).collect();
    names.push(SCHEMA_VERSION_TABLE);
    let rows = client
        .query(
            "SELECT n.nspname::text, c.relname::text,
                    array(SELECT a.attname::text FROM pg_catalog.pg_attribute a
                          WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)
             FROM pg_catalog.pg_class c
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p') AND c.relname = ANY($1)
               AND n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND n.nspname NOT LIKE 'pg\\_%'
             ORDER BY 1, 2",
            &[&names],
        )
        .await
        .map_err(database("look for other migration tools' tracking tables"))?;
    let mut found = Vec::new();
    for row in rows {
        let read = database("read the tracking tables' names");
        let schema: String = row.try_get(0).map_err(read)?;
        let table: String = row
            .try_get(1)
            .map_err(database("read the tracking tables' names"))?;
        let columns: Vec<String> = row
            .try_get(2)
            .map_err(database("read the tracking tables' columns"))?;
        let Some(tool) = recognize(&table, &columns) else {
            continue;
        };
        // sqlx has recorded checksums since its first release; read them only where they are.
        let checksums = tool == OldTool::Sqlx && columns.iter().any(|c| c == "checksum");
        found.push(read_history(client, tool, schema, table, checksums).await?);
    }
    Ok(found)
}

/// The tool keeping a table of this name and these columns, if it is one.
fn recognize(table: &str, columns: &[String]) -> Option<OldTool> {
    let has = |names: &[&str]| names.iter().all(|name| columns.iter().any(|c| c == name));
    if table == SCHEMA_VERSION_TABLE {
        // Flyway before 5 kept its history under this name, with its own columns.
        if has(&["installed_rank", "version", "success"]) {
            return Some(OldTool::Flyway);
        }
        return has(&["version"]).then_some(OldTool::SchemaVersion);
    }
    let (_, tool) = TOOL_TABLES.iter().find(|(name, _)| *name == table)?;
    let required: &[&str] = match tool {
        OldTool::Alembic => &["version_num"],
        OldTool::Sqlx => &["version", "description", "success"],
        OldTool::Flyway => &["installed_rank", "version", "description", "success"],
        OldTool::Refinery => &["version", "name"],
        OldTool::Diesel | OldTool::SeaOrm | OldTool::SchemaVersion => &["version"],
    };
    has(required).then_some(*tool)
}

/// The rows of one recognized table: `(version, description, succeeded)`, in the tool's order.
async fn read_history(
    client: &Client,
    tool: OldTool,
    schema: String,
    table: String,
    read_checksums: bool,
) -> Result<OldHistory, MigrateError> {
    let qualified = format!("{}.{}", quote(&schema), quote(&table));
    let select = match tool {
        OldTool::Alembic => "version_num::text, NULL::text, true",
        OldTool::Sqlx => "version::text, description::text, success",
        OldTool::Flyway => "version::text, description::text, success",
        OldTool::Refinery => "version::text, name::text, true",
        OldTool::Diesel | OldTool::SeaOrm | OldTool::SchemaVersion => {
            "version::text, NULL::text, true"
        }
    };
    let order = match tool {
        // Flyway's repeatable migrations have no version.
        OldTool::Flyway => "WHERE version IS NOT NULL ORDER BY installed_rank",
        _ => "ORDER BY 1",
    };
    let rows = client
        .query(&format!("SELECT {select} FROM {qualified} {order}"), &[])
        .await
        .map_err(database("read another tool's tracking table"))?;
    let mut checksums = BTreeMap::new();
    if read_checksums {
        let rows = client
            .query(
                &format!("SELECT version::text, checksum FROM {qualified} WHERE success"),
                &[],
            )
            .await
            .map_err(database("read sqlx's checksums"))?;
        for row in rows {
            let version: String = row.try_get(0).map_err(database("read sqlx's checksums"))?;
            let checksum: Vec<u8> = row.try_get(1).map_err(database("read sqlx's checksums"))?;
            checksums.insert(version, checksum);
        }
    }
    let mut applied: Vec<(String, Option<String>)> = Vec::new();
    let mut failed = 0;
    for row in rows {
        let read = || database("read another tool's tracking table");
        let version: Option<String> = row.try_get(0).map_err(read())?;
        let description: Option<String> = row.try_get(1).map_err(read())?;
        let succeeded: Option<bool> = row.try_get(2).map_err(read())?;
        let Some(version) = version else { continue };
        if succeeded == Some(false) {
            failed += 1;
        } else {
            applied.push((version.trim().to_owned(), description));
        }
    }
    // Versions compared as numbers where they are numbers (text order puts 10 before 9).
    if tool != OldTool::Flyway {
        applied.sort_by(|(a, _), (b, _)| version_order(a, b));
    }
    let description = applied
        .last()
        .and_then(|(_, description)| description.clone());
    Ok(OldHistory {
        tool,
        schema,
        table,
        applied: applied.into_iter().map(|(version, _)| version).collect(),
        description,
        failed,
        checksums,
    })
}

/// Numeric versions by value (`9` before `10`), anything else after them by text.
pub(crate) fn version_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<u128>(), b.parse::<u128>()) {
        (Ok(a), Ok(b)) => a.cmp(&b),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        (Err(_), Err(_)) => a.cmp(b),
    }
}

fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn recognizes_by_name_and_columns() {
        assert_eq!(
            recognize(
                "_sqlx_migrations",
                &columns(&["version", "description", "success"])
            ),
            Some(OldTool::Sqlx)
        );
        // An application's table of a tool's name but not its shape is not bookkeeping.
        assert_eq!(recognize("alembic_version", &columns(&["id"])), None);
        assert_eq!(
            recognize("schema_version", &columns(&["version", "applied_at"])),
            Some(OldTool::SchemaVersion)
        );
        assert_eq!(
            recognize(
                "schema_version",
                &columns(&["installed_rank", "version", "success"])
            ),
            Some(OldTool::Flyway)
        );
        assert_eq!(recognize("schema_version", &columns(&["id"])), None);
    }

    #[test]
    fn numeric_versions_sort_by_value() {
        let mut versions = vec!["10", "9", "x", "1"];
        versions.sort_by(|a, b| version_order(a, b));
        assert_eq!(versions, ["1", "9", "10", "x"]);
    }
}
