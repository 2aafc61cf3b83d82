//! `autogen diff --from URL_A --to URL_B` end to end, side by side with migra.
//!
//! For each N: the generated schema is loaded into two fresh databases A and B on an
//! ephemeral dev cluster (Unix socket), and a change script is applied to B: every 20th
//! table (5 %, the tables the in-memory `diff` benchmark changes) gets one change, in turn an
//! added column with an index on it, a dropped column, a changed default, a column type
//! changed from integer to bigint, a dropped CHECK and a new index. Both databases are
//! `ANALYZE`d. Then three commands are timed as whole processes, alternating (A B C A B C …)
//! after untimed warm-up runs:
//!
//! * `autogen diff --from A --to B --format sql` — with verification, which starts
//!   autogen's own throwaway cluster (no `AUTOGEN_DEV_URL`), re-creates A there, applies up
//!   and down and introspects after each;
//! * the same with `--dev-url` set to the benchmark's own running cluster (a developer with a
//!   dev server: no cluster start-up per process);
//! * the same with `--no-verify`;
//! * `migra --unsafe A B` (exit status 2 means "differences found": success), when migra is
//!   installed.
//!
//! Every run's stdout is kept and its statements counted: each tool must print a non-empty
//! diff, the same number of statements every time. A command that fails is reported as
//! failed (with its error) and not run again at that size; the others go on. Once per N, migra's script is also applied
//! to a copy of A and the result compared with B (autogen's own verification already does
//! this for autogen's plan), so a reader knows both scripts do the whole job.
//!
//! With `--breakdown`, the same work runs in this process through autogen-engine, exactly as
//! the CLI calls it, and the engine's own step spans time it (see [`crate::steps`]),
//! verification on a cluster started for it.

use crate::generate::{self, GeneratedSchema, GeneratedTable};
use crate::inspect::{BenchError, check_executable, fail, query_one_text};
use crate::measure::{self, Output, Sample, Summary};
use autogen_pg::{ConnectionSpec, DevServer, TempDatabase};
use autogen_schema::Catalog;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// How to get migra, for the "not installed" note and error hints.
pub const MIGRA_INSTALL: &str = "python3 -m venv /tmp/migra-venv && \
/tmp/migra-venv/bin/pip install migra psycopg2-binary 'sqlalchemy<2', then pass \
--migra /tmp/migra-venv/bin/migra";

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Schema sizes (table counts), in order.
    pub tables: Vec<usize>,
    /// Timed runs per command and size.
    pub runs: usize,
    /// Untimed runs per command and size before the timed ones.
    pub warmup: usize,
    /// Generator seed.
    pub seed: u64,
    /// The `autogen` binary to time.
    pub autogen: PathBuf,
    /// The `migra` to time; `None`: `migra` on PATH, if any.
    pub migra: Option<PathBuf>,
    /// Tables per simple-query batch while loading.
    pub batch: usize,
    /// Also time the steps of `autogen diff` in-process, through autogen-engine.
    pub breakdown: bool,
}

/// The commands being compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Autogen,
    AutogenDevUrl,
    AutogenNoVerify,
    Migra,
}

impl Tool {
    pub fn label(self) -> &'static str {
        match self {
            Tool::Autogen => "autogen diff --format sql",
            Tool::AutogenDevUrl => "autogen diff --format sql --dev-url (running server)",
            Tool::AutogenNoVerify => "autogen diff --format sql --no-verify",
            Tool::Migra => "migra --unsafe",
        }
    }
}

/// Whether and where migra was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Migra {
    Found {
        path: PathBuf,
        /// e.g. "migra 3.0.1663481299, schemainspect …, SQLAlchemy 1.4.54", when the versions
        /// could be read from migra's Python.
        versions: Option<String>,
    },
    /// Not installed: what was looked for.
    Missing(String),
}

impl Migra {
    /// The line the report prints about migra.
    pub fn describe(&self) -> String {
        match self {
            Migra::Found {
                path,
                versions: Some(versions),
            } => format!("migra: {} ({versions})", path.display()),
            Migra::Found {
                path,
                versions: None,
            } => format!("migra: {}", path.display()),
            Migra::Missing(looked) => {
                format!("migra: not installed ({looked}; to install: {MIGRA_INSTALL})")
            }
        }
    }
}

