//! Every tool end to end on the same generated databases, in one run (issue: speed at scale).
//!
//! For each N: databases A (the generated schema) and B (A plus the change script of
//! [`crate::diff_e2e`]: every 20th table changed) on one ephemeral cluster, both `ANALYZE`d,
//! and an autogen project (`autogen init`, the models of [`crate::models`], one initial
//! revision written by `autogen revision -m initial`). Before timing, `autogen diff --from
//! <models> --to A --no-verify` must find no changes (the models declare A exactly). Then,
//! alternating (one of each per round, after untimed warm-up rounds), as whole processes with
//! wall time and peak RSS from [`crate::measure`]:
//!
//! * `autogen inspect A --format sql` and `pg_dump --schema-only A`;
//! * `autogen diff --from A --to B --format sql` (verified; autogen's own throwaway cluster,
//!   or `--dev-url`), `migra --unsafe A B` and Alembic's `compare_metadata` (A reflected into
//!   a MetaData, compared with B: `python/alembic_compare.py`), each when installed;
//! * `autogen check` in the project, nothing changed: exit 0 expected; once with `--no-cache`
//!   (the revisions replayed and the models normalized, as on a fresh CI machine) and once
//!   with the cache of replayed revisions and normalized models warm (filled by one untimed
//!   `check` after the initial revision; the cache lives in the benchmark's temporary
//!   directory, never the user's). With a binary without a cache, the plain command only;
//! * `autogen revision -m bench --no-cache` in the project after 5 % of the model tables changed (the
//!   same six kinds of change as B's; a second config file points at the changed models and
//!   the same migrations directory), the written revision file deleted after each run so every
//!   run does the same work.
//!
//! `--budget-secs` caps the time spent per tool and size: once a tool's runs at that size
//! (warm-up included) add up to more than the budget, it is not run again there (at least one
//! timed run always happens); the table shows how many runs each median is of.

use crate::diff_e2e::{self, Migra};
use crate::generate;
use crate::inspect::{self, BenchError, check_executable, fail, query_one_text};
use crate::measure::{self, Output, Sample, Summary};
use crate::models;
use autogen_pg::ConnectionSpec;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The Alembic comparison script, written to a temporary file for each benchmark run.
pub const ALEMBIC_SCRIPT: &str = include_str!("../python/alembic_compare.py");

/// How to get Alembic, for the "skipped" note.
pub const ALEMBIC_INSTALL: &str = "python3 -m venv /tmp/alembic-venv && \
/tmp/alembic-venv/bin/pip install alembic sqlalchemy psycopg2-binary, then pass \
--alembic-python /tmp/alembic-venv/bin/python";

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    pub tables: Vec<usize>,
    pub runs: usize,
    pub warmup: usize,
    pub seed: u64,
    pub autogen: PathBuf,
    pub pg_dump: Option<PathBuf>,
    pub migra: Option<PathBuf>,
    /// The Python with alembic, sqlalchemy and psycopg2 (default `python3`).
    pub alembic_python: Option<PathBuf>,
    /// An existing server for autogen's scratch databases (diff, check, revision); default:
    /// autogen's own throwaway cluster in each process.
    pub dev_url: Option<String>,
    /// Seconds per tool and size after which a tool is not run again at that size.
    pub budget_secs: Option<f64>,
    /// Only these tools (labels' short names: inspect, pg_dump, diff, migra, alembic, check,
    /// revision); empty: all.
    pub only: Vec<String>,
    pub batch: usize,
    /// Where the projects go (default: a temporary directory, removed afterwards).
    pub keep_projects: Option<PathBuf>,
}

/// The commands being compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tool {
    Inspect,
    PgDump,
    Diff,
    Migra,
    Alembic,
    Check,
    CheckWarm,
    Revision,
}

impl Tool {
    pub const ALL: [Tool; 8] = [
        Tool::Inspect,
        Tool::PgDump,
        Tool::Diff,
        Tool::Migra,
        Tool::Alembic,
        Tool::Check,
        Tool::CheckWarm,
        Tool::Revision,
    ];

