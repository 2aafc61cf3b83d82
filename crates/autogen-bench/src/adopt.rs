//! `adopt FILE…`: the adoption proof on real schemas (not a test: the files are not part of the
//! project). For each file, the real `autogen` binary is driven in a temporary project
//! directory, step by step, each step timed:
//!
//! 1. **load**: the file, with `psql -v ON_ERROR_STOP=1 -q -f FILE`, into a fresh database A;
//! 2. **pull**: `autogen pull URL_A --out DIR [--with-sql sql/F]… [--search-path S]`;
//! 3. `DIR/autogen.toml` (`[models] paths`, `sql` when pull wrote SQL, `search_path`,
//!    `[migrations] dir`), written here;
//! 4. **prelude** (optional): `autogen revision --empty`, the hand-written SQL inserted into its
//!    sections (objects autogen does not model that the schema uses);
//! 5. **revision**: `autogen revision -m baseline` (verified unless `--no-verify`);
//! 6. **stamp** and **check**: `autogen stamp head` and `autogen check` on A;
//! 7. **upgrade** and **diff**: `autogen upgrade` on a fresh database B, then
//!    `autogen diff --from URL_A --to URL_B --exit-code`;
//! 8. **pg_dump**: an independent cross-check, `pg_dump --schema-only` of A and B compared
//!    line by line (informational: PostgreSQL deparses a few expressions differently after a
//!    round trip).
//!
//! Every step but the last must succeed (exit 0).

use crate::inspect::{BenchError, check_executable, fail, start_dev_server};
use crate::roundtrip::run_psql;
use autogen_pg::{ConnectionSpec, DevServer, TempDatabase};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// What to run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub files: Vec<PathBuf>,
    /// The autogen binary [default: `autogen` next to this executable].
    pub autogen: Option<PathBuf>,
    /// An existing server [default: an ephemeral dev cluster].
    pub dev_url: Option<String>,
    /// The psql to load files with [default: the one next to the server binaries found].
    pub psql: Option<PathBuf>,
    /// The pg_dump of the cross-check [default: the one next to the server binaries found].
    pub pg_dump: Option<PathBuf>,
    /// Hand-written SQL declaration files, copied into `DIR/sql/` and passed to pull.
    pub with_sql: Vec<PathBuf>,
    /// `--search-path` of pull, and `[models] search_path`.
    pub search_path: Vec<String>,
    /// SQL inserted into the `-- migrate:up` section of a first, hand-written revision.
    pub prelude_up: Option<PathBuf>,
    /// SQL inserted into its `-- migrate:down` section.
    pub prelude_down: Option<PathBuf>,
    /// `autogen revision --no-verify` for the baseline.
    pub no_verify: bool,
    /// Keep the projects under this directory (one sub-directory per file).
    pub keep: Option<PathBuf>,
    /// How many differing pg_dump lines to print per file.
    pub show_dump_diff: usize,
}

/// How a step ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Ok,
    /// The step failed; the tail of what it printed on stderr (or why it could not run).
    Failed(String),
    /// Not run because a step it needs failed.
    Skipped,
}

/// One step of one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub name: &'static str,
    pub outcome: Outcome,
    pub secs: f64,
}

/// What pull wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pulled {
    /// `#[derive(Model)]` structs in the model files (= tables).
    pub tables: usize,
    /// Structs, enums and SQL declarations as pull's note counts them (when it printed one).
    pub note: Option<(usize, usize, usize)>,
}

/// The pg_dump cross-check of one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DumpDiff {
    /// Lines of A's dump not in B's (as a multiset), then B's not in A's, each `-`/`+` prefixed.
    pub lines: Vec<String>,
}

/// What happened to one file.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub file: PathBuf,
    pub pulled: Pulled,
    pub steps: Vec<Step>,
    /// None when the cross-check did not run (or failed: see its step).
    pub dump_diff: Option<DumpDiff>,
    /// Where the project was kept.
    pub kept: Option<PathBuf>,
}

