//! The everyday workflow end to end, with the binary in a temporary project against real
//! PostgreSQL: init -> models -> revision -> upgrade -> model edits -> revision -> upgrade ->
//! check -> downgrade -> check -> upgrade -> downgrade base -> upgrade head; branches and
//! merges; and the errors a broken migrations directory must give.

mod common;

use common::project::{Project, query, runtime, with_db};

use common::{stderr, stdout};

const MODELS_V1: &str = r#"
use autogen::{DbEnum, Model};

#[derive(DbEnum)]
#[model(type_name = "status")]
pub enum Status { Active, Banned }

#[derive(Model)]
#[model(table = "accounts")]
pub struct Account {
    #[model(primary_key, identity)]
    pub id: i64,
    #[model(max_length = 200)]
    pub email: String,
    pub nickname: Option<String>,
    #[model(default = "'active'")]
    pub status: Status,
    #[model(default = "0")]
    pub karma: i32,
}
"#;

/// Every kind of everyday edit: a table rename and a column rename (renamed_from), an added
/// column, a changed default, an index, a new table with a foreign key, a dropped column, and
/// an enum value.
const MODELS_V2: &str = r#"
use autogen::{DbEnum, Model};

#[derive(DbEnum)]
#[model(type_name = "status")]
pub enum Status { Active, Suspended, Banned }

#[derive(Model)]
#[model(table = "users", renamed_from = "accounts")]
#[model(index(columns = ["email"]))]
pub struct User {
    #[model(primary_key, identity)]
    pub id: i64,
    #[model(max_length = 200)]
    pub email: String,
    #[model(renamed_from = "nickname")]
    pub display_name: Option<String>,
    #[model(default = "'active'")]
    pub status: Status,
    pub phone: Option<String>,
}

#[derive(Model)]
#[model(table = "posts")]
pub struct Post {
    #[model(primary_key, identity)]
    pub id: i64,
    #[model(references = "users(id)", on_delete = "cascade")]
    pub author_id: i64,
    #[model(default = "'untitled'")]
    pub title: String,
}
"#;

/// The ordinary tables of the public schema, by name.
fn tables(url: &str) -> Vec<String> {
    query(
        url,
        "SELECT relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace \
         AND relkind = 'r' ORDER BY 1",
    )
}

