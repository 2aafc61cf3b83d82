//! `autogen pull` and `autogen init --from-database` end to end against real PostgreSQL: every
//! inspection fixture pulled into models and SQL declarations that declare exactly its schema
//! (`diff --exit-code` 0 against the source database), rustfmt-clean and compiling with the
//! real derives; the adoption flow (baseline revision, database stamped, `check` 0, the next
//! revision only the edit); and objects autogen cannot write named with exit 2.

mod common;

use common::project::{execute, fresh_database, query};
use common::{expect_in, fixtures, sql_files, stderr, stdout, workspace};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A database holding `sql`, and its URL.
fn database_with(sql: &str) -> (autogen_testkit::autogen_pg::TempDatabase, String) {
    let (database, url) = fresh_database();
    execute(&url, sql);
    (database, url)
}

/// rustfmt from the toolchain running the tests (next to cargo), else the one on PATH.
fn rustfmt() -> PathBuf {
    let beside_cargo = Path::new(env!("CARGO")).with_file_name("rustfmt");
    if beside_cargo.is_file() {
        beside_cargo
    } else {
        PathBuf::from("rustfmt")
    }
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|entry| entry.expect("directory entry").path())
                .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn every_fixture_pulls_into_a_project_that_declares_exactly_its_database() {
    let root = tempfile::tempdir().expect("temp dir");
    let mut pulled_models: Vec<(String, PathBuf)> = Vec::new();
    for fixture in sql_files(&fixtures().join("inspect")) {
        let name = fixture
            .file_stem()
            .and_then(|stem| stem.to_str())
            .expect("fixture name")
            .to_string();
        let sql = std::fs::read_to_string(&fixture).expect("fixture");
        let (_database, url) = database_with(&sql);
        let dir = root.path().join(&name);
        // Adopted in one step: pulled, configured, baselined and stamped.
        expect_in(root.path(), 0, &["init", &name, "--from-database", &url]);
        let models = dir.join("models");
        // The invariant: right after, `check` against the source database finds nothing.
        expect_in(&dir, 0, &["--database-url", &url, "check"]);
        // And the written project alone declares exactly the database's schema.
        expect_in(
            &dir,
            0,
            &[
                "diff",
                "--from",
                &url,
                "--to",
                "autogen.toml",
                "--exit-code",
            ],
        );

        let files = rust_files(&models);
        if !files.is_empty() {
            let output = Command::new(rustfmt())
                .args(["--edition", "2024", "--check"])
                .args(&files)
                .output()
                .expect("rustfmt runs");
            assert!(
                output.status.success(),
                "{name}: the models are not rustfmt-clean:\n{}",
                stdout(&output)
            );
            pulled_models.push((name, models));
        }
    }
    compile_models(root.path(), &pulled_models);
}

/// `cargo check` of a crate outside the workspace holding every pulled project's models as a
/// module, with the real derives (`pg-autogen` by path) and the crates the mapped types name.
fn compile_models(root: &Path, models: &[(String, PathBuf)]) {
    let crate_dir = root.join("consumer");
    std::fs::create_dir_all(crate_dir.join("src")).expect("src");
    // rust_decimal is not among the workspace's dependencies (so maybe not downloaded): a
    // stand-in crate of that name holds the one type the models name.
    let stand_in = crate_dir.join("rust_decimal");
    std::fs::create_dir_all(stand_in.join("src")).expect("stand-in src");
    std::fs::write(
        stand_in.join("Cargo.toml"),
        "[package]\nname = \"rust_decimal\"\nversion = \"1.0.0\"\nedition = \"2024\"\n",
    )
    .expect("stand-in manifest");
    std::fs::write(stand_in.join("src/lib.rs"), "pub struct Decimal;\n").expect("stand-in lib");
    let facade = workspace()
        .join("crates/autogen")
        .canonicalize()
        .expect("facade");
    std::fs::write(
        crate_dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"pulled-models\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\npg-autogen = {{ path = {:?} }}\n\
             chrono = {{ version = \"0.4\", default-features = false }}\nuuid = \"1\"\nserde_json = \"1\"\n\
             rust_decimal = {{ path = \"rust_decimal\" }}\n\n[workspace]\n",
            facade.display().to_string()
        ),
    )
    .expect("manifest");
    let mut lib = String::from("#![allow(dead_code)]\n");
    for (name, dir) in models {
        lib.push_str(&format!(
            "#[path = {:?}]\npub mod {name};\n",
            dir.join("mod.rs").display().to_string()
        ));
    }
    std::fs::write(crate_dir.join("src/lib.rs"), lib).expect("lib.rs");
    std::fs::copy(workspace().join("Cargo.lock"), crate_dir.join("Cargo.lock")).expect("lock");
    let output = Command::new(env!("CARGO"))
        .args(["check", "--quiet"])
        .current_dir(&crate_dir)
        .env("CARGO_TARGET_DIR", workspace().join("target/pulled-models"))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "the pulled models do not compile:\n{}",
        stderr(&output)
    );
}

