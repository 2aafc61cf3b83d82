//! `embed_migrations!` + `upgrade` against real PostgreSQL, with the revisions of
//! `tests/fixtures/migrations/` compiled in: applied once and recorded, nothing left the second
//! time, exactly once under concurrent start-ups, and interchangeable with the CLI's runner
//! (which loads the same directory from disk).
//!
//! Needs the `migrate` feature (`required-features` in Cargo.toml); `cargo test --workspace`
//! has it through the example project, otherwise `cargo test -p autogen --features migrate`.

use std::path::Path;

use autogen::migrate::{
    EmbeddedMigrations, MigrateError, Progress, RevisionGraph, RunOptions, UpgradeTarget,
    applied_revisions,
};
use autogen_testkit::autogen_pg::Client;
use autogen_testkit::fresh_database;

/// A constant expression, so it can live in a `static`.
static MIGRATIONS: EmbeddedMigrations = autogen::embed_migrations!("tests/fixtures/migrations");

const USERS: &str = "20261121103000";
const POSTS: &str = "20261121104500";
const PHONE: &str = "20261122090000";

fn fixture_dir() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/migrations"
    ))
}

fn all() -> Vec<String> {
    [USERS, POSTS, PHONE].map(str::to_owned).to_vec()
}

/// (revision, checksum) of every tracking row, in applied order.
async fn tracked(client: &Client) -> Vec<(String, String)> {
    applied_revisions(client)
        .await
        .expect("tracking rows")
        .into_iter()
        .map(|row| (row.revision, row.checksum))
        .collect()
}

/// (revision, checksum) of every revision of `graph`, in order.
fn checksums(graph: &RevisionGraph) -> Vec<(String, String)> {
    graph
        .ordered()
        .into_iter()
        .map(|file| (file.revision.id.clone(), file.checksum.clone()))
        .collect()
}

