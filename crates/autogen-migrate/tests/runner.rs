//! The runner against real PostgreSQL: order, tracking rows, rollback of a failed revision,
//! checksums, stamping, `transaction:false`, and concurrent runners.

mod common;

use std::sync::Arc;

use autogen_introspect::{InspectOptions, inspect};
use autogen_migrate::{
    ADVISORY_LOCK_KEY, AppliedRevision, DowngradeTarget, MigrateError, Progress, Revision,
    RevisionGraph, RevisionPhase, RunOptions, Section, UpgradeTarget, applied_revisions, downgrade,
    offline_downgrade_sql, offline_upgrade_sql, split_statements, stamp, upgrade, upgrade_phase,
};
use autogen_pg::Client;
use autogen_testkit::fresh_database;
use common::*;

const STRICT: RunOptions = RunOptions {
    ignore_checksums: false,
};

async fn run_upgrade(
    client: &mut Client,
    graph: &RevisionGraph,
    target: UpgradeTarget,
) -> Result<Vec<String>, MigrateError> {
    upgrade(client, graph, &target, &STRICT, &mut |_| {}).await
}

async fn run_downgrade(
    client: &mut Client,
    graph: &RevisionGraph,
    target: DowngradeTarget,
) -> Result<Vec<String>, MigrateError> {
    downgrade(client, graph, &target, &STRICT, &mut |_| {}).await
}

async fn rows(client: &Client) -> Vec<AppliedRevision> {
    applied_revisions(client).await.expect("tracking rows")
}

/// (revision, checksum) of every tracking row, in applied order.
async fn tracked(client: &Client) -> Vec<(String, String)> {
    rows(client)
        .await
        .into_iter()
        .map(|row| (row.revision, row.checksum))
        .collect()
}

fn expected_rows(graph: &RevisionGraph, ns: &[u32]) -> Vec<(String, String)> {
    ns.iter()
        .map(|&n| {
            let file = graph.get(&id(n)).expect("revision in graph");
            (file.revision.id.clone(), file.checksum.clone())
        })
        .collect()
}

/// Relations in `public`, by name, except the tracking and progress tables.
async fn relations(client: &Client) -> Vec<String> {
    client
        .query(
            "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relname NOT LIKE 'autogen\\_revisions%'
             ORDER BY 1",
            &[],
        )
        .await
        .expect("list relations")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

async fn lock_is_free(client: &Client) -> bool {
    let free: bool = client
        .query_one("SELECT pg_try_advisory_lock($1)", &[&ADVISORY_LOCK_KEY])
        .await
        .expect("try lock")
        .get(0);
    if free {
        client
            .execute("SELECT pg_advisory_unlock($1)", &[&ADVISORY_LOCK_KEY])
            .await
            .expect("unlock");
    }
    free
}

/// The file line holding `needle`.
fn line_of(path: &std::path::Path, needle: &str) -> usize {
    std::fs::read_to_string(path)
        .expect("read revision")
        .lines()
        .position(|line| line.contains(needle))
        .map(|index| index + 1)
        .expect("needle in file")
}

/// users <- posts (FK to users) <- a column on posts: applying out of order would fail.
fn blog() -> Vec<Revision> {
    vec![
        revision(
            1,
            &[],
            "users",
            "CREATE TABLE users (id bigint PRIMARY KEY);",
            "DROP TABLE users;",
        ),
        revision(
            2,
            &[1],
            "posts",
            "CREATE TABLE posts (id bigint PRIMARY KEY, author bigint REFERENCES users (id));",
            "DROP TABLE posts;",
        ),
        revision(
            3,
            &[2],
            "title",
            "-- hazard: none\nALTER TABLE posts ADD COLUMN title text;",
            "-- hazard: data-loss\nALTER TABLE posts DROP COLUMN title;",
        ),
    ]
}

#[tokio::test]
async fn upgrade_head_applies_in_order_and_records_each_revision() {
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    let dir = dir_with(&blog());
    let graph = load(&dir);
    // No tracking table yet: nothing applied, and reading does not create it.
    assert!(rows(&client).await.is_empty());
    assert!(relations(&client).await.is_empty());

    let mut events = Vec::new();
    let applied = upgrade(
        &mut client,
        &graph,
        &UpgradeTarget::Head,
        &STRICT,
        &mut |event| {
            events.push(match event {
                Progress::Applying(file) => format!("applying {}", file.revision.id),
                Progress::Applied { revision, .. } => format!("applied {}", revision.revision.id),
                other => panic!("unexpected {other:?}"),
            })
        },
    )
    .await
    .expect("upgrade");
    assert_eq!(applied, id_list(&[1, 2, 3]));
    let expected_events: Vec<String> = [1, 2, 3]
        .iter()
        .flat_map(|&n| [format!("applying {}", id(n)), format!("applied {}", id(n))])
        .collect();
    assert_eq!(events, expected_events);

    assert_eq!(tracked(&client).await, expected_rows(&graph, &[1, 2, 3]));
    for row in rows(&client).await {
        assert!(row.duration_ms >= 0);
        assert_eq!(row.applied_at.len(), 20, "{}", row.applied_at);
        assert!(row.applied_at.ends_with('Z'), "{}", row.applied_at);
    }
    let title: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.posts'::regclass AND attname = 'title'",
            &[],
        )
        .await
        .expect("column")
        .get(0);
    assert_eq!(title, 1);

    // Nothing left to do.
    assert!(
        run_upgrade(&mut client, &graph, UpgradeTarget::Head)
            .await
            .expect("second upgrade")
            .is_empty()
    );
    assert!(lock_is_free(&client).await);
}

