//! Introspection reads what PostgreSQL stores, so different spellings of the same schema give
//! equal catalogs, and the unmodeled is reported.

use autogen_introspect::{InspectOptions, inspect};
use autogen_testkit::fresh_database;

async fn catalog_of(sql: &str) -> autogen_introspect::Inspection {
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    client.batch_execute(sql).await.expect("load schema");
    inspect(&mut client, &InspectOptions::default())
        .await
        .expect("inspect")
}

#[tokio::test]
async fn spellings_postgresql_stores_identically_give_equal_catalogs() {
    let short = catalog_of(
        "CREATE TABLE t (a varchar(10), b int4, c timestamptz, d bool DEFAULT 'TRUE',
                         e int8 CHECK (e>0), f decimal(5,2), g int[] DEFAULT '{}');
         CREATE INDEX ON t (lower(a));",
    )
    .await;
    let long = catalog_of(
        "CREATE TABLE t (a character varying(10), b integer, c timestamp with time zone,
                         d boolean DEFAULT true, e bigint CONSTRAINT t_e_check CHECK ((e > 0)),
                         f numeric(5,2), g integer[] DEFAULT '{}'::integer[]);
         CREATE INDEX t_lower_idx ON t USING btree (lower((a)::text));",
    )
    .await;
    assert_eq!(short.catalog, long.catalog);
    let table = &short.catalog.tables[0];
    assert_eq!(table.columns[0].data_type, "character varying(10)");
    assert_eq!(table.columns[3].default.as_deref(), Some("true"));
    assert_eq!(table.checks[0].expression, "(e > 0)");
}

#[tokio::test]
async fn names_outside_pg_catalog_are_schema_qualified() {
    let inspection = catalog_of(
        "CREATE TYPE mood AS ENUM ('ok', 'sad');
         CREATE SEQUENCE counter;
         CREATE TABLE t (m mood DEFAULT 'ok', n bigint DEFAULT nextval('counter'));",
    )
    .await;
    let columns = &inspection.catalog.tables[0].columns;
    assert_eq!(columns[0].data_type, "public.mood");
    assert_eq!(columns[0].default.as_deref(), Some("'ok'::public.mood"));
    assert_eq!(
        columns[1].default.as_deref(),
        Some("nextval('public.counter'::regclass)")
    );
}

#[tokio::test]
async fn unmodeled_objects_are_grouped_by_kind() {
    let inspection = catalog_of(
        "CREATE TABLE t (id int);
         CREATE RULE r2 AS ON DELETE TO t DO INSTEAD NOTHING;
         CREATE RULE r1 AS ON UPDATE TO t DO INSTEAD NOTHING;
         CREATE POLICY p ON t USING (id > 0);
         CREATE VIEW v AS SELECT 1 AS x;
         CREATE DOMAIN positive AS int CHECK (VALUE > 0);",
    )
    .await;
    let kinds: Vec<(String, Vec<String>)> = inspection
        .unsupported
        .iter()
        .map(|group| {
            (
                group.kind.clone(),
                group.names().map(String::from).collect(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [(
            "rule".to_string(),
            vec!["public.t.r1".to_string(), "public.t.r2".to_string()]
        ),]
    );
    // Views, domains and policies are modeled now.
    assert_eq!(inspection.catalog.policies.len(), 1);
    assert_eq!(inspection.catalog.views.len(), 1);
    assert_eq!(inspection.catalog.domains.len(), 1);
    assert_eq!(inspection.catalog.tables.len(), 1);
}

#[tokio::test]
async fn exclusion_constraints_with_expression_elements_are_read_as_their_definition() {
    // `conkey` holds 0 for an expression element: the definition text is what counts.
    let inspection = catalog_of(
        "CREATE TABLE people (
             name text NOT NULL, starts timestamptz, ends timestamptz,
             CONSTRAINT people_lower_name_excl EXCLUDE USING btree (lower(name) WITH =),
             CONSTRAINT people_period_excl EXCLUDE USING gist (tstzrange(starts, ends) WITH &&)
               WHERE (starts IS NOT NULL)
         );",
    )
    .await;
    let exclusions: Vec<(&str, &str)> = inspection.catalog.tables[0]
        .exclusions
        .iter()
        .map(|e| (e.name.as_str(), e.definition.as_str()))
        .collect();
    assert_eq!(
        exclusions,
        [
            (
                "people_lower_name_excl",
                "EXCLUDE USING btree (lower(name) WITH =)"
            ),
            (
                "people_period_excl",
                "EXCLUDE USING gist (tstzrange(starts, ends) WITH &&) WHERE ((starts IS NOT NULL))"
            ),
        ]
    );
}
