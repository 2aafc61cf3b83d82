//! Revisions in the layouts of sqlx, Diesel and sea-orm-migration, end to end against real
//! PostgreSQL: `revision` writes the stack's files, the test applies them the way the stack
//! does (its transaction rules and its tracking table, re-implemented here on tokio-postgres),
//! `check` reads the directory back and reads the stack's table for "behind head", and the
//! down files revert.

mod common;

use common::project::{Project, fresh_database, query, runtime, with_db};
use common::{sea_orm, stderr};
use std::path::{Path, PathBuf};

use autogen_testkit::autogen_pg::{ConnectionSpec, tokio_postgres};
use sha2::Digest;

const MODELS_V1: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "accounts")]
pub struct Account {
    #[model(primary_key, identity)]
    pub id: i64,
    #[model(max_length = 200)]
    pub email: String,
}
"#;

/// An added column, an index and a new table.
const MODELS_V2: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "accounts")]
#[model(index(columns = ["email"]))]
pub struct Account {
    #[model(primary_key, identity)]
    pub id: i64,
    #[model(max_length = 200)]
    pub email: String,
    pub phone: Option<String>,
}

#[derive(Model)]
#[model(table = "posts")]
pub struct Post {
    #[model(primary_key, identity)]
    pub id: i64,
    #[model(references = "accounts(id)", on_delete = "cascade")]
    pub author_id: i64,
}
"#;

const MODELS_V3: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "accounts")]
#[model(index(columns = ["email"]))]
pub struct Account {
    #[model(primary_key, identity)]
    pub id: i64,
    #[model(max_length = 200)]
    pub email: String,
    pub phone: Option<String>,
    pub karma: Option<i32>,
}

#[derive(Model)]
#[model(table = "posts")]
pub struct Post {
    #[model(primary_key, identity)]
    pub id: i64,
    #[model(references = "accounts(id)", on_delete = "cascade")]
    pub author_id: i64,
}
"#;

/// A project whose `[migrations] layout` is `layout`.
fn project(layout: &str) -> Project {
    let project = Project::new();
    let path = project.path().join("autogen.toml");
    let config = std::fs::read_to_string(&path).expect("read autogen.toml");
    let with_layout = config.replacen(
        "dir = \"migrations\"\n",
        &format!("dir = \"migrations\"\nlayout = \"{layout}\"\n"),
        1,
    );
    assert_ne!(
        with_layout, config,
        "autogen init writes dir = \"migrations\""
    );
    std::fs::write(&path, with_layout).expect("write autogen.toml");
    project
}

/// `revision -m MSG`: the paths it printed.
fn revision(project: &Project, message: &str) -> Vec<PathBuf> {
    project
        .expect(0, &["revision", "-m", message])
        .lines()
        .map(PathBuf::from)
        .collect()
}

fn tables(url: &str) -> Vec<String> {
    query(
        url,
        "SELECT relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace \
         AND relkind = 'r' ORDER BY 1",
    )
}

fn name(path: &Path) -> String {
    path.file_name()
        .expect("a file name")
        .to_string_lossy()
        .into_owned()
}

/// Runs one migration file as sqlx and Diesel do: the whole text as one simple query, in a
/// transaction with the tracking row unless the file opts out.
async fn run_file(
    client: &mut tokio_postgres::Client,
    sql: &str,
    transactional: bool,
    record: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) {
    if transactional {
        let transaction = client.transaction().await.expect("begin");
        transaction
            .batch_execute(sql)
            .await
            .expect("migration runs");
        transaction.execute(record, params).await.expect("record");
        transaction.commit().await.expect("commit");
    } else {
        client.batch_execute(sql).await.expect("migration runs");
        client.execute(record, params).await.expect("record");
    }
}

async fn connect(url: &str) -> tokio_postgres::Client {
    ConnectionSpec::parse(url)
        .expect("url")
        .connect()
        .await
        .expect("connect")
}