/// One line of the result table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub tool: Tool,
    pub tables: usize,
    /// `None` when no run succeeded.
    pub summary: Option<Summary>,
    /// Statements the command printed (the same in every run).
    pub statements: Option<usize>,
    /// Why the command failed (it was not run again at this size).
    pub failure: Option<String>,
    /// This row's median / migra's median at the same size (no migra: `None`).
    pub ratio: Option<f64>,
}

/// What was changed in B, per size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workload {
    pub tables: usize,
    pub changed_tables: usize,
    /// Statements of the change script applied to B.
    pub change_statements: usize,
    /// Whether migra's script, applied to a copy of A, gave B (`None`: migra not run).
    pub migra_converges: Option<Result<(), String>>,
}

/// Everything a benchmark produced, for printing.
#[derive(Debug, Clone)]
pub struct Report {
    pub server_version: String,
    pub migra: Migra,
    pub workloads: Vec<Workload>,
    pub rows: Vec<Row>,
    pub breakdowns: Vec<Breakdown>,
}

/// The SQL applied to database B, and how much of the schema it touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeScript {
    pub sql: String,
    pub changed_tables: usize,
    pub statements: usize,
}

/// One change to every 20th table (5 % of the schema, the same tables the in-memory `diff`
/// benchmark changes), the kind of change rotating over six kinds that both autogen and
/// migra handle (migra ignores comments, so unlike the in-memory benchmark there are none).
pub fn change_script(schema: &GeneratedSchema) -> ChangeScript {
    let mut sql = String::new();
    let mut changed_tables = 0;
    for (n, table) in schema.tables.iter().step_by(20).enumerate() {
        let qualified = format!("\"{}\".\"{}\"", table.schema, table.name);
        let name = &table.name;
        let _ = match n % 6 {
            0 => writeln!(
                sql,
                "ALTER TABLE {qualified} ADD COLUMN bench_note text;\n\
                 CREATE INDEX \"{name}_bench_note_idx\" ON {qualified} (bench_note);"
            ),
            // Never indexed nor checked by the generator.
            1 => writeln!(sql, "ALTER TABLE {qualified} DROP COLUMN attributes;"),
            2 => writeln!(
                sql,
                "ALTER TABLE {qualified} ALTER COLUMN amount SET DEFAULT 1;"
            ),
            3 => writeln!(
                sql,
                "ALTER TABLE {qualified} ALTER COLUMN quantity TYPE bigint;"
            ),
            4 => writeln!(
                sql,
                "ALTER TABLE {qualified} DROP CONSTRAINT \"{}\";",
                check_name(table)
            ),
            _ => writeln!(
                sql,
                "CREATE INDEX \"{name}_name_created_at_idx\" ON {qualified} (name, created_at);"
            ),
        };
        changed_tables += 1;
    }
    let statements = count_statements(&sql);
    ChangeScript {
        sql,
        changed_tables,
        statements,
    }
}

/// The name of the generated table's CHECK constraint (`CONSTRAINT <name> CHECK (...)`).
fn check_name(table: &GeneratedTable) -> &str {
    table
        .sql
        .lines()
        .find_map(|line| {
            let rest = line.trim().strip_prefix("CONSTRAINT ")?;
            let (name, tail) = rest.split_once(' ')?;
            tail.starts_with("CHECK (").then_some(name)
        })
        .unwrap_or_else(|| panic!("generated table {} has no CHECK", table.name))
}

