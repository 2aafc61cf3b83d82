//! Batched statements (`-- batch:`) and statements that commit (`DO`, `CALL`) in
//! `transaction:false` sections: the directive's parse errors at their lines, the checksum, the
//! runner's batches and their progress events, resuming after a failure, the offline script
//! under psql, against real PostgreSQL.

mod common;

use std::path::Path;
use std::time::Duration;

use autogen_migrate::{
    BatchOptions, MigrateError, ParseProblem, Progress, Revision, RunOptions, Section,
    UpgradeTarget, offline_upgrade_sql, parse_batch_directive, split_statements, upgrade,
};
use autogen_pg::Client;
use autogen_testkit::fresh_database;
use common::*;

const STRICT: RunOptions = RunOptions {
    ignore_checksums: false,
};

fn file(up_marker: &str, up: &str) -> String {
    format!(
        "-- revision: 20261121103000\n-- parents:\n-- message: backfill\n-- created: 2026-11-21T10:30:00Z\n\n\
         -- migrate:up{up_marker}\n{up}\n\n-- migrate:down\nSELECT 1;\n"
    )
}

/// The line and problem of a parse error.
fn failure(text: &str) -> (usize, ParseProblem) {
    match Revision::parse(Path::new("m.sql"), text) {
        Err(MigrateError::Parse { line, problem, .. }) => (line, problem),
        other => panic!("expected a parse error, got {other:?}"),
    }
}

const UPDATE: &str =
    "UPDATE t SET c = 1 WHERE ctid = ANY (ARRAY(SELECT ctid FROM t WHERE c IS NULL LIMIT 10));";

#[test]
fn the_issue_example_parses_and_its_statement_is_batched() {
    let text = file(
        " transaction:false",
        "-- hazard: none\n\
         ALTER TABLE \"public\".\"users\" ADD COLUMN \"full_name\" text;\n\
         -- hazard: none\n\
         -- batch: lock_timeout=2s\n\
         UPDATE \"public\".\"users\" SET \"full_name\" = (first_name || ' ' || last_name) WHERE ctid = ANY (ARRAY(SELECT ctid FROM \"public\".\"users\" WHERE \"full_name\" IS NULL AND (first_name || ' ' || last_name) IS NOT NULL LIMIT 10000));\n\
         -- hazard: may-fail-on-existing-rows\n\
         ALTER TABLE \"public\".\"users\" ALTER COLUMN \"full_name\" SET NOT NULL;",
    );
    let revision = Revision::parse(Path::new("m.sql"), &text).expect("parses");
    let batches: Vec<Option<BatchOptions>> = split_statements(&revision.up.sql)
        .into_iter()
        .map(|statement| statement.batch)
        .collect();
    assert_eq!(
        batches,
        [
            None,
            Some(BatchOptions {
                lock_timeout: Some(Duration::from_secs(2)),
                ..BatchOptions::default()
            }),
            None
        ]
    );
    // The directive may also come right above the statement, after the hazard comment.
    let swapped = text.replace(
        "-- hazard: none\n-- batch: lock_timeout=2s",
        "-- batch: lock_timeout=2s\n-- hazard: none",
    );
    assert_ne!(swapped, text);
    let revision = Revision::parse(Path::new("m.sql"), &swapped).expect("parses");
    assert!(split_statements(&revision.up.sql)[1].batch.is_some());
}

