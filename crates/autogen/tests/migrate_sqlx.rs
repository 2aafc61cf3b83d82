//! The embedded revisions on sqlx (the `sqlx` feature) against real PostgreSQL: a chain with a
//! `transaction:false` section holding a `-- batch:` statement and a concurrent index build,
//! applied on a pool and on a connection, recorded exactly as the tokio-postgres runner records
//! it (each runner sees the other's work as applied), an edited applied revision refused, and
//! concurrent start-ups serialized by the advisory lock.
//!
//! `cargo test -p pg-autogen --features sqlx --test migrate_sqlx`.

use autogen::migrate::sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use autogen::migrate::sqlx::{self, Connection};
use autogen::migrate::{
    EmbeddedMigrations, MigrateError, Progress, RunOptions, UpgradeTarget, applied_revisions,
    applied_revisions_sqlx,
};
use autogen_testkit::autogen_pg::{Client, Host, TempDatabase};
use autogen_testkit::fresh_database;

static BATCHED: EmbeddedMigrations =
    autogen::embed_migrations!("tests/fixtures/migrations_batched");

const ITEMS: &str = "20261201090000";
const LABEL: &str = "20261201091000";
const REQUIRED: &str = "20261201092000";

fn all() -> Vec<String> {
    [ITEMS, LABEL, REQUIRED].map(str::to_owned).to_vec()
}

/// sqlx's options for the test database: the testkit's server listens on a Unix socket, which
/// a URL with an empty host cannot name for sqlx's URL parser, so the socket is given directly.
fn sqlx_options(database: &TempDatabase) -> PgConnectOptions {
    let spec = database.connection();
    match spec.host() {
        Host::Unix(dir) => PgConnectOptions::new()
            .socket(dir)
            .port(spec.port())
            .username(spec.user())
            .database(spec.database()),
        Host::Tcp(_) => autogen_testkit::url(database)
            .parse()
            .expect("sqlx parses the test server's URL"),
    }
}

async fn sqlx_pool(database: &TempDatabase) -> PgPool {
    PgPoolOptions::new()
        .max_connections(2)
        .connect_with(sqlx_options(database))
        .await
        .expect("sqlx pool")
}

/// (revision, checksum) of every revision of the chain, in order.
fn checksums(migrations: &EmbeddedMigrations) -> Vec<(String, String)> {
    migrations
        .graph()
        .expect("graph")
        .ordered()
        .into_iter()
        .map(|file| (file.revision.id.clone(), file.checksum.clone()))
        .collect()
}

/// (revision, checksum) of every tracking row, read through tokio-postgres.
async fn tracked(client: &Client) -> Vec<(String, String)> {
    applied_revisions(client)
        .await
        .expect("tracking rows")
        .into_iter()
        .map(|row| (row.revision, row.checksum))
        .collect()
}

/// What the chain leaves: every item labelled by the batches, the label required, the
/// concurrently built index valid, no progress row left.
async fn assert_chain_applied(client: &Client) {
    let row = client
        .query_one(
            "SELECT count(*), count(*) FILTER (WHERE label = upper(name)) FROM items",
            &[],
        )
        .await
        .expect("count items");
    let (items, labelled): (i64, i64) = (row.get(0), row.get(1));
    assert_eq!((items, labelled), (10, 10));
    let required: bool = client
        .query_one(
            "SELECT attnotnull FROM pg_attribute
             WHERE attrelid = 'public.items'::regclass AND attname = 'label'",
            &[],
        )
        .await
        .expect("label column")
        .get(0);
    assert!(required);
    let valid: bool = client
        .query_one(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.items_label_idx'::regclass",
            &[],
        )
        .await
        .expect("index")
        .get(0);
    assert!(valid);
    let progress: i64 = client
        .query_one("SELECT count(*) FROM autogen_revisions_progress", &[])
        .await
        .expect("progress rows")
        .get(0);
    assert_eq!(progress, 0);
}

#[tokio::test]
async fn a_sqlx_pool_applies_a_batched_transaction_false_chain_once() {
    let database = fresh_database().await;
    let pool = sqlx_pool(&database).await;

    assert_eq!(BATCHED.upgrade_sqlx(&pool).await.expect("upgrade"), all());
    let client = database.connect().await.expect("connect");
    assert_chain_applied(&client).await;
    assert_eq!(tracked(&client).await, checksums(&BATCHED));

    // Up to date: nothing applied twice.
    let again = BATCHED.upgrade_sqlx(&pool).await.expect("second upgrade");
    assert!(again.is_empty(), "{again:?}");
    // The run's connection was closed, not returned with the revision's `SET lock_timeout`.
    let mut connection = pool.acquire().await.expect("acquire");
    let lock_timeout: String = sqlx::query_scalar("SHOW lock_timeout")
        .fetch_one(&mut *connection)
        .await
        .expect("show");
    assert_eq!(lock_timeout, "0");
}