#[tokio::test]
async fn downgrade_one_then_to_base() {
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    let graph = load(&dir_with(&blog()));
    run_upgrade(&mut client, &graph, UpgradeTarget::Head)
        .await
        .expect("upgrade");

    let mut events = Vec::new();
    let reverted = downgrade(
        &mut client,
        &graph,
        &DowngradeTarget::Relative(1),
        &STRICT,
        &mut |event| {
            events.push(match event {
                Progress::Reverting(file) => format!("reverting {}", file.revision.id),
                Progress::Reverted { revision, .. } => {
                    format!("reverted {}", revision.revision.id)
                }
                other => panic!("unexpected {other:?}"),
            })
        },
    )
    .await
    .expect("downgrade -1");
    assert_eq!(reverted, id_list(&[3]));
    assert_eq!(
        events,
        [
            format!("reverting {}", id(3)),
            format!("reverted {}", id(3))
        ]
    );
    assert_eq!(tracked(&client).await, expected_rows(&graph, &[1, 2]));

    let reverted = run_downgrade(&mut client, &graph, DowngradeTarget::Base)
        .await
        .expect("downgrade base");
    assert_eq!(reverted, id_list(&[2, 1]));
    assert!(tracked(&client).await.is_empty());
    assert!(relations(&client).await.is_empty());
    assert!(lock_is_free(&client).await);

    // And back up to a given revision.
    let applied = run_upgrade(&mut client, &graph, UpgradeTarget::Revision(id(2)))
        .await
        .expect("upgrade to 2");
    assert_eq!(applied, id_list(&[1, 2]));
    assert_eq!(
        relations(&client).await,
        ["posts", "posts_pkey", "users", "users_pkey"]
    );
}

