//! Carrying another tool's history over (`init --from-database --import-history`) end to end
//! against real PostgreSQL: a hand-kept `schema_version` with numbered SQL files and an sqlx
//! project adopted with their files as the first revisions (visible in `history`, stamped
//! without running, the next `revision`/`upgrade` working, the old rows untouched), an Alembic
//! database recorded as history only, refusals that write nothing, and old tracking tables
//! never reported as drift nor pulled into models.

mod common;

use common::expect_in;
use common::project::{execute, fresh_database, query};
use std::path::Path;

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create directory");
    }
    std::fs::write(path, text).expect("write file");
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list directory")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// A model added after adoption, appended to the pulled `public` module.
const TAGS_MODEL: &str = "
#[derive(Model)]
pub struct Tags {
    #[model(primary_key)]
    pub id: i64,
    pub name: String,
}
";

/// After adoption: `check` 0 (the old table is no drift), a new model becomes the next
/// revision and `upgrade` runs only it; the old rows are untouched.
fn next_revision_runs_alone(project: &Path, url: &str, stamped: usize) {
    expect_in(project, 0, &["--database-url", url, "check"]);
    let models = project.join("models").join("public.rs");
    let text = std::fs::read_to_string(&models).expect("pulled models");
    write(&models, &format!("{text}{TAGS_MODEL}"));
    let (written, _) = expect_in(project, 0, &["revision", "-m", "add tags"]);
    assert!(written.contains("add_tags"), "{written}");
    let (_, ran) = expect_in(project, 0, &["--database-url", url, "upgrade"]);
    assert!(ran.contains("add tags"), "{ran}");
    assert_eq!(
        query(url, "SELECT count(*) FROM public.autogen_revisions"),
        [(stamped + 1).to_string()]
    );
    assert_eq!(query(url, "SELECT count(*) FROM public.tags"), ["0"]);
    assert_eq!(
        query(url, "SELECT email FROM public.users"),
        ["a@example.com"]
    );
    expect_in(project, 0, &["--database-url", url, "check"]);
}

#[test]
fn schema_version_and_numbered_files_become_the_first_revisions() {
    let root = tempfile::tempdir().expect("temp dir");
    let old = root.path().join("db");
    write(
        &old.join("001_create_users.sql"),
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n",
    );
    write(
        &old.join("002_add_posts.sql"),
        "CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id));\n",
    );
    write(&old.join("002_add_posts.down.sql"), "DROP TABLE posts;\n");
    write(
        &old.join("migrate.sh"),
        "#!/bin/sh\nfor f in db/[0-9]*[0-9]_*.sql; do psql -f \"$f\"; done\n",
    );
    // What migrate.sh did: every file, then the version it reached.
    let (_database, url) = fresh_database();
    execute(
        &url,
        &format!(
            "{}{}CREATE TABLE schema_version (version integer NOT NULL);
             INSERT INTO schema_version VALUES (2);
             INSERT INTO users VALUES (1, 'a@example.com');",
            std::fs::read_to_string(old.join("001_create_users.sql")).expect("file"),
            std::fs::read_to_string(old.join("002_add_posts.sql")).expect("file"),
        ),
    );

    let (written, said) = expect_in(
        root.path(),
        0,
        &[
            "init",
            "app",
            "--from-database",
            &url,
            "--import-history",
            "db",
        ],
    );
    assert!(
        said.contains("found schema_version history in public.schema_version: at version 2"),
        "{said}"
    );
    assert!(
        said.contains("imported 2 schema_version migration(s)"),
        "{said}"
    );
    assert!(
        said.contains("migrate.sh: not a numbered SQL file"),
        "{said}"
    );
    assert!(
        said.contains("the imported history reproduces the database's schema"),
        "{said}"
    );
    assert!(
        written.contains("00000000000001_create_users.sql"),
        "{written}"
    );
    let project = root.path().join("app");
    assert_eq!(
        files_in(&project.join("migrations")),
        [
            "00000000000001_create_users.sql",
            "00000000000002_add_posts.sql"
        ]
    );
    let first = std::fs::read_to_string(
        project
            .join("migrations")
            .join("00000000000002_add_posts.sql"),
    )
    .expect("imported revision");
    assert!(
        first.contains("-- origin: schema_version db/002_add_posts.sql (version 2)"),
        "{first}"
    );
    assert!(first.contains("DROP TABLE posts;"), "{first}");
    let config = std::fs::read_to_string(project.join("autogen.toml")).expect("config");
    assert!(
        config.contains("ignore_tables = [\"public.schema_version\"]"),
        "{config}"
    );
    // The tracking table is bookkeeping: not a model.
    let models = std::fs::read_to_string(project.join("models").join("public.rs")).expect("models");
    assert!(!models.contains("SchemaVersion"), "{models}");

    // Stamped at the imported head without running anything: the rows are there, once.
    assert_eq!(
        query(
            &url,
            "SELECT revision FROM public.autogen_revisions ORDER BY 1"
        ),
        ["00000000000001", "00000000000002"]
    );
    assert_eq!(query(&url, "SELECT version FROM schema_version"), ["2"]);
    let (history, _) = expect_in(&project, 0, &["--database-url", &url, "history", "-v"]);
    assert!(
        history.contains("Origin: schema_version db/001_create_users.sql"),
        "{history}"
    );
    assert!(history.contains("current)"), "{history}");

    next_revision_runs_alone(&project, &url, 2);
    assert_eq!(query(&url, "SELECT version FROM schema_version"), ["2"]);
}