/// `sqlx migrate run`: `.up.sql` files in version order, each in a transaction unless its
/// first line is `-- no-transaction`, recorded in `_sqlx_migrations` with sqlx's columns and
/// checksum (SHA-384 of the file), skipping applied versions and stopping after `limit`.
fn sqlx_migrate_run(dir: &Path, url: &str, limit: usize) {
    let mut ups: Vec<(i64, String, PathBuf)> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|entry| entry.expect("entry").path())
        .filter_map(|path| {
            let name = name(&path);
            let stem = name.strip_suffix(".up.sql")?;
            let (version, description) = stem.split_once('_')?;
            Some((
                version.parse().expect("numeric version"),
                description.replace('_', " "),
                path,
            ))
        })
        .collect();
    ups.sort();
    runtime().block_on(async {
        let mut client = connect(url).await;
        client
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS _sqlx_migrations (version BIGINT PRIMARY KEY, \
                 description TEXT NOT NULL, installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), \
                 success BOOLEAN NOT NULL, checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL)",
            )
            .await
            .expect("tracking table");
        let applied: Vec<i64> = client
            .query("SELECT version FROM _sqlx_migrations", &[])
            .await
            .expect("applied")
            .iter()
            .map(|row| row.get(0))
            .collect();
        let pending = ups
            .into_iter()
            .filter(|(version, _, _)| !applied.contains(version));
        for (version, description, path) in pending.take(limit) {
            let sql = std::fs::read_to_string(&path).expect("read");
            let checksum = sha2::Sha384::digest(sql.as_bytes()).to_vec();
            run_file(
                &mut client,
                &sql,
                !sql.starts_with("-- no-transaction"),
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                 VALUES ($1, $2, TRUE, $3, -1)",
                &[&version, &description, &checksum],
            )
            .await;
        }
    });
}

/// `sqlx migrate revert` of every applied version, newest first.
fn sqlx_migrate_revert_all(dir: &Path, url: &str) {
    let mut downs: Vec<(i64, PathBuf)> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|entry| entry.expect("entry").path())
        .filter_map(|path| {
            let name = name(&path);
            let (version, _) = name.strip_suffix(".down.sql")?.split_once('_')?;
            Some((version.parse().expect("numeric version"), path))
        })
        .collect();
    downs.sort();
    downs.reverse();
    runtime().block_on(async {
        let mut client = connect(url).await;
        for (version, path) in downs {
            let sql = std::fs::read_to_string(&path).expect("read");
            run_file(
                &mut client,
                &sql,
                !sql.starts_with("-- no-transaction"),
                "DELETE FROM _sqlx_migrations WHERE version = $1",
                &[&version],
            )
            .await;
        }
    });
}

#[test]
fn sqlx_layout_revisions_run_as_sqlx_runs_them_and_check_reads_them_back() {
    let project = project("sqlx");
    let dir = project.path().join("migrations");
    project.write_models(MODELS_V1);
    let first = revision(&project, "create accounts");
    assert_eq!(first.len(), 2, "{first:?}");
    let up_name = name(&first[0]);
    assert!(
        up_name.len() == "00000000000000_create_accounts.up.sql".len()
            && up_name.ends_with("_create_accounts.up.sql")
            && up_name[..14].bytes().all(|b| b.is_ascii_digit()),
        "{up_name}"
    );
    assert!(name(&first[1]).ends_with("_create_accounts.down.sql"));
    let up = std::fs::read_to_string(&first[0]).expect("up file");
    assert!(up.contains("CREATE TABLE \"public\".\"accounts\""), "{up}");
    assert!(up.contains("-- hazard:"), "hazard comments stay: {up}");
    assert!(!up.contains("-- revision:"), "no autogen header: {up}");
    // Nothing changed: the models match the files read back.
    project.expect(0, &["check", "--no-database"]);

    project.write_models(MODELS_V2);
    let second = revision(&project, "phone and posts");
    assert_eq!(second.len(), 2);
    project.expect(0, &["check", "--no-database"]);
    // As a source, the directory's layout is told by its file names.
    let dump = project.expect(0, &["inspect", "migrations"]);
    assert!(dump.contains("\"phone\""), "{dump}");

    let (_database, url) = fresh_database();
    // One of two applied: check reads `_sqlx_migrations` and says how far behind.
    sqlx_migrate_run(&dir, &url, 1);
    let (_, err) = project.expect_both(1, &with_db(&url, &["check"]));
    assert!(err.contains("1 revision(s) behind"), "{err}");
    sqlx_migrate_run(&dir, &url, usize::MAX);
    let out = project.expect(0, &with_db(&url, &["check"]));
    assert!(out.starts_with("ok:"), "{out}");
    assert_eq!(
        tables(&url),
        ["_sqlx_migrations", "accounts", "posts"],
        "the stack's table is its bookkeeping, not drift"
    );

    // An applied file edited afterwards: sqlx's checksum in `_sqlx_migrations` tells.
    let original = std::fs::read_to_string(&first[0]).expect("up file");
    std::fs::write(&first[0], format!("{original}-- a comment added later\n")).expect("edit");
    let (_, err) = project.expect_both(1, &with_db(&url, &["check"]));
    assert!(
        err.contains("was edited after it was applied") && err.contains("sqlx refuses"),
        "{err}"
    );
    std::fs::write(&first[0], original).expect("undo the edit");
    project.expect(0, &with_db(&url, &["check"]));

    // A model edit needs a new revision.
    project.write_models(MODELS_V3);
    let (_, err) = project.expect_both(1, &with_db(&url, &["check"]));
    assert!(err.contains("a new revision is needed"), "{err}");

    // autogen's runner does not run another stack's files.
    let (_, err) = project.expect_both(2, &with_db(&url, &["upgrade"]));
    assert!(err.contains("sqlx"), "{err}");

    // The down files revert everything.
    sqlx_migrate_revert_all(&dir, &url);
    assert_eq!(tables(&url), ["_sqlx_migrations"]);
    assert_eq!(query(&url, "SELECT count(*) FROM _sqlx_migrations"), ["0"]);
}

