//! The example project's revisions, embedded, applied to an empty database at "start-up".

use autogen_testkit::fresh_database;

#[tokio::test]
async fn start_up_applies_the_example_revisions() {
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    let applied = autogen_example::migrate(&mut client)
        .await
        .expect("migrate");
    assert_eq!(
        applied,
        [
            "20261121185651",
            "20261204000936",
            "20261204110419",
            "20261204113720"
        ]
    );
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
            "post_views",
            "post_views_2026_12",
            "post_views_default",
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

    // The declared SQL objects came with the revisions: the trigger keeps posts.updated_at
    // current, the reporting view counts.
    client
        .batch_execute(
            "INSERT INTO users (tenant_id, email, password_hash) VALUES (1, 'a@example.com', 'x');
             INSERT INTO posts (author_id, title, body, updated_at)
                 SELECT id, 'hello', 'world', now() - interval '1 day' FROM users;
             INSERT INTO votes (user_id, post_id, value) SELECT u.id, p.id, 1 FROM users u, posts p;
             UPDATE posts SET title = 'hello again';",
        )
        .await
        .expect("rows");
    let fresh: bool = client
        .query_one(
            "SELECT updated_at > now() - interval '1 hour' FROM posts",
            &[],
        )
        .await
        .expect("updated_at")
        .get(0);
    assert!(fresh, "the trigger set updated_at on UPDATE");
    let stats = client
        .query_one(
            "SELECT email, published_posts, score FROM author_stats",
            &[],
        )
        .await
        .expect("author_stats");
    assert_eq!(
        (
            stats.get::<_, String>(0),
            stats.get::<_, i64>(1),
            stats.get::<_, i64>(2)
        ),
        ("a@example.com".to_string(), 1, 1)
    );

    // Row-level security on posts: a session that is not the owner sees published posts and
    // its own drafts only.
    let reader = format!("example_reader_{}", std::process::id());
    client
        .batch_execute(&format!(
            "INSERT INTO posts (author_id, title, body, published)
                 SELECT id, 'draft', 'unfinished', false FROM users;
             CREATE ROLE {reader} NOLOGIN;
             GRANT SELECT ON posts TO {reader};"
        ))
        .await
        .expect("a draft and a reader");
    let visible = |author: Option<i64>| {
        let reader = reader.clone();
        let client = &client;
        async move {
            let setting = author.map_or(String::new(), |id| format!("SET app.user_id = '{id}';"));
            client
                .batch_execute(&format!("{setting} SET ROLE {reader}"))
                .await
                .expect("set role");
            let titles: Vec<String> = client
                .query("SELECT title FROM posts ORDER BY title", &[])
                .await
                .expect("posts")
                .iter()
                .map(|row| row.get(0))
                .collect();
            client
                .batch_execute("RESET ROLE; RESET app.user_id")
                .await
                .expect("reset role");
            titles
        }
    };
    assert_eq!(visible(None).await, ["hello again"]);
    let author: i64 = client
        .query_one("SELECT id FROM users", &[])
        .await
        .expect("author")
        .get(0);
    assert_eq!(visible(Some(author)).await, ["draft", "hello again"]);
    client
        .batch_execute(&format!(
            "REVOKE SELECT ON posts FROM {reader}; DROP ROLE {reader};"
        ))
        .await
        .expect("drop the reader");

    // post_views is partitioned by month: a row lands in its month's partition, others in the
    // default one.
    client
        .batch_execute(
            "INSERT INTO post_views (post_id, viewed_at)
                 SELECT id, '2026-12-24 10:00:00+00' FROM posts LIMIT 1;
             INSERT INTO post_views (post_id, viewed_at)
                 SELECT id, '2030-01-01 00:00:00+00' FROM posts LIMIT 1;",
        )
        .await
        .expect("views");
    let placed: Vec<String> = client
        .query(
            "SELECT tableoid::regclass::text FROM post_views ORDER BY viewed_at",
            &[],
        )
        .await
        .expect("partitions")
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(placed, ["post_views_2026_12", "post_views_default"]);
}
