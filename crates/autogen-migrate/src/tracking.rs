//! The tracking table (which revisions a database has, with their checksums) and the advisory
//! lock that serializes runners. All SQL touching either lives here, schema-qualified, so a
//! revision that changes `search_path` cannot redirect it.

use std::time::Duration;

use tokio_postgres::Client;

use crate::MigrateError;
use crate::connection::{
    Param, RunnerConnection, bool_column, failure, int_column, one_row, text_column,
};

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
    applied_revisions_on(&mut &*client).await
}

/// [`applied_revisions`] on any connection the runner works on.
pub(crate) async fn applied_revisions_on<C: RunnerConnection>(
    connection: &mut C,
) -> Result<Vec<AppliedRevision>, MigrateError> {
    const ACTION: &str = "look for the tracking table";
    let name = format!("{TRACKING_SCHEMA}.{TRACKING_TABLE}");
    let rows = connection
        .query(
            "SELECT (pg_catalog.to_regclass($1::text) IS NOT NULL)::text",
            &[Param::Text(&name)],
        )
        .await
        .map_err(failure::<C>(ACTION))?;
    if !bool_column(&one_row(rows, ACTION)?, 0, ACTION)? {
        return Ok(Vec::new());
    }
    match read_rows(connection).await {
        // Dropped between the two queries: as if it never existed.
        Err(ReadFailure::Driver(error)) if C::sqlstate(&error) == Some(UNDEFINED_TABLE) => {
            Ok(Vec::new())
        }
        result => result.map_err(|failure| failure.into_error::<C>()),
    }
}

/// 42P01: the table is gone.
const UNDEFINED_TABLE: &str = "42P01";

/// The rows, for a runner that has created the table under the lock.
pub(crate) async fn read_applied<C: RunnerConnection>(
    connection: &mut C,
) -> Result<Vec<AppliedRevision>, MigrateError> {
    read_rows(connection)
        .await
        .map_err(|failure| failure.into_error::<C>())
}

const READ_ACTION: &str = "read the tracking table";

/// Reading the rows failed: the query, or a row the runner did not write.
enum ReadFailure<E> {
    Driver(E),
    Row(MigrateError),
}

impl<E> ReadFailure<E> {
    fn into_error<C: RunnerConnection<Error = E>>(self) -> MigrateError {
        match self {
            ReadFailure::Driver(error) => failure::<C>(READ_ACTION)(error),
            ReadFailure::Row(error) => error,
        }
    }
}

async fn read_rows<C: RunnerConnection>(
    connection: &mut C,
) -> Result<Vec<AppliedRevision>, ReadFailure<C::Error>> {
    let sql = format!(
        "SELECT revision, checksum, \
                to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), \
                duration_ms::text \
         FROM {} ORDER BY applied_at, revision",
        qualified_table()
    );
    connection
        .query(&sql, &[])
        .await
        .map_err(ReadFailure::Driver)?
        .iter()
        .map(|row| {
            Ok(AppliedRevision {
                revision: text_column(row, 0, READ_ACTION)?,
                checksum: text_column(row, 1, READ_ACTION)?,
                applied_at: text_column(row, 2, READ_ACTION)?,
                duration_ms: int_column(row, 3, READ_ACTION)?,
            })
        })
        .collect::<Result<_, MigrateError>>()
        .map_err(ReadFailure::Row)
}

pub(crate) async fn create_table<C: RunnerConnection>(
    connection: &mut C,
) -> Result<(), MigrateError> {
    connection
        .simple_query(&create_table_sql())
        .await
        .map_err(failure::<C>("create the tracking table"))
}

pub(crate) async fn record_applied<C: RunnerConnection>(
    connection: &mut C,
    revision: &str,
    checksum: &str,
    duration: Duration,
) -> Result<(), MigrateError> {
    let sql = format!(
        "INSERT INTO {} (revision, checksum, duration_ms) VALUES ($1::text, $2::text, $3::bigint)",
        qualified_table()
    );
    connection
        .execute(
            &sql,
            &[
                Param::Text(revision),
                Param::Text(checksum),
                Param::Int(millis(duration)),
            ],
        )
        .await
        .map(drop)
        .map_err(failure::<C>("record the revision in the tracking table"))
}