/// Counts the SQL statements in `sql`: the non-empty pieces between semicolons outside
/// quotes, dollar quotes and comments (a last statement without `;` counts too).
pub fn count_statements(sql: &str) -> usize {
    let bytes = sql.as_bytes();
    let mut count = 0;
    let mut content = false;
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        match byte {
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = sql[i..].find('\n').map_or(bytes.len(), |end| i + end + 1);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                // PostgreSQL's block comments nest.
                let mut depth = 0usize;
                while i < bytes.len() {
                    if bytes[i..].starts_with(b"/*") {
                        depth += 1;
                        i += 2;
                    } else if bytes[i..].starts_with(b"*/") {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                continue;
            }
            b'\'' | b'"' => {
                content = true;
                // A doubled quote inside just closes and reopens: same result.
                i = sql[i + 1..]
                    .find(byte as char)
                    .map_or(bytes.len(), |end| i + 1 + end + 1);
                continue;
            }
            b'$' if !i
                .checked_sub(1)
                .is_some_and(|p| bytes[p].is_ascii_alphanumeric() || bytes[p] == b'_') =>
            {
                content = true;
                let tag_end = sql[i + 1..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .map(|end| i + 1 + end);
                if let Some(tag_end) = tag_end
                    && bytes[tag_end] == b'$'
                    && !bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
                {
                    let tag = &sql[i..=tag_end];
                    i = sql[tag_end + 1..]
                        .find(tag)
                        .map_or(bytes.len(), |end| tag_end + 1 + end + tag.len());
                    continue;
                }
            }
            b';' => {
                if content {
                    count += 1;
                }
                content = false;
            }
            _ if !byte.is_ascii_whitespace() => content = true,
            _ => {}
        }
        i += 1;
    }
    count + usize::from(content)
}

/// `migra` on PATH.
fn migra_on_path() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("migra"))
        .find(|candidate| check_executable(candidate, "migra", "").is_ok())
}

/// Finds migra (an explicit path, else PATH) and, best effort, the versions of its
/// packages through the Python interpreter of its `#!` line.
pub fn find_migra(explicit: Option<&Path>) -> Migra {
    let path = match explicit {
        Some(path) => match check_executable(path, "migra", "") {
            Ok(()) => path.to_path_buf(),
            Err(error) => return Migra::Missing(error.to_string().trim_end().to_owned()),
        },
        None => match migra_on_path() {
            Some(path) => path,
            None => return Migra::Missing("no migra on PATH and no --migra given".to_owned()),
        },
    };
    let versions = migra_versions(&path);
    Migra::Found { path, versions }
}

fn migra_versions(migra: &Path) -> Option<String> {
    let script = std::fs::read_to_string(migra).ok()?;
    let python = script.lines().next()?.strip_prefix("#!")?.trim();
    let output = Command::new(python)
        .args([
            "-c",
            "import importlib.metadata as m\n\
             print(', '.join(p + ' ' + m.version(p) for p in \
             ('migra', 'schemainspect', 'sqlbag', 'SQLAlchemy', 'psycopg2-binary')))",
        ])
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .filter(|text| !text.is_empty())
}

/// `postgres://…` as SQLAlchemy 1.4 (which migra uses) wants it: `postgresql://…`.
pub fn sqlalchemy_url(spec: &ConnectionSpec) -> String {
    let url = spec.url_with_password();
    match url.strip_prefix("postgres://") {
        Some(rest) => format!("postgresql://{rest}"),
        None => url,
    }
}

/// `AUTOGEN diff --from A --to B --format sql [--no-verify]`, with autogen's own throwaway
/// dev cluster (`AUTOGEN_DEV_URL` removed from its environment), run in the temporary
/// directory so that no `autogen.toml` of the caller's project applies (`autogen` must be an
/// absolute path).
pub fn autogen_command(autogen: &Path, from: &str, to: &str, verify: bool) -> Command {
    let mut command = Command::new(autogen);
    command.current_dir(std::env::temp_dir());
    command.args([
        "diff", "--from", from, "--to", to, "--format", "sql", "--color", "never",
    ]);
    if !verify {
        command.arg("--no-verify");
    }
    command.env_remove("AUTOGEN_DEV_URL");
    command
}

/// `MIGRA --unsafe A B`.
pub fn migra_command(migra: &Path, from: &str, to: &str) -> Command {
    let mut command = Command::new(migra);
    command.args(["--unsafe", from, to]);
    command
}