#[test]
fn a_plan_sqlx_cannot_run_outside_a_transaction_is_refused_not_wrapped() {
    let project = project("sqlx");
    project.write_models(MODELS_V1);
    revision(&project, "create accounts");
    project.write_models(MODELS_V2);
    // Online mode builds the index CONCURRENTLY, among other statements.
    let (_, err) = project.expect_both(2, &["revision", "--online", "-m", "online"]);
    assert!(err.contains("outside a transaction"), "{err}");
    assert!(err.contains("sqlx"), "{err}");
    let files = std::fs::read_dir(project.path().join("migrations"))
        .expect("dir")
        .count();
    assert_eq!(files, 2, "nothing written");
}

/// `diesel migration run`: directories in name order, `up.sql` in a transaction unless
/// `metadata.toml` says `run_in_transaction = false`, recorded in
/// `__diesel_schema_migrations` by the version (the name before `_`, without dashes).
fn diesel_migration_run(dir: &Path, url: &str) {
    let mut migrations: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.is_dir() && !name(path).starts_with('.'))
        .collect();
    migrations.sort();
    runtime().block_on(async {
        let mut client = connect(url).await;
        client
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (version VARCHAR(50) \
                 PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
            )
            .await
            .expect("tracking table");
        for path in migrations {
            let sql = std::fs::read_to_string(path.join("up.sql")).expect("up.sql");
            let metadata = std::fs::read_to_string(path.join("metadata.toml")).unwrap_or_default();
            let version = name(&path)
                .split('_')
                .next()
                .expect("a version")
                .replace('-', "");
            run_file(
                &mut client,
                &sql,
                !metadata.contains("run_in_transaction = false"),
                "INSERT INTO __diesel_schema_migrations (version) VALUES ($1)",
                &[&version],
            )
            .await;
        }
    });
}

fn diesel_migration_revert_all(dir: &Path, url: &str) {
    let mut migrations: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.is_dir() && !name(path).starts_with('.'))
        .collect();
    migrations.sort();
    migrations.reverse();
    runtime().block_on(async {
        let mut client = connect(url).await;
        for path in migrations {
            let sql = std::fs::read_to_string(path.join("down.sql")).expect("down.sql");
            let version = name(&path)
                .split('_')
                .next()
                .expect("a version")
                .replace('-', "");
            run_file(
                &mut client,
                &sql,
                true,
                "DELETE FROM __diesel_schema_migrations WHERE version = $1",
                &[&version],
            )
            .await;
        }
    });
}

