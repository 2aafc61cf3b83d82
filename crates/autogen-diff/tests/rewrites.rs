//! The `table-rewrite` hazard against what PostgreSQL really does: a table with rows gets a
//! column type change planned by the engine, and PostgreSQL rewrote the table exactly when its
//! file node changed. Hazard and reality must agree in both directions, so a metadata-only
//! change is never reported as a rewrite and a rewrite is never hidden.

use autogen_diff::{Hazard, plan};
use autogen_introspect::{InspectOptions, inspect};
use autogen_testkit::autogen_pg::Client;

/// (column type before, after, a value both types hold).
const CASES: &[(&str, &str, &str)] = &[
    ("varchar(20)", "varchar(30)", "'abc'"),
    ("varchar(20)", "varchar", "'abc'"),
    ("varchar(20)", "text", "'abc'"),
    ("varchar", "text", "'abc'"),
    ("text", "varchar", "'abc'"),
    ("numeric(10,2)", "numeric(12,2)", "1.5"),
    ("numeric(10,2)", "numeric", "1.5"),
    ("cidr", "inet", "'10.0.0.0/8'"),
    // Rewrites:
    ("varchar(5)[]", "text[]", "'{a,b}'"),
    ("varchar(30)", "varchar(20)", "'abc'"),
    ("text", "varchar(20)", "'abc'"),
    ("integer", "bigint", "1"),
    ("bigint", "integer", "1"),
    ("numeric(10,2)", "numeric(12,3)", "1.5"),
    ("integer", "text", "1"),
    // Only a session in UTC skips this rewrite (PostgreSQL 12+); a deploy session may be in any
    // time zone, so the test uses one where it happens and the hazard is always reported.
    ("timestamp", "timestamptz", "'2026-01-01'"),
];

async fn file_node(client: &Client) -> u32 {
    client
        .query_one(
            "SELECT relfilenode FROM pg_class WHERE oid = 'public.t'::regclass",
            &[],
        )
        .await
        .expect("relfilenode")
        .get::<_, u32>(0)
}

#[tokio::test]
async fn table_rewrite_is_reported_exactly_when_postgresql_rewrites() {
    let options = InspectOptions::default();
    let mut failures = Vec::new();
    for &(from, to, value) in CASES {
        let database = autogen_testkit::fresh_database().await;
        let mut client = database.connect().await.expect("connect");
        client
            .batch_execute("SET TimeZone = 'America/New_York'")
            .await
            .expect("time zone");
        let desired_database = autogen_testkit::fresh_database().await;
        let mut desired_client = desired_database.connect().await.expect("connect");
        client
            .batch_execute(&format!(
                "CREATE TABLE t (id integer PRIMARY KEY, c {from});
                 CREATE INDEX t_c_idx ON t (c);
                 INSERT INTO t SELECT g, {value} FROM generate_series(1, 100) g;"
            ))
            .await
            .expect("create the table");
        desired_client
            .batch_execute(&format!(
                "CREATE TABLE t (id integer PRIMARY KEY, c {to}); CREATE INDEX t_c_idx ON t (c);"
            ))
            .await
            .expect("create the desired table");
        let current = inspect(&mut client, &options)
            .await
            .expect("inspect")
            .catalog;
        let desired = inspect(&mut desired_client, &options)
            .await
            .expect("inspect")
            .catalog;
        let up = plan(&current, &desired).expect("plan");
        assert_eq!(up.statements.len(), 1, "{from} -> {to}: {up:?}");
        let statement = &up.statements[0];
        let before = file_node(&client).await;
        client
            .batch_execute(&statement.sql)
            .await
            .unwrap_or_else(|e| panic!("{from} -> {to}: {}: {e}", statement.sql));
        let rewritten = file_node(&client).await != before;
        let reported = statement.hazards.contains(&Hazard::TableRewrite);
        if rewritten != reported {
            failures.push(format!(
                "{from} -> {to}: PostgreSQL rewrote: {rewritten}, reported: {reported} ({})",
                statement.sql
            ));
        }
        let after = inspect(&mut client, &options)
            .await
            .expect("inspect")
            .catalog;
        assert!(
            plan(&after, &desired).expect("plan").is_empty(),
            "{from} -> {to}: did not converge"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
