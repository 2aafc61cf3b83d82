//! Watching the locks of an `autogen upgrade` while traffic goes on in its tables.
//!
//! A full-table `VALIDATE CONSTRAINT` on a test table is over in milliseconds, far too fast to
//! be sampled reliably, so an event trigger stretches the statements deterministically: at the
//! end of every `ALTER TABLE` of `accounts` (inside its transaction, holding its locks, as a
//! long scan would) it waits until the sampler took a consistent sample of the upgrading
//! backend's locks; at the end of a `VALIDATE CONSTRAINT`, also until the writer committed a row
//! to the table and the reader read the table. Nothing depends on how long anything takes. A
//! statement that blocks the traffic (its transaction holding a strong lock) would wait forever:
//! it is let go after 30 s, and the row a VALIDATE leaves in `probe.validations` says what did
//! not happen during it. Each statement also leaves the `lock_timeout` it ran under in
//! `probe.steps`.

use autogen_testkit::autogen_pg::tokio_postgres::SimpleQueryMessage;
use autogen_testkit::autogen_pg::{Client, ConnectionSpec};
use std::collections::HashSet;
use std::time::Duration;
use tokio::sync::watch;

/// The upgrading backend's `application_name` (`PGAPPNAME` of the `autogen upgrade` process).
pub const UPGRADER: &str = "autogen-upgrade-under-watch";

/// The event trigger and its bookkeeping (superuser only: event triggers need it). Dropped by
/// [`REMOVE_PROBE`] so that `autogen check` sees the schema the revisions made.
pub const INSTALL_PROBE: &str = r#"
CREATE SCHEMA probe;
CREATE TABLE probe.marks (query text NOT NULL, who text NOT NULL);
CREATE TABLE probe.steps (query text NOT NULL, lock_timeout text NOT NULL);
CREATE TABLE probe.validations (
    query text NOT NULL,
    written boolean NOT NULL,
    read boolean NOT NULL,
    sampled boolean NOT NULL
);
CREATE FUNCTION probe.hold_alter() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE
    statement text := current_query();
    validating boolean := position('VALIDATE CONSTRAINT' IN statement) > 0;
    written boolean := false;
    was_read boolean := false;
    sampled boolean := false;
BEGIN
    IF position('ALTER TABLE "public"."accounts"' IN statement) = 0 THEN
        RETURN;
    END IF;
    -- Each query here takes a new snapshot (READ COMMITTED): it sees what others committed.
    FOR attempt IN 1..600 LOOP
        sampled := EXISTS (SELECT FROM probe.marks WHERE query = statement AND who = 'sampler');
        IF validating THEN
            written := EXISTS (SELECT FROM public.accounts WHERE email = 'during: ' || statement);
            was_read := EXISTS (SELECT FROM probe.marks WHERE query = statement AND who = 'reader');
        END IF;
        EXIT WHEN sampled AND (NOT validating OR (written AND was_read));
        PERFORM pg_sleep(0.05);
    END LOOP;
    IF validating THEN
        INSERT INTO probe.validations VALUES (statement, written, was_read, sampled);
    END IF;
    INSERT INTO probe.steps VALUES (statement, current_setting('lock_timeout'));
END
$$;
CREATE EVENT TRIGGER hold_alter ON ddl_command_end EXECUTE FUNCTION probe.hold_alter();
"#;

/// Forgets what the probe saw (its marks are keyed by the statement's text, which a second run
/// repeats) and stops it, for a run nobody watches.
pub const PAUSE_PROBE: &str = "TRUNCATE probe.marks, probe.validations, probe.steps; \
     DELETE FROM accounts WHERE email LIKE 'during: %'; \
     ALTER EVENT TRIGGER hold_alter DISABLE;";

pub const RESUME_PROBE: &str = "ALTER EVENT TRIGGER hold_alter ENABLE;";

pub const REMOVE_PROBE: &str = "DROP EVENT TRIGGER hold_alter; DROP SCHEMA probe CASCADE;";

/// Locks that conflict with the `ROW EXCLUSIVE` lock of an `INSERT`/`UPDATE`: held on a table,
/// they stop its writes.
pub const BLOCKS_WRITES: [&str; 4] = [
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
];

