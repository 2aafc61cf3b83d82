//! Where a `transaction:false` section stopped, so a re-run continues there.
//!
//! Such a section runs statement by statement, each committed on its own, so a failure (or a
//! killed runner) leaves the first statements applied. After each statement the runner stores
//! how many have run in `public.autogen_revisions_progress`, in the statement's own
//! transaction when PostgreSQL allows one (then the two cannot disagree), right after it
//! otherwise (`CREATE INDEX CONCURRENTLY` and the like). A re-run skips the statements that
//! ran, provided their text is unchanged (a SHA-256 of them is stored with the count). A row
//! saying 0 is stored before the first statement, so a re-run knows the section had started
//! (a concurrent build the server finished after the runner was killed is then recognized).
//! The row is deleted in the transaction that records the revision as applied or reverted,
//! and by a stamp that decides the revision's state (`clear_stamped`).
//!
//! While a batched statement (`batch.rs`) runs, the row also counts its batches and rows, in
//! each batch's transaction, so a re-run reports how far it got and ends with right totals
//! (the statement itself continues by running again). Tables made by older versions get the two
//! columns when first read.

use sha2::{Digest, Sha256};
use tokio_postgres::{Client, GenericClient};

use crate::MigrateError;
use crate::batch::BatchCount;
use crate::error::{Direction, database};
use crate::split::Statement;
use crate::tracking::TRACKING_SCHEMA;

pub const PROGRESS_TABLE: &str = "autogen_revisions_progress";

/// How far a section got in an earlier run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SavedProgress {
    /// Statements that ran and were committed.
    pub done: usize,
    /// [`StatementsHash`] of those statements.
    pub hash: String,
    /// Batches and rows done of the batched statement after them (zero otherwise).
    pub batch: BatchCount,
}

fn qualified_table() -> String {
    format!("\"{TRACKING_SCHEMA}\".\"{PROGRESS_TABLE}\"")
}

fn direction_name(direction: Direction) -> &'static str {
    match direction {
        Direction::Upgrade => "up",
        Direction::Downgrade => "down",
    }
}

/// SHA-256 over the text of the statements that ran, so a resume can tell they are the ones
/// in the file; built up one statement at a time as a section runs.
#[derive(Clone, Default)]
pub(crate) struct StatementsHash {
    hasher: Sha256,
}

impl StatementsHash {
    /// The hash of `statements`.
    pub fn of(statements: &[Statement]) -> StatementsHash {
        let mut hash = StatementsHash::default();
        for statement in statements {
            hash.push(statement);
        }
        hash
    }

    pub fn push(&mut self, statement: &Statement) {
        self.hasher.update(statement.sql.as_bytes());
        self.hasher.update([0]);
    }

    pub fn hex(&self) -> String {
        crate::revision::hex_digest(self.hasher.clone())
    }
}

/// The saved progress of `revision`'s section in `direction`, creating the table if needed.
pub(crate) async fn read(
    client: &Client,
    revision: &str,
    direction: Direction,
) -> Result<Option<SavedProgress>, MigrateError> {
    client
        .batch_execute(&format!(
            "CREATE TABLE IF NOT EXISTS {table} (\n    revision text NOT NULL,\n    direction text NOT NULL,\n    statements_done integer NOT NULL,\n    statements_sha256 text NOT NULL,\n    updated_at timestamptz NOT NULL DEFAULT now(),\n    batches_done bigint NOT NULL DEFAULT 0,\n    rows_done bigint NOT NULL DEFAULT 0,\n    PRIMARY KEY (revision, direction)\n)",
            table = qualified_table()
        ))
        .await
        .map_err(database("create the progress table"))?;
    // A table an older version made lacks the batch counters; altered only then, as even a
    // no-op ALTER takes the table's strongest lock.
    let missing: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_catalog.pg_attribute \
             WHERE attrelid = pg_catalog.to_regclass($1) \
               AND attname IN ('batches_done', 'rows_done') AND NOT attisdropped",
            &[&format!("{TRACKING_SCHEMA}.{PROGRESS_TABLE}")],
        )
        .await
        .and_then(|row| row.try_get(0))
        .map(|found: i64| 2 - found)
        .map_err(database("read the progress table's columns"))?;
    if missing > 0 {
        client
            .batch_execute(&format!(
                "ALTER TABLE {} ADD COLUMN IF NOT EXISTS batches_done bigint NOT NULL DEFAULT 0, \
                 ADD COLUMN IF NOT EXISTS rows_done bigint NOT NULL DEFAULT 0",
                qualified_table()
            ))
            .await
            .map_err(database("add the batch columns to the progress table"))?;
    }
    let row = client
        .query_opt(
            &format!(
                "SELECT statements_done, statements_sha256, batches_done, rows_done FROM {} \
                 WHERE revision = $1 AND direction = $2",
                qualified_table()
            ),
            &[&revision, &direction_name(direction)],
        )
        .await
        .map_err(database("read the progress table"))?;
    let Some(row) = row else {
        return Ok(None);
    };
    let done: i32 = row
        .try_get(0)
        .map_err(database("read the progress table"))?;
    let count = |column: usize| -> Result<u64, MigrateError> {
        let value: i64 = row
            .try_get(column)
            .map_err(database("read the progress table"))?;
        Ok(u64::try_from(value).unwrap_or(0))
    };
    Ok(Some(SavedProgress {
        done: usize::try_from(done).unwrap_or(0),
        hash: row
            .try_get(1)
            .map_err(database("read the progress table"))?,
        batch: BatchCount {
            batches: count(2)?,
            rows: count(3)?,
        },
    }))
}

