//! One test per change kind, with the exact SQL and hazards (snapshots) of up and down.

use autogen_diff::{DiffError, Hazard, Plan, Transaction, diff, diff_renaming, plan, plan_changes};
use autogen_schema::{
    Catalog, CheckConstraint, Column, Deferral, EnumType, Extension, ForeignKey, Identity,
    IdentityKind, Index, IndexKey, IndexTarget, MatchType, MemberRename, ModelIntent, PrimaryKey,
    QualifiedName, ReferentialAction, Rename, Schema, Sequence, SequenceOptions, SequenceOwner,
    Table, UniqueConstraint, catalog_from_json,
};

const BASE: &str = r#"{
  "schemas": [{"name": "public"}],
  "enums": [{"schema": "public", "name": "mood", "values": ["happy", "sad"]}],
  "tables": [
    {
      "schema": "public", "name": "users",
      "columns": [
        {"name": "id", "data_type": "bigint", "not_null": true,
         "identity": {"kind": "by_default", "start": 1, "increment": 1, "min_value": 1,
                      "max_value": 9223372036854775807, "cache": 1}},
        {"name": "email", "data_type": "character varying(255)", "not_null": true},
        {"name": "name", "data_type": "text"},
        {"name": "age", "data_type": "integer", "default": "0"}
      ],
      "primary_key": {"name": "users_pkey", "columns": ["id"]},
      "uniques": [{"name": "users_email_key", "columns": ["email"]}],
      "checks": [{"name": "users_age_check", "expression": "(age >= 0)"}],
      "indexes": [{"name": "users_name_idx", "method": "btree", "keys": [{"column": "name"}]}]
    },
    {
      "schema": "public", "name": "posts",
      "columns": [
        {"name": "id", "data_type": "bigint", "not_null": true},
        {"name": "author_id", "data_type": "bigint"}
      ],
      "primary_key": {"name": "posts_pkey", "columns": ["id"]},
      "foreign_keys": [{"name": "posts_author_id_fkey", "columns": ["author_id"],
                        "references": {"schema": "public", "name": "users"},
                        "referenced_columns": ["id"], "on_delete": "cascade"}]
    }
  ]
}"#;

fn base() -> Catalog {
    catalog_from_json(BASE).unwrap()
}

fn table<'a>(catalog: &'a mut Catalog, name: &str) -> &'a mut Table {
    catalog.tables.iter_mut().find(|t| t.name == name).unwrap()
}

fn column<'a>(catalog: &'a mut Catalog, table_name: &str, name: &str) -> &'a mut Column {
    table(catalog, table_name)
        .columns
        .iter_mut()
        .find(|c| c.name == name)
        .unwrap()
}

fn plain_column(name: &str, data_type: &str) -> Column {
    Column {
        name: name.into(),
        data_type: data_type.into(),
        not_null: false,
        default: None,
        identity: None,
        generated: None,
        collation: None,
        comment: None,
        ..Column::default()
    }
}

fn show_one(current: &Catalog, desired: &Catalog) -> String {
    show_renaming_one(current, desired, &ModelIntent::default())
}

/// The plan of `current` -> `desired` with the renames of `intent`.
fn plan_renaming(current: &Catalog, desired: &Catalog, intent: &ModelIntent) -> Plan {
    plan_changes(&diff_renaming(current, desired, intent).unwrap())
}

fn show_renaming_one(current: &Catalog, desired: &Catalog, intent: &ModelIntent) -> String {
    let plan = plan_renaming(current, desired, intent);
    let mut out = String::new();
    for statement in &plan.statements {
        let hazards: Vec<&str> = statement.hazards.iter().map(Hazard::as_str).collect();
        out.push_str(&format!(
            "-- {} [{}]\n{}\n",
            statement.change,
            hazards.join(", "),
            statement.sql
        ));
    }
    out
}

/// `-- up`, then `-- down` (the plan of the reverse diff).
fn show(current: &Catalog, desired: &Catalog) -> String {
    show_renaming(current, desired, &ModelIntent::default())
}

/// `show` with the renames of `intent` (the down plan with them reversed, as a migration
/// plans it).
fn show_renaming(current: &Catalog, desired: &Catalog, intent: &ModelIntent) -> String {
    format!(
        "-- up\n{}-- down\n{}",
        show_renaming_one(current, desired, intent),
        show_renaming_one(desired, current, &intent.reversed())
    )
}

fn renamed(schema: &str, from: &str, to: &str) -> Rename {
    Rename {
        schema: schema.into(),
        from: from.into(),
        to: to.into(),
    }
}

fn member(schema: &str, owner: &str, from: &str, to: &str) -> MemberRename {
    MemberRename {
        owner: QualifiedName::new(schema, owner),
        from: from.into(),
        to: to.into(),
    }
}

#[allow(dead_code)]
fn unsupported(current: &Catalog, desired: &Catalog) -> String {
    match diff(current, desired) {
        Err(DiffError::Unsupported { what }) => what,
        Ok(changes) => panic!("expected Unsupported, got {changes:?}"),
    }
}

#[test]
fn schemas_are_created_dropped_and_commented() {
    let mut desired = base();
    desired.schemas.push(Schema {
        name: "app \"x\"".into(),
        comment: Some("it's ours".into()),
        grants: Vec::new(),
        revoked_defaults: Vec::new(),
    });
    desired.schemas[0].comment = Some("standard".into());
    insta::assert_snapshot!(show(&base(), &desired));
}

#[test]
fn extensions_are_created_dropped_updated_and_moved() {
    let extension = |name: &str, schema: &str, version: &str| Extension {
        name: name.into(),
        schema: schema.into(),
        version: version.into(),
        requires: vec![],
    };
    let mut current = base();
    current.extensions = vec![
        extension("btree_gist", "public", "1.6"),
        extension("pg_trgm", "public", "1.6"),
        extension("hstore", "public", "1.8"),
    ];
    let mut desired = base();
    desired.schemas.push(Schema {
        name: "ext".into(),
        comment: None,
        grants: Vec::new(),
        revoked_defaults: Vec::new(),
    });
    desired.extensions = vec![
        extension("btree_gist", "public", "1.7"),
        extension("citext", "ext", "1.6"),
        extension("hstore", "ext", "1.8"),
    ];
    insta::assert_snapshot!(show(&current, &desired));
}

/// `CREATE EXTENSION` and `DROP EXTENSION` (neither with `CASCADE`) refuse to run before
/// the extensions one requires exist, or while one requiring it does: created after them,
/// dropped before them, whatever the names' order (musicbrainz drops `earthdistance` and the
/// `cube` it requires).
#[test]
fn extensions_are_created_after_and_dropped_before_what_they_require() {
    let extension = |name: &str, requires: &[&str]| Extension {
        name: name.into(),
        schema: "public".into(),
        version: "1.0".into(),
        requires: requires.iter().map(|name| name.to_string()).collect(),
    };
    let mut with = base();
    with.extensions = vec![
        extension("a_uses_m", &["m_uses_z", "z_base"]),
        extension("m_uses_z", &["z_base"]),
        extension("plain", &[]),
        extension("z_base", &[]),
    ];
    let sqls = |current: &Catalog, desired: &Catalog| -> Vec<String> {
        plan(current, desired)
            .unwrap()
            .statements
            .iter()
            .map(|statement| statement.sql.clone())
            .collect()
    };
    assert_eq!(
        sqls(&base(), &with),
        [
            r#"CREATE EXTENSION IF NOT EXISTS "plain" WITH SCHEMA "public" VERSION '1.0';"#,
            r#"CREATE EXTENSION IF NOT EXISTS "z_base" WITH SCHEMA "public" VERSION '1.0';"#,
            r#"CREATE EXTENSION IF NOT EXISTS "m_uses_z" WITH SCHEMA "public" VERSION '1.0';"#,
            r#"CREATE EXTENSION IF NOT EXISTS "a_uses_m" WITH SCHEMA "public" VERSION '1.0';"#,
        ]
    );
    assert_eq!(
        sqls(&with, &base()),
        [
            r#"DROP EXTENSION "a_uses_m";"#,
            r#"DROP EXTENSION "m_uses_z";"#,
            r#"DROP EXTENSION "z_base";"#,
            r#"DROP EXTENSION "plain";"#,
        ]
    );
}

