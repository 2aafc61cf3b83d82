//! Expand/contract: which side of a deploy each statement of an online plan goes to, and the
//! dual-write column rename (exact SQL). Running the two sides on PostgreSQL is the CLI's
//! `tests/expand_contract.rs`.

use autogen_diff::{
    DeployPhase, OnlineOptions, Plan, deploy_phase, diff_renaming, plan_online_changes,
    split_expand_contract,
};
use autogen_schema::{
    Catalog, ColumnExpression, MemberRename, ModelIntent, QualifiedName, catalog_from_json,
};

const USERS: &str = r#"{
  "schemas": [{"name": "public"}],
  "tables": [
    {
      "schema": "public", "name": "users",
      "columns": [
        {"name": "id", "data_type": "bigint", "not_null": true},
        {"name": "fullname", "data_type": "text", "not_null": true},
        {"name": "legacy", "data_type": "integer", "not_null": true},
        {"name": "note", "data_type": "text"}
      ],
      "primary_key": {"name": "users_pkey", "columns": ["id"]},
      "indexes": [{"name": "users_note_idx", "method": "btree", "keys": [{"column": "note"}]}]
    }
  ]
}"#;

fn users() -> Catalog {
    catalog_from_json(USERS).unwrap()
}

fn users_name() -> QualifiedName {
    QualifiedName::new("public", "users")
}

fn online(current: &Catalog, desired: &Catalog, intent: &ModelIntent) -> Plan {
    let changes = diff_renaming(current, desired, intent).unwrap();
    plan_online_changes(&changes, &OnlineOptions::default())
}

/// `(side, sql)` of every statement that comes from a change.
fn sides(plan: &Plan) -> Vec<(DeployPhase, String)> {
    plan.statements
        .iter()
        .filter(|statement| plan.change_of(statement).is_some())
        .map(|statement| (deploy_phase(plan, statement), statement.sql.clone()))
        .collect()
}

fn desired(edit: impl FnOnce(&mut serde_json::Value)) -> Catalog {
    let mut json: serde_json::Value = serde_json::from_str(USERS).unwrap();
    edit(&mut json);
    catalog_from_json(&json.to_string()).unwrap()
}

fn table(json: &mut serde_json::Value) -> &mut serde_json::Value {
    &mut json["tables"][0]
}

use DeployPhase::{Contract, Expand};

#[test]
fn additive_changes_expand_and_destructive_ones_contract() {
    let desired = desired(|json| {
        let table = table(json);
        let columns = table["columns"].as_array_mut().unwrap();
        columns.retain(|column| column["name"] != "legacy");
        columns.push(serde_json::json!({"name": "email", "data_type": "text"}));
        columns.push(serde_json::json!({"name": "age", "data_type": "integer", "not_null": true, "default": "0"}));
        columns[1]["default"] = serde_json::json!("'anonymous'::text");
        columns[2]["data_type"] = serde_json::json!("character varying(200)");
        table["indexes"] = serde_json::json!([{"name": "users_email_idx", "method": "btree", "keys": [{"column": "email"}]}]);
    });
    let plan = online(&users(), &desired, &ModelIntent::default());
    let got = sides(&plan);
    let expected = [
        (
            Contract,
            "DROP INDEX CONCURRENTLY \"public\".\"users_note_idx\";",
        ),
        (
            Contract,
            "ALTER TABLE \"public\".\"users\" DROP COLUMN \"legacy\";",
        ),
        (
            Expand,
            "ALTER TABLE \"public\".\"users\" ALTER COLUMN \"fullname\" SET DEFAULT 'anonymous'::text;",
        ),
        (
            Contract,
            "ALTER TABLE \"public\".\"users\" ALTER COLUMN \"note\" TYPE character varying(200) USING \"note\"::character varying(200);",
        ),
        (
            Expand,
            "ALTER TABLE \"public\".\"users\" ADD COLUMN \"email\" text;",
        ),
        (
            Expand,
            "ALTER TABLE \"public\".\"users\" ADD COLUMN \"age\" integer DEFAULT 0 NOT NULL;",
        ),
        (
            Expand,
            "CREATE INDEX CONCURRENTLY \"users_email_idx\" ON \"public\".\"users\" USING btree (\"email\");",
        ),
    ];
    let expected: Vec<(DeployPhase, String)> = expected
        .iter()
        .map(|(side, sql)| (*side, sql.to_string()))
        .collect();
    assert_eq!(got, expected, "{got:#?}");
}