/// Stores that the first `done` statements (with `hash`) ran.
pub(crate) async fn save(
    client: &impl GenericClient,
    revision: &str,
    direction: Direction,
    done: usize,
    hash: &str,
) -> Result<(), MigrateError> {
    save_batches(
        client,
        revision,
        direction,
        done,
        hash,
        BatchCount::default(),
    )
    .await
}

/// Stores that the first `done` statements (with `hash`) ran and the batched statement after
/// them did `count`.
pub(crate) async fn save_batches(
    client: &impl GenericClient,
    revision: &str,
    direction: Direction,
    done: usize,
    hash: &str,
    count: BatchCount,
) -> Result<(), MigrateError> {
    let done = i32::try_from(done).unwrap_or(i32::MAX);
    let batches = i64::try_from(count.batches).unwrap_or(i64::MAX);
    let rows = i64::try_from(count.rows).unwrap_or(i64::MAX);
    client
        .execute(
            &format!(
                "INSERT INTO {} (revision, direction, statements_done, statements_sha256, \
                     batches_done, rows_done) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (revision, direction) DO UPDATE \
                 SET statements_done = EXCLUDED.statements_done, \
                     statements_sha256 = EXCLUDED.statements_sha256, \
                     batches_done = EXCLUDED.batches_done, rows_done = EXCLUDED.rows_done, \
                     updated_at = now()",
                qualified_table()
            ),
            &[
                &revision,
                &direction_name(direction),
                &done,
                &hash,
                &batches,
                &rows,
            ],
        )
        .await
        .map(drop)
        .map_err(database("record progress in the progress table"))
}

/// Forgets the progress of a section that has completed.
pub(crate) async fn clear(
    client: &impl GenericClient,
    revision: &str,
    direction: Direction,
) -> Result<(), MigrateError> {
    client
        .execute(
            &format!(
                "DELETE FROM {} WHERE revision = $1 AND direction = $2",
                qualified_table()
            ),
            &[&revision, &direction_name(direction)],
        )
        .await
        .map(drop)
        .map_err(database("clear the progress table"))
}

/// After a stamp recorded exactly `recorded` as applied: forgets the `up` progress of those
/// revisions and the `down` progress of every other one, so a section finished by hand and
/// stamped is never "resumed" (its first statements skipped) when it runs again later. Rows
/// of sections still partly run in the direction that is pending stay. Nothing when the table
/// does not exist.
pub(crate) async fn clear_stamped(
    client: &impl GenericClient,
    recorded: &[&str],
) -> Result<(), MigrateError> {
    let exists: bool = client
        .query_one(
            "SELECT pg_catalog.to_regclass($1) IS NOT NULL",
            &[&format!("{TRACKING_SCHEMA}.{PROGRESS_TABLE}")],
        )
        .await
        .and_then(|row| row.try_get(0))
        .map_err(database("look for the progress table"))?;
    if !exists {
        return Ok(());
    }
    client
        .execute(
            &format!(
                "DELETE FROM {} WHERE (direction = 'up' AND revision = ANY($1)) \
                 OR (direction = 'down' AND NOT (revision = ANY($1)))",
                qualified_table()
            ),
            &[&recorded],
        )
        .await
        .map(drop)
        .map_err(database("clear the progress table"))
}
