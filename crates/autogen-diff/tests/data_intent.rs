//! Backfills and conversions from the models (`backfill = "…"`, `using = "…"`) in plans, and
//! the hints for required columns nothing gives a value. Running them on PostgreSQL is
//! `tests/data_migrations.rs`'s job.

use autogen_diff::{
    Hazard, OnlineOptions, PlanOptions, Transaction, ValueHint, diff_renaming, migration,
    plan_changes, plan_online_changes,
};
use autogen_schema::{
    Catalog, Column, ColumnExpression, ModelIntent, QualifiedName, catalog_from_json,
};

const USERS: &str = r#"{
  "schemas": [{"name": "public"}],
  "tables": [
    {
      "schema": "public", "name": "users",
      "columns": [
        {"name": "id", "data_type": "bigint", "not_null": true},
        {"name": "first_name", "data_type": "text", "not_null": true},
        {"name": "last_name", "data_type": "text", "not_null": true},
        {"name": "nickname", "data_type": "text"},
        {"name": "price", "data_type": "bigint"}
      ],
      "primary_key": {"name": "users_pkey", "columns": ["id"]}
    }
  ]
}"#;

fn users() -> Catalog {
    catalog_from_json(USERS).unwrap()
}

fn users_name() -> QualifiedName {
    QualifiedName::new("public", "users")
}

fn column_mut<'a>(catalog: &'a mut Catalog, name: &str) -> &'a mut Column {
    catalog.tables[0]
        .columns
        .iter_mut()
        .find(|column| column.name == name)
        .unwrap()
}

fn full_name(not_null: bool, default: Option<&str>) -> Column {
    Column {
        name: "full_name".into(),
        data_type: "text".into(),
        not_null,
        default: default.map(str::to_string),
        identity: None,
        generated: None,
        collation: None,
        comment: None,
        ..Column::default()
    }
}

fn with_full_name(not_null: bool, default: Option<&str>) -> Catalog {
    let mut catalog = users();
    catalog.tables[0].columns.push(full_name(not_null, default));
    catalog
}

fn backfill(column: &str, expression: &str) -> ModelIntent {
    ModelIntent {
        backfills: vec![ColumnExpression {
            table: users_name(),
            column: column.into(),
            expression: expression.into(),
        }],
        ..ModelIntent::default()
    }
}

const FULL_NAME: &str = "first_name || ' ' || last_name";

const BATCH: &str = "UPDATE \"public\".\"users\" SET \"full_name\" = (first_name || ' ' || last_name) \
     WHERE \"full_name\" IS NULL AND (first_name || ' ' || last_name) IS NOT NULL AND ctid = ANY \
     (ARRAY(SELECT ctid FROM \"public\".\"users\" WHERE \"full_name\" IS NULL AND \
     (first_name || ' ' || last_name) IS NOT NULL LIMIT 10000));";

#[test]
fn a_required_column_with_a_backfill_is_added_bare_filled_in_batches_then_made_not_null() {
    let changes = diff_renaming(
        &users(),
        &with_full_name(true, None),
        &backfill("full_name", FULL_NAME),
    )
    .unwrap();
    let plan = plan_changes(&changes);
    let sql: Vec<&str> = plan.statements.iter().map(|s| s.sql.as_str()).collect();
    assert_eq!(
        sql,
        [
            "ALTER TABLE \"public\".\"users\" ADD COLUMN \"full_name\" text;",
            BATCH,
            "ALTER TABLE \"public\".\"users\" ALTER COLUMN \"full_name\" SET NOT NULL;",
        ]
    );
    let batch = &plan.statements[1];
    assert!(batch.batched);
    assert_eq!(batch.transaction, Transaction::Own);
    assert!(batch.hazards.is_empty());
    assert!(
        !plan.transactional(),
        "a batched statement makes the section transaction:false"
    );
    assert!(plan.to_sql().contains(&format!("-- batch:\n{BATCH}")));
    // Only the added column is batched.
    assert_eq!(plan.statements.iter().filter(|s| s.batched).count(), 1);
    let json = serde_json::to_value(&plan.statements[1]).unwrap();
    assert_eq!(json["batched"], true);
    assert!(
        serde_json::to_value(&plan.statements[0])
            .unwrap()
            .get("batched")
            .is_none()
    );
}

#[test]
fn a_default_is_set_before_the_fill_so_only_existing_rows_get_the_backfill() {
    let changes = diff_renaming(
        &users(),
        &with_full_name(true, Some("'anonymous'::text")),
        &backfill("full_name", FULL_NAME),
    )
    .unwrap();
    let sql: Vec<String> = plan_changes(&changes)
        .statements
        .into_iter()
        .map(|s| s.sql)
        .collect();
    assert_eq!(
        sql,
        [
            "ALTER TABLE \"public\".\"users\" ADD COLUMN \"full_name\" text;".to_string(),
            "ALTER TABLE \"public\".\"users\" ALTER COLUMN \"full_name\" SET DEFAULT 'anonymous'::text;"
                .to_string(),
            BATCH.to_string(),
            "ALTER TABLE \"public\".\"users\" ALTER COLUMN \"full_name\" SET NOT NULL;".to_string(),
        ]
    );
}

