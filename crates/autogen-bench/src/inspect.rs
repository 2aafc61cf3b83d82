//! `autogen inspect` vs `pg_dump --schema-only` on generated schemas of N tables.
//!
//! For each N: a fresh database in an ephemeral dev cluster, the generated schema loaded in
//! simple-query batches, `ANALYZE` (so the catalogs have statistics like a real database's),
//! untimed warm-up runs of both tools, then `runs` timed rounds alternating the tools
//! (autogen, pg_dump, autogen, pg_dump, …) so that both see the same machine conditions.
//! Both tools write to /dev/null; each run's wall time and peak RSS come from `wait4`.

use crate::generate::{self, Workload};
use crate::measure::{self, Sample, Summary};
use autogen_pg::{DevServer, Host};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Schema sizes (table counts) to benchmark, in order.
    pub tables: Vec<usize>,
    /// The workloads to benchmark at each size.
    pub workloads: Vec<Workload>,
    /// Timed runs per tool and size.
    pub runs: usize,
    /// Untimed runs per tool and size before the timed ones.
    pub warmup: usize,
    /// Generator seed.
    pub seed: u64,
    /// The `autogen` binary to time.
    pub autogen: PathBuf,
    /// The `pg_dump` to time; by default the one next to the dev cluster's `postgres`.
    pub pg_dump: Option<PathBuf>,
    /// Tables per simple-query batch while loading.
    pub batch: usize,
}

/// The tools being compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Autogen,
    PgDump,
}

impl Tool {
    pub fn label(self) -> &'static str {
        match self {
            Tool::Autogen => "autogen inspect --format sql",
            Tool::PgDump => "pg_dump --schema-only",
        }
    }
}

/// One line of the result table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub tool: Tool,
    pub workload: Workload,
    pub tables: usize,
    pub summary: Summary,
    /// autogen median / pg_dump median, on the autogen row.
    pub ratio: Option<f64>,
}

/// Everything a benchmark produced, for printing.
#[derive(Debug, Clone)]
pub struct Report {
    pub server_version: String,
    pub pg_dump: PathBuf,
    pub rows: Vec<Row>,
}

/// A benchmark failure, already phrased for a person.
#[derive(Debug)]
pub struct BenchError(pub String);

impl std::fmt::Display for BenchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BenchError {}

/// A [`BenchError`] saying `message` (shared by the benchmark modules).
pub(crate) fn fail(message: impl Into<String>) -> BenchError {
    BenchError(message.into())
}

/// The dev server of a bench run: `dev_url`, else an ephemeral cluster.
pub(crate) async fn start_dev_server(dev_url: Option<&str>) -> Result<DevServer, BenchError> {
    DevServer::start(dev_url).await.map_err(|error| {
        fail(format!(
            "could not start the dev PostgreSQL server: {error}"
        ))
    })
}

