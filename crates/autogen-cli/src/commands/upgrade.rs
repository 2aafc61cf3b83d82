//! `autogen upgrade` and `autogen downgrade`: run revisions against the database, or print
//! their SQL offline with `--sql`.

use crate::cli::{DowngradeArgs, GlobalArgs, UpgradeArgs};
use crate::commands::Outcome;
use crate::error::CliError;
use crate::output;
use crate::project::{Project, connect};
use autogen_migrate::{Progress, RevisionFile, RunOptions};
use std::time::Duration;

pub async fn upgrade(global: &GlobalArgs, args: &UpgradeArgs) -> Result<Outcome, CliError> {
    let project = Project::load(global)?;
    let graph = &project.graph;
    if args.sql {
        // Offline: FROM:TO, FROM being the revision the database is at.
        let (from, target) = match args.target.split_once(':') {
            Some((from, target)) => (Some(graph.resolve(from)?.revision.id.clone()), target),
            None => (None, args.target.as_str()),
        };
        let target = graph.parse_upgrade_target(target)?;
        let sql = autogen_migrate::offline_upgrade_sql(graph, from.as_deref(), &target)?;
        output::stdout(&sql).map_err(CliError::Output)?;
        return Ok(Outcome::Success);
    }
    let target = graph.parse_upgrade_target(&args.target)?;
    let spec = project.database(global)?;
    let mut client = connect(&spec).await?;
    let options = RunOptions {
        ignore_checksums: args.ignore_checksums,
    };
    let quiet = global.quiet;
    let applied = autogen_migrate::upgrade(&mut client, graph, &target, &options, &mut |event| {
        report(quiet, event)
    })
    .await?;
    if !quiet {
        match applied.len() {
            0 => output::note(&format!("{} is up to date", spec.redacted())),
            n => output::note(&format!("applied {n} revision(s) to {}", spec.redacted())),
        }
    }
    Ok(Outcome::Success)
}

pub async fn downgrade(global: &GlobalArgs, args: &DowngradeArgs) -> Result<Outcome, CliError> {
    let project = Project::load(global)?;
    let graph = &project.graph;
    if args.sql {
        let Some((from, target)) = args.target.split_once(':') else {
            return Err(CliError::OfflineDowngradeNeedsFrom(args.target.clone()));
        };
        let from = graph.resolve(from)?.revision.id.clone();
        let target = graph.parse_downgrade_target(target)?;
        let sql = autogen_migrate::offline_downgrade_sql(graph, &from, &target)?;
        output::stdout(&sql).map_err(CliError::Output)?;
        return Ok(Outcome::Success);
    }
    let target = graph.parse_downgrade_target(&args.target)?;
    let spec = project.database(global)?;
    let mut client = connect(&spec).await?;
    let options = RunOptions {
        ignore_checksums: args.ignore_checksums,
    };
    let quiet = global.quiet;
    let reverted =
        autogen_migrate::downgrade(&mut client, graph, &target, &options, &mut |event| {
            report(quiet, event)
        })
        .await?;
    if !quiet {
        match reverted.len() {
            0 => output::note("nothing to revert"),
            n => output::note(&format!("reverted {n} revision(s) on {}", spec.redacted())),
        }
    }
    Ok(Outcome::Success)
}

fn label(revision: &RevisionFile) -> String {
    format!("{} {}", revision.revision.id, revision.revision.message)
}

fn took(duration: Duration) -> String {
    format!("({} ms)", duration.as_millis())
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
        Progress::DroppedInvalidIndex { revision, index } => output::progress(
            "Dropped",
            &format!(
                "invalid index {index} left by a failed concurrent build ({}); building it again",
                revision.revision.id
            ),
        ),
    }
}