#[tokio::test]
async fn a_failing_revision_leaves_the_database_exactly_as_after_the_previous_one() {
    let revisions = vec![
        revision(
            1,
            &[],
            "accounts",
            "CREATE TABLE accounts (id int PRIMARY KEY);\nINSERT INTO accounts VALUES (1), (2);",
            "DROP TABLE accounts;",
        ),
        revision(
            2,
            &[1],
            "breaks halfway",
            "-- hazard: none\nCREATE TABLE ledger (id int);\nALTER TABLE accounts ADD COLUMN balance int;\nUPDATE accounts SET balance = 0;\n\nINSERT INTO no_such_table\n  VALUES (1);\nCREATE INDEX ON ledger (id);",
            "DROP TABLE ledger;\nALTER TABLE accounts DROP COLUMN balance;",
        ),
        revision(
            3,
            &[2],
            "never reached",
            "CREATE TABLE later (id int);",
            "DROP TABLE later;",
        ),
    ];
    let dir = dir_with(&revisions);
    let graph = load(&dir);

    let failing = fresh_database().await;
    let mut client = failing.connect().await.expect("connect");
    let error = run_upgrade(&mut client, &graph, UpgradeTarget::Head)
        .await
        .expect_err("revision 2 fails");
    let path = graph.get(&id(2)).expect("revision 2").path.clone();
    let line = line_of(&path, "INSERT INTO no_such_table");
    match &error {
        MigrateError::StatementFailed {
            path: at,
            line: at_line,
            revision,
            statement,
            message,
        } => {
            assert_eq!(at, &path);
            assert_eq!(*at_line, line);
            assert_eq!(revision, &id(2));
            assert_eq!(statement, "INSERT INTO no_such_table\n  VALUES (1);");
            assert!(message.contains("no_such_table"), "{message}");
        }
        other => panic!("expected StatementFailed, got {other:?}"),
    }
    let text = error.to_string();
    assert!(
        text.starts_with(&format!("{}:{line}: revision {}", path.display(), id(2))),
        "{text}"
    );
    assert!(!text.contains('\n'), "{text}");
    assert!(lock_is_free(&client).await);

    // The same directory applied only up to revision 1, on another database.
    let reference = fresh_database().await;
    let mut reference_client = reference.connect().await.expect("connect");
    run_upgrade(
        &mut reference_client,
        &graph,
        UpgradeTarget::Revision(id(1)),
    )
    .await
    .expect("upgrade to 1");

    let options = InspectOptions::default();
    let after_failure = inspect(&mut client, &options).await.expect("inspect");
    let after_one = inspect(&mut reference_client, &options)
        .await
        .expect("inspect");
    assert_eq!(after_failure.catalog, after_one.catalog);
    assert_eq!(tracked(&client).await, expected_rows(&graph, &[1]));
    assert_eq!(tracked(&client).await, tracked(&reference_client).await);
    let accounts: i64 = client
        .query_one("SELECT count(*) FROM accounts", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(accounts, 2);
}

#[tokio::test]
async fn an_edited_applied_revision_is_refused_unless_checksums_are_ignored() {
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    let dir = dir_with(&chain(2));
    run_upgrade(&mut client, &load(&dir), UpgradeTarget::Head)
        .await
        .expect("upgrade");

    // A reworded message is not an edit of what runs.
    let first = load(&dir).get(&id(1)).expect("revision 1").clone();
    let mut reworded = first.revision.clone();
    reworded.message = "step one, reworded".into();
    std::fs::write(&first.path, reworded.render()).expect("rewrite");
    let graph = load(&dir);
    assert!(
        run_upgrade(&mut client, &graph, UpgradeTarget::Head)
            .await
            .expect("message edits are fine")
            .is_empty()
    );

    // Editing the SQL is.
    let mut edited = reworded.clone();
    edited.up = Section::new(true, "CREATE TABLE t1 (id bigint);");
    std::fs::write(&first.path, edited.render()).expect("rewrite");
    write_raw(
        dir.path(),
        &revision(3, &[2], "step 3", "CREATE TABLE t3 ();", "DROP TABLE t3;").file_name(),
        &revision(3, &[2], "step 3", "CREATE TABLE t3 ();", "DROP TABLE t3;").render(),
    );
    let graph = load(&dir);
    let refused = run_upgrade(&mut client, &graph, UpgradeTarget::Head)
        .await
        .expect_err("edited revision");
    match &refused {
        MigrateError::ChecksumMismatch { revision, path } => {
            assert_eq!(revision, &id(1));
            assert_eq!(path, &first.path);
        }
        other => panic!("expected ChecksumMismatch, got {other:?}"),
    }
    let text = refused.to_string();
    assert!(
        text.starts_with(&format!("{}: ", first.path.display())),
        "{text}"
    );
    assert!(text.contains("--ignore-checksums"), "{text}");
    assert!(matches!(
        run_downgrade(&mut client, &graph, DowngradeTarget::Base).await,
        Err(MigrateError::ChecksumMismatch { .. })
    ));
    // Nothing ran.
    assert_eq!(tracked(&client).await.len(), 2);
    assert!(!relations(&client).await.contains(&"t3".to_owned()));
    assert!(lock_is_free(&client).await);

    let applied = upgrade(
        &mut client,
        &graph,
        &UpgradeTarget::Head,
        &RunOptions {
            ignore_checksums: true,
        },
        &mut |_| {},
    )
    .await
    .expect("ignored");
    assert_eq!(applied, id_list(&[3]));
}

/// A revision granting to (or writing a policy for) a role the server lacks is refused before
/// anything runs, naming the role; a role a revision creates itself is not asked for.
#[tokio::test]
async fn revisions_naming_a_role_the_server_lacks_are_refused_before_running() {
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    let missing = format!("nobody_has_{}", std::process::id());
    let created = format!("made_here_{}", std::process::id());
    let graph = load(&dir_with(&[
        revision(
            1,
            &[],
            "accounts",
            "CREATE TABLE accounts (id bigint PRIMARY KEY, owner text);",
            "DROP TABLE accounts;",
        ),
        revision(
            2,
            &[1],
            "policy",
            &format!(
                "CREATE POLICY mine ON accounts TO {missing} USING (owner = current_user);\n\
                 CREATE ROLE {created} NOLOGIN;\nGRANT SELECT ON accounts TO {created};"
            ),
            &format!(
                "REVOKE SELECT ON accounts FROM {created};\nDROP ROLE {created};\nDROP POLICY mine ON accounts;"
            ),
        ),
    ]));
    match run_upgrade(&mut client, &graph, UpgradeTarget::Head).await {
        Err(error @ MigrateError::MissingRoles { .. }) => {
            let text = error.to_string();
            assert!(text.contains(&missing), "{text}");
            assert!(!text.contains(&created), "{text}");
        }
        other => panic!("expected MissingRoles, got {other:?}"),
    }
    assert!(tracked(&client).await.is_empty(), "nothing ran");
    assert!(relations(&client).await.is_empty(), "nothing ran");
    assert!(lock_is_free(&client).await);
    client
        .batch_execute(&format!("CREATE ROLE {missing} NOLOGIN"))
        .await
        .expect("create role");
    run_upgrade(&mut client, &graph, UpgradeTarget::Head)
        .await
        .expect("upgrade once the role exists");
    run_downgrade(&mut client, &graph, DowngradeTarget::Base)
        .await
        .expect("downgrade");
    client
        .batch_execute(&format!("DROP ROLE {missing}"))
        .await
        .expect("drop role");
}

#[tokio::test]
async fn a_database_revision_missing_from_the_directory_is_refused() {
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    run_upgrade(
        &mut client,
        &load(&dir_with(&chain(2))),
        UpgradeTarget::Head,
    )
    .await
    .expect("upgrade");
    let older = load(&dir_with(&chain(1)));
    for result in [
        run_upgrade(&mut client, &older, UpgradeTarget::Head).await,
        run_downgrade(&mut client, &older, DowngradeTarget::Base).await,
    ] {
        match result {
            Err(MigrateError::UnknownApplied { revision }) => assert_eq!(revision, id(2)),
            other => panic!("expected UnknownApplied, got {other:?}"),
        }
    }
    assert_eq!(tracked(&client).await.len(), 2);
    assert!(lock_is_free(&client).await);
}

#[tokio::test]
async fn stamp_records_exactly_the_ancestors_without_running_anything() {
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    let mut revisions = chain(3);
    revisions.push(revision(
        4,
        &[1],
        "side branch",
        "CREATE TABLE t4 ();",
        "DROP TABLE t4;",
    ));
    let graph = load(&dir_with(&revisions));

    stamp(&mut client, &graph, &[id(2)]).await.expect("stamp 2");
    assert_eq!(tracked(&client).await, expected_rows(&graph, &[1, 2]));
    assert!(rows(&client).await.iter().all(|row| row.duration_ms == 0));
    assert!(relations(&client).await.is_empty());

    let applied = run_upgrade(&mut client, &graph, UpgradeTarget::Revision(id(3)))
        .await
        .expect("upgrade the rest of the branch");
    assert_eq!(applied, id_list(&[3]));
    assert_eq!(relations(&client).await, ["t3"]);

    // Both heads at once; then only the side branch: 2 and 3 are no longer recorded.
    stamp(&mut client, &graph, &[id(3), id(4)])
        .await
        .expect("stamp heads");
    let mut all = tracked(&client).await;
    all.sort();
    assert_eq!(all, expected_rows(&graph, &[1, 2, 3, 4]));
    stamp(&mut client, &graph, &[id(4)]).await.expect("stamp 4");
    let mut side = tracked(&client).await;
    side.sort();
    assert_eq!(side, expected_rows(&graph, &[1, 4]));

    stamp(&mut client, &graph, &[]).await.expect("stamp base");
    assert!(tracked(&client).await.is_empty());
    assert!(matches!(
        stamp(&mut client, &graph, &["20990101000000".to_owned()]).await,
        Err(MigrateError::UnknownRevision { .. })
    ));
    assert!(lock_is_free(&client).await);
}

#[tokio::test]
async fn transaction_false_sections_run_create_index_concurrently() {
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    let concurrent = Revision {
        up: Section::new(
            false,
            "-- hazard: index-build\nCREATE INDEX CONCURRENTLY t1_a ON t1 (id);\nCREATE INDEX CONCURRENTLY t1_b ON t1 (id);",
        ),
        down: Section::new(
            false,
            "DROP INDEX CONCURRENTLY t1_b;\nDROP INDEX CONCURRENTLY t1_a;",
        ),
        ..revision(2, &[1], "indexes", "", "")
    };
    let broken = Revision {
        up: Section::new(
            false,
            "CREATE INDEX CONCURRENTLY t1_c ON t1 (id);\n\nCREATE INDEX CONCURRENTLY t1_d ON no_such_table (id);",
        ),
        ..revision(3, &[2], "broken", "", "")
    };
    let dir = dir_with(&[chain(1).remove(0), concurrent, broken]);
    let graph = load(&dir);

    let applied = run_upgrade(&mut client, &graph, UpgradeTarget::Revision(id(2)))
        .await
        .expect("concurrent indexes");
    assert_eq!(applied, id_list(&[1, 2]));
    let valid: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_index WHERE indrelid = 'public.t1'::regclass AND indisvalid",
            &[],
        )
        .await
        .expect("indexes")
        .get(0);
    assert_eq!(valid, 2);

    let error = run_upgrade(&mut client, &graph, UpgradeTarget::Head)
        .await
        .expect_err("second statement fails");
    let path = graph.get(&id(3)).expect("revision 3").path.clone();
    match &error {
        MigrateError::NonTransactionalPartial {
            path: at,
            line,
            revision,
            completed_lines,
            ..
        } => {
            assert_eq!(at, &path);
            assert_eq!(*line, line_of(&path, "t1_d"));
            assert_eq!(revision, &id(3));
            assert_eq!(completed_lines.as_ref(), [line_of(&path, "t1_c")]);
        }
        other => panic!("expected NonTransactionalPartial, got {other:?}"),
    }
    let text = error.to_string();
    assert!(text.contains("outside a transaction"), "{text}");
    assert!(text.contains("not recorded as applied"), "{text}");
    // The first index stays, the revision is not recorded.
    assert!(relations(&client).await.contains(&"t1_c".to_owned()));
    assert_eq!(tracked(&client).await, expected_rows(&graph, &[1, 2]));
    assert!(lock_is_free(&client).await);

    client
        .batch_execute("DROP INDEX t1_c")
        .await
        .expect("clean up by hand");
    let reverted = run_downgrade(&mut client, &graph, DowngradeTarget::Revision(id(1)))
        .await
        .expect("drop concurrently");
    assert_eq!(reverted, id_list(&[2]));
    assert_eq!(relations(&client).await, ["t1"]);
}