#[test]
fn diesel_layout_revisions_run_as_diesel_runs_them_and_check_reads_them_back() {
    let project = project("diesel");
    let dir = project.path().join("migrations");
    project.write_models(MODELS_V1);
    let first = revision(&project, "create accounts");
    assert_eq!(first.len(), 2, "{first:?}");
    let migration = first[0].parent().expect("the migration's directory");
    let directory = name(migration);
    // <YYYY-MM-DD-HHMMSS>_<slug>
    let shape: Vec<bool> = directory[..17]
        .bytes()
        .map(|b| b.is_ascii_digit())
        .collect();
    assert!(
        directory.ends_with("_create_accounts")
            && [4, 7, 10].iter().all(|&i| directory.as_bytes()[i] == b'-')
            && shape.iter().filter(|&&digit| digit).count() == 14,
        "{directory}"
    );
    assert_eq!(name(&first[0]), "up.sql");
    assert_eq!(name(&first[1]), "down.sql");
    assert!(!migration.join("metadata.toml").exists());
    project.expect(0, &["check", "--no-database"]);

    project.write_models(MODELS_V2);
    revision(&project, "phone and posts");
    project.expect(0, &["check", "--no-database"]);
    let dump = project.expect(0, &["inspect", "migrations"]);
    assert!(dump.contains("\"posts\""), "{dump}");

    let (_database, url) = fresh_database();
    let (_, err) = project.expect_both(1, &with_db(&url, &["check"]));
    assert!(err.contains("2 revision(s) behind"), "{err}");
    diesel_migration_run(&dir, &url);
    let out = project.expect(0, &with_db(&url, &["check"]));
    assert!(out.starts_with("ok:"), "{out}");

    project.write_models(MODELS_V3);
    let (_, err) = project.expect_both(1, &with_db(&url, &["check"]));
    assert!(err.contains("a new revision is needed"), "{err}");

    diesel_migration_revert_all(&dir, &url);
    assert_eq!(tables(&url), ["__diesel_schema_migrations"]);
}

#[test]
fn a_diesel_migration_outside_a_transaction_is_read_back_as_one() {
    // A hand-written single CONCURRENTLY statement: metadata.toml takes it out of the
    // transaction, and the replay runs it the same way (it would fail in one).
    let project = project("diesel");
    project.write_models(MODELS_V1);
    revision(&project, "create accounts");
    project.write_file(
        "migrations/2099-01-01-000000_email_index/up.sql",
        "CREATE INDEX CONCURRENTLY accounts_email_idx ON public.accounts (email);\n",
    );
    project.write_file(
        "migrations/2099-01-01-000000_email_index/down.sql",
        "DROP INDEX public.accounts_email_idx;\n",
    );
    project.write_file(
        "migrations/2099-01-01-000000_email_index/metadata.toml",
        "run_in_transaction = false\n",
    );
    project.write_models(&MODELS_V1.replace(
        "#[model(table = \"accounts\")]",
        "#[model(table = \"accounts\")]\n#[model(index(columns = [\"email\"]))]",
    ));
    project.expect(0, &["check", "--no-database"]);
}