impl FileReport {
    /// Whether every must-step succeeded (the pg_dump cross-check is informational).
    pub fn passed(&self) -> bool {
        self.steps
            .iter()
            .filter(|step| step.name != "pg_dump")
            .all(|step| step.outcome == Outcome::Ok)
    }
}

/// The steps in table order; `prelude` only when a prelude is given.
const STEPS: [&str; 9] = [
    "load", "pull", "prelude", "revision", "stamp", "check", "upgrade", "diff", "pg_dump",
];

/// Runs the proof on every file; `progress` receives one line per step.
pub async fn run(
    options: &Options,
    mut progress: impl FnMut(&str),
) -> Result<Vec<FileReport>, BenchError> {
    let autogen = match &options.autogen {
        Some(path) => path.clone(),
        None => std::env::current_exe()
            .map_err(|error| fail(format!("could not find this executable: {error}")))?
            .with_file_name("autogen"),
    };
    check_executable(
        &autogen,
        "the autogen binary",
        "Build it first (`cargo build -p autogen-cli` gives target/debug/autogen) or pass its \
         path with --autogen.",
    )?;
    let prelude = Prelude {
        up: read_optional(options.prelude_up.as_deref())?,
        down: read_optional(options.prelude_down.as_deref())?,
    };
    for file in &options.with_sql {
        if file.file_name().is_none() {
            return Err(fail(format!("--with-sql {}: not a file", file.display())));
        }
    }
    if let Some(keep) = &options.keep {
        std::fs::create_dir_all(keep)
            .map_err(|error| fail(format!("could not create {}: {error}", keep.display())))?;
    }
    progress("starting the dev PostgreSQL server");
    let server = start_dev_server(options.dev_url.as_deref()).await?;
    let bindir = || {
        autogen_pg::find_binaries()
            .map(|binaries| binaries.bindir)
            .map_err(|error| fail(format!("could not find the PostgreSQL binaries: {error}")))
    };
    let psql = match &options.psql {
        Some(path) => path.clone(),
        None => bindir()?.join("psql"),
    };
    let pg_dump = match &options.pg_dump {
        Some(path) => path.clone(),
        None => match &server {
            DevServer::Ephemeral(cluster) => cluster.binaries().bindir.join("pg_dump"),
            DevServer::External(_) => bindir()?.join("pg_dump"),
        },
    };
    let tools = Tools {
        autogen,
        psql,
        pg_dump,
        dev_url: server.admin_connection(),
    };
    let mut reports = Vec::new();
    for file in &options.files {
        let report = adopt(&server, &tools, options, &prelude, file, &mut progress).await?;
        reports.push(report);
    }
    server.shutdown();
    Ok(reports)
}

struct Tools {
    autogen: PathBuf,
    psql: PathBuf,
    pg_dump: PathBuf,
    /// What every autogen process gets as `--dev-url`: the bench's own server.
    dev_url: ConnectionSpec,
}

struct Prelude {
    up: Option<String>,
    down: Option<String>,
}

impl Prelude {
    fn given(&self) -> bool {
        self.up.is_some() || self.down.is_some()
    }
}

fn read_optional(path: Option<&Path>) -> Result<Option<String>, BenchError> {
    path.map(|path| {
        std::fs::read_to_string(path)
            .map_err(|error| fail(format!("could not read {}: {error}", path.display())))
    })
    .transpose()
}

/// The steps of one file, recorded as they run.
struct Recorder<'a, P: FnMut(&str)> {
    file: String,
    /// Whether a prelude was given (else its step is not recorded).
    prelude: bool,
    steps: Vec<Step>,
    progress: &'a mut P,
}