#[test]
fn enum_types_are_created_and_dropped() {
    let mut desired = base();
    desired.enums.push(EnumType {
        schema: "public".into(),
        name: "color".into(),
        values: vec!["red".into(), "it's".into()],
        comment: Some("Colors".into()),
        grants: Vec::new(),
        revoked_defaults: Vec::new(),
    });
    insta::assert_snapshot!(show(&base(), &desired));
}

#[test]
fn enum_values_are_added_in_place() {
    let mut desired = base();
    desired.enums[0].values = ["ecstatic", "glad", "happy", "meh", "sad", "angry"]
        .map(String::from)
        .to_vec();
    let plan = plan(&base(), &desired).unwrap();
    let sqls: Vec<&str> = plan.statements.iter().map(|s| s.sql.as_str()).collect();
    assert_eq!(
        sqls,
        [
            r#"ALTER TYPE "public"."mood" ADD VALUE 'ecstatic' BEFORE 'happy';"#,
            r#"ALTER TYPE "public"."mood" ADD VALUE 'glad' AFTER 'ecstatic';"#,
            r#"ALTER TYPE "public"."mood" ADD VALUE 'meh' AFTER 'happy';"#,
            r#"ALTER TYPE "public"."mood" ADD VALUE 'angry' AFTER 'sad';"#,
        ]
    );
    assert!(plan.statements.iter().all(|s| s.hazards.is_empty()));
    // The way back removes values: the type is re-created.
    let back = plan_sql(&desired, &base());
    assert!(
        back.contains(r#"ALTER TYPE "public"."mood" RENAME TO "mood_autogen_old";"#),
        "{back}"
    );
    assert!(
        back.contains(r#"CREATE TYPE "public"."mood" AS ENUM ('happy', 'sad');"#),
        "{back}"
    );
    assert!(
        back.contains(r#"DROP TYPE "public"."mood_autogen_old";"#),
        "{back}"
    );
}

fn plan_sql(current: &Catalog, desired: &Catalog) -> String {
    plan(current, desired).unwrap().to_sql()
}

#[test]
fn enum_values_of_an_empty_enum_are_appended() {
    let mut current = base();
    current.enums[0].values.clear();
    let plan = plan(&current, &base()).unwrap();
    let sqls: Vec<&str> = plan.statements.iter().map(|s| s.sql.as_str()).collect();
    assert_eq!(
        sqls,
        [
            r#"ALTER TYPE "public"."mood" ADD VALUE 'happy';"#,
            r#"ALTER TYPE "public"."mood" ADD VALUE 'sad' AFTER 'happy';"#,
        ]
    );
}

#[test]
fn reordered_enums_are_recreated_and_their_columns_converted() {
    let mut desired = base();
    desired.enums[0].values.reverse();
    insta::assert_snapshot!(show(&base(), &desired));
}

#[test]
fn a_retired_type_name_never_collides() {
    let mut current = base();
    current.enums[0].name = "m".repeat(63);
    current.enums.push(autogen_schema::EnumType {
        name: format!("{}_autogen_old", "m".repeat(51)),
        ..current.enums[0].clone()
    });
    let mut desired = current.clone();
    desired.enums[0].values.reverse();
    let sql = plan_sql(&current, &desired);
    let retired = format!("{}_autogen_old2", "m".repeat(50));
    assert_eq!(retired.len(), 63);
    assert!(sql.contains(&format!("RENAME TO \"{retired}\"")), "{sql}");
}

/// `base()` with a table whose columns, defaults, check and partial index use the enum.
fn with_mood_uses() -> Catalog {
    let moods = r#"{"tables": [{
      "schema": "public", "name": "moods",
      "columns": [
        {"name": "id", "data_type": "integer"},
        {"name": "state", "data_type": "public.mood", "default": "'happy'::public.mood"},
        {"name": "history", "data_type": "public.mood[]",
         "default": "'{happy,sad}'::public.mood[]"}
      ],
      "checks": [{"name": "moods_state_check",
                  "expression": "((state <> 'sad'::public.mood) OR (id > 0))"}],
      "indexes": [{"name": "moods_sad_idx", "method": "btree", "keys": [{"column": "id"}],
                   "predicate": "(state = 'sad'::public.mood)"}]
    }]}"#;
    let mut catalog = base();
    catalog
        .tables
        .extend(catalog_from_json(moods).unwrap().tables);
    catalog.canonicalize();
    catalog
}

/// `catalog` with every text spelling `from` spelled `to`.
fn respelled(catalog: &Catalog, from: &str, to: &str) -> Catalog {
    catalog_from_json(&catalog.to_json().replace(from, to)).unwrap()
}

#[test]
fn enum_types_are_renamed_both_ways_and_their_uses_follow() {
    let current = with_mood_uses();
    // What PostgreSQL prints after the rename: every use follows the type.
    let mut desired = respelled(&current, "public.mood", "public.feeling");
    desired.enums[0].name = "feeling".into();
    let intent = ModelIntent {
        enums: vec![renamed("public", "mood", "feeling")],
        ..ModelIntent::default()
    };
    insta::assert_snapshot!(show_renaming(&current, &desired, &intent));
    // Harmless once applied: old name gone, new name present.
    assert!(plan_renaming(&desired, &desired, &intent).is_empty());
    // With other changes: they apply under the new name.
    let mut more = desired.clone();
    more.enums[0].values.push("meh".into());
    let sql = plan_renaming(&current, &more, &intent).to_sql();
    assert_eq!(
        sql,
        "ALTER TYPE \"public\".\"mood\" RENAME TO \"feeling\";\n\
         ALTER TYPE \"public\".\"feeling\" ADD VALUE 'meh' AFTER 'sad';\n"
    );
}

#[test]
fn enum_values_are_renamed_both_ways_and_defaults_checks_and_indexes_follow() {
    let current = with_mood_uses();
    // PostgreSQL stores labels by identity: after RENAME VALUE, every use prints the new label.
    let mut desired = respelled(&current, "sad", "so sad");
    let intent = ModelIntent {
        enum_values: vec![member("public", "mood", "sad", "so sad")],
        ..ModelIntent::default()
    };
    table(&mut desired, "moods").indexes[0].name = "moods_sad_idx".into();
    column(&mut desired, "moods", "history").default =
        Some("'{happy,\"so sad\"}'::public.mood[]".into());
    insta::assert_snapshot!(show_renaming(&current, &desired, &intent));
    assert!(plan_renaming(&desired, &desired, &intent).is_empty());
}

#[test]
fn an_enum_type_and_its_values_are_renamed_then_other_values_added_and_removed() {
    let current = with_mood_uses();
    let mut desired = respelled(&current, "public.mood", "public.feeling");
    desired = respelled(&desired, "'happy'", "'glad'");
    desired = respelled(&desired, "{happy,", "{glad,");
    desired.enums[0].name = "feeling".into();
    desired.enums[0].values = vec!["glad".into(), "meh".into(), "sad".into()];
    let intent = ModelIntent {
        enums: vec![renamed("public", "mood", "feeling")],
        enum_values: vec![member("public", "feeling", "happy", "glad")],
        ..ModelIntent::default()
    };
    insta::assert_snapshot!(show_renaming(&current, &desired, &intent));
}