struct Timed {
    tool: Tool,
    command: Command,
    /// Exit statuses that mean success.
    accepted: &'static [i32],
}

/// The short form of a failed run's error, for the table: its `error:` lines.
fn failure_reason(error: &measure::MeasureError, after: Duration) -> String {
    let detail = match error {
        measure::MeasureError::Failed { status, stderr } => {
            let errors: Vec<&str> = stderr
                .lines()
                .map(str::trim)
                .filter(|line| line.starts_with("error:") || line.starts_with("ERROR"))
                .collect();
            let last = stderr.lines().rev().find(|line| !line.trim().is_empty());
            match (errors.is_empty(), last) {
                (false, _) => format!("{status}: {}", errors.join(" ")),
                (true, Some(last)) => format!("{status}: {}", last.trim()),
                (true, None) => status.clone(),
            }
        }
        other => other.to_string(),
    };
    format!("after {:.1} s, {detail}", after.as_secs_f64())
}

async fn run_once(timed: &Timed) -> Result<(Sample, usize), (String, String)> {
    let label = timed.tool.label();
    let mut copy = Command::new(timed.command.get_program());
    copy.args(timed.command.get_args());
    if let Some(dir) = timed.command.get_current_dir() {
        copy.current_dir(dir);
    }
    for (key, value) in timed.command.get_envs() {
        match value {
            Some(value) => copy.env(key, value),
            None => copy.env_remove(key),
        };
    }
    let accepted = timed.accepted;
    let started = Instant::now();
    let measured = tokio::task::spawn_blocking(move || measure::measure_output(&copy, accepted))
        .await
        .map_err(|error| {
            let text = format!("the measuring thread failed: {error}");
            (text.clone(), text)
        })?;
    let output: Output = measured.map_err(|error| {
        let hint = if timed.tool == Tool::Migra {
            "\nhint: migra 3.x needs SQLAlchemy < 2 (`pip install 'sqlalchemy<2'` in migra's \
             environment) and psycopg2"
        } else {
            ""
        };
        (
            format!("{label} failed: {error}{hint}"),
            failure_reason(&error, started.elapsed()),
        )
    })?;
    let text = String::from_utf8_lossy(&output.stdout);
    let statements = count_statements(&text);
    if statements == 0 {
        let text = format!(
            "printed no statements (exit status {}), but the databases differ",
            output.status
        );
        return Err((format!("{label} {text}"), text));
    }
    Ok((output.sample, statements))
}