#[test]
fn sea_orm_layout_modules_are_written_and_their_sql_read_back() {
    let project = project("sea-orm");
    project.write_file("migrations/lib.rs", SEA_ORM_LIB);
    project.write_models(MODELS_V1);
    let (out, err) = project.expect_both(0, &["revision", "-m", "create accounts"]);
    let printed: Vec<&str> = out.lines().collect();
    assert_eq!(printed.len(), 2, "the module and lib.rs: {out}");
    assert!(printed[1].ends_with("lib.rs"), "{out}");
    let path = PathBuf::from(printed[0]);
    let module = name(&path);
    assert!(
        module.starts_with('m')
            && module.ends_with("_create_accounts.rs")
            && module.as_bytes()[9] == b'_',
        "{module}"
    );
    let stem = module.trim_end_matches(".rs");
    assert!(
        err.contains(&format!("Box::new({stem}::Migration)")),
        "says it registered it: {err}"
    );
    let lib = std::fs::read_to_string(project.path().join("migrations/lib.rs")).expect("lib.rs");
    assert!(
        lib.contains(&format!("mod {stem};\n\npub struct Migrator"))
            && lib.contains(&format!("vec![Box::new({stem}::Migration)]")),
        "{lib}"
    );
    let text = std::fs::read_to_string(&path).expect("module");
    for expected in [
        "impl MigrationTrait for Migration",
        "#[derive(DeriveMigrationName)]",
        ".execute_unprepared(",
        "async fn down(",
        "CREATE TABLE \"public\".\"accounts\"",
        "-- hazard:",
    ] {
        assert!(text.contains(expected), "{expected}:\n{text}");
    }
    // Read back: the models match.
    project.expect(0, &["check", "--no-database"]);
    project.write_models(MODELS_V2);
    let second = revision(&project, "phone and posts");
    project.expect(0, &["check", "--no-database"]);
    let second_stem = name(&second[0]).trim_end_matches(".rs").to_owned();
    let lib = std::fs::read_to_string(project.path().join("migrations/lib.rs")).expect("lib.rs");
    assert!(
        lib.contains(&format!(
            "vec![Box::new({stem}::Migration), Box::new({second_stem}::Migration)]"
        )),
        "{lib}"
    );

    // Behind head by `seaql_migrations`: the first module recorded, its SQL applied.
    let (_database, url) = fresh_database();
    let first_sql = sea_orm_up_sql(&text);
    common::project::execute(
        &url,
        &format!(
            "{first_sql};\nCREATE TABLE seaql_migrations (version varchar PRIMARY KEY, applied_at bigint NOT NULL);\n\
             INSERT INTO seaql_migrations VALUES ('{stem}', 0);"
        ),
    );
    let (_, err) = project.expect_both(1, &with_db(&url, &["check"]));
    assert!(err.contains("1 revision(s) behind"), "{err}");
    assert!(!err.contains("differs from"), "no drift: {err}");

    // A hand-written module autogen cannot read: an error at its line.
    project.write_file(
        "migrations/m20990101_000000_by_hand.rs",
        "use sea_orm_migration::prelude::*;\n\npub struct Migration;\n\n#[async_trait::async_trait]\nimpl MigrationTrait for Migration {\n    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {\n        manager.create_table(Table::create().table(\"x\").to_owned()).await\n    }\n}\n",
    );
    let (_, err) = project.expect_both(2, &["check", "--no-database"]);
    assert!(
        err.contains("m20990101_000000_by_hand.rs:8:") && err.contains("manager.create_table"),
        "{err}"
    );
}

/// A table whose name and comment hold what would close a raw string literal (`"#`, `"##`) if
/// the module's delimiter did not outnumber them; written beside MODELS_V2.
const RAW_STRING_CLASH_TABLE: &str = r###"
#[derive(Model)]
#[model(table = "tags \"#1\"", comment = "closes r#\"…\"#: \"# and r##\"…\"##: \"##")]
pub struct Tag {
    #[model(primary_key)]
    pub id: i64,
}
"###;

/// The migration crate's `lib.rs` as `sea-orm-cli migrate init` writes it, example removed.
const SEA_ORM_LIB: &str = "pub use sea_orm_migration::prelude::*;\n\npub struct Migrator;\n\n#[async_trait::async_trait]\nimpl MigratorTrait for Migrator {\n    fn migrations() -> Vec<Box<dyn MigrationTrait>> {\n        vec![]\n    }\n}\n";

/// `migration up|down` with `DATABASE_URL`: runs the Migrator that way, then prints the
/// applied migrations' names, one a line.
const SEA_ORM_MAIN: &str = r#"use migration::Migrator;
use sea_orm_migration::MigratorTrait;
use sea_orm_migration::sea_orm::Database;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let command = std::env::args().nth(1).ok_or("usage: migration up|down")?;
    let db = Database::connect(std::env::var("DATABASE_URL")?).await?;
    match command.as_str() {
        "up" => Migrator::up(&db, None).await?,
        "down" => Migrator::down(&db, None).await?,
        other => return Err(format!("unknown command `{other}`").into()),
    }
    for migration in Migrator::get_applied_migrations(&db).await? {
        println!("{}", migration.name());
    }
    Ok(())
}
"#;

