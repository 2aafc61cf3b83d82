//! The generator's output is reproducible and is valid PostgreSQL.

use autogen_bench::generate::{self, SCHEMAS};

#[test]
fn same_tables_and_seed_give_byte_identical_sql() {
    let first = generate::generate_sql(200, 42);
    let second = generate::generate_sql(200, 42);
    assert_eq!(first, second);
    assert_ne!(first, generate::generate_sql(200, 43));
    // A smaller schema is not a prefix-compatible variant of a bigger one by accident: the
    // header names its size.
    assert!(first.starts_with("-- autogen-bench synthetic schema: 200 tables, seed 42\n"));
}

#[test]
fn the_binary_prints_the_same_bytes_as_the_library() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_autogen-bench"))
        .args(["gen-schema", "--tables", "25", "--seed", "5"])
        .output()
        .expect("autogen-bench runs");
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        String::from_utf8(output.stdout).expect("UTF-8"),
        generate::generate_sql(25, 5)
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_generated_20_table_schema_loads_into_a_fresh_database() {
    let database = autogen_testkit::fresh_database().await;
    let client = database.connect().await.expect("connect");
    let schema = generate::generate(20, 1);
    // Loaded the way the benchmark loads it: simple-query batches.
    for batch in schema.batches(7) {
        client
            .batch_execute(&batch)
            .await
            .unwrap_or_else(|error| panic!("loading failed: {error}\n{batch}"));
    }

    let count = |sql: &'static str| {
        let client = &client;
        async move {
            let row = client
                .query_one(sql, &[&SCHEMAS.to_vec()])
                .await
                .expect(sql);
            row.get::<_, i64>(0)
        }
    };
    let tables = count(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind = 'r' AND n.nspname = ANY($1)",
    )
    .await;
    let indexes = count(
        "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = ANY($1) AND NOT i.indisprimary",
    )
    .await;
    let foreign_keys = count(
        "SELECT count(*) FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace \
         WHERE k.contype = 'f' AND n.nspname = ANY($1)",
    )
    .await;
    let checks = count(
        "SELECT count(*) FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace \
         WHERE k.contype = 'c' AND n.nspname = ANY($1)",
    )
    .await;
    assert_eq!(tables, 20);
    assert_eq!(indexes, 20 * 3);
    assert_eq!(foreign_keys, 19);
    assert_eq!(checks, 20);
}