/// One relation lock of the upgrading backend on `accounts` or `owners`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lock {
    pub relation: String,
    pub mode: String,
    pub granted: bool,
}

/// The upgrading backend's statement and its locks, read between two identical readings of
/// its activity (same statement, same start, same transaction), so the locks belong to it.
#[derive(Debug, Clone)]
pub struct Sample {
    pub state: String,
    pub query: String,
    /// Start of the backend's transaction; `None` outside one.
    pub transaction: Option<String>,
    /// `PgSleep`: in the probe's trigger, at the end of the statement, its locks all taken.
    pub wait_event: Option<String>,
    pub locks: Vec<Lock>,
}

impl Sample {
    pub fn validating(&self) -> bool {
        self.state == "active" && is_validate(&self.query)
    }

    pub fn holds(&self, relation: &str, mode: &str) -> bool {
        self.locks
            .iter()
            .any(|lock| lock.granted && lock.relation == relation && lock.mode == mode)
    }
}

pub fn is_validate(sql: &str) -> bool {
    sql.contains("VALIDATE CONSTRAINT")
}

/// What the three connections saw while the upgrade ran.
#[derive(Debug)]
pub struct Observed {
    pub samples: Vec<Sample>,
    /// Short write transactions committed (an insert and an update each), markers not counted.
    pub writes: usize,
    pub reads: usize,
}

pub async fn connect(url: &str) -> Client {
    ConnectionSpec::parse(url)
        .expect("url")
        .connect()
        .await
        .expect("connect")
}

