//! SeaORM entity files as models: the mapping to the declared catalog (what SeaORM's
//! `create_table_from_entity` makes on PostgreSQL) and the diagnostics for what autogen
//! cannot map, at file:line.

mod common;
use autogen_model::{AutoIncrement, SeaOrmOptions, load_models, load_models_with, load_sources};
use autogen_schema::{IdentityKind, IndexTarget, ReferentialAction};
use common::*;
use std::path::PathBuf;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/seaorm/entity")
}

/// One entity module `m` with `fields` and `relation` variants.
fn entity(table_attrs: &str, fields: &str) -> String {
    format!(
        "use sea_orm::entity::prelude::*;\n#[derive(Clone, Debug, DeriveEntityModel)]\n#[sea_orm({table_attrs})]\npub struct Model {{\n{fields}\n}}\n"
    )
}

fn help(error: &autogen_model::ModelError) -> &str {
    error.help.as_deref().unwrap_or("")
}

#[test]
fn the_fixture_maps_like_seaorm_creates_it() {
    let models = load_models(&[fixture()]).expect("the SeaORM fixture loads");
    let catalog = &models.catalog;
    let names: Vec<&str> = catalog.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["cake", "cake_filling", "filling", "fruit"]);
    assert_eq!(catalog.enums.len(), 1);
    assert_eq!(catalog.enums[0].name, "tea");
    assert_eq!(catalog.enums[0].values, ["EverydayTea", "BreakfastTea"]);

    let cake = table(&models, "cake");
    let id = column(cake, "id");
    assert_eq!(id.data_type, "integer");
    assert_eq!(
        id.identity.as_ref().map(|identity| identity.kind),
        Some(IdentityKind::ByDefault)
    );
    assert_eq!(column(cake, "name").data_type, "character varying");
    assert_eq!(column(cake, "price").data_type, "numeric(10,2)");
    assert_eq!(column(cake, "extra_data").data_type, "json");
    assert_eq!(column(cake, "served_with").data_type, "public.tea");
    assert!(!column(cake, "served_with").not_null);
    assert_eq!(column(cake, "gluten_free").default.as_deref(), Some("true"));
    assert!(cake.column("cached_rating").is_none(), "ignored field");
    assert_eq!(cake.uniques[0].columns, ["name"]);
    assert_eq!(cake.indexes[0].name, "idx-cake-baked_at");
    assert_eq!(
        cake.indexes[0].keys[0].target,
        IndexTarget::Column("baked_at".to_string())
    );
    assert_eq!(
        cake.primary_key.as_ref().map(|pk| pk.name.as_str()),
        Some("")
    );

    let fruit = table(&models, "fruit");
    assert_eq!(column(fruit, "name").default.as_deref(), Some("'apple'"));
    assert_eq!(column(fruit, "size").data_type, "character varying(1)");
    let fk = &fruit.foreign_keys[0];
    assert_eq!(fk.name, "fk-fruit-cake_id");
    assert_eq!(fk.references.name, "cake");
    assert_eq!(fk.referenced_columns, ["id"]);
    assert_eq!(fk.on_delete, ReferentialAction::Cascade);

    let link = table(&models, "cake_filling");
    let pk = link.primary_key.as_ref().expect("composite key");
    assert_eq!(pk.name, "pk-cake_filling");
    assert_eq!(pk.columns, ["cake_id", "filling_id"]);
    assert!(column(link, "cake_id").identity.is_none());
    assert_eq!(link.foreign_keys.len(), 2);
    assert!(column(table(&models, "filling"), "id").identity.is_none());

    // Every table and column has its origin in the entity files.
    let origin = &models.origins.tables[0].columns[0];
    assert!(origin.file.ends_with("cake.rs"), "{origin:?}");
}

#[test]
fn serial_keys_for_seaorm_1() {
    let options = SeaOrmOptions {
        auto_increment: AutoIncrement::Serial,
    };
    let models = load_models_with(&[fixture()], &options).expect("the SeaORM fixture loads");
    let id = column(table(&models, "cake"), "id");
    assert!(id.identity.is_none());
    assert_eq!(
        id.default.as_deref(),
        Some("nextval('\"public\".\"cake_id_seq\"'::regclass)")
    );
    let sequences: Vec<&str> = models
        .catalog
        .sequences
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(sequences, ["cake_id_seq", "fruit_id_seq"]);
    assert_eq!(models.catalog.sequences[1].data_type, "bigint");
}

