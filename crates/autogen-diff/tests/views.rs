//! Views a plan runs into (docs/diff.md, "Views and what depends on what"): a view that uses a
//! column whose type changes, or an enum type that is re-created, is dropped before and
//! created again after from the desired schema, with the views over it, a materialized view's
//! indexes, comments, grants and the triggers on the view. What uses what comes from the
//! catalogs' dependency graphs. Runs the plans on real PostgreSQL with rows present.

use autogen_diff::{DiffError, Migration, PlanOptions, migration};
use autogen_introspect::{InspectOptions, Inspection, inspect};
use autogen_schema::{MemberRename, ModelIntent};
use autogen_testkit::autogen_pg::Client;

/// The migration, as the engine plans it (plain statements, no renames).
fn plan(
    current: &autogen_schema::Catalog,
    desired: &autogen_schema::Catalog,
) -> Result<Migration, DiffError> {
    plan_renaming(current, desired, &ModelIntent::default())
}

fn plan_renaming(
    current: &autogen_schema::Catalog,
    desired: &autogen_schema::Catalog,
    intent: &ModelIntent,
) -> Result<Migration, DiffError> {
    migration(current, desired, intent, &PlanOptions::default())
}

const BEFORE_TABLES: &str = r#"
CREATE TYPE status AS ENUM ('draft', 'published', 'archived');
CREATE TABLE posts (id integer PRIMARY KEY, title varchar(20), state status NOT NULL,
                    score integer);
CREATE TABLE untouched (id integer PRIMARY KEY, note text);
INSERT INTO posts VALUES (1, 'hello', 'draft', 3), (2, 'world', 'published', 5);
CREATE ROLE autogen_view_reader;
"#;

/// The same views, triggers and grants on both sides.
const VIEWS: &str = r#"
CREATE VIEW titles AS SELECT id, title FROM posts;
CREATE VIEW long_titles WITH (security_barrier = true) AS
  SELECT id, title FROM titles WHERE length(title) > 3;
CREATE VIEW published AS SELECT id FROM posts WHERE state = 'published'::status;
CREATE MATERIALIZED VIEW scores AS SELECT id, score FROM posts;
CREATE UNIQUE INDEX scores_id ON scores (id);
COMMENT ON MATERIALIZED VIEW scores IS 'per post';
COMMENT ON COLUMN titles.title IS 'the title';
GRANT SELECT ON titles TO autogen_view_reader;
CREATE VIEW notes AS SELECT note FROM untouched;
CREATE FUNCTION add_title() RETURNS trigger LANGUAGE plpgsql
  AS $$ BEGIN INSERT INTO posts (id, title, state) VALUES (NEW.id, NEW.title, 'draft'); RETURN NEW; END $$;
CREATE TRIGGER titles_insert INSTEAD OF INSERT ON titles FOR EACH ROW EXECUTE FUNCTION add_title();
COMMENT ON TRIGGER titles_insert ON titles IS 'inserts drafts';
"#;

/// `archived` removed (the type is re-created), `title` and `score` change type.
const AFTER_TABLES: &str = r#"
CREATE TYPE status AS ENUM ('draft', 'published');
CREATE TABLE posts (id integer PRIMARY KEY, title text, state status NOT NULL,
                    score bigint);
CREATE TABLE untouched (id integer PRIMARY KEY, note text);
"#;

async fn database(sql: &str) -> (autogen_testkit::autogen_pg::TempDatabase, Client) {
    let database = autogen_testkit::fresh_database().await;
    let client = database.connect().await.expect("connect");
    client.batch_execute(sql).await.expect("setup");
    (database, client)
}

async fn read(client: &mut Client) -> Inspection {
    inspect(client, &InspectOptions::default())
        .await
        .expect("inspect")
}

