//! Faults end to end: the binary SIGKILLed in the middle of `autogen upgrade` (and at chosen
//! points of a batched statement), its database connection terminated by the server
//! mid-introspection and mid-upgrade, the dev server stopped under `autogen revision`, and 16
//! runners started at once on one database.
//!
//! After a kill the database must be at a revision boundary (or, inside a `transaction:false`
//! section, at the statement boundary its progress row names), and running `upgrade` again
//! must finish the job and give exactly the database an uninterrupted run gives.
//!
//! The tests in this file take one lock so their timing (measured first, then used to place the
//! kills) is not skewed by each other. Kill delays come from a fixed seed
//! (`AUTOGEN_FAULTS_SEED` overrides it) so a failure can be replayed.

mod common;

use autogen_testkit::autogen_pg::{Client, DevCluster, TempDatabase, tokio_postgres};
use common::project::{Project, fresh_database, runtime, with_db};
use common::{stderr, stdout};
use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Output, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// One test at a time (see the module docs).
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How long a killed run's server session may take to go away (it finishes the statement it
/// was running first: PostgreSQL notices a dead client only when it next talks to it).
const SESSION_GONE_LIMIT: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------------------------------------
// Small helpers

/// A connection of the test's own, on a private runtime.
struct Db {
    runtime: tokio::runtime::Runtime,
    client: Client,
}

impl Db {
    fn connect(url: &str) -> Db {
        let runtime = runtime();
        let client = runtime.block_on(async {
            autogen_testkit::autogen_pg::ConnectionSpec::parse(url)
                .expect("url")
                .connect()
                .await
                .expect("connect")
        });
        Db { runtime, client }
    }

    /// The first column of every row, as text (NULL as "NULL").
    fn strings(&self, sql: &str) -> Vec<String> {
        self.runtime
            .block_on(self.client.simple_query(sql))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .iter()
            .filter_map(|message| match message {
                tokio_postgres::SimpleQueryMessage::Row(row) => {
                    Some(row.get(0).unwrap_or("NULL").to_string())
                }
                _ => None,
            })
            .collect()
    }

    fn one(&self, sql: &str) -> String {
        let rows = self.strings(sql);
        assert_eq!(rows.len(), 1, "{sql}: {rows:?}");
        rows.into_iter().next().unwrap_or_default()
    }

    fn flag(&self, sql: &str) -> bool {
        self.one(sql) == "t"
    }