/// Refuses early, with a clear message, when `path` is not an executable file.
pub fn check_executable(path: &Path, what: &str, hint: &str) -> Result<(), BenchError> {
    use std::os::unix::fs::PermissionsExt as _;
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() && meta.permissions().mode() & 0o111 != 0 => Ok(()),
        Ok(meta) if meta.is_file() => Err(fail(format!(
            "{what} at {} is not executable. {hint}",
            path.display()
        ))),
        Ok(_) => Err(fail(format!(
            "{what} at {} is not a file. {hint}",
            path.display()
        ))),
        Err(error) => Err(fail(format!(
            "{what} not found at {} ({error}). {hint}",
            path.display()
        ))),
    }
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

    progress("starting an ephemeral dev PostgreSQL cluster");
    let server = start_dev_server(None).await?;
    let pg_dump = match &options.pg_dump {
        Some(path) => path.clone(),
        None => default_pg_dump(&server)?,
    };
    check_executable(
        &pg_dump,
        "pg_dump",
        "Pass the pg_dump from the same PostgreSQL installation with --pg-dump.",
    )?;

    let mut server_version = String::new();
    let mut rows = Vec::new();
    let runs = options.tables.iter().flat_map(|&tables| {
        options
            .workloads
            .iter()
            .map(move |&workload| (tables, workload))
    });
    for (tables, workload) in runs {
        let label = format!("N={tables} {}", workload.label());
        let database = server
            .create_database()
            .await
            .map_err(|error| fail(format!("could not create a database: {error}")))?;
        let spec = database.connection().clone();
        if spec.has_password() {
            return Err(fail(
                "the dev server connection has a password; the benchmark only passes it a \
                 passwordless URL",
            ));
        }
        let client = database
            .connect()
            .await
            .map_err(|error| fail(format!("could not connect to {}: {error}", spec.redacted())))?;
        if server_version.is_empty() {
            server_version = query_one_text(&client, "SHOW server_version").await?;
        }

        let schema = generate::generate_workload(workload, tables, options.seed);
        progress(&format!(
            "{label}: loading {tables} tables ({} secondary indexes, {} blocks of other objects) \
             into {}",
            schema.index_count(),
            schema.objects.len(),
            spec.database()
        ));
        let started = Instant::now();
        for batch in schema.batches(options.batch) {
            client
                .batch_execute(&batch)
                .await
                .map_err(|error| fail(format!("loading the generated schema failed: {error}")))?;
        }
        client
            .batch_execute("ANALYZE")
            .await
            .map_err(|error| fail(format!("ANALYZE failed: {error}")))?;
        progress(&format!(
            "{label}: loaded and analyzed in {:.1} s",
            started.elapsed().as_secs_f64()
        ));
        drop(client);

        let autogen_command = autogen_command(&options.autogen, &spec.redacted());
        let pg_dump_command = pg_dump_command(&pg_dump, &spec)?;
        for round in 0..options.warmup {
            for (tool, command) in [
                (Tool::Autogen, &autogen_command),
                (Tool::PgDump, &pg_dump_command),
            ] {
                let sample = run_once(tool, command).await?;
                progress(&format!(
                    "{label}: warm-up {}/{} {}: {:.3} s, {:.1} MB",
                    round + 1,
                    options.warmup,
                    tool.label(),
                    sample.wall.as_secs_f64(),
                    sample.max_rss_kib as f64 / 1024.0
                ));
            }
        }

        let mut autogen_samples = Vec::with_capacity(options.runs);
        let mut pg_dump_samples = Vec::with_capacity(options.runs);
        for round in 0..options.runs {
            for (tool, command) in [
                (Tool::Autogen, &autogen_command),
                (Tool::PgDump, &pg_dump_command),
            ] {
                let sample = run_once(tool, command).await?;
                progress(&format!(
                    "{label}: run {}/{} {}: {:.3} s, {:.1} MB",
                    round + 1,
                    options.runs,
                    tool.label(),
                    sample.wall.as_secs_f64(),
                    sample.max_rss_kib as f64 / 1024.0
                ));
                match tool {
                    Tool::Autogen => autogen_samples.push(sample),
                    Tool::PgDump => pg_dump_samples.push(sample),
                }
            }
        }
        database
            .drop_database()
            .await
            .map_err(|error| fail(format!("could not drop the benchmark database: {error}")))?;

        let (Some(autogen), Some(dump)) =
            (Summary::of(&autogen_samples), Summary::of(&pg_dump_samples))
        else {
            return Err(fail("no samples were taken"));
        };
        rows.push(Row {
            tool: Tool::Autogen,
            workload,
            tables,
            summary: autogen,
            ratio: Some(autogen.median_secs / dump.median_secs),
        });
        rows.push(Row {
            tool: Tool::PgDump,
            workload,
            tables,
            summary: dump,
            ratio: None,
        });
    }
    server.shutdown();
    Ok(Report {
        server_version,
        pg_dump,
        rows,
    })
}

pub(crate) async fn query_one_text(
    client: &tokio_postgres::Client,
    sql: &str,
) -> Result<String, BenchError> {
    let messages = client
        .simple_query(sql)
        .await
        .map_err(|error| fail(format!("{sql} failed: {error}")))?;
    for message in messages {
        if let tokio_postgres::SimpleQueryMessage::Row(row) = message {
            return Ok(row.get(0).unwrap_or_default().to_owned());
        }
    }
    Err(fail(format!("{sql} returned no row")))
}