impl<P: FnMut(&str)> Recorder<'_, P> {
    fn record(&mut self, name: &'static str, outcome: Outcome, secs: f64) -> bool {
        let ok = outcome == Outcome::Ok;
        let said = match &outcome {
            Outcome::Ok => "ok".to_string(),
            Outcome::Failed(tail) => format!("FAILED\n{}", indent(tail)),
            Outcome::Skipped => "skipped".to_string(),
        };
        (self.progress)(&format!("{}: {name}: {said} ({secs:.1} s)", self.file));
        self.steps.push(Step {
            name,
            outcome,
            secs,
        });
        ok
    }

    /// Records `names` as skipped (the prelude only when one was given).
    fn skip(&mut self, names: &[&'static str]) {
        for name in names {
            if *name != "prelude" || self.prelude {
                self.record(name, Outcome::Skipped, 0.0);
            }
        }
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| format!("    {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn adopt(
    server: &DevServer,
    tools: &Tools,
    options: &Options,
    prelude: &Prelude,
    file: &Path,
    progress: &mut impl FnMut(&str),
) -> Result<FileReport, BenchError> {
    let stem = file.file_stem().map_or_else(
        || "schema".to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    let (root, _temp) = match &options.keep {
        Some(keep) => {
            let root = keep.join(&stem);
            if root.exists() {
                return Err(fail(format!(
                    "{} exists; remove it or --keep another directory",
                    root.display()
                )));
            }
            (root, None)
        }
        None => {
            let temp = tempfile::Builder::new()
                .prefix("autogen-adopt-")
                .tempdir()
                .map_err(|error| {
                    fail(format!("could not create a temporary directory: {error}"))
                })?;
            (temp.path().to_path_buf(), Some(temp))
        }
    };
    let dir = root.join("project");
    let cache = root.join("cache");
    for path in [&dir, &cache] {
        std::fs::create_dir_all(path)
            .map_err(|error| fail(format!("could not create {}: {error}", path.display())))?;
    }
    let mut recorder = Recorder {
        file: file.display().to_string(),
        prelude: prelude.given(),
        steps: Vec::new(),
        progress,
    };
    let mut report = FileReport {
        file: file.to_path_buf(),
        pulled: Pulled::default(),
        steps: Vec::new(),
        dump_diff: None,
        kept: options.keep.as_ref().map(|_| root.clone()),
    };
    let run = Runner {
        autogen: &tools.autogen,
        dir: &dir,
        cache: &cache,
        dev_url: tools.dev_url.url_with_password(),
    };

    // 1. load
    let a = database(server).await?;
    let url_a = a.connection().url_with_password();
    let started = Instant::now();
    let errors = run_psql(&tools.psql, a.connection(), file, true);
    let outcome = if errors.is_empty() {
        Outcome::Ok
    } else {
        Outcome::Failed(tail(&errors.join("\n")))
    };
    if !recorder.record("load", outcome, secs(started)) {
        recorder.skip(&STEPS[1..]);
        report.steps = recorder.steps;
        return Ok(report);
    }

    // 2. pull (the --with-sql files copied into DIR/sql first)
    let sql_dir = dir.join("sql");
    let mut pull_args = vec!["pull".to_string(), url_a.clone(), "--out".to_string()];
    pull_args.push(dir.to_string_lossy().into_owned());
    if !options.with_sql.is_empty() {
        std::fs::create_dir_all(&sql_dir)
            .map_err(|error| fail(format!("could not create {}: {error}", sql_dir.display())))?;
    }
    for with in &options.with_sql {
        let name = with
            .file_name()
            .ok_or_else(|| fail(format!("--with-sql {}: not a file", with.display())))?;
        std::fs::copy(with, sql_dir.join(name))
            .map_err(|error| fail(format!("could not copy {}: {error}", with.display())))?;
        pull_args.push("--with-sql".to_string());
        pull_args.push(format!("sql/{}", name.to_string_lossy()));
    }
    if !options.search_path.is_empty() {
        pull_args.push("--search-path".to_string());
        pull_args.push(options.search_path.join(","));
    }
    let (outcome, elapsed, stderr) = run.autogen(&pull_args);
    report.pulled = Pulled {
        tables: count_in_dir(&dir.join("models"), "rs", "#[derive(Model)]"),
        note: pull_note(&stderr),
    };
    if !recorder.record("pull", outcome, elapsed) {
        recorder.skip(&STEPS[2..]);
        report.steps = recorder.steps;
        return Ok(report);
    }

    // 3. autogen.toml
    let has_sql = count_files(&sql_dir, "sql") > 0;
    let allow_empty = report
        .pulled
        .note
        .is_some_and(|(structs, enums, _)| structs + enums == 0);
    let config = dir.join(autogen_engine::CONFIG_FILE_NAME);
    std::fs::write(
        &config,
        config_text(has_sql, allow_empty, &options.search_path),
    )
    .map_err(|error| fail(format!("could not write {}: {error}", config.display())))?;
    std::fs::create_dir_all(dir.join("migrations")).map_err(|error| {
        fail(format!(
            "could not create the migrations directory: {error}"
        ))
    })?;

    // 4. prelude
    if prelude.given() {
        let started = Instant::now();
        let outcome = write_prelude(&run, &dir.join("migrations"), prelude);
        if !recorder.record("prelude", outcome, secs(started)) {
            recorder.skip(&STEPS[3..]);
            report.steps = recorder.steps;
            return Ok(report);
        }
    }

    // 5. revision
    let mut revision = vec!["revision", "-m", "baseline"];
    if options.no_verify {
        revision.push("--no-verify");
    }
    let (outcome, elapsed, _) = run.autogen(&revision);
    if !recorder.record("revision", outcome, elapsed) {
        recorder.skip(&STEPS[4..]);
        report.steps = recorder.steps;
        return Ok(report);
    }

    // 6. stamp, check
    let (outcome, elapsed, _) = run.autogen(&["stamp", "head", "--database-url", &url_a]);
    if recorder.record("stamp", outcome, elapsed) {
        let (outcome, elapsed, _) = run.autogen(&["check", "--database-url", &url_a]);
        recorder.record("check", outcome, elapsed);
    } else {
        recorder.skip(&["check"]);
    }

    // 7. upgrade B, diff A B
    let b = database(server).await?;
    let url_b = b.connection().url_with_password();
    let (outcome, elapsed, _) = run.autogen(&["upgrade", "--database-url", &url_b]);
    if !recorder.record("upgrade", outcome, elapsed) {
        recorder.skip(&STEPS[7..]);
        report.steps = recorder.steps;
        return Ok(report);
    }
    let (outcome, elapsed, _) =
        run.autogen(&["diff", "--from", &url_a, "--to", &url_b, "--exit-code"]);
    recorder.record("diff", outcome, elapsed);

    // 8. pg_dump A and B
    let started = Instant::now();
    let dumps = dump(&tools.pg_dump, a.connection())
        .and_then(|dump_a| Ok((dump_a, dump(&tools.pg_dump, b.connection())?)));
    match dumps {
        Ok((dump_a, dump_b)) => {
            report.dump_diff = Some(DumpDiff {
                lines: differing_lines(&filter_dump(&dump_a), &filter_dump(&dump_b)),
            });
            recorder.record("pg_dump", Outcome::Ok, secs(started));
        }
        Err(error) => {
            recorder.record("pg_dump", Outcome::Failed(tail(&error)), secs(started));
        }
    }
    report.steps = recorder.steps;
    drop_quietly(a).await;
    drop_quietly(b).await;
    Ok(report)
}

async fn drop_quietly(database: TempDatabase) {
    let _ = database.drop_database().await;
}

async fn database(server: &DevServer) -> Result<TempDatabase, BenchError> {
    server
        .create_database()
        .await
        .map_err(|error| fail(format!("could not create a database: {error}")))
}

fn secs(started: Instant) -> f64 {
    started.elapsed().as_secs_f64()
}

/// Runs autogen in the project directory with the bench's dev server and a cache of its own.
struct Runner<'a> {
    autogen: &'a Path,
    dir: &'a Path,
    cache: &'a Path,
    dev_url: String,
}

impl Runner<'_> {
    /// `autogen --color never --dev-url URL ARGS…`: its outcome (exit 0 or not), wall time and
    /// stderr.
    fn autogen<S: AsRef<str>>(&self, args: &[S]) -> (Outcome, f64, String) {
        let mut command = Command::new(self.autogen);
        command
            .current_dir(self.dir)
            .env_remove("AUTOGEN_DEV_URL")
            .env_remove("AUTOGEN_CONFIG")
            .env_remove("DATABASE_URL")
            .env("AUTOGEN_CACHE_DIR", self.cache)
            .args(["--color", "never", "--dev-url", &self.dev_url])
            .args(args.iter().map(AsRef::as_ref))
            .stdin(Stdio::null());
        let started = Instant::now();
        match command.output() {
            Ok(output) => {
                let elapsed = secs(started);
                let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
                let outcome = if output.status.success() {
                    Outcome::Ok
                } else {
                    let mut said = tail(&stderr);
                    if said.is_empty() {
                        said = tail(&String::from_utf8_lossy(&output.stdout));
                    }
                    Outcome::Failed(format!("{}\n{said}", output.status))
                };
                (outcome, elapsed, stderr)
            }
            Err(error) => (
                Outcome::Failed(format!("could not run {}: {error}", self.autogen.display())),
                secs(started),
                String::new(),
            ),
        }
    }
}

/// `autogen revision --empty -m "hand-written objects"`, then the prelude's SQL inserted into
/// the file it wrote.
fn write_prelude(run: &Runner<'_>, migrations: &Path, prelude: &Prelude) -> Outcome {
    let before = list_files(migrations);
    let (outcome, _, _) = run.autogen(&["revision", "--empty", "-m", "hand-written objects"]);
    if outcome != Outcome::Ok {
        return outcome;
    }
    let written: Vec<PathBuf> = list_files(migrations)
        .into_iter()
        .filter(|path| !before.contains(path))
        .collect();
    let [file] = written.as_slice() else {
        return Outcome::Failed(format!(
            "expected one new revision file in {}, found {}",
            migrations.display(),
            written.len()
        ));
    };
    let result = std::fs::read_to_string(file)
        .map_err(|error| format!("could not read {}: {error}", file.display()))
        .and_then(|text| {
            insert_prelude(
                &text,
                prelude.up.as_deref().unwrap_or(""),
                prelude.down.as_deref().unwrap_or(""),
            )
        })
        .and_then(|text| {
            std::fs::write(file, text)
                .map_err(|error| format!("could not write {}: {error}", file.display()))
        });
    match result {
        Ok(()) => Outcome::Ok,
        Err(error) => Outcome::Failed(error),
    }
}

fn list_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn count_files(dir: &Path, extension: &str) -> usize {
    list_files(dir)
        .iter()
        .filter(|path| path.extension().is_some_and(|ext| ext == extension))
        .count()
}

/// Occurrences of `needle` in the `extension` files of `dir`.
fn count_in_dir(dir: &Path, extension: &str, needle: &str) -> usize {
    list_files(dir)
        .iter()
        .filter(|path| path.extension().is_some_and(|ext| ext == extension))
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .map(|text| text.matches(needle).count())
        .sum()
}

/// The revision file `text` with `up` inserted after its `-- migrate:up` line and `down` after
/// its `-- migrate:down` line (each marker must be there once).
pub fn insert_prelude(text: &str, up: &str, down: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len() + up.len() + down.len() + 4);
    let mut seen = [0usize; 2];
    for line in text.split_inclusive('\n') {
        out.push_str(line);
        let insert = match line.trim_end() {
            "-- migrate:up" => Some((0, up)),
            "-- migrate:down" => Some((1, down)),
            _ => None,
        };
        if let Some((index, sql)) = insert {
            seen[index] += 1;
            if !line.ends_with('\n') {
                out.push('\n');
            }
            let sql = sql.trim();
            if !sql.is_empty() {
                out.push_str(sql);
                out.push('\n');
            }
        }
    }
    for (index, marker) in ["-- migrate:up", "-- migrate:down"].iter().enumerate() {
        if seen[index] != 1 {
            return Err(format!(
                "the revision file has {} `{marker}` line(s), expected one",
                seen[index]
            ));
        }
    }
    Ok(out)
}

