//! A backfill over many rows while an application keeps writing: the revision `autogen
//! revision` writes for a `#[model(backfill = "…")]` field (plain and online mode) against the
//! same change as one big `UPDATE` in one transaction (what a hand-written data migration
//! usually is), each applied with `autogen upgrade` to its own copy of the same table.
//!
//! The table: `users (id bigint identity primary key, first_name text, last_name text,
//! touched integer)` with `rows` rows. The change adds `full_name text NOT NULL` filled with
//! `first_name || ' ' || last_name`. During each `upgrade`:
//! - a **writer** (one connection, autocommit) updates one random row after another
//!   (`touched = touched + 1`) and records how many commits it got in and its longest wait;
//! - a **sampler** polls `pg_stat_activity` every few milliseconds for the migration's
//!   connection (found by its `application_name`) and records the age of its open
//!   transaction: the longest one bounds how long any lock the migration took was held.

use crate::inspect::{BenchError, check_executable, fail, start_dev_server};
use autogen_pg::TempDatabase;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    pub rows: usize,
    pub autogen: PathBuf,
    pub dev_url: Option<String>,
}

/// The `application_name` the migration connects with, so the sampler finds it.
const MIGRATION_APP: &str = "autogen-bench-migration";

const MODELS_BEFORE: &str = r#"use autogen::Model;

#[derive(Model)]
#[model(table = "users")]
pub struct User {
    #[model(primary_key, identity)]
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    #[model(default = "0")]
    pub touched: i32,
}
"#;

const MODELS_AFTER: &str = r#"use autogen::Model;

#[derive(Model)]
#[model(table = "users")]
pub struct User {
    #[model(primary_key, identity)]
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    #[model(default = "0")]
    pub touched: i32,
    #[model(backfill = "first_name || ' ' || last_name")]
    pub full_name: String,
}
"#;

/// The same change as one transaction: add, fill every row in one `UPDATE`, enforce.
const ONE_UPDATE_UP: &str = "-- hazard: access-exclusive-lock\n\
ALTER TABLE \"public\".\"users\" ADD COLUMN \"full_name\" text;\n\
-- hazard: none\n\
UPDATE \"public\".\"users\" SET \"full_name\" = first_name || ' ' || last_name;\n\
-- hazard: access-exclusive-lock, may-fail-on-existing-rows\n\
ALTER TABLE \"public\".\"users\" ALTER COLUMN \"full_name\" SET NOT NULL;";

const ONE_UPDATE_DOWN: &str = "-- hazard: data-loss, access-exclusive-lock\n\
ALTER TABLE \"public\".\"users\" DROP COLUMN \"full_name\";";

/// The ways of applying the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// One transaction with one `UPDATE` of every row.
    OneUpdate,
    /// `autogen revision`'s plan.
    Autogen,
    /// `autogen revision --online`'s plan.
    AutogenOnline,
}

impl Variant {
    pub const ALL: [Variant; 3] = [Variant::OneUpdate, Variant::Autogen, Variant::AutogenOnline];

    pub fn label(self) -> &'static str {
        match self {
            Variant::OneUpdate => "one `UPDATE` in one transaction (hand-written)",
            Variant::Autogen => "autogen `backfill` (batched)",
            Variant::AutogenOnline => "autogen `backfill`, `--online`",
        }
    }
}

/// What one variant's run measured.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub variant: Variant,
    pub total: Duration,
    /// Batches as the runner reported them (`None` when it did not say).
    pub batches: Option<u64>,
    /// The longest-lived transaction of the migration's connection seen by the sampler.
    pub longest_transaction: Duration,
    pub writer_commits: u64,
    pub writer_longest_wait: Duration,
    /// Rows whose `full_name` is right after the run (must be all of them).
    pub filled_rows: i64,
}

