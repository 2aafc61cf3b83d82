//! The testkit against real PostgreSQL.

use autogen_testkit::{fresh_database, shared_server};

#[tokio::test]
async fn fresh_databases_are_distinct_and_empty() {
    let first = fresh_database().await;
    let second = fresh_database().await;
    assert_ne!(first.name(), second.name());

    let a = first.connect().await.expect("connect first");
    let b = second.connect().await.expect("connect second");
    let tables = "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')";
    for client in [&a, &b] {
        let count: i64 = client.query_one(tables, &[]).await.expect("count").get(0);
        assert_eq!(count, 0, "a fresh database has no user relations");
    }

    // What one test does is invisible to the other.
    a.batch_execute("CREATE TABLE only_in_first (id int)")
        .await
        .expect("ddl");
    let count: i64 = b.query_one(tables, &[]).await.expect("count").get(0);
    assert_eq!(count, 0);
    let current: String = a
        .query_one("SELECT current_database()", &[])
        .await
        .expect("db")
        .get(0);
    assert_eq!(current, first.name());
}

#[test]
fn shared_server_is_one_per_process_and_works_without_a_runtime() {
    let first = shared_server() as *const _;
    let second = std::thread::spawn(|| shared_server() as *const _ as usize)
        .join()
        .expect("thread");
    assert_eq!(first as usize, second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn works_from_a_multi_thread_runtime() {
    let database = fresh_database().await;
    let client = database.connect().await.expect("connect");
    client.simple_query("SELECT 1").await.expect("query");
}

#[tokio::test]
async fn url_connects_from_outside() {
    let database = fresh_database().await;
    let url = autogen_testkit::url(&database);
    let spec = autogen_testkit::autogen_pg::ConnectionSpec::parse(&url).expect("url parses");
    assert_eq!(spec.database(), database.name());
    spec.connect().await.expect("connect by url");
}

#[tokio::test]
async fn password_role_url_checks_the_password() {
    let Some(url) = autogen_testkit::password_role_url("testkit_pw_role", "right-secret").await
    else {
        return; // External server.
    };
    let parse = |url: &str| {
        autogen_testkit::autogen_pg::ConnectionSpec::parse_with_env(url, &|_| None)
            .expect("url parses")
    };
    parse(&url).connect().await.expect("right password");
    let wrong = url.replace("right-secret", "wrong-secret");
    let err = parse(&wrong).connect().await.expect_err("wrong password");
    assert!(
        err.to_string().contains("password authentication failed"),
        "{err}"
    );
    // Asking again (same role) is fine.
    let again = autogen_testkit::password_role_url("testkit_pw_role", "right-secret").await;
    assert_eq!(again.as_deref(), Some(url.as_str()));
}