/// The autogen.toml of the project: autogen's own template with `[models] paths = ["models"]`,
/// `sql = ["sql"]` when there are SQL declarations, the search path when given, and
/// `[migrations] dir = "migrations"`.
pub fn config_text(sql: bool, allow_empty: bool, search_path: &[String]) -> String {
    autogen_engine::template_with(
        "models",
        "migrations",
        sql.then_some("sql"),
        allow_empty,
        &[],
        search_path,
    )
}

/// Pull's `note: wrote N struct(s), M enum(s) and K SQL declaration(s) …` as (N, M, K).
pub fn pull_note(stderr: &str) -> Option<(usize, usize, usize)> {
    let line = stderr
        .lines()
        .find_map(|line| line.trim().strip_prefix("note: wrote "))?;
    let number_before = |word: &str| -> Option<usize> {
        let before = &line[..line.find(word)?];
        before
            .split(|c: char| !c.is_ascii_digit())
            .rfind(|part| !part.is_empty())?
            .parse()
            .ok()
    };
    Some((
        number_before(" struct")?,
        number_before(" enum")?,
        number_before(" SQL declaration")?,
    ))
}

/// `pg_dump --schema-only --no-owner` of `database`, without autogen's revision table.
fn dump(pg_dump: &Path, database: &ConnectionSpec) -> Result<String, String> {
    let output = Command::new(pg_dump)
        .args([
            "--schema-only",
            "--no-owner",
            "--no-password",
            "--exclude-table=public.autogen_revisions",
            "-d",
        ])
        .arg(database.url_with_password())
        .stdin(Stdio::null())
        .output()
        .map_err(|error| format!("could not run {}: {error}", pg_dump.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} {}\n{}",
            pg_dump.display(),
            output.status,
            tail(&String::from_utf8_lossy(&output.stderr))
        ));
    }
    String::from_utf8(output.stdout).map_err(|error| format!("pg_dump printed non-UTF-8: {error}"))
}