    pub fn short(self) -> &'static str {
        match self {
            Tool::Inspect => "inspect",
            Tool::PgDump => "pg_dump",
            Tool::Diff => "diff",
            Tool::Migra => "migra",
            Tool::Alembic => "alembic",
            Tool::Check => "check",
            Tool::CheckWarm => "check-warm",
            Tool::Revision => "revision",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Tool::Inspect => "autogen inspect --format sql",
            Tool::PgDump => "pg_dump --schema-only",
            Tool::Diff => "autogen diff --format sql (verified)",
            Tool::Migra => "migra --unsafe",
            Tool::Alembic => "Alembic compare_metadata (reflect A + compare with B)",
            Tool::Check => "autogen check --no-cache (project, no change)",
            Tool::CheckWarm => "autogen check, warm cache (project, no change)",
            Tool::Revision => "autogen revision --no-cache (project, 5 % of models changed)",
        }
    }

    fn is_autogen(self) -> bool {
        matches!(
            self,
            Tool::Inspect | Tool::Diff | Tool::Check | Tool::CheckWarm | Tool::Revision
        )
    }
}

/// One line of the result table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub tool: Tool,
    pub tables: usize,
    pub summary: Option<Summary>,
    /// Statements (diff, migra, revision file) or differences (Alembic) printed.
    pub output_count: Option<usize>,
    pub failure: Option<String>,
}

/// Whether Alembic can run, and with what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Alembic {
    Found { python: PathBuf, versions: String },
    Missing(String),
}

impl Alembic {
    pub fn describe(&self) -> String {
        match self {
            Alembic::Found { python, versions } => {
                format!("Alembic: {} ({versions})", python.display())
            }
            Alembic::Missing(why) => format!(
                "Alembic: not available, its row is skipped ({why}; to install: {ALEMBIC_INSTALL})"
            ),
        }
    }
}

/// Everything the benchmark produced.
#[derive(Debug, Clone)]
pub struct Report {
    pub server_version: String,
    pub pg_dump: PathBuf,
    pub migra: Migra,
    pub alembic: Alembic,
    pub rows: Vec<Row>,
    /// Per size: one-off timings of the set-up (loading, initial revision, model check).
    pub setup: Vec<(usize, Vec<(String, f64)>)>,
}

/// Finds a Python that imports alembic, sqlalchemy and psycopg2.
pub fn find_alembic(explicit: Option<&Path>) -> Alembic {
    let python = explicit.map_or_else(|| PathBuf::from("python3"), Path::to_path_buf);
    let output = Command::new(&python)
        .args([
            "-c",
            "import importlib.metadata as m, alembic, sqlalchemy, psycopg2\n\
             print(', '.join(p + ' ' + m.version(p) for p in \
             ('alembic', 'SQLAlchemy', 'psycopg2-binary')))",
        ])
        .output();
    match output {
        Err(error) => Alembic::Missing(format!("could not run {}: {error}", python.display())),
        Ok(output) if !output.status.success() => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let last = stderr
                .lines()
                .rev()
                .find(|line| !line.trim().is_empty())
                .unwrap_or("failed");
            Alembic::Missing(format!("{}: {}", python.display(), last.trim()))
        }
        Ok(output) => Alembic::Found {
            python,
            versions: String::from_utf8_lossy(&output.stdout).trim().to_owned(),
        },
    }
}

/// `postgresql+psycopg2://…` (SQLAlchemy 2.1's plain `postgresql://` means psycopg 3).
fn alembic_url(spec: &ConnectionSpec) -> String {
    let url = diff_e2e::sqlalchemy_url(spec);
    match url.strip_prefix("postgresql://") {
        Some(rest) => format!("postgresql+psycopg2://{rest}"),
        None => url,
    }
}

/// What a successful run must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Anything on stdout.
    Anything,
    /// A non-empty SQL diff (statements counted).
    Statements,
    /// A positive number printed by the Alembic script.
    Differences,
    /// Exactly one new revision file in the project's migrations directory (removed again).
    RevisionFile,
}

struct Timed {
    tool: Tool,
    command: Command,
    accepted: &'static [i32],
    expect: Expect,
}

