//! End-to-end tests of Rust models as a schema source: `autogen inspect MODELS` parses them,
//! normalizes them through a throwaway PostgreSQL, and prints what PostgreSQL stored.

use autogen_schema::{
    Catalog, Column, Deferral, IdentityKind, IndexTarget, ReferentialAction, Table,
};
mod common;

use common::*;

fn model_fixture(name: &str) -> String {
    workspace()
        .join("fixtures/models")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// The normalized catalog of a models source, via `autogen inspect --format json`.
fn desired(source: &str) -> Catalog {
    let output = autogen(&["inspect", source, "--format", "json"]);
    assert!(
        output.status.success(),
        "inspect {source}: {}",
        stderr(&output)
    );
    autogen_schema::catalog_from_json(&String::from_utf8_lossy(&output.stdout))
        .expect("inspect prints the catalog as JSON")
}

/// What the models of `source` say was renamed (model intent, never part of a catalog).
fn intent(source: &str) -> autogen_schema::ModelIntent {
    autogen_model::load_models(&[std::path::PathBuf::from(source)])
        .expect("the models load")
        .intent
}

fn table<'a>(catalog: &'a Catalog, schema: &str, name: &str) -> &'a Table {
    catalog
        .table(schema, name)
        .unwrap_or_else(|| panic!("no table {schema}.{name} in {:#?}", catalog.tables))
}

fn column<'a>(table: &'a Table, name: &str) -> &'a Column {
    table
        .column(name)
        .unwrap_or_else(|| panic!("no column {name} in {}", table.name))
}

#[test]
fn every_type_mapping_row_is_what_postgresql_stores() {
    let catalog = desired(&model_fixture("types.rs"));
    let every = table(&catalog, "public", "every_type");
    let expected = [
        ("flag", "boolean"),
        ("small", "smallint"),
        ("normal", "integer"),
        ("big", "bigint"),
        ("single", "real"),
        ("double", "double precision"),
        ("text", "text"),
        ("short_text", "character varying(40)"),
        ("bytes", "bytea"),
        ("id", "uuid"),
        ("day", "date"),
        ("day_time", "date"),
        ("clock", "time without time zone"),
        ("clock_time", "time without time zone"),
        ("moment", "timestamp without time zone"),
        ("moment_time", "timestamp without time zone"),
        ("instant", "timestamp with time zone"),
        ("instant_time", "timestamp with time zone"),
        ("amount", "numeric"),
        ("money", "numeric(12,2)"),
        ("whole", "numeric(7,0)"),
        ("document", "jsonb"),
        ("typed_document", "jsonb"),
        ("address", "inet"),
        ("network", "inet"),
        ("tags", "text[]"),
        ("scores", "integer[]"),
        ("mood", "public.mood"),
        ("moods", "public.mood[]"),
        ("maybe", "bigint"),
        ("maybe_tags", "text[]"),
        ("nickname", "money"),
        ("span", "int4range"),
    ];
    let names: Vec<&str> = every.columns.iter().map(|c| c.name.as_str()).collect();
    let expected_names: Vec<&str> = expected.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        names, expected_names,
        "columns in field order, skip left out"
    );
    for (name, data_type) in expected {
        let column = column(every, name);
        assert_eq!(column.data_type, data_type, "column {name}");
        let nullable = matches!(name, "maybe" | "maybe_tags" | "nickname" | "span");
        assert_eq!(column.not_null, !nullable, "nullability of {name}");
    }
    let mood = catalog
        .enums
        .iter()
        .find(|e| e.name == "mood")
        .expect("enum");
    assert_eq!(mood.values, ["happy", "so-so"]);
}