pub(crate) async fn record_reverted<C: RunnerConnection>(
    connection: &mut C,
    revision: &str,
) -> Result<(), MigrateError> {
    let sql = format!(
        "DELETE FROM {} WHERE revision = $1::text",
        qualified_table()
    );
    connection
        .execute(&sql, &[Param::Text(revision)])
        .await
        .map(drop)
        .map_err(failure::<C>("remove the revision from the tracking table"))
}

/// Makes the table hold exactly `rows` (id, checksum): other rows go, missing ones are added
/// with duration 0, kept ones get the given checksum (and keep their time).
pub(crate) async fn replace_all<C: RunnerConnection>(
    connection: &mut C,
    rows: &[(String, String)],
) -> Result<(), MigrateError> {
    let ids: Vec<&str> = rows.iter().map(|(id, _)| id.as_str()).collect();
    connection
        .execute(
            &format!(
                "DELETE FROM {} WHERE NOT (revision = ANY($1::text[]))",
                qualified_table()
            ),
            &[Param::TextList(&ids)],
        )
        .await
        .map_err(failure::<C>("clear the tracking table"))?;
    let upsert = format!(
        "INSERT INTO {} (revision, checksum, duration_ms) VALUES ($1::text, $2::text, 0) \
         ON CONFLICT (revision) DO UPDATE SET checksum = EXCLUDED.checksum",
        qualified_table()
    );
    for (id, checksum) in rows {
        connection
            .execute(&upsert, &[Param::Text(id), Param::Text(checksum)])
            .await
            .map_err(failure::<C>("record the revision in the tracking table"))?;
    }
    Ok(())
}

/// Takes the runners' advisory lock ([`ADVISORY_LOCK_KEY`]), calling `waiting` first when
/// another runner holds it (so a person knows why nothing happens). The lock is session-level
/// and nests: a caller holding it across a run (e.g. to check the plan first) takes it here,
/// lets the runner take and release it once more, then releases it with [`unlock`].
pub async fn lock(client: &Client, waiting: &mut (dyn FnMut() + Send)) -> Result<(), MigrateError> {
    lock_on(&mut &*client, waiting).await
}

/// [`lock`] on any connection the runner works on.
///
/// A busy lock is polled with `pg_try_advisory_lock` rather than waited for in
/// `pg_advisory_lock`: a session blocked in that `SELECT` holds a snapshot, and a
/// `CREATE INDEX CONCURRENTLY` the lock's holder runs waits for every older snapshot to end,
/// so the two would wait for each other until PostgreSQL cancels one as a deadlock.
pub(crate) async fn lock_on<C: RunnerConnection>(
    connection: &mut C,
    waiting: &mut (dyn FnMut() + Send),
) -> Result<(), MigrateError> {
    if try_lock(connection).await? {
        return Ok(());
    }
    waiting();
    loop {
        tokio::time::sleep(LOCK_POLL_INTERVAL).await;
        if try_lock(connection).await? {
            return Ok(());
        }
    }
}

/// How often a runner waiting for another one asks for the lock again.
const LOCK_POLL_INTERVAL: Duration = Duration::from_millis(100);

async fn try_lock<C: RunnerConnection>(connection: &mut C) -> Result<bool, MigrateError> {
    const ACTION: &str = "take the migration lock (pg_try_advisory_lock)";
    let rows = connection
        .query(
            "SELECT pg_catalog.pg_try_advisory_lock($1::bigint)::text",
            &[Param::Int(ADVISORY_LOCK_KEY)],
        )
        .await
        .map_err(failure::<C>(ACTION))?;
    bool_column(&one_row(rows, ACTION)?, 0, ACTION)
}

/// Releases the lock once (see [`lock`]).
pub async fn unlock(client: &Client) -> Result<(), MigrateError> {
    unlock_on(&mut &*client).await
}

/// [`unlock`] on any connection the runner works on.
pub(crate) async fn unlock_on<C: RunnerConnection>(connection: &mut C) -> Result<(), MigrateError> {
    connection
        .execute(
            "SELECT pg_catalog.pg_advisory_unlock($1::bigint)",
            &[Param::Int(ADVISORY_LOCK_KEY)],
        )
        .await
        .map(drop)
        .map_err(failure::<C>(
            "release the migration lock (pg_advisory_unlock)",
        ))
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
