//! `plans FILE…`: autogen's plans on real schemas, both ways (not a test: the files are not
//! part of the project). Each file is loaded with `psql -v ON_ERROR_STOP=1 -f FILE` into a
//! fresh database S beside an empty database E, both are read, and autogen-engine plans
//! E → S (create everything) and S → E (drop everything) exactly as `autogen diff --from E
//! --to S` does, each with its normal verification on the dev database: the `from` schema
//! re-created on a scratch database, `up` applied and the result compared with `to`, then
//! `down` applied and compared with `from`. Reported per direction: the statements of each
//! plan, whether verification passed (or its exact error), the time, and the objects autogen
//! does not manage that differ (which no plan includes, and which must be reported).
//!
//! `--prelude FILE`: SQL of objects autogen does not model that the schema's managed objects
//! need (an operator an index uses, …). It
//! is run on the `template0` of the benchmark's own cluster after S and E exist, so E stays
//! empty and every scratch database verification creates afterwards starts with it, as the
//! database a plan runs on in production would.
//!
//! `--strip FILE`: SQL run on S after the file, before it is read. A managed object that uses
//! one autogen does not manage (pagila's views over its partitioned `payment`, musicbrainz's
//! functions returning the row type of a partitioned table) makes the plans fail verification
//! at that object's statement, and the rest of the plan goes unchecked: dropping the unmanaged
//! objects with `CASCADE` leaves the schema whose plans can be verified whole.

use crate::inspect::{BenchError, fail, start_dev_server};
use crate::roundtrip::run_psql;
use autogen_diff::{Migration, UnmanagedChange, Verification};
use autogen_engine::{PlanOptions, Session, Settings};
use autogen_introspect::Inspection;
use autogen_pg::{DevServer, TempDatabase};
use autogen_schema::ModelIntent;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    pub files: Vec<PathBuf>,
    /// The psql to load files with [default: the one next to the server binaries found].
    pub psql: Option<PathBuf>,
    /// SQL of unmodeled objects the schema needs, installed in the cluster's `template0`.
    pub prelude: Option<PathBuf>,
    /// SQL run on S after the file: drops the unmodeled objects that managed ones use (and,
    /// `CASCADE`, what uses them), so the plans of the rest can be verified.
    pub strip: Option<PathBuf>,
}

/// One direction's plan, verified.
#[derive(Debug)]
pub struct Direction {
    /// `empty → schema` or `schema → empty`.
    pub label: &'static str,
    /// Statements of the `up` plan.
    pub up: usize,
    /// Statements of the `down` plan, or why there is none.
    pub down: Result<usize, String>,
    /// The diff and plan alone (no verification), seconds.
    pub plan_secs: f64,
    /// `Session::migration` with verification, seconds (plans again, then verifies).
    pub verified_secs: f64,
    /// Verified both ways (`up` then `down`), or the error verification (or planning) gave.
    pub verification: Result<Verification, String>,
    /// The objects autogen does not manage that differ: (kind, name, how).
    pub unmanaged: Vec<(String, String, UnmanagedChange)>,
}

impl Direction {
    pub fn verified(&self) -> bool {
        matches!(self.verification, Ok(Verification::Verified { down: true }))
    }
}

/// What happened to one file.
#[derive(Debug)]
pub struct FileReport {
    pub file: PathBuf,
    /// Why the file could not be loaded or read.
    pub failure: Option<String>,
    /// What was read of S: tables, views, routines, triggers.
    pub read: String,
    pub directions: Vec<Direction>,
}

/// Plans both ways on every file; `progress` receives one line per step.
pub async fn run(
    options: &Options,
    mut progress: impl FnMut(&str),
) -> Result<Vec<FileReport>, BenchError> {
    let psql = match &options.psql {
        Some(path) => path.clone(),
        None => autogen_pg::find_binaries()
            .map_err(|error| fail(format!("could not find psql: {error}")))?
            .bindir
            .join("psql"),
    };
    let prelude = options.prelude.as_deref();
    let mut reports = Vec::new();
    for file in &options.files {
        // A cluster per file: the prelude goes into its template0 once S and E exist.
        progress(&format!(
            "{}: starting a dev PostgreSQL server",
            file.display()
        ));
        let server = start_dev_server(None).await?;
        let report = plans(
            &server,
            &psql,
            file,
            prelude,
            options.strip.as_deref(),
            &mut progress,
        )
        .await;
        server.shutdown();
        reports.push(report?);
    }
    Ok(reports)
}