/// An autogen project of N generated tables.
struct Project {
    dir: PathBuf,
    config: PathBuf,
    changed_config: PathBuf,
    migrations: PathBuf,
    /// The files of the migrations directory after the initial revision.
    initial_files: BTreeSet<PathBuf>,
}

fn list_dir(dir: &Path) -> Result<BTreeSet<PathBuf>, BenchError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|error| fail(format!("could not read {}: {error}", dir.display())))?;
    let mut files = BTreeSet::new();
    for entry in entries {
        let entry =
            entry.map_err(|error| fail(format!("could not read {}: {error}", dir.display())))?;
        files.insert(entry.path());
    }
    Ok(files)
}

/// `AUTOGEN [--dev-url URL] ARGS…`, run in `dir`, `AUTOGEN_DEV_URL` removed, and the cache
/// (of replayed revisions and normalized models) in `dir/../cache` instead of the user's.
fn autogen(autogen: &Path, dir: &Path, dev_url: Option<&str>, args: &[&str]) -> Command {
    let mut command = Command::new(autogen);
    command.current_dir(dir);
    command.env_remove("AUTOGEN_DEV_URL");
    command.env("AUTOGEN_CACHE_DIR", cache_dir(dir));
    command.args(["--color", "never"]);
    if let Some(url) = dev_url {
        command.args(["--dev-url", url]);
    }
    command.args(args);
    command
}

/// The cache directory of the autogen commands run in `dir`.
fn cache_dir(dir: &Path) -> PathBuf {
    dir.parent().unwrap_or(dir).join("autogen-cache")
}

/// Whether the autogen binary has a cache (and so `--no-cache`).
fn has_cache_flag(autogen: &Path) -> bool {
    Command::new(autogen)
        .arg("--help")
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).contains("--no-cache"))
}

fn run_plain(command: &mut Command, what: &str) -> Result<(std::process::Output, f64), BenchError> {
    let started = Instant::now();
    let output = command
        .output()
        .map_err(|error| fail(format!("could not run {what}: {error}")))?;
    Ok((output, started.elapsed().as_secs_f64()))
}

