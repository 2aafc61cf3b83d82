//! `autogen upgrade` and `autogen downgrade`: run revisions against the database, or print
//! their SQL offline with `--sql`.

use crate::cli::{DowngradeArgs, GlobalArgs, ReportFormat, UpgradeArgs};
use crate::commands::Outcome;
use crate::error::CliError;
use crate::output;
use crate::progress;
use crate::report::print_json;
use autogen_diff::Hazard;
use autogen_engine::policy;
use autogen_engine::{EngineError, Project, connect};
use autogen_migrate::{
    Progress, RevisionFile, RevisionGraph, RevisionPhase, RunOptions, restrict_to_phase,
};
use serde::Serialize;
use std::collections::BTreeSet;
use std::time::Duration;

pub async fn upgrade(global: &GlobalArgs, args: &UpgradeArgs) -> Result<Outcome, CliError> {
    let project = Project::load(&global.settings())?;
    project.require_autogen_layout("upgrade")?;
    let graph = &project.graph;
    if args.sql && args.format == ReportFormat::Json {
        return Err(CliError::JsonWithOfflineSql);
    }
    let phase = args.phase.map(|phase| phase.phase());
    if args.sql {
        // Offline: FROM:TO, FROM being the revision the database is at.
        let (from, target) = match args.target.split_once(':') {
            Some((from, target)) => (Some(resolve_from(graph, from)?), target),
            None => (None, args.target.as_str()),
        };
        let target = graph.parse_upgrade_target(target)?;
        let sql =
            autogen_migrate::offline_upgrade_phase_sql(graph, from.as_deref(), &target, phase)?;
        if let Some(phase) = phase
            && !global.quiet
        {
            let applied = from
                .as_deref()
                .map(|id| graph.ancestors(id))
                .unwrap_or_default();
            let plan = graph.upgrade_plan(&applied, &target)?;
            report_skipped(phase, &restrict_to_phase(plan, &applied, phase).skipped);
        }
        output::stdout(&sql).map_err(CliError::Output)?;
        return Ok(Outcome::Success);
    }
    let target = graph.parse_upgrade_target(&args.target)?;
    let spec = project.database()?;
    let mut client = connect(&spec).await?;
    let options = RunOptions {
        ignore_checksums: args.ignore_checksums,
    };
    let quiet = global.quiet;
    let in_phase = |applied: &BTreeSet<String>| {
        graph
            .upgrade_plan(applied, &target)
            .map(|plan| match phase {
                Some(phase) => restrict_to_phase(plan, applied, phase).run,
                None => plan,
            })
    };
    let mut bar = RunBar::new(quiet, "Upgrading", &client, in_phase).await;
    let mut ran = RunRecorder::default();
    let applied = autogen_migrate::upgrade_phase(
        &mut client,
        graph,
        &target,
        phase,
        &options,
        &mut |event| {
            bar.track(&event);
            ran.record(&event);
            report(quiet, event)
        },
    )
    .await?;
    drop(bar);
    // What the phase left for later: what is still pending now.
    let mut skipped = Vec::new();
    if let Some(phase) = phase {
        let applied: BTreeSet<String> = autogen_migrate::applied_revisions(&client)
            .await?
            .into_iter()
            .map(|row| row.revision)
            .collect();
        let pending = graph.upgrade_plan(&applied, &target)?;
        if !quiet {
            report_skipped(phase, &pending);
        }
        skipped = pending
            .iter()
            .map(|file| file.revision.id.clone())
            .collect();
    }
    if args.format == ReportFormat::Json {
        print_run_report(&project, &client, &spec, ran, skipped).await?;
    }
    if !quiet {
        match applied.len() {
            0 => output::note(&format!("{} is up to date", spec.redacted())),
            n => output::note(&format!("applied {n} revision(s) to {}", spec.redacted())),
        }
    }
    Ok(Outcome::Success)
}