/// An ephemeral cluster (its lock table is large enough to re-create thousands of tables in
/// one transaction: see `autogen_pg::DevCluster`).
pub(crate) async fn start_cluster() -> Result<DevServer, BenchError> {
    DevServer::start(None)
        .await
        .map_err(|error| fail(format!("could not start a dev PostgreSQL cluster: {error}")))
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
    let autogen = std::fs::canonicalize(&options.autogen).map_err(|error| {
        fail(format!(
            "could not resolve {}: {error}",
            options.autogen.display()
        ))
    })?;
    let migra = find_migra(options.migra.as_deref());
    progress(&migra.describe());

    progress("starting an ephemeral dev PostgreSQL cluster for databases A and B");
    let server = start_cluster().await?;
    let dev_url = server.admin_connection().redacted();

    let mut server_version = String::new();
    let mut workloads = Vec::new();
    let mut rows = Vec::new();
    let mut breakdowns = Vec::new();
    for &tables in &options.tables {
        let schema = generate::generate(tables, options.seed);
        let changes = change_script(&schema);
        let batches = schema.batches(options.batch);
        progress(&format!(
            "N={tables}: loading A and B ({} changed tables, {} change statements applied to B)",
            changes.changed_tables, changes.statements
        ));
        let started = Instant::now();
        let a = load(&server, &batches, None).await?;
        let b = load(&server, &batches, Some(&changes.sql)).await?;
        progress(&format!(
            "N={tables}: loaded and analyzed in {:.1} s",
            started.elapsed().as_secs_f64()
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

        let mut timed = vec![
            Timed {
                tool: Tool::Autogen,
                command: autogen_command(&autogen, &a_url, &b_url, true),
                accepted: &[0],
            },
            Timed {
                tool: Tool::AutogenDevUrl,
                command: {
                    let mut command = autogen_command(&autogen, &a_url, &b_url, true);
                    command.args(["--dev-url", &dev_url]);
                    command
                },
                accepted: &[0],
            },
            Timed {
                tool: Tool::AutogenNoVerify,
                command: autogen_command(&autogen, &a_url, &b_url, false),
                accepted: &[0],
            },
        ];
        if let Migra::Found { path, .. } = &migra {
            timed.push(Timed {
                tool: Tool::Migra,
                command: migra_command(path, &sqlalchemy_url(&a_spec), &sqlalchemy_url(&b_spec)),
                // 0: no differences (rejected below: there are), 2: differences.
                accepted: &[0, 2],
            });
        }

        // The statements each tool prints; fixed by the first (warm-up or timed) run.
        let mut statements: Vec<Option<usize>> = vec![None; timed.len()];
        let mut failures: Vec<Option<String>> = vec![None; timed.len()];
        let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); timed.len()];
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
                let result =
                    run_once(entry)
                        .await
                        .and_then(|(sample, count)| match statements[index] {
                            Some(first) if first != count => {
                                let text = format!("printed {count} statements, earlier {first}");
                                Err((format!("{} {text}", entry.tool.label()), text))
                            }
                            _ => Ok((sample, count)),
                        });
                match result {
                    Ok((sample, count)) => {
                        statements[index] = Some(count);
                        progress(&format!(
                            "N={tables}: {what} {}: {:.3} s, {:.1} MB, {count} statements",
                            entry.tool.label(),
                            sample.wall.as_secs_f64(),
                            sample.max_rss_kib as f64 / 1024.0
                        ));
                        if !warm {
                            samples[index].push(sample);
                        }
                    }
                    Err((full, short)) => {
                        progress(&format!(
                            "N={tables}: {what}: FAILED (not run again at this size): {full}"
                        ));
                        failures[index] = Some(short);
                    }
                }
            }
        }

        let migra_index = timed
            .iter()
            .position(|entry| entry.tool == Tool::Migra)
            .filter(|&index| failures[index].is_none());
        let migra_converges = match migra_index {
            Some(index) => {
                progress(&format!(
                    "N={tables}: applying migra's script to a copy of A and comparing with B"
                ));
                Some(check_migra_script(&server, &batches, &timed[index], &b).await?)
            }
            None => None,
        };

        let summaries: Vec<Option<Summary>> = samples
            .iter()
            .zip(&failures)
            // A command that failed in a timed run has an incomplete set: not summarized.
            .map(|(samples, failure)| failure.is_none().then(|| Summary::of(samples)).flatten())
            .collect();
        let migra_median = migra_index
            .and_then(|index| summaries[index])
            .map(|summary| summary.median_secs);
        for (index, entry) in timed.iter().enumerate() {
            rows.push(Row {
                tool: entry.tool,
                tables,
                summary: summaries[index],
                statements: statements[index],
                failure: failures[index].clone(),
                ratio: match (entry.tool, summaries[index], migra_median) {
                    (Tool::Migra, _, _) => None,
                    (_, Some(summary), Some(migra)) => Some(summary.median_secs / migra),
                    _ => None,
                },
            });
        }
        workloads.push(Workload {
            tables,
            changed_tables: changes.changed_tables,
            change_statements: changes.statements,
            migra_converges,
        });

        if options.breakdown {
            let mut runs = Vec::with_capacity(options.runs);
            for run in 0..options.runs {
                let steps = crate::steps::diff_steps(&a_spec, &b_spec).await?;
                progress(&format!(
                    "N={tables}: breakdown {}/{}: {:.3} s in-process",
                    run + 1,
                    options.runs,
                    steps.iter().map(|(_, d)| d.as_secs_f64()).sum::<f64>()
                ));
                runs.push(steps);
            }
            let end_to_end = rows
                .iter()
                .find(|row| row.tables == tables && row.tool == Tool::Autogen)
                .and_then(|row| row.summary)
                .map(|summary| summary.median_secs);
            breakdowns.push(Breakdown::of(tables, &runs, end_to_end));
        }

        for database in [a, b] {
            database
                .drop_database()
                .await
                .map_err(|error| fail(format!("could not drop a benchmark database: {error}")))?;
        }
    }
    server.shutdown();
    Ok(Report {
        server_version,
        migra,
        workloads,
        rows,
        breakdowns,
    })
}