/// Runs every variant once; `progress` gets a line per step.
pub async fn run(
    options: &Options,
    mut progress: impl FnMut(&str),
) -> Result<Vec<Outcome>, BenchError> {
    check_executable(
        &options.autogen,
        "the autogen binary",
        "Build it first (`cargo build --release -p autogen-cli`) or pass --autogen.",
    )?;
    let autogen = std::fs::canonicalize(&options.autogen)
        .map_err(|error| fail(format!("could not resolve the autogen binary: {error}")))?;
    progress("starting the dev PostgreSQL server");
    let server = start_dev_server(options.dev_url.as_deref()).await?;
    let dev_url = server.admin_connection().url_with_password();
    let temp = tempfile::Builder::new()
        .prefix("autogen-bench-backfill")
        .tempdir()
        .map_err(|error| fail(format!("could not create a temporary directory: {error}")))?;
    let mut outcomes = Vec::new();
    for variant in Variant::ALL {
        let database = server
            .create_database()
            .await
            .map_err(|error| fail(format!("could not create a database: {error}")))?;
        let url = database.connection().url_with_password();
        let project = temp.path().join(format!("{variant:?}").to_lowercase());
        let cli = Cli {
            autogen: &autogen,
            project: &project,
            dev_url: &dev_url,
            url: &url,
        };
        progress(&format!(
            "{}: preparing {} rows",
            variant.label(),
            options.rows
        ));
        prepare(&cli, &database, options.rows, variant).await?;
        progress(&format!("{}: applying", variant.label()));
        let outcome = measure(&cli, &database, variant).await?;
        if outcome.filled_rows != options.rows as i64 {
            return Err(fail(format!(
                "{}: {} of {} rows filled",
                variant.label(),
                outcome.filled_rows,
                options.rows
            )));
        }
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// The autogen binary in one project, with one database and the dev server.
struct Cli<'a> {
    autogen: &'a Path,
    project: &'a Path,
    dev_url: &'a str,
    url: &'a str,
}

impl Cli<'_> {
    fn run(&self, args: &[&str]) -> Result<std::process::Output, BenchError> {
        let output = Command::new(self.autogen)
            .current_dir(self.project)
            .args(["--color", "never", "--dev-url", self.dev_url])
            .args(args)
            .env_remove("DATABASE_URL")
            .output()
            .map_err(|error| fail(format!("could not run autogen: {error}")))?;
        if !output.status.success() {
            return Err(fail(format!(
                "autogen {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr)
            )));
        }
        Ok(output)
    }
}

/// The project at its first revision, applied, the rows inserted, and the revision of the
/// change written (not applied).
async fn prepare(
    cli: &Cli<'_>,
    database: &TempDatabase,
    rows: usize,
    variant: Variant,
) -> Result<(), BenchError> {
    std::fs::create_dir_all(cli.project.join("models"))
        .map_err(|error| fail(format!("could not create the project: {error}")))?;
    cli.run(&["init", "."])?;
    write(&cli.project.join("models/users.rs"), MODELS_BEFORE)?;
    cli.run(&["revision", "-m", "users"])?;
    cli.run(&["--database-url", cli.url, "upgrade"])?;
    let client = database
        .connect()
        .await
        .map_err(|error| fail(format!("could not connect: {error}")))?;
    // Two calls: VACUUM refuses the implicit transaction of a multi-statement query.
    for sql in [
        format!(
            "INSERT INTO users (first_name, last_name) \
             SELECT 'first' || g, 'last' || g FROM generate_series(1, {rows}) g"
        ),
        "VACUUM ANALYZE users".to_string(),
    ] {
        client.batch_execute(&sql).await.map_err(|error| {
            fail(format!(
                "could not insert the rows: {}",
                autogen_pg::error_text(&error)
            ))
        })?;
    }
    match variant {
        Variant::OneUpdate => {
            let revision = cli.run(&["revision", "--empty", "-m", "full name"])?;
            let path = String::from_utf8_lossy(&revision.stdout).trim().to_string();
            let text = std::fs::read_to_string(&path)
                .map_err(|error| fail(format!("could not read {path}: {error}")))?;
            let header = text
                .split("-- migrate:up")
                .next()
                .unwrap_or_default()
                .to_string();
            write(
                Path::new(&path),
                &format!(
                    "{header}-- migrate:up\n{ONE_UPDATE_UP}\n\n-- migrate:down\n{ONE_UPDATE_DOWN}\n"
                ),
            )?;
            write(&cli.project.join("models/users.rs"), MODELS_AFTER)?;
        }
        Variant::Autogen | Variant::AutogenOnline => {
            write(&cli.project.join("models/users.rs"), MODELS_AFTER)?;
            let mut args = vec!["revision", "-m", "full name"];
            if variant == Variant::AutogenOnline {
                args.push("--online");
            }
            cli.run(&args)?;
        }
    }
    Ok(())
}

/// Applies the change with the writer and the sampler running.
async fn measure(
    cli: &Cli<'_>,
    database: &TempDatabase,
    variant: Variant,
) -> Result<Outcome, BenchError> {
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (stop, url) = (stop.clone(), cli.url.to_string());
        std::thread::spawn(move || on_own_runtime(writer(url, stop)))
    };
    let sampler = {
        let (stop, url) = (stop.clone(), cli.url.to_string());
        std::thread::spawn(move || on_own_runtime(sampler(url, stop)))
    };
    // Let the writer reach its steady state first.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let separator = if cli.url.contains('?') { '&' } else { '?' };
    let migration_url = format!("{}{separator}application_name={MIGRATION_APP}", cli.url);
    let started = Instant::now();
    let applied = cli.run(&["-v", "--database-url", &migration_url, "upgrade"]);
    let total = started.elapsed();
    stop.store(true, Ordering::SeqCst);
    let written = writer
        .join()
        .map_err(|_| fail("the writer thread panicked"))??;
    let longest_transaction = sampler
        .join()
        .map_err(|_| fail("the sampler thread panicked"))??;
    let output = applied?;
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let client = database
        .connect()
        .await
        .map_err(|error| fail(format!("could not connect: {error}")))?;
    let filled: i64 = client
        .query_one(
            "SELECT count(*) FROM users WHERE full_name = first_name || ' ' || last_name",
            &[],
        )
        .await
        .map_err(|error| fail(format!("could not count the filled rows: {error}")))?
        .get(0);
    Ok(Outcome {
        variant,
        total,
        batches: reported_batches(&said),
        longest_transaction,
        writer_commits: written.0,
        writer_longest_wait: written.1,
        filled_rows: filled,
    })
}