#[test]
fn online_steps_of_one_change_land_on_both_sides() {
    let desired = desired(|json| {
        let table = table(json);
        table["columns"][3]["not_null"] = serde_json::json!(true);
        table["checks"] = serde_json::json!([{"name": "users_id_check", "expression": "(id > 0)"}]);
        table["uniques"] =
            serde_json::json!([{"name": "users_fullname_key", "columns": ["fullname"]}]);
        table["foreign_keys"] = serde_json::json!([{"name": "users_parent_fkey", "columns": ["id"], "references": {"schema": "public", "name": "users"}, "referenced_columns": ["id"]}]);
    });
    let plan = online(&users(), &desired, &ModelIntent::default());
    let got: Vec<(DeployPhase, String)> = sides(&plan);
    let find = |needle: &str| {
        got.iter()
            .find(|(_, sql)| sql.contains(needle))
            .unwrap_or_else(|| panic!("{needle} in {got:#?}"))
            .0
    };
    assert_eq!(
        find("ADD CONSTRAINT \"users_id_check\" CHECK ((id > 0)) NOT VALID"),
        Expand
    );
    assert_eq!(find("VALIDATE CONSTRAINT \"users_id_check\""), Contract);
    assert_eq!(
        find("CREATE UNIQUE INDEX CONCURRENTLY \"users_fullname_key\""),
        Expand
    );
    assert_eq!(find("USING INDEX \"users_fullname_key\""), Contract);
    assert_eq!(find("FOREIGN KEY (\"id\")"), Expand);
    assert_eq!(find("VALIDATE CONSTRAINT \"users_parent_fkey\""), Contract);
    // The four steps of an online SET NOT NULL: a NOT VALID check on NULL already refuses the
    // old version's inserts that leave the column out.
    for step in [
        "ADD CONSTRAINT \"users_note_autogen_nn\"",
        "VALIDATE CONSTRAINT \"users_note_autogen_nn\"",
        "ALTER COLUMN \"note\" SET NOT NULL",
        "DROP CONSTRAINT \"users_note_autogen_nn\"",
    ] {
        assert_eq!(find(step), Contract, "{step}");
    }
}