#[test]
fn an_sqlx_project_is_imported_and_a_difference_gets_its_own_revision() {
    let root = tempfile::tempdir().expect("temp dir");
    let old = root.path().join("migrations-sqlx");
    let users = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n";
    let posts = "CREATE TABLE posts (id bigint PRIMARY KEY);\n";
    write(&old.join("20240101000000_users.up.sql"), users);
    write(
        &old.join("20240101000000_users.down.sql"),
        "DROP TABLE users;\n",
    );
    write(&old.join("20240102000000_posts.sql"), posts);
    write(&old.join("README.md"), "sqlx migrations\n");
    // sqlx's checksum of the users file; the posts file was edited after it ran.
    let users_checksum: String = {
        use sha2::Digest;
        sha2::Sha384::digest(users.as_bytes())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    };
    let (_database, url) = fresh_database();
    // As sqlx left it, plus a column someone added by hand.
    execute(
        &url,
        &format!(
            "{users}{posts}
             CREATE TABLE _sqlx_migrations (version bigint PRIMARY KEY, description text NOT NULL,
                 installed_on timestamptz NOT NULL DEFAULT now(), success boolean NOT NULL,
                 checksum bytea NOT NULL, execution_time bigint NOT NULL);
             INSERT INTO _sqlx_migrations VALUES
                 (20240101000000, 'users', now(), true, '\\x{users_checksum}', 1),
                 (20240102000000, 'posts', now(), true, '\\x00', 1);
             ALTER TABLE posts ADD COLUMN title text;
             INSERT INTO users VALUES (1, 'a@example.com');"
        ),
    );

    // Asked first: what adopting would find and import, nothing written.
    let (report, _) = expect_in(
        root.path(),
        0,
        &[
            "init",
            "app",
            "--from-database",
            &url,
            "--import-history",
            "migrations-sqlx",
            "--report",
        ],
    );
    assert!(
        report.contains("would import 2 sqlx migration(s)")
            && report.contains("20240102000000 <- migrations-sqlx/20240102000000_posts.sql"),
        "{report}"
    );
    assert!(!root.path().join("app").exists());
    let (_, said) = expect_in(
        root.path(),
        0,
        &[
            "init",
            "app",
            "--from-database",
            &url,
            "--import-history",
            "migrations-sqlx",
        ],
    );
    assert!(
        said.contains(
            "found sqlx history in public._sqlx_migrations: 2 applied migration(s), at version 20240102000000 (posts)"
        ),
        "{said}"
    );
    assert!(said.contains("README.md: not a sqlx migration"), "{said}");
    assert!(
        said.contains("edited since sqlx applied it: migrations-sqlx/20240102000000_posts.sql")
            && !said.contains("edited since sqlx applied it: migrations-sqlx/20240101000000"),
        "{said}"
    );
    assert!(said.contains("no down migration"), "{said}");
    assert!(
        said.contains("the imported history does not produce the database's schema"),
        "{said}"
    );
    let project = root.path().join("app");
    let revisions = files_in(&project.join("migrations"));
    assert_eq!(revisions.len(), 3, "{revisions:?}");
    assert_eq!(revisions[0], "20240101000000_users.sql");
    assert_eq!(revisions[1], "20240102000000_posts.sql");
    let difference =
        std::fs::read_to_string(project.join("migrations").join(&revisions[2])).expect("file");
    assert!(
        difference.contains("ADD COLUMN \"title\" text"),
        "{difference}"
    );
    assert_eq!(
        query(&url, "SELECT count(*) FROM public.autogen_revisions"),
        ["3"]
    );
    assert_eq!(query(&url, "SELECT count(*) FROM _sqlx_migrations"), ["2"]);
    let (history, _) = expect_in(&project, 0, &["--database-url", &url, "history"]);
    assert!(
        history.contains("20240101000000 -> 20240102000000, posts"),
        "{history}"
    );
    assert!(
        history.contains("<base> -> 20240101000000, users"),
        "{history}"
    );
    let (json, _) = expect_in(&project, 0, &["history", "--format", "json"]);
    assert!(
        json.contains("\"origin\": \"sqlx migrations-sqlx/20240101000000_users.up.sql (version 20240101000000)\""),
        "{json}"
    );

    next_revision_runs_alone(&project, &url, 3);
    assert_eq!(query(&url, "SELECT count(*) FROM _sqlx_migrations"), ["2"]);
}