#[test]
fn the_everyday_workflow_converges_both_ways() {
    let project = Project::new();
    let database = runtime().block_on(autogen_testkit::fresh_database());
    let url = autogen_testkit::url(&database);

    // No models yet, nothing to do.
    project.write_models(MODELS_V1);
    let first = project.expect(0, &["revision", "-m", "initial schema"]);
    assert!(first.trim_end().ends_with("_initial_schema.sql"), "{first}");
    assert_eq!(project.revisions().len(), 1);
    // Nothing changed: no file.
    project.expect(0, &["revision", "-m", "nothing"]);
    assert_eq!(project.revisions().len(), 1);

    // The live database as the starting point must be at the head.
    let behind = project.run(&with_db(&url, &["revision", "-m", "from the database"]));
    assert_eq!(behind.status.code(), Some(2));
    assert!(
        stderr(&behind).contains("is not up to date: run `autogen upgrade` first"),
        "{}",
        stderr(&behind)
    );
    project.expect(0, &with_db(&url, &["upgrade"]));
    assert_eq!(tables(&url), ["accounts", "autogen_revisions"]);
    // At the head it is; the models match it, so nothing is written.
    project.expect(0, &with_db(&url, &["revision", "-m", "from the database"]));
    assert_eq!(project.revisions().len(), 1);
    project.expect(0, &with_db(&url, &["check"]));

    project.write_models(MODELS_V2);
    // The models changed: check fails with a diff and the would-be SQL.
    let drift = project.expect(1, &["check"]);
    assert!(
        drift.contains("+CREATE TABLE \"public\".\"posts\""),
        "{drift}"
    );
    assert!(
        drift.contains("-- `autogen revision` would write:"),
        "{drift}"
    );
    project.expect(0, &["revision", "-m", "users and posts"]);
    let second = std::fs::read_to_string(&project.revisions()[1]).expect("second revision");
    for expected in [
        "ALTER TABLE \"public\".\"accounts\" RENAME TO \"users\";",
        "RENAME COLUMN \"nickname\" TO \"display_name\";",
        "ADD COLUMN \"phone\" text;",
        "DROP COLUMN \"karma\";",
        "ALTER TYPE \"public\".\"status\" ADD VALUE 'suspended' AFTER 'active';",
        "CREATE INDEX \"users_email_idx\"",
        "REFERENCES \"public\".\"users\" (\"id\") ON DELETE CASCADE",
        // The way back removes the enum value by re-creating the type.
        "ALTER TYPE \"public\".\"status\" RENAME TO \"status_autogen_old\";",
    ] {
        assert!(
            second.contains(expected),
            "missing {expected:?} in\n{second}"
        );
    }
    assert!(second.contains("-- hazard: data-loss"), "{second}");

    project.expect(0, &with_db(&url, &["upgrade"]));
    project.expect(0, &with_db(&url, &["check"]));
    assert_eq!(tables(&url), ["autogen_revisions", "posts", "users"]);

    project.expect(0, &with_db(&url, &["downgrade", "-1", "--allow-data-loss"]));
    assert_eq!(tables(&url), ["accounts", "autogen_revisions"]);
    // Behind is said as behind (not as drift): the database matches the revisions it applied.
    let behind = project.run(&with_db(&url, &["check"]));
    assert_eq!(behind.status.code(), Some(1), "{}", stderr(&behind));
    assert!(
        stderr(&behind)
            .contains("is 1 revision(s) behind the head of the revisions: run `autogen upgrade`"),
        "{}",
        stderr(&behind)
    );
    assert!(
        !stderr(&behind).contains("differs") && !stdout(&behind).contains("@@"),
        "{}\n{}",
        stdout(&behind),
        stderr(&behind)
    );
    // The same database, configured instead of given: checked too; --no-database leaves it out.
    let configured = project
        .command(&["check"])
        .env("DATABASE_URL", &url)
        .output()
        .expect("runs");
    assert_eq!(configured.status.code(), Some(1), "{}", stderr(&configured));
    assert!(
        stderr(&configured).contains("behind the head"),
        "{}",
        stderr(&configured)
    );
    let models_only = project
        .command(&["check", "--no-database"])
        .env("DATABASE_URL", &url)
        .output()
        .expect("runs");
    assert_eq!(
        models_only.status.code(),
        Some(0),
        "{}",
        stderr(&models_only)
    );
    // A hand edit while behind is still found, against the revisions it applied.
    runtime().block_on(async {
        let client = database.connect().await.expect("connect");
        client
            .batch_execute("ALTER TABLE public.accounts ADD COLUMN behind_edit integer")
            .await
            .expect("hand edit");
    });
    let behind_and_edited = project.run(&with_db(&url, &["check"]));
    assert_eq!(behind_and_edited.status.code(), Some(1));
    assert!(
        stderr(&behind_and_edited)
            .contains("differs from the schema its 1 applied revision(s) produce"),
        "{}",
        stderr(&behind_and_edited)
    );
    assert!(
        stdout(&behind_and_edited).contains("+    \"behind_edit\" integer"),
        "{}",
        stdout(&behind_and_edited)
    );
    runtime().block_on(async {
        let client = database.connect().await.expect("connect");
        client
            .batch_execute("ALTER TABLE public.accounts DROP COLUMN behind_edit")
            .await
            .expect("undo the hand edit");
    });

    project.expect(0, &with_db(&url, &["upgrade"]));
    project.expect(0, &with_db(&url, &["check"]));
    project.expect(
        0,
        &with_db(&url, &["downgrade", "base", "--allow-data-loss"]),
    );
    assert_eq!(tables(&url), ["autogen_revisions"]);
    let current = project.expect(0, &with_db(&url, &["current"]));
    assert!(current.starts_with("base"), "{current}");
    project.expect(0, &with_db(&url, &["upgrade", "head"]));
    project.expect(0, &with_db(&url, &["check"]));
    let current = project.expect(0, &with_db(&url, &["current"]));
    assert!(current.contains("(head) users and posts"), "{current}");

    // A hand edit of the database is drift.
    runtime().block_on(async {
        let client = database.connect().await.expect("connect");
        client
            .batch_execute("ALTER TABLE public.posts ADD COLUMN hand_made integer")
            .await
            .expect("hand edit");
    });
    let drift = project.run(&with_db(&url, &["check"]));
    assert_eq!(drift.status.code(), Some(1));
    assert!(
        stdout(&drift).contains("+    \"hand_made\" integer"),
        "{}",
        stdout(&drift)
    );

    // Offline SQL for a DBA: every revision, with the tracking table.
    let offline = project.expect(0, &["upgrade", "--sql"]);
    assert!(offline.contains("autogen_revisions"), "{offline}");
    assert!(offline.contains("RENAME TO \"users\""), "{offline}");
}