/// `autogen init`, the models (as they are and changed), `autogen revision -m initial`.
fn make_project(
    options: &Options,
    autogen_bin: &Path,
    root: &Path,
    tables: usize,
    setup: &mut Vec<(String, f64)>,
) -> Result<Project, BenchError> {
    let dir = root.join(format!("project-{tables}"));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)
            .map_err(|error| fail(format!("could not remove {}: {error}", dir.display())))?;
    }
    std::fs::create_dir_all(&dir)
        .map_err(|error| fail(format!("could not create {}: {error}", dir.display())))?;
    let (output, _) = run_plain(
        &mut autogen(autogen_bin, &dir, None, &["init", "."]),
        "autogen init",
    )?;
    if !output.status.success() {
        return Err(fail(format!(
            "autogen init failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    let config = dir.join("autogen.toml");
    let text = std::fs::read_to_string(&config)
        .map_err(|error| fail(format!("could not read {}: {error}", config.display())))?;
    if !text.contains("paths = [\"models\"]") {
        return Err(fail(format!(
            "{} has no `paths = [\"models\"]` line to point at the changed models",
            config.display()
        )));
    }
    let changed_config = dir.join("autogen-changed.toml");
    std::fs::write(
        &changed_config,
        text.replace("paths = [\"models\"]", "paths = [\"models_changed\"]"),
    )
    .map_err(|error| {
        fail(format!(
            "could not write {}: {error}",
            changed_config.display()
        ))
    })?;

    let schema = generate::generate(tables, options.seed);
    let mut model_tables = models::model_tables(&schema)?;
    models::write_models(&dir.join("models"), &model_tables)?;
    models::change_models(&mut model_tables);
    models::write_models(&dir.join("models_changed"), &model_tables)?;

    let migrations = dir.join("migrations");
    let (output, secs) = run_plain(
        &mut autogen(
            autogen_bin,
            &dir,
            options.dev_url.as_deref(),
            &["revision", "-m", "initial"],
        ),
        "autogen revision -m initial",
    )?;
    if !output.status.success() {
        return Err(fail(format!(
            "autogen revision -m initial failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    setup.push((
        "autogen revision -m initial (untimed, once)".to_owned(),
        secs,
    ));
    let (output, secs) = run_plain(
        &mut autogen(autogen_bin, &dir, options.dev_url.as_deref(), &["check"]),
        "autogen check",
    )?;
    if !output.status.success() {
        return Err(fail(format!(
            "autogen check right after the initial revision failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    setup.push((
        "autogen check filling the cache (untimed, once)".to_owned(),
        secs,
    ));
    let initial_files = list_dir(&migrations)?;
    if initial_files.len() != 1 {
        return Err(fail(format!(
            "expected one initial revision in {}, found {}",
            migrations.display(),
            initial_files.len()
        )));
    }
    Ok(Project {
        dir,
        config,
        changed_config,
        migrations,
        initial_files,
    })
}

/// Removes the revision files a timed `revision` wrote; `Ok(count)`.
fn restore_migrations(project: &Project) -> Result<usize, BenchError> {
    let now = list_dir(&project.migrations)?;
    let mut removed = 0;
    for path in now.difference(&project.initial_files) {
        std::fs::remove_file(path)
            .map_err(|error| fail(format!("could not remove {}: {error}", path.display())))?;
        removed += 1;
    }
    Ok(removed)
}

/// One measured run and its check; `Err(short reason)`.
async fn run_once(timed: &Timed, project: &Project) -> Result<(Sample, Option<usize>), String> {
    let copy = measure::copy_command(&timed.command);
    let accepted = timed.accepted;
    let started = Instant::now();
    let measured = tokio::task::spawn_blocking(move || measure::measure_output(&copy, accepted))
        .await
        .map_err(|error| format!("the measuring thread failed: {error}"))?;
    let output: Output = measured.map_err(|error| {
        let detail = match &error {
            measure::MeasureError::Failed { status, stderr } => {
                let errors: Vec<&str> = stderr
                    .lines()
                    .map(str::trim)
                    .filter(|line| {
                        line.starts_with("error")
                            || line.starts_with("ERROR")
                            || line.contains("Error")
                    })
                    .collect();
                if errors.is_empty() {
                    format!("{status}: {}", stderr.trim().lines().last().unwrap_or(""))
                } else {
                    format!("{status}: {}", errors.join(" "))
                }
            }
            other => other.to_string(),
        };
        format!("after {:.1} s, {detail}", started.elapsed().as_secs_f64())
    })?;
    let text = String::from_utf8_lossy(&output.stdout);
    let count = match timed.expect {
        Expect::Anything => None,
        Expect::Statements => {
            let count = diff_e2e::count_statements(&text);
            if count == 0 {
                return Err("printed no statements, but the databases differ".to_owned());
            }
            Some(count)
        }
        Expect::Differences => match text.trim().parse::<usize>() {
            Ok(count) if count > 0 => Some(count),
            _ => return Err(format!("printed {:?}, not a positive count", text.trim())),
        },
        Expect::RevisionFile => {
            let now = list_dir(&project.migrations).map_err(|error| error.0)?;
            let new: Vec<&PathBuf> = now.difference(&project.initial_files).collect();
            let count = match new.as_slice() {
                [file] => std::fs::read_to_string(file)
                    .map(|sql| diff_e2e::count_statements(&sql))
                    .map_err(|error| format!("could not read {}: {error}", file.display()))?,
                _ => {
                    let _ = restore_migrations(project);
                    return Err(format!("wrote {} revision files, expected one", new.len()));
                }
            };
            restore_migrations(project).map_err(|error| error.0)?;
            Some(count)
        }
    };
    Ok((output.sample, count))
}

/// Runs the whole benchmark; `progress` receives one line per step (for stderr).
pub async fn run(options: &Options, mut progress: impl FnMut(&str)) -> Result<Report, BenchError> {
    check_executable(
        &options.autogen,
        "the autogen binary",
        "Build it first (`cargo build --release -p autogen-cli` gives target/release/autogen) \
         or pass its path with --autogen.",
    )?;
    if options.runs == 0 {
        return Err(fail("--runs must be at least 1"));
    }
    for name in &options.only {
        if !Tool::ALL.iter().any(|tool| tool.short() == name) {
            return Err(fail(format!(
                "--only: unknown tool {name:?} (known: inspect, pg_dump, diff, migra, alembic, \
                 check, check-warm, revision)"
            )));
        }
    }
    let wanted =
        |tool: Tool| options.only.is_empty() || options.only.iter().any(|n| n == tool.short());
    let autogen_bin = std::fs::canonicalize(&options.autogen).map_err(|error| {
        fail(format!(
            "could not resolve {}: {error}",
            options.autogen.display()
        ))
    })?;
    let cache_flag = has_cache_flag(&autogen_bin);
    let migra = diff_e2e::find_migra(options.migra.as_deref());
    progress(&migra.describe());
    let alembic = find_alembic(options.alembic_python.as_deref());
    progress(&alembic.describe());
    let script = tempfile::Builder::new()
        .prefix("alembic_compare")
        .suffix(".py")
        .tempfile()
        .map_err(|error| fail(format!("could not create a temporary file: {error}")))?;
    std::fs::write(script.path(), ALEMBIC_SCRIPT)
        .map_err(|error| fail(format!("could not write the Alembic script: {error}")))?;

    let temp_root = tempfile::Builder::new()
        .prefix("autogen-bench-e2e")
        .tempdir()
        .map_err(|error| fail(format!("could not create a temporary directory: {error}")))?;
    let root = options
        .keep_projects
        .clone()
        .unwrap_or_else(|| temp_root.path().to_path_buf());

    progress("starting an ephemeral dev PostgreSQL cluster for databases A and B");
    let server = diff_e2e::start_cluster().await?;
    let pg_dump = match &options.pg_dump {
        Some(path) => path.clone(),
        None => inspect::default_pg_dump(&server)?,
    };
    check_executable(&pg_dump, "pg_dump", "Pass it with --pg-dump.")?;

    let mut server_version = String::new();
    let mut rows = Vec::new();
    let mut setups = Vec::new();
    for &tables in &options.tables {
        let mut setup = Vec::new();
        let schema = generate::generate(tables, options.seed);
        let changes = diff_e2e::change_script(&schema);
        let batches = schema.batches(options.batch);
        progress(&format!("N={tables}: loading A and B"));
        let started = Instant::now();
        let a = diff_e2e::load(&server, &batches, None).await?;
        let b = diff_e2e::load(&server, &batches, Some(&changes.sql)).await?;
        setup.push((
            "load A and B (untimed)".to_owned(),
            started.elapsed().as_secs_f64(),
        ));
        if server_version.is_empty() {
            let client = a
                .connect()
                .await
                .map_err(|error| fail(format!("could not connect: {error}")))?;
            server_version = query_one_text(&client, "SHOW server_version").await?;
        }
        let (a_spec, b_spec) = (a.connection().clone(), b.connection().clone());
        if a_spec.has_password() {
            return Err(fail(
                "the dev server connection has a password; the benchmark only passes \
                 passwordless URLs to child processes",
            ));
        }
        let (a_url, b_url) = (a_spec.redacted(), b_spec.redacted());

        let mut project = None;
        if wanted(Tool::Check) || wanted(Tool::CheckWarm) || wanted(Tool::Revision) {
            progress(&format!(
                "N={tables}: making the project (autogen init, models, revision -m initial)"
            ));
            let made = make_project(options, &autogen_bin, &root, tables, &mut setup)?;
            // The models must declare A exactly.
            let models_dir = made.dir.join("models");
            let models_arg = models_dir.to_string_lossy().into_owned();
            let (output, secs) = run_plain(
                &mut autogen(
                    &autogen_bin,
                    &made.dir,
                    options.dev_url.as_deref(),
                    &[
                        "diff",
                        "--from",
                        &models_arg,
                        "--to",
                        &a_url,
                        "--no-verify",
                        "--exit-code",
                    ],
                ),
                "autogen diff --from models --to A",
            )?;
            if !output.status.success() {
                return Err(fail(format!(
                    "the generated models do not declare database A exactly (autogen diff \
                     --from {models_arg} --to A, exit {:?}):\n{}{}",
                    output.status.code(),
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                )));
            }
            setup.push((
                "autogen diff --from models --to A --no-verify: no changes (untimed)".to_owned(),
                secs,
            ));
            progress(&format!(
                "N={tables}: models match A (autogen diff printed no changes, {secs:.1} s)"
            ));
            project = Some(made);
        }
        let project = project.unwrap_or(Project {
            dir: root.clone(),
            config: root.join("autogen.toml"),
            changed_config: root.join("autogen-changed.toml"),
            migrations: root.join("migrations"),
            initial_files: BTreeSet::new(),
        });

        let dev = options.dev_url.as_deref();
        let mut timed = Vec::new();
        for tool in Tool::ALL {
            if !wanted(tool) {
                continue;
            }
            let entry = match tool {
                Tool::Inspect => Some(Timed {
                    tool,
                    command: inspect::autogen_command(&autogen_bin, &a_url),
                    accepted: &[0],
                    expect: Expect::Anything,
                }),
                Tool::PgDump => Some(Timed {
                    tool,
                    command: inspect::pg_dump_command(&pg_dump, &a_spec)?,
                    accepted: &[0],
                    expect: Expect::Anything,
                }),
                Tool::Diff => Some(Timed {
                    tool,
                    command: {
                        let mut command =
                            diff_e2e::autogen_command(&autogen_bin, &a_url, &b_url, true);
                        if let Some(url) = dev {
                            command.args(["--dev-url", url]);
                        }
                        command
                    },
                    accepted: &[0],
                    expect: Expect::Statements,
                }),
                Tool::Migra => match &migra {
                    Migra::Found { path, .. } => Some(Timed {
                        tool,
                        command: diff_e2e::migra_command(
                            path,
                            &diff_e2e::sqlalchemy_url(&a_spec),
                            &diff_e2e::sqlalchemy_url(&b_spec),
                        ),
                        accepted: &[0, 2],
                        expect: Expect::Statements,
                    }),
                    Migra::Missing(_) => None,
                },
                Tool::Alembic => match &alembic {
                    Alembic::Found { python, .. } => Some(Timed {
                        tool,
                        command: {
                            let mut command = Command::new(python);
                            command
                                .arg(script.path())
                                .arg(alembic_url(&a_spec))
                                .arg(alembic_url(&b_spec))
                                .arg(generate::SCHEMAS.join(","));
                            command
                        },
                        accepted: &[0],
                        expect: Expect::Differences,
                    }),
                    Alembic::Missing(_) => None,
                },
                Tool::Check => Some(Timed {
                    tool,
                    command: {
                        let config = project.config.to_string_lossy().into_owned();
                        let mut args = vec!["--config", &config, "check"];
                        if cache_flag {
                            args.insert(0, "--no-cache");
                        }
                        autogen(&autogen_bin, &project.dir, dev, &args)
                    },
                    accepted: &[0],
                    expect: Expect::Anything,
                }),
                Tool::CheckWarm if cache_flag => Some(Timed {
                    tool,
                    command: {
                        let config = project.config.to_string_lossy().into_owned();
                        autogen(
                            &autogen_bin,
                            &project.dir,
                            dev,
                            &["--config", &config, "check"],
                        )
                    },
                    accepted: &[0],
                    expect: Expect::Anything,
                }),
                Tool::CheckWarm => None,
                Tool::Revision => Some(Timed {
                    tool,
                    command: {
                        let config = project.changed_config.to_string_lossy().into_owned();
                        let mut args = vec!["--config", &config, "revision", "-m", "bench"];
                        if cache_flag {
                            args.insert(0, "--no-cache");
                        }
                        autogen(&autogen_bin, &project.dir, dev, &args)
                    },
                    accepted: &[0],
                    expect: Expect::RevisionFile,
                }),
            };
            match entry {
                Some(entry) => timed.push(entry),
                None => progress(&format!(
                    "N={tables}: {} is not available: row skipped",
                    tool.label()
                )),
            }
        }

        let n = timed.len();
        let mut counts: Vec<Option<usize>> = vec![None; n];
        let mut failures: Vec<Option<String>> = vec![None; n];
        let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); n];
        let mut spent: Vec<Duration> = vec![Duration::ZERO; n];
        for round in 0..options.warmup + options.runs {
            let warm = round < options.warmup;
            let what = if warm {
                format!("warm-up {}/{}", round + 1, options.warmup)
            } else {
                format!("run {}/{}", round - options.warmup + 1, options.runs)
            };
            for (index, entry) in timed.iter().enumerate() {
                if failures[index].is_some() {
                    continue;
                }
                let over_budget = options
                    .budget_secs
                    .is_some_and(|budget| spent[index].as_secs_f64() > budget);
                // Over budget: no more warm-ups, and no more timed runs once there is one.
                if over_budget && (warm || !samples[index].is_empty()) {
                    continue;
                }
                match run_once(entry, &project).await {
                    Ok((sample, count)) => {
                        if let (Some(first), Some(now)) = (counts[index], count)
                            && first != now
                        {
                            failures[index] =
                                Some(format!("printed {now} statements, earlier {first}"));
                            continue;
                        }
                        counts[index] = count;
                        spent[index] += sample.wall;
                        progress(&format!(
                            "N={tables}: {what} {}: {:.3} s, {:.1} MB{}",
                            entry.tool.label(),
                            sample.wall.as_secs_f64(),
                            sample.max_rss_kib as f64 / 1024.0,
                            count.map_or_else(String::new, |c| format!(", {c} printed"))
                        ));
                        if !warm {
                            samples[index].push(sample);
                        }
                    }
                    Err(reason) => {
                        progress(&format!(
                            "N={tables}: {what} {}: FAILED (not run again at this size): \
                             {reason}",
                            entry.tool.label()
                        ));
                        failures[index] = Some(reason);
                    }
                }
            }
        }
        for (index, entry) in timed.iter().enumerate() {
            rows.push(Row {
                tool: entry.tool,
                tables,
                summary: if failures[index].is_none() {
                    Summary::of(&samples[index])
                } else {
                    None
                },
                output_count: counts[index],
                failure: failures[index].clone(),
            });
        }
        setups.push((tables, setup));
        for database in [a, b] {
            database
                .drop_database()
                .await
                .map_err(|error| fail(format!("could not drop a benchmark database: {error}")))?;
        }
        if options.keep_projects.is_none() && project.dir.starts_with(temp_root.path()) {
            let _ = std::fs::remove_dir_all(&project.dir);
        }
    }
    server.shutdown();
    Ok(Report {
        server_version,
        pg_dump,
        migra,
        alembic,
        rows,
        setup: setups,
    })
}

fn median_of(rows: &[Row], tool: Tool, tables: usize) -> Option<f64> {
    rows.iter()
        .find(|row| row.tool == tool && row.tables == tables)
        .and_then(|row| row.summary)
        .map(|summary| summary.median_secs)
}

/// The result table, in markdown: one line per tool and size, with the autogen rows' ratios
/// to pg_dump, migra and Alembic at the same size; failures listed under it.
pub fn markdown_table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| tool | tables | runs | printed | median s | min s | max s | median peak RSS MB | \
         / pg_dump | / migra | / Alembic |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    let mut failures = String::new();
    for row in rows {
        let printed = row
            .output_count
            .map_or_else(|| "—".to_owned(), |count| count.to_string());
        match (&row.summary, &row.failure) {
            (Some(s), None) => {
                let ratio = |other: Tool| {
                    if !row.tool.is_autogen() {
                        return "—".to_owned();
                    }
                    median_of(rows, other, row.tables)
                        .map_or_else(|| "—".to_owned(), |m| format!("{:.2}", s.median_secs / m))
                };
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {printed} | {:.3} | {:.3} | {:.3} | {:.1} | {} | {} | {} |",
                    row.tool.label(),
                    row.tables,
                    s.runs,
                    s.median_secs,
                    s.min_secs,
                    s.max_secs,
                    s.median_rss_mib,
                    ratio(Tool::PgDump),
                    ratio(Tool::Migra),
                    ratio(Tool::Alembic),
                );
            }
            (_, failure) => {
                let _ = writeln!(
                    out,
                    "| {} | {} | — | {printed} | **failed** | — | — | — | — | — | — |",
                    row.tool.label(),
                    row.tables,
                );
                let _ = writeln!(
                    failures,
                    "- {} at {} tables failed {}",
                    row.tool.label(),
                    row.tables,
                    failure.as_deref().unwrap_or("(no timed run)")
                );
            }
        }
    }
    if !failures.is_empty() {
        out.push('\n');
        out.push_str(&failures);
    }
    out
}

/// How each tool's median grows from one size to the next, in markdown.
pub fn growth_table(rows: &[Row]) -> String {
    let mut sizes: Vec<usize> = rows.iter().map(|row| row.tables).collect();
    sizes.sort_unstable();
    sizes.dedup();
    let mut out = String::from("| tool |");
    for pair in sizes.windows(2) {
        let _ = write!(out, " {} → {} |", pair[0], pair[1]);
    }
    out.push_str("\n|---|");
    for _ in sizes.windows(2) {
        out.push_str("---:|");
    }
    out.push('\n');
    for tool in Tool::ALL {
        if !rows.iter().any(|row| row.tool == tool) {
            continue;
        }
        let _ = write!(out, "| {} |", tool.label());
        for pair in sizes.windows(2) {
            match (
                median_of(rows, tool, pair[0]),
                median_of(rows, tool, pair[1]),
            ) {
                (Some(small), Some(large)) => {
                    let _ = write!(
                        out,
                        " ×{:.1} (tables ×{:.0}) |",
                        large / small,
                        pair[1] as f64 / pair[0] as f64
                    );
                }
                _ => out.push_str(" — |"),
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(median: f64) -> Summary {
        Summary {
            runs: 5,
            median_secs: median,
            min_secs: median * 0.9,
            max_secs: median * 1.1,
            median_rss_mib: 10.0,
        }
    }

    fn row(tool: Tool, tables: usize, median: f64) -> Row {
        Row {
            tool,
            tables,
            summary: Some(summary(median)),
            output_count: None,
            failure: None,
        }
    }

    #[test]
    fn ratios_only_on_autogen_rows_and_growth_per_step() {
        let rows = [
            row(Tool::Inspect, 100, 0.1),
            row(Tool::PgDump, 100, 0.2),
            row(Tool::Migra, 100, 0.4),
            row(Tool::Inspect, 1000, 0.5),
            row(Tool::PgDump, 1000, 1.0),
            Row {
                tool: Tool::Migra,
                tables: 1000,
                summary: None,
                output_count: None,
                failure: Some("after 1.0 s, boom".to_owned()),
            },
        ];
        let table = markdown_table(&rows);
        assert!(
            table.contains("| autogen inspect --format sql | 100 | 5 | — | 0.100 | 0.090 | 0.110 | 10.0 | 0.50 | 0.25 | — |"),
            "{table}"
        );
        assert!(
            table.contains(
                "| pg_dump --schema-only | 100 | 5 | — | 0.200 | 0.180 | 0.220 | 10.0 | — | — | — |"
            ),
            "{table}"
        );
        assert!(table.contains("- migra --unsafe at 1000 tables failed after 1.0 s, boom"));
        let growth = growth_table(&rows);
        assert!(
            growth.contains("| autogen inspect --format sql | ×5.0 (tables ×10) |"),
            "{growth}"
        );
        assert!(growth.contains("| migra --unsafe | — |"), "{growth}");
    }

    #[test]
    fn a_missing_alembic_is_a_skip_note() {
        let alembic = find_alembic(Some(Path::new("/nonexistent/bin/python3")));
        assert!(matches!(alembic, Alembic::Missing(_)));
        assert!(alembic.describe().contains("row is skipped"));
    }

    #[test]
    fn alembic_gets_the_psycopg2_driver() {
        let spec = ConnectionSpec::unix_socket(Path::new("/tmp/s"), 5433, "postgres", "db");
        assert_eq!(
            alembic_url(&spec),
            "postgresql+psycopg2://postgres@/db?host=/tmp/s&port=5433"
        );
    }
}