#[test]
fn a_statement_using_an_enum_value_added_by_the_plan_is_not_transactional() {
    let current = with_mood_uses();
    let mut desired = current.clone();
    desired.enums[0].values.push("meh".into());
    let plan_of = |desired: &Catalog| plan(&current, desired).unwrap();
    // Adding a value alone runs in a transaction.
    assert!(plan_of(&desired).transactional());
    // Using it in a default, a check or an index predicate does not.
    let uses = [
        ("state", "'meh'::public.mood"),
        ("history", "'{meh}'::public.mood[]"),
    ];
    for (column_name, default) in uses {
        let mut using = desired.clone();
        column(&mut using, "moods", column_name).default = Some(default.into());
        let plan = plan_of(&using);
        assert!(
            !plan.transactional(),
            "{column_name}: {:?}",
            plan.statements
        );
        assert!(plan.statements[0].sql.contains("ADD VALUE 'meh'"));
        assert_eq!(plan.statements[0].transaction, Transaction::Any);
        // The use runs in a transaction of its own, after the value's committed.
        assert!(
            plan.statements[1..]
                .iter()
                .any(|statement| statement.transaction == Transaction::Own),
            "{:?}",
            plan.statements
        );
    }
    let mut check = desired.clone();
    table(&mut check, "moods").checks[0].expression = "(state <> 'meh'::public.mood)".into();
    assert!(!plan_of(&check).transactional());
    let mut index = desired.clone();
    table(&mut index, "moods").indexes[0].predicate = Some("(state = 'meh'::public.mood)".into());
    assert!(!plan_of(&index).transactional());
    // Another type's label of the same spelling is no use of the new value.
    let mut other = desired.clone();
    table(&mut other, "moods").checks[0].expression = "(('meh'::text) <> 'x'::text)".into();
    assert!(plan_of(&other).transactional());
    // Online plans share the planner, and so the rule.
    let mut using = desired.clone();
    column(&mut using, "moods", "state").default = Some("'meh'::public.mood".into());
    let online =
        autogen_diff::plan_online(&current, &using, &autogen_diff::OnlineOptions::default())
            .unwrap();
    assert!(!online.transactional(), "{:?}", online.statements);
}

fn sequence(name: &str) -> Sequence {
    Sequence {
        schema: "public".into(),
        name: name.into(),
        data_type: "bigint".into(),
        options: SequenceOptions::defaults_for("bigint"),
        owned_by: None,
        grants: Vec::new(),
        comment: None,
    }
}

#[test]
fn sequences_are_created_with_owner_and_comment_and_dropped() {
    let mut desired = base();
    let mut counter = sequence("counter");
    counter.options.start = 100;
    counter.owned_by = Some(SequenceOwner {
        table: QualifiedName::new("public", "users"),
        column: "age".into(),
    });
    counter.comment = Some("Counts".into());
    desired.sequences.push(counter);
    insta::assert_snapshot!(show(&base(), &desired));
}

#[test]
fn sequence_options_and_type_are_altered() {
    let mut current = base();
    current.sequences.push(sequence("counter"));
    let mut desired = base();
    let mut counter = sequence("counter");
    counter.data_type = "integer".into();
    counter.options = SequenceOptions {
        start: 10,
        increment: 5,
        min_value: 10,
        max_value: 1000,
        cache: 20,
        cycle: true,
    };
    desired.sequences.push(counter);
    insta::assert_snapshot!(show(&current, &desired));
}

#[test]
fn a_sequence_whose_owner_table_is_dropped_is_released_first() {
    let mut current = base();
    let mut counter = sequence("counter");
    counter.owned_by = Some(SequenceOwner {
        table: QualifiedName::new("public", "posts"),
        column: "id".into(),
    });
    current.sequences.push(counter);
    let mut desired = base();
    desired.tables.retain(|t| t.name != "posts");
    desired.sequences.push(sequence("counter"));
    insta::assert_snapshot!(show(&current, &desired));
}