#[test]
fn directive_problems_are_blamed_on_the_directive_line() {
    // The up body starts at line 7.
    let cases: Vec<(&str, String, usize, ParseProblem)> = vec![
        (
            " transaction:false",
            "SELECT 1;\n-- batch: size=10\n-- hazard: none\nUPDATE t SET c = 1;".to_owned(),
            8,
            ParseProblem::UnknownBatchOption("size".into()),
        ),
        (
            " transaction:false",
            "-- batch: pause=1h\nUPDATE t SET c = 1;".to_owned(),
            7,
            ParseProblem::BadBatchDuration {
                option: "pause".into(),
                value: "1h".into(),
            },
        ),
        (
            " transaction:false",
            "-- batch: pause=1.5s\nUPDATE t SET c = 1;".to_owned(),
            7,
            ParseProblem::BadBatchDuration {
                option: "pause".into(),
                value: "1.5s".into(),
            },
        ),
        (
            " transaction:false",
            "-- batch: pause=1s pause=2s\nUPDATE t SET c = 1;".to_owned(),
            7,
            ParseProblem::DuplicateBatchOption("pause".into()),
        ),
        (
            "",
            format!("SELECT 1;\n\n-- batch: lock_timeout=2s\n{UPDATE}"),
            9,
            ParseProblem::BatchInTransaction,
        ),
        (
            " transaction:false",
            format!("-- batch:\n\n{UPDATE}"),
            7,
            ParseProblem::BatchWithoutStatement,
        ),
        (
            " transaction:false",
            format!("{UPDATE}\n-- batch:"),
            8,
            ParseProblem::BatchWithoutStatement,
        ),
        (
            " transaction:false",
            "CREATE TABLE x (a int);\n-- batch:\nALTER TABLE x ADD COLUMN b int;".to_owned(),
            8,
            ParseProblem::BatchNotDml,
        ),
        (
            " transaction:false",
            "-- batch:\nINSERT INTO x VALUES (1);".to_owned(),
            7,
            ParseProblem::BatchNotDml,
        ),
        (
            " transaction:false",
            format!("-- batch:\n-- batch: pause=1s\n{UPDATE}"),
            8,
            ParseProblem::DuplicateBatchDirective,
        ),
    ];
    for (marker, up, line, problem) in cases {
        assert_eq!(failure(&file(marker, &up)), (line, problem), "{up}");
    }
    // In the down section too, at its file line.
    let text = "-- revision: 20261121103000\n-- parents:\n-- message: m\n-- created: 2026-11-21T10:30:00Z\n\n\
                -- migrate:up\nSELECT 1;\n\n-- migrate:down\nSELECT 1;\n-- batch:\nDELETE FROM t;\n";
    assert_eq!(failure(text), (11, ParseProblem::BatchInTransaction));
    let message = Revision::parse(Path::new("m.sql"), text)
        .expect_err("in a transaction")
        .to_string();
    assert!(
        message.starts_with("m.sql:11: ")
            && message.contains("mark the section `-- migrate:up transaction:false`"),
        "{message}"
    );
}

#[test]
fn a_directive_inside_a_statement_is_its_text() {
    // In a dollar-quoted body the line is not a comment of the section.
    let text = file(
        "",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$\n-- batch: pause=1s\nSELECT 1\n$$;",
    );
    Revision::parse(Path::new("m.sql"), &text).expect("parses");
    assert_eq!(
        parse_batch_directive("-- batch: pause=5s"),
        Some(Ok(BatchOptions {
            pause: Some(Duration::from_secs(5)),
            ..BatchOptions::default()
        }))
    );
}

#[test]
fn the_checksum_covers_the_directive_and_its_options() {
    let with = |directive: &str| {
        Revision::parse(
            Path::new("m.sql"),
            &file(" transaction:false", &format!("{directive}\n{UPDATE}")),
        )
        .expect("parses")
        .checksum()
    };
    let plain = with("-- note");
    let batched = with("-- batch:");
    let paused = with("-- batch: pause=100ms");
    let longer = with("-- batch: pause=200ms");
    assert_ne!(plain, batched);
    assert_ne!(batched, paused);
    assert_ne!(paused, longer);
}

// -------------------------------------------------------------------------------------------
// Against PostgreSQL

/// What the runner reported about batches, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    Resuming { batches: u64, rows: u64 },
    Batch { batches: u64, rows: u64 },
    Batched { batches: u64, rows: u64 },
}

async fn run(
    client: &mut Client,
    dir: &tempfile::TempDir,
) -> (Result<Vec<String>, MigrateError>, Vec<Seen>) {
    let graph = load(dir);
    let mut seen = Vec::new();
    let result = upgrade(
        client,
        &graph,
        &UpgradeTarget::Head,
        &STRICT,
        &mut |event| {
            seen.push(match event {
                Progress::ResumingBatch { batches, rows, .. } => Seen::Resuming { batches, rows },
                Progress::Batch { batches, rows, .. } => Seen::Batch { batches, rows },
                Progress::Batched { batches, rows, .. } => Seen::Batched { batches, rows },
                _ => return,
            })
        },
    )
    .await;
    (result, seen)
}