/// How far the progress table says revision `n`'s up section got.
async fn saved_progress(client: &Client, n: u32) -> Option<i32> {
    client
        .query_opt(
            "SELECT statements_done FROM public.autogen_revisions_progress
             WHERE revision = $1 AND direction = 'up'",
            &[&id(n)],
        )
        .await
        .expect("progress")
        .map(|row| row.get(0))
}

/// What online plans rely on: a `transaction:false` section runs each statement in a
/// transaction of its own (so a `VALIDATE` never shares one with the strong lock of the step
/// before it), all under the section's `SET`s (session settings outlive the transaction that
/// set them); a re-run on a new connection after a failure sets them again before continuing.
#[tokio::test]
async fn each_statement_of_a_transaction_false_section_has_its_own_transaction_and_the_settings() {
    let database = fresh_database().await;
    let seen = |step: u32| {
        format!(
            "INSERT INTO seen VALUES ({step}, current_setting('lock_timeout'), pg_current_xact_id()::text);"
        )
    };
    let section = format!(
        "SET lock_timeout = '1234ms';\n{}\nALTER TABLE gate ADD CONSTRAINT gate_open CHECK (open);\n{}\nRESET lock_timeout;\n{}",
        seen(2),
        seen(4),
        seen(6)
    );
    let revisions = vec![
        revision(
            1,
            &[],
            "tables",
            "CREATE TABLE seen (step int, lock_timeout text, xact text);
             CREATE TABLE gate (open boolean); INSERT INTO gate VALUES (false);",
            "DROP TABLE seen, gate;",
        ),
        Revision {
            up: Section::new(false, &section),
            ..revision(2, &[1], "settings", "", "")
        },
    ];
    let dir = dir_with(&revisions);
    let graph = load(&dir);
    {
        let mut first = database.connect().await.expect("connect");
        let error = run_upgrade(&mut first, &graph, UpgradeTarget::Head)
            .await
            .expect_err("the check fails");
        assert!(error.to_string().contains("gate_open"), "{error}");
    }
    // A new connection: nothing of the first session's settings is left.
    let mut second = database.connect().await.expect("connect");
    second
        .batch_execute("UPDATE gate SET open = true")
        .await
        .expect("fix");
    run_upgrade(&mut second, &graph, UpgradeTarget::Head)
        .await
        .expect("resumed");
    let rows: Vec<(i32, String, String)> = second
        .query(
            "SELECT step, lock_timeout, xact FROM seen ORDER BY step",
            &[],
        )
        .await
        .expect("seen")
        .iter()
        .map(|row| (row.get(0), row.get(1), row.get(2)))
        .collect();
    let settings: Vec<(i32, &str)> = rows
        .iter()
        .map(|(step, timeout, _)| (*step, timeout.as_str()))
        .collect();
    assert_eq!(settings, [(2, "1234ms"), (4, "1234ms"), (6, "0")]);
    let transactions: std::collections::BTreeSet<&String> =
        rows.iter().map(|(_, _, xact)| xact).collect();
    assert_eq!(transactions.len(), 3, "{rows:?}");
    let current: String = second
        .query_one("SELECT current_setting('lock_timeout')", &[])
        .await
        .expect("setting")
        .get(0);
    assert_eq!(current, "0", "the section's RESET ran");
}