/// A dump's lines to compare: without the `\restrict`/`\unrestrict` lines (a random key per
/// dump), comments and blank lines.
pub fn filter_dump(dump: &str) -> Vec<&str> {
    dump.lines()
        .filter(|line| {
            !line.starts_with("\\restrict")
                && !line.starts_with("\\unrestrict")
                && !line.starts_with("--")
                && !line.trim().is_empty()
        })
        .collect()
}

/// The lines of `a` not in `b` (`- line`) and of `b` not in `a` (`+ line`), as multisets (the
/// order of objects of the same kind may differ between two databases built differently).
pub fn differing_lines(a: &[&str], b: &[&str]) -> Vec<String> {
    let mut counts: BTreeMap<&str, isize> = BTreeMap::new();
    for line in a {
        *counts.entry(line).or_default() += 1;
    }
    for line in b {
        *counts.entry(line).or_default() -= 1;
    }
    let mut out = Vec::new();
    for (sign, wanted) in [("-", 1isize), ("+", -1)] {
        for line in if wanted > 0 { a } else { b } {
            let count = counts.get_mut(line);
            if let Some(count) = count
                && *count * wanted > 0
            {
                *count -= wanted;
                out.push(format!("{sign} {line}"));
            }
        }
    }
    out
}

/// The last lines of `text` (at most 15).
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