async fn plans(
    server: &DevServer,
    psql: &Path,
    file: &Path,
    prelude: Option<&Path>,
    strip: Option<&Path>,
    progress: &mut impl FnMut(&str),
) -> Result<FileReport, BenchError> {
    let failed = |failure: String| FileReport {
        file: file.to_path_buf(),
        failure: Some(failure),
        read: String::new(),
        directions: Vec::new(),
    };
    progress(&format!("{}: loading into database S", file.display()));
    let schema = database(server).await?;
    let loaded = run_psql(psql, schema.connection(), file, true);
    if !loaded.is_empty() {
        return Ok(failed(format!(
            "loading the file failed: {}",
            loaded.join("; ")
        )));
    }
    if let Some(strip) = strip {
        progress(&format!(
            "{}: running {} on S",
            file.display(),
            strip.display()
        ));
        let stripped = run_psql(psql, schema.connection(), strip, true);
        if !stripped.is_empty() {
            return Ok(failed(format!("--strip failed: {}", stripped.join("; "))));
        }
    }
    let empty = database(server).await?;
    if let Some(prelude) = prelude {
        progress(&format!(
            "{}: installing the prelude {} in template0",
            file.display(),
            prelude.display()
        ));
        if let Err(error) = install_in_template0(server, psql, prelude).await {
            return Ok(failed(error.to_string()));
        }
    }
    let settings = Settings {
        dev_url: Some(server.admin_connection().url_with_password()),
        cache: false,
        ..Settings::default()
    };
    let session = Session::new(&settings, None, autogen_engine::inspect_options(&[], &[]));
    let (empty_read, schema_read) = match (
        session.live(empty.connection()).await,
        session.live(schema.connection()).await,
    ) {
        (Ok(empty_read), Ok(schema_read)) => (empty_read, schema_read),
        (Err(error), _) | (_, Err(error)) => {
            return Ok(failed(format!("inspect failed: {error}")));
        }
    };
    let catalog = &schema_read.catalog;
    let read = format!(
        "{} tables, {} views, {} routines, {} triggers, {} sequences, {} domains, {} enums",
        catalog.tables.len(),
        catalog.views.len(),
        catalog.functions.len(),
        catalog.triggers.len(),
        catalog.sequences.len(),
        catalog.domains.len(),
        catalog.enums.len()
    );
    progress(&format!("{}: read S ({read})", file.display()));
    let mut directions = Vec::new();
    for (label, from, to) in [
        ("empty → schema", &empty_read, &schema_read),
        ("schema → empty", &schema_read, &empty_read),
    ] {
        progress(&format!("{}: planning {label}", file.display()));
        let direction = direction(&session, label, from, to).await;
        progress(&format!(
            "{}: {label}: {} statements up, {} down, {} ({:.1} s)",
            file.display(),
            direction.up,
            direction
                .down
                .as_ref()
                .map_or_else(|_| "no".to_string(), usize::to_string),
            match &direction.verification {
                Ok(verification) => describe(verification),
                Err(error) => format!("FAILED: {error}"),
            },
            direction.verified_secs
        ));
        directions.push(direction);
    }
    drop(session);
    for database in [schema, empty] {
        database.drop_database().await.ok();
    }
    Ok(FileReport {
        file: file.to_path_buf(),
        failure: None,
        read,
        directions,
    })
}

/// Plans `from` → `to` without verification (sizes, unmanaged differences, planning time), then
/// again as `autogen diff` does, verified.
async fn direction(
    session: &Session,
    label: &'static str,
    from: &Inspection,
    to: &Inspection,
) -> Direction {
    let intent = ModelIntent::default();
    // The migration planned alone, then planned and verified, each timed.
    let timed = |verify: bool| {
        let intent = &intent;
        async move {
            let started = Instant::now();
            let how = PlanOptions {
                online: None,
                verify,
                current_chain: None,
            };
            let migration = session.migration(from, to, intent, &how).await;
            (migration, started.elapsed().as_secs_f64())
        }
    };
    let (planned, plan_secs) = timed(false).await;
    let (verified, verified_secs) = timed(true).await;
    let (up, down, unmanaged) = match &planned {
        Ok(migration) => sizes(migration),
        Err(_) => (0, Err("not planned".to_string()), Vec::new()),
    };
    Direction {
        label,
        up,
        down,
        plan_secs,
        verified_secs,
        verification: match (planned, verified) {
            (Err(error), _) => Err(format!("planning failed: {error}")),
            (Ok(_), Ok(migration)) => Ok(migration.verification),
            (Ok(_), Err(error)) => Err(error.to_string()),
        },
        unmanaged,
    }
}

type Sizes = (
    usize,
    Result<usize, String>,
    Vec<(String, String, UnmanagedChange)>,
);

fn sizes(migration: &Migration) -> Sizes {
    (
        migration.up.statements.len(),
        migration
            .down
            .as_ref()
            .map(|down| down.statements.len())
            .map_err(ToString::to_string),
        migration
            .unmanaged
            .iter()
            .map(|difference| {
                (
                    difference.kind.clone(),
                    difference.name.clone(),
                    difference.change,
                )
            })
            .collect(),
    )
}

/// Runs `prelude` on `template0` (connections allowed for the time it takes), so every
/// database created afterwards starts with it.
async fn install_in_template0(
    server: &DevServer,
    psql: &Path,
    prelude: &Path,
) -> Result<(), BenchError> {
    let admin = server.admin_connection();
    let client = admin
        .connect()
        .await
        .map_err(|error| fail(format!("could not connect: {error}")))?;
    let allow =
        |allowed: bool| format!("ALTER DATABASE template0 WITH ALLOW_CONNECTIONS {allowed}");
    client
        .batch_execute(&allow(true))
        .await
        .map_err(|error| fail(format!("could not open template0: {error}")))?;
    let errors = run_psql(psql, &admin.with_database("template0"), prelude, true);
    client
        .batch_execute(&allow(false))
        .await
        .map_err(|error| fail(format!("could not close template0: {error}")))?;
    if errors.is_empty() {
        Ok(())
    } else {
        Err(fail(format!("the prelude failed: {}", errors.join("; "))))
    }
}