pub async fn downgrade(global: &GlobalArgs, args: &DowngradeArgs) -> Result<Outcome, CliError> {
    let project = Project::load(&global.settings())?;
    project.require_autogen_layout("downgrade")?;
    let graph = &project.graph;
    if args.sql && args.format == ReportFormat::Json {
        return Err(CliError::JsonWithOfflineSql);
    }
    if args.sql {
        let Some((from, target)) = args.target.split_once(':') else {
            return Err(CliError::OfflineDowngradeNeedsFrom(args.target.clone()));
        };
        let from = resolve_from(graph, from)?;
        let target = graph.parse_downgrade_target(target)?;
        let sql = autogen_migrate::offline_downgrade_sql(graph, &from, &target)?;
        // Offline, a DBA reviews the script: warn, never refuse.
        let losses = data_loss_statements(&graph.downgrade_plan(&graph.ancestors(&from), &target)?);
        if !losses.is_empty() && !global.quiet {
            output::warning(&format!(
                "the script runs down statements that drop data:\n{losses}"
            ));
        }
        output::stdout(&sql).map_err(CliError::Output)?;
        return Ok(Outcome::Success);
    }
    let target = graph.parse_downgrade_target(&args.target)?;
    let spec = project.database()?;
    let mut client = connect(&spec).await?;
    let options = RunOptions {
        ignore_checksums: args.ignore_checksums,
    };
    let quiet = global.quiet;
    // The runner's lock is held from the data-loss check to the end of the run (advisory locks
    // nest within a session), so the revisions checked are exactly the ones reverted.
    autogen_migrate::lock(&client, &mut || report(quiet, Progress::WaitingForLock)).await?;
    let mut ran = RunRecorder::default();
    let result = async {
        if !args.allow_data_loss {
            let applied: BTreeSet<String> = autogen_migrate::applied_revisions(&client)
                .await?
                .into_iter()
                .map(|row| row.revision)
                .collect();
            let losses = data_loss_statements(&graph.downgrade_plan(&applied, &target)?);
            if !losses.is_empty() {
                confirm_data_loss(losses).await?;
            }
        }
        let mut bar = RunBar::new(quiet, "Downgrading", &client, |applied| {
            graph.downgrade_plan(applied, &target)
        })
        .await;
        let reverted =
            autogen_migrate::downgrade(&mut client, graph, &target, &options, &mut |event| {
                bar.track(&event);
                ran.record(&event);
                report(quiet, event)
            })
            .await?;
        Ok::<_, CliError>(reverted)
    }
    .await;
    let unlocked = autogen_migrate::unlock(&client).await;
    let reverted = result?;
    unlocked?;
    if args.format == ReportFormat::Json {
        print_run_report(&project, &client, &spec, ran, Vec::new()).await?;
    }
    if !quiet {
        match reverted.len() {
            0 => output::note("nothing to revert"),
            n => output::note(&format!("reverted {n} revision(s) on {}", spec.redacted())),
        }
    }
    Ok(Outcome::Success)
}

/// `--format json`: the revisions that ran and where the database is now.
async fn print_run_report(
    project: &Project,
    client: &autogen_pg::Client,
    spec: &autogen_pg::ConnectionSpec,
    ran: RunRecorder,
    skipped: Vec<String>,
) -> Result<(), CliError> {
    let status = project.status(client).await?;
    print_json(&RunReport {
        database: spec.redacted(),
        ran: ran.ran,
        skipped,
        current: crate::commands::status::tips(project, &status.applied),
    })
}

/// `autogen upgrade|downgrade --format json` (docs/json.md): what ran, and where the
/// database is now.
#[derive(Serialize)]
struct RunReport {
    /// The database, its password redacted.
    database: String,
    /// The revisions applied or reverted, in the order they ran (empty when there was
    /// nothing to do).
    ran: Vec<RanRevision>,
    /// `upgrade --phase`: the pending revisions the phase left for later, in upgrade order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    skipped: Vec<String>,
    /// The revisions the database is at afterwards (empty at base).
    current: Vec<String>,
}

#[derive(Serialize)]
struct RanRevision {
    id: String,
    message: String,
    /// `up` (applied) or `down` (reverted).
    direction: &'static str,
    /// Wall time of the revision, in milliseconds.
    duration_ms: u64,
    /// The statements of the section that ran (those an earlier, interrupted run of a
    /// `transaction:false` section already ran are not counted).
    statements: usize,
    /// The batched statements (`-- batch:`) that ran; absent when there were none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    batched: Vec<BatchedStatement>,
}