#[test]
fn init_from_a_database_writes_a_baseline_stamps_it_and_the_next_revision_is_only_the_edit() {
    let sql = std::fs::read_to_string(fixtures().join("inspect/everything.sql")).expect("fixture");
    let (_database, url) = database_with(&sql);
    let root = tempfile::tempdir().expect("temp dir");
    let dir = root.path();
    expect_in(dir, 0, &["init", "--from-database", &url]);
    assert!(dir.join("autogen.toml").is_file());
    let revisions = sql_files(&dir.join("migrations"));
    assert_eq!(revisions.len(), 1, "{revisions:?}");
    let baseline = std::fs::read_to_string(&revisions[0]).expect("baseline");
    assert!(baseline.contains("-- message: baseline"), "{baseline}");

    // Stamped, not run: the database records the baseline and `check` agrees everywhere.
    let recorded = query(&url, "SELECT revision FROM public.autogen_revisions");
    assert_eq!(recorded.len(), 1);
    assert!(
        revisions[0]
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.starts_with(&recorded[0])),
        "{recorded:?} {revisions:?}"
    );
    expect_in(dir, 0, &["--database-url", &url, "check"]);

    // One edit of the models: the next revision is that edit alone.
    let core = dir.join("models/core.rs");
    let text = std::fs::read_to_string(&core).expect("core.rs");
    let edited = text.replace(
        "pub struct Worlds {\n",
        "pub struct Worlds {\n    pub note: Option<String>,\n",
    );
    assert_ne!(edited, text, "core.rs declares Worlds:\n{text}");
    std::fs::write(&core, edited).expect("edit");
    expect_in(dir, 0, &["revision", "-m", "add note"]);
    let revisions = sql_files(&dir.join("migrations"));
    assert_eq!(revisions.len(), 2);
    let next = std::fs::read_to_string(&revisions[1]).expect("revision");
    let up = next
        .split("-- migrate:up")
        .nth(1)
        .and_then(|rest| rest.split("-- migrate:down").next())
        .expect("an up section");
    let statements: Vec<&str> = up
        .lines()
        .filter(|line| !line.starts_with("--") && !line.trim().is_empty())
        .collect();
    assert_eq!(
        statements,
        ["ALTER TABLE \"core\".\"worlds\" ADD COLUMN \"note\" text;"],
        "{next}"
    );
    expect_in(dir, 0, &["--database-url", &url, "upgrade"]);
    expect_in(dir, 0, &["--database-url", &url, "check"]);
}

#[test]
fn objects_autogen_cannot_write_are_named_and_nothing_is_written_without_the_opt_in() {
    let (_database, url) = database_with(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, owner text NOT NULL);
         CREATE RULE no_deletes AS ON DELETE TO accounts DO INSTEAD NOTHING;",
    );
    let root = tempfile::tempdir().expect("temp dir");
    let dir = root.path();
    let (_, refused) = expect_in(dir, 2, &["pull", &url]);
    assert!(refused.contains("public.accounts.no_deletes"), "{refused}");
    assert!(refused.contains("--allow-unwritten"), "{refused}");
    assert!(!dir.join("models").exists(), "nothing is written");
    assert!(!dir.join("sql").exists(), "nothing is written");

    // Files already in the directories are not the pull's: only what it wrote is proven.
    std::fs::create_dir_all(dir.join("models")).expect("models dir");
    std::fs::write(
        dir.join("models/hand_written.rs"),
        "#[derive(Model)]\npub struct Other {\n    pub id: i64,\n}\n",
    )
    .expect("a model of someone else");
    let (_, warned) = expect_in(dir, 0, &["pull", &url, "--allow-unwritten"]);
    assert!(warned.contains("public.accounts.no_deletes"), "{warned}");
    let models = std::fs::read_to_string(dir.join("models/public.rs")).expect("models");
    assert!(models.contains("pub struct Accounts {"), "{models}");

    // Pulling again never overwrites what is there.
    let (_, again) = expect_in(dir, 2, &["pull", &url, "--allow-unwritten"]);
    assert!(again.contains("already exists"), "{again}");
}

/// Objects autogen does not model that the pulled files need (a rule here; MusicBrainz's text
/// search configuration, which its indexes use) are declared by hand with `--with-sql`: part
/// of the proof, and no longer unwritten when they match the source.
#[test]
fn hand_written_declarations_of_unmodeled_objects_join_the_proof() {
    let (_database, url) = database_with(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, owner text NOT NULL);
         CREATE RULE no_deletes AS ON DELETE TO accounts DO INSTEAD NOTHING;",
    );
    let root = tempfile::tempdir().expect("temp dir");
    let dir = root.path();
    std::fs::create_dir_all(dir.join("sql")).expect("sql dir");
    let rules = dir.join("sql/rules.sql");
    std::fs::write(
        &rules,
        "CREATE RULE no_deletes AS ON DELETE TO accounts DO INSTEAD NOTHING;\n",
    )
    .expect("rules.sql");
    let rules = rules.to_string_lossy().into_owned();
    let (_, said) = expect_in(dir, 0, &["pull", &url, "--with-sql", &rules]);
    assert!(
        said.contains("the written files normalize to exactly the source's schema"),
        "{said}"
    );

    // Declared otherwise than the source has it: named, exit 2.
    let other = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(other.path().join("sql")).expect("sql dir");
    let wrong = other.path().join("sql/rules.sql");
    std::fs::write(
        &wrong,
        "CREATE RULE no_deletes AS ON DELETE TO accounts WHERE old.id > 0 DO INSTEAD NOTHING;\n",
    )
    .expect("rules.sql");
    let wrong = wrong.to_string_lossy().into_owned();
    let (_, refused) = expect_in(other.path(), 2, &["pull", &url, "--with-sql", &wrong]);
    assert!(
        refused.contains("rule public.accounts.no_deletes: defined differently"),
        "{refused}"
    );
}
