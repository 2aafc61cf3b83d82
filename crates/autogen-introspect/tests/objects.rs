//! The objects beyond tables (views, routines, triggers, domains, composite and range types,
//! collations), the dependency graph between them, the fingerprints of what is still not
//! modeled, and the extension updates a server offers.

use autogen_introspect::{ExtensionUpdate, InspectOptions, Inspection, inspect};
use autogen_schema::{Dependency, FunctionKind, ObjectRef, QualifiedName, TriggerEnabled};
use autogen_testkit::fresh_database;

async fn inspection_of(sql: &str) -> Inspection {
    let database = fresh_database().await;
    let mut client = database.connect().await.expect("connect");
    client.batch_execute(sql).await.expect("load schema");
    inspect(&mut client, &InspectOptions::default())
        .await
        .expect("inspect")
}

fn name(schema: &str, name: &str) -> QualifiedName {
    QualifiedName::new(schema, name)
}

fn column(relation: &str, column: &str) -> ObjectRef {
    ObjectRef::Column {
        relation: name("public", relation),
        column: column.into(),
    }
}

#[tokio::test]
async fn objects_are_read_as_postgresql_prints_them() {
    let inspection = inspection_of(
        "CREATE EXTENSION citext;
         CREATE TYPE floats AS RANGE (subtype = float8);
         CREATE DOMAIN small AS int DEFAULT 1 CHECK (VALUE < 10);
         ALTER DOMAIN small ADD CONSTRAINT small_positive CHECK (VALUE > 0) NOT VALID;
         CREATE TABLE t (id int PRIMARY KEY, size small, email citext);
         CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql RETURN a + 1;
         CREATE AGGREGATE biggest(int) (SFUNC = int4larger, STYPE = int);
         CREATE MATERIALIZED VIEW m AS SELECT id, size FROM t WITH NO DATA;
         CREATE INDEX m_size ON m (size DESC);
         CREATE FUNCTION noop() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
         CREATE TRIGGER a_replica BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION noop();
         ALTER TABLE t ENABLE REPLICA TRIGGER a_replica;
         CREATE TRIGGER b_always BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION noop();
         ALTER TABLE t ENABLE ALWAYS TRIGGER b_always;",
    )
    .await;
    let catalog = &inspection.catalog;
    // The range type's constructors and citext's functions are not the user's routines.
    let routines: Vec<(String, FunctionKind)> = catalog
        .functions
        .iter()
        .map(|function| (function.id().to_string(), function.kind))
        .collect();
    assert_eq!(
        routines,
        [
            (
                "public.biggest(integer)".to_string(),
                FunctionKind::Aggregate
            ),
            ("public.f(a integer)".to_string(), FunctionKind::Function),
            ("public.noop()".to_string(), FunctionKind::Function),
        ]
    );
    assert_eq!(
        catalog.functions[0].definition,
        "CREATE AGGREGATE \"public\".\"biggest\"(integer) (\n    SFUNC = int4larger,\n    STYPE = integer\n)"
    );
    assert_eq!(catalog.functions[1].result.as_deref(), Some("integer"));
    let domain = &catalog.domains[0];
    assert_eq!(
        (domain.data_type.as_str(), domain.default.as_deref()),
        ("integer", Some("1"))
    );
    let checks: Vec<(&str, &str, bool)> = domain
        .checks
        .iter()
        .map(|check| {
            (
                check.name.as_str(),
                check.definition.as_str(),
                check.not_valid,
            )
        })
        .collect();
    assert_eq!(
        checks,
        [
            ("small_check", "CHECK ((VALUE < 10))", false),
            ("small_positive", "CHECK ((VALUE > 0))", true),
        ]
    );
    let view = &catalog.views[0];
    assert!(view.materialized && view.unpopulated);
    assert_eq!(view.columns, ["id", "size"]);
    assert!(
        view.definition.starts_with("SELECT t.id,"),
        "{}",
        view.definition
    );
    assert!(!view.definition.ends_with(';'));
    // A materialized view's index is an Index like a table's, read by the same decoder.
    assert_eq!(view.indexes.len(), 1);
    assert!(view.indexes[0].keys[0].descending);
    let enabled: Vec<TriggerEnabled> = catalog.triggers.iter().map(|t| t.enabled).collect();
    assert_eq!(enabled, [TriggerEnabled::Replica, TriggerEnabled::Always]);
    assert_eq!(catalog.range_types[0].subtype, "double precision");
    assert_eq!(catalog.range_types[0].multirange, None);
    assert!(
        inspection.unsupported.is_empty(),
        "{:?}",
        inspection.unsupported
    );
}

