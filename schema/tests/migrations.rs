//! The example project's revisions, embedded, applied to an empty database at "start-up".

use autogen_testkit::fresh_database;

#[tokio::test]
async fn start_up_applies_the_example_revisions() {
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    let applied = autogen_example::migrate(&mut client)
        .await
        .expect("migrate");
    assert_eq!(applied, ["20261121185651"]);
    let tables: Vec<String> = client
        .query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
            &[],
        )
        .await
        .expect("tables")
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(
        tables,
        [
            "autogen_revisions",
            "posts",
            "user_identities",
            "users",
            "votes",
            "world_elements",
            "worlds",
        ]
    );
    let again = autogen_example::migrate(&mut client).await.expect("again");
    assert!(again.is_empty(), "{again:?}");
}
