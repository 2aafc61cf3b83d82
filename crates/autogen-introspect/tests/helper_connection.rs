//! Inspection with a second connection sharing the work reads exactly what one connection
//! reads, on every inspect fixture.

use autogen_introspect::{InspectOptions, inspect, inspect_with_helper};
use autogen_testkit::fresh_database;
use std::path::PathBuf;

#[tokio::test]
async fn a_helper_connection_reads_the_same_catalog_as_one_connection() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/inspect");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/inspect")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "the inspect fixtures are missing");
    let options = InspectOptions::default();
    for file in files {
        let sql = std::fs::read_to_string(&file).expect("read fixture");
        let database = fresh_database().await;
        let mut client = database.connect().await.expect("connect");
        autogen_testkit::create_roles_named(&client, &sql).await;
        client.batch_execute(&sql).await.expect("load fixture");
        let alone = inspect(&mut client, &options).await.expect("inspect");
        let mut helper = database.connect().await.expect("connect helper");
        let shared = inspect_with_helper(&mut client, &mut helper, &options)
            .await
            .expect("inspect with helper");
        let name = file.display();
        assert!(
            !alone.catalog.tables.is_empty() || name.to_string().contains("empty"),
            "{name}: nothing read"
        );
        assert_eq!(alone.catalog, shared.catalog, "{name}");
        assert_eq!(
            format!("{:?}", alone.unsupported),
            format!("{:?}", shared.unsupported),
            "{name}"
        );
        // Both connections are usable afterwards: no transaction was left open.
        client.batch_execute("SELECT 1").await.expect("client");
        helper.batch_execute("SELECT 1").await.expect("helper");
    }
}

/// A helper that cannot join the snapshot (here: connected to another database, which
/// PostgreSQL refuses to import it into) leaves the whole inspection to the first connection:
/// same result, no error.
#[tokio::test]
async fn a_helper_that_cannot_share_the_snapshot_is_not_used() {
    let database = fresh_database().await;
    let elsewhere = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    client
        .batch_execute(
            "CREATE TABLE t (id int PRIMARY KEY, n int CHECK (n > 0));
             CREATE INDEX t_n ON t ((n + 1)) WHERE n > 1;",
        )
        .await
        .expect("load");
    let mut other = elsewhere.connect().await.expect("connect elsewhere");
    let options = InspectOptions::default();
    let alone = inspect(&mut client, &options).await.expect("inspect");
    let shared = inspect_with_helper(&mut client, &mut other, &options)
        .await
        .expect("inspect with a helper that cannot share");
    assert_eq!(alone.catalog, shared.catalog);
    assert_eq!(shared.catalog.tables.len(), 1);
    client
        .batch_execute("SELECT 1")
        .await
        .expect("client usable");
}