/// Diesel's own first migration (its helper functions), shortened.
const DIESEL_SETUP: &str =
    "CREATE OR REPLACE FUNCTION diesel_set_updated_at() RETURNS trigger AS $$
BEGIN
    IF (NEW IS DISTINCT FROM OLD AND NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at) THEN
        NEW.updated_at := current_timestamp;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
";

#[test]
fn a_diesel_project_reproduces_the_database_and_needs_no_baseline() {
    let root = tempfile::tempdir().expect("temp dir");
    let old = root.path().join("migrations");
    let users = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n";
    write(
        &old.join("00000000000000_diesel_initial_setup/up.sql"),
        DIESEL_SETUP,
    );
    write(
        &old.join("00000000000000_diesel_initial_setup/down.sql"),
        "DROP FUNCTION IF EXISTS diesel_set_updated_at();\n",
    );
    write(&old.join("2024-01-01-000000_create_users/up.sql"), users);
    write(
        &old.join("2024-01-01-000000_create_users/down.sql"),
        "DROP TABLE users;\n",
    );
    write(&old.join(".keep"), "");
    let (_database, url) = fresh_database();
    execute(
        &url,
        &format!(
            "{DIESEL_SETUP}{users}
             CREATE TABLE __diesel_schema_migrations (version varchar(50) PRIMARY KEY NOT NULL,
                 run_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP);
             INSERT INTO __diesel_schema_migrations (version) VALUES ('00000000000000'), ('20240101000000');
             INSERT INTO users VALUES (1, 'a@example.com');"
        ),
    );
    let (_, said) = expect_in(
        root.path(),
        0,
        &[
            "init",
            "app",
            "--from-database",
            &url,
            "--import-history",
            "migrations",
        ],
    );
    assert!(
        said.contains("found Diesel history in public.__diesel_schema_migrations: 2 applied migration(s), at version 20240101000000"),
        "{said}"
    );
    assert!(
        said.contains("the imported history reproduces the database's schema"),
        "{said}"
    );
    let project = root.path().join("app");
    assert_eq!(
        files_in(&project.join("migrations")),
        [
            "00000000000000_diesel_initial_setup.sql",
            "20240101000000_create_users.sql"
        ]
    );
    next_revision_runs_alone(&project, &url, 2);
    assert_eq!(
        query(&url, "SELECT count(*) FROM __diesel_schema_migrations"),
        ["2"]
    );
}

const ALEMBIC_FIRST: &str = r#""""create users

Revision ID: aaaa1111
Revises:
Create Date: 2024-03-01 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = "aaaa1111"
down_revision = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.BigInteger, primary_key=True))
"#;

const ALEMBIC_SECOND: &str = r#""""add email

Revision ID: bbbb2222
Revises: aaaa1111
Create Date: 2024-03-02 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision: str = "bbbb2222"
down_revision: Union[str, None] = "aaaa1111"


def upgrade():
    op.add_column("users", sa.Column("email", sa.Text, nullable=False))
"#;