/// A fresh database with the generated schema (and `extra` after it), analyzed.
pub(crate) async fn load(
    server: &DevServer,
    batches: &[String],
    extra: Option<&str>,
) -> Result<TempDatabase, BenchError> {
    let database = server
        .create_database()
        .await
        .map_err(|error| fail(format!("could not create a database: {error}")))?;
    let client = database
        .connect()
        .await
        .map_err(|error| fail(format!("could not connect: {error}")))?;
    for batch in batches {
        client
            .batch_execute(batch)
            .await
            .map_err(|error| fail(format!("loading the generated schema failed: {error}")))?;
    }
    if let Some(extra) = extra {
        client
            .batch_execute(extra)
            .await
            .map_err(|error| fail(format!("applying the change script failed: {error}")))?;
    }
    client
        .batch_execute("ANALYZE")
        .await
        .map_err(|error| fail(format!("ANALYZE failed: {error}")))?;
    Ok(database)
}

/// Applies migra's script to a fresh copy of A and compares the result with B the way
/// autogen's verification compares (column order aside, known equivalences applied).
/// `Err(residual)` lists what the script left undone; only database errors fail the run.
async fn check_migra_script(
    server: &DevServer,
    batches: &[String],
    migra: &Timed,
    b: &TempDatabase,
) -> Result<Result<(), String>, BenchError> {
    let output = Command::new(migra.command.get_program())
        .args(migra.command.get_args())
        .output()
        .map_err(|error| fail(format!("could not run migra: {error}")))?;
    let script = String::from_utf8_lossy(&output.stdout).into_owned();
    let copy = load(server, batches, None).await?;
    let mut client = copy
        .connect()
        .await
        .map_err(|error| fail(format!("could not connect: {error}")))?;
    let applied = client.batch_execute(&script).await;
    let result = match applied {
        Err(error) => Err(format!("migra's script failed on a copy of A: {error}")),
        Ok(()) => {
            let after = inspect(&mut client).await?;
            let mut b_client = b
                .connect()
                .await
                .map_err(|error| fail(format!("could not connect: {error}")))?;
            let expected = inspect(&mut b_client).await?;
            residual(&after, &expected)
        }
    };
    drop(client);
    copy.drop_database()
        .await
        .map_err(|error| fail(format!("could not drop a benchmark database: {error}")))?;
    Ok(result)
}

async fn inspect(client: &mut autogen_pg::Client) -> Result<Catalog, BenchError> {
    Ok(autogen_introspect::inspect(client, &Default::default())
        .await
        .map_err(|error| fail(format!("inspect failed: {error}")))?
        .catalog)
}

fn residual(actual: &Catalog, expected: &Catalog) -> Result<(), String> {
    if autogen_diff::equivalent(actual, expected) {
        return Ok(());
    }
    let (actual, expected) = (
        autogen_diff::comparable(actual),
        autogen_diff::comparable(expected),
    );
    match autogen_diff::plan(&actual, &expected) {
        Ok(plan) if !plan.statements.is_empty() => Err(format!(
            "{} change(s) left, e.g. {}",
            plan.statements.len(),
            plan.statements
                .iter()
                .take(3)
                .map(|statement| statement.change.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        )),
        Ok(_) => Err("a difference the diff engine does not see".to_owned()),
        Err(error) => Err(error.to_string()),
    }
}

/// Median per step over several runs of the engine (see [`crate::steps::diff_steps`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Breakdown {
    pub tables: usize,
    pub runs: usize,
    /// Step and median seconds, in the order the first run took them.
    pub steps: Vec<(String, f64)>,
    /// Median wall time of the `autogen diff` process (with verification), for the
    /// "rest" line: process start, output, exit.
    pub end_to_end_secs: Option<f64>,
}

