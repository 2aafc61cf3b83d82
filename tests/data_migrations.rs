//! Data migrations declared in the models, end to end with the binary on real PostgreSQL: the
//! `full_name` example (a required column added to a table with rows, filled by its
//! `backfill` in batches, then made NOT NULL), the hint and row count when a required column
//! has no value, and a type change with `using`.

mod common;

use common::project::{Project, execute, fresh_database, query, with_db};

const USERS_V1: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "users")]
pub struct User {
    #[model(primary_key, identity)]
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
}
"#;

/// `full_name` required, with nothing that gives existing rows a value.
const USERS_WITHOUT_BACKFILL: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "users")]
pub struct User {
    #[model(primary_key, identity)]
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub full_name: String,
}
"#;

const USERS_WITH_BACKFILL: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "users")]
pub struct User {
    #[model(primary_key, identity)]
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    #[model(backfill = "first_name || ' ' || last_name")]
    pub full_name: String,
}
"#;

/// How many users hold `first_name || ' ' || last_name` in `full_name`.
fn rows_with_full_name(url: &str) -> Vec<String> {
    query(
        url,
        "SELECT count(*) FROM users WHERE full_name = first_name || ' ' || last_name",
    )
}

/// More rows than one batch holds (10,000), so the fill takes several.
const ROWS: usize = 25_000;

#[test]
fn the_full_name_example_converges_with_rows_preserved_and_filled() {
    let project = Project::new();
    let (_database, url) = fresh_database();
    project.write_models(USERS_V1);
    project.expect(0, &["revision", "-m", "users"]);
    project.expect(0, &with_db(&url, &["upgrade"]));
    execute(
        &url,
        &format!(
            "INSERT INTO users (first_name, last_name) \
             SELECT 'first' || g, 'last' || g FROM generate_series(1, {ROWS}) g"
        ),
    );

    // Without a backfill: `revision` explains, `check` counts the rows that would fail.
    project.write_models(USERS_WITHOUT_BACKFILL);
    let (_, checked) = project.expect_both(1, &with_db(&url, &["check"]));
    assert!(
        checked.contains("column public.users.full_name is added NOT NULL without a default"),
        "{checked}"
    );
    assert!(
        checked.contains(&format!(
            "the new revision would fail on {ROWS} row(s) of public.users"
        )),
        "{checked}"
    );
    let json = project.expect(1, &with_db(&url, &["check", "--format", "json"]));
    let report: serde_json::Value = serde_json::from_str(&json).expect("check JSON");
    assert_eq!(
        report["database"]["rows_without_value"][0]["rows"],
        serde_json::json!(ROWS),
        "{json}"
    );

    // With one: the revision adds it bare, fills it in batches, then makes it NOT NULL.
    project.write_models(USERS_WITH_BACKFILL);
    let (written, said) = project.expect_both(0, &["revision", "-m", "add full name"]);
    assert!(!said.contains("without a default"), "{said}");
    let path = written.trim();
    let text = std::fs::read_to_string(path).expect("revision file");
    let up = text.split("-- migrate:down").next().expect("an up section");
    assert!(up.contains("-- migrate:up transaction:false"), "{text}");
    let add = up.find("ADD COLUMN \"full_name\" text;").expect("bare add");
    let batch = up
        .find("-- batch:\nUPDATE \"public\".\"users\"")
        .expect("batched fill");
    let not_null = up.find("SET NOT NULL").expect("not null");
    assert!(add < batch && batch < not_null, "{text}");
    assert!(up.contains("LIMIT 10000"), "{text}");

    let (_, applied) = project.expect_both(0, &with_db(&url, &["upgrade"]));
    // Three batches of at most 10,000 rows, each its own transaction.
    assert!(applied.contains("25,000 rows in 3 batches"), "{applied}");
    assert_eq!(rows_with_full_name(&url), [ROWS.to_string()]);
    assert_eq!(
        query(
            &url,
            "SELECT attnotnull::text FROM pg_attribute \
             WHERE attrelid = 'users'::regclass AND attname = 'full_name'"
        ),
        ["true"]
    );
    project.expect(0, &with_db(&url, &["check"]));

    // Down drops the column; every row stays.
    project.expect(0, &with_db(&url, &["downgrade", "-1", "--allow-data-loss"]));
    assert_eq!(
        query(&url, "SELECT count(*) FROM users"),
        [ROWS.to_string()]
    );
    assert_eq!(
        query(
            &url,
            "SELECT count(*) FROM pg_attribute WHERE attrelid = 'users'::regclass \
             AND attname = 'full_name' AND NOT attisdropped"
        ),
        ["0"]
    );
    // And up again gives the same result.
    project.expect(0, &with_db(&url, &["upgrade"]));
    assert_eq!(rows_with_full_name(&url), [ROWS.to_string()]);
    project.expect(0, &with_db(&url, &["check"]));
}

#[test]
fn a_type_change_uses_the_models_using_expression() {
    let project = Project::new();
    let (_database, url) = fresh_database();
    project.write_models(
        r#"
use autogen::Model;

#[derive(Model)]
pub struct Product {
    #[model(primary_key)]
    pub id: i64,
    pub price: i64,
}
"#,
    );
    project.expect(0, &["revision", "-m", "products"]);
    project.expect(0, &with_db(&url, &["upgrade"]));
    execute(&url, "INSERT INTO product VALUES (1, 1250), (2, 99)");

    // Cents become a decimal amount: PostgreSQL's own cast would keep 1250.
    project.write_models(
        r#"
use autogen::Model;

#[derive(Model)]
pub struct Product {
    #[model(primary_key)]
    pub id: i64,
    #[model(precision = 12, scale = 2, using = "price / 100.0")]
    pub price: rust_decimal::Decimal,
}
"#,
    );
    let written = project.expect(0, &["revision", "-m", "price in units"]);
    let text = std::fs::read_to_string(written.trim()).expect("revision file");
    assert!(
        text.contains("TYPE numeric(12,2) USING (price / 100.0);"),
        "{text}"
    );
    project.expect(0, &with_db(&url, &["upgrade"]));
    assert_eq!(
        query(&url, "SELECT price::text FROM product ORDER BY id"),
        ["12.50", "0.99"]
    );
    project.expect(0, &with_db(&url, &["check"]));
}