/// One batched statement's totals (an interrupted earlier run's batches included).
#[derive(Serialize)]
struct BatchedStatement {
    /// Its file line.
    line: usize,
    /// Batches that changed rows (the final execution that changed none is not counted).
    batches: u64,
    rows: u64,
    /// This run's wall time on it, in milliseconds.
    duration_ms: u64,
}

/// Collects the revisions that ran from the runner's progress events.
#[derive(Default)]
struct RunRecorder {
    ran: Vec<RanRevision>,
    /// Statements an interrupted earlier run already did, for the revision being resumed.
    resumed: usize,
    /// The batched statements of the revision running now.
    batched: Vec<BatchedStatement>,
}

impl RunRecorder {
    fn record(&mut self, event: &Progress<'_>) {
        let (revision, duration, direction, section) = match event {
            Progress::Applied { revision, duration } => {
                (revision, duration, "up", &revision.revision.up)
            }
            Progress::Reverted { revision, duration } => {
                (revision, duration, "down", &revision.revision.down)
            }
            Progress::Resuming { done, .. } => {
                self.resumed = *done;
                return;
            }
            Progress::Batched {
                line,
                batches,
                rows,
                elapsed,
                ..
            } => {
                self.batched.push(BatchedStatement {
                    line: *line,
                    batches: *batches,
                    rows: *rows,
                    duration_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
                });
                return;
            }
            _ => return,
        };
        let done = std::mem::take(&mut self.resumed);
        self.ran.push(RanRevision {
            id: revision.revision.id.clone(),
            message: revision.revision.message.clone(),
            direction,
            duration_ms: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
            statements: autogen_migrate::split_statements(&section.sql)
                .len()
                .saturating_sub(done),
            batched: std::mem::take(&mut self.batched),
        });
    }
}

/// The down statements of `plan` that lose data — a `-- hazard: data-loss` comment or the
/// classifier (`autogen_diff::classify`) says so — one `  file:line: statement` line each.
fn data_loss_statements(plan: &[&RevisionFile]) -> String {
    let mut lines = String::new();
    for file in plan {
        for statement in policy::analyze_section(&file.path, "down", &file.revision.down) {
            if statement.hazards.contains(&Hazard::DataLoss) {
                lines.push_str(&format!(
                    "  {}: {}\n",
                    statement.location(),
                    statement.first_line
                ));
            }
        }
    }
    lines.truncate(lines.trim_end().len());
    lines
}

/// Asks on a terminal; refuses outright when nobody can answer.
async fn confirm_data_loss(losses: String) -> Result<(), CliError> {
    if !crate::prompt::interactive() {
        return Err(CliError::DowngradeLosesData { statements: losses });
    }
    output::warning(&format!(
        "the downgrade runs down statements that drop data:\n{losses}"
    ));
    if crate::prompt::confirm("Revert anyway?").await? {
        Ok(())
    } else {
        Err(CliError::DowngradeCancelled)
    }
}

/// Names the pending revisions `upgrade --phase` leaves alone.
fn report_skipped(phase: RevisionPhase, skipped: &[&RevisionFile]) {
    let why = match phase {
        RevisionPhase::Expand => {
            "contract phase, or after one: apply after the new code is deployed"
        }
        RevisionPhase::Contract => "not a contract revision whose parents are all applied",
    };
    for file in skipped {
        output::note(&format!(
            "skipped {} {} ({why})",
            file.revision.id, file.revision.message
        ));
    }
}

/// The FROM of `--sql`'s FROM:TO: a revision, or `head` (the single head).
fn resolve_from(graph: &RevisionGraph, from: &str) -> Result<String, CliError> {
    let file = if from == "head" {
        graph.single_head()?.ok_or(EngineError::NoRevisions)?
    } else {
        graph.resolve(from)?
    };
    Ok(file.revision.id.clone())
}

fn label(revision: &RevisionFile) -> String {
    format!("{} {}", revision.revision.id, revision.revision.message)
}

fn took(duration: Duration) -> String {
    format!("({} ms)", duration.as_millis())
}