#[test]
fn alembic_is_recorded_as_history_only() {
    let root = tempfile::tempdir().expect("temp dir");
    let versions = root.path().join("alembic").join("versions");
    write(&versions.join("aaaa1111_create_users.py"), ALEMBIC_FIRST);
    write(&versions.join("bbbb2222_add_email.py"), ALEMBIC_SECOND);
    let schema = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
                  CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
                  INSERT INTO users VALUES (1, 'a@example.com');";

    // Behind the files: refused before anything is written.
    let (_behind, behind_url) = fresh_database();
    execute(
        &behind_url,
        &format!("{schema} INSERT INTO alembic_version VALUES ('aaaa1111');"),
    );
    let (_, refused) = expect_in(
        root.path(),
        2,
        &[
            "init",
            "behind",
            "--from-database",
            &behind_url,
            "--import-history",
            "alembic/versions",
        ],
    );
    assert!(
        refused.contains("the database is at Alembic revision(s) aaaa1111, but the revision files of alembic/versions end at bbbb2222"),
        "{refused}"
    );
    assert!(!root.path().join("behind").exists());

    let (_database, url) = fresh_database();
    execute(
        &url,
        &format!("{schema} INSERT INTO alembic_version VALUES ('bbbb2222');"),
    );
    let (_, said) = expect_in(
        root.path(),
        0,
        &[
            "init",
            "app",
            "--from-database",
            &url,
            "--import-history",
            "alembic/versions",
        ],
    );
    assert!(
        said.contains("found Alembic history in public.alembic_version: at revision bbbb2222"),
        "{said}"
    );
    assert!(said.contains("as history only"), "{said}");
    let project = root.path().join("app");
    let revisions = files_in(&project.join("migrations"));
    assert_eq!(revisions.len(), 3, "{revisions:?}");
    assert_eq!(revisions[0], "00000000000001_create_users.sql");
    let first =
        std::fs::read_to_string(project.join("migrations").join(&revisions[0])).expect("file");
    assert!(first.contains("-- origin: Alembic alembic/versions/aaaa1111_create_users.py (revision aaaa1111; Python, recorded as history only"), "{first}");
    assert!(
        first.contains("-- created: 2024-03-01T09:00:00Z"),
        "{first}"
    );
    // The baseline creates the whole schema: a fresh database is built by `upgrade` alone.
    let baseline =
        std::fs::read_to_string(project.join("migrations").join(&revisions[2])).expect("file");
    assert!(
        baseline.contains("-- parents: 00000000000002"),
        "{baseline}"
    );
    assert!(
        baseline.contains("CREATE TABLE \"public\".\"users\""),
        "{baseline}"
    );
    let (history, _) = expect_in(&project, 0, &["--database-url", &url, "history"]);
    assert!(history.contains("create users"), "{history}");
    assert!(history.contains("add email"), "{history}");
    expect_in(&project, 0, &["--database-url", &url, "check"]);
    assert_eq!(
        query(&url, "SELECT version_num FROM alembic_version"),
        ["bbbb2222"]
    );
    let (_fresh, fresh_url) = fresh_database();
    expect_in(&project, 0, &["--database-url", &fresh_url, "upgrade"]);
    expect_in(&project, 0, &["--database-url", &fresh_url, "check"]);
}

#[test]
fn unapplied_files_are_refused_and_old_tracking_tables_are_never_drift() {
    let root = tempfile::tempdir().expect("temp dir");
    let old = root.path().join("db");
    write(
        &old.join("1_users.sql"),
        "CREATE TABLE users (id bigint PRIMARY KEY);\n",
    );
    write(
        &old.join("2_later.sql"),
        "CREATE TABLE later (id bigint);\n",
    );
    let (_database, url) = fresh_database();
    execute(
        &url,
        "CREATE TABLE users (id bigint PRIMARY KEY);
         CREATE TABLE schema_version (version integer NOT NULL);
         INSERT INTO schema_version VALUES (1);
         CREATE TABLE flyway_schema_history (installed_rank integer PRIMARY KEY,
             version varchar(50), description varchar(200) NOT NULL, success boolean NOT NULL);
         INSERT INTO flyway_schema_history VALUES (1, '1', 'init', true);",
    );
    // Two tools' tables: which one the files belong to cannot be told.
    let (_, refused) = expect_in(
        root.path(),
        2,
        &[
            "init",
            "app",
            "--from-database",
            &url,
            "--import-history",
            "db",
        ],
    );
    assert!(refused.contains("several migration tools"), "{refused}");
    execute(&url, "DROP TABLE flyway_schema_history;");
    let (_, refused) = expect_in(
        root.path(),
        2,
        &[
            "init",
            "app",
            "--from-database",
            &url,
            "--import-history",
            "db",
        ],
    );
    assert!(
        refused.contains("schema_version has not applied 1 migration file(s)")
            && refused.contains("2_later.sql"),
        "{refused}"
    );
    assert!(!root.path().join("app").exists());

    // Adopted without the files: the history starts at the baseline, and neither the
    // hand-kept table nor a tool's table is a model or drift.
    execute(
        &url,
        "CREATE TABLE _sqlx_migrations (version bigint PRIMARY KEY, description text NOT NULL,
             success boolean NOT NULL);",
    );
    let (_, said) = expect_in(root.path(), 0, &["init", "app", "--from-database", &url]);
    assert!(said.contains("found schema_version history"), "{said}");
    assert!(said.contains("found sqlx history"), "{said}");
    let project = root.path().join("app");
    let models = std::fs::read_to_string(project.join("models").join("public.rs")).expect("models");
    assert!(!models.contains("SchemaVersion"), "{models}");
    assert!(!models.contains("SqlxMigrations"), "{models}");
    expect_in(&project, 0, &["--database-url", &url, "check"]);
    expect_in(
        &project,
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
}