impl Breakdown {
    pub fn of(
        tables: usize,
        runs: &[Vec<(String, Duration)>],
        end_to_end_secs: Option<f64>,
    ) -> Self {
        let names: Vec<&String> = runs
            .first()
            .map(|run| run.iter().map(|(name, _)| name).collect())
            .unwrap_or_default();
        let steps = names
            .into_iter()
            .map(|step| {
                let values: Vec<f64> = runs
                    .iter()
                    .filter_map(|run| {
                        run.iter()
                            .find(|(name, _)| name == step)
                            .map(|(_, duration)| duration.as_secs_f64())
                    })
                    .collect();
                let median = if values.is_empty() {
                    0.0
                } else {
                    measure::median(&values)
                };
                (step.clone(), median)
            })
            .collect();
        Breakdown {
            tables,
            runs: runs.len(),
            steps,
            end_to_end_secs,
        }
    }

    pub fn markdown_table(&self) -> String {
        let mut out = format!(
            "| step ({} tables, median of {} in-process runs) | s | share |\n|---|---:|---:|\n",
            self.tables, self.runs
        );
        let sum: f64 = self.steps.iter().map(|(_, secs)| secs).sum();
        let total = self.end_to_end_secs.unwrap_or(sum).max(sum);
        for (step, secs) in &self.steps {
            let _ = writeln!(
                out,
                "| {step} | {secs:.3} | {:.0} % |",
                100.0 * secs / total
            );
        }
        let _ = writeln!(
            out,
            "| sum of the steps | {sum:.3} | {:.0} % |",
            100.0 * sum / total
        );
        // Measured at another time than the timed runs: on a busy machine the difference is
        // mostly noise, and it says so.
        if let Some(end_to_end) = self.end_to_end_secs {
            let _ = writeln!(
                out,
                "| `autogen diff --format sql` process median ({end_to_end:.3} s) minus the \
                 sum: exec, output, exit, and noise (not measured at the same time) | {:.3} | \
                 {:.0} % |",
                end_to_end - sum,
                100.0 * (end_to_end - sum) / total
            );
        }
        out
    }
}

/// The per-size workload table, in markdown.
pub fn workload_table(workloads: &[Workload], rows: &[Row]) -> String {
    let mut out = String::from(
        "| tables | changed tables | change statements applied to B | statements printed: \
         autogen | statements printed: migra | migra's script on a copy of A gives B |\n\
         |---:|---:|---:|---:|---:|---|\n",
    );
    for workload in workloads {
        let printed = |tool: Tool| {
            rows.iter()
                .find(|row| row.tables == workload.tables && row.tool == tool)
                .and_then(|row| row.statements)
                .map_or_else(|| "—".to_owned(), |count| count.to_string())
        };
        let converges = match &workload.migra_converges {
            None => "— (not run)".to_owned(),
            Some(Ok(())) => "yes".to_owned(),
            Some(Err(residual)) => format!("**no**: {residual}"),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {converges} |",
            workload.tables,
            workload.changed_tables,
            workload.change_statements,
            printed(Tool::Autogen),
            printed(Tool::Migra),
        );
    }
    out
}