#[test]
fn two_branches_must_be_merged_before_upgrading() {
    let project = Project::new();
    let database = runtime().block_on(autogen_testkit::fresh_database());
    let url = autogen_testkit::url(&database);
    project.write_revision(
        "20260101000000",
        &[],
        "CREATE TABLE t (id integer PRIMARY KEY);",
        "DROP TABLE t;",
    );
    project.write_revision(
        "20260102000000",
        &["20260101000000"],
        "ALTER TABLE t ADD COLUMN a integer;",
        "ALTER TABLE t DROP COLUMN a;",
    );
    project.write_revision(
        "20260103000000",
        &["20260101000000"],
        "ALTER TABLE t ADD COLUMN b integer;",
        "ALTER TABLE t DROP COLUMN b;",
    );
    let heads = project.expect(0, &["heads"]);
    assert_eq!(heads.lines().count(), 2, "{heads}");
    let refused = project.run(&with_db(&url, &["upgrade"]));
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("autogen merge"),
        "{}",
        stderr(&refused)
    );
    let refused = project.run(&["revision", "-m", "more"]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));

    project.expect(0, &["merge", "-m", "join branches"]);
    assert_eq!(project.expect(0, &["heads"]).lines().count(), 1);
    project.expect(0, &with_db(&url, &["upgrade"]));
    let history = project.expect(0, &["history"]);
    assert!(
        history
            .lines()
            .next()
            .unwrap_or("")
            .contains("join branches"),
        "{history}"
    );
    project.expect(
        0,
        &with_db(&url, &["downgrade", "base", "--allow-data-loss"]),
    );
}

/// Breaks a project's migrations directory in one way.
type Setup = dyn Fn(&Project);

#[test]
fn broken_migration_directories_are_clear_errors_with_file_and_line() {
    let cases: Vec<(&str, Box<Setup>, &str)> = vec![
        (
            "missing parent",
            Box::new(|p| {
                p.write_revision("20260101000000", &["20251231000000"], "", "");
            }),
            "20260101000000_hand_written.sql:2:",
        ),
        (
            "duplicate revision id",
            Box::new(|p| {
                p.write_revision("20260101000000", &[], "", "");
                std::fs::copy(
                    p.path().join("migrations/20260101000000_hand_written.sql"),
                    p.path().join("migrations/20260101000000_copy.sql"),
                )
                .expect("copy");
            }),
            "20260101000000",
        ),
        (
            "cycle",
            Box::new(|p| {
                p.write_revision("20260101000000", &["20260102000000"], "", "");
                p.write_revision("20260102000000", &["20260101000000"], "", "");
            }),
            "cycle",
        ),
        (
            "malformed header",
            Box::new(|p| {
                std::fs::write(
                    p.path().join("migrations/20260101000000_bad.sql"),
                    "-- revision: 20260101000000\n-- parnets:\n\n-- migrate:up\n\n-- migrate:down\n",
                )
                .expect("write");
            }),
            "20260101000000_bad.sql:2:",
        ),
    ];
    for (name, setup, expected) in cases {
        let project = Project::new();
        setup(&project);
        let output = project.run(&["history"]);
        assert_eq!(output.status.code(), Some(2), "{name}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(expected),
            "{name}: expected {expected:?} in {}",
            stderr(&output)
        );
    }

    let project = Project::new();
    project.write_revision("20260101000000", &[], "SELECT 1;", "SELECT 1;");
    let unknown = project.run(&["upgrade", "--sql", "nope"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("nope"), "{}", stderr(&unknown));
}

#[test]
fn an_applied_revision_edited_afterwards_is_refused() {
    let project = Project::new();
    let database = runtime().block_on(autogen_testkit::fresh_database());
    let url = autogen_testkit::url(&database);
    project.write_revision(
        "20260101000000",
        &[],
        "CREATE TABLE t (id integer);",
        "DROP TABLE t;",
    );
    project.expect(0, &with_db(&url, &["upgrade"]));
    project.write_revision(
        "20260101000000",
        &[],
        "CREATE TABLE t (id bigint);",
        "DROP TABLE t;",
    );
    project.write_revision(
        "20260102000000",
        &["20260101000000"],
        "CREATE TABLE u (id integer);",
        "DROP TABLE u;",
    );
    let refused = project.run(&with_db(&url, &["upgrade"]));
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("20260101000000_hand_written.sql"),
        "{}",
        stderr(&refused)
    );
    project.expect(0, &with_db(&url, &["upgrade", "--ignore-checksums"]));
}

