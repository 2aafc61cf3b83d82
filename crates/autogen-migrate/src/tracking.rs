//! The tracking table (which revisions a database has, with their checksums) and the advisory
//! lock that serializes runners. All SQL touching either lives here, schema-qualified, so a
//! revision that changes `search_path` cannot redirect it.

use std::time::Duration;

use tokio_postgres::{Client, GenericClient};

use crate::MigrateError;
use crate::error::database;

pub const TRACKING_SCHEMA: &str = "public";
pub const TRACKING_TABLE: &str = "autogen_revisions";

/// The session-level advisory lock every runner holds while it reads and changes the tracking
/// table: the bytes of `"autogen\0"`. Advisory locks are per database, so runners against
/// different databases on one server do not wait for each other.
pub const ADVISORY_LOCK_KEY: i64 = 0x6175_746f_6765_6e00;

/// One row of the tracking table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedRevision {
    pub revision: String,
    pub checksum: String,
    /// UTC, RFC 3339 with whole seconds, e.g. `2026-11-21T10:30:00Z`.
    pub applied_at: String,
    pub duration_ms: i64,
}

/// `"public"."autogen_revisions"`.
pub(crate) fn qualified_table() -> String {
    format!("\"{TRACKING_SCHEMA}\".\"{TRACKING_TABLE}\"")
}

pub(crate) fn create_table_sql() -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {} (\n    revision text PRIMARY KEY,\n    checksum text NOT NULL,\n    applied_at timestamptz NOT NULL DEFAULT now(),\n    duration_ms bigint NOT NULL\n)",
        qualified_table()
    )
}

/// The tracking table's rows, oldest first; empty when the table does not exist (a database
/// no runner has touched). Takes no lock: a read for `current`/`history`.
pub async fn applied_revisions(client: &Client) -> Result<Vec<AppliedRevision>, MigrateError> {
    let exists: bool = client
        .query_one(
            "SELECT to_regclass($1) IS NOT NULL",
            &[&format!("{TRACKING_SCHEMA}.{TRACKING_TABLE}")],
        )
        .await
        .and_then(|row| row.try_get(0))
        .map_err(database("look for the tracking table"))?;
    if !exists {
        return Ok(Vec::new());
    }
    match read_rows(client).await {
        // Dropped between the two queries: as if it never existed.
        Err(error) if error.code() == Some(&tokio_postgres::error::SqlState::UNDEFINED_TABLE) => {
            Ok(Vec::new())
        }
        result => result.map_err(database("read the tracking table")),
    }
}

/// The rows, for a runner that has created the table under the lock.
pub(crate) async fn read_applied(client: &Client) -> Result<Vec<AppliedRevision>, MigrateError> {
    read_rows(client)
        .await
        .map_err(database("read the tracking table"))
}

async fn read_rows(client: &Client) -> Result<Vec<AppliedRevision>, tokio_postgres::Error> {
    let sql = format!(
        "SELECT revision, checksum, \
                to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), \
                duration_ms \
         FROM {} ORDER BY applied_at, revision",
        qualified_table()
    );
    client
        .query(&sql, &[])
        .await?
        .iter()
        .map(|row| {
            Ok(AppliedRevision {
                revision: row.try_get(0)?,
                checksum: row.try_get(1)?,
                applied_at: row.try_get(2)?,
                duration_ms: row.try_get(3)?,
            })
        })
        .collect()
}

pub(crate) async fn create_table(client: &Client) -> Result<(), MigrateError> {
    client
        .batch_execute(&create_table_sql())
        .await
        .map_err(database("create the tracking table"))
}

pub(crate) async fn record_applied(
    client: &impl GenericClient,
    revision: &str,
    checksum: &str,
    duration: Duration,
) -> Result<(), MigrateError> {
    let sql = format!(
        "INSERT INTO {} (revision, checksum, duration_ms) VALUES ($1, $2, $3)",
        qualified_table()
    );
    client
        .execute(&sql, &[&revision, &checksum, &millis(duration)])
        .await
        .map(drop)
        .map_err(database("record the revision in the tracking table"))
}

pub(crate) async fn record_reverted(
    client: &impl GenericClient,
    revision: &str,
) -> Result<(), MigrateError> {
    let sql = format!("DELETE FROM {} WHERE revision = $1", qualified_table());
    client
        .execute(&sql, &[&revision])
        .await
        .map(drop)
        .map_err(database("remove the revision from the tracking table"))
}

/// Makes the table hold exactly `rows` (id, checksum): other rows go, missing ones are added
/// with duration 0, kept ones get the given checksum (and keep their time).
pub(crate) async fn replace_all(
    client: &impl GenericClient,
    rows: &[(String, String)],
) -> Result<(), MigrateError> {
    let ids: Vec<&str> = rows.iter().map(|(id, _)| id.as_str()).collect();
    client
        .execute(
            &format!(
                "DELETE FROM {} WHERE NOT (revision = ANY($1))",
                qualified_table()
            ),
            &[&ids],
        )
        .await
        .map_err(database("clear the tracking table"))?;
    let upsert = format!(
        "INSERT INTO {} (revision, checksum, duration_ms) VALUES ($1, $2, 0) \
         ON CONFLICT (revision) DO UPDATE SET checksum = EXCLUDED.checksum",
        qualified_table()
    );
    for (id, checksum) in rows {
        client
            .execute(&upsert, &[id, checksum])
            .await
            .map_err(database("record the revision in the tracking table"))?;
    }
    Ok(())
}

/// Takes the runners' advisory lock ([`ADVISORY_LOCK_KEY`]), calling `waiting` first when
/// another runner holds it (so a person knows why nothing happens). The lock is session-level
/// and nests: a caller holding it across a run (e.g. to check the plan first) takes it here,
/// lets the runner take and release it once more, then releases it with [`unlock`].
pub async fn lock(client: &Client, waiting: &mut (dyn FnMut() + Send)) -> Result<(), MigrateError> {
    let taken: bool = client
        .query_one("SELECT pg_try_advisory_lock($1)", &[&ADVISORY_LOCK_KEY])
        .await
        .and_then(|row| row.try_get(0))
        .map_err(database("take the migration lock (pg_try_advisory_lock)"))?;
    if taken {
        return Ok(());
    }
    waiting();
    client
        .execute("SELECT pg_advisory_lock($1)", &[&ADVISORY_LOCK_KEY])
        .await
        .map(drop)
        .map_err(database("take the migration lock (pg_advisory_lock)"))
}

/// Releases the lock once (see [`lock`]).
pub async fn unlock(client: &Client) -> Result<(), MigrateError> {
    client
        .execute("SELECT pg_advisory_unlock($1)", &[&ADVISORY_LOCK_KEY])
        .await
        .map(drop)
        .map_err(database("release the migration lock (pg_advisory_unlock)"))
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