/// A migration crate outside the workspace ([`sea_orm::manifest`], without `async-trait`: the
/// modules get it from the prelude, as in a crate `sea-orm-cli migrate init` writes) whose
/// `src/` is a copy of `migrations` (the modules and `lib.rs` autogen wrote) beside
/// [`SEA_ORM_MAIN`].
fn sea_orm_migration_crate(migrations: &Path) -> tempfile::TempDir {
    let dir = sea_orm::new_crate(&sea_orm::manifest("migration", ""));
    let src = dir.path().join("src");
    for entry in std::fs::read_dir(migrations).expect("migrations") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            std::fs::copy(&path, src.join(name(&path))).expect("copy a module");
        }
    }
    std::fs::write(src.join("main.rs"), SEA_ORM_MAIN).expect("main.rs");
    dir
}

/// `migration <command>` against `url`: the applied migrations it prints afterwards.
fn sea_orm_migrate(crate_dir: &Path, url: &str, command: &str) -> Vec<String> {
    sea_orm::cargo_run(crate_dir, url, &[command])
}

fn columns(url: &str, table: &str) -> Vec<String> {
    query(
        url,
        &format!(
            "SELECT attname::text FROM pg_attribute WHERE attrelid = '{table}'::regclass \
             AND attnum > 0 AND NOT attisdropped ORDER BY attnum"
        ),
    )
}

/// The modules the sea-orm layout writes compile in a real migration crate on
/// sea-orm-migration 2.x (no warnings) and run under its `Migrator`: `up` applies them in
/// order, each in the transaction sea-orm opens, and records them in `seaql_migrations`,
/// after which `check` finds the database at head with no drift; `down` reverts every one.
/// Their SQL, hazard comments included, reaches PostgreSQL intact, even SQL holding what
/// would close the raw string literal it is written in; a module with empty sections (`revision
/// --empty`) compiles without warnings too and runs as a no-op.
#[test]
fn sea_orm_layout_modules_compile_and_run_under_sea_orm_migration() {
    let project = project("sea-orm");
    let migrations = project.path().join("migrations");
    project.write_file("migrations/lib.rs", SEA_ORM_LIB);
    project.write_models(MODELS_V1);
    let first = revision(&project, "create accounts");
    project.write_models(MODELS_V2);
    let second = revision(&project, "phone and posts");
    project.write_models(&format!("{MODELS_V2}{RAW_STRING_CLASH_TABLE}"));
    let third = revision(&project, "tags");
    let fourth: Vec<PathBuf> = project
        .expect(0, &["revision", "--empty", "-m", "by hand later"])
        .lines()
        .map(PathBuf::from)
        .collect();
    let empty = std::fs::read_to_string(&fourth[0]).expect("fourth module");
    assert!(
        !empty.contains("execute_unprepared") && empty.contains("_manager: &SchemaManager"),
        "{empty}"
    );
    let modules: Vec<String> = [&first, &second, &third, &fourth]
        .iter()
        .map(|written| name(&written[0]).trim_end_matches(".rs").to_owned())
        .collect();
    let create = std::fs::read_to_string(&first[0]).expect("first module");
    assert!(create.contains("-- hazard:"), "{create}");
    let clash = std::fs::read_to_string(&third[0]).expect("third module");
    assert!(clash.contains("r###\""), "{clash}");
    project.expect(0, &["check", "--no-database"]);

    let crate_dir = sea_orm_migration_crate(&migrations);
    let (_database, url) = fresh_database();
    assert_eq!(sea_orm_migrate(crate_dir.path(), &url, "up"), modules);
    assert_eq!(
        tables(&url),
        ["accounts", "posts", "seaql_migrations", "tags \"#1\""]
    );
    assert_eq!(columns(&url, "accounts"), ["id", "email", "phone"]);
    assert_eq!(columns(&url, "posts"), ["id", "author_id"]);
    assert_eq!(
        query(
            &url,
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index \
             WHERE indrelid = 'accounts'::regclass AND NOT indisprimary"
        ),
        ["CREATE INDEX accounts_email_idx ON public.accounts USING btree (email)"]
    );
    assert_eq!(
        query(
            &url,
            "SELECT obj_description('public.\"tags \"\"#1\"\"\"'::regclass, 'pg_class')"
        ),
        ["closes r#\"…\"#: \"# and r##\"…\"##: \"##"]
    );
    assert_eq!(
        query(
            &url,
            "SELECT version FROM seaql_migrations ORDER BY version"
        ),
        modules
    );
    let out = project.expect(0, &with_db(&url, &["check"]));
    assert!(out.starts_with("ok:"), "{out}");

    // A second `up` has nothing left to apply.
    assert_eq!(sea_orm_migrate(crate_dir.path(), &url, "up"), modules);

    assert!(sea_orm_migrate(crate_dir.path(), &url, "down").is_empty());
    assert_eq!(tables(&url), ["seaql_migrations"]);
    assert_eq!(query(&url, "SELECT count(*) FROM seaql_migrations"), ["0"]);
    let (_, err) = project.expect_both(1, &with_db(&url, &["check"]));
    assert!(err.contains("4 revision(s) behind"), "{err}");
}