#[test]
fn a_required_column_with_a_backfill_is_filled_on_the_expand_side() {
    let desired = desired(|json| {
        let columns = table(json)["columns"].as_array_mut().unwrap();
        columns.push(serde_json::json!({"name": "email", "data_type": "text", "not_null": true}));
    });
    let intent = ModelIntent {
        backfills: vec![ColumnExpression {
            table: users_name(),
            column: "email".into(),
            expression: "'u' || id || '@example.com'".into(),
        }],
        ..ModelIntent::default()
    };
    let plan = online(&users(), &desired, &intent);
    let got: Vec<(DeployPhase, bool, String)> = plan
        .statements
        .iter()
        .filter(|statement| plan.change_of(statement).is_some())
        .map(|s| (deploy_phase(&plan, s), s.batched, s.change.clone()))
        .collect();
    let expected = [
        (Expand, false, "add column public.users.email"),
        (
            Expand,
            true,
            "backfill column public.users.email in batches",
        ),
        (
            Contract,
            false,
            "set not null on column public.users.email (temporary check, not valid)",
        ),
        (
            Contract,
            false,
            "set not null on column public.users.email (validate the temporary check)",
        ),
        (
            Contract,
            false,
            "set not null on column public.users.email (no scan: the check proves it)",
        ),
        (
            Contract,
            false,
            "set not null on column public.users.email (drop the temporary check)",
        ),
    ];
    let expected: Vec<(DeployPhase, bool, String)> = expected
        .iter()
        .map(|(a, b, c)| (*a, *b, c.to_string()))
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn a_column_rename_becomes_a_synced_second_column() {
    let desired = desired(|json| {
        table(json)["columns"][1]["name"] = serde_json::json!("full_name");
    });
    let intent = ModelIntent {
        columns: vec![MemberRename {
            owner: users_name(),
            from: "fullname".into(),
            to: "full_name".into(),
        }],
        ..ModelIntent::default()
    };
    let plan = online(&users(), &desired, &intent);
    let split = split_expand_contract(&plan, &users());
    let expand: Vec<&str> = split
        .expand
        .statements
        .iter()
        .map(|s| s.sql.as_str())
        .collect();
    assert_eq!(
        expand,
        [
            "SET lock_timeout = '5s';",
            "ALTER TABLE \"public\".\"users\" ADD COLUMN \"full_name\" text;",
            "ALTER TABLE \"public\".\"users\" ALTER COLUMN \"fullname\" DROP NOT NULL;",
            "CREATE FUNCTION \"public\".\"autogen_sync_users_fullname_full_name\"() RETURNS trigger LANGUAGE plpgsql AS $autogen$\n\
             BEGIN\n\
             \x20 IF TG_OP = 'INSERT' THEN\n\
             \x20   IF NEW.\"full_name\" IS NULL THEN\n\
             \x20     NEW.\"full_name\" := NEW.\"fullname\";\n\
             \x20   ELSE\n\
             \x20     NEW.\"fullname\" := NEW.\"full_name\";\n\
             \x20   END IF;\n\
             \x20 ELSIF NEW.\"fullname\" IS DISTINCT FROM OLD.\"fullname\" AND NEW.\"full_name\" IS NOT DISTINCT FROM OLD.\"full_name\" THEN\n\
             \x20   NEW.\"full_name\" := NEW.\"fullname\";\n\
             \x20 ELSIF NEW.\"full_name\" IS DISTINCT FROM OLD.\"full_name\" AND NEW.\"fullname\" IS NOT DISTINCT FROM OLD.\"fullname\" THEN\n\
             \x20   NEW.\"fullname\" := NEW.\"full_name\";\n\
             \x20 ELSIF NEW.\"full_name\" IS NULL THEN\n\
             \x20   NEW.\"full_name\" := NEW.\"fullname\";\n\
             \x20 END IF;\n\
             \x20 RETURN NEW;\n\
             END\n\
             $autogen$;",
            "CREATE TRIGGER \"autogen_sync_fullname_full_name\" BEFORE INSERT OR UPDATE ON \"public\".\"users\" FOR EACH ROW EXECUTE FUNCTION \"public\".\"autogen_sync_users_fullname_full_name\"();",
            "UPDATE \"public\".\"users\" SET \"full_name\" = (\"fullname\") WHERE \"full_name\" IS NULL AND (\"fullname\") IS NOT NULL AND ctid = ANY (ARRAY(SELECT ctid FROM \"public\".\"users\" WHERE \"full_name\" IS NULL AND (\"fullname\") IS NOT NULL LIMIT 10000));",
            "RESET lock_timeout;",
        ]
    );
    assert!(split.expand.statements[5].batched);
    // The plain rename is what the contract side replaces (by dropping the old column).
    let deferred: Vec<&str> = split.deferred.iter().map(|s| s.sql.as_str()).collect();
    assert_eq!(
        deferred,
        ["ALTER TABLE \"public\".\"users\" RENAME COLUMN \"fullname\" TO \"full_name\";"]
    );
}

#[test]
fn a_dropped_required_column_becomes_optional_on_the_expand_side() {
    let desired = desired(|json| {
        table(json)["columns"]
            .as_array_mut()
            .unwrap()
            .retain(|column| column["name"] != "legacy");
    });
    let plan = online(&users(), &desired, &ModelIntent::default());
    let split = split_expand_contract(&plan, &users());
    let expand: Vec<&str> = split
        .expand
        .statements
        .iter()
        .map(|s| s.sql.as_str())
        .collect();
    assert_eq!(
        expand,
        [
            "SET lock_timeout = '5s';",
            "ALTER TABLE \"public\".\"users\" ALTER COLUMN \"legacy\" DROP NOT NULL;",
            "RESET lock_timeout;",
        ]
    );
    assert_eq!(
        split
            .deferred
            .iter()
            .map(|s| s.sql.as_str())
            .collect::<Vec<_>>(),
        ["ALTER TABLE \"public\".\"users\" DROP COLUMN \"legacy\";"]
    );
}

#[test]
fn a_pure_contract_plan_has_no_expand_side() {
    let desired = desired(|json| {
        table(json)["indexes"] = serde_json::json!([]);
    });
    let plan = online(&users(), &desired, &ModelIntent::default());
    let split = split_expand_contract(&plan, &users());
    assert!(!split.expands());
    assert!(split.expand.statements.is_empty());
    assert_eq!(split.deferred.len(), 1);
}

#[test]
fn new_tables_expand_whole_and_a_recreated_index_waits_for_contract() {
    let mut desired = desired(|json| {
        // Same name, another definition: dropped, then created again.
        table(json)["indexes"][0]["keys"][0]["column"] = serde_json::json!("fullname");
    });
    let mut extra = users().tables[0].clone();
    extra.name = "profiles".into();
    extra.primary_key.as_mut().unwrap().name = "profiles_pkey".into();
    extra.indexes.clear();
    desired.tables.push(extra);
    let plan = online(&users(), &desired, &ModelIntent::default());
    let got = sides(&plan);
    let side = |needle: &str| got.iter().find(|(_, sql)| sql.contains(needle)).unwrap().0;
    assert_eq!(side("CREATE TABLE \"public\".\"profiles\""), Expand);
    assert_eq!(
        side("DROP INDEX CONCURRENTLY \"public\".\"users_note_idx\""),
        Contract
    );
    assert_eq!(
        side("CREATE INDEX CONCURRENTLY \"users_note_idx\""),
        Contract
    );
}

#[test]
fn a_table_rename_leaves_a_view_under_the_old_name() {
    let mut desired = users();
    desired.tables[0].name = "people".into();
    let intent = ModelIntent {
        tables: vec![autogen_schema::Rename {
            schema: "public".into(),
            from: "users".into(),
            to: "people".into(),
        }],
        ..ModelIntent::default()
    };
    let plan = online(&users(), &desired, &intent);
    let split = split_expand_contract(&plan, &users());
    let expand: Vec<&str> = split
        .expand
        .statements
        .iter()
        .map(|s| s.sql.as_str())
        .collect();
    assert_eq!(
        expand,
        [
            "SET lock_timeout = '5s';",
            "ALTER TABLE \"public\".\"users\" RENAME TO \"people\";",
            "CREATE VIEW \"public\".\"users\" AS SELECT * FROM \"public\".\"people\";",
            "RESET lock_timeout;",
        ]
    );
    assert!(split.contracts());
    assert_eq!(split.stand_in_views, [users_name()]);
}

#[test]
fn a_foreign_key_to_a_key_attached_on_the_contract_side_waits_for_it() {
    let desired = desired(|json| {
        let table = table(json);
        table["uniques"] =
            serde_json::json!([{"name": "users_fullname_key", "columns": ["fullname"]}]);
        table["foreign_keys"] = serde_json::json!([{"name": "users_note_fkey", "columns": ["note"], "references": {"schema": "public", "name": "users"}, "referenced_columns": ["fullname"]}]);
    });
    let plan = online(&users(), &desired, &ModelIntent::default());
    let got = sides(&plan);
    let side = |needle: &str| got.iter().find(|(_, sql)| sql.contains(needle)).unwrap().0;
    assert_eq!(side("ADD CONSTRAINT \"users_note_fkey\""), Contract);
    assert_eq!(
        side("CREATE UNIQUE INDEX CONCURRENTLY \"users_fullname_key\""),
        Expand
    );
}

#[test]
fn enum_values_and_new_types_expand_their_removal_contracts() {
    let with_enum = |values: &[&str]| {
        let mut catalog = users();
        catalog.enums.push(
            serde_json::from_value(
                serde_json::json!({"schema": "public", "name": "mood", "values": values}),
            )
            .unwrap(),
        );
        catalog
    };
    let plan = online(&users(), &with_enum(&["happy"]), &ModelIntent::default());
    assert!(
        sides(&plan).iter().all(|(side, _)| *side == Expand),
        "{:?}",
        sides(&plan)
    );
    let plan = online(
        &with_enum(&["happy"]),
        &with_enum(&["happy", "sad"]),
        &ModelIntent::default(),
    );
    assert_eq!(
        sides(&plan),
        [(
            Expand,
            "ALTER TYPE \"public\".\"mood\" ADD VALUE 'sad' AFTER 'happy';".to_string()
        )]
    );
    let plan = online(&with_enum(&["happy"]), &users(), &ModelIntent::default());
    assert!(
        sides(&plan).iter().all(|(side, _)| *side == Contract),
        "{:?}",
        sides(&plan)
    );
}

#[test]
fn the_contract_down_copies_a_renamed_column_back_before_its_closing_settings() {
    let desired = desired(|json| {
        table(json)["columns"][1]["name"] = serde_json::json!("full_name");
    });
    // The contract side's down: from the models back to the intermediate schema, which
    // has both columns.
    let mut intermediate = users();
    let mut added = intermediate.tables[0].columns[1].clone();
    added.name = "full_name".into();
    added.not_null = false;
    intermediate.tables[0].columns[1].not_null = false;
    intermediate.tables[0].columns.push(added);
    let mut down = online(&desired, &intermediate, &ModelIntent::default());
    autogen_diff::refill_old_columns(
        &mut down,
        &[autogen_diff::DualWrite {
            table: users_name(),
            old: "fullname".into(),
            new: "full_name".into(),
        }],
    );
    let sql: Vec<&str> = down.statements.iter().map(|s| s.sql.as_str()).collect();
    let add = sql
        .iter()
        .position(|s| s.contains("ADD COLUMN \"fullname\""))
        .expect("old column added back");
    let refill = sql
        .iter()
        .position(|s| {
            s.starts_with("UPDATE \"public\".\"users\" SET \"fullname\" = (\"full_name\")")
        })
        .expect("refill");
    assert!(add < refill, "{sql:#?}");
    assert_eq!(sql.last(), Some(&"RESET lock_timeout;"));
    assert!(down.statements[refill].batched);
}

#[test]
fn the_expand_down_drops_the_stand_in_view_before_renaming_back() {
    let mut renamed = users();
    renamed.tables[0].name = "people".into();
    let mut intermediate = renamed.clone();
    intermediate.views.push(
        serde_json::from_value(serde_json::json!({
            "schema": "public", "name": "users",
            "definition": " SELECT id, fullname, legacy, note FROM public.people;"
        }))
        .unwrap(),
    );
    let intent = ModelIntent {
        tables: vec![autogen_schema::Rename {
            schema: "public".into(),
            from: "people".into(),
            to: "users".into(),
        }],
        ..ModelIntent::default()
    };
    let mut down = online(&intermediate, &users(), &intent);
    autogen_diff::drop_stand_in_views_first(&mut down);
    let sql: Vec<&str> = down.statements.iter().map(|s| s.sql.as_str()).collect();
    let drop = sql
        .iter()
        .position(|s| s.starts_with("DROP VIEW"))
        .expect("drop view");
    let rename = sql
        .iter()
        .position(|s| s.contains("RENAME TO \"users\""))
        .expect("rename back");
    assert!(drop < rename, "{sql:#?}");
}