const ROWS: i64 = 25_000;

/// 25,000 users; a log row per execution of an UPDATE on them (its transaction and timeouts);
/// a row-level trigger that fails on user 12,345 while `fail` has a row.
fn users() -> Revision {
    revision(
        1,
        &[],
        "users",
        &format!(
            "CREATE TABLE users (id int PRIMARY KEY, first_name text NOT NULL, last_name text NOT NULL, touched int NOT NULL DEFAULT 0);
             INSERT INTO users (id, first_name, last_name) SELECT g, 'f' || g, 'l' || g FROM generate_series(1, {ROWS}) g;
             CREATE TABLE batch_log (xact text, lock_timeout text, statement_timeout text);
             CREATE FUNCTION log_batch() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
               INSERT INTO batch_log VALUES (pg_current_xact_id()::text, current_setting('lock_timeout'), current_setting('statement_timeout'));
               RETURN NULL;
             END $$;
             CREATE TRIGGER log_batch AFTER UPDATE ON users FOR EACH STATEMENT EXECUTE FUNCTION log_batch();
             CREATE TABLE fail (x int);
             CREATE FUNCTION fail_on_12345() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
               IF NEW.id = 12345 AND EXISTS (SELECT FROM fail) THEN RAISE EXCEPTION 'user 12345 refused'; END IF;
               RETURN NEW;
             END $$;
             CREATE TRIGGER fail_on_12345 BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION fail_on_12345();"
        ),
        "DROP TABLE users, batch_log, fail; DROP FUNCTION log_batch(), fail_on_12345();",
    )
}

const BACKFILL: &str = "-- hazard: none
ALTER TABLE users ADD COLUMN full_name text;
-- hazard: none
-- batch: lock_timeout=2s statement_timeout=1min
UPDATE users SET full_name = first_name || ' ' || last_name, touched = touched + 1
WHERE ctid = ANY (ARRAY(SELECT ctid FROM users WHERE full_name IS NULL LIMIT 1000));
-- hazard: may-fail-on-existing-rows
ALTER TABLE users ALTER COLUMN full_name SET NOT NULL;";

fn backfill() -> Revision {
    Revision {
        up: Section::new(false, BACKFILL),
        down: Section::new(false, "ALTER TABLE users DROP COLUMN full_name;"),
        ..revision(2, &[1], "backfill full names", "", "")
    }
}

/// (rows, rows touched exactly once, rows with the full name).
async fn touched(client: &Client) -> (i64, i64, i64) {
    let row = client
        .query_one(
            "SELECT count(*), count(*) FILTER (WHERE touched = 1), \
                    count(*) FILTER (WHERE full_name = first_name || ' ' || last_name) FROM users",
            &[],
        )
        .await
        .expect("count");
    (row.get(0), row.get(1), row.get(2))
}

async fn not_null(client: &Client) -> bool {
    client
        .query_one(
            "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'full_name'",
            &[],
        )
        .await
        .expect("column")
        .get(0)
}

/// Each batch commits on its own with the directive's timeouts; every row is updated once; the
/// events count 25 batches of 1,000 rows (the 26th execution, which changes nothing, ends the
/// statement and is not counted).
#[tokio::test]
async fn a_batched_backfill_updates_every_row_once_in_batches_of_its_own() {
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    let dir = dir_with(&[users(), backfill()]);
    let (result, seen) = run(&mut client, &dir).await;
    result.expect("upgrade");
    assert_eq!(touched(&client).await, (ROWS, ROWS, ROWS));
    assert!(not_null(&client).await);
    let expected: Vec<Seen> = (1..=25)
        .map(|n| Seen::Batch {
            batches: n,
            rows: n * 1000,
        })
        .chain([Seen::Batched {
            batches: 25,
            rows: 25_000,
        }])
        .collect();
    assert_eq!(seen, expected);
    // One log row per execution, each in a transaction of its own, with the timeouts.
    let log: Vec<(String, String, String)> = client
        .query(
            "SELECT xact, lock_timeout, statement_timeout FROM batch_log",
            &[],
        )
        .await
        .expect("log")
        .iter()
        .map(|row| (row.get(0), row.get(1), row.get(2)))
        .collect();
    assert_eq!(log.len(), 26);
    let transactions: std::collections::BTreeSet<&String> = log.iter().map(|(x, _, _)| x).collect();
    assert_eq!(transactions.len(), 26);
    assert!(
        log.iter()
            .all(|(_, lock, statement)| lock == "2s" && statement == "1min"),
        "{log:?}"
    );
    // `SET LOCAL`: nothing of it outlives the batches.
    let lock: String = client
        .query_one("SELECT current_setting('lock_timeout')", &[])
        .await
        .expect("setting")
        .get(0);
    assert_eq!(lock, "0");
    let progress: i64 = client
        .query_one("SELECT count(*) FROM autogen_revisions_progress", &[])
        .await
        .expect("progress")
        .get(0);
    assert_eq!(progress, 0, "the progress row goes with the tracking row");
}