#[tokio::test]
async fn a_failed_transaction_false_section_continues_where_it_stopped() {
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    // Statement 3 fails while a row breaks the check; statements 1 and 2 would fail if run
    // twice (the type value and the table exist then).
    let section = "SET lock_timeout = '5s';\n\
                   ALTER TYPE mood ADD VALUE 'meh';\n\
                   CREATE TABLE log (id int);\n\
                   ALTER TABLE people ADD CONSTRAINT people_id_check CHECK (id > 0);\n\
                   CREATE INDEX CONCURRENTLY people_mood ON people (mood);\n\
                   INSERT INTO people VALUES (10, 'meh');";
    let revisions = vec![
        revision(
            1,
            &[],
            "people",
            "CREATE TYPE mood AS ENUM ('happy'); CREATE TABLE people (id int, mood mood);",
            "DROP TABLE people; DROP TYPE mood;",
        ),
        Revision {
            up: Section::new(false, section),
            ..revision(2, &[1], "evolve", "", "")
        },
    ];
    let dir = dir_with(&revisions);
    let graph = load(&dir);
    run_upgrade(&mut client, &graph, UpgradeTarget::Revision(id(1)))
        .await
        .expect("first");
    client
        .batch_execute("INSERT INTO people VALUES (-1, 'happy')")
        .await
        .expect("bad row");

    let error = run_upgrade(&mut client, &graph, UpgradeTarget::Head)
        .await
        .expect_err("the check fails");
    let text = error.to_string();
    assert!(
        text.contains("run the same command again to continue"),
        "{text}"
    );
    assert!(text.contains("people_id_check"), "{text}");
    assert_eq!(saved_progress(&client, 2).await, Some(3));
    assert_eq!(tracked(&client).await, expected_rows(&graph, &[1]));

    // Fixed by hand; the same command continues at the check (nothing runs twice).
    client
        .batch_execute("DELETE FROM people")
        .await
        .expect("fix");
    let mut resumed_at = None;
    let applied = upgrade(
        &mut client,
        &graph,
        &UpgradeTarget::Head,
        &STRICT,
        &mut |event| {
            if let Progress::Resuming { done, line, .. } = event {
                resumed_at = Some((done, line));
            }
        },
    )
    .await
    .expect("resumed");
    assert_eq!(applied, id_list(&[2]));
    let path = graph.get(&id(2)).expect("revision 2").path.clone();
    assert_eq!(resumed_at, Some((3, line_of(&path, "people_id_check"))));
    assert_eq!(tracked(&client).await, expected_rows(&graph, &[1, 2]));
    assert_eq!(saved_progress(&client, 2).await, None);
    let count: i64 = client
        .query_one("SELECT count(*) FROM people WHERE mood = 'meh'", &[])
        .await
        .expect("row")
        .get(0);
    assert_eq!(count, 1);
}