#[tokio::test]
async fn a_sqlx_connection_reports_batches_and_records_what_tokio_postgres_records() {
    let database = fresh_database().await;
    let mut connection = PgConnection::connect_with(&sqlx_options(&database))
        .await
        .expect("sqlx connection");
    let mut events = Vec::new();
    let applied = BATCHED
        .upgrade_with_sqlx_connection(
            &mut connection,
            &UpgradeTarget::Head,
            &RunOptions::default(),
            &mut |event| match event {
                Progress::Batch { batches, rows, .. } => {
                    events.push(format!("batch {batches}: {rows} rows"))
                }
                Progress::Batched { batches, rows, .. } => {
                    events.push(format!("batched {batches}: {rows} rows"))
                }
                _ => {}
            },
        )
        .await
        .expect("upgrade");
    assert_eq!(applied, all());
    // 10 rows, 4 per batch: 3 batches, then one execution that changes nothing.
    assert_eq!(
        events,
        [
            "batch 1: 4 rows",
            "batch 2: 8 rows",
            "batch 3: 10 rows",
            "batched 3: 10 rows"
        ]
    );
    let client = database.connect().await.expect("connect");
    assert_chain_applied(&client).await;
    // The same rows through either driver's reader.
    let through_sqlx: Vec<(String, String)> = applied_revisions_sqlx(&mut connection)
        .await
        .expect("tracking rows through sqlx")
        .into_iter()
        .map(|row| (row.revision, row.checksum))
        .collect();
    assert_eq!(through_sqlx, tracked(&client).await);
    assert_eq!(through_sqlx, checksums(&BATCHED));
}

#[tokio::test]
async fn the_sqlx_and_tokio_postgres_runners_each_see_the_others_work() {
    // sqlx first, then tokio-postgres.
    let database = fresh_database().await;
    let pool = sqlx_pool(&database).await;
    assert_eq!(BATCHED.upgrade_sqlx(&pool).await.expect("sqlx"), all());
    let mut client = database.connect().await.expect("connect");
    let after = BATCHED.upgrade(&mut client).await.expect("tokio-postgres");
    assert!(after.is_empty(), "{after:?}");

    // tokio-postgres first (only the first revision), then sqlx for the rest.
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    let first = BATCHED
        .upgrade_with(
            &mut client,
            &UpgradeTarget::Revision(ITEMS.to_owned()),
            &RunOptions::default(),
            &mut |_| {},
        )
        .await
        .expect("tokio-postgres");
    assert_eq!(first, [ITEMS]);
    let pool = sqlx_pool(&database).await;
    assert_eq!(
        BATCHED.upgrade_sqlx(&pool).await.expect("sqlx"),
        [LABEL, REQUIRED]
    );
    let after = BATCHED.upgrade(&mut client).await.expect("tokio-postgres");
    assert!(after.is_empty(), "{after:?}");
    assert_eq!(tracked(&client).await, checksums(&BATCHED));
    assert_chain_applied(&client).await;
}

#[tokio::test]
async fn sqlx_refuses_a_revision_edited_after_it_was_applied() {
    let database = fresh_database().await;
    let pool = sqlx_pool(&database).await;
    BATCHED.upgrade_sqlx(&pool).await.expect("upgrade");

    // The same chain with the first revision's SQL changed.
    let edited: Vec<(&'static str, &'static str)> = BATCHED
        .files()
        .iter()
        .map(|&(name, text)| {
            if name.starts_with(ITEMS) {
                let changed = text.replace("generate_series(1, 10)", "generate_series(1, 11)");
                assert_ne!(changed, text);
                (name, &*Box::leak(changed.into_boxed_str()))
            } else {
                (name, text)
            }
        })
        .collect();
    let edited = EmbeddedMigrations::new(Box::leak(edited.into_boxed_slice()));
    let error = edited.upgrade_sqlx(&pool).await.expect_err("refused");
    assert!(
        matches!(&error, MigrateError::ChecksumMismatch { revision, .. } if revision == ITEMS),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_sqlx_start_ups_apply_each_revision_exactly_once() {
    let database = fresh_database().await;
    let mut tasks = Vec::new();
    for _ in 0..4 {
        // A pool per task, as separate instances of an application would have.
        let pool = sqlx_pool(&database).await;
        tasks.push(tokio::spawn(
            async move { BATCHED.upgrade_sqlx(&pool).await },
        ));
    }
    let mut applied: Vec<String> = Vec::new();
    for task in tasks {
        applied.extend(task.await.expect("task").expect("upgrade"));
    }
    applied.sort();
    assert_eq!(applied, all(), "every revision applied by exactly one task");
    let client = database.connect().await.expect("connect");
    assert_eq!(tracked(&client).await, checksums(&BATCHED));
    assert_chain_applied(&client).await;
}