async fn database(server: &DevServer) -> Result<TempDatabase, BenchError> {
    server
        .create_database()
        .await
        .map_err(|error| fail(format!("could not create a database: {error}")))
}

fn describe(verification: &Verification) -> String {
    match verification {
        Verification::Verified { down: true } => "verified (up and down)".to_string(),
        Verification::Verified { down: false } => "verified (up; no down plan)".to_string(),
        Verification::Skipped => "not verified (nothing to verify)".to_string(),
    }
}

/// `direction`'s unmanaged differences grouped by kind and how they differ: `partitioned
/// table (only in schema): 1` with the first names.
fn unmanaged_groups(direction: &Direction) -> Vec<String> {
    let mut groups: BTreeMap<(String, String), Vec<&str>> = BTreeMap::new();
    let (from, to) = match direction.label {
        "empty → schema" => ("empty", "schema"),
        _ => ("schema", "empty"),
    };
    for (kind, name, change) in &direction.unmanaged {
        let how = match change {
            UnmanagedChange::OnlyInCurrent => format!("only in {from}"),
            UnmanagedChange::OnlyInDesired => format!("only in {to}"),
            UnmanagedChange::Changed => "in both, defined differently".to_string(),
        };
        groups
            .entry((kind.clone(), how))
            .or_default()
            .push(name.as_str());
    }
    groups
        .into_iter()
        .map(|((kind, how), names)| {
            let shown: Vec<&str> = names.iter().take(5).copied().collect();
            let more = names.len() - shown.len();
            let more = if more > 0 {
                format!(", … {more} more")
            } else {
                String::new()
            };
            format!("{} {kind} {how}: {}{more}", names.len(), shown.join(", "))
        })
        .collect()
}

/// The reports as markdown: one table of every file and direction, then each file's
/// unmanaged differences and errors in full.
pub fn markdown(reports: &[FileReport]) -> String {
    let mut out = String::new();
    out.push_str(
        "| schema | direction | up | down | verified | plan | plan + verify | unmanaged reported |\n",
    );
    out.push_str("|---|---|---:|---:|---|---:|---:|---:|\n");
    for report in reports {
        let name = report.file.file_name().map_or_else(
            || report.file.display().to_string(),
            |name| name.to_string_lossy().into_owned(),
        );
        if report.failure.is_some() {
            let _ = writeln!(out, "| {name} | — | | | FAILED (below) | | | |");
        }
        for direction in &report.directions {
            let _ = writeln!(
                out,
                "| {name} | {} | {} | {} | {} | {:.2} s | {:.1} s | {} |",
                direction.label,
                direction.up,
                direction
                    .down
                    .as_ref()
                    .map_or_else(|_| "none".to_string(), usize::to_string),
                match &direction.verification {
                    Ok(verification) => describe(verification),
                    Err(_) => "**no** (below)".to_string(),
                },
                direction.plan_secs,
                direction.verified_secs,
                direction.unmanaged.len()
            );
        }
    }
    out.push('\n');
    for report in reports {
        let _ = writeln!(out, "### {}\n", report.file.display());
        if let Some(failure) = &report.failure {
            let _ = writeln!(out, "FAILED: {failure}\n");
            continue;
        }
        let _ = writeln!(out, "Read: {}.\n", report.read);
        for direction in &report.directions {
            let _ = writeln!(out, "{}:\n", direction.label);
            if let Err(error) = &direction.down {
                let _ = writeln!(out, "- no down plan: {error}");
            }
            if let Err(error) = &direction.verification {
                let _ = writeln!(out, "- verification FAILED: {error}");
            }
            let groups = unmanaged_groups(direction);
            if groups.is_empty() {
                out.push_str("- no unmanaged differences\n");
            }
            for group in groups {
                let _ = writeln!(out, "- unmanaged, not planned: {group}");
            }
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unmanaged_differences_are_grouped_by_kind_and_side() {
        let direction = Direction {
            label: "empty → schema",
            up: 1,
            down: Ok(1),
            plan_secs: 0.0,
            verified_secs: 0.0,
            verification: Ok(Verification::Verified { down: true }),
            unmanaged: (1..=7)
                .map(|n| {
                    (
                        "partition".to_string(),
                        format!("public.p{n}"),
                        UnmanagedChange::OnlyInDesired,
                    )
                })
                .chain([(
                    "policy".to_string(),
                    "public.t.own".to_string(),
                    UnmanagedChange::Changed,
                )])
                .collect(),
        };
        assert!(direction.verified());
        assert_eq!(
            unmanaged_groups(&direction),
            [
                "7 partition only in schema: public.p1, public.p2, public.p3, public.p4, \
                 public.p5, … 2 more",
                "1 policy in both, defined differently: public.t.own",
            ]
        );
    }
}