#[tokio::test]
async fn a_partly_applied_section_whose_done_statements_changed_is_refused() {
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    let first = Revision {
        up: Section::new(
            false,
            "CREATE TABLE a (id int);\nCREATE TABLE b (id int REFERENCES no_such_table);",
        ),
        ..revision(1, &[], "tables", "", "")
    };
    let dir = dir_with(&[first]);
    let graph = load(&dir);
    run_upgrade(&mut client, &graph, UpgradeTarget::Head)
        .await
        .expect_err("b fails");
    // The file is edited in the statement that already ran.
    let edited = Revision {
        up: Section::new(false, "CREATE TABLE a2 (id int);\nCREATE TABLE b (id int);"),
        ..revision(1, &[], "tables", "", "")
    };
    let dir = dir_with(&[edited]);
    let graph = load(&dir);
    let error = run_upgrade(&mut client, &graph, UpgradeTarget::Head)
        .await
        .expect_err("refused");
    assert!(
        matches!(error, MigrateError::PartialRevisionChanged { done: 1, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("autogen stamp"), "{error}");
    assert_eq!(relations(&client).await, ["a"]);
}

#[tokio::test]
async fn statements_are_split_the_way_postgresql_reads_them() {
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    let up = r#"
CREATE TABLE "semi;colon" (note text DEFAULT 'a;b', e text DEFAULT E'it\'s; fine');
/* a /* nested; */ comment; */
CREATE FUNCTION plus_one(i int) RETURNS int LANGUAGE plpgsql AS $body$
BEGIN
  RETURN i + 1; -- ;
END;
$body$;
CREATE FUNCTION twice(i int) RETURNS int LANGUAGE sql
BEGIN ATOMIC
  SELECT CASE WHEN i > 0 THEN i * 2 ELSE 0 END;
END;
CREATE RULE keep AS ON DELETE TO "semi;colon" DO INSTEAD (SELECT 1; SELECT 2);
DO $$ BEGIN PERFORM plus_one(1); END $$"#;
    let graph = load(&dir_with(&[revision(
        1,
        &[],
        "tricky",
        up,
        "DROP TABLE \"semi;colon\";\nDROP FUNCTION twice(int);\nDROP FUNCTION plus_one(int);",
    )]));
    assert_eq!(
        split_statements(&graph.get(&id(1)).expect("revision").revision.up.sql).len(),
        5
    );
    run_upgrade(&mut client, &graph, UpgradeTarget::Head)
        .await
        .expect("upgrade");
    let row = client
        .query_one("SELECT plus_one(1), twice(4)", &[])
        .await
        .expect("call");
    assert_eq!((row.get::<_, i32>(0), row.get::<_, i32>(1)), (2, 8));
    run_downgrade(&mut client, &graph, DowngradeTarget::Base)
        .await
        .expect("downgrade");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_upgrades_apply_each_revision_exactly_once() {
    let database = fresh_database().await;
    let revisions: Vec<Revision> = (1..=5)
        .map(|n| {
            let create = if n == 1 {
                "CREATE TABLE applied_log (revision int NOT NULL);\n"
            } else {
                ""
            };
            let parents: Vec<u32> = if n == 1 { vec![] } else { vec![n - 1] };
            revision(
                n,
                &parents,
                &format!("log {n}"),
                // The sleep widens the window in which a runner without the lock would race.
                &format!("{create}INSERT INTO applied_log VALUES ({n});\nSELECT pg_sleep(0.02);"),
                &format!("DELETE FROM applied_log WHERE revision = {n};"),
            )
        })
        .collect();
    let dir = dir_with(&revisions);
    let graph = Arc::new(load(&dir));
    let barrier = Arc::new(tokio::sync::Barrier::new(8));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let spec = database.connection().clone();
        let graph = Arc::clone(&graph);
        let barrier = Arc::clone(&barrier);
        tasks.push(tokio::spawn(async move {
            let mut client = spec.connect().await.expect("connect");
            barrier.wait().await;
            upgrade(
                &mut client,
                &graph,
                &UpgradeTarget::Head,
                &STRICT,
                &mut |_| {},
            )
            .await
        }));
    }
    let mut applied = Vec::new();
    for task in tasks {
        applied.extend(task.await.expect("task").expect("upgrade"));
    }
    applied.sort();
    assert_eq!(applied, id_list(&[1, 2, 3, 4, 5]));

    let client = database.connect().await.expect("connect");
    let log: Vec<i32> = client
        .query("SELECT revision FROM applied_log ORDER BY revision", &[])
        .await
        .expect("log")
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(log, [1, 2, 3, 4, 5]);
    assert_eq!(
        tracked(&client).await,
        expected_rows(&graph, &[1, 2, 3, 4, 5])
    );
    assert!(lock_is_free(&client).await);
}

#[tokio::test]
async fn the_offline_scripts_do_what_the_runner_does() {
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    let mut revisions = blog();
    revisions.push(Revision {
        up: Section::new(
            false,
            "CREATE INDEX CONCURRENTLY posts_title ON posts (title)",
        ),
        down: Section::new(false, "DROP INDEX CONCURRENTLY posts_title"),
        ..revision(4, &[3], "index titles", "", "")
    });
    let graph = load(&dir_with(&revisions));

    // Run by psql itself, as documented (`\gexec` lines are psql's).
    let url = autogen_testkit::url(&database);
    let run_script = |script: &str| {
        let psql = autogen_testkit::autogen_pg::find_binaries()
            .map(|binaries| binaries.bindir.join("psql"))
            .expect("PostgreSQL binaries");
        let mut child = std::process::Command::new(psql)
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", &url, "-f", "-"])
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
        assert!(
            output.status.success(),
            "psql failed:\n{}\n{script}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let first = offline_upgrade_sql(&graph, None, &UpgradeTarget::Revision(id(2))).expect("sql");
    run_script(&first);
    assert_eq!(tracked(&client).await, expected_rows(&graph, &[1, 2]));
    // A failed build left an invalid index named `posts_title` on `posts` behind (the name
    // and table of revision 4's build: that is all the cleanup goes by).
    client
        .batch_execute(
            "INSERT INTO users VALUES (1);
             INSERT INTO posts VALUES (1, 1), (2, 1);",
        )
        .await
        .expect("rows");
    assert!(
        client
            .batch_execute("CREATE UNIQUE INDEX CONCURRENTLY posts_title ON posts (author)")
            .await
            .is_err()
    );
    client
        .batch_execute("DELETE FROM posts; DELETE FROM users")
        .await
        .expect("back to revision 2");
    let rest = offline_upgrade_sql(&graph, Some(&id(2)), &UpgradeTarget::Head).expect("sql");
    assert!(rest.contains("\\gexec"), "{rest}");
    run_script(&rest);
    let valid: bool = client
        .query_one(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'posts_title'::regclass",
            &[],
        )
        .await
        .expect("index")
        .get(0);
    assert!(valid);
    assert_eq!(tracked(&client).await, expected_rows(&graph, &[1, 2, 3, 4]));
    assert!(relations(&client).await.contains(&"posts_title".to_owned()));
    assert!(lock_is_free(&client).await);
    // The runner agrees: nothing to do, no checksum complaints.
    assert!(
        run_upgrade(&mut client, &graph, UpgradeTarget::Head)
            .await
            .expect("runner")
            .is_empty()
    );

    let down = offline_downgrade_sql(&graph, &id(4), &DowngradeTarget::Base).expect("sql");
    run_script(&down);
    assert!(tracked(&client).await.is_empty());
    assert!(relations(&client).await.is_empty());
}

#[tokio::test]
async fn a_runner_says_when_it_waits_for_another_one() {
    let database = fresh_database().await;
    let holder = database.connect().await.expect("connect");
    holder
        .execute("SELECT pg_advisory_lock($1)", &[&ADVISORY_LOCK_KEY])
        .await
        .expect("hold the lock");
    let dir = dir_with(&chain(1));
    let graph = load(&dir);
    let mut client = database.connect().await.expect("connect");
    let waited = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let seen = Arc::clone(&waited);
    let runner = tokio::spawn(async move {
        upgrade(
            &mut client,
            &graph,
            &UpgradeTarget::Head,
            &STRICT,
            &mut |event| {
                if matches!(event, Progress::WaitingForLock) {
                    seen.store(true, std::sync::atomic::Ordering::SeqCst);
                }
            },
        )
        .await
        .map(|applied| applied.len())
    });
    // The runner reports the wait as soon as it finds the lock taken, then blocks.
    for _ in 0..200 {
        if waited.load(std::sync::atomic::Ordering::SeqCst) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(waited.load(std::sync::atomic::Ordering::SeqCst));
    assert!(!runner.is_finished(), "the runner must wait for the lock");
    holder
        .execute("SELECT pg_advisory_unlock($1)", &[&ADVISORY_LOCK_KEY])
        .await
        .expect("release the lock");
    assert_eq!(runner.await.expect("runner task").expect("upgrade"), 1);
}

/// users <- posts (expand) <- a column on posts (contract).
fn expand_contract() -> Vec<Revision> {
    let mut revisions = blog();
    revisions.truncate(2);
    revisions[1].phase = Some(RevisionPhase::Expand);
    revisions.push(Revision {
        phase: Some(RevisionPhase::Contract),
        ..revision(
            3,
            &[2],
            "contract",
            "ALTER TABLE posts ADD COLUMN title text;",
            "ALTER TABLE posts DROP COLUMN title;",
        )
    });
    revisions
}

async fn run_phase(
    client: &mut Client,
    graph: &RevisionGraph,
    phase: RevisionPhase,
) -> Vec<String> {
    upgrade_phase(
        client,
        graph,
        &UpgradeTarget::Head,
        Some(phase),
        &STRICT,
        &mut |_| {},
    )
    .await
    .expect("upgrade")
}

#[tokio::test]
async fn upgrade_phase_applies_one_side_of_expand_contract_revisions() {
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    let dir = dir_with(&expand_contract());
    let graph = load(&dir);
    // Nothing to contract before the expand side ran.
    assert!(
        run_phase(&mut client, &graph, RevisionPhase::Contract)
            .await
            .is_empty()
    );
    assert_eq!(
        run_phase(&mut client, &graph, RevisionPhase::Expand).await,
        id_list(&[1, 2])
    );
    assert!(
        run_phase(&mut client, &graph, RevisionPhase::Expand)
            .await
            .is_empty()
    );
    assert_eq!(
        run_phase(&mut client, &graph, RevisionPhase::Contract).await,
        id_list(&[3])
    );
    assert_eq!(tracked(&client).await, expected_rows(&graph, &[1, 2, 3]));
}