/// A batch fails halfway (a trigger refuses user 12,345): the batches before it stay, the
/// progress row counts them, and the re-run says where it resumes, continues with the same
/// statement and ends with the right totals, every row updated exactly once.
#[tokio::test]
async fn a_failed_batched_statement_resumes_with_its_batches_counted() {
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    let dir = dir_with(&[users()]);
    run(&mut client, &dir).await.0.expect("users");
    client
        .batch_execute("INSERT INTO fail VALUES (1)")
        .await
        .expect("arm");
    let dir = dir_with(&[users(), backfill()]);
    let (result, first) = run(&mut client, &dir).await;
    let error = result.expect_err("user 12345 refused").to_string();
    assert!(
        error.contains("user 12345 refused") && error.contains(":11: "),
        "{error}"
    );
    let Some(Seen::Batch { batches, rows }) = first.last().cloned() else {
        panic!("no batch before the failure: {first:?}");
    };
    assert!(
        batches > 0 && batches < 25 && rows == batches * 1000,
        "{first:?}"
    );
    let saved: (i32, i64, i64) = client
        .query_one(
            "SELECT statements_done, batches_done, rows_done FROM autogen_revisions_progress",
            &[],
        )
        .await
        .map(|row| (row.get(0), row.get(1), row.get(2)))
        .expect("progress row");
    assert_eq!(saved, (1, batches as i64, rows as i64));
    let (_, once, _) = touched(&client).await;
    assert_eq!(once, rows as i64, "the failed batch was rolled back");

    client
        .batch_execute("DELETE FROM fail")
        .await
        .expect("disarm");
    let (result, second) = run(&mut client, &dir).await;
    result.expect("resumed");
    assert_eq!(second.first(), Some(&Seen::Resuming { batches, rows }));
    assert_eq!(
        second.last(),
        Some(&Seen::Batched {
            batches: 25,
            rows: 25_000
        })
    );
    assert_eq!(second.len(), 1 + (25 - batches as usize) + 1, "{second:?}");
    assert_eq!(touched(&client).await, (ROWS, ROWS, ROWS));
    assert!(not_null(&client).await);
}

/// A progress table made by an older version (without the batch counters) gets them.
#[tokio::test]
async fn an_older_progress_table_gets_the_batch_columns() {
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    client
        .batch_execute(
            "CREATE TABLE public.autogen_revisions_progress (revision text NOT NULL, direction text NOT NULL, \
             statements_done integer NOT NULL, statements_sha256 text NOT NULL, \
             updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (revision, direction))",
        )
        .await
        .expect("old table");
    let dir = dir_with(&[users(), backfill()]);
    let (result, _) = run(&mut client, &dir).await;
    result.expect("upgrade");
    assert_eq!(touched(&client).await, (ROWS, ROWS, ROWS));
    let columns: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_attribute WHERE attrelid = 'autogen_revisions_progress'::regclass \
             AND attname IN ('batches_done', 'rows_done')",
            &[],
        )
        .await
        .expect("columns")
        .get(0);
    assert_eq!(columns, 2);
}