#[test]
fn an_optional_column_with_a_backfill_is_filled_and_stays_nullable() {
    let changes = diff_renaming(
        &users(),
        &with_full_name(false, None),
        &backfill("full_name", FULL_NAME),
    )
    .unwrap();
    let plan = plan_changes(&changes);
    assert_eq!(plan.statements.len(), 2);
    assert_eq!(plan.statements[1].sql, BATCH);
}

#[test]
fn a_column_becoming_required_is_filled_first() {
    let mut desired = users();
    column_mut(&mut desired, "nickname").not_null = true;
    let changes = diff_renaming(&users(), &desired, &backfill("nickname", "first_name")).unwrap();
    let plan = plan_changes(&changes);
    let sql: Vec<&str> = plan.statements.iter().map(|s| s.sql.as_str()).collect();
    assert_eq!(sql.len(), 2);
    assert!(
        sql[0].starts_with(
            "UPDATE \"public\".\"users\" SET \"nickname\" = (first_name) WHERE \"nickname\" IS NULL"
        ),
        "{}",
        sql[0]
    );
    assert_eq!(
        sql[1],
        "ALTER TABLE \"public\".\"users\" ALTER COLUMN \"nickname\" SET NOT NULL;"
    );
}

#[test]
fn online_mode_fills_then_proves_not_null_with_a_validated_check() {
    let changes = diff_renaming(
        &users(),
        &with_full_name(true, None),
        &backfill("full_name", FULL_NAME),
    )
    .unwrap();
    let plan = plan_online_changes(&changes, &OnlineOptions::default());
    let sql: Vec<&str> = plan.statements.iter().map(|s| s.sql.as_str()).collect();
    let fill = sql.iter().position(|s| *s == BATCH).unwrap();
    let validate = sql
        .iter()
        .position(|s| s.contains("VALIDATE CONSTRAINT"))
        .unwrap();
    assert!(fill < validate, "{sql:#?}");
    assert!(
        sql.iter()
            .any(|s| s.ends_with("ADD COLUMN \"full_name\" text;"))
    );
}

#[test]
fn a_table_the_plan_creates_is_empty_and_keeps_its_plain_column() {
    let mut current = users();
    current.tables.clear();
    let changes = diff_renaming(
        &current,
        &with_full_name(true, None),
        &backfill("full_name", FULL_NAME),
    )
    .unwrap();
    let plan = plan_changes(&changes);
    assert_eq!(plan.statements.len(), 1);
    assert!(
        plan.statements[0]
            .sql
            .contains("\"full_name\" text NOT NULL")
    );
    assert!(!plan.statements.iter().any(|s| s.batched));
}

#[test]
fn using_replaces_the_default_cast_of_a_type_change() {
    let mut desired = users();
    column_mut(&mut desired, "price").data_type = "numeric(12,2)".into();
    let intent = ModelIntent {
        conversions: vec![ColumnExpression {
            table: users_name(),
            column: "price".into(),
            expression: "price / 100.0".into(),
        }],
        ..ModelIntent::default()
    };
    let changes = diff_renaming(&users(), &desired, &intent).unwrap();
    let plan = plan_changes(&changes);
    assert_eq!(
        plan.statements[0].sql,
        "ALTER TABLE \"public\".\"users\" ALTER COLUMN \"price\" TYPE numeric(12,2) USING (price / 100.0);"
    );
    assert!(
        plan.statements[0]
            .hazards
            .contains(&Hazard::MayFailOnExistingRows)
    );
    // Without it: PostgreSQL's cast.
    let plain = plan_changes(&diff_renaming(&users(), &desired, &ModelIntent::default()).unwrap());
    assert!(
        plain.statements[0]
            .sql
            .ends_with("USING \"price\"::numeric(12,2);")
    );
}

#[test]
fn required_columns_without_a_value_get_a_hint_and_the_way_back_none() {
    let mut desired = with_full_name(true, None);
    column_mut(&mut desired, "nickname").not_null = true;
    let hinted = migration(
        &users(),
        &desired,
        &ModelIntent::default(),
        &PlanOptions::default(),
    )
    .unwrap();
    assert_eq!(
        hinted.value_hints,
        [
            ValueHint::ColumnBecomesRequired {
                table: users_name(),
                column: "nickname".into()
            },
            ValueHint::RequiredColumnAdded {
                table: users_name(),
                column: "full_name".into()
            },
        ]
    );
    for hint in &hinted.value_hints {
        assert!(hint.to_string().contains("#[model(backfill = "), "{hint}");
    }
    // With backfills declared for both: no hint, and the down plan fills nothing.
    let mut intent = backfill("full_name", FULL_NAME);
    intent
        .backfills
        .extend(backfill("nickname", "first_name").backfills);
    let filled = migration(&users(), &desired, &intent, &PlanOptions::default()).unwrap();
    assert!(filled.value_hints.is_empty(), "{:?}", filled.value_hints);
    let down = filled.down.unwrap();
    assert!(!down.statements.iter().any(|s| s.batched));
    // A required column with a default needs no hint.
    let with_default = migration_hints(&with_full_name(true, Some("''::text")));
    assert!(with_default.is_empty());
}

fn migration_hints(desired: &Catalog) -> Vec<ValueHint> {
    migration(
        &users(),
        desired,
        &ModelIntent::default(),
        &PlanOptions::default(),
    )
    .unwrap()
    .value_hints
}
