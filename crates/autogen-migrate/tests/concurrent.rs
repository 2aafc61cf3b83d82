//! A `CREATE INDEX CONCURRENTLY` that fails leaves an INVALID index behind; the runner's retry
//! drops it and builds the index again instead of failing with "relation already exists".

mod common;

use autogen_migrate::{
    MigrateError, Progress, Revision, RunOptions, Section, UpgradeTarget, upgrade,
};
use autogen_pg::Client;
use autogen_testkit::fresh_database;
use common::*;

async fn index_state(client: &Client, name: &str) -> Option<bool> {
    client
        .query_opt(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
             WHERE c.relname = $1",
            &[&name],
        )
        .await
        .expect("index state")
        .map(|row| row.get(0))
}

#[tokio::test]
async fn a_failed_concurrent_build_is_retried_cleanly() {
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    let revisions = vec![
        revision(
            1,
            &[],
            "users",
            "CREATE TABLE users (id integer PRIMARY KEY, email text);\n\
             INSERT INTO users VALUES (1, 'a@x'), (2, 'a@x'), (3, 'b@x');",
            "DROP TABLE users;",
        ),
        Revision {
            up: Section::new(
                false,
                "-- hazard: index-build, may-fail-on-existing-rows\n\
                 CREATE UNIQUE INDEX CONCURRENTLY \"users_email_key\" ON \"public\".\"users\" USING btree (\"email\");\n\
                 ALTER TABLE \"public\".\"users\" ADD CONSTRAINT \"users_email_key\" UNIQUE USING INDEX \"users_email_key\";",
            ),
            down: Section::new(true, "ALTER TABLE users DROP CONSTRAINT users_email_key;"),
            ..revision(2, &[1], "unique emails", "", "")
        },
    ];
    let graph = load(&dir_with(&revisions));
    let options = RunOptions::default();

    // The duplicate emails make the build fail; PostgreSQL keeps the index, invalid.
    let error = upgrade(
        &mut client,
        &graph,
        &UpgradeTarget::Head,
        &options,
        &mut |_| {},
    )
    .await
    .expect_err("duplicates");
    assert!(
        matches!(error, MigrateError::NonTransactionalPartial { .. }),
        "{error}"
    );
    assert!(
        error.to_string().contains("could not create unique index"),
        "{error}"
    );
    assert_eq!(index_state(&client, "users_email_key").await, Some(false));

    // Without the cleanup a retry would fail with "relation already exists".
    client
        .batch_execute("DELETE FROM users WHERE id = 2")
        .await
        .expect("remove the duplicate");
    let mut events = Vec::new();
    let applied = upgrade(
        &mut client,
        &graph,
        &UpgradeTarget::Head,
        &options,
        &mut |event| {
            if let Progress::DroppedInvalidIndex { index, .. } = event {
                events.push(index.to_string());
            }
        },
    )
    .await
    .expect("the retry succeeds");
    assert_eq!(applied, [id(2)]);
    assert_eq!(events, ["public.users_email_key"]);
    assert_eq!(index_state(&client, "users_email_key").await, Some(true));
    let constraint: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_constraint WHERE conname = 'users_email_key' AND contype = 'u'",
            &[],
        )
        .await
        .expect("constraint")
        .get(0);
    assert_eq!(constraint, 1);
}

#[tokio::test]
async fn a_valid_index_of_the_same_name_is_left_alone() {
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    client
        .batch_execute("CREATE TABLE t (x integer); CREATE INDEX t_x ON t (x);")
        .await
        .expect("setup");
    let revisions = vec![Revision {
        up: Section::new(false, "CREATE INDEX CONCURRENTLY t_x ON t (x);"),
        down: Section::new(false, "DROP INDEX CONCURRENTLY t_x;"),
        ..revision(1, &[], "index", "", "")
    }];
    let graph = load(&dir_with(&revisions));
    let mut dropped = false;
    let error = upgrade(
        &mut client,
        &graph,
        &UpgradeTarget::Head,
        &RunOptions::default(),
        &mut |event| dropped |= matches!(event, Progress::DroppedInvalidIndex { .. }),
    )
    .await
    .expect_err("already exists");
    assert!(error.to_string().contains("already exists"), "{error}");
    assert!(!dropped);
    assert_eq!(index_state(&client, "t_x").await, Some(true));
}