#[tokio::test]
async fn dependencies_connect_objects_of_the_catalog_only() {
    let inspection = inspection_of(
        "CREATE EXTENSION citext;
         CREATE TYPE mood AS ENUM ('ok', 'sad');
         CREATE TABLE t (id serial PRIMARY KEY, m mood[], email citext,
                         n int GENERATED ALWAYS AS IDENTITY, score int CHECK (score > 0));
         CREATE INDEX t_score ON t (score);
         CREATE VIEW v AS SELECT id, email FROM t;
         CREATE VIEW w AS SELECT count(*) AS c FROM v WHERE id > 0;
         CREATE FUNCTION ids() RETURNS SETOF t LANGUAGE sql BEGIN ATOMIC SELECT * FROM t; END;",
    )
    .await;
    let edges = &inspection.catalog.dependencies;
    let name_of = |table: &str| name("public", table);
    let has = |dependent: ObjectRef, on: ObjectRef| edges.contains(&Dependency { dependent, on });
    let relation = |relation: &str| ObjectRef::Relation(name("public", relation));
    // A view's query, down to the columns; a view over a view.
    assert!(has(relation("v"), column("t", "id")), "{edges:#?}");
    assert!(has(relation("w"), column("v", "id")), "{edges:#?}");
    // An array column stands for its element type; a function's row type for its table.
    assert!(has(
        column("t", "m"),
        ObjectRef::Type(name("public", "mood"))
    ));
    let ids = ObjectRef::Function(inspection.catalog.functions[0].id());
    assert!(has(ids.clone(), relation("t")), "{edges:#?}");
    // serial: the default uses the sequence; the sequence's OWNED BY is not an edge.
    let sequence = ObjectRef::Sequence(name("public", "t_id_seq"));
    let default = ObjectRef::Default {
        table: name("public", "t"),
        column: "id".into(),
    };
    assert!(has(default.clone(), sequence.clone()));
    assert!(!edges.iter().any(|edge| edge.dependent == sequence));
    assert!(!has(default, column("t", "id")));
    // What an expression uses is an edge; what the catalog already lists (a key's or an
    // index's columns) is not.
    let constraint = |name: &str| ObjectRef::Constraint {
        table: name_of("t"),
        name: name.into(),
    };
    assert!(has(constraint("t_score_check"), column("t", "score")));
    assert!(!has(constraint("t_pkey"), column("t", "id")));
    let index = ObjectRef::Index(name_of("t_score"));
    assert!(
        !edges.iter().any(|edge| edge.dependent == index),
        "{edges:#?}"
    );
    // Nothing of citext's, no identity sequence, no self-edge.
    for edge in edges {
        assert_ne!(edge.dependent, edge.on);
        for end in [&edge.dependent, &edge.on] {
            assert!(!format!("{end:?}").contains("citext"), "{edge:?}");
            assert!(!format!("{end:?}").contains("t_n_seq"), "{edge:?}");
        }
    }
}

#[tokio::test]
async fn a_changed_definition_of_an_unmodeled_object_changes_its_fingerprint() {
    let schema = |condition: &str| {
        format!(
            "CREATE TABLE t (id int, b int);
             CREATE RULE r AS ON UPDATE TO t WHERE ({condition}) DO INSTEAD NOTHING;
             CREATE STATISTICS s (ndistinct) ON id, b FROM t;"
        )
    };
    let fingerprints = |inspection: &Inspection| -> Vec<(String, String, String)> {
        inspection
            .unsupported
            .iter()
            .flat_map(|group| {
                group.objects.iter().map(|object| {
                    (
                        group.kind.clone(),
                        object.name.clone(),
                        object.fingerprint.clone(),
                    )
                })
            })
            .collect()
    };
    let a = fingerprints(&inspection_of(&schema("new.id > 0")).await);
    let same = fingerprints(&inspection_of(&schema("new.id > 0")).await);
    let other = fingerprints(&inspection_of(&schema("new.id > 1")).await);
    assert_eq!(a, same);
    let names = |rows: &[(String, String, String)]| -> Vec<(String, String)> {
        rows.iter()
            .map(|(kind, name, _)| (kind.clone(), name.clone()))
            .collect()
    };
    assert_eq!(
        names(&a),
        [
            ("rule".to_string(), "public.t.r".to_string()),
            ("statistics object".to_string(), "public.s".to_string()),
        ]
    );
    assert_eq!(names(&a), names(&other));
    assert_ne!(a[0], other[0]);
    assert_eq!(a[1], other[1]);
    assert!(a[0].2.contains("(new.id > 0)"), "{:?}", a[0]);
}

#[tokio::test]
async fn extension_updates_say_what_the_server_could_install() {
    let inspection = inspection_of("CREATE EXTENSION citext VERSION '1.4';").await;
    assert_eq!(inspection.catalog.extensions[0].version, "1.4");
    let targets: Vec<&str> = inspection
        .extension_updates
        .iter()
        .map(|update| update.to.as_str())
        .collect();
    assert!(
        targets.contains(&"1.6"),
        "{:?}",
        inspection.extension_updates
    );
    assert!(inspection.extension_updates.iter().all(|update| {
        *update
            == ExtensionUpdate {
                extension: "citext".into(),
                from: "1.4".into(),
                to: update.to.clone(),
            }
    }));
}

#[tokio::test]
async fn privileges_on_schemas_and_types_are_modeled_not_unsupported() {
    let inspection = inspection_of(
        "CREATE SCHEMA app;
         CREATE TYPE app.pair AS (a int, b int);
         REVOKE USAGE ON TYPE app.pair FROM PUBLIC;
         GRANT USAGE ON SCHEMA app TO PUBLIC;",
    )
    .await;
    assert!(
        inspection.unsupported.is_empty(),
        "{:?}",
        inspection.unsupported
    );
    let catalog = &inspection.catalog;
    let app = catalog
        .schemas
        .iter()
        .find(|schema| schema.name == "app")
        .expect("schema app");
    assert_eq!(app.grants.len(), 1, "{app:?}");
    assert_eq!(app.grants[0].grantee, "public");
    assert_eq!(app.grants[0].privilege, "USAGE");
    // The standard public schema has nothing beyond its defaults.
    let public = catalog
        .schemas
        .iter()
        .find(|schema| schema.name == "public")
        .expect("schema public");
    assert!(
        public.grants.is_empty() && public.revoked_defaults.is_empty(),
        "{public:?}"
    );
    let pair = &catalog.composite_types[0];
    assert!(pair.grants.is_empty(), "{pair:?}");
    assert_eq!(pair.revoked_defaults.len(), 1, "{pair:?}");
    assert_eq!(pair.revoked_defaults[0].grantee, "public");
}