fn on_own_runtime<T>(
    future: impl std::future::Future<Output = Result<T, BenchError>>,
) -> Result<T, BenchError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| fail(format!("could not start a runtime: {error}")))?
        .block_on(future)
}

/// Updates random rows until told to stop: (commits, longest wait for one).
async fn writer(url: String, stop: Arc<AtomicBool>) -> Result<(u64, Duration), BenchError> {
    let client = connect(&url).await?;
    let rows: i64 = client
        .query_one("SELECT max(id) FROM users", &[])
        .await
        .map_err(|error| fail(format!("writer: {error}")))?
        .get(0);
    let statement = client
        .prepare("UPDATE users SET touched = touched + 1 WHERE id = $1")
        .await
        .map_err(|error| fail(format!("writer: {error}")))?;
    let mut random = 0x2545_f491_4f6c_dd1d_u64;
    let (mut commits, mut longest) = (0_u64, Duration::ZERO);
    while !stop.load(Ordering::SeqCst) {
        // xorshift: a spread of rows, the same every run.
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        let id = (random % rows.max(1) as u64) as i64 + 1;
        let started = Instant::now();
        // The migration's brief ACCESS EXCLUSIVE steps make the statement wait; it must not
        // fail, and a failure is a result worth reporting.
        client.execute(&statement, &[&id]).await.map_err(|error| {
            fail(format!(
                "writer: an update failed: {}",
                autogen_pg::error_text(&error)
            ))
        })?;
        longest = longest.max(started.elapsed());
        commits += 1;
    }
    Ok((commits, longest))
}

/// Polls the age of the migration connection's open transaction until told to stop.
async fn sampler(url: String, stop: Arc<AtomicBool>) -> Result<Duration, BenchError> {
    let client = connect(&url).await?;
    let statement = client
        .prepare(
            "SELECT coalesce(max(extract(epoch FROM clock_timestamp() - xact_start)), 0)::float8 \
             FROM pg_stat_activity WHERE application_name = $1 AND xact_start IS NOT NULL",
        )
        .await
        .map_err(|error| fail(format!("sampler: {error}")))?;
    let mut longest = 0.0_f64;
    while !stop.load(Ordering::SeqCst) {
        let age: f64 = client
            .query_one(&statement, &[&MIGRATION_APP])
            .await
            .map_err(|error| fail(format!("sampler: {error}")))?
            .get(0);
        longest = longest.max(age);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Ok(Duration::from_secs_f64(longest))
}

async fn connect(url: &str) -> Result<autogen_pg::tokio_postgres::Client, BenchError> {
    autogen_pg::ConnectionSpec::parse(url)
        .map_err(|error| fail(format!("bad URL: {error}")))?
        .connect()
        .await
        .map_err(|error| fail(format!("could not connect: {error}")))
}

/// "… in 101 batches …" from the runner's output.
fn reported_batches(output: &str) -> Option<u64> {
    let words: Vec<&str> = output.split_whitespace().collect();
    words.windows(2).find_map(|pair| {
        pair[1]
            .trim_end_matches([',', ')', '.'])
            .eq("batches")
            .then(|| pair[0].replace(',', "").parse().ok())
            .flatten()
    })
}

fn write(path: &Path, text: &str) -> Result<(), BenchError> {
    std::fs::write(path, text)
        .map_err(|error| fail(format!("could not write {}: {error}", path.display())))
}

/// The results as a markdown table.
pub fn markdown_table(rows: usize, outcomes: &[Outcome]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| {rows} rows | total | batches | longest migration transaction | writer commits (per s) | writer's longest wait |"
    );
    out.push_str("|---|---|---|---|---|---|\n");
    for outcome in outcomes {
        let seconds = outcome.total.as_secs_f64();
        let _ = writeln!(
            out,
            "| {} | {:.2} s | {} | {:.3} s | {} ({:.0}/s) | {:.3} s |",
            outcome.variant.label(),
            seconds,
            match (outcome.variant, outcome.batches) {
                (_, Some(batches)) => batches.to_string(),
                (Variant::OneUpdate, None) => "1".to_string(),
                (_, None) => "—".to_string(),
            },
            outcome.longest_transaction.as_secs_f64(),
            outcome.writer_commits,
            outcome.writer_commits as f64 / seconds.max(f64::EPSILON),
            outcome.writer_longest_wait.as_secs_f64(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_are_read_from_the_runner_summary() {
        assert_eq!(
            reported_batches("backfilled 1,000,000 rows in 101 batches (2.1 s)"),
            Some(101)
        );
        assert_eq!(reported_batches("Applied 2026 full name"), None);
    }
}