#[test]
fn every_attribute_reaches_postgresql() {
    let catalog = desired(&model_fixture("attributes.rs"));
    let accounts = table(&catalog, "app", "accounts");
    assert_eq!(accounts.comment.as_deref(), Some("Registered accounts"));
    let renames = intent(&model_fixture("attributes.rs"));
    assert!(
        renames
            .tables
            .iter()
            .any(|r| r.schema == "app" && r.from == "users" && r.to == "accounts"),
        "{renames:?}"
    );

    let id = column(accounts, "id");
    let identity = id.identity.as_ref().expect("identity");
    assert_eq!(identity.kind, IdentityKind::ByDefault);
    assert!(id.not_null);
    let serial = column(accounts, "serial_number");
    assert_eq!(
        serial.identity.as_ref().map(|i| i.kind),
        Some(IdentityKind::Always)
    );
    assert_eq!(
        column(accounts, "email").data_type,
        "character varying(255)"
    );
    assert_eq!(
        column(accounts, "state").default.as_deref(),
        Some("'active'::app.account_state")
    );
    assert_eq!(column(accounts, "balance").data_type, "numeric(12,2)");
    assert_eq!(column(accounts, "balance").default.as_deref(), Some("0"));
    assert_eq!(
        column(accounts, "double_balance").generated.as_deref(),
        Some("(balance * (2)::numeric)")
    );
    let name = column(accounts, "full_name");
    assert_eq!(name.comment.as_deref(), Some("Display name"));
    assert!(
        renames
            .columns
            .iter()
            .any(|r| r.owner.name == "accounts" && r.from == "fullname" && r.to == "full_name"),
        "{renames:?}"
    );
    assert_eq!(
        column(accounts, "created_at").default.as_deref(),
        Some("now()")
    );
    assert!(
        accounts.column("cache").is_none(),
        "skip leaves the field out"
    );

    let primary_key = accounts.primary_key.as_ref().expect("primary key");
    assert_eq!(primary_key.name, "accounts_pkey");
    assert_eq!(primary_key.columns, ["id"]);
    let unique_names: Vec<&str> = accounts.uniques.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(
        unique_names,
        ["accounts_email_key", "uq_accounts_tenant_email"]
    );
    assert_eq!(accounts.checks[0].name, "ck_accounts_age");
    assert_eq!(accounts.checks[0].expression, "(age >= 0)");

    let invited = &accounts.foreign_keys[0];
    assert_eq!(invited.name, "accounts_invited_by_fkey");
    assert_eq!(invited.references.to_string(), "app.accounts");
    assert_eq!(invited.on_delete, ReferentialAction::SetNull);
    assert_eq!(invited.on_update, ReferentialAction::Cascade);
    assert_eq!(invited.deferral, Deferral::Deferrable);

    let index = |name: &str| {
        accounts
            .indexes
            .iter()
            .find(|index| index.name == name)
            .unwrap_or_else(|| panic!("no index {name}: {:#?}", accounts.indexes))
    };
    assert_eq!(index("accounts_created_at_idx").keys.len(), 1);
    assert_eq!(index("accounts_tenant_id_idx").method, "btree");
    let lower = index("ix_accounts_lower_email");
    assert!(lower.unique);
    assert_eq!(
        lower.keys[0].target,
        IndexTarget::Expression("lower((email)::text)".into())
    );
    assert_eq!(lower.predicate.as_deref(), Some("(deleted_at IS NULL)"));
    assert_eq!(index("ix_accounts_tenant_include").include, ["email"]);

    let state = catalog
        .enums
        .iter()
        .find(|e| e.name == "account_state")
        .expect("enum");
    assert_eq!(state.schema, "app");
    assert_eq!(state.values, ["active", "suspended"]);
    assert!(
        renames
            .enums
            .iter()
            .any(|r| r.schema == "app" && r.from == "state" && r.to == "account_state"),
        "{renames:?}"
    );

    let usage = table(&catalog, "app", "daily_usage");
    let usage_key = usage.primary_key.as_ref().expect("composite primary key");
    assert_eq!(usage_key.columns, ["account_id", "day"]);
    let usage_fk = &usage.foreign_keys[0];
    assert_eq!(usage_fk.name, "fk_usage_account");
    assert_eq!(usage_fk.deferral, Deferral::InitiallyDeferred);
    assert_eq!(usage_fk.on_delete, ReferentialAction::Cascade);
    assert!(usage.column("type").is_some(), "r#type becomes type");
}

