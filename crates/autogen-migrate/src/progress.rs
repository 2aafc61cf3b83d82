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

use crate::MigrateError;
use crate::batch::BatchCount;
use crate::connection::{
    Param, RunnerConnection, bool_column, failure, int_column, one_row, text_column,
};
use crate::error::Direction;
use crate::split::Statement;
use crate::tracking::TRACKING_SCHEMA;
use sha2::{Digest, Sha256};

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
pub(crate) async fn read<C: RunnerConnection>(
    connection: &mut C,
    revision: &str,
    direction: Direction,
) -> Result<Option<SavedProgress>, MigrateError> {
    connection
        .simple_query(&format!(
            "CREATE TABLE IF NOT EXISTS {table} (\n    revision text NOT NULL,\n    direction text NOT NULL,\n    statements_done integer NOT NULL,\n    statements_sha256 text NOT NULL,\n    updated_at timestamptz NOT NULL DEFAULT now(),\n    batches_done bigint NOT NULL DEFAULT 0,\n    rows_done bigint NOT NULL DEFAULT 0,\n    PRIMARY KEY (revision, direction)\n)",
            table = qualified_table()
        ))
        .await
        .map_err(failure::<C>("create the progress table"))?;
    // A table an older version made lacks the batch counters; altered only then, as even a
    // no-op ALTER takes the table's strongest lock.
    const COLUMNS: &str = "read the progress table's columns";
    let name = format!("{TRACKING_SCHEMA}.{PROGRESS_TABLE}");
    let rows = connection
        .query(
            "SELECT count(*)::text FROM pg_catalog.pg_attribute \
             WHERE attrelid = pg_catalog.to_regclass($1::text) \
               AND attname IN ('batches_done', 'rows_done') AND NOT attisdropped",
            &[Param::Text(&name)],
        )
        .await
        .map_err(failure::<C>(COLUMNS))?;
    let missing = 2 - int_column(&one_row(rows, COLUMNS)?, 0, COLUMNS)?;
    if missing > 0 {
        connection
            .simple_query(&format!(
                "ALTER TABLE {} ADD COLUMN IF NOT EXISTS batches_done bigint NOT NULL DEFAULT 0, \
                 ADD COLUMN IF NOT EXISTS rows_done bigint NOT NULL DEFAULT 0",
                qualified_table()
            ))
            .await
            .map_err(failure::<C>("add the batch columns to the progress table"))?;
    }
    const READ: &str = "read the progress table";
    let rows = connection
        .query(
            &format!(
                "SELECT statements_done::text, statements_sha256, batches_done::text, \
                        rows_done::text \
                 FROM {} WHERE revision = $1::text AND direction = $2::text",
                qualified_table()
            ),
            &[
                Param::Text(revision),
                Param::Text(direction_name(direction)),
            ],
        )
        .await
        .map_err(failure::<C>(READ))?;
    let Some(row) = rows.into_iter().next() else {
        return Ok(None);
    };
    let count = |column: usize| -> Result<u64, MigrateError> {
        Ok(u64::try_from(int_column(&row, column, READ)?).unwrap_or(0))
    };
    Ok(Some(SavedProgress {
        done: usize::try_from(int_column(&row, 0, READ)?).unwrap_or(0),
        hash: text_column(&row, 1, READ)?,
        batch: BatchCount {
            batches: count(2)?,
            rows: count(3)?,
        },
    }))
}

/// Stores that the first `done` statements (with `hash`) ran.
pub(crate) async fn save<C: RunnerConnection>(
    connection: &mut C,
    revision: &str,
    direction: Direction,
    done: usize,
    hash: &str,
) -> Result<(), MigrateError> {
    save_batches(
        connection,
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
pub(crate) async fn save_batches<C: RunnerConnection>(
    connection: &mut C,
    revision: &str,
    direction: Direction,
    done: usize,
    hash: &str,
    count: BatchCount,
) -> Result<(), MigrateError> {
    let done = i64::from(i32::try_from(done).unwrap_or(i32::MAX));
    let batches = i64::try_from(count.batches).unwrap_or(i64::MAX);
    let rows = i64::try_from(count.rows).unwrap_or(i64::MAX);
    connection
        .execute(
            &format!(
                "INSERT INTO {} (revision, direction, statements_done, statements_sha256, \
                     batches_done, rows_done) \
                 VALUES ($1::text, $2::text, $3::bigint, $4::text, $5::bigint, $6::bigint) \
                 ON CONFLICT (revision, direction) DO UPDATE \
                 SET statements_done = EXCLUDED.statements_done, \
                     statements_sha256 = EXCLUDED.statements_sha256, \
                     batches_done = EXCLUDED.batches_done, rows_done = EXCLUDED.rows_done, \
                     updated_at = now()",
                qualified_table()
            ),
            &[
                Param::Text(revision),
                Param::Text(direction_name(direction)),
                Param::Int(done),
                Param::Text(hash),
                Param::Int(batches),
                Param::Int(rows),
            ],
        )
        .await
        .map(drop)
        .map_err(failure::<C>("record progress in the progress table"))
}

/// Forgets the progress of a section that has completed.
pub(crate) async fn clear<C: RunnerConnection>(
    connection: &mut C,
    revision: &str,
    direction: Direction,
) -> Result<(), MigrateError> {
    connection
        .execute(
            &format!(
                "DELETE FROM {} WHERE revision = $1::text AND direction = $2::text",
                qualified_table()
            ),
            &[
                Param::Text(revision),
                Param::Text(direction_name(direction)),
            ],
        )
        .await
        .map(drop)
        .map_err(failure::<C>("clear the progress table"))
}

/// After a stamp recorded exactly `recorded` as applied: forgets the `up` progress of those
/// revisions and the `down` progress of every other one, so a section finished by hand and
/// stamped is never "resumed" (its first statements skipped) when it runs again later. Rows
/// of sections still partly run in the direction that is pending stay. Nothing when the table
/// does not exist.
pub(crate) async fn clear_stamped<C: RunnerConnection>(
    connection: &mut C,
    recorded: &[&str],
) -> Result<(), MigrateError> {
    const LOOK: &str = "look for the progress table";
    let name = format!("{TRACKING_SCHEMA}.{PROGRESS_TABLE}");
    let rows = connection
        .query(
            "SELECT (pg_catalog.to_regclass($1::text) IS NOT NULL)::text",
            &[Param::Text(&name)],
        )
        .await
        .map_err(failure::<C>(LOOK))?;
    if !bool_column(&one_row(rows, LOOK)?, 0, LOOK)? {
        return Ok(());
    }
    connection
        .execute(
            &format!(
                "DELETE FROM {} WHERE (direction = 'up' AND revision = ANY($1::text[])) \
                 OR (direction = 'down' AND NOT (revision = ANY($1::text[])))",
                qualified_table()
            ),
            &[Param::TextList(recorded)],
        )
        .await
        .map(drop)
        .map_err(failure::<C>("clear the progress table"))
}