/// The reports as one markdown table, then each failure's stderr tail and, up to
/// `show_dump_diff` per file, the differing pg_dump lines.
pub fn markdown(reports: &[FileReport], show_dump_diff: usize) -> String {
    let prelude = reports
        .iter()
        .any(|report| report.steps.iter().any(|step| step.name == "prelude"));
    let steps: Vec<&str> = STEPS[..8]
        .iter()
        .copied()
        .filter(|step| prelude || *step != "prelude")
        .collect();
    let mut out = String::from("| file | tables | structs / enums / SQL |");
    for step in &steps {
        let _ = write!(out, " {step} |");
    }
    out.push_str(" pg_dump differing lines |\n|---|---:|---:|");
    for _ in &steps {
        out.push_str("---|");
    }
    out.push_str("---:|\n");
    for report in reports {
        let name = report.file.file_name().map_or_else(
            || report.file.display().to_string(),
            |name| name.to_string_lossy().into_owned(),
        );
        let counts = report.pulled.note.map_or_else(
            || "–".to_string(),
            |(structs, enums, sql)| format!("{structs} / {enums} / {sql}"),
        );
        let tables = if report.steps.iter().any(|step| step.name == "pull") {
            report.pulled.tables.to_string()
        } else {
            "–".to_string()
        };
        let _ = write!(out, "| {name} | {tables} | {counts} |");
        for name in &steps {
            let cell = match report.steps.iter().find(|step| step.name == *name) {
                Some(Step {
                    outcome: Outcome::Ok,
                    secs,
                    ..
                }) => format!("ok {secs:.1} s"),
                Some(Step {
                    outcome: Outcome::Failed(_),
                    secs,
                    ..
                }) => format!("**FAILED** {secs:.1} s"),
                Some(Step {
                    outcome: Outcome::Skipped,
                    ..
                }) => "skipped".to_string(),
                None => "–".to_string(),
            };
            let _ = write!(out, " {cell} |");
        }
        let dump = match (
            &report.dump_diff,
            report.steps.iter().find(|s| s.name == "pg_dump"),
        ) {
            (Some(diff), _) => diff.lines.len().to_string(),
            (
                None,
                Some(Step {
                    outcome: Outcome::Failed(_),
                    ..
                }),
            ) => "**FAILED**".to_string(),
            _ => "–".to_string(),
        };
        let _ = writeln!(out, " {dump} |");
    }
    for report in reports {
        for step in &report.steps {
            if let Outcome::Failed(tail) = &step.outcome {
                let _ = writeln!(
                    out,
                    "\n{} — {} failed:\n\n```\n{}\n```",
                    report.file.display(),
                    step.name,
                    tail.trim_end()
                );
            }
        }
        if let Some(diff) = &report.dump_diff
            && show_dump_diff > 0
            && !diff.lines.is_empty()
        {
            let shown = diff.lines.len().min(show_dump_diff);
            let _ = writeln!(
                out,
                "\n{} — pg_dump of A (-) and B (+), {shown} of {} differing line(s):\n\n```",
                report.file.display(),
                diff.lines.len()
            );
            for line in &diff.lines[..shown] {
                let _ = writeln!(out, "{line}");
            }
            out.push_str("```\n");
        }
        if let Some(kept) = &report.kept {
            let _ = writeln!(
                out,
                "\n{}: project kept in {}",
                report.file.display(),
                kept.display()
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prelude_goes_after_each_marker() {
        let empty =
            "-- revision: 1\n-- parents:\n-- message: m\n\n-- migrate:up\n\n-- migrate:down";
        let text = insert_prelude(empty, "CREATE SCHEMA s;\n", "\nDROP SCHEMA s;").expect("ok");
        assert_eq!(
            text,
            "-- revision: 1\n-- parents:\n-- message: m\n\n-- migrate:up\nCREATE SCHEMA s;\n\n\
             -- migrate:down\nDROP SCHEMA s;\n"
        );
        let up_only = insert_prelude(empty, "SELECT 1;", "").expect("ok");
        assert!(up_only.ends_with("-- migrate:up\nSELECT 1;\n\n-- migrate:down\n"));
        assert!(insert_prelude("-- migrate:up\n", "x", "y").is_err());
        assert!(
            insert_prelude("-- migrate:up\n-- migrate:up\n-- migrate:down\n", "x", "").is_err()
        );
    }

    #[test]
    fn config_names_the_directories_and_the_search_path() {
        let parsed = |text: &str| -> toml_lite::Table { toml_lite::parse(text) };
        let with_sql = config_text(true, false, &["musicbrainz".into(), "public".into()]);
        let table = parsed(&with_sql);
        assert_eq!(table.get("models.paths"), Some(&"[\"models\"]".to_string()));
        assert_eq!(table.get("models.sql"), Some(&"[\"sql\"]".to_string()));
        assert_eq!(
            table.get("models.search_path"),
            Some(&"[\"musicbrainz\", \"public\"]".to_string())
        );
        assert_eq!(
            table.get("migrations.dir"),
            Some(&"\"migrations\"".to_string())
        );
        let plain = parsed(&config_text(false, false, &[]));
        assert_eq!(plain.get("models.sql"), None);
        assert_eq!(plain.get("models.search_path"), None);
        assert_eq!(plain.get("models.allow_empty"), None);
        let empty = parsed(&config_text(false, true, &[]));
        assert_eq!(empty.get("models.allow_empty"), Some(&"true".to_string()));
    }

    /// Just enough TOML for the assertions: `[section]` and `key = value` lines, comments out.
    mod toml_lite {
        pub type Table = std::collections::BTreeMap<String, String>;

        pub fn parse(text: &str) -> Table {
            let mut section = String::new();
            let mut table = Table::new();
            for line in text.lines() {
                let line = line.split(" #").next().unwrap_or("").trim();
                if line.starts_with('#') || line.is_empty() {
                    continue;
                }
                if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                    section = name.to_string();
                } else if let Some((key, value)) = line.split_once('=') {
                    table.insert(
                        format!("{section}.{}", key.trim()),
                        value.trim().to_string(),
                    );
                }
            }
            table
        }
    }

    #[test]
    fn pull_note_is_read() {
        let stderr = "note: found nothing\nnote: wrote 16 struct(s), 1 enum(s) and 144 SQL \
                      declaration(s) from postgres://x@y/z\nnote: checked";
        assert_eq!(pull_note(stderr), Some((16, 1, 144)));
        assert_eq!(pull_note("error: no"), None);
    }

    #[test]
    fn dumps_compare_without_restrict_keys_comments_or_order() {
        let a = "--\n-- PostgreSQL database dump\n\\restrict abc\nCREATE TABLE t (\n    a int\n);\n\
                 CREATE VIEW v AS\n SELECT NULL::integer AS int4;\n\\unrestrict abc\n";
        let b = "--\n\\restrict xyz\nCREATE VIEW v AS\n SELECT NULL::integer;\nCREATE TABLE t (\n    \
                 a int\n);\n\n\\unrestrict xyz\n";
        let lines = differing_lines(&filter_dump(a), &filter_dump(b));
        assert_eq!(
            lines,
            [
                "-  SELECT NULL::integer AS int4;",
                "+  SELECT NULL::integer;"
            ]
        );
        assert!(differing_lines(&filter_dump(a), &filter_dump(a)).is_empty());
        // Repeated lines count: two `);` against one is one difference.
        assert_eq!(differing_lines(&[");", ");"], &[");"]), ["- );"]);
    }
}