/// The names of a table's constraints and indexes, sorted.
fn object_names(table: &Table) -> Vec<String> {
    let mut names: Vec<String> = table
        .primary_key
        .iter()
        .map(|pk| pk.name.clone())
        .chain(table.uniques.iter().map(|u| u.name.clone()))
        .chain(table.foreign_keys.iter().map(|f| f.name.clone()))
        .chain(table.indexes.iter().map(|i| i.name.clone()))
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn unnamed_objects_get_postgresqls_own_names() {
    let from_models = desired(&model_fixture("naming.rs"));
    // The oracle: the same tables written as plain SQL, named by PostgreSQL.
    let database = autogen_testkit::fresh_database().await;
    let client = database.connect().await.expect("connect");
    client
        .batch_execute(
            "CREATE TABLE \"order\" (id bigint PRIMARY KEY, code text UNIQUE NOT NULL,
                 customer_id bigint NOT NULL, parent_id bigint REFERENCES \"order\" (id));
             CREATE INDEX ON \"order\" (customer_id);
             CREATE TABLE a_table_name_that_is_quite_long_to_force_truncation_of_names (
                 id bigint PRIMARY KEY,
                 a_column_name_that_is_also_rather_long_to_push_past_the_limit text UNIQUE NOT NULL);",
        )
        .await
        .expect("oracle schema loads");
    let from_sql = desired(&autogen_testkit::url(&database));
    for name in [
        "order",
        "a_table_name_that_is_quite_long_to_force_truncation_of_names",
    ] {
        let models = object_names(table(&from_models, "public", name));
        assert_eq!(models, object_names(table(&from_sql, "public", name)));
        assert!(models.iter().all(|n| n.len() <= 63), "{models:?}");
    }
    assert_eq!(
        object_names(table(&from_models, "public", "order")),
        [
            "order_code_key",
            "order_customer_id_idx",
            "order_parent_id_fkey",
            "order_pkey"
        ]
    );
}

#[test]
fn designs_own_example_normalizes_including_its_extension_type() {
    let catalog = desired(&model_fixture("design_example.rs"));
    let citext = catalog.extensions.iter().find(|e| e.name == "citext");
    assert!(
        citext.is_some(),
        "the citext extension is part of the desired schema"
    );
    let users = table(&catalog, "public", "users");
    assert_eq!(column(users, "nickname").data_type, "public.citext");
    assert_eq!(column(users, "mood").data_type, "public.mood");
    let renames = intent(&model_fixture("design_example.rs"));
    assert!(
        renames
            .tables
            .iter()
            .any(|r| r.from == "accounts" && r.to == "users"),
        "{renames:?}"
    );
    assert!(
        users
            .foreign_keys
            .iter()
            .any(|fk| fk.name == "users_world_id_fkey")
    );
}

#[test]
fn an_unknown_sql_type_is_rejected_at_its_field() {
    let dir = std::env::temp_dir().join(format!("autogen-models-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("unknown_type.rs");
    std::fs::write(
        &file,
        "#[derive(Model)]\npub struct Thing {\n    #[model(sql_type = \"no_such_type\")]\n    pub x: String,\n}\n",
    )
    .unwrap();
    let output = autogen(&["inspect", file.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("unknown_type.rs:4:"), "{err}");
    assert!(
        err.contains("type \"no_such_type\" does not exist"),
        "{err}"
    );
}

#[test]
fn the_example_project_prints_its_canonical_schema() {
    let output = autogen(&["inspect", workspace().join("schema").to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stderr(&output), "", "no warnings for the example models");
    let sql = String::from_utf8_lossy(&output.stdout).into_owned();
    insta::assert_snapshot!("example_project.sql", sql);
}

#[test]
fn model_errors_point_at_file_line_and_column_all_at_once() {
    let output = autogen(&["inspect", &model_fixture("errors/typos_and_types.rs")]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("typos_and_types.rs:7:"), "{err}");
    assert!(err.contains("max_length"), "typo suggestion missing: {err}");
    assert!(
        err.contains("sql_type"),
        "unknown type asks for sql_type: {err}"
    );
    assert!(
        err.contains("references"),
        "second typo reported too: {err}"
    );
    let file = workspace().join("fixtures/models/errors/typos_and_types.rs");
    let rendered = err.replace(
        &file.display().to_string(),
        "fixtures/models/errors/typos_and_types.rs",
    );
    insta::assert_snapshot!("typos_and_types.stderr", rendered);
}

#[test]
fn references_to_missing_tables_and_columns_are_errors() {
    let output = autogen(&["inspect", &model_fixture("errors/references.rs")]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("post"), "{err}");
    assert!(err.contains("idd"), "{err}");
}

#[test]
fn postgresql_rejections_name_the_model_source() {
    let output = autogen(&["inspect", &model_fixture("rejected/bad_default.rs")]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("bad_default.rs:8:"), "{err}");
    assert!(err.contains("no_such_function"), "{err}");
    assert!(
        err.contains("does not exist"),
        "PostgreSQL's message: {err}"
    );

    let output = autogen(&["inspect", &model_fixture("rejected/bad_check.rs")]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("bad_check.rs:4:"), "{err}");
    assert!(err.contains("operator does not exist"), "{err}");
}

#[tokio::test]
async fn the_example_projects_dump_recreates_it_exactly() {
    let output = autogen(&["inspect", workspace().join("schema").to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let dump = String::from_utf8_lossy(&output.stdout).into_owned();
    let database = autogen_testkit::fresh_database().await;
    let client = database.connect().await.expect("connect");
    client.batch_execute(&dump).await.expect("the dump applies");
    let replayed = autogen(&["inspect", &autogen_testkit::url(&database)]);
    assert_eq!(String::from_utf8_lossy(&replayed.stdout), dump);
}