#[test]
fn tables_are_created_with_everything_and_dropped() {
    let empty = catalog_from_json(r#"{"schemas": [{"name": "public"}], "enums": [{"schema": "public", "name": "mood", "values": ["happy", "sad"]}]}"#).unwrap();
    let mut desired = base();
    let users = table(&mut desired, "users");
    users.comment = Some("Accounts".into());
    users.columns[1].comment = Some("Login".into());
    users.checks.push(CheckConstraint {
        name: "users_name_check".into(),
        expression: "(name <> ''::text)".into(),
        no_inherit: false,
        not_valid: true,
        comment: Some("non-empty".into()),
    });
    users.indexes[0].comment = Some("by name".into());
    insta::assert_snapshot!(show(&empty, &desired));
}

#[test]
fn tables_are_renamed_both_ways() {
    let mut desired = base();
    let users = table(&mut desired, "users");
    users.name = "accounts".into();
    let intent = ModelIntent {
        tables: vec![renamed("public", "users", "accounts")],
        ..ModelIntent::default()
    };
    // PostgreSQL moves references along with the table.
    table(&mut desired, "posts").foreign_keys[0].references.name = "accounts".into();
    let plan = plan_renaming(&base(), &desired, &intent);
    let sqls: Vec<&str> = plan.statements.iter().map(|s| s.sql.as_str()).collect();
    assert_eq!(
        sqls,
        [r#"ALTER TABLE "public"."users" RENAME TO "accounts";"#]
    );
    assert_eq!(plan.statements[0].hazards, [Hazard::AccessExclusiveLock]);
    // Down: the intent reversed renames back.
    let down = plan_renaming(&desired, &base(), &intent.reversed());
    let sqls: Vec<&str> = down.statements.iter().map(|s| s.sql.as_str()).collect();
    assert_eq!(
        sqls,
        [r#"ALTER TABLE "public"."accounts" RENAME TO "users";"#]
    );
    // Harmless once applied: old name gone, new name present.
    assert!(plan_renaming(&desired, &desired, &intent).is_empty());
}

#[test]
fn a_renamed_table_with_other_changes_is_altered_under_its_new_name() {
    let mut desired = base();
    let users = table(&mut desired, "users");
    users.name = "accounts".into();
    users.columns.push(plain_column("phone", "text"));
    table(&mut desired, "posts").foreign_keys[0].references.name = "accounts".into();
    let intent = ModelIntent {
        tables: vec![renamed("public", "users", "accounts")],
        ..ModelIntent::default()
    };
    insta::assert_snapshot!(show_renaming_one(&base(), &desired, &intent));
}

#[test]
fn unlogged_is_switched() {
    let mut desired = base();
    table(&mut desired, "posts").unlogged = true;
    insta::assert_snapshot!(show(&base(), &desired));
}

#[test]
fn columns_are_added_and_dropped() {
    let mut desired = base();
    let users = table(&mut desired, "users");
    users
        .columns
        .push(plain_column("phone", "character varying(20)"));
    users.columns.push(Column {
        not_null: true,
        comment: Some("required".into()),
        ..plain_column("tenant_id", "bigint")
    });
    users.columns.push(Column {
        not_null: true,
        default: Some("now()".into()),
        ..plain_column("created_at", "timestamp with time zone")
    });
    users.columns.push(Column {
        default: Some("gen_random_uuid()".into()),
        ..plain_column("token", "uuid")
    });
    users.columns.push(Column {
        generated: Some("(age * 2)".into()),
        ..plain_column("double_age", "integer")
    });
    users.columns.push(Column {
        default: Some("'happy'::mood".into()),
        ..plain_column("mood", "public.mood")
    });
    insta::assert_snapshot!(show(&base(), &desired));
}

#[test]
fn columns_are_renamed_both_ways() {
    let mut desired = base();
    let name = column(&mut desired, "users", "name");
    name.name = "full_name".into();
    let intent = ModelIntent {
        columns: vec![member("public", "users", "name", "full_name")],
        ..ModelIntent::default()
    };
    // PostgreSQL follows the rename in column lists; the index is untouched.
    table(&mut desired, "users").indexes[0].keys[0].target =
        IndexTarget::Column("full_name".into());
    insta::assert_snapshot!(show_renaming(&base(), &desired, &intent));
}

#[test]
fn column_type_changes_use_a_cast_and_keep_the_default() {
    let mut desired = base();
    let age = column(&mut desired, "users", "age");
    age.data_type = "bigint".into();
    age.default = Some("'0'::bigint".into());
    let email = column(&mut desired, "users", "email");
    email.data_type = "character varying(100)".into();
    insta::assert_snapshot!(show(&base(), &desired));
}

#[test]
fn nullability_and_defaults_change_in_place() {
    let mut desired = base();
    let name = column(&mut desired, "users", "name");
    name.not_null = true;
    name.default = Some("'anonymous'::text".into());
    column(&mut desired, "users", "age").default = None;
    column(&mut desired, "users", "email").not_null = false;
    insta::assert_snapshot!(show(&base(), &desired));
}

#[test]
fn identity_is_added_dropped_and_altered() {
    let mut desired = base();
    let id = column(&mut desired, "users", "id");
    let identity = id.identity.as_mut().unwrap();
    identity.kind = IdentityKind::Always;
    identity.options.start = 1000;
    identity.options.cache = 10;
    let posts_id = column(&mut desired, "posts", "id");
    posts_id.identity = Some(Identity {
        kind: IdentityKind::ByDefault,
        options: SequenceOptions::defaults_for("bigint"),
    });
    insta::assert_snapshot!(show(&base(), &desired));
}

#[test]
fn identity_follows_a_type_change_without_a_spurious_alter() {
    let mut current = base();
    let id = column(&mut current, "users", "id");
    id.data_type = "integer".into();
    id.identity.as_mut().unwrap().options = SequenceOptions::defaults_for("integer");
    let plan = plan(&current, &base()).unwrap();
    let sqls: Vec<&str> = plan.statements.iter().map(|s| s.sql.as_str()).collect();
    assert_eq!(
        sqls,
        [r#"ALTER TABLE "public"."users" ALTER COLUMN "id" TYPE bigint USING "id"::bigint;"#]
    );
    assert_eq!(
        plan.statements[0].hazards,
        [Hazard::TableRewrite, Hazard::AccessExclusiveLock]
    );
}

/// `posts.id` as a serial: its default takes values from `posts_id_seq`, which it owns.
fn with_serial_posts_id() -> Catalog {
    let mut catalog = base();
    column(&mut catalog, "posts", "id").default =
        Some("nextval('public.posts_id_seq'::regclass)".into());
    let mut serial = sequence("posts_id_seq");
    serial.owned_by = Some(SequenceOwner {
        table: QualifiedName::new("public", "posts"),
        column: "id".into(),
    });
    catalog.sequences.push(serial);
    catalog
}

/// PostgreSQL names an identity's sequence `<table>_<column>_seq` only while that name is free
/// (`posts_id_seq1` otherwise), and the counter must go on where it was: the serial's sequence is
/// renamed out of the way before the identity comes, its value carried over, then dropped; back,
/// the serial's sequence is created under a temporary name, given the identity's value, and
/// renamed once the identity is dropped. (The values, on PostgreSQL: `serial_identity_values.rs`.)
#[test]
fn a_serial_becoming_an_identity_hands_its_counter_over_both_ways() {
    let serial = with_serial_posts_id();
    let mut identity = base();
    column(&mut identity, "posts", "id").identity = Some(Identity {
        kind: IdentityKind::ByDefault,
        options: SequenceOptions::defaults_for("bigint"),
    });
    let position = |plan: &autogen_diff::Plan, prefix: &str| {
        plan.statements
            .iter()
            .position(|s| s.sql.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in {plan:#?}"))
    };
    let in_order = |plan: &autogen_diff::Plan, prefixes: &[&str]| {
        let positions: Vec<usize> = prefixes.iter().map(|p| position(plan, p)).collect();
        assert!(positions.is_sorted(), "{prefixes:#?} in {plan:#?}");
    };
    let up = plan(&serial, &identity).unwrap();
    in_order(
        &up,
        &[
            r#"ALTER SEQUENCE "public"."posts_id_seq" OWNED BY NONE"#,
            r#"ALTER SEQUENCE "public"."posts_id_seq" RENAME TO "posts_id_seq_autogen_old""#,
            r#"ALTER TABLE "public"."posts" ALTER COLUMN "id" DROP DEFAULT"#,
            r#"ALTER TABLE "public"."posts" ALTER COLUMN "id" ADD GENERATED"#,
            "SELECT CASE WHEN pg_catalog.pg_sequence_last_value(s)",
            r#"DROP SEQUENCE "public"."posts_id_seq_autogen_old""#,
        ],
    );
    let down = plan(&identity, &serial).unwrap();
    in_order(
        &down,
        &[
            r#"CREATE SEQUENCE "public"."posts_id_seq_autogen_new""#,
            "SELECT CASE WHEN pg_catalog.pg_sequence_last_value(s)",
            r#"ALTER TABLE "public"."posts" ALTER COLUMN "id" DROP IDENTITY"#,
            r#"ALTER SEQUENCE "public"."posts_id_seq_autogen_new" RENAME TO "posts_id_seq""#,
            r#"ALTER TABLE "public"."posts" ALTER COLUMN "id" SET DEFAULT"#,
            r#"ALTER SEQUENCE "public"."posts_id_seq" OWNED BY "public"."posts"."id""#,
        ],
    );
    insta::assert_snapshot!(show(&serial, &identity));
}

#[test]
fn column_comments_change() {
    let mut desired = base();
    column(&mut desired, "users", "email").comment = Some("Login e-mail".into());
    insta::assert_snapshot!(show(&base(), &desired));
}

#[test]
fn a_column_becoming_generated_is_replaced_and_back_keeps_its_values() {
    let mut desired = base();
    column(&mut desired, "users", "name").generated = Some("(email)::text".into());
    insta::assert_snapshot!(show(&base(), &desired));
}

#[test]
fn collation_changes_alter_the_column_in_place() {
    let mut desired = base();
    column(&mut desired, "users", "name").collation = Some("pg_catalog.\"C\"".into());
    insta::assert_snapshot!(show(&base(), &desired));
}

#[test]
fn changed_constraints_and_indexes_are_recreated_unchanged_ones_untouched() {
    let mut desired = base();
    let users = table(&mut desired, "users");
    users.checks[0].expression = "(age >= 18)".into();
    users.indexes[0].predicate = Some("(name IS NOT NULL)".into());
    users.indexes.push(Index {
        name: "users_lower_email_idx".into(),
        unique: true,
        method: "btree".into(),
        keys: vec![IndexKey {
            target: IndexTarget::Expression("lower((email)::text)".into()),
            collation: None,
            opclass: None,
            descending: true,
            nulls_first: false,
        }],
        include: vec!["name".into()],
        predicate: None,
        nulls_not_distinct: false,
        storage_parameters: vec!["fillfactor=70".into()],
        comment: Some("case-insensitive".into()),
    });
    users.exclusions.push(autogen_schema::ExclusionConstraint {
        name: "users_age_excl".into(),
        definition: "EXCLUDE USING gist (age WITH =)".into(),
        comment: None,
        index_comment: None,
    });
    let plan_sql = show(&base(), &desired);
    assert!(
        !plan_sql.contains("users_email_key"),
        "untouched: {plan_sql}"
    );
    assert!(
        !plan_sql.contains("posts_author_id_fkey"),
        "untouched: {plan_sql}"
    );
    insta::assert_snapshot!(plan_sql);
}

#[test]
fn a_changed_unique_constraint_is_recreated() {
    let mut desired = base();
    let users = table(&mut desired, "users");
    users.uniques[0].columns.push("name".into());
    users.uniques[0].deferral = Deferral::Deferrable;
    users.uniques.push(UniqueConstraint {
        name: "users_name_key".into(),
        columns: vec!["name".into()],
        include: vec![],
        nulls_not_distinct: true,
        storage_parameters: vec![],
        deferral: Deferral::Immediate,
        comment: None,
        index_comment: None,
    });
    insta::assert_snapshot!(show(&base(), &desired));
}

#[test]
fn a_changed_primary_key_rebuilds_the_foreign_keys_that_reference_it() {
    let mut desired = base();
    table(&mut desired, "users").primary_key = Some(PrimaryKey {
        name: "users_pkey".into(),
        columns: vec!["id".into()],
        include: vec!["email".into()],
        storage_parameters: vec![],
        deferral: Deferral::Immediate,
        comment: Some("the key".into()),
        index_comment: None,
    });
    insta::assert_snapshot!(show_one(&base(), &desired));
}

#[test]
fn changed_foreign_keys_are_recreated() {
    let mut desired = base();
    let fk = &mut table(&mut desired, "posts").foreign_keys[0];
    fk.on_delete = ReferentialAction::SetNull;
    fk.on_update = ReferentialAction::Cascade;
    fk.match_type = MatchType::Full;
    fk.deferral = Deferral::InitiallyDeferred;
    fk.not_valid = true;
    insta::assert_snapshot!(show(&base(), &desired));
}

#[test]
fn constraint_and_index_comments_change_alone() {
    let mut desired = base();
    let users = table(&mut desired, "users");
    users.primary_key.as_mut().unwrap().comment = Some("pk".into());
    users.uniques[0].comment = Some("one per person".into());
    users.checks[0].comment = Some("adults".into());
    users.indexes[0].comment = Some("lookup".into());
    table(&mut desired, "posts").foreign_keys[0].comment = Some("author".into());
    insta::assert_snapshot!(show(&base(), &desired));
}

fn fk(name: &str, column: &str, references: &str) -> ForeignKey {
    ForeignKey {
        name: name.into(),
        columns: vec![column.into()],
        references: QualifiedName::new("public", references),
        referenced_columns: vec!["id".into()],
        on_delete: ReferentialAction::NoAction,
        on_delete_columns: vec![],
        on_update: ReferentialAction::NoAction,
        match_type: MatchType::Simple,
        deferral: Deferral::Immediate,
        not_valid: false,
        comment: None,
    }
}

fn cyclic() -> Catalog {
    let mut catalog = catalog_from_json(r#"{"schemas": [{"name": "public"}]}"#).unwrap();
    for (name, other) in [("a", "b"), ("b", "a")] {
        catalog.tables.push(Table {
            schema: "public".into(),
            name: name.into(),
            unlogged: false,
            row_level_security: false,
            force_row_level_security: false,
            storage_parameters: Vec::new(),
            replica_identity: Default::default(),
            grants: Vec::new(),
            partition_by: None,
            partition_of: None,
            inherits: Vec::new(),
            columns: vec![
                Column {
                    not_null: true,
                    ..plain_column("id", "integer")
                },
                plain_column("other_id", "integer"),
                plain_column("parent_id", "integer"),
            ],
            primary_key: Some(PrimaryKey {
                name: format!("{name}_pkey"),
                columns: vec!["id".into()],
                include: vec![],
                storage_parameters: vec![],
                deferral: Deferral::Immediate,
                comment: None,
                index_comment: None,
            }),
            uniques: vec![],
            foreign_keys: vec![
                fk(&format!("{name}_other_id_fkey"), "other_id", other),
                fk(&format!("{name}_parent_id_fkey"), "parent_id", name),
            ],
            checks: vec![],
            exclusions: vec![],
            indexes: vec![],
            comment: None,
        });
    }
    catalog.canonicalize();
    catalog
}

#[test]
fn foreign_key_cycles_and_self_references_come_after_all_tables() {
    let empty = catalog_from_json(r#"{"schemas": [{"name": "public"}]}"#).unwrap();
    let up = show_one(&empty, &cyclic());
    let down = show_one(&cyclic(), &empty);
    insta::assert_snapshot!(format!("-- up\n{up}-- down\n{down}"));
}

#[test]
fn dropping_a_referenced_table_drops_the_reference_first() {
    let mut desired = base();
    desired.tables.retain(|t| t.name != "users");
    table(&mut desired, "posts").foreign_keys.clear();
    insta::assert_snapshot!(show(&base(), &desired));
}

#[test]
fn identifiers_and_literals_are_quoted() {
    let empty = Catalog::default();
    let mut desired = Catalog::default();
    desired.schemas.push(Schema {
        name: "we\"ird".into(),
        comment: Some("it's".into()),
        grants: Vec::new(),
        revoked_defaults: Vec::new(),
    });
    desired.tables.push(Table {
        schema: "we\"ird".into(),
        name: "Tab le".into(),
        unlogged: false,
        row_level_security: false,
        force_row_level_security: false,
        storage_parameters: Vec::new(),
        replica_identity: Default::default(),
        grants: Vec::new(),
        partition_by: None,
        partition_of: None,
        inherits: Vec::new(),
        columns: vec![Column {
            comment: Some("a 'quote'".into()),
            ..plain_column("Col\"umn", "text")
        }],
        primary_key: None,
        uniques: vec![],
        foreign_keys: vec![],
        checks: vec![],
        exclusions: vec![],
        indexes: vec![],
        comment: None,
    });
    insta::assert_snapshot!(show(&empty, &desired));
}

#[test]
fn hazards_serialize_in_kebab_case() {
    let plan = plan(&base(), &Catalog::default()).unwrap();
    let drop = plan
        .statements
        .iter()
        .find(|s| s.sql.starts_with("DROP TABLE"))
        .unwrap();
    assert_eq!(
        serde_json::to_string(&drop.hazards).unwrap(),
        r#"["data-loss","access-exclusive-lock"]"#
    );
}

/// `base` with an exclusion constraint (commented: comments move with a renamed constraint).
fn with_exclusion() -> Catalog {
    let mut catalog = base();
    table(&mut catalog, "users")
        .exclusions
        .push(autogen_schema::ExclusionConstraint {
            name: "users_age_excl".into(),
            definition: "EXCLUDE USING gist (age WITH =)".into(),
            comment: Some("one per age".into()),
            index_comment: None,
        });
    catalog
}

#[test]
fn constraints_and_indexes_of_a_renamed_table_are_renamed_not_recreated() {
    // `users` -> `accounts` and `posts` -> `articles`, with every constraint and index under
    // PostgreSQL's default name for the new table.
    let mut desired = with_exclusion();
    let users = table(&mut desired, "users");
    users.name = "accounts".into();
    users.primary_key.as_mut().unwrap().name = "accounts_pkey".into();
    users.uniques[0].name = "accounts_email_key".into();
    users.checks[0].name = "accounts_age_check".into();
    users.exclusions[0].name = "accounts_age_excl".into();
    users.indexes[0].name = "accounts_name_idx".into();
    let posts = table(&mut desired, "posts");
    posts.name = "articles".into();
    posts.primary_key.as_mut().unwrap().name = "articles_pkey".into();
    let fk = &mut posts.foreign_keys[0];
    fk.name = "articles_author_id_fkey".into();
    fk.references.name = "accounts".into();
    desired.canonicalize();
    let intent = ModelIntent {
        tables: vec![
            renamed("public", "users", "accounts"),
            renamed("public", "posts", "articles"),
        ],
        ..ModelIntent::default()
    };

    let plan_sql = show_renaming(&with_exclusion(), &desired, &intent);
    assert!(!plan_sql.contains("DROP"), "no drops: {plan_sql}");
    assert!(!plan_sql.contains("ADD"), "no adds: {plan_sql}");
    insta::assert_snapshot!(plan_sql);
    // Harmless once applied.
    assert!(plan_renaming(&desired, &desired, &intent).is_empty());
}

#[test]
fn a_plain_index_is_renamed() {
    let mut desired = base();
    table(&mut desired, "users").indexes[0].name = "users_by_name".into();
    insta::assert_snapshot!(show(&base(), &desired));
}

#[test]
fn identical_indexes_are_renamed_pairwise_in_name_order() {
    let mut current = base();
    let users = table(&mut current, "users");
    let mut second = users.indexes[0].clone();
    second.name = "users_name_idx1".into();
    users.indexes.push(second);
    let mut desired = current.clone();
    let users = table(&mut desired, "users");
    users.name = "accounts".into();
    users.indexes[0].name = "accounts_name_idx".into();
    users.indexes[1].name = "accounts_name_idx1".into();
    table(&mut desired, "posts").foreign_keys[0].references.name = "accounts".into();
    let intent = ModelIntent {
        tables: vec![renamed("public", "users", "accounts")],
        ..ModelIntent::default()
    };
    insta::assert_snapshot!(show_renaming(&current, &desired, &intent));
}

#[test]
fn a_constraint_changed_beyond_its_name_is_recreated() {
    let mut desired = base();
    let users = table(&mut desired, "users");
    // A new definition and a new name.
    users.checks[0].name = "users_adult_check".into();
    users.checks[0].expression = "(age >= 18)".into();
    // A new comment and a new name: comments are part of the definition.
    users.indexes[0].name = "users_by_name".into();
    users.indexes[0].comment = Some("lookup".into());
    let plan_sql = show(&base(), &desired);
    assert!(!plan_sql.contains("RENAME"), "no renames: {plan_sql}");
    insta::assert_snapshot!(plan_sql);
}

#[test]
fn a_rename_onto_a_name_still_taken_is_recreated() {
    // The unique constraint's index would collide with the index dropped later in the plan.
    let mut desired = base();
    let users = table(&mut desired, "users");
    users.indexes.clear();
    users.uniques[0].name = "users_name_idx".into();
    let plan = plan(&base(), &desired).unwrap();
    let sqls: Vec<&str> = plan.statements.iter().map(|s| s.sql.as_str()).collect();
    assert_eq!(
        sqls,
        [
            r#"ALTER TABLE "public"."users" DROP CONSTRAINT "users_email_key";"#,
            r#"DROP INDEX "public"."users_name_idx";"#,
            r#"ALTER TABLE "public"."users" ADD CONSTRAINT "users_name_idx" UNIQUE ("email");"#,
        ]
    );
}

#[test]
fn constraints_and_indexes_of_a_new_table_carry_no_existing_row_hazards() {
    let parent = json_table(
        r#"{"schema": "public", "name": "parent", "columns": [{"name": "id", "data_type": "bigint", "not_null": true}],
            "primary_key": {"name": "parent_pkey", "columns": ["id"]}}"#,
    );
    let child = json_table(
        r#"{"schema": "public", "name": "child",
            "columns": [{"name": "id", "data_type": "bigint", "not_null": true},
                        {"name": "parent_id", "data_type": "bigint"}],
            "foreign_keys": [{"name": "child_parent_id_fkey", "columns": ["parent_id"],
                              "references": {"schema": "public", "name": "parent"},
                              "referenced_columns": ["id"]}],
            "indexes": [{"name": "child_parent_id_idx", "method": "btree", "keys": [{"column": "parent_id"}]}]}"#,
    );
    let current = Catalog {
        tables: vec![parent.clone()],
        ..Catalog::default()
    };
    let desired = Catalog {
        tables: vec![parent, child],
        ..Catalog::default()
    };
    let plan = autogen_diff::plan(&current, &desired).expect("plan");
    for statement in &plan.statements {
        assert!(
            !statement.hazards.contains(&Hazard::MayFailOnExistingRows)
                && !statement.hazards.contains(&Hazard::IndexBuild),
            "{}: {:?}",
            statement.sql,
            statement.hazards
        );
    }
    // On an existing table the same foreign key may fail.
    let existing = autogen_diff::plan(&desired_without_fk(&desired), &desired).expect("plan");
    assert!(
        existing.statements[0]
            .hazards
            .contains(&Hazard::MayFailOnExistingRows)
    );
}

fn json_table(text: &str) -> autogen_schema::Table {
    serde_json::from_str(text).expect("table JSON")
}

fn desired_without_fk(catalog: &Catalog) -> Catalog {
    let mut catalog = catalog.clone();
    for table in &mut catalog.tables {
        table.foreign_keys.clear();
    }
    catalog
}

#[test]
fn current_timestamp_and_now_are_the_same_default() {
    let with_default = |default: &str| Catalog {
        tables: vec![json_table(&format!(
            r#"{{"schema": "public", "name": "t", "columns": [{{"name": "at",
                 "data_type": "timestamp with time zone", "default": "{default}"}}]}}"#
        ))],
        ..Catalog::default()
    };
    let now = with_default("now()");
    let current_timestamp = with_default("CURRENT_TIMESTAMP");
    assert!(diff(&now, &current_timestamp).expect("diff").is_empty());
    assert!(diff(&current_timestamp, &now).expect("diff").is_empty());
    // With a precision it rounds: a real change.
    let rounded = with_default("CURRENT_TIMESTAMP(3)");
    let plan = plan(&now, &rounded).expect("plan");
    assert!(
        plan.to_sql().contains("SET DEFAULT CURRENT_TIMESTAMP(3)"),
        "{}",
        plan.to_sql()
    );
}

#[test]
fn a_drop_and_an_add_of_the_same_definition_is_a_hint_never_a_rename() {
    // A table renamed without renamed_from: a drop and a create, plus a hint.
    let mut desired = base();
    table(&mut desired, "users").name = "members".into();
    let hints = autogen_diff::rename_hints(&base(), &desired, &ModelIntent::default());
    assert_eq!(
        hints,
        [autogen_diff::RenameHint::Table {
            schema: "public".into(),
            from: "users".into(),
            to: "members".into(),
        }]
    );
    assert!(hints[0].to_string().contains("renamed_from = \"users\""));
    let sql = plan(&base(), &desired).unwrap().to_sql();
    assert!(sql.contains("DROP TABLE \"public\".\"users\""), "{sql}");

    // A column, the same way; with renamed_from it is a rename and no hint.
    let mut desired = base();
    column(&mut desired, "users", "name").name = "display_name".into();
    let hints = autogen_diff::rename_hints(&base(), &desired, &ModelIntent::default());
    assert_eq!(hints.len(), 1, "{hints:?}");
    assert!(
        hints[0].to_string().contains("public.users.name"),
        "{}",
        hints[0]
    );
    let intent = ModelIntent {
        columns: vec![member("public", "users", "name", "display_name")],
        ..ModelIntent::default()
    };
    assert!(autogen_diff::rename_hints(&base(), &desired, &intent).is_empty());

    // A different definition is no hint.
    let mut desired = base();
    let renamed = column(&mut desired, "users", "name");
    renamed.name = "display_name".into();
    renamed.data_type = "character varying(10)".into();
    assert!(autogen_diff::rename_hints(&base(), &desired, &ModelIntent::default()).is_empty());
}

/// A regular table cannot become partitioned in place: refused, with what to do instead. A
/// table becoming a partition of a partitioned one is attached (the `ATTACH` after its parts).
#[test]
fn a_table_becoming_partitioned_is_refused_and_one_becoming_a_partition_is_attached() {
    let mut desired = base();
    table(&mut desired, "posts").partition_by = Some("RANGE (id)".into());
    let what = unsupported(&base(), &desired);
    assert!(
        what.contains("public.posts becomes partitioned (PARTITION BY RANGE (id))")
            && what.contains("PostgreSQL cannot convert a table in place"),
        "{what}"
    );

    let mut current = base();
    table(&mut current, "users").partition_by = Some("RANGE (id)".into());
    table(&mut current, "users").foreign_keys.clear();
    let mut other = table(&mut current, "users").clone();
    other.name = "users_old".into();
    other.partition_by = None;
    other.primary_key = None;
    other.uniques.clear();
    other.indexes.clear();
    current.tables.push(other.clone());
    let mut desired = current.clone();
    let attached = table(&mut desired, "users_old");
    attached.columns.clear();
    attached.checks.clear();
    attached.partition_of = Some(autogen_schema::PartitionOf {
        parent: QualifiedName::new("public", "users"),
        bound: "FOR VALUES FROM (0) TO (100)".into(),
    });
    let sql = plan_sql(&current, &desired);
    assert!(
        sql.trim_end().ends_with(
            "ALTER TABLE \"public\".\"users\" ATTACH PARTITION \"public\".\"users_old\" FOR VALUES FROM (0) TO (100);"
        ),
        "{sql}"
    );
}

/// An inheritance child lists its own columns only: a column added to its parent is one
/// statement on the parent; a parent dropped from its list is `NO INHERIT` (first), one added
/// is `INHERIT` when the child already has the parent's columns, and refused when it has not.
#[test]
fn inheritance_children_follow_their_parents() {
    let mut current = base();
    let mut child = table(&mut current, "posts").clone();
    child.name = "old_posts".into();
    child.columns = vec![plain_column("archived_on", "date")];
    child.primary_key = None;
    child.foreign_keys.clear();
    child.inherits = vec![QualifiedName::new("public", "posts")];
    current.tables.push(child);
    let mut desired = current.clone();
    table(&mut desired, "posts")
        .columns
        .push(plain_column("title", "text"));
    assert_eq!(
        plan_sql(&current, &desired).trim_end(),
        "ALTER TABLE \"public\".\"posts\" ADD COLUMN \"title\" text;"
    );

    let mut detached = current.clone();
    let old_posts = table(&mut detached, "old_posts");
    old_posts.inherits.clear();
    old_posts.columns = vec![
        Column {
            not_null: true,
            ..plain_column("id", "bigint")
        },
        plain_column("author_id", "bigint"),
        plain_column("archived_on", "date"),
    ];
    let sql = plan_sql(&current, &detached);
    assert!(
        sql.contains("ALTER TABLE \"public\".\"old_posts\" NO INHERIT \"public\".\"posts\";")
            && !sql.contains("ADD COLUMN"),
        "{sql}"
    );
    let what = unsupported(&detached, &current);
    assert!(
        what.contains("starts inheriting from public.posts, but does not have id, author_id"),
        "{what}"
    );
    let mut inheriting = detached.clone();
    table(&mut inheriting, "old_posts").inherits = vec![QualifiedName::new("public", "posts")];
    assert_eq!(
        plan_sql(&detached, &inheriting).trim_end(),
        "ALTER TABLE \"public\".\"old_posts\" INHERIT \"public\".\"posts\";"
    );
}

fn grant(grantee: &str, privilege: &str, grantable: bool) -> autogen_schema::Grant {
    autogen_schema::Grant {
        grantee: grantee.into(),
        privilege: privilege.into(),
        column: None,
        grantable,
    }
}

/// The statements of the plan from `current` to `desired`, in order.
fn statements(current: &Catalog, desired: &Catalog) -> Vec<String> {
    plan(current, desired)
        .unwrap()
        .statements
        .iter()
        .map(|statement| statement.sql.clone())
        .collect()
}

#[test]
fn schema_privileges_are_granted_revoked_and_given_a_grant_option() {
    let mut current = base();
    current.schemas[0].grants = vec![
        grant("reader", "USAGE", false),
        grant("writer", "CREATE", false),
    ];
    let mut desired = base();
    desired.schemas[0].grants = vec![grant("reader", "USAGE", true)];
    desired.schemas[0].revoked_defaults = vec![grant("public", "USAGE", false)];
    assert_eq!(
        statements(&current, &desired),
        [
            r#"REVOKE USAGE ON SCHEMA "public" FROM "reader";"#,
            r#"REVOKE CREATE ON SCHEMA "public" FROM "writer";"#,
            r#"REVOKE USAGE ON SCHEMA "public" FROM PUBLIC;"#,
            r#"GRANT USAGE ON SCHEMA "public" TO "reader" WITH GRANT OPTION;"#,
        ]
    );
    assert_eq!(
        statements(&desired, &current),
        [
            r#"REVOKE USAGE ON SCHEMA "public" FROM "reader";"#,
            r#"GRANT USAGE ON SCHEMA "public" TO PUBLIC;"#,
            r#"GRANT USAGE ON SCHEMA "public" TO "reader";"#,
            r#"GRANT CREATE ON SCHEMA "public" TO "writer";"#,
        ]
    );
}

#[test]
fn a_new_schema_gets_its_grants_after_it_is_created() {
    let mut desired = base();
    desired.schemas.push(Schema {
        name: "app".into(),
        comment: None,
        grants: vec![grant("reader", "USAGE", false)],
        revoked_defaults: Vec::new(),
    });
    assert_eq!(
        statements(&base(), &desired),
        [
            r#"CREATE SCHEMA IF NOT EXISTS "app";"#,
            r#"GRANT USAGE ON SCHEMA "app" TO "reader";"#,
        ]
    );
    // Dropped, its privileges go with it.
    assert_eq!(statements(&desired, &base()), [r#"DROP SCHEMA "app";"#]);
}

#[test]
fn type_privileges_are_granted_and_a_default_usage_revoked() {
    let mut desired = base();
    desired.enums[0].revoked_defaults = vec![grant("public", "USAGE", false)];
    desired.enums[0].grants = vec![grant("reader", "USAGE", true)];
    assert_eq!(
        statements(&base(), &desired),
        [
            r#"REVOKE USAGE ON TYPE "public"."mood" FROM PUBLIC;"#,
            r#"GRANT USAGE ON TYPE "public"."mood" TO "reader" WITH GRANT OPTION;"#,
        ]
    );
    assert_eq!(
        statements(&desired, &base()),
        [
            r#"REVOKE USAGE ON TYPE "public"."mood" FROM "reader";"#,
            r#"GRANT USAGE ON TYPE "public"."mood" TO PUBLIC;"#,
        ]
    );
}

#[test]
fn a_new_type_gets_its_grants_after_it_is_created() {
    let mut desired = base();
    desired.enums.push(EnumType {
        schema: "public".into(),
        name: "color".into(),
        values: vec!["red".into()],
        comment: None,
        grants: vec![grant("reader", "USAGE", false)],
        revoked_defaults: vec![grant("public", "USAGE", false)],
    });
    assert_eq!(
        statements(&base(), &desired),
        [
            r#"CREATE TYPE "public"."color" AS ENUM ('red');"#,
            r#"REVOKE USAGE ON TYPE "public"."color" FROM PUBLIC;"#,
            r#"GRANT USAGE ON TYPE "public"."color" TO "reader";"#,
        ]
    );
    assert_eq!(
        statements(&desired, &base()),
        [r#"DROP TYPE "public"."color";"#]
    );
}

/// A partitioned table and an inheritance parent with the partition and child that have their
/// columns from them.
const PARENTS: &str = r#"{
  "schemas": [{"name": "public"}],
  "tables": [
    {"schema": "public", "name": "events", "partition_by": "LIST (kind)",
     "columns": [{"name": "kind", "data_type": "integer"}, {"name": "payload", "data_type": "text"}]},
    {"schema": "public", "name": "events_1",
     "partition_of": {"parent": {"schema": "public", "name": "events"}, "bound": "FOR VALUES IN (1)"},
     "columns": []},
    {"schema": "public", "name": "documents",
     "columns": [{"name": "id", "data_type": "bigint"}, {"name": "body", "data_type": "text"}]},
    {"schema": "public", "name": "signed_documents",
     "inherits": [{"schema": "public", "name": "documents"}],
     "columns": [{"name": "signature", "data_type": "bytea"}]}
  ]
}"#;

#[test]
fn column_settings_are_set_reset_and_reach_the_partitions_and_children_of_the_column() {
    let current = catalog_from_json(PARENTS).unwrap();
    let mut desired = current.clone();
    let payload = column(&mut desired, "events", "payload");
    payload.storage = Some("external".into());
    payload.compression = Some("lz4".into());
    payload.statistics = Some(500);
    payload.options = vec!["n_distinct=-0.02".into()];
    column(&mut desired, "documents", "body").storage = Some("main".into());
    let up = statements(&current, &desired);
    assert_eq!(
        up,
        [
            "ALTER TABLE ONLY \"public\".\"documents\" ALTER COLUMN \"body\" SET STORAGE MAIN;\n\
             ALTER TABLE ONLY \"public\".\"signed_documents\" ALTER COLUMN \"body\" SET STORAGE MAIN;",
            "ALTER TABLE ONLY \"public\".\"events\" ALTER COLUMN \"payload\" SET STORAGE EXTERNAL;\n\
             ALTER TABLE ONLY \"public\".\"events_1\" ALTER COLUMN \"payload\" SET STORAGE EXTERNAL;",
            "ALTER TABLE ONLY \"public\".\"events\" ALTER COLUMN \"payload\" SET COMPRESSION lz4;\n\
             ALTER TABLE ONLY \"public\".\"events_1\" ALTER COLUMN \"payload\" SET COMPRESSION lz4;",
            "ALTER TABLE ONLY \"public\".\"events\" ALTER COLUMN \"payload\" SET STATISTICS 500;",
            "ALTER TABLE ONLY \"public\".\"events\" ALTER COLUMN \"payload\" SET (n_distinct=-0.02);",
        ]
    );
    let plan = plan(&current, &desired).unwrap();
    let hazards: Vec<&[Hazard]> = plan
        .statements
        .iter()
        .map(|s| s.hazards.as_slice())
        .collect();
    let lock: &[Hazard] = &[Hazard::AccessExclusiveLock];
    assert_eq!(hazards, [lock, lock, lock, &[], &[]]);
    // Back: the type's own storage (text: extended), the default compression and target, the
    // option reset.
    let down = statements(&desired, &current);
    assert!(down.contains(&"ALTER TABLE ONLY \"public\".\"events\" ALTER COLUMN \"payload\" SET STORAGE EXTENDED;\nALTER TABLE ONLY \"public\".\"events_1\" ALTER COLUMN \"payload\" SET STORAGE EXTENDED;".to_string()), "{down:?}");
    assert!(down.contains(&"ALTER TABLE ONLY \"public\".\"events\" ALTER COLUMN \"payload\" SET COMPRESSION DEFAULT;\nALTER TABLE ONLY \"public\".\"events_1\" ALTER COLUMN \"payload\" SET COMPRESSION DEFAULT;".to_string()), "{down:?}");
    assert!(
        down.contains(
            &"ALTER TABLE ONLY \"public\".\"events\" ALTER COLUMN \"payload\" SET STATISTICS -1;"
                .to_string()
        ),
        "{down:?}"
    );
    assert!(
        down.contains(
            &"ALTER TABLE ONLY \"public\".\"events\" ALTER COLUMN \"payload\" RESET (n_distinct);"
                .to_string()
        ),
        "{down:?}"
    );
    assert!(down.contains(&"ALTER TABLE ONLY \"public\".\"documents\" ALTER COLUMN \"body\" SET STORAGE EXTENDED;\nALTER TABLE ONLY \"public\".\"signed_documents\" ALTER COLUMN \"body\" SET STORAGE EXTENDED;".to_string()), "{down:?}");
}

/// A dictionary over another template cannot be altered: it is dropped and created, and so are
/// the configuration that maps to it and the index over that configuration — the drops before
/// the creates (the new objects take the old names), each after what uses it.
#[test]
fn a_dictionary_with_a_new_template_is_recreated_with_what_uses_it() {
    let json = |template: &str, option: &str| {
        format!(
            r#"{{
  "text_search_dictionaries": [{{"schema": "public", "name": "d", "template": "{template}",
                                 "options": ["{option}"]}}],
  "text_search_configurations": [{{"schema": "public", "name": "c",
      "parser": "pg_catalog.\"default\"",
      "mappings": [{{"token_type": "asciiword", "dictionaries": ["public.d"]}}]}}],
  "tables": [{{"schema": "public", "name": "t", "columns": [{{"name": "name", "data_type": "text"}}],
      "indexes": [{{"name": "t_search", "method": "gin",
          "keys": [{{"expression": "to_tsvector('public.c'::regconfig, name)"}}]}}]}}],
  "dependencies": [
    {{"dependent": {{"text_search_configuration": {{"schema": "public", "name": "c"}}}},
      "on": {{"text_search_dictionary": {{"schema": "public", "name": "d"}}}}}},
    {{"dependent": {{"index": {{"schema": "public", "name": "t_search"}}}},
      "on": {{"text_search_configuration": {{"schema": "public", "name": "c"}}}}}}]
}}"#
        )
    };
    let current = catalog_from_json(&json("pg_catalog.simple", "stopwords = 'english'")).unwrap();
    let desired = catalog_from_json(&json("pg_catalog.snowball", "language = 'english'")).unwrap();
    let sql = plan_sql(&current, &desired);
    let position = |needle: &str| {
        sql.find(needle)
            .unwrap_or_else(|| panic!("{needle} in\n{sql}"))
    };
    assert!(
        position("DROP INDEX \"public\".\"t_search\"") < position("DROP TEXT SEARCH CONFIGURATION")
    );
    assert!(
        position("DROP TEXT SEARCH CONFIGURATION \"public\".\"c\"")
            < position("DROP TEXT SEARCH DICTIONARY \"public\".\"d\"")
    );
    assert!(
        position("DROP TEXT SEARCH DICTIONARY")
            < position(
                "CREATE TEXT SEARCH DICTIONARY \"public\".\"d\" (TEMPLATE = pg_catalog.snowball, language = 'english');"
            )
    );
    assert!(
        position("CREATE TEXT SEARCH DICTIONARY")
            < position("CREATE TEXT SEARCH CONFIGURATION \"public\".\"c\"")
    );
    assert!(
        position("ADD MAPPING FOR \"asciiword\" WITH public.d;")
            < position("CREATE INDEX \"t_search\"")
    );
}
