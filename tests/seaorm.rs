//! SeaORM entity files as a models source, end to end on PostgreSQL: `inspect` of the
//! fixture entities equals the schema SeaORM creates for them (`fixtures/seaorm/expected*.sql`,
//! as SeaORM itself cannot run offline here: the statements SeaORM builds, rendered by
//! sea-query's own PostgreSQL backend), a project pointed at an entity directory gets a
//! verified revision of exactly an entity edit, and unmappable entities fail at file:line.

mod common;

use common::project::{Project, runtime, with_db};
use common::*;

fn seaorm_fixtures() -> std::path::PathBuf {
    fixtures().join("seaorm")
}

#[test]
fn inspect_of_the_entities_equals_what_seaorm_creates() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let dir = seaorm_fixtures();
    let expected = dir.join("expected.sql");
    let entities = dir.join("entity");
    let output = autogen_in(
        scratch.path(),
        &[
            "diff",
            "--from",
            &expected.to_string_lossy(),
            "--to",
            &entities.to_string_lossy(),
            "--exit-code",
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        stdout(&output),
        stderr(&output)
    );
}

/// The statements `Schema::create_enum_from_active_enum`, `create_table_from_entity` and
/// `create_index_from_entity` build for the fixture entities (SeaORM's
/// `column_def_from_entity_column`: `not_null` unless nullable, `unique_key`, `default`,
/// `auto_increment` and inline `primary_key` for a single key, `pk-<table>` for a composite
/// one, `fk-<table>-<columns>` per `belongs_to`), rendered by sea-query 1.0 itself (the
/// sea-query of SeaORM 2.x), so `expected.sql` is the text SeaORM would run, not a guess.
fn seaorm_statements() -> Vec<String> {
    use sea_query::extension::postgres::Type;
    use sea_query::{ColumnDef, ForeignKey, ForeignKeyAction, Index, PostgresQueryBuilder, Table};
    vec![
        Type::create()
            .as_enum("tea")
            .values(["EverydayTea", "BreakfastTea"])
            .to_string(PostgresQueryBuilder),
        Table::create()
            .table("cake")
            .col(
                ColumnDef::new("id")
                    .integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(ColumnDef::new("name").string().not_null().unique_key())
            .col(ColumnDef::new("price").decimal_len(10, 2).not_null())
            .col(
                ColumnDef::new("baked_at")
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .col(ColumnDef::new("description").text())
            .col(
                ColumnDef::new("gluten_free")
                    .boolean()
                    .not_null()
                    .default(true),
            )
            .col(ColumnDef::new("served_with").custom("tea"))
            .col(ColumnDef::new("extra_data").json().not_null())
            .to_string(PostgresQueryBuilder),
        Table::create()
            .table("filling")
            .col(ColumnDef::new("id").uuid().not_null().primary_key())
            .col(ColumnDef::new("name").string_len(100).not_null())
            .col(ColumnDef::new("vendor_id").integer())
            .to_string(PostgresQueryBuilder),
        Table::create()
            .table("fruit")
            .col(
                ColumnDef::new("id")
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(ColumnDef::new("name").string().not_null().default("apple"))
            .col(ColumnDef::new("cake_id").integer())
            .col(ColumnDef::new("size").string_len(1).not_null())
            .col(ColumnDef::new("picked_on").date().not_null())
            .foreign_key(
                ForeignKey::create()
                    .name("fk-fruit-cake_id")
                    .from("fruit", "cake_id")
                    .to("cake", "id")
                    .on_delete(ForeignKeyAction::Cascade)
                    .on_update(ForeignKeyAction::NoAction),
            )
            .to_string(PostgresQueryBuilder),
        Table::create()
            .table("cake_filling")
            .col(ColumnDef::new("cake_id").integer().not_null())
            .col(ColumnDef::new("filling_id").uuid().not_null())
            .col(ColumnDef::new("layers").small_integer().not_null())
            .primary_key(
                Index::create()
                    .name("pk-cake_filling")
                    .col("cake_id")
                    .col("filling_id")
                    .primary(),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk-cake_filling-cake_id")
                    .from("cake_filling", "cake_id")
                    .to("cake", "id")
                    .on_delete(ForeignKeyAction::Cascade)
                    .on_update(ForeignKeyAction::Cascade),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk-cake_filling-filling_id")
                    .from("cake_filling", "filling_id")
                    .to("filling", "id")
                    .on_delete(ForeignKeyAction::Restrict),
            )
            .to_string(PostgresQueryBuilder),
        Index::create()
            .name("idx-cake-baked_at")
            .table("cake")
            .col("baked_at")
            .to_string(PostgresQueryBuilder),
    ]
}

#[test]
fn the_expected_schema_is_what_sea_query_renders() {
    let text =
        std::fs::read_to_string(seaorm_fixtures().join("expected.sql")).expect("expected.sql");
    let written: Vec<String> = text
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with("--"))
        .map(|line| line.trim_end_matches(';').to_string())
        .collect();
    assert_eq!(written, seaorm_statements());
}

#[test]
fn seaorm_1_projects_get_serial_keys() {
    let project = tempfile::tempdir().expect("temp dir");
    let entities = seaorm_fixtures().join("entity");
    std::fs::write(
        project.path().join("autogen.toml"),
        format!(
            "[models]\npaths = [{:?}]\nseaorm_auto_increment = \"serial\"\n",
            entities.to_string_lossy()
        ),
    )
    .expect("write autogen.toml");
    let expected = seaorm_fixtures().join("expected-serial.sql");
    let output = autogen_in(
        project.path(),
        &[
            "diff",
            "--from",
            &expected.to_string_lossy(),
            "--to",
            "autogen.toml",
            "--exit-code",
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        stdout(&output),
        stderr(&output)
    );

    // A revision of them creates the sequences serial columns own.
    std::fs::create_dir(project.path().join("migrations")).expect("migrations dir");
    let output = autogen_in(project.path(), &["revision", "-m", "bakery"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let revision = sql_files(&project.path().join("migrations"));
    let text = std::fs::read_to_string(&revision[0]).expect("the revision");
    assert!(
        text.contains(
            "ALTER SEQUENCE \"public\".\"cake_id_seq\" OWNED BY \"public\".\"cake\".\"id\";"
        ),
        "{text}"
    );

    std::fs::write(
        project.path().join("autogen.toml"),
        "[models]\nseaorm_auto_increment = \"bigserial\"\n",
    )
    .expect("write autogen.toml");
    let output = autogen_in(project.path(), &["inspect", "autogen.toml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output)
            .contains("autogen.toml:2: [models] seaorm_auto_increment: unknown value `bigserial`"),
        "{}",
        stderr(&output)
    );
}

/// The statements of a revision file's section (`up` or `down`), without comments.
fn section(revision: &str, name: &str) -> Vec<String> {
    let start = format!("-- migrate:{name}");
    let mut lines = revision
        .lines()
        .skip_while(|line| !line.starts_with(&start));
    lines.next();
    lines
        .take_while(|line| !line.starts_with("-- migrate:"))
        .filter(|line| !line.trim().is_empty() && !line.starts_with("--"))
        .map(str::to_string)
        .collect()
}

#[test]
fn a_project_on_an_entity_directory_gets_the_revision_of_an_entity_edit() {
    let project = Project::new();
    let entity = project.path().join("entity");
    std::fs::create_dir_all(&entity).expect("entity dir");
    for file in std::fs::read_dir(seaorm_fixtures().join("entity")).expect("fixture") {
        let file = file.expect("fixture entry").path();
        std::fs::copy(&file, entity.join(file.file_name().expect("a name"))).expect("copy");
    }
    let config_path = project.path().join("autogen.toml");
    let config = std::fs::read_to_string(&config_path).expect("read autogen.toml");
    let pointed = config.replace("paths = [\"models\"]", "paths = [\"entity\"]");
    assert_ne!(pointed, config, "autogen init writes paths = [\"models\"]");
    std::fs::write(&config_path, pointed).expect("write autogen.toml");

    project.expect(0, &["revision", "-m", "bakery"]);
    let first = std::fs::read_to_string(&project.revisions()[0]).expect("first revision");
    assert!(
        first.contains("CREATE TABLE \"public\".\"cake_filling\""),
        "{first}"
    );
    project.expect(0, &["check"]);

    // The edit: a new field in an entity.
    let fruit = entity.join("fruit.rs");
    let text = std::fs::read_to_string(&fruit).expect("read fruit.rs");
    let edited = text.replace(
        "    pub picked_on: Date,\n",
        "    pub picked_on: Date,\n    pub ripe: Option<bool>,\n",
    );
    assert_ne!(edited, text);
    std::fs::write(&fruit, edited).expect("write fruit.rs");
    let (report, _) = project.expect_both(1, &["check"]);
    assert!(report.contains("\"ripe\""), "{report}");

    project.expect(0, &["revision", "-m", "ripe fruit"]);
    let revisions = project.revisions();
    assert_eq!(revisions.len(), 2);
    let second = std::fs::read_to_string(&revisions[1]).expect("second revision");
    assert_eq!(
        section(&second, "up"),
        ["ALTER TABLE \"public\".\"fruit\" ADD COLUMN \"ripe\" boolean;"],
        "{second}"
    );
    assert_eq!(
        section(&second, "down"),
        ["ALTER TABLE \"public\".\"fruit\" DROP COLUMN \"ripe\";"],
        "{second}"
    );
    project.expect(0, &["check"]);

    // Applied to a real database, the chain gives exactly the entities' schema.
    let database = runtime().block_on(autogen_testkit::fresh_database());
    let url = autogen_testkit::url(&database);
    project.expect(0, &with_db(&url, &["upgrade", "head"]));
    project.expect(0, &with_db(&url, &["check"]));
}

#[test]
fn unmappable_entities_fail_at_their_line() {
    let project = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        project.path().join("post.rs"),
        "use sea_orm::entity::prelude::*;\n\n#[derive(Clone, Debug, DeriveEntityModel)]\n#[sea_orm(table_name = \"post\")]\npub struct Model {\n    #[sea_orm(primary_key)]\n    pub id: i32,\n    #[sea_orm(column_type = \"Year\")]\n    pub year: i32,\n    pub location: Point,\n}\n",
    )
    .expect("write post.rs");
    let output = autogen_in(project.path(), &["inspect", "post.rs"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    let text = stderr(&output);
    assert!(
        text.contains("column_type `Year` is MySQL only; PostgreSQL has no year type"),
        "{text}"
    );
    assert!(text.contains("post.rs:8:29"), "{text}");
    assert!(
        text.contains("autogen cannot tell the column type of `Point`"),
        "{text}"
    );
    assert!(text.contains("post.rs:10:19"), "{text}");
}