/// The rows of a simple query, every column as text (`None` for NULL).
pub async fn rows(client: &Client, sql: &str) -> Vec<Vec<Option<String>>> {
    client
        .simple_query(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .iter()
        .filter_map(|message| match message {
            SimpleQueryMessage::Row(row) => Some(
                (0..row.len())
                    .map(|i| row.get(i).map(str::to_string))
                    .collect(),
            ),
            _ => None,
        })
        .collect()
}

/// The backend whose `application_name` is [`UPGRADER`], once it has connected; `None` when
/// `finished` says the process is gone first.
pub async fn upgrader_pid(client: &Client, mut finished: impl FnMut() -> bool) -> Option<i32> {
    let sql = format!("SELECT pid FROM pg_stat_activity WHERE application_name = '{UPGRADER}'");
    loop {
        if let Some(pid) = rows(client, &sql)
            .await
            .first()
            .and_then(|row| row[0].clone())
        {
            return Some(pid.parse().expect("a pid"));
        }
        if finished() {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The `VALIDATE CONSTRAINT` statement the backend is executing, if it is executing one.
async fn validating(client: &Client, pid: i32) -> Option<String> {
    let sql = format!(
        "SELECT query FROM pg_stat_activity WHERE pid = {pid} AND state = 'active' \
         AND position('VALIDATE CONSTRAINT' IN query) > 0"
    );
    rows(client, &sql)
        .await
        .into_iter()
        .next()
        .and_then(|mut row| row.remove(0))
}

async fn mark(client: &Client, statement: &str, who: &str) {
    client
        .execute(
            "INSERT INTO probe.marks (query, who) VALUES ($1, $2)",
            &[&statement, &who],
        )
        .await
        .expect("mark");
}

/// Samples the backend's activity and locks until `stop`; marks each `ALTER TABLE` sampled.
pub async fn sample(client: Client, pid: i32, stop: watch::Receiver<bool>) -> Vec<Sample> {
    // Separate statements, so each reads a fresh activity snapshot (PostgreSQL keeps one per
    // transaction).
    let activity = format!(
        "SELECT state, query, query_start::text, xact_start::text, wait_event \
         FROM pg_stat_activity WHERE pid = {pid}"
    );
    let locks = format!(
        "SELECT relation::regclass::text, mode, granted::text FROM pg_locks \
         WHERE pid = {pid} AND locktype = 'relation' \
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
         AND relation IN ('public.accounts'::regclass, 'public.owners'::regclass)"
    );
    let mut samples = Vec::new();
    let mut marked = HashSet::new();
    while !*stop.borrow() {
        let before = rows(&client, &activity).await;
        let held = rows(&client, &locks).await;
        let after = rows(&client, &activity).await;
        if let (Some(row), true) = (before.first(), before == after) {
            let text = |i: usize| row[i].clone().unwrap_or_default();
            let sample = Sample {
                state: text(0),
                query: text(1),
                transaction: row[3].clone(),
                wait_event: row[4].clone(),
                locks: held
                    .iter()
                    .map(|lock| Lock {
                        relation: lock[0].clone().unwrap_or_default(),
                        mode: lock[1].clone().unwrap_or_default(),
                        granted: lock[2].as_deref() == Some("true"),
                    })
                    .collect(),
            };
            // Marked once seen at the end of the statement, where its locks are all taken
            // (before, it may still wait for one).
            if sample.state == "active"
                && sample.wait_event.as_deref() == Some("PgSleep")
                && sample.query.contains("ALTER TABLE")
                && marked.insert(sample.query.clone())
            {
                mark(&client, &sample.query, "sampler").await;
            }
            samples.push(sample);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    samples
}

/// Short write transactions until `stop`; during each VALIDATE, one row that says so.
pub async fn write(client: Client, pid: i32, stop: watch::Receiver<bool>) -> usize {
    let mut marked = HashSet::new();
    let mut writes = 0;
    // Above the table's rows and those of an earlier watch.
    let mut next_id: i64 = rows(&client, "SELECT greatest(1000000, max(id)) FROM accounts").await
        [0][0]
        .as_deref()
        .and_then(|id| id.parse().ok())
        .expect("an id");
    while !*stop.borrow() {
        if let Some(statement) = validating(&client, pid).await
            && marked.insert(statement.clone())
        {
            next_id += 1;
            client
                .execute(
                    "INSERT INTO accounts (id, owner_id, email, age) VALUES ($1, 1, $2, 1)",
                    &[&next_id, &format!("during: {statement}")],
                )
                .await
                .expect("the marker row");
        }
        next_id += 1;
        client
            .batch_execute(&format!(
                "BEGIN;
                 INSERT INTO accounts (id, owner_id, email, age) VALUES ({next_id}, 2, 'w{next_id}@x', 3);
                 UPDATE accounts SET age = age + 1 WHERE id = {};
                 COMMIT;",
                1 + next_id % 1000
            ))
            .await
            .expect("a write");
        writes += 1;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    writes
}

/// Reads until `stop`; during each VALIDATE, a whole-table read and a mark that it happened.
pub async fn read(client: Client, pid: i32, stop: watch::Receiver<bool>) -> usize {
    let mut marked = HashSet::new();
    let mut reads = 0;
    let mut id = 0;
    while !*stop.borrow() {
        if let Some(statement) = validating(&client, pid).await
            && marked.insert(statement.clone())
        {
            rows(&client, "SELECT count(*) FROM accounts").await;
            mark(&client, &statement, "reader").await;
        }
        id = id % 1000 + 1;
        rows(
            &client,
            &format!("SELECT email FROM accounts WHERE id = {id}"),
        )
        .await;
        reads += 1;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    reads
}

/// Runs the sampler, the writer and the reader against the upgrading backend until `finished`
/// says the upgrade process is done.
pub async fn observe(url: &str, mut finished: impl FnMut() -> bool) -> Observed {
    let watcher = connect(url).await;
    let Some(pid) = upgrader_pid(&watcher, &mut finished).await else {
        panic!("the upgrade finished before its connection was seen");
    };
    let (stop_tx, stop) = watch::channel(false);
    let sampler = tokio::spawn(sample(connect(url).await, pid, stop.clone()));
    let writer = tokio::spawn(write(connect(url).await, pid, stop.clone()));
    let reader = tokio::spawn(read(connect(url).await, pid, stop));
    while !finished() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop_tx.send(true).expect("stop");
    Observed {
        samples: sampler.await.expect("sampler"),
        writes: writer.await.expect("writer"),
        reads: reader.await.expect("reader"),
    }
}