/// The progress bar of a run on a terminal (`progress.rs`): one step per revision.
struct RunBar {
    shown: Option<progress::Shown>,
    done: usize,
    /// The rows an interrupted earlier run of the batched statement did, so the rate shown
    /// is this run's.
    rows_before: u64,
}

impl RunBar {
    /// `plan` says which revisions the run will take, given the applied ones (read here
    /// only to size the bar; no bar when they cannot be read).
    async fn new<'g, E>(
        quiet: bool,
        label: &'static str,
        client: &autogen_pg::Client,
        plan: impl FnOnce(&BTreeSet<String>) -> Result<Vec<&'g RevisionFile>, E>,
    ) -> RunBar {
        let mut shown = None;
        if progress::enabled(quiet)
            && let Ok(applied) = autogen_migrate::applied_revisions(client).await
        {
            let applied = applied.into_iter().map(|row| row.revision).collect();
            if let Ok(revisions) = plan(&applied)
                && !revisions.is_empty()
            {
                shown = Some(progress::show(label, revisions.len()));
            }
        }
        RunBar {
            shown,
            done: 0,
            rows_before: 0,
        }
    }

    fn track(&mut self, event: &Progress<'_>) {
        if self.shown.is_none() {
            return;
        }
        match event {
            Progress::Applying(revision) | Progress::Reverting(revision) => {
                progress::step(self.done, &label(revision))
            }
            Progress::Applied { .. } | Progress::Reverted { .. } => self.done += 1,
            Progress::ResumingBatch { rows, .. } => self.rows_before = *rows,
            Progress::Batch {
                revision,
                line,
                batches,
                rows,
                elapsed,
            } => {
                let rate =
                    rows.saturating_sub(self.rows_before) as f64 / elapsed.as_secs_f64().max(0.001);
                // Numbers first: the line is cut to the terminal's width, and the revision
                // is on the `Applying` line above.
                progress::step(
                    self.done,
                    &format!(
                        "{} rows, {} rows/s, {} batches (line {line} of {})",
                        thousands(*rows),
                        thousands(rate as u64),
                        thousands(*batches),
                        revision.revision.id,
                    ),
                )
            }
            Progress::Batched { revision, .. } => {
                self.rows_before = 0;
                progress::step(self.done, &label(revision))
            }
            _ => {}
        }
    }
}

/// `1234567` -> `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// One line when a revision starts (so a long one shows what is running) and one when done.
fn report(quiet: bool, event: Progress<'_>) {
    if quiet {
        return;
    }
    match event {
        Progress::WaitingForLock => output::progress(
            "Waiting",
            "for another autogen run on this database to finish (advisory lock)",
        ),
        Progress::Applying(revision) => output::progress("Applying", &label(revision)),
        Progress::Applied { revision, duration } => output::progress(
            "Applied",
            &format!("{} {}", revision.revision.id, took(duration)),
        ),
        Progress::Reverting(revision) => output::progress("Reverting", &label(revision)),
        Progress::Reverted { revision, duration } => output::progress(
            "Reverted",
            &format!("{} {}", revision.revision.id, took(duration)),
        ),
        Progress::Resuming {
            revision,
            line,
            done,
        } => output::progress(
            "Resuming",
            &format!(
                "{}: {done} statement(s) ran in an earlier run; continuing at {}:{line}",
                revision.revision.id,
                revision.path.display()
            ),
        ),
        Progress::ResumingBatch {
            revision,
            line,
            batches,
            rows,
        } => output::progress(
            "Resuming",
            &format!(
                "batched statement at {}:{line} after {} batches ({} rows)",
                revision.path.display(),
                thousands(batches),
                thousands(rows)
            ),
        ),
        // The bar shows each batch; logs get the summary.
        Progress::Batch { .. } => {}
        Progress::Batched {
            revision,
            line,
            batches,
            rows,
            elapsed,
        } => output::progress(
            "Batched",
            &format!(
                "{}:{line}: {} rows in {} batches ({:.1} s)",
                revision.revision.id,
                thousands(rows),
                thousands(batches),
                elapsed.as_secs_f64()
            ),
        ),
        Progress::DroppedInvalidIndex { revision, index } => output::progress(
            "Dropped",
            &format!(
                "invalid index {index} left by a failed concurrent build ({}); building it again",
                revision.revision.id
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
