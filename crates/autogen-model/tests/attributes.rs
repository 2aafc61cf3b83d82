//! Every table, field, enum and variant setting, and how it lands in the catalog.

mod common;
use autogen_schema::{
    Deferral, IndexKey, IndexTarget, MemberRename, QualifiedName, ReferentialAction, Rename,
    ReplicaIdentity,
};
use common::*;

fn column_key(name: &str) -> IndexKey {
    IndexKey {
        target: IndexTarget::Column(name.to_string()),
        collation: None,
        opclass: None,
        descending: false,
        nulls_first: false,
    }
}

#[test]
fn the_design_example_loads_completely() {
    let models = load(include_str!("../../../fixtures/models/design_example.rs"));
    let catalog = &models.catalog;
    assert_eq!(catalog.schemas.len(), 1);
    assert_eq!(catalog.schemas[0].name, "public");
    assert!(catalog.extensions.is_empty());

    let users = table(&models, "users");
    assert_eq!(users.schema, "public");
    assert_eq!(users.comment.as_deref(), Some("Registered accounts"));
    let renamed = |from: &str, to: &str| Rename {
        schema: "public".into(),
        from: from.into(),
        to: to.into(),
    };
    assert_eq!(models.intent.tables, [renamed("accounts", "users")]);
    let names: Vec<&str> = users.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "id",
            "email",
            "password_hash",
            "webauthn_credentials",
            "created_at",
            "deleted_at",
            "world_id",
            "tenant_id",
            "age",
            "mood",
            "balance",
            "nickname",
            "full_name",
            "double_balance",
        ]
    );
    let full_name = column(users, "full_name");
    assert_eq!(
        models.intent.columns,
        [MemberRename {
            owner: QualifiedName::new("public", "users"),
            from: "fullname".into(),
            to: "full_name".into(),
        }]
    );
    assert_eq!(full_name.comment.as_deref(), Some("Display name"));
    assert_eq!(
        column(users, "created_at").default.as_deref(),
        Some("now()")
    );
    assert_eq!(
        column(users, "double_balance").generated.as_deref(),
        Some("balance * 2")
    );
    assert_eq!(column(users, "mood").data_type, "public.mood");

    // Unnamed constraints and indexes are left for PostgreSQL to name.
    let pk = users.primary_key.as_ref().expect("primary key");
    assert_eq!(
        (pk.name.as_str(), pk.columns.as_slice()),
        ("", &["id".to_string()][..])
    );
    let uniques: Vec<(&str, Vec<&str>)> = users
        .uniques
        .iter()
        .map(|u| {
            (
                u.name.as_str(),
                u.columns.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        uniques,
        [
            ("uq_users_tenant_email", vec!["tenant_id", "email"]),
            ("", vec!["email"]),
        ]
    );
    assert_eq!(users.checks.len(), 1);
    assert_eq!(users.checks[0].name, "ck_users_age");
    assert_eq!(users.checks[0].expression, "age >= 0");

    let fk = &users.foreign_keys[0];
    assert_eq!(fk.name, "");
    assert_eq!(fk.columns, ["world_id"]);
    assert_eq!(fk.references, QualifiedName::new("public", "worlds"));
    assert_eq!(fk.referenced_columns, ["id"]);
    assert_eq!(fk.on_delete, ReferentialAction::Cascade);
    assert_eq!(fk.on_update, ReferentialAction::NoAction);

    assert_eq!(users.indexes.len(), 3);
    let by_created = &users.indexes[0];
    assert_eq!(
        (by_created.name.as_str(), by_created.method.as_str()),
        ("", "btree")
    );
    assert_eq!(by_created.keys, [column_key("created_at")]);
    let by_email = &users.indexes[1];
    assert_eq!(by_email.name, "ix_users_lower_email");
    assert!(by_email.unique);
    assert_eq!(by_email.predicate.as_deref(), Some("deleted_at IS NULL"));
    assert_eq!(
        by_email.keys[0].target,
        IndexTarget::Expression("lower(email)".to_string())
    );
    let by_tenant = &users.indexes[2];
    assert_eq!(by_tenant.keys, [column_key("tenant_id")]);
    assert!(!by_tenant.unique);

    let mood = &catalog.enums[0];
    assert_eq!(
        (mood.schema.as_str(), mood.name.as_str()),
        ("public", "mood")
    );
    assert_eq!(mood.values, ["happy", "so-so", "unhappy"]);
    assert_eq!(
        models.intent.enum_values,
        [MemberRename {
            owner: QualifiedName::new("public", "mood"),
            from: "sad".into(),
            to: "unhappy".into(),
        }]
    );
}

#[test]
fn default_names_are_snake_case_and_raw_identifiers_are_unwrapped() {
    let models = load(
        r#"
        #[derive(Model)]
        pub struct UserIdentity { pub r#type: String, pub HTTPStatus: i32 }

        #[derive(DbEnum)]
        enum TrafficLight { Red, AmberBlinking, r#Green }
        "#,
    );
    let t = table(&models, "user_identity");
    assert_eq!(t.schema, "public");
    assert_eq!(t.columns[0].name, "type");
    assert_eq!(t.columns[1].name, "HTTPStatus");
    let light = &models.catalog.enums[0];
    assert_eq!(light.name, "traffic_light");
    assert_eq!(light.values, ["red", "amber_blinking", "green"]);
}

#[test]
fn enum_settings() {
    let models = load(
        r#"
        #[derive(DbEnum)]
        #[model(type_name = "status", schema = "app", comment = "Order status")]
        #[model(renamed_from = "order_state")]
        enum Status {
            #[model(rename = "NEW")] New,
            #[model(renamed_from = "done", rename = "finished")] Finished,
            Cancelled,
        }
        "#,
    );
    let status = &models.catalog.enums[0];
    assert_eq!(status.schema, "app");
    assert_eq!(status.name, "status");
    assert_eq!(status.values, ["NEW", "finished", "cancelled"]);
    assert_eq!(status.comment.as_deref(), Some("Order status"));
    assert_eq!(
        models.intent.enums,
        [Rename {
            schema: "app".into(),
            from: "order_state".into(),
            to: "status".into(),
        }]
    );
    assert_eq!(
        models.intent.enum_values,
        [MemberRename {
            owner: QualifiedName::new("app", "status"),
            from: "done".into(),
            to: "finished".into(),
        }]
    );
    let schemas: Vec<&str> = models
        .catalog
        .schemas
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(schemas, ["app"]);
}

#[test]
fn composite_primary_key_and_table_level_constraints() {
    let models = load(
        r#"
        #[derive(Model)]
        #[model(schema = "app", primary_key = ["tenant_id", "id"])]
        #[model(unique(columns = ["tenant_id", "slug"]), unique(name = "uq_code", columns = ["code"]))]
        #[model(check(expr = "id > 0"))]
        #[model(foreign_key(name = "fk_parent", columns = ["tenant_id", "parent_id"], references = "app.item(tenant_id, id)",
                            on_delete = "set_null", on_update = "RESTRICT", deferrable = "initially deferred"))]
        #[model(foreign_key(columns = ["tenant_id"], references = "tenants(id)", deferrable))]
        struct Item {
            tenant_id: i64,
            id: i64,
            parent_id: Option<i64>,
            slug: String,
            code: String,
        }

        #[derive(Model)]
        #[model(table = "tenants", schema = "app")]
        struct Tenant { #[model(primary_key)] id: i64 }

        #[derive(Model)]
        #[model(table = "tenants")]
        struct PublicTenant { #[model(primary_key)] id: i64 }
        "#,
    );
    let items = table(&models, "item");
    assert_eq!(items.schema, "app");
    assert_eq!(
        items.primary_key.as_ref().map(|pk| pk.columns.clone()),
        Some(vec!["tenant_id".to_string(), "id".to_string()])
    );
    assert_eq!(items.uniques[0].name, "");
    assert_eq!(items.uniques[0].columns, ["tenant_id", "slug"]);
    assert_eq!(items.uniques[1].name, "uq_code");
    assert_eq!(items.checks[0].name, "");
    assert_eq!(items.checks[0].expression, "id > 0");

    let parent = &items.foreign_keys[0];
    assert_eq!(parent.name, "fk_parent");
    assert_eq!(parent.columns, ["tenant_id", "parent_id"]);
    assert_eq!(parent.references, QualifiedName::new("app", "item"));
    assert_eq!(parent.referenced_columns, ["tenant_id", "id"]);
    assert_eq!(parent.on_delete, ReferentialAction::SetNull);
    assert_eq!(parent.on_update, ReferentialAction::Restrict);
    assert_eq!(parent.deferral, Deferral::InitiallyDeferred);

    // Unqualified references prefer the referencing table's own schema.
    let tenant = &items.foreign_keys[1];
    assert_eq!(tenant.references, QualifiedName::new("app", "tenants"));
    assert_eq!(tenant.deferral, Deferral::Deferrable);
}

#[test]
fn self_references_and_other_schemas_resolve() {
    let models = load(
        r#"
        #[derive(Model)]
        #[model(table = "items", schema = "app", primary_key = ["tenant_id", "id"])]
        struct Item { tenant_id: i64, id: i64 }

        #[derive(Model)]
        struct Node {
            #[model(primary_key)] id: i64,
            #[model(references = "node(id)", on_delete = "set default", on_update = "cascade", deferrable = "initially immediate")]
            parent: Option<i64>,
            #[model(references = "items(id)")]
            item: i64,
            #[model(references = "app.items(tenant_id)", on_delete = "no action")]
            tenant: i64,
        }
        "#,
    );
    let node = table(&models, "node");
    let targets: Vec<String> = node
        .foreign_keys
        .iter()
        .map(|fk| fk.references.to_string())
        .collect();
    assert_eq!(targets, ["public.node", "app.items", "app.items"]);
    assert_eq!(
        node.foreign_keys[0].on_delete,
        ReferentialAction::SetDefault
    );
    assert_eq!(node.foreign_keys[0].on_update, ReferentialAction::Cascade);
    assert_eq!(node.foreign_keys[0].deferral, Deferral::Deferrable);
    let schemas: Vec<&str> = models
        .catalog
        .schemas
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(schemas, ["app", "public"]);
}

#[test]
fn index_settings() {
    let models = load(
        r#"
        #[derive(Model)]
        #[model(index(name = "ix_doc", columns = ["body"], using = "GIN"))]
        #[model(index(columns = ["created_at DESC", "lower(title) ASC NULLS FIRST", "\"Title\""], include = ["id"], where = "id > 0"))]
        #[model(index(columns = ["id desc nulls last"], unique))]
        struct Doc {
            id: i64,
            body: serde_json::Value,
            created_at: NaiveDateTime,
            title: String,
            #[model(column = "Title")]
            title_cased: String,
        }
        "#,
    );
    let doc = table(&models, "doc");
    let gin = &doc.indexes[0];
    assert_eq!((gin.name.as_str(), gin.method.as_str()), ("ix_doc", "gin"));
    let mixed = &doc.indexes[1];
    assert_eq!(mixed.include, ["id"]);
    assert_eq!(mixed.predicate.as_deref(), Some("id > 0"));
    assert_eq!(
        mixed.keys,
        [
            IndexKey {
                descending: true,
                nulls_first: true,
                ..column_key("created_at")
            },
            IndexKey {
                target: IndexTarget::Expression("lower(title)".to_string()),
                nulls_first: true,
                ..column_key("")
            },
            column_key("Title"),
        ]
    );
    let unique = &doc.indexes[2];
    assert!(unique.unique);
    assert_eq!(
        unique.keys,
        [IndexKey {
            descending: true,
            ..column_key("id")
        }]
    );
}

#[test]
fn flags_accept_explicit_booleans() {
    let models = load(&struct_with(
        r#"#[model(primary_key = true, unique = false, index = false, skip = false)] id: i64,
        #[model(skip = true)] cache: std::collections::HashMap<String, String>"#,
    ));
    let t = table(&models, "t");
    assert!(t.primary_key.is_some());
    assert!(t.uniques.is_empty() && t.indexes.is_empty());
    assert_eq!(t.columns.len(), 1);
}

#[test]
fn several_model_attributes_and_items_combine() {
    let models = load(
        r#"
        #[derive(Debug, Clone, autogen::Model, serde::Serialize)]
        #[model(table = "people")]
        #[model(comment = "People")]
        #[serde(rename_all = "camelCase")]
        struct Person {
            #[model(primary_key)]
            #[model(identity)]
            #[serde(skip)]
            id: i64,
        }
        "#,
    );
    let people = table(&models, "people");
    assert_eq!(people.comment.as_deref(), Some("People"));
    assert!(people.columns[0].identity.is_some());
    assert!(people.primary_key.is_some());
}

#[test]
fn table_settings_row_level_security_storage_and_replica_identity() {
    let models = load(
        r#"
        #[derive(Model)]
        #[model(table = "documents", row_level_security = "forced", unlogged)]
        #[model(storage_parameters = ["fillfactor = 70", "toast.autovacuum_enabled=false"])]
        #[model(replica_identity = "using index documents_pkey")]
        struct Document { #[model(primary_key)] id: i64 }

        #[derive(Model)]
        #[model(row_level_security, replica_identity = "FULL")]
        struct Note { id: i64 }

        #[derive(Model)]
        #[model(partition_by = "RANGE (created_on)", primary_key = ["id", "created_on"])]
        struct Event { id: i64, created_on: chrono::NaiveDate }

        #[derive(Model)]
        struct Plain { id: i64 }
        "#,
    );
    let event = table(&models, "event");
    assert_eq!(event.partition_by.as_deref(), Some("RANGE (created_on)"));
    assert!(event.partition_of.is_none());
    let documents = table(&models, "documents");
    assert!(documents.row_level_security && documents.force_row_level_security);
    assert!(documents.unlogged);
    assert_eq!(
        documents.storage_parameters,
        ["fillfactor=70", "toast.autovacuum_enabled=false"]
    );
    assert_eq!(
        documents.replica_identity,
        ReplicaIdentity::Index("documents_pkey".into())
    );
    let note = table(&models, "note");
    assert!(note.row_level_security && !note.force_row_level_security);
    assert_eq!(note.replica_identity, ReplicaIdentity::Full);
    let plain = table(&models, "plain");
    assert!(!plain.row_level_security && !plain.unlogged);
    assert!(plain.storage_parameters.is_empty());
    assert!(plain.replica_identity.is_default());
    assert!(plain.partition_by.is_none());
}

#[test]
fn column_settings_statistics_storage_compression_and_options() {
    let models = load(
        r#"
        #[derive(Model)]
        struct StateGroup {
            #[model(statistics = 500, column_options = ["n_distinct_inherited=100", "N_DISTINCT = -0.02"])]
            state_group: i64,
            #[model(storage = "EXTERNAL", compression = "lz4")]
            body: String,
            plain: String,
        }
        "#,
    );
    let table = table(&models, "state_group");
    let state_group = column(table, "state_group");
    assert_eq!(state_group.statistics, Some(500));
    assert_eq!(
        state_group.options,
        ["n_distinct=-0.02", "n_distinct_inherited=100"]
    );
    let body = column(table, "body");
    assert_eq!(body.storage.as_deref(), Some("external"));
    assert_eq!(body.compression.as_deref(), Some("lz4"));
    assert!(!column(table, "plain").has_settings());
}

#[test]
fn empty_and_unit_structs_are_tables_without_columns() {
    let models = load("#[derive(Model)] struct Empty {}\n#[derive(Model)] struct Marker;");
    assert_eq!(models.catalog.tables.len(), 2);
    assert!(models.catalog.tables.iter().all(|t| t.columns.is_empty()));
}

#[test]
fn inline_modules_at_any_depth_and_other_items_are_ignored() {
    let models = load(
        r#"
        struct NotAModel { x: u128 }
        #[derive(Debug)]
        enum NotAnEnum { A(u32) }
        fn helper() -> u32 { 1 }
        mod outer {
            #[derive(Model)]
            struct A { id: i64 }
            pub mod inner {
                mod deepest {
                    #[derive(autogen::DbEnum)]
                    enum Level { Low }
                }
                #[derive(::autogen::Model)]
                struct B { level: Level }
            }
        }
        mod external;
        #[derive(Model)]
        struct C { id: i64 }
        "#,
    );
    let tables: Vec<&str> = models
        .catalog
        .tables
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(tables, ["a", "b", "c"]);
    assert_eq!(table(&models, "b").columns[0].data_type, "public.level");
}

#[test]
fn declaration_order_across_files_is_kept() {
    let models = autogen_model::load_sources(vec![
        ("b.rs".into(), "#[derive(Model)] struct Zebra { id: i64 }\n#[derive(Model)] #[model(schema = \"s\")] struct Ant { id: i64 }".into()),
        ("a.rs".into(), "#[derive(DbEnum)] #[model(schema = \"t\")] enum Kind { X }\n#[derive(Model)] struct Mid { kind: Kind }".into()),
    ])
    .expect("valid");
    let tables: Vec<&str> = models
        .catalog
        .tables
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(tables, ["zebra", "ant", "mid"]);
    let schemas: Vec<&str> = models
        .catalog
        .schemas
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(schemas, ["public", "s", "t"]);
    assert_eq!(models.sources.len(), 2);
    assert_eq!(models.sources[0].path, std::path::PathBuf::from("b.rs"));
}

#[test]
fn origins_point_at_the_declarations() {
    let text = r#"#[derive(Model)]
#[model(index(columns = ["a"]), check(expr = "a > 0"))]
struct Thing {
    #[model(primary_key, unique)]
    a: i32,
    #[model(index, references = "thing(a)")]
    b: Option<i32>,
}
#[derive(DbEnum)]
enum Color { Red }
"#;
    let models = load(text);
    let origins = &models.origins;
    let at = |origin: &autogen_model::Origin| {
        (
            origin.line,
            origin.column,
            &text[origin.byte_offset..origin.byte_offset + origin.byte_len],
        )
    };
    assert_eq!(at(&origins.enums[0]), (10, 6, "Color"));
    let thing = &origins.tables[0];
    assert_eq!(at(&thing.table), (3, 8, "Thing"));
    assert_eq!(at(&thing.columns[0]), (5, 5, "a: i32"));
    assert_eq!(at(&thing.columns[1]), (7, 5, "b: Option<i32>"));
    assert_eq!(
        at(thing.primary_key.as_ref().expect("pk")),
        (4, 13, "primary_key")
    );
    assert_eq!(at(&thing.uniques[0]), (4, 26, "unique"));
    assert_eq!(at(&thing.checks[0]), (2, 33, "check(expr = \"a > 0\")"));
    let indexes: Vec<_> = thing.indexes.iter().map(at).collect();
    assert_eq!(
        indexes,
        [(2, 9, "index(columns = [\"a\"])"), (6, 13, "index")]
    );
    assert_eq!(
        at(&thing.foreign_keys[0]),
        (6, 20, "references = \"thing(a)\"")
    );
    assert_eq!(thing.table.file, std::path::PathBuf::from(FILE));
    let table = &models.catalog.tables[0];
    assert_eq!(thing.columns.len(), table.columns.len());
    assert_eq!(thing.indexes.len(), table.indexes.len());
}

#[test]
fn the_catalog_is_not_canonicalized() {
    let models = load(
        "#[derive(Model)] struct Zeta { b: i32, a: i32 }\n#[derive(Model)] struct Alpha { x: i32 }",
    );
    assert!(!models.catalog.is_canonical());
    assert_eq!(models.catalog.tables[0].columns[0].name, "b");
}

#[test]
fn empty_input_and_files_without_models_give_an_empty_catalog() {
    let models = autogen_model::load_sources(vec![
        ("empty.rs".into(), String::new()),
        ("plain.rs".into(), "fn main() { println!(\"hi\"); }".into()),
        (
            "bom.rs".into(),
            "\u{feff}#!/usr/bin/env run-cargo-script\n#[derive(Model)] struct A { id: i64 }".into(),
        ),
    ])
    .expect("valid");
    assert_eq!(models.catalog.tables.len(), 1);
    assert_eq!(models.origins.tables[0].table.line, 2);
    assert_eq!(models.origins.tables[0].table.column, 25);
}

#[test]
fn backfill_and_using_are_model_intent_not_schema() {
    let models = load(&struct_with(
        "#[model(backfill = \"first_name || ' ' || last_name\")]\n    full_name: String,\n    \
         #[model(using = \"price / 100.0\", sql_type = \"numeric(12,2)\")]\n    price: i64,\n    \
         first_name: String,\n    last_name: String,",
    ));
    let t = QualifiedName::new("public", "t");
    assert_eq!(
        models.intent.backfill(&t, "full_name"),
        Some("first_name || ' ' || last_name")
    );
    assert_eq!(models.intent.conversion(&t, "price"), Some("price / 100.0"));
    assert_eq!(models.intent.backfill(&t, "price"), None);
    // The column itself is what the field says: no default comes from the backfill.
    let full_name = column(table(&models, "t"), "full_name");
    assert!(full_name.not_null);
    assert_eq!(full_name.default, None);
}

#[test]
fn identity_and_generated_columns_cannot_have_a_backfill() {
    expect_error(
        &struct_with("#[model(identity, backfill = \"1\")]\n    id: i64,"),
        "backfill = «\"1\"»",
        "an identity column cannot have a `backfill`",
    );
    expect_error(
        &struct_with("#[model(generated = \"a * 2\", backfill = \"0\")]\n    b: i32,\n    a: i32,"),
        "backfill = «\"0\"»",
        "a generated column cannot have a `backfill`",
    );
    expect_error(
        &struct_with("#[model(backfill = \"  \")]\n    b: i32,"),
        "backfill = «\"  \"»",
        "`backfill` is empty",
    );
}