/// The result table, in markdown; failed commands are listed under it.
pub fn markdown_table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| tool | tables | runs | statements | median s | min s | max s | median peak RSS MB | \
         / migra (median) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    let mut failures = String::new();
    for row in rows {
        let ratio = row
            .ratio
            .map(|ratio| format!("{ratio:.2}"))
            .unwrap_or_else(|| "—".to_owned());
        let statements = row
            .statements
            .map_or_else(|| "—".to_owned(), |count| count.to_string());
        match (&row.summary, &row.failure) {
            (Some(s), None) => {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {statements} | {:.3} | {:.3} | {:.3} | {:.1} | {ratio} |",
                    row.tool.label(),
                    row.tables,
                    s.runs,
                    s.median_secs,
                    s.min_secs,
                    s.max_secs,
                    s.median_rss_mib,
                );
            }
            (_, failure) => {
                let _ = writeln!(
                    out,
                    "| {} | {} | — | {statements} | **failed** | — | — | — | — |",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_statements_outside_quotes_and_comments() {
        assert_eq!(count_statements(""), 0);
        assert_eq!(count_statements("-- hazard: none\n"), 0);
        assert_eq!(
            count_statements("-- hazard: none\nALTER TABLE t ADD c int;\n"),
            1
        );
        assert_eq!(
            count_statements("create table \"a;b\" (\n  x text default ';'\n);\n\n\nselect 1"),
            2
        );
        assert_eq!(
            count_statements("select 'it''s; fine'; /* ; /* ; */ ; */ ;"),
            1
        );
        assert_eq!(
            count_statements(
                "create function f() returns int as $body$ select 1; $body$ language sql;"
            ),
            1
        );
        assert_eq!(count_statements("select $1; ;;"), 1);
    }

    #[test]
    fn the_change_script_touches_every_20th_table_with_six_kinds_of_change() {
        let schema = generate::generate(240, 1);
        let script = change_script(&schema);
        assert_eq!(script.changed_tables, 12);
        // Kind 0 is two statements, the others one: 2 × (2 + 5).
        assert_eq!(script.statements, 14);
        for needle in [
            "ADD COLUMN bench_note text",
            "DROP COLUMN attributes",
            "SET DEFAULT 1",
            "TYPE bigint",
            "DROP CONSTRAINT",
            "_name_created_at_idx",
        ] {
            assert_eq!(script.sql.matches(needle).count(), 2, "{needle}");
        }
        assert!(script.sql.contains(&format!(
            "DROP CONSTRAINT \"{}\"",
            check_name(&schema.tables[80])
        )));
    }

    #[test]
    fn a_missing_migra_is_a_note_with_install_instructions() {
        let migra = find_migra(Some(Path::new("/nonexistent/bin/migra")));
        let text = migra.describe();
        assert!(text.starts_with("migra: not installed ("), "{text}");
        assert!(text.contains("pip install migra"), "{text}");
    }

    #[test]
    fn migra_gets_a_postgresql_scheme() {
        let spec = ConnectionSpec::unix_socket(Path::new("/tmp/s"), 5433, "postgres", "db");
        assert_eq!(
            sqlalchemy_url(&spec),
            "postgresql://postgres@/db?host=/tmp/s&port=5433"
        );
    }

    #[test]
    fn ratios_only_on_autogen_rows() {
        let summary = Summary {
            runs: 5,
            median_secs: 2.0,
            min_secs: 1.5,
            max_secs: 2.5,
            median_rss_mib: 40.0,
        };
        let rows = [
            Row {
                tool: Tool::Autogen,
                tables: 1000,
                summary: Some(summary),
                statements: Some(58),
                failure: None,
                ratio: Some(0.25),
            },
            Row {
                tool: Tool::Migra,
                tables: 1000,
                summary: Some(summary),
                statements: Some(60),
                failure: None,
                ratio: None,
            },
            Row {
                tool: Tool::Autogen,
                tables: 5000,
                summary: None,
                statements: None,
                failure: Some("after 9.0 s, exited with status 2: error: boom".to_owned()),
                ratio: None,
            },
        ];
        let table = markdown_table(&rows);
        assert!(
            table.contains("| autogen diff --format sql | 1000 | 5 | 58 | 2.000 | 1.500 | 2.500 | 40.0 | 0.25 |"),
            "{table}"
        );
        assert!(
            table.contains("| migra --unsafe | 1000 | 5 | 60 | 2.000 | 1.500 | 2.500 | 40.0 | — |"),
            "{table}"
        );
        assert!(
            table.contains("| autogen diff --format sql | 5000 | — | — | **failed** |"),
            "{table}"
        );
        assert!(
            table.contains(
                "- autogen diff --format sql at 5000 tables failed after 9.0 s, exited with \
                 status 2: error: boom"
            ),
            "{table}"
        );
    }
}