/// sea-orm-migration runs every PostgreSQL migration in a transaction, so a plan with
/// statements PostgreSQL refuses in one (online mode's `CREATE INDEX CONCURRENTLY`) is refused
/// before anything is written, not sent inside sea-orm's transaction to fail there.
#[test]
fn a_plan_sea_orm_cannot_run_in_its_transaction_is_refused_not_written() {
    let project = project("sea-orm");
    project.write_file("migrations/lib.rs", SEA_ORM_LIB);
    project.write_models(MODELS_V1);
    revision(&project, "create accounts");
    let lib = std::fs::read_to_string(project.path().join("migrations/lib.rs")).expect("lib.rs");
    project.write_models(MODELS_V2);
    let (_, err) = project.expect_both(2, &["revision", "--online", "-m", "online"]);
    assert!(
        err.contains("outside a transaction")
            && err.contains("sea-orm-migration runs every PostgreSQL migration in a transaction"),
        "{err}"
    );
    let files = std::fs::read_dir(project.path().join("migrations"))
        .expect("dir")
        .count();
    assert_eq!(files, 2, "lib.rs and the first module only");
    assert_eq!(
        std::fs::read_to_string(project.path().join("migrations/lib.rs")).expect("lib.rs"),
        lib,
        "lib.rs untouched"
    );
}

/// The SQL of the first raw string literal of a module autogen wrote.
fn sea_orm_up_sql(text: &str) -> String {
    let start = text.find("r#\"").expect("a raw literal") + 3;
    let end = start + text[start..].find("\"#").expect("its end");
    text[start..end].to_owned()
}

#[test]
fn autogen_revision_files_under_a_sqlx_layout_are_an_error_not_a_replay() {
    let project = Project::new();
    project.write_revision(
        "20260101000000",
        &[],
        "CREATE TABLE t (id int);",
        "DROP TABLE t;",
    );
    let path = project.path().join("autogen.toml");
    let config = std::fs::read_to_string(&path).expect("read autogen.toml");
    std::fs::write(
        &path,
        config.replacen(
            "dir = \"migrations\"\n",
            "dir = \"migrations\"\nlayout = \"sqlx\"\n",
            1,
        ),
    )
    .expect("write autogen.toml");
    let output = project.run(&["check", "--no-database"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("20260101000000_hand_written.sql:") && err.contains("autogen revision file"),
        "{err}"
    );
}

#[test]
fn an_unknown_layout_is_an_error_at_its_line() {
    let project = project("flyway");
    let output = project.run(&["check", "--no-database"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("autogen.toml:") && err.contains("unknown layout `flyway`"),
        "{err}"
    );
}

#[test]
fn the_layout_flag_overrides_the_config_for_one_revision() {
    let project = Project::new();
    project.write_models(MODELS_V1);
    let written = revision_with(&project, &["--layout", "diesel"]);
    assert_eq!(name(&written[0]), "up.sql", "{written:?}");
    let directory = name(written[0].parent().expect("its directory"));
    assert!(directory.ends_with("_create_accounts"), "{directory}");
    // Read in the same layout, the directory is up to date with the models.
    let again = project.run(&["revision", "--layout", "diesel", "-m", "nothing"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(stderr(&again).contains("No changes"), "{}", stderr(&again));
}

fn revision_with(project: &Project, flags: &[&str]) -> Vec<PathBuf> {
    let mut args = vec!["revision", "-m", "create accounts"];
    args.extend_from_slice(flags);
    project
        .expect(0, &args)
        .lines()
        .map(PathBuf::from)
        .collect()
}