#[test]
fn column_names_follow_seaorm() {
    let text = entity(
        "table_name = \"t\", schema_name = \"app\"",
        "#[sea_orm(primary_key)] pub id: i32,\n\
         #[sea_orm(column_name = \"Full Name\")] pub name: String,\n\
         #[sea_orm(enum_name = \"Kind\")] pub r#type: String,\n\
         pub _private: i64,\n\
         #[sea_orm(nullable)] pub note: String,\n\
         #[sea_orm(column_type = \"JsonBinary\")] pub doc: Json,\n\
         pub tags: Vec<String>,\n\
         pub at: DateTime,\n\
         #[sea_orm(default_expr = \"now()\")] pub created: DateTime<Utc>,",
    );
    let models = load(&text);
    let t = &models.catalog.tables[0];
    assert_eq!(t.schema, "app");
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "id",
            "Full Name",
            "kind",
            "private",
            "note",
            "doc",
            "tags",
            "at",
            "created"
        ]
    );
    assert!(!column(t, "note").not_null);
    assert_eq!(column(t, "doc").data_type, "jsonb");
    assert_eq!(column(t, "tags").data_type, "character varying[]");
    assert_eq!(column(t, "at").data_type, "timestamp without time zone");
    assert_eq!(column(t, "created").data_type, "timestamp with time zone");
    assert_eq!(column(t, "created").default.as_deref(), Some("(now())"));
}

#[test]
fn seaorm_and_autogen_models_live_together() {
    let seaorm = entity("table_name = \"a\"", "#[sea_orm(primary_key)] pub id: i32,");
    let ours = "#[derive(Model)]\nstruct B { #[model(primary_key)] id: i64 }";
    let models = load_sources(vec![
        ("a.rs".into(), seaorm),
        ("b.rs".into(), ours.to_string()),
    ])
    .expect("both load");
    let names: Vec<&str> = models
        .catalog
        .tables
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(names, ["b", "a"]);
}

#[test]
fn unmappable_settings_are_errors_at_their_line() {
    let text = entity(
        "table_name = \"t\"",
        "#[sea_orm(primary_key)] pub id: i32,\n#[sea_orm(extra = \"CHECK (x > 0)\")] pub x: i32,",
    );
    let error = expect_error(&text, "extra", "autogen cannot map #[sea_orm(extra)]");
    assert!(help(&error).contains("[models] sql"), "{}", help(&error));
    assert_eq!(error.line, 6);
    assert_eq!(
        error.one_line(),
        "models.rs:6:11: autogen cannot map #[sea_orm(extra)]"
    );

    let text = entity(
        "table_name = \"t\"",
        "#[sea_orm(primary_key, indexd)] pub id: i32,",
    );
    let error = expect_error(
        &text,
        "indexd",
        "unknown SeaORM setting `indexd` on an entity field",
    );
    assert_eq!(help(&error), "did you mean `indexed`?");
}

#[test]
fn unknown_types_ask_for_column_type() {
    let text = entity(
        "table_name = \"t\"",
        "#[sea_orm(primary_key)] pub id: i32,\npub point: Point,",
    );
    let error = expect_error(
        &text,
        "Point",
        "autogen cannot tell the column type of `Point`",
    );
    assert!(help(&error).contains("column_type"), "{}", help(&error));

    let text = entity(
        "table_name = \"t\"",
        "#[sea_orm(primary_key)] pub id: i32,\n#[sea_orm(column_type = \"Year\")] pub y: i32,",
    );
    expect_error(
        &text,
        "\"Year\"",
        "column_type `Year` is MySQL only; PostgreSQL has no year type",
    );
}

#[test]
fn deeply_nested_setting_strings_are_refused_before_parsing() {
    let nested = format!("Decimal({}None{})", "(".repeat(10_000), ")".repeat(10_000));
    let text = entity(
        "table_name = \"t\"",
        &format!(
            "#[sea_orm(primary_key)] pub id: i32,\n#[sea_orm(column_type = {nested:?})] pub d: Decimal,"
        ),
    );
    let error = single_error(&text);
    assert!(
        error.message.ends_with("is nested too deep"),
        "{}",
        error.message
    );
}