#[test]
fn a_failing_statement_leaves_the_database_as_before_and_names_its_line() {
    let project = Project::new();
    let database = runtime().block_on(autogen_testkit::fresh_database());
    let url = autogen_testkit::url(&database);
    project.write_revision(
        "20260101000000",
        &[],
        "CREATE TABLE t (id integer);",
        "DROP TABLE t;",
    );
    project.write_revision(
        "20260102000000",
        &["20260101000000"],
        "CREATE TABLE u (id integer);\nALTER TABLE missing ADD COLUMN x integer;",
        "DROP TABLE u;",
    );
    let failed = project.run(&with_db(&url, &["upgrade"]));
    assert_eq!(failed.status.code(), Some(2));
    // Line 8 of the file: the header (4 lines), a blank, the marker, then the statements.
    assert!(
        stderr(&failed).contains("20260102000000_hand_written.sql:8:"),
        "{}",
        stderr(&failed)
    );
    assert_eq!(tables(&url), ["autogen_revisions", "t"]);
    let current = project.expect(0, &with_db(&url, &["current"]));
    assert!(current.starts_with("20260101000000"), "{current}");
}

#[test]
fn concurrent_upgrades_apply_each_revision_once() {
    let project = Project::new();
    let database = runtime().block_on(autogen_testkit::fresh_database());
    let url = autogen_testkit::url(&database);
    project.write_revision(
        "20260101000000",
        &[],
        "CREATE TABLE applied (revision text NOT NULL);\nINSERT INTO applied VALUES ('1');",
        "DROP TABLE applied;",
    );
    let mut parent = "20260101000000".to_string();
    for n in 2..=5 {
        let id = format!("2026010{n}000000");
        project.write_revision(
            &id,
            &[&parent],
            &format!("INSERT INTO applied VALUES ('{n}');"),
            &format!("DELETE FROM applied WHERE revision = '{n}';"),
        );
        parent = id;
    }
    let children: Vec<_> = (0..8)
        .map(|_| {
            project
                .command(&with_db(&url, &["upgrade"]))
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().expect("wait");
        assert!(output.status.success(), "{}", stderr(&output));
    }
    let counts: Vec<(String, i64)> = runtime().block_on(async {
        let client = database.connect().await.expect("connect");
        client
            .query(
                "SELECT revision, count(*) FROM applied GROUP BY revision ORDER BY revision",
                &[],
            )
            .await
            .expect("query")
            .iter()
            .map(|row| (row.get(0), row.get(1)))
            .collect()
    });
    let expected: Vec<(String, i64)> = (1..=5).map(|n| (n.to_string(), 1)).collect();
    assert_eq!(counts, expected);
}

#[test]
fn the_example_project_is_up_to_date_with_its_revisions() {
    let config = common::workspace().join("schema/autogen.toml");
    let output = common::autogen(&["--config", config.to_str().unwrap(), "check"]);
    assert!(
        output.status.success(),
        "{}\n{}",
        stdout(&output),
        stderr(&output)
    );
    assert!(stdout(&output).starts_with("ok: "), "{}", stdout(&output));
}

/// Two `autogen revision` runs at once in one project: the second waits for the first (a lock
/// on the migrations directory) and then sees its file, so there is one new revision and one
/// head, never two children of the same parent.
#[test]
fn concurrent_revision_runs_write_one_revision() {
    let project = Project::new();
    project.write_models(MODELS_V1);
    project.expect(0, &["revision", "-m", "first"]);
    project.write_models(MODELS_V2);
    let children: Vec<std::process::Child> = ["a", "b", "c"]
        .iter()
        .map(|message| {
            project
                .command(&["revision", "-m", message])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("autogen runs")
        })
        .collect();
    let outputs: Vec<std::process::Output> = children
        .into_iter()
        .map(|child| child.wait_with_output().expect("autogen finishes"))
        .collect();
    for output in &outputs {
        assert_eq!(output.status.code(), Some(0), "{}", stderr(output));
    }
    let written = outputs
        .iter()
        .filter(|output| stdout(output).contains(".sql"))
        .count();
    let unchanged = outputs
        .iter()
        .filter(|output| stderr(output).contains("No changes detected"))
        .count();
    assert_eq!((written, unchanged), (1, 2));
    assert_eq!(project.revisions().len(), 2);
    assert_eq!(project.expect(0, &["heads"]).lines().count(), 1);
}

/// Copies `from` (a directory) into `to`, recursively.
fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// The example project end to end with its SQL declarations (the `updated_at` trigger and the
/// reporting view): upgrade, check against the database, a view edited in its SQL file
/// becomes a verified revision that replaces it, downgrade one step and back, and downgrade
/// to base leaves nothing behind.
#[test]
fn the_example_project_with_its_trigger_and_view_runs_revision_upgrade_check_downgrade() {
    let project = Project::new();
    let example = common::workspace().join("schema");
    for dir in ["models", "sql", "migrations"] {
        copy_dir(&example.join(dir), &project.path().join(dir));
    }
    std::fs::copy(
        example.join("autogen.toml"),
        project.path().join("autogen.toml"),
    )
    .expect("copy autogen.toml");
    let database = runtime().block_on(autogen_testkit::fresh_database());
    let url = autogen_testkit::url(&database);

    project.expect(0, &with_db(&url, &["upgrade"]));
    project.expect(0, &with_db(&url, &["check"]));
    query(
        &url,
        "INSERT INTO users (tenant_id, email, password_hash) VALUES (1, 'a@example.com', 'x');
         INSERT INTO posts (author_id, title, body, updated_at)
             SELECT id, 'hello', 'world', now() - interval '1 day' FROM users;
         UPDATE posts SET title = 'hello again'",
    );
    assert_eq!(
        query(
            &url,
            "SELECT (updated_at > now() - interval '1 hour')::text FROM posts"
        ),
        ["true"]
    );

    // The reporting view gains a column: the revision replaces it in place.
    let reporting = project.path().join("sql/reporting.sql");
    let view = std::fs::read_to_string(&reporting).expect("read reporting.sql");
    let edited = view.replace(
        "coalesce(sum(v.value), 0) AS score",
        "coalesce(sum(v.value), 0) AS score,\n           max(p.updated_at) AS last_update",
    );
    assert_ne!(edited, view);
    std::fs::write(&reporting, edited).expect("write reporting.sql");
    project.expect(1, &with_db(&url, &["check"]));
    let path = project.expect(0, &["revision", "-m", "last update per author"]);
    let revision = std::fs::read_to_string(project.path().join(path.trim_end())).expect("revision");
    assert!(
        revision.contains("CREATE OR REPLACE VIEW \"public\".\"author_stats\" AS"),
        "{revision}"
    );
    project.expect(0, &with_db(&url, &["upgrade"]));
    project.expect(0, &with_db(&url, &["check"]));
    assert_eq!(
        query(&url, "SELECT published_posts::text FROM author_stats"),
        ["1"]
    );

    project.expect(0, &with_db(&url, &["downgrade", "-1"]));
    let (_, err) = project.expect_both(1, &with_db(&url, &["check"]));
    assert!(err.contains("1 revision(s) behind"), "{err}");
    project.expect(0, &with_db(&url, &["upgrade"]));
    project.expect(
        0,
        &with_db(&url, &["downgrade", "base", "--allow-data-loss"]),
    );
    assert_eq!(
        query(
            &url,
            "SELECT count(*)::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm') \
               AND c.relname <> 'autogen_revisions'"
        ),
        ["0"]
    );
    assert_eq!(
        query(
            &url,
            "SELECT count(*)::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
             WHERE n.nspname = 'public'"
        ),
        ["0"]
    );
}

/// A check with `IN (…)` over a `varchar` column: PostgreSQL respells it when it reads its own
/// output back, so the revision written from the normalized models would not converge unless
/// every schema is read in the stable spelling (autogen-introspect's `stable_spelling.rs`).
#[test]
fn an_in_list_check_over_varchar_converges() {
    let project = Project::new();
    let database = runtime().block_on(autogen_testkit::fresh_database());
    let url = autogen_testkit::url(&database);
    project.write_models(
        r#"
use autogen::Model;

#[derive(Model)]
#[model(check(name = "allowed_kind", expr = "kind IN ('a', 'b')"))]
#[model(index(name = "thing_a_idx", columns = ["id"], where = "kind IN ('a')"))]
pub struct Thing {
    #[model(primary_key)]
    pub id: i64,
    #[model(max_length = 20)]
    pub kind: String,
}
"#,
    );
    project.expect(0, &["revision", "-m", "things"]);
    project.expect(0, &with_db(&url, &["upgrade"]));
    project.expect(0, &with_db(&url, &["check"]));
    // Nothing left to write.
    project.expect(0, &["revision", "-m", "nothing"]);
    assert_eq!(project.revisions().len(), 1);
}
