//! A project outside this workspace that depends on the published facade by name and version
//! (`pg-autogen = "0.1.0"`, its library still `autogen`) compiles: the crates are patched to
//! these sources, as they would come from crates.io (the dependencies they pull in come from the
//! registry, pinned by the workspace's lock file).

use std::path::{Path, PathBuf};
use std::process::Command;

const CONSUMER_MAIN: &str = r#"use autogen::{DbEnum, Model};

#[derive(DbEnum)]
#[model(type_name = "plan")]
pub enum Plan {
    Free,
    Paid,
}

#[derive(Model)]
#[model(table = "accounts")]
pub struct Account {
    #[model(primary_key, identity)]
    pub id: i64,
    #[model(max_length = 255, unique)]
    pub email: String,
    pub plan: Plan,
}

fn main() {
    println!("{} {:?}", Account::QUALIFIED_TABLE, Account::COLUMNS);
}
"#;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Builds and runs a project outside the workspace whose `main.rs` is `main` and which depends
/// on `pg-autogen = { version = "0.1.0", features }`; its stdout.
fn run_outside(main: &str, features: &[&str]) -> String {
    let output = cargo_run_outside(main, features);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// `cargo run` of that project, whatever its outcome.
fn cargo_run_outside(main: &str, features: &[&str]) -> std::process::Output {
    cargo_run_outside_with(main, features, &[])
}

/// [`cargo_run_outside`] with more files in the project, as (path relative to its root, text).
fn cargo_run_outside_with(
    main: &str,
    features: &[&str],
    files: &[(&str, &str)],
) -> std::process::Output {
    let root = workspace().canonicalize().expect("workspace root");
    let dir = tempfile::tempdir().expect("tempdir");
    let crates = root.join("crates");
    // Every crate the facade pulls in, as crates.io would serve it.
    let patches: String = [
        ("pg-autogen", "autogen"),
        ("autogen-derive", "autogen-derive"),
        ("autogen-model", "autogen-model"),
        ("autogen-schema", "autogen-schema"),
        ("autogen-sql", "autogen-sql"),
        ("autogen-migrate", "autogen-migrate"),
        ("autogen-pg", "autogen-pg"),
    ]
    .iter()
    .map(|(name, dir)| format!("{name} = {{ path = {:?} }}\n", crates.join(dir)))
    .collect();
    let features: Vec<String> = features.iter().map(|f| format!("{f:?}")).collect();
    let manifest = format!(
        "[package]\nname = \"outside-consumer\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\npg-autogen = {{ version = \"0.1.0\", features = [{}] }}\n\n\
         [patch.crates-io]\n{patches}\n[workspace]\n",
        features.join(", ")
    );
    std::fs::write(dir.path().join("Cargo.toml"), manifest).expect("manifest");
    std::fs::create_dir(dir.path().join("src")).expect("src");
    std::fs::write(dir.path().join("src/main.rs"), main).expect("main.rs");
    for (path, text) in files {
        let path = dir.path().join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("project directory");
        }
        std::fs::write(path, text).expect("project file");
    }
    // The workspace's lock file pins the versions it was tested with; a shared target directory
    // keeps the dependencies built once across runs.
    std::fs::copy(root.join("Cargo.lock"), dir.path().join("Cargo.lock")).expect("Cargo.lock");
    Command::new(env!("CARGO"))
        .args(["run", "--quiet"])
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", root.join("target/outside-consumer"))
        .output()
        .expect("run cargo")
}

#[test]
fn a_project_outside_the_workspace_builds_on_the_published_facade() {
    assert_eq!(
        run_outside(CONSUMER_MAIN, &[]),
        r#""public"."accounts" ["id", "email", "plan"]"#
    );
}

const SEA_QUERY_MAIN: &str = r#"use autogen::Model;
use autogen::sea_query::{Expr, ExprTrait, PostgresQueryBuilder, Query};

#[derive(Model)]
#[model(table = "accounts", schema = "billing")]
pub struct Account {
    #[model(primary_key, identity)]
    pub id: i64,
    #[model(column = "e_mail")]
    pub email: String,
    pub display_name: Option<String>,
}

fn main() {
    let sql = Query::select()
        .columns([AccountIden::Id, AccountIden::Email, AccountIden::DisplayName])
        .from((AccountIden::Schema, AccountIden::Table))
        .and_where(Expr::col(AccountIden::Email).eq("a@example.com"))
        .to_string(PostgresQueryBuilder);
    println!("{sql}");
}
"#;

/// With the `sea-query` feature, a model's `<Struct>Iden` enum builds typed queries over the
/// names the model declares (the column name, not the field's, where they differ).
#[test]
fn the_sea_query_feature_gives_typed_query_identifiers() {
    assert_eq!(
        run_outside(SEA_QUERY_MAIN, &["sea-query"]),
        r#"SELECT "id", "e_mail", "display_name" FROM "billing"."accounts" WHERE "e_mail" = 'a@example.com'"#
    );
}

/// A field whose variant would be `Table` or `Schema` is a compile error at the field.
#[test]
fn a_field_named_like_the_table_variant_is_a_compile_error_at_it() {
    let main = r#"use autogen::Model;

#[derive(Model)]
pub struct Seat {
    #[model(primary_key)]
    pub id: i64,
    pub table: i32,
}

fn main() {}
"#;
    let output = cargo_run_outside(main, &["sea-query"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("field `table` would be the variant `Table` of `SeatIden`"),
        "{stderr}"
    );
    assert!(stderr.contains("src/main.rs:7:"), "{stderr}");
}

const SQLX_MAIN: &str = r#"use autogen::migrate::sqlx::postgres::{PgConnection, PgPool};
use autogen::migrate::{EmbeddedMigrations, MigrateError, RevisionPhase};

static MIGRATIONS: EmbeddedMigrations = autogen::embed_migrations!();

async fn on_pool(pool: &PgPool) -> Result<Vec<String>, MigrateError> {
    MIGRATIONS.upgrade_sqlx(pool).await?;
    MIGRATIONS.upgrade_phase_sqlx(pool, RevisionPhase::Contract).await
}

async fn on_connection(connection: &mut PgConnection) -> Result<Vec<String>, MigrateError> {
    MIGRATIONS.upgrade_sqlx_connection(connection).await
}

async fn on_tokio_postgres(url: &str) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let mut client = autogen::connect(url).await?;
    Ok(MIGRATIONS.upgrade(&mut client).await?)
}

fn main() {
    // Compiled, not run: no server here.
    let _ = (on_pool, on_connection, on_tokio_postgres);
    println!("{} revision(s)", MIGRATIONS.graph().map(|graph| graph.ordered().len()).unwrap_or(0));
}
"#;

const SQLX_REVISION: &str = "-- revision: 20261201090000
-- parents:
-- message: create items
-- created: 2026-12-01T09:00:00Z

-- migrate:up
CREATE TABLE items (id bigint PRIMARY KEY);

-- migrate:down
DROP TABLE items;
";

/// With the `sqlx` feature, a project outside the workspace runs its embedded revisions on a
/// sqlx pool or connection, and `autogen::connect` (the `migrate` feature) gives a tokio-postgres
/// client; the default build above pulls neither.
#[test]
fn the_sqlx_feature_runs_embedded_revisions_on_a_sqlx_pool() {
    let output = cargo_run_outside_with(
        SQLX_MAIN,
        &["sqlx"],
        &[("migrations/20261201090000_create_items.sql", SQLX_REVISION)],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "1 revision(s)"
    );
}