fn psql(url: &str, script: &str) -> String {
    let psql = autogen_testkit::autogen_pg::find_binaries()
        .map(|binaries| binaries.bindir.join("psql"))
        .expect("PostgreSQL binaries");
    let mut child = std::process::Command::new(psql)
        .args(["-X", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("psql runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .expect("script written");
    let output = child.wait_with_output().expect("psql finishes");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "psql failed:\n{stderr}\n{script}");
    stderr
}

/// `upgrade --sql` renders the batched statement as a DO block that commits batch by batch;
/// psql runs it to the same result, and the runner then finds nothing to do.
#[tokio::test]
async fn the_offline_script_runs_the_batches_under_psql() {
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    let revisions = [
        users(),
        Revision {
            up: Section::new(
                false,
                &BACKFILL.replace("-- batch: ", "-- batch: pause=1ms "),
            ),
            ..backfill()
        },
    ];
    let dir = dir_with(&revisions);
    let graph = load(&dir);
    let script = offline_upgrade_sql(&graph, None, &UpgradeTarget::Head).expect("script");
    assert!(
        script.contains("DO $autogen_batch$")
            && script.contains("COMMIT;")
            && script.contains("set_config('lock_timeout', '2000ms', true)")
            && script.contains("pg_sleep(0.001)"),
        "{script}"
    );
    let notices = psql(&autogen_testkit::url(&database), &script);
    assert!(
        notices.contains("batch 25: 1000 rows (25000 in all)"),
        "{notices}"
    );
    assert!(!notices.contains("batch 26"), "{notices}");
    assert_eq!(touched(&client).await, (ROWS, ROWS, ROWS));
    assert!(not_null(&client).await);
    // 26 executions, each committed on its own, with the lock timeout set in each.
    let log: Vec<(String, String)> = client
        .query("SELECT xact, lock_timeout FROM batch_log", &[])
        .await
        .expect("log")
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    assert_eq!(log.len(), 26);
    assert_eq!(
        log.iter()
            .map(|(x, _)| x)
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        26
    );
    assert!(log.iter().all(|(_, lock)| lock == "2s"), "{log:?}");
    let (result, seen) = run(&mut client, &dir).await;
    assert!(result.expect("runner").is_empty());
    assert!(seen.is_empty());
}

/// `DO` blocks and procedures that commit run in a `transaction:false` section (outside a
/// transaction block, which transaction control needs); a statement refused in a transaction
/// block with 2D000 is run alone as well.
#[tokio::test]
async fn do_blocks_and_procedures_that_commit_run_in_transaction_false_sections() {
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    let section = "CREATE TABLE steps (n int);
CREATE PROCEDURE add_step(n int) LANGUAGE plpgsql AS $$ BEGIN INSERT INTO steps VALUES (n); COMMIT; END $$;
-- a DO block that commits after each step
do $$
BEGIN
  FOR i IN 1..3 LOOP
    INSERT INTO steps VALUES (i);
    COMMIT;
  END LOOP;
END $$;
CALL add_step(4);
/* a comment first */ Call add_step(5);
INSERT INTO steps VALUES (6);";
    let dir = dir_with(&[Revision {
        up: Section::new(false, section),
        down: Section::new(false, "DROP TABLE steps; DROP PROCEDURE add_step(int);"),
        ..revision(1, &[], "commits", "", "")
    }]);
    let (result, _) = run(&mut client, &dir).await;
    result.expect("upgrade");
    let steps: Vec<i32> = client
        .query("SELECT n FROM steps ORDER BY n", &[])
        .await
        .expect("steps")
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(steps, [1, 2, 3, 4, 5, 6]);
}

/// sqlx, Diesel and sea-orm-migration would run a batched statement once: writing one as their
/// migration is refused, and nothing is written.
#[test]
fn other_stacks_cannot_run_a_batched_statement() {
    let revision = backfill();
    for layout in [
        autogen_migrate::Layout::Sqlx,
        autogen_migrate::Layout::Diesel,
        autogen_migrate::Layout::SeaOrm,
    ] {
        let dir = tempfile::tempdir().expect("dir");
        let error =
            autogen_migrate::write_revision(dir.path(), layout, &revision).expect_err("refused");
        let message = error.to_string();
        assert!(
            matches!(error, MigrateError::LayoutCannotBatch { line: 5, .. }),
            "{layout:?}: {message}"
        );
        assert!(message.contains("would run it once"), "{message}");
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("list").count(),
            0,
            "{layout:?}: nothing written"
        );
    }
}