#[test]
fn auto_increment_needs_an_integer_key() {
    let text = entity(
        "table_name = \"t\"",
        "#[sea_orm(primary_key, auto_increment = true)] pub id: String,",
    );
    let error = expect_error(
        &text,
        "auto_increment = true",
        "an auto-increment primary key must be an integer, not `String`",
    );
    assert!(
        help(&error).contains("auto_increment = false"),
        "{}",
        help(&error)
    );
    // Without the setting a String key simply does not auto-increment.
    let text = entity(
        "table_name = \"t\"",
        "#[sea_orm(primary_key)] pub id: String,",
    );
    assert!(
        column(&load(&text).catalog.tables[0], "id")
            .identity
            .is_none()
    );
}

#[test]
fn entities_need_a_table_name() {
    let text = entity("schema_name = \"x\"", "pub id: i32,");
    expect_error(&text, "«Model» {", "a SeaORM entity without `table_name`");
}

#[test]
fn enum_names_with_capitals_would_fail_in_seaorm() {
    let text = "#[derive(EnumIter, DeriveActiveEnum)]\n#[sea_orm(rs_type = \"String\", db_type = \"Enum\")]\npub enum Tea { #[sea_orm(string_value = \"a\")] A }";
    let error = expect_error(
        text,
        "«Tea» {",
        "enum type name `Tea` has upper-case letters",
    );
    assert!(
        help(&error).contains("enum_name = \"tea\""),
        "{}",
        help(&error)
    );

    let text = "#[derive(EnumIter, DeriveActiveEnum)]\n#[sea_orm(rs_type = \"String\", db_type = \"Enum\", enum_name = \"tea\")]\npub enum Tea { A }";
    expect_error(text, "«A» }", "variant `A` has no `string_value`");
}

#[test]
fn relations_name_existing_entities_and_columns() {
    let cake = entity(
        "table_name = \"cake\"",
        "#[sea_orm(primary_key)] pub id: i32,",
    );
    let fruit = format!(
        "{}\n#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]\npub enum Relation {{\n    #[sea_orm(belongs_to = \"super::cakes::Entity\", from = \"Column::CakeId\", to = \"super::cake::Column::Id\")]\n    Cake,\n    #[sea_orm(belongs_to = \"super::cake::Entity\", from = \"Column::CakId\", to = \"super::cake::Column::Id\", on_delete = \"Cascde\")]\n    Cake2,\n}}\n",
        entity(
            "table_name = \"fruit\"",
            "#[sea_orm(primary_key)] pub id: i32,\npub cake_id: i32,"
        )
    );
    let errors = load_sources(vec![
        ("cake.rs".into(), cake),
        ("fruit.rs".into(), fruit.clone()),
    ])
    .expect_err("bad relations")
    .errors;
    let lines: Vec<String> = errors.iter().map(|e| e.one_line()).collect();
    assert_eq!(errors.len(), 3, "{lines:#?}");
    assert_error(
        &errors[0],
        &fruit,
        "\"super::cakes::Entity\"",
        "there is no SeaORM entity in a module `cakes`",
    );
    assert_eq!(help(&errors[0]), "did you mean `cake`?");
    assert_error(
        &errors[1],
        &fruit,
        "\"Column::CakId\"",
        "entity `fruit` has no column `CakId`",
    );
    assert_error(
        &errors[2],
        &fruit,
        "\"Cascde\"",
        "unknown `on_delete` action `Cascde`",
    );
}

#[test]
fn backfill_and_using_are_read_as_on_autogens_own_models() {
    let text = entity(
        "table_name = \"person\"",
        "#[sea_orm(primary_key)]\n    pub id: i32,\n    pub first_name: String,\n    \
         #[sea_orm(backfill = \"first_name || '!'\")]\n    pub greeting: String,\n    \
         #[sea_orm(using = \"age_text::integer\")]\n    pub age: i32,",
    );
    let models = load_sources(vec![("person.rs".into(), text)]).expect("loads");
    let person = autogen_schema::QualifiedName::new("public", "person");
    assert_eq!(
        models.intent.backfill(&person, "greeting"),
        Some("first_name || '!'")
    );
    assert_eq!(
        models.intent.conversion(&person, "age"),
        Some("age_text::integer")
    );
}