/// What a user sees of the views: definitions, options, comments, grants, indexes.
async fn views_state(client: &Client) -> Vec<String> {
    client
        .query(
            "SELECT c.relname || ' ' || c.relkind::text || ' ' || pg_get_viewdef(c.oid) || ' '
                    || coalesce(c.reloptions::text, '') || ' '
                    || coalesce(obj_description(c.oid, 'pg_class'), '') || ' '
                    || coalesce(col_description(c.oid, 2), '') || ' '
                    || coalesce(c.relacl::text, '') || ' '
                    || coalesce((SELECT string_agg(pg_get_indexdef(indexrelid), ',')
                                 FROM pg_index WHERE indrelid = c.oid), '') || ' '
                    || coalesce((SELECT string_agg(pg_get_triggerdef(t.oid) || ' '
                                   || coalesce(obj_description(t.oid, 'pg_trigger'), ''), ',')
                                 FROM pg_trigger t WHERE t.tgrelid = c.oid), '')
             FROM pg_class c WHERE c.relkind IN ('v', 'm')
               AND c.relnamespace = 'public'::regnamespace ORDER BY 1",
            &[],
        )
        .await
        .expect("views")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

async fn run(client: &Client, plan: &autogen_diff::Plan) {
    for statement in &plan.statements {
        client
            .batch_execute(&statement.sql)
            .await
            .unwrap_or_else(|error| panic!("{}\n{error:?}", statement.sql));
    }
}

#[tokio::test]
async fn views_over_retyped_columns_and_recreated_enums_survive_up_and_down() {
    let (_before_db, mut client) = database(&format!("{BEFORE_TABLES}{VIEWS}")).await;
    // The role is cluster-wide: drop it with the test's other objects' grants at the end.
    let (_after_db, mut desired_client) = database(&format!("{AFTER_TABLES}{VIEWS}")).await;
    let current = read(&mut client).await;
    let desired = read(&mut desired_client).await.catalog;
    let original_views = views_state(&client).await;
    assert_eq!(
        current.catalog.views.len(),
        5,
        "{:?}",
        current.catalog.views
    );
    assert!(
        original_views
            .iter()
            .any(|line| line.contains("inserts drafts"))
    );

    let planned = plan(&current.catalog, &desired).expect("planned");
    let up = planned.up.clone();
    let sql = up.to_sql();
    // The untouched view is left alone; dependents are dropped before what they use.
    assert!(!sql.contains("notes"), "{sql}");
    let position = |needle: &str| {
        sql.find(needle)
            .unwrap_or_else(|| panic!("{needle} missing from\n{sql}"))
    };
    assert!(
        position("DROP VIEW \"public\".\"long_titles\";")
            < position("DROP VIEW \"public\".\"titles\";")
    );
    assert!(
        position("CREATE VIEW \"public\".\"titles\"")
            < position("CREATE VIEW \"public\".\"long_titles\"")
    );
    assert!(position("DROP MATERIALIZED VIEW \"public\".\"scores\";") < position("ALTER TABLE"));

    run(&client, &up).await;
    let after_up = read(&mut client).await;
    assert_eq!(
        autogen_diff::plan(&after_up.catalog, &desired)
            .expect("plan")
            .statements,
        Vec::new()
    );
    // Definitions, options, comments, grants and indexes as before; PostgreSQL parsed the
    // definition again over the new type, so the cast it had added for `varchar` is gone.
    let expected: Vec<String> = original_views
        .iter()
        .map(|line| line.replace("length((titles.title)::text)", "length(titles.title)"))
        .collect();
    assert_ne!(expected, original_views);
    assert_eq!(views_state(&client).await, expected);
    let rows: i64 = client
        .query_one("SELECT count(*) FROM long_titles", &[])
        .await
        .expect("query the re-created view")
        .get(0);
    assert_eq!(rows, 2);

    let down = planned.down.expect("down");
    run(&client, &down).await;
    let after_down = read(&mut client).await;
    assert_eq!(
        autogen_diff::plan(&after_down.catalog, &current.catalog)
            .expect("plan")
            .statements,
        Vec::new()
    );
    assert_eq!(views_state(&client).await, original_views);
    client
        .batch_execute("DROP OWNED BY autogen_view_reader")
        .await
        .expect("drop the role's grants");
    desired_client
        .batch_execute("DROP OWNED BY autogen_view_reader; DROP ROLE autogen_view_reader")
        .await
        .expect("drop role");
}

#[tokio::test]
async fn a_view_over_a_column_renamed_and_retyped_in_one_plan_is_created_again_from_the_desired_schema()
 {
    let (_db, mut client) = database(
        "CREATE TABLE t (id integer PRIMARY KEY, a integer);
         INSERT INTO t VALUES (1, 7);
         CREATE VIEW v AS SELECT a FROM t;",
    )
    .await;
    let (_to, mut to) = database(
        "CREATE TABLE t (id integer PRIMARY KEY, b bigint);
         CREATE VIEW v AS SELECT b FROM t;",
    )
    .await;
    let current = read(&mut client).await.catalog;
    let desired = read(&mut to).await.catalog;
    let intent = ModelIntent {
        columns: vec![MemberRename {
            owner: autogen_schema::QualifiedName::new("public", "t"),
            from: "a".into(),
            to: "b".into(),
        }],
        ..ModelIntent::default()
    };
    let planned = plan_renaming(&current, &desired, &intent).expect("planned");
    let sql = planned.up.to_sql();
    assert!(sql.contains("RENAME COLUMN \"a\" TO \"b\""), "{sql}");
    assert!(sql.contains("DROP VIEW \"public\".\"v\""), "{sql}");
    run(&client, &planned.up).await;
    let after_up = read(&mut client).await.catalog;
    assert!(autogen_diff::equivalent(&after_up, &desired));
    let value: i64 = client
        .query_one("SELECT b FROM v", &[])
        .await
        .expect("the view works")
        .get(0);
    assert_eq!(value, 7);
    run(&client, &planned.down.expect("down")).await;
    assert!(autogen_diff::equivalent(
        &read(&mut client).await.catalog,
        &current
    ));
    // The rename alone keeps the view: PostgreSQL follows it, and the definition it prints
    // then is the desired one.
    let (_renamed, mut renamed) = database(
        "CREATE TABLE t (id integer PRIMARY KEY, b integer);
         CREATE VIEW v AS SELECT b FROM t;",
    )
    .await;
    let renamed = read(&mut renamed).await.catalog;
    let up = plan_renaming(&current, &renamed, &intent)
        .expect("rename")
        .up;
    assert!(up.to_sql().contains("RENAME COLUMN"), "{}", up.to_sql());
}
