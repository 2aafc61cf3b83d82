//! Applying and reverting revisions on a live database.
//!
//! Every run holds the session-level advisory lock from before it creates or reads the
//! tracking table until it is done, so concurrent runners (several app instances starting at
//! once) serialize, and the second finds the first one's work recorded: each revision is
//! applied exactly once. Each revision runs in its own transaction together with its tracking
//! row, so a failure leaves the database exactly as it was before that revision.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use tokio_postgres::Client;

use crate::batch::{BatchCount, ProgressRow};
use crate::connection::{Param, RunnerConnection, begin, commit, failure, rollback, text_column};
use crate::error::Direction;
use crate::progress::StatementsHash;
use crate::split::split_statements;
use crate::tracking::{self, AppliedRevision};
use crate::{
    DowngradeTarget, MigrateError, RevisionFile, RevisionGraph, RevisionPhase, Section, Statement,
    UpgradeTarget,
};

/// Choices for a run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Run even when an applied revision's file was edited since (its checksum differs).
    pub ignore_checksums: bool,
}

/// What a run is doing, reported as it happens.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// Another runner holds the lock on this database; this one waits for it.
    WaitingForLock,
    Applying(&'a RevisionFile),
    Applied {
        revision: &'a RevisionFile,
        duration: Duration,
    },
    Reverting(&'a RevisionFile),
    Reverted {
        revision: &'a RevisionFile,
        duration: Duration,
    },
    /// An earlier run of this `transaction:false` section stopped after some statements; the
    /// run continues with the statement at `line` (of the file; 0 when unknown).
    Resuming {
        revision: &'a RevisionFile,
        line: usize,
        done: usize,
    },
    /// An earlier run of the batched statement at `line` stopped after `batches` batches that
    /// changed `rows` rows; the statement runs again from there (it is idempotent: it picks
    /// up the rows it has not changed yet).
    ResumingBatch {
        revision: &'a RevisionFile,
        line: usize,
        batches: u64,
        rows: u64,
    },
    /// One batch of the batched statement at `line` committed: `batches` and `rows` are the
    /// totals so far (an earlier, interrupted run's included), `elapsed` this run's time on it.
    Batch {
        revision: &'a RevisionFile,
        line: usize,
        batches: u64,
        rows: u64,
        elapsed: Duration,
    },
    /// The batched statement at `line` is done: an execution changed no row (that last
    /// execution is not counted as a batch). Totals as in `Batch`.
    Batched {
        revision: &'a RevisionFile,
        line: usize,
        batches: u64,
        rows: u64,
        elapsed: Duration,
    },
    /// A `CREATE INDEX CONCURRENTLY` that failed before left this invalid index behind; it is
    /// dropped so the statement can build it again.
    DroppedInvalidIndex {
        revision: &'a RevisionFile,
        index: &'a str,
    },
}

/// Applies the revisions `target` needs, in order; returns their ids.
pub async fn upgrade(
    client: &mut Client,
    graph: &RevisionGraph,
    target: &UpgradeTarget,
    options: &RunOptions,
    progress: &mut (dyn FnMut(Progress<'_>) + Send),
) -> Result<Vec<String>, MigrateError> {
    upgrade_on(&mut &*client, graph, target, None, options, progress).await
}

/// [`upgrade`] restricted to one deploy phase (`upgrade --phase`, see
/// [`crate::restrict_to_phase`]); `None` applies everything as [`upgrade`] does.
pub async fn upgrade_phase(
    client: &mut Client,
    graph: &RevisionGraph,
    target: &UpgradeTarget,
    phase: Option<RevisionPhase>,
    options: &RunOptions,
    progress: &mut (dyn FnMut(Progress<'_>) + Send),
) -> Result<Vec<String>, MigrateError> {
    upgrade_on(&mut &*client, graph, target, phase, options, progress).await
}

/// [`upgrade_phase`] on any connection the runner works on (the sqlx one too).
pub(crate) async fn upgrade_on<C: RunnerConnection>(
    connection: &mut C,
    graph: &RevisionGraph,
    target: &UpgradeTarget,
    phase: Option<RevisionPhase>,
    options: &RunOptions,
    progress: &mut (dyn FnMut(Progress<'_>) + Send),
) -> Result<Vec<String>, MigrateError> {
    tracking::lock_on(connection, &mut || progress(Progress::WaitingForLock)).await?;
    let result = run_locked(
        connection,
        graph,
        options,
        progress,
        Plan::Upgrade(target, phase),
    )
    .await;
    release(connection, result).await
}

/// Reverts the applied revisions `target` names, children first; returns their ids.
pub async fn downgrade(
    client: &mut Client,
    graph: &RevisionGraph,
    target: &DowngradeTarget,
    options: &RunOptions,
    progress: &mut (dyn FnMut(Progress<'_>) + Send),
) -> Result<Vec<String>, MigrateError> {
    let connection = &mut &*client;
    tracking::lock_on(connection, &mut || progress(Progress::WaitingForLock)).await?;
    let result = run_locked(
        connection,
        graph,
        options,
        progress,
        Plan::Downgrade(target),
    )
    .await;
    release(connection, result).await
}

/// Records exactly `revisions` and their ancestors as applied (with the files' checksums)
/// without running any SQL; an empty list records nothing applied. Rows that stay keep their
/// time and take the file's current checksum, so stamping is also how an intended edit of an
/// applied revision is accepted.
pub async fn stamp(
    client: &mut Client,
    graph: &RevisionGraph,
    revisions: &[String],
) -> Result<(), MigrateError> {
    let mut wanted = BTreeSet::new();
    for id in revisions {
        graph.known(id)?;
        wanted.extend(graph.ancestors(id));
    }
    let rows: Vec<(String, String)> = graph
        .ordered()
        .into_iter()
        .filter(|file| wanted.contains(&file.revision.id))
        .map(|file| (file.revision.id.clone(), file.checksum.clone()))
        .collect();
    let connection = &mut &*client;
    tracking::lock_on(connection, &mut || {}).await?;
    let result = stamp_locked(connection, &rows).await;
    release(connection, result).await
}

async fn stamp_locked<C: RunnerConnection>(
    connection: &mut C,
    rows: &[(String, String)],
) -> Result<(), MigrateError> {
    tracking::create_table(connection).await?;
    begin(connection).await?;
    let recorded: Vec<&str> = rows.iter().map(|(id, _)| id.as_str()).collect();
    let written = async {
        tracking::replace_all(connection, rows).await?;
        crate::progress::clear_stamped(connection, &recorded).await
    }
    .await;
    if let Err(error) = written {
        rollback(connection).await;
        return Err(error);
    }
    commit(connection, "commit the stamp").await
}

enum Plan<'t> {
    Upgrade(&'t UpgradeTarget, Option<RevisionPhase>),
    Downgrade(&'t DowngradeTarget),
}

async fn run_locked<C: RunnerConnection>(
    connection: &mut C,
    graph: &RevisionGraph,
    options: &RunOptions,
    progress: &mut (dyn FnMut(Progress<'_>) + Send),
    plan: Plan<'_>,
) -> Result<Vec<String>, MigrateError> {
    tracking::create_table(connection).await?;
    let rows = tracking::read_applied(connection).await?;
    verify_applied(graph, &rows, options)?;
    let applied: BTreeSet<String> = rows.into_iter().map(|row| row.revision).collect();
    let (revisions, direction) = match plan {
        Plan::Upgrade(target, phase) => {
            let plan = graph.upgrade_plan(&applied, target)?;
            let plan = match phase {
                Some(phase) => crate::restrict_to_phase(plan, &applied, phase).run,
                None => plan,
            };
            (plan, Direction::Upgrade)
        }
        Plan::Downgrade(target) => (
            graph.downgrade_plan(&applied, target)?,
            Direction::Downgrade,
        ),
    };
    missing_roles(connection, &revisions, direction).await?;
    let mut done = Vec::with_capacity(revisions.len());
    for file in revisions {
        let started = Instant::now();
        progress(match direction {
            Direction::Upgrade => Progress::Applying(file),
            Direction::Downgrade => Progress::Reverting(file),
        });
        run_revision(connection, file, direction, progress).await?;
        let duration = started.elapsed();
        progress(match direction {
            Direction::Upgrade => Progress::Applied {
                revision: file,
                duration,
            },
            Direction::Downgrade => Progress::Reverted {
                revision: file,
                duration,
            },
        });
        done.push(file.revision.id.clone());
    }
    Ok(done)
}

/// Refuses to start when the revisions to run name roles the server does not have (roles
/// belong to the server; no revision autogen writes creates them): one clear error before
/// anything runs, instead of a failure halfway through.
async fn missing_roles<C: RunnerConnection>(
    connection: &mut C,
    revisions: &[&RevisionFile],
    direction: Direction,
) -> Result<(), MigrateError> {
    let sections = revisions.iter().map(|file| match direction {
        Direction::Upgrade => file.revision.up.sql.as_str(),
        Direction::Downgrade => file.revision.down.sql.as_str(),
    });
    let needed: Vec<String> = crate::roles::roles_needed(sections).into_iter().collect();
    if needed.is_empty() {
        return Ok(());
    }
    const LOOK: &str = "look up the roles the revisions name";
    let names: Vec<&str> = needed.iter().map(String::as_str).collect();
    let existing: BTreeSet<String> = connection
        .query(
            "SELECT rolname::text FROM pg_catalog.pg_roles WHERE rolname = ANY($1::text[])",
            &[Param::TextList(&names)],
        )
        .await
        .map_err(failure::<C>(LOOK))?
        .iter()
        .map(|row| text_column(row, 0, LOOK))
        .collect::<Result<_, _>>()?;
    let missing: Vec<String> = needed
        .into_iter()
        .filter(|role| !existing.contains(role))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(MigrateError::MissingRoles { roles: missing })
    }
}

/// Every applied revision must still be in the directory, unchanged (unless told otherwise).
fn verify_applied(
    graph: &RevisionGraph,
    rows: &[AppliedRevision],
    options: &RunOptions,
) -> Result<(), MigrateError> {
    let applied: BTreeSet<String> = rows.iter().map(|row| row.revision.clone()).collect();
    graph.check_applied(&applied)?;
    if options.ignore_checksums {
        return Ok(());
    }
    for row in rows {
        if let Some(file) = graph.get(&row.revision)
            && file.checksum != row.checksum
        {
            return Err(MigrateError::ChecksumMismatch {
                revision: row.revision.clone(),
                path: file.path.clone(),
            });
        }
    }
    Ok(())
}

/// Runs one revision's section and writes (or removes) its tracking row.
async fn run_revision<C: RunnerConnection>(
    connection: &mut C,
    file: &RevisionFile,
    direction: Direction,
    progress: &mut (dyn FnMut(Progress<'_>) + Send),
) -> Result<(), MigrateError> {
    let section = match direction {
        Direction::Upgrade => &file.revision.up,
        Direction::Downgrade => &file.revision.down,
    };
    let statements = split_statements(&section.sql);
    if !section.transactional {
        return run_outside_transaction(
            connection,
            file,
            section,
            &statements,
            direction,
            progress,
        )
        .await;
    }
    let started = Instant::now();
    begin(connection).await?;
    for statement in &statements {
        if let Err(error) = connection.simple_query(&statement.sql).await {
            // The statement's error is the one to report.
            rollback(connection).await;
            return Err(MigrateError::StatementFailed {
                path: file.path.clone(),
                line: file_line(section, statement),
                revision: file.revision.id.clone(),
                statement: statement.sql.clone(),
                message: C::error_text(&error),
            });
        }
    }
    if let Err(error) = record(connection, file, direction, started).await {
        rollback(connection).await;
        return Err(error);
    }
    commit(connection, "commit the revision").await
}

/// `transaction:false`: statement by statement, each committed on its own with the count of
/// statements done (see `progress.rs`), continuing where an earlier run stopped; the tracking
/// row is written after the last one. Each statement's locks end with it, which online plans
/// rely on (a `VALIDATE` must not scan under the strong lock of the `NOT VALID` step before
/// it); a `SET` is a session setting and stays in effect for the statements after it. A
/// batched statement (`-- batch:`) runs batch by batch (`batch.rs`), its counts in the same
/// progress row, and a re-run continues it by running it again from where the counts say.
async fn run_outside_transaction<C: RunnerConnection>(
    connection: &mut C,
    file: &RevisionFile,
    section: &Section,
    statements: &[Statement],
    direction: Direction,
    progress: &mut (dyn FnMut(Progress<'_>) + Send),
) -> Result<(), MigrateError> {
    let started = Instant::now();
    let id = &file.revision.id;
    let (skip, resumed, saved_batch) =
        match crate::progress::read(connection, id, direction).await? {
            None => {
                // A row saying "started, 0 statements done" before the first statement runs: a
                // runner killed while its first statement was a concurrent index build (which the
                // server finishes even though the client is gone) leaves a row, so the re-run
                // recognizes the finished index instead of failing with "already exists".
                let hash = StatementsHash::default().hex();
                crate::progress::save(connection, id, direction, 0, &hash).await?;
                (0, false, BatchCount::default())
            }
            Some(saved) => {
                if saved.done > statements.len()
                    || StatementsHash::of(&statements[..saved.done]).hex() != saved.hash
                {
                    return Err(MigrateError::PartialRevisionChanged {
                        path: file.path.clone(),
                        revision: id.clone(),
                        done: saved.done,
                    });
                }
                if saved.done > 0 {
                    progress(Progress::Resuming {
                        revision: file,
                        line: statements
                            .get(saved.done)
                            .map_or(0, |next| file_line(section, next)),
                        done: saved.done,
                    });
                }
                // Session settings (`SET lock_timeout …`) do not outlive the earlier connection.
                for statement in statements[..saved.done]
                    .iter()
                    .filter(|s| is_setting(&s.sql))
                {
                    connection
                        .simple_query(&statement.sql)
                        .await
                        .map_err(failure::<C>("restore the section's session settings"))?;
                }
                (saved.done, true, saved.batch)
            }
        };
    let mut ran = StatementsHash::of(&statements[..skip]);
    for (index, statement) in statements.iter().enumerate().skip(skip) {
        let done = index + 1;
        let hash_before = ran.hex();
        ran.push(statement);
        let hash = ran.hex();
        let failed = |message: String| MigrateError::NonTransactionalPartial {
            path: file.path.clone(),
            line: file_line(section, statement),
            revision: file.revision.id.clone(),
            statement: statement.sql.clone(),
            message,
            completed_lines: statements[..index]
                .iter()
                .map(|done| file_line(section, done))
                .collect(),
        };
        if let Some(options) = &statement.batch {
            let line = file_line(section, statement);
            let earlier = if index == skip && resumed {
                saved_batch
            } else {
                BatchCount::default()
            };
            if earlier.batches > 0 {
                progress(Progress::ResumingBatch {
                    revision: file,
                    line,
                    batches: earlier.batches,
                    rows: earlier.rows,
                });
            }
            let row = ProgressRow {
                revision: id,
                direction,
                statements_before: index,
                hash_before: &hash_before,
                hash_after: &hash,
            };
            let started = Instant::now();
            let total = crate::batch::run_batches(
                connection,
                statement,
                options,
                earlier,
                &row,
                &mut |count, elapsed| {
                    progress(Progress::Batch {
                        revision: file,
                        line,
                        batches: count.batches,
                        rows: count.rows,
                        elapsed,
                    })
                },
            )
            .await
            .map_err(failed)?;
            progress(Progress::Batched {
                revision: file,
                line,
                batches: total.batches,
                rows: total.rows,
                elapsed: started.elapsed(),
            });
            continue;
        }
        // Killed after a concurrent build finished but before its progress was stored.
        if index == skip
            && resumed
            && crate::concurrent::valid_index_exists(connection, &statement.sql).await?
        {
            crate::progress::save(connection, id, direction, done, &hash).await?;
            continue;
        }
        // A retry after a failed concurrent build: its invalid index goes first.
        if let Some(dropped) =
            crate::concurrent::drop_invalid_index(connection, &statement.sql).await?
        {
            progress(Progress::DroppedInvalidIndex {
                revision: file,
                index: &dropped,
            });
        }
        run_and_count(connection, statement, id, direction, done, &hash)
            .await
            .map_err(failed)?;
    }
    begin(connection).await?;
    let recorded = async {
        record(connection, file, direction, started).await?;
        crate::progress::clear(connection, id, direction).await
    }
    .await;
    if let Err(error) = recorded {
        rollback(connection).await;
        return Err(error);
    }
    commit(connection, "commit the revision").await
}

/// Records `file` as applied (upgrade) or no longer applied (downgrade).
async fn record<C: RunnerConnection>(
    connection: &mut C,
    file: &RevisionFile,
    direction: Direction,
    started: Instant,
) -> Result<(), MigrateError> {
    match direction {
        Direction::Upgrade => {
            tracking::record_applied(
                connection,
                &file.revision.id,
                &file.checksum,
                started.elapsed(),
            )
            .await
        }
        Direction::Downgrade => tracking::record_reverted(connection, &file.revision.id).await,
    }
}

/// Runs one statement of a `transaction:false` section and stores that `done` statements ran:
/// in one transaction, unless PostgreSQL refuses the statement inside one (`CREATE INDEX
/// CONCURRENTLY`; a `DO` block or procedure that commits), then one after the other. `DO` and
/// `CALL` run alone from the start: they may commit, which a transaction block forbids. The
/// error is PostgreSQL's message.
async fn run_and_count<C: RunnerConnection>(
    connection: &mut C,
    statement: &Statement,
    revision: &str,
    direction: Direction,
    done: usize,
    hash: &str,
) -> Result<(), String> {
    if !may_commit(&statement.sql) {
        connection
            .simple_query("BEGIN")
            .await
            .map_err(|e| C::error_text(&e))?;
        match connection.simple_query(&statement.sql).await {
            Ok(()) => {
                if let Err(error) =
                    crate::progress::save(connection, revision, direction, done, hash).await
                {
                    rollback(connection).await;
                    return Err(error.to_string());
                }
                return connection
                    .simple_query("COMMIT")
                    .await
                    .map_err(|e| C::error_text(&e));
            }
            Err(error) if !refused_in_transaction(C::sqlstate(&error)) => {
                rollback(connection).await;
                return Err(C::error_text(&error));
            }
            Err(_) => {
                // Refused inside a transaction block (what it did is rolled back): run it
                // alone.
                rollback(connection).await;
            }
        }
    }
    connection
        .simple_query(&statement.sql)
        .await
        .map_err(|e| C::error_text(&e))?;
    crate::progress::save(connection, revision, direction, done, hash)
        .await
        .map_err(|e| e.to_string())
}

/// PostgreSQL refuses the statement inside a transaction block: `CREATE INDEX CONCURRENTLY`
/// and the like (25001, active_sql_transaction), a `COMMIT` in a `DO` block or procedure
/// (2D000, invalid_transaction_termination).
fn refused_in_transaction(sqlstate: Option<&str>) -> bool {
    matches!(sqlstate, Some("25001" | "2D000"))
}

/// `DO …` or `CALL …`: code that may commit (transaction control is allowed only when no
/// transaction block surrounds it).
fn may_commit(sql: &str) -> bool {
    autogen_sql::lex(sql)
        .find(|token| !token.is_trivia())
        .is_some_and(|first| first.is_keyword("do") || first.is_keyword("call"))
}

/// `SET …`/`RESET …`: a session setting, run again when a section resumes.
fn is_setting(sql: &str) -> bool {
    let word = sql
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    word == "SET" || word == "RESET"
}

/// The file line of a statement; 0 (unknown) for a section built in memory.
fn file_line(section: &Section, statement: &Statement) -> usize {
    if section.first_line == 0 {
        0
    } else {
        section.first_line + statement.line - 1
    }
}

/// Releases the lock whatever happened; the run's own error wins over a failed release.
async fn release<C: RunnerConnection, T>(
    connection: &mut C,
    result: Result<T, MigrateError>,
) -> Result<T, MigrateError> {
    let unlocked = tracking::unlock_on(connection).await;
    let value = result?;
    unlocked.map(|()| value)
}