/// `pg_dump` next to the dev cluster's server binaries.
pub(crate) fn default_pg_dump(server: &DevServer) -> Result<PathBuf, BenchError> {
    match server {
        DevServer::Ephemeral(cluster) => Ok(cluster.binaries().bindir.join("pg_dump")),
        DevServer::External(_) => Err(fail(
            "the dev server is not an ephemeral cluster; pass --pg-dump explicitly",
        )),
    }
}

/// `AUTOGEN inspect URL --format sql`.
pub fn autogen_command(autogen: &Path, url: &str) -> Command {
    let mut command = Command::new(autogen);
    command.args(["inspect", url, "--format", "sql"]);
    command
}

/// `pg_dump --schema-only --no-owner -h SOCKETDIR -p PORT -U USER DB`.
pub fn pg_dump_command(
    pg_dump: &Path,
    spec: &autogen_pg::ConnectionSpec,
) -> Result<Command, BenchError> {
    let Host::Unix(socket_dir) = spec.host() else {
        return Err(fail("expected the dev cluster to listen on a Unix socket"));
    };
    let mut command = Command::new(pg_dump);
    command
        .args(["--schema-only", "--no-owner", "--no-password", "-h"])
        .arg(socket_dir)
        .args(["-p", &spec.port().to_string(), "-U", spec.user()])
        .arg(spec.database())
        .env("PGCONNECT_TIMEOUT", "10");
    Ok(command)
}

async fn run_once(tool: Tool, command: &Command) -> Result<Sample, BenchError> {
    let described = describe(command);
    let mut copy = Command::new(command.get_program());
    copy.args(command.get_args());
    for (key, value) in command.get_envs() {
        if let Some(value) = value {
            copy.env(key, value);
        }
    }
    tokio::task::spawn_blocking(move || measure::measure(&copy))
        .await
        .map_err(|error| fail(format!("the measuring thread failed: {error}")))?
        .map_err(|error| fail(format!("{} failed: {described}: {error}", tool.label())))
}

fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        let arg = arg.to_string_lossy();
        if arg.contains([' ', '?', '&']) {
            text.push('\'');
            text.push_str(&arg);
            text.push('\'');
        } else {
            text.push_str(&arg);
        }
    }
    text
}

/// The result table, in markdown.
pub fn markdown_table(rows: &[Row]) -> String {
    let mut out = String::new();
    out.push_str(
        "| tool | workload | tables | runs | median s | min s | max s | median peak RSS MB | autogen/pg_dump (median) |\n",
    );
    out.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for row in rows {
        let ratio = row
            .ratio
            .map(|ratio| format!("{ratio:.2}"))
            .unwrap_or_else(|| "—".to_owned());
        let s = &row.summary;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {:.3} | {:.3} | {:.3} | {:.1} | {} |",
            row.tool.label(),
            row.workload.label(),
            row.tables,
            s.runs,
            s.median_secs,
            s.min_secs,
            s.max_secs,
            s.median_rss_mib,
            ratio
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_autogen_binary_is_a_clear_error() {
        let error = check_executable(
            Path::new("/nonexistent/target/release/autogen"),
            "the autogen binary",
            "Build it first.",
        )
        .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("the autogen binary not found at /nonexistent/target/release/autogen"),
            "{error}"
        );
    }

    #[test]
    fn table_has_a_ratio_only_on_autogen_rows() {
        let summary = Summary {
            runs: 3,
            median_secs: 0.5,
            min_secs: 0.4,
            max_secs: 0.6,
            median_rss_mib: 30.0,
        };
        let rows = [
            Row {
                tool: Tool::Autogen,
                workload: Workload::Tables,
                tables: 100,
                summary,
                ratio: Some(0.5),
            },
            Row {
                tool: Tool::PgDump,
                workload: Workload::Tables,
                tables: 100,
                summary,
                ratio: None,
            },
        ];
        let table = markdown_table(&rows);
        assert!(
            table.contains(
                "| autogen inspect --format sql | tables | 100 | 3 | 0.500 | 0.400 | 0.600 | 30.0 | 0.50 |"
            ),
            "{table}"
        );
        assert!(
            table.contains(
                "| pg_dump --schema-only | tables | 100 | 3 | 0.500 | 0.400 | 0.600 | 30.0 | — |"
            ),
            "{table}"
        );
    }
}
