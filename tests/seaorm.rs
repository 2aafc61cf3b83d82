//! SeaORM entity files as a models source, end to end on PostgreSQL: SeaORM 2.x itself, built
//! in a crate outside the workspace around the fixture entities, creates their schema in a
//! database, and `autogen diff` finds no difference between that database and the entities,
//! nor between it and `fixtures/seaorm/expected.sql` (so `inspect` of the entities equals what
//! SeaORM creates, and the offline checks against `expected*.sql` compare with the real thing);
//! a project pointed at an entity directory gets a verified revision of exactly an entity edit,
//! and unmappable entities fail at file:line.

mod common;

use common::project::{Project, fresh_database, query, runtime, with_db};
use common::*;
use std::path::Path;

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
/// one, `fk-<table>-<columns>` per `belongs_to`), written with sea-query 1.0 (the sea-query of
/// SeaORM 2.x) and rendered by it: the offline check of `expected.sql`, which
/// [`seaorm_itself_creates_the_schema_autogen_reads_from_the_entities`] confirms against the
/// statements SeaORM really builds and runs.
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

/// The statements of `expected.sql`, one a line there, without their `;`.
fn expected_statements() -> Vec<String> {
    let text =
        std::fs::read_to_string(seaorm_fixtures().join("expected.sql")).expect("expected.sql");
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with("--"))
        .map(|line| line.trim_end_matches(';').to_string())
        .collect()
}

#[test]
fn the_expected_schema_is_what_sea_query_renders() {
    assert_eq!(expected_statements(), seaorm_statements());
}

/// sea-orm 2.x for the fixture entities: beside the features sea-orm-migration already gives
/// it (so the crate shares the migration crate's build), `macros` for the derives, `with-json`,
/// `with-chrono`, `with-rust_decimal` and `with-uuid` for `Json`, `DateTimeWithTimeZone`/`Date`,
/// `Decimal` and `Uuid` in `sea_orm::entity::prelude`.
const SEAORM_DEPENDENCY: &str = "sea-orm = { version = \"2\", default-features = false, features = [\"macros\", \"with-json\", \"with-chrono\", \"with-rust_decimal\", \"with-uuid\", \"sqlx-postgres\", \"runtime-tokio-rustls\"] }\n";

/// The entity crate's `main`: SeaORM's own `Schema` for PostgreSQL creates the active enum, the
/// tables in dependency order and then the indexes of the entities, each statement printed
/// (as sea-query renders it) and executed on the database at `DATABASE_URL`.
const SEAORM_MAIN: &str = r#"mod entity;

use entity::prelude::*;
use entity::sea_orm_active_enums::Tea;
use sea_orm::sea_query::PostgresQueryBuilder;
use sea_orm::{ConnectionTrait, Database, DbBackend, Schema};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let db = Database::connect(std::env::var("DATABASE_URL")?).await?;
    let schema = Schema::new(DbBackend::Postgres);
    let tea = schema
        .create_enum_from_active_enum::<Tea>()
        .ok_or("no enum type on PostgreSQL")?;
    println!("{}", tea.to_string(PostgresQueryBuilder));
    db.execute(&tea).await?;
    let tables = [
        schema.create_table_from_entity(Cake),
        schema.create_table_from_entity(Filling),
        schema.create_table_from_entity(Fruit),
        schema.create_table_from_entity(CakeFilling),
    ];
    for table in &tables {
        println!("{}", table.to_string(PostgresQueryBuilder));
        db.execute(table).await?;
    }
    let indexes = [
        schema.create_index_from_entity(Cake),
        schema.create_index_from_entity(Filling),
        schema.create_index_from_entity(Fruit),
        schema.create_index_from_entity(CakeFilling),
    ];
    for index in indexes.iter().flatten() {
        println!("{}", index.to_string(PostgresQueryBuilder));
        db.execute(index).await?;
    }
    Ok(())
}
"#;

/// `autogen diff --from <from> --to <to> --exit-code`, required to find no difference.
fn assert_no_difference(scratch: &Path, from: &str, to: &Path) {
    let output = autogen_in(
        scratch,
        &[
            "diff",
            "--from",
            from,
            "--to",
            &to.to_string_lossy(),
            "--exit-code",
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "diff --from the database SeaORM created --to {}\nstdout:\n{}\nstderr:\n{}",
        to.display(),
        stdout(&output),
        stderr(&output)
    );
}

/// SeaORM itself, not a rendering of what it would do: a crate outside the workspace with the
/// fixture entities verbatim in `src/entity/` builds against sea-orm 2.x (no warnings) and its
/// `Schema` creates their schema in a fresh database, running exactly the statements of
/// `expected.sql`; `autogen diff` then finds nothing between that database and the entity
/// directory (what autogen reads from the files is what SeaORM creates), nor between it and
/// `expected.sql`.
#[test]
fn seaorm_itself_creates_the_schema_autogen_reads_from_the_entities() {
    let bakery = sea_orm::new_crate(&sea_orm::manifest("bakery", SEAORM_DEPENDENCY));
    let src = bakery.path().join("src");
    let entity = src.join("entity");
    std::fs::create_dir(&entity).expect("src/entity");
    for file in std::fs::read_dir(seaorm_fixtures().join("entity")).expect("fixture") {
        let file = file.expect("fixture entry").path();
        std::fs::copy(&file, entity.join(file.file_name().expect("a name"))).expect("copy");
    }
    std::fs::write(src.join("main.rs"), SEAORM_MAIN).expect("main.rs");

    let (_database, url) = fresh_database();
    let ran = sea_orm::cargo_run(bakery.path(), &url, &[]);
    assert_eq!(ran, expected_statements());
    assert_eq!(
        query(
            &url,
            "SELECT relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace \
             AND relkind = 'r' ORDER BY 1"
        ),
        ["cake", "cake_filling", "filling", "fruit"]
    );

    let scratch = tempfile::tempdir().expect("temp dir");
    assert_no_difference(scratch.path(), &url, &seaorm_fixtures().join("entity"));
    assert_no_difference(
        scratch.path(),
        &url,
        &seaorm_fixtures().join("expected.sql"),
    );
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