/// `table.column` of every column in `public` except the tracking table's.
async fn columns(client: &Client) -> Vec<String> {
    client
        .query(
            "SELECT table_name || '.' || column_name FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name <> 'autogen_revisions'
             ORDER BY table_name, ordinal_position",
            &[],
        )
        .await
        .expect("list columns")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

#[test]
fn the_macro_embeds_every_sql_file_in_name_order() {
    let names: Vec<&str> = MIGRATIONS.files().iter().map(|(name, _)| *name).collect();
    assert_eq!(
        names,
        [
            "20261121103000_create_users.sql",
            "20261121104500_create_posts.sql",
            "20261122090000_add_phone_to_users.sql",
        ]
    );
    for (name, text) in MIGRATIONS.files() {
        let on_disk = std::fs::read_to_string(fixture_dir().join(name)).expect("read fixture");
        assert_eq!(*text, on_disk, "{name}");
    }
}

#[tokio::test]
async fn upgrade_applies_pending_revisions_once_and_records_them() {
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");

    let applied = MIGRATIONS.upgrade(&mut client).await.expect("upgrade");
    assert_eq!(applied, all());
    assert_eq!(
        columns(&client).await,
        [
            "posts.id",
            "posts.author_id",
            "posts.title",
            "users.id",
            "users.name",
            "users.phone",
        ]
    );
    let graph = MIGRATIONS.graph().expect("graph");
    assert_eq!(tracked(&client).await, checksums(&graph));

    // Up to date: nothing to apply, nothing recorded twice.
    let again = MIGRATIONS
        .upgrade(&mut client)
        .await
        .expect("second upgrade");
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(tracked(&client).await, checksums(&graph));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_start_ups_apply_each_revision_exactly_once() {
    let database = fresh_database().await;
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let mut client = database.connect().await.expect("connect");
        tasks.push(tokio::spawn(async move {
            // The macro as an expression, inside a spawned (so `Send`) future.
            autogen::embed_migrations!("tests/fixtures/migrations")
                .upgrade(&mut client)
                .await
        }));
    }
    let mut applied: Vec<String> = Vec::new();
    for task in tasks {
        applied.extend(task.await.expect("task").expect("upgrade"));
    }
    applied.sort();
    assert_eq!(applied, all(), "every revision applied by exactly one task");

    let client = database.connect().await.expect("connect");
    let graph = MIGRATIONS.graph().expect("graph");
    assert_eq!(tracked(&client).await, checksums(&graph));
    let phone: i64 = client
        .query_one(
            "SELECT count(*) FROM information_schema.columns
             WHERE table_name = 'users' AND column_name = 'phone'",
            &[],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(phone, 1);
}

#[tokio::test]
async fn the_cli_runner_and_the_embedded_revisions_agree() {
    let strict = RunOptions {
        ignore_checksums: false,
    };
    let loaded = RevisionGraph::load(fixture_dir()).expect("load the directory");
    let embedded = MIGRATIONS.graph().expect("embedded graph");
    assert_eq!(checksums(&loaded), checksums(&embedded));

    // Applied by the application, then `autogen upgrade` (the directory from disk).
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    assert_eq!(
        MIGRATIONS.upgrade(&mut client).await.expect("embedded"),
        all()
    );
    let cli = autogen::migrate::upgrade(
        &mut client,
        &loaded,
        &UpgradeTarget::Head,
        &strict,
        &mut |_| {},
    )
    .await
    .expect("the CLI's runner accepts what the application applied");
    assert!(cli.is_empty(), "{cli:?}");

    // Applied by `autogen upgrade`, then the application.
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    let cli = autogen::migrate::upgrade(
        &mut client,
        &loaded,
        &UpgradeTarget::Head,
        &strict,
        &mut |_| {},
    )
    .await
    .expect("CLI runner");
    assert_eq!(cli, all());
    let app = MIGRATIONS
        .upgrade(&mut client)
        .await
        .expect("the application accepts what the CLI applied");
    assert!(app.is_empty(), "{app:?}");
    assert_eq!(tracked(&client).await, checksums(&loaded));
}

#[tokio::test]
async fn upgrade_with_a_target_and_progress() {
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    let mut events = Vec::new();
    let applied = MIGRATIONS
        .upgrade_with(
            &mut client,
            &UpgradeTarget::Revision(POSTS.to_owned()),
            &RunOptions::default(),
            &mut |event| {
                events.push(match event {
                    Progress::Applying(file) => format!("applying {}", file.path.display()),
                    Progress::Applied { revision, .. } => {
                        format!("applied {}", revision.path.display())
                    }
                    other => panic!("unexpected {other:?}"),
                })
            },
        )
        .await
        .expect("upgrade to posts");
    assert_eq!(applied, [USERS, POSTS]);
    assert_eq!(
        events,
        [
            "applying 20261121103000_create_users.sql",
            "applied 20261121103000_create_users.sql",
            "applying 20261121104500_create_posts.sql",
            "applied 20261121104500_create_posts.sql",
        ]
    );
    assert_eq!(
        MIGRATIONS.upgrade(&mut client).await.expect("the rest"),
        [PHONE]
    );
}

#[tokio::test]
async fn a_database_ahead_of_the_embedded_revisions_is_refused() {
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    MIGRATIONS.upgrade(&mut client).await.expect("upgrade");
    // An older build of the application: it lacks the last revision.
    static OLDER: EmbeddedMigrations = EmbeddedMigrations::new(&[
        (
            "20261121103000_create_users.sql",
            include_str!("fixtures/migrations/20261121103000_create_users.sql"),
        ),
        (
            "20261121104500_create_posts.sql",
            include_str!("fixtures/migrations/20261121104500_create_posts.sql"),
        ),
    ]);
    let error = OLDER.upgrade(&mut client).await.expect_err("refused");
    assert!(
        matches!(&error, MigrateError::UnknownApplied { revision } if revision == PHONE),
        "{error}"
    );
}

/// Runners waiting for the lock while its holder builds an index concurrently: the waiters
/// poll the lock instead of blocking in a `SELECT` (which holds a snapshot the build would wait
/// for: a deadlock PostgreSQL cancels).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_start_ups_wait_out_a_concurrent_index_build() {
    static BATCHED: EmbeddedMigrations =
        autogen::embed_migrations!("tests/fixtures/migrations_batched");
    let database = fresh_database().await;
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let mut client = database.connect().await.expect("connect");
        tasks.push(tokio::spawn(
            async move { BATCHED.upgrade(&mut client).await },
        ));
    }
    let mut applied: Vec<String> = Vec::new();
    for task in tasks {
        applied.extend(task.await.expect("task").expect("upgrade"));
    }
    applied.sort();
    assert_eq!(
        applied,
        ["20261201090000", "20261201091000", "20261201092000"]
    );
    let client = database.connect().await.expect("connect");
    assert_eq!(
        tracked(&client).await,
        checksums(&BATCHED.graph().expect("graph"))
    );
}

/// `autogen::connect` takes the libpq-style URL the CLI takes (here a Unix socket as
/// `?host=/dir`) and gives a client the embedded revisions run on.
#[tokio::test]
async fn connect_gives_a_client_the_revisions_run_on() {
    let database = fresh_database().await;
    let mut client = autogen::connect(&autogen_testkit::url(&database))
        .await
        .expect("connect");
    assert_eq!(
        MIGRATIONS.upgrade(&mut client).await.expect("upgrade"),
        all()
    );
    assert_eq!(
        tracked(&client).await,
        checksums(&MIGRATIONS.graph().expect("graph"))
    );
}

/// A failed connect is a one-line error naming the target, without the password.
#[tokio::test]
async fn connect_errors_name_the_target_but_never_the_password() {
    // Nothing listens on port 1 of the loopback address.
    let error = autogen::connect("postgres://app:s3cret-pw@127.0.0.1:1/app?sslmode=disable")
        .await
        .expect_err("refused");
    let message = error.to_string();
    assert!(message.contains("127.0.0.1:1"), "{message}");
    assert!(!message.contains("s3cret-pw"), "{message}");
    let error = autogen::connect("mysql://localhost/app")
        .await
        .expect_err("not a PostgreSQL URL");
    assert!(error.to_string().contains("postgres://"), "{error}");
}