    fn execute(&self, sql: &str) {
        self.runtime
            .block_on(self.client.batch_execute(sql))
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Waits until no session but this one is connected to the database: a killed runner's
    /// backend finishes its statement (and releases the advisory lock) before it goes.
    fn wait_until_alone(&self) {
        let started = Instant::now();
        while self.one(
            "SELECT count(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        ) != "0"
        {
            assert!(
                started.elapsed() < SESSION_GONE_LIMIT,
                "a killed run's session is still there after {SESSION_GONE_LIMIT:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Terminates every other session on the database; how many there were.
    fn terminate_others(&self) -> usize {
        self.terminate_where("")
    }

    /// Like [`Db::terminate_others`], but only sessions at work (in a query or a transaction,
    /// or still starting): an `inspect` whose two connections are idle has read everything,
    /// and losing them then does not concern it.
    fn terminate_working(&self) -> usize {
        self.terminate_where("AND state IS DISTINCT FROM 'idle'")
    }

    /// Terminates the other client sessions on the database that match `condition`.
    fn terminate_where(&self, condition: &str) -> usize {
        self.strings(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid() \
               AND backend_type = 'client backend' {condition}"
        ))
        .iter()
        .filter(|terminated| *terminated == "t")
        .count()
    }
}

fn spawn(project: &Project, args: &[&str]) -> Running {
    let mut child = project
        .command(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn autogen");
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    Running {
        child,
        stdout,
        stderr,
    }
}

/// A spawned autogen whose stdout and stderr are read while it runs: a child writing more than
/// a pipe holds (`inspect` of 2,000 tables) would otherwise block on the full pipe and never
/// exit while the test polls it.
struct Running {
    child: Child,
    stdout: std::thread::JoinHandle<Vec<u8>>,
    stderr: std::thread::JoinHandle<Vec<u8>>,
}

impl Running {
    fn has_exited(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_some()
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
    }

    fn wait(mut self) -> Output {
        let status = self.child.wait().expect("wait");
        Output {
            status,
            stdout: self.stdout.join().expect("stdout reader"),
            stderr: self.stderr.join().expect("stderr reader"),
        }
    }
}

/// Waits for `child`, killing it (and failing) after `limit`.
fn wait_bounded(mut child: Running, limit: Duration, what: &str) -> Output {
    let started = Instant::now();
    loop {
        if child.has_exited() {
            return child.wait();
        }
        if started.elapsed() > limit {
            child.kill();
            let output = child.wait();
            panic!(
                "{what} did not finish within {limit:?}\nstdout:\n{}\nstderr:\n{}",
                stdout(&output),
                stderr(&output)
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn describe(output: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        stdout(output),
        stderr(output)
    )
}

/// A clean failure: exit 2, nothing on stdout, one `error: …` line, no panic.
fn assert_clean_failure(output: &Output) {
    let text = describe(output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(
        stdout(output).is_empty(),
        "partial output on stdout: {text}"
    );
    let err = stderr(output);
    assert!(!err.contains("panicked"), "{text}");
    assert!(
        err.lines().any(|line| line.starts_with("error: ")),
        "no error line: {text}"
    );
}

/// A deterministic pseudo-random sequence (xorshift64*), seeded from `AUTOGEN_FAULTS_SEED` or
/// `default`.
struct Rng(u64);

impl Rng {
    fn new(default: u64) -> Rng {
        let seed = std::env::var("AUTOGEN_FAULTS_SEED")
            .ok()
            .and_then(|text| text.parse().ok())
            .unwrap_or(default);
        Rng(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

// ---------------------------------------------------------------------------------------------
// The revision chain the kills hit

/// Something a statement (or a whole revision) leaves in the database.
#[derive(Clone, Copy, Debug)]
enum Effect {
    Table(&'static str),
    Rows(&'static str, i64),
    ValidIndex(&'static str),
    Column(&'static str, &'static str),
}

impl Effect {
    fn visible(self, db: &Db) -> bool {
        let exists =
            |table: &str| db.flag(&format!("SELECT to_regclass('public.{table}') IS NOT NULL"));
        match self {
            Effect::Table(table) => exists(table),
            Effect::Rows(table, rows) => {
                exists(table) && db.one(&format!("SELECT count(*) FROM public.{table}")) == rows.to_string()
            }
            Effect::ValidIndex(index) => db.flag(&format!(
                "SELECT EXISTS (SELECT FROM pg_index WHERE indexrelid = to_regclass('public.{index}') AND indisvalid)"
            )),
            Effect::Column(table, column) => db.flag(&format!(
                "SELECT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('public.{table}') \
                 AND attname = '{column}' AND NOT attisdropped)"
            )),
        }
    }
}

struct Rev {
    id: &'static str,
    transactional: bool,
    /// The up section's statements and what each leaves behind.
    up: Vec<(&'static str, Effect)>,
    down: &'static str,
}

impl Rev {
    fn is_concurrent(statement: &str) -> bool {
        statement.to_ascii_uppercase().contains("CONCURRENTLY")
    }
}

/// Eight revisions, about a second of work: transactional ones with 50k-row inserts and
/// `pg_sleep`, and two `transaction:false` sections mixing ordinary statements with
/// `CREATE INDEX CONCURRENTLY` (one of them as its first statement).
fn chain() -> Vec<Rev> {
    use Effect::*;
    vec![
        Rev {
            id: "20260101000001",
            transactional: true,
            up: vec![
                (
                    "CREATE TABLE t1 (id integer PRIMARY KEY, v integer NOT NULL)",
                    Table("t1"),
                ),
                (
                    "INSERT INTO t1 SELECT g, g % 100 FROM generate_series(1, 50000) g",
                    Rows("t1", 50000),
                ),
            ],
            down: "DROP TABLE t1;",
        },
        Rev {
            id: "20260101000002",
            transactional: true,
            up: vec![
                (
                    "CREATE TABLE t2 (id integer PRIMARY KEY, note text)",
                    Table("t2"),
                ),
                ("SELECT pg_sleep(0.05)", Table("t2")),
                ("INSERT INTO t2 VALUES (1, 'two')", Rows("t2", 1)),
            ],
            down: "DROP TABLE t2;",
        },
        Rev {
            id: "20260101000003",
            transactional: false,
            up: vec![
                (
                    "CREATE TABLE t3 (id integer NOT NULL, v integer NOT NULL)",
                    Table("t3"),
                ),
                (
                    "INSERT INTO t3 SELECT g, g % 7 FROM generate_series(1, 50000) g",
                    Rows("t3", 50000),
                ),
                (
                    "CREATE INDEX CONCURRENTLY t3_v ON t3 (v)",
                    ValidIndex("t3_v"),
                ),
                (
                    "CREATE TABLE t3_slept AS SELECT 1 AS slept FROM pg_sleep(0.05)",
                    Table("t3_slept"),
                ),
                (
                    "CREATE UNIQUE INDEX CONCURRENTLY t3_id ON t3 (id)",
                    ValidIndex("t3_id"),
                ),
                (
                    "ALTER TABLE t3 ADD COLUMN w integer DEFAULT 3",
                    Column("t3", "w"),
                ),
            ],
            down: "DROP TABLE t3_slept;\nDROP TABLE t3;",
        },
        Rev {
            id: "20260101000004",
            transactional: true,
            up: vec![
                ("CREATE TABLE t4 (id integer, v integer)", Table("t4")),
                (
                    "INSERT INTO t4 SELECT g, g % 13 FROM generate_series(1, 50000) g",
                    Rows("t4", 50000),
                ),
                ("CREATE INDEX t4_v ON t4 (v)", ValidIndex("t4_v")),
            ],
            down: "DROP TABLE t4;",
        },
        Rev {
            id: "20260101000005",
            transactional: false,
            up: vec![
                (
                    "CREATE INDEX CONCURRENTLY t1_v ON t1 (v)",
                    ValidIndex("t1_v"),
                ),
                ("CREATE TABLE t5 (id integer NOT NULL)", Table("t5")),
                (
                    "INSERT INTO t5 SELECT g FROM generate_series(1, 50000) g",
                    Rows("t5", 50000),
                ),
                (
                    "CREATE INDEX CONCURRENTLY t5_id ON t5 (id)",
                    ValidIndex("t5_id"),
                ),
            ],
            down: "DROP TABLE t5;\nDROP INDEX t1_v;",
        },
        Rev {
            id: "20260101000006",
            transactional: true,
            up: vec![
                ("CREATE TABLE t6 (id integer PRIMARY KEY)", Table("t6")),
                ("SELECT pg_sleep(0.05)", Table("t6")),
                (
                    "INSERT INTO t6 SELECT generate_series(1, 10)",
                    Rows("t6", 10),
                ),
            ],
            down: "DROP TABLE t6;",
        },
        Rev {
            id: "20260101000007",
            transactional: true,
            up: vec![
                ("CREATE TABLE t7 (id integer NOT NULL)", Table("t7")),
                (
                    "INSERT INTO t7 SELECT g FROM generate_series(1, 50000) g",
                    Rows("t7", 50000),
                ),
                ("ALTER TABLE t7 ADD PRIMARY KEY (id)", ValidIndex("t7_pkey")),
            ],
            down: "DROP TABLE t7;",
        },
        Rev {
            id: "20260101000008",
            transactional: true,
            up: vec![
                (
                    "CREATE TABLE t8 (id integer PRIMARY KEY REFERENCES t7 (id))",
                    Table("t8"),
                ),
                (
                    "INSERT INTO t8 SELECT id FROM t7 WHERE id <= 1000",
                    Rows("t8", 1000),
                ),
            ],
            down: "DROP TABLE t8;",
        },
    ]
}

/// Writes the chain's files (the `transaction:false` marker by hand: `write_revision` writes
/// plain sections).
fn write_chain(project: &Project, chain: &[Rev]) {
    let mut parent: Option<&str> = None;
    for rev in chain {
        let up: Vec<&str> = rev.up.iter().map(|(sql, _)| *sql).collect();
        let marker = if rev.transactional {
            "-- migrate:up"
        } else {
            "-- migrate:up transaction:false"
        };
        let text = format!(
            "-- revision: {}\n-- parents: {}\n-- message: faults {}\n-- created: 2026-01-01T00:00:00Z\n\n{marker}\n{};\n\n-- migrate:down\n{}\n",
            rev.id,
            parent.unwrap_or(""),
            rev.id,
            up.join(";\n"),
            rev.down
        );
        std::fs::write(
            project
                .path()
                .join(format!("migrations/{}_faults.sql", rev.id)),
            text,
        )
        .expect("write revision");
        parent = Some(rev.id);
    }
}

/// Where a killed run left the database.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    /// The first `recorded` revisions are applied and recorded; nothing of the next one is.
    Boundary { recorded: usize },
    /// The first `recorded` revisions are applied; the next (a `transaction:false` section)
    /// stopped after `done` statements (its progress row says `saved`).
    InSection {
        recorded: usize,
        done: usize,
        saved: Option<usize>,
    },
}

/// Checks the kill invariants and returns the stage; panics with the details otherwise.
fn check_invariants(db: &Db, chain: &[Rev], context: &str) -> Stage {
    let tracking_exists = db.flag("SELECT to_regclass('public.autogen_revisions') IS NOT NULL");
    let recorded: Vec<String> = if tracking_exists {
        db.strings("SELECT revision FROM public.autogen_revisions ORDER BY revision")
    } else {
        Vec::new()
    };
    let progress: Vec<(String, usize)> =
        if db.flag("SELECT to_regclass('public.autogen_revisions_progress') IS NOT NULL") {
            db.strings(
                "SELECT revision || ' ' || direction || ' ' || statements_done \
                 FROM public.autogen_revisions_progress ORDER BY revision",
            )
            .iter()
            .map(|row| {
                let mut words = row.split(' ');
                let revision = words.next().unwrap_or_default().to_string();
                assert_eq!(words.next(), Some("up"), "{context}: progress row {row}");
                let done = words.next().and_then(|n| n.parse().ok()).expect("count");
                (revision, done)
            })
            .collect()
        } else {
            Vec::new()
        };
    // Recorded revisions are a prefix of the chain, each once.
    let prefix: Vec<String> = chain
        .iter()
        .take(recorded.len())
        .map(|rev| rev.id.to_string())
        .collect();
    assert_eq!(
        recorded, prefix,
        "{context}: recorded revisions are not a prefix of the chain"
    );
    let k = recorded.len();
    assert!(
        progress.len() <= 1,
        "{context}: more than one progress row: {progress:?}"
    );
    let mut stage = Stage::Boundary { recorded: k };
    for (index, rev) in chain.iter().enumerate() {
        let visible: Vec<bool> = rev
            .up
            .iter()
            .map(|(_, effect)| effect.visible(db))
            .collect();
        let saved = progress
            .iter()
            .find(|(revision, _)| revision == rev.id)
            .map(|(_, done)| *done);
        let detail = || {
            format!(
                "{context}: revision {} (#{}, transactional: {}): recorded {k} revision(s), effects visible {visible:?}, progress row {saved:?}",
                rev.id,
                index + 1,
                rev.transactional
            )
        };
        if index < k {
            // Recorded: everything it does is there, and no progress row is left.
            assert!(visible.iter().all(|v| *v), "effects missing: {}", detail());
            assert_eq!(
                saved,
                None,
                "progress row of a recorded revision: {}",
                detail()
            );
            continue;
        }
        if index > k || rev.transactional {
            // Not started (a transactional revision is all or nothing: its table exists iff it
            // is recorded).
            assert!(
                visible.iter().all(|v| !*v),
                "effects without a record: {}",
                detail()
            );
            assert_eq!(
                saved,
                None,
                "progress row of a revision not started: {}",
                detail()
            );
            continue;
        }
        // The next revision, a transaction:false section: a prefix of its statements ran.
        let done = visible.iter().take_while(|v| **v).count();
        assert!(
            visible[done..].iter().all(|v| !*v),
            "statements visible out of order: {}",
            detail()
        );
        match saved {
            // The count matches what is visible, or a concurrent build finished just before
            // the kill and its count was not stored yet (the runner recognizes the index).
            Some(saved) => assert!(
                done == saved || (done == saved + 1 && Rev::is_concurrent(rev.up[saved].0)),
                "the progress row does not match the statements visible: {}",
                detail()
            ),
            None => assert!(
                done == 0,
                "statements ran but no progress row says so: {}",
                detail()
            ),
        }
        if done > 0 || saved.is_some() {
            stage = Stage::InSection {
                recorded: k,
                done,
                saved,
            };
        }
    }
    stage
}

/// What must be equal between an interrupted-then-finished database and an uninterrupted one:
/// the canonical schema `autogen inspect` prints, every table's row count, the tracking rows.
fn fingerprint(project: &Project, db: &Db, url: &str) -> String {
    let schema = project.expect(0, &["inspect", url]);
    let counts = db.one(
        "SELECT string_agg(format('%s=%s', c.relname, \
           (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM public.%I', c.relname), false, true, '')))[1]::text), \
           ', ' ORDER BY c.relname) \
         FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' \
           AND c.relname NOT LIKE 'autogen%'",
    );
    let invalid = db.one("SELECT count(*) FROM pg_index WHERE NOT indisvalid");
    let recorded = db.one(
        "SELECT string_agg(revision || ':' || checksum, ', ' ORDER BY revision) FROM public.autogen_revisions",
    );
    let progress = db.one("SELECT count(*) FROM public.autogen_revisions_progress");
    format!(
        "{schema}\n-- rows: {counts}\n-- invalid indexes: {invalid}\n-- recorded: {recorded}\n-- progress rows: {progress}\n"
    )
}

/// `upgrade` to the end after a fault: exit 0, within a bound.
fn finish_upgrade(project: &Project, url: &str, context: &str) -> Output {
    let output = wait_bounded(
        spawn(project, &with_db(url, &["upgrade"])),
        Duration::from_secs(60),
        context,
    );
    assert!(
        output.status.success(),
        "{context}: the re-run failed: {}",
        describe(&output)
    );
    output
}

// ---------------------------------------------------------------------------------------------
// 1. SIGKILL during `autogen upgrade`

#[test]
fn sigkill_during_upgrade_leaves_a_resumable_database() {
    let _serial = serial();
    let project = Project::new();
    let chain = chain();
    write_chain(&project, &chain);

    // The reference: an uninterrupted run, timed.
    let (_reference, reference_url) = fresh_database();
    let started = Instant::now();
    finish_upgrade(&project, &reference_url, "the uninterrupted run");
    let mut duration = started.elapsed();
    let reference_db = Db::connect(&reference_url);
    let reference = fingerprint(&project, &reference_db, &reference_url);
    assert!(reference.contains("t5_id"), "{reference}");
    eprintln!("faults: an uninterrupted upgrade takes {duration:?}");

    // 25 kills at pseudo-random points of the run. A series kills the runner on one database
    // up to twice, the second time in the resumed run (its delay spread over the work left),
    // then lets it finish and compares with the reference. A run that finishes before its kill
    // lands is compared too, and does not count as a kill.
    const KILLS: usize = 25;
    let mut rng = Rng::new(0x5eed_0001);
    let mut tried = 0;
    let mut survived = 0;
    let mut finished_before_kill = 0;
    let mut resumed = 0;
    let mut stages = BTreeSet::new();
    let mut delays = Vec::new();
    // (database, url, connection, kills so far, time the killed runs had)
    let mut series: Option<(TempDatabase, String, Db, usize, Duration)> = None;
    let mut attempt = 0;
    while tried < KILLS {
        attempt += 1;
        assert!(
            attempt <= 2 * KILLS,
            "only {tried} of {attempt} kills landed"
        );
        let (_, url, db, _, spent) = series.get_or_insert_with(|| {
            let (database, url) = fresh_database();
            let db = Db::connect(&url);
            (database, url, db, 0, Duration::ZERO)
        });
        let left = duration.saturating_sub(*spent).max(duration / 4);
        let delay = left.mul_f64(0.02 + 0.98 * rng.unit());
        let url = url.clone();
        let launched = Instant::now();
        let mut child = spawn(&project, &with_db(&url, &["upgrade"]));
        std::thread::sleep(delay);
        let exited = child.has_exited();
        if !exited {
            child.kill();
        }
        let output = child.wait();
        if exited {
            // The machine got faster than when the reference run was timed: aim the next
            // kills within what a whole run takes now, so they keep landing whatever the load.
            duration = duration.min(launched.elapsed());
        }
        if stderr(&output).contains("Resuming") {
            resumed += 1;
        }
        let context = format!("kill attempt #{attempt} after {delay:?}");
        if output.status.success() {
            finished_before_kill += 1;
            db.wait_until_alone();
            let state = fingerprint(&project, db, &url);
            assert_eq!(state, reference, "{context}: a completed run differs");
            survived += series.take().expect("series").3;
            continue;
        }
        assert!(
            !exited,
            "{context}: the run failed by itself: {}",
            describe(&output)
        );
        tried += 1;
        delays.push(delay.as_millis());
        db.wait_until_alone();
        stages.insert(check_invariants(db, &chain, &context));
        let open = series.as_mut().expect("series");
        open.3 += 1;
        open.4 += delay;
        if open.3 == 2 {
            let (_database, url, db, kills, _) = series.take().expect("series");
            let output = finish_upgrade(&project, &url, &format!("the re-run after {context}"));
            if stderr(&output).contains("Resuming") {
                resumed += 1;
            }
            db.wait_until_alone();
            let state = fingerprint(&project, &db, &url);
            assert_eq!(
                state, reference,
                "the re-run after {context} differs from an uninterrupted run"
            );
            survived += kills;
        }
    }
    if let Some((_database, url, db, kills, _)) = series.take() {
        finish_upgrade(&project, &url, "the last re-run");
        db.wait_until_alone();
        assert_eq!(
            fingerprint(&project, &db, &url),
            reference,
            "the last re-run differs"
        );
        survived += kills;
    }
    eprintln!(
        "faults: {tried} SIGKILLs tried, {survived} survived (invariants held, the re-run matched the uninterrupted run); {finished_before_kill} run(s) finished before their kill; {resumed} run(s) resumed a transaction:false section; kill delays (ms): {delays:?}; stages seen: {stages:?}"
    );
    assert_eq!(tried, survived);
    assert!(
        stages
            .iter()
            .any(|stage| matches!(stage, Stage::InSection { .. })),
        "no kill landed inside a transaction:false section: {stages:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// 2. The connection terminated by the server

/// A database with `tables` tables (each with a primary key, a default, an index).
fn large_schema(db: &Db, tables: usize) {
    db.execute(&format!(
        "DO $$ BEGIN FOR i IN 1..{tables} LOOP \
           EXECUTE format('CREATE TABLE big_%s (id integer PRIMARY KEY, name text NOT NULL, \
             created timestamptz NOT NULL DEFAULT now(), score integer CHECK (score >= 0))', i); \
           EXECUTE format('CREATE INDEX big_%s_name ON big_%s (name)', i, i); \
         END LOOP; END $$"
    ));
}

/// Runs `args` and terminates autogen's sessions on `db`'s database once one shows up (after
/// `delay`); `None` when the command finished before a session could be terminated.
fn run_terminated(
    project: &Project,
    args: &[&str],
    delay: Duration,
    terminate: impl Fn() -> usize,
) -> Option<Output> {
    let mut child = spawn(project, args);
    let started = Instant::now();
    let mut terminated = 0;
    loop {
        if child.has_exited() {
            let output = child.wait();
            return (terminated > 0).then_some(output);
        }
        if started.elapsed() >= delay {
            terminated += terminate();
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{args:?} is still running after a minute"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn a_terminated_connection_mid_inspect_is_a_clean_error() {
    let _serial = serial();
    let project = Project::new();
    let (_database, url) = fresh_database();
    let db = Db::connect(&url);
    let started = Instant::now();
    large_schema(&db, 2000);
    eprintln!("faults: 2,000 tables created in {:?}", started.elapsed());

    let mut rng = Rng::new(0x5eed_0002);
    let mut hits = 0;
    let mut misses = 0;
    while hits < 3 {
        assert!(
            misses < 10,
            "inspect finished before its session was terminated 10 times"
        );
        let delay = Duration::from_millis(20 + rng.next() % 200);
        let terminate = || db.terminate_working();
        let Some(output) = run_terminated(&project, &["inspect", &url], delay, terminate) else {
            misses += 1;
            continue;
        };
        eprintln!(
            "faults: inspect terminated after {delay:?}: {}",
            describe(&output)
        );
        assert_clean_failure(&output);
        assert_eq!(
            stderr(&output).lines().count(),
            1,
            "one line expected: {}",
            describe(&output)
        );
        hits += 1;
    }
    // The schema is readable when nothing interferes.
    let full = project.expect(0, &["inspect", &url]);
    assert!(
        full.contains("big_2000"),
        "{}",
        &full[..full.len().min(500)]
    );
}

#[test]
fn a_terminated_connection_mid_upgrade_stops_at_a_boundary() {
    let _serial = serial();
    let project = Project::new();
    let chain = chain();
    write_chain(&project, &chain);
    let (_reference, reference_url) = fresh_database();
    let started = Instant::now();
    finish_upgrade(&project, &reference_url, "the uninterrupted run");
    let duration = started.elapsed();
    let reference = fingerprint(&project, &Db::connect(&reference_url), &reference_url);

    let mut rng = Rng::new(0x5eed_0003);
    let mut hits = 0;
    let mut misses = 0;
    while hits < 4 {
        assert!(
            misses < 10,
            "upgrade finished before its session was terminated 10 times"
        );
        let (_database, url) = fresh_database();
        let db = Db::connect(&url);
        let delay = duration.mul_f64(0.05 + 0.9 * rng.unit());
        let terminate = || db.terminate_others();
        let Some(output) = run_terminated(&project, &with_db(&url, &["upgrade"]), delay, terminate)
        else {
            misses += 1;
            continue;
        };
        let context = format!("upgrade terminated after {delay:?}");
        eprintln!("faults: {context}: {}", describe(&output));
        let text = describe(&output);
        assert_eq!(output.status.code(), Some(2), "{context}: {text}");
        assert!(!stderr(&output).contains("panicked"), "{context}: {text}");
        assert!(
            stderr(&output)
                .lines()
                .any(|line| line.starts_with("error: ")),
            "{context}: {text}"
        );
        db.wait_until_alone();
        let stage = check_invariants(&db, &chain, &context);
        eprintln!("faults: {context}: stage {stage:?}");
        finish_upgrade(&project, &url, &context);
        assert_eq!(fingerprint(&project, &db, &url), reference, "{context}");
        hits += 1;
    }
}

// ---------------------------------------------------------------------------------------------
// 3. The dev server stopped under `autogen revision`

/// `tables` model structs of a few columns each.
fn many_models(tables: usize) -> String {
    let mut text = String::from("use autogen::Model;\n");
    for n in 1..=tables {
        text.push_str(&format!(
            "\n#[derive(Model)]\n#[model(table = \"m_{n}\")]\n#[model(index(columns = [\"name\"]))]\npub struct M{n} {{\n    #[model(primary_key, identity)]\n    pub id: i64,\n    #[model(max_length = 100)]\n    pub name: String,\n    #[model(default = \"0\")]\n    pub score: i32,\n    pub note: Option<String>,\n}}\n"
        ));
    }
    text
}

/// Every name in `dir`, hidden ones included.
fn listing(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

#[test]
fn the_dev_server_stopped_mid_revision_writes_nothing() {
    let _serial = serial();
    let project = Project::new();
    project.write_models(&many_models(120));
    let migrations = project.path().join("migrations");
    let before = listing(&migrations);

    let mut rng = Rng::new(0x5eed_0004);
    let mut attempts = 0;
    loop {
        attempts += 1;
        assert!(
            attempts <= 6,
            "revision finished before the dev server stopped, 6 times"
        );
        let cluster = DevCluster::start().expect("a dev cluster");
        let dev_url = cluster.connection("postgres").url_with_password();
        let admin = Db::connect(&dev_url);
        let mut child = spawn(&project, &["--dev-url", &dev_url, "revision", "-m", "x"]);
        // Once the command has made its scratch databases, stop the server (immediate mode:
        // SIGQUIT to the postmaster) a little later.
        let started = Instant::now();
        let mut stopped_after = None;
        while !child.has_exited() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "revision hangs"
            );
            let scratch = admin.one(
                "SELECT count(*) FROM pg_database WHERE datname NOT IN ('postgres', 'template0', 'template1')",
            );
            if scratch != "0" {
                std::thread::sleep(Duration::from_millis(rng.next() % 150));
                let pid = cluster.pid().expect("the postmaster runs");
                // SAFETY: the cluster's own child postmaster, still running (not reaped).
                unsafe { libc::kill(pid, libc::SIGQUIT) };
                stopped_after = Some(started.elapsed());
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let output = wait_bounded(child, Duration::from_secs(60), "revision");
        drop(admin);
        drop(cluster);
        if output.status.success() {
            // Too late: the revision was written. Remove it and try again.
            for name in listing(&migrations).difference(&before) {
                std::fs::remove_file(migrations.join(name)).expect("remove");
            }
            continue;
        }
        eprintln!(
            "faults: dev server stopped {stopped_after:?} into `revision`: {}",
            describe(&output)
        );
        assert!(stopped_after.is_some(), "{}", describe(&output));
        assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
        assert!(
            !stderr(&output).contains("panicked"),
            "{}",
            describe(&output)
        );
        // The server's failure, never the models' (they are valid) or a revision's.
        assert!(
            stderr(&output)
                .lines()
                .any(|line| line.starts_with("error: ")
                    && line.contains("the dev database")
                    && line.contains("not a problem with the models or revisions")),
            "{}",
            describe(&output)
        );
        assert!(
            !stderr(&output).contains("rejected this model"),
            "{}",
            describe(&output)
        );
        assert_eq!(
            listing(&migrations),
            before,
            "the migrations directory changed"
        );
        eprintln!("faults: dev server stop hit on attempt {attempts}");
        break;
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Sixteen runners at once

#[test]
fn sixteen_concurrent_upgrades_apply_each_revision_once() {
    let _serial = serial();
    let project = Project::new();
    let (_database, url) = fresh_database();
    project.write_revision(
        "20260101000000",
        &[],
        "CREATE TABLE log (revision text NOT NULL, pid integer NOT NULL DEFAULT pg_backend_pid());\nINSERT INTO log (revision) VALUES ('1');",
        "DROP TABLE log;",
    );
    let mut parent = "20260101000000".to_string();
    for n in 2..=6 {
        let id = format!("2026010{n}000000");
        project.write_revision(
            &id,
            &[&parent],
            &format!("SELECT pg_sleep(0.02);\nINSERT INTO log (revision) VALUES ('{n}');"),
            &format!("DELETE FROM log WHERE revision = '{n}';"),
        );
        parent = id;
    }
    let children: Vec<Running> = (0..16)
        .map(|_| spawn(&project, &with_db(&url, &["upgrade"])))
        .collect();
    let mut waited = 0;
    let mut applied = 0;
    for child in children {
        let output = wait_bounded(child, Duration::from_secs(60), "a concurrent upgrade");
        assert!(output.status.success(), "{}", describe(&output));
        let err = stderr(&output);
        if err.contains("for another autogen run on this database") {
            waited += 1;
        }
        if err.contains("applied 6 revision(s)") {
            applied += 1;
        }
    }
    let db = Db::connect(&url);
    let counts = db
        .strings("SELECT revision || '=' || count(*) FROM log GROUP BY revision ORDER BY revision");
    let expected: Vec<String> = (1..=6).map(|n| format!("{n}=1")).collect();
    assert_eq!(counts, expected);
    assert_eq!(db.one("SELECT count(*) FROM public.autogen_revisions"), "6");
    eprintln!(
        "faults: 16 concurrent upgrades: {applied} applied everything, {waited} waited for the lock"
    );
}

// ---------------------------------------------------------------------------------------------
// Finishing a stopped section by hand

/// The documented way out of a section that cannot continue: finish it by hand and `stamp`
/// it. The stamp forgets the section's progress, so when the revision is reverted and applied
/// again later, it runs from its first statement (it used to resume after the statements the
/// first run had done, skipping them, and record the revision as applied).
#[test]
fn a_section_finished_by_hand_and_stamped_runs_whole_next_time() {
    let _serial = serial();
    let project = Project::new();
    let (_database, url) = fresh_database();
    let db = Db::connect(&url);
    std::fs::write(
        project.path().join("migrations/20260101000000_by_hand.sql"),
        "-- revision: 20260101000000\n-- parents: \n-- message: by hand\n-- created: 2026-01-01T00:00:00Z\n\n\
         -- migrate:up transaction:false\nCREATE TABLE s1 (id integer);\nCREATE TABLE s2 (id integer REFERENCES later (id));\nCREATE TABLE s3 (id integer);\n\n\
         -- migrate:down\nDROP TABLE s3;\nDROP TABLE s2;\nDROP TABLE s1;\n",
    )
    .expect("write revision");
    let (_, failed) = project.expect_both(2, &with_db(&url, &["upgrade"]));
    assert!(failed.contains("\"later\" does not exist"), "{failed}");
    // Finished by hand, stamped, reverted.
    db.execute("CREATE TABLE s2 (id integer); CREATE TABLE s3 (id integer)");
    project.expect(0, &with_db(&url, &["stamp", "head"]));
    project.expect(
        0,
        &with_db(&url, &["downgrade", "base", "--allow-data-loss"]),
    );
    assert_eq!(
        db.one("SELECT count(*) FROM public.autogen_revisions_progress"),
        "0"
    );
    // Applied again, now that `later` exists: every statement runs.
    db.execute("CREATE TABLE later (id integer PRIMARY KEY)");
    let (_, again) = project.expect_both(0, &with_db(&url, &["upgrade"]));
    assert!(!again.contains("Resuming"), "{again}");
    for table in ["s1", "s2", "s3"] {
        assert!(
            Effect::Table(table).visible(&db),
            "{table} is missing:\n{again}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 5. SIGKILL inside a batched statement

const BATCH_ROWS: usize = 20_000;
/// The test holds this advisory lock to stop the batches mid-statement: every row the backfill
/// updates takes it shared first (a trigger), so a batch waits inside its UPDATE.
const GATE: i64 = 4242;

/// 20,000 users, then a `transaction:false` section: add a column, backfill it in batches of
/// 1,000 (each row counts its updates in `touched`), make it NOT NULL.
fn write_batched_chain(project: &Project) {
    project.write_revision(
        "20260101000001",
        &[],
        &format!(
            "CREATE TABLE users (id int PRIMARY KEY, first_name text NOT NULL, last_name text NOT NULL, touched int NOT NULL DEFAULT 0);\n\
             INSERT INTO users (id, first_name, last_name) SELECT g, 'f' || g, 'l' || g FROM generate_series(1, {BATCH_ROWS}) g;\n\
             CREATE FUNCTION gate() RETURNS trigger LANGUAGE plpgsql AS $$\n\
             BEGIN PERFORM pg_advisory_lock_shared({GATE}); PERFORM pg_advisory_unlock_shared({GATE}); RETURN NEW; END $$;\n\
             CREATE TRIGGER gate BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION gate();"
        ),
        "DROP TABLE users; DROP FUNCTION gate();",
    );
    let text = "-- revision: 20260101000002\n-- parents: 20260101000001\n-- message: backfill\n-- created: 2026-01-01T00:00:00Z\n\n\
                -- migrate:up transaction:false\n\
                -- hazard: none\n\
                ALTER TABLE users ADD COLUMN full_name text;\n\
                -- hazard: none\n\
                -- batch: pause=20ms lock_timeout=5s\n\
                UPDATE users SET full_name = first_name || ' ' || last_name, touched = touched + 1\n\
                WHERE ctid = ANY (ARRAY(SELECT ctid FROM users WHERE full_name IS NULL LIMIT 1000));\n\
                -- hazard: may-fail-on-existing-rows\n\
                ALTER TABLE users ALTER COLUMN full_name SET NOT NULL;\n\n\
                -- migrate:down transaction:false\n\
                ALTER TABLE users DROP COLUMN full_name;\n";
    project.write_file("migrations/20260101000002_backfill.sql", text);
}

/// (statements done, batches done, rows done) of the backfill's progress row, if any.
fn batch_progress(db: &Db) -> Option<(usize, u64, u64)> {
    if !db.flag("SELECT to_regclass('public.autogen_revisions_progress') IS NOT NULL") {
        return None;
    }
    db.strings(
        "SELECT statements_done || ',' || batches_done || ',' || rows_done \
         FROM public.autogen_revisions_progress WHERE revision = '20260101000002'",
    )
    .first()
    .map(|row| {
        let parts: Vec<u64> = row.split(',').map(|n| n.parse().expect("number")).collect();
        (parts[0] as usize, parts[1], parts[2])
    })
}

/// Polls until `ready` (or fails after a bound, with the runner's output).
fn wait_for(runner: &mut Running, what: &str, mut ready: impl FnMut() -> bool) {
    let started = Instant::now();
    while !ready() {
        assert!(!runner.has_exited(), "the runner exited before {what}");
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{what}: not reached in 60 s"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Whether another session waits for a lock of `kind` (`advisory`, `relation`).
fn runner_waits_for(db: &Db, kind: &str) -> bool {
    db.flag(&format!(
        "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE datname = current_database() \
         AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND wait_event = '{kind}')"
    ))
}

/// The runner SIGKILLed during a batch (waiting inside its UPDATE), between batches (in the
/// pause), and after the last batch (waiting to run the statement after it); each time the
/// re-run finishes the job: every row updated exactly once, the column NOT NULL, the revision
/// recorded, the progress row gone, and the batches counted across the runs.
#[test]
fn sigkill_inside_a_batched_statement_updates_every_row_exactly_once() {
    let _serial = serial();
    let project = Project::new();
    write_batched_chain(&project);

    // Uninterrupted, with the JSON report and the summary line.
    let (_reference, reference_url) = fresh_database();
    let output = wait_bounded(
        spawn(
            &project,
            &with_db(&reference_url, &["upgrade", "--format", "json"]),
        ),
        Duration::from_secs(120),
        "the uninterrupted run",
    );
    assert!(output.status.success(), "{}", describe(&output));
    assert!(
        stderr(&output).contains("20260101000002:11: 20,000 rows in 20 batches ("),
        "{}",
        describe(&output)
    );
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("json");
    let batched = &report["ran"][1]["batched"][0];
    assert_eq!(
        (&batched["line"], &batched["batches"], &batched["rows"]),
        (
            &serde_json::json!(11),
            &serde_json::json!(20),
            &serde_json::json!(20_000)
        ),
        "{report}"
    );

    let check_final = |db: &Db, context: &str| {
        assert_eq!(
            db.one(
                "SELECT count(*) || ',' || count(*) FILTER (WHERE touched = 1 AND full_name = first_name || ' ' || last_name) FROM users"
            ),
            format!("{BATCH_ROWS},{BATCH_ROWS}"),
            "{context}: every row updated exactly once"
        );
        assert!(
            db.flag("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'full_name'"),
            "{context}"
        );
        assert_eq!(
            db.one("SELECT count(*) FROM public.autogen_revisions"),
            "2",
            "{context}"
        );
        assert_eq!(
            db.one("SELECT count(*) FROM public.autogen_revisions_progress"),
            "0",
            "{context}"
        );
    };
    check_final(&Db::connect(&reference_url), "uninterrupted");

    for point in [
        "during a batch",
        "between batches",
        "before the next statement",
    ] {
        let (_database, url) = fresh_database();
        let db = Db::connect(&url);
        // A second session of the test, for a table lock held in an open transaction.
        let mut holder: Option<Db> = None;
        let mut runner = spawn(&project, &with_db(&url, &["upgrade"]));
        match point {
            "during a batch" => {
                wait_for(&mut runner, "three batches", || {
                    batch_progress(&db).is_some_and(|(_, batches, _)| batches >= 3)
                });
                db.execute(&format!("SELECT pg_advisory_lock({GATE})"));
                wait_for(&mut runner, "a batch waiting at the gate", || {
                    runner_waits_for(&db, "advisory")
                });
            }
            "between batches" => {
                wait_for(&mut runner, "five batches, paused", || {
                    batch_progress(&db).is_some_and(|(_, batches, _)| batches >= 5)
                        && db.flag(
                            "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE datname = current_database() \
                             AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND state = 'idle')",
                        )
                });
            }
            _ => {
                // Stop the batches, take a lock the NOT NULL step waits for (the batches do
                // not), let the batches go.
                wait_for(&mut runner, "the first batch", || {
                    batch_progress(&db).is_some_and(|(_, batches, _)| batches >= 1)
                });
                db.execute(&format!("SELECT pg_advisory_lock({GATE})"));
                wait_for(&mut runner, "a batch waiting at the gate", || {
                    runner_waits_for(&db, "advisory")
                });
                let lock = Db::connect(&url);
                lock.execute("BEGIN; LOCK TABLE users IN ACCESS SHARE MODE");
                holder = Some(lock);
                db.execute(&format!("SELECT pg_advisory_unlock({GATE})"));
                wait_for(&mut runner, "the NOT NULL step waiting", || {
                    batch_progress(&db).is_some_and(|(done, _, _)| done == 2)
                        && runner_waits_for(&db, "relation")
                });
            }
        }
        runner.kill();
        let killed = runner.wait();
        assert!(!killed.status.success(), "{point}: {}", describe(&killed));
        let saved = batch_progress(&db);
        db.execute("SELECT pg_advisory_unlock_all()");
        if let Some(lock) = holder.take() {
            lock.execute("COMMIT");
        }
        // The killed run's session goes once the statement it waited in ends.
        db.wait_until_alone();
        let after_kill = batch_progress(&db);
        let (done, batches, rows) = after_kill.expect("a progress row");
        assert_eq!(rows, batches * 1000, "{point}: {after_kill:?}");
        match point {
            "during a batch" => assert!(done == 1 && batches >= 3, "{point}: {after_kill:?}"),
            "before the next statement" => assert_eq!(done, 2, "{point}: {after_kill:?}"),
            // Killed in a pause, or (a slow machine) in a batch or after the last one.
            _ => assert!(done >= 1, "{point}: {after_kill:?}"),
        }
        // While the statement runs the row counts its batches; once it is done (2 statements),
        // the counters are back to 0 and every row is updated.
        let updated = if done == 2 { BATCH_ROWS as u64 } else { rows };
        assert_eq!(
            db.one("SELECT count(*) FROM users WHERE touched = 1"),
            updated.to_string(),
            "{point}: the rows updated are the ones the progress row counts (saved before the session went: {saved:?})"
        );
        assert!(
            db.one("SELECT count(*) FROM users WHERE touched > 1") == "0",
            "{point}"
        );
        let output = finish_upgrade(&project, &url, point);
        let err = stderr(&output);
        if done == 1 && batches > 0 {
            assert!(
                err.contains(&format!(
                    "20260101000002_backfill.sql:11 after {batches} batches ("
                )),
                "{point}: {err}"
            );
        }
        assert!(
            err.contains("20,000 rows in 20 batches") || done == 2,
            "{point}: the totals include the killed run's batches: {err}"
        );
        check_final(&db, point);
    }
}
