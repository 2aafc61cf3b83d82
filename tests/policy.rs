//! The hazard policy end to end: `check --deny` and `[policy] deny` on the would-be revision
//! and on pending revisions, and `autogen lint` on revision files (hand-written SQL too).

mod common;

use common::project::Project;

use std::path::Path;

/// The 0-based index of the first line of `path` starting with `text`.
fn text_line(path: &Path, text: &str) -> usize {
    std::fs::read_to_string(path)
        .expect("read file")
        .lines()
        .position(|line| line.starts_with(text))
        .expect("the text is in the file")
}

/// The 1-based line of the first line of `path` (relative to the project) containing `text`.
fn line_of(project: &Project, path: &str, text: &str) -> usize {
    let content = std::fs::read_to_string(project.path().join(path)).expect("read revision");
    1 + content
        .lines()
        .position(|line| line.contains(text))
        .expect("the text is in the file")
}

const ACCOUNTS: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "accounts")]
pub struct Account {
    #[model(primary_key)]
    pub id: i64,
}
"#;

/// Revision 1 creates `accounts` with a `legacy` column the models no longer have.
fn project_with_legacy_column() -> Project {
    let project = Project::new();
    project.write_models(ACCOUNTS);
    project.write_revision(
        "20260101000000",
        &[],
        "CREATE TABLE accounts (id bigint PRIMARY KEY, legacy text);",
        "DROP TABLE accounts;",
    );
    project
}

#[test]
fn check_deny_lists_the_drop_column_of_the_would_be_revision() {
    let project = project_with_legacy_column();
    let (out, err) = project.expect_both(1, &["check", "--deny", "data-loss"]);
    assert!(
        out.contains(
            "new revision: denied [data-loss]: ALTER TABLE \"public\".\"accounts\" DROP COLUMN \"legacy\";"
        ),
        "{out}"
    );
    assert!(
        err.contains("1 statement(s) with a hazard the policy denies (data-loss)"),
        "{err}"
    );

    // Not denied: still exit 1 (a revision is missing) but no policy listing.
    for args in [
        &["check"][..],
        &["check", "--deny", "table-rewrite,index-build"][..],
    ] {
        let (out, err) = project.expect_both(1, args);
        assert!(!out.contains("denied"), "{out}");
        assert!(!err.contains("policy"), "{err}");
    }
}

#[test]
fn policy_deny_in_the_config_has_the_same_effect() {
    let project = project_with_legacy_column();
    project.append_config("\n[policy]\ndeny = [\"table-rewrite\", \"data-loss\"]\n");
    let (out, err) = project.expect_both(1, &["check"]);
    assert!(
        out.contains("new revision: denied [data-loss]: ALTER TABLE"),
        "{out}"
    );
    assert!(err.contains("(data-loss, table-rewrite)"), "{err}");

    // An unknown hazard name is an error at its line.
    let path = project.path().join("autogen.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\"table-rewrite\"", "\"rewrite\"");
    std::fs::write(&path, text).unwrap();
    let (_, err) = project.expect_both(2, &["check"]);
    let line = 1 + text_line(&path, "deny = ");
    assert!(
        err.contains(&format!(
            "autogen.toml:{line}: [policy] deny: unknown hazard \"rewrite\""
        )),
        "{err}"
    );
}

#[test]
fn check_deny_fails_on_a_pending_hand_written_drop_table() {
    let project = Project::new();
    project.write_models(ACCOUNTS);
    project.write_revision(
        "20260101000000",
        &[],
        "CREATE TABLE accounts (id bigint PRIMARY KEY);",
        "DROP TABLE accounts;",
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let database = runtime.block_on(autogen_testkit::fresh_database());
    let url = autogen_testkit::url(&database);
    project.expect_both(0, &["--database-url", &url, "upgrade"]);
    project.expect_both(0, &["--database-url", &url, "check", "--deny", "data-loss"]);

    // A pending revision that leaves the schema as it was but drops a table on the way.
    let file = project.write_revision(
        "20260102000000",
        &["20260101000000"],
        "CREATE TABLE scratch (id integer);\nINSERT INTO scratch VALUES (1);\nDROP TABLE scratch;",
        "",
    );
    let line = line_of(&project, &file, "DROP TABLE scratch");
    let (out, err) =
        project.expect_both(1, &["--database-url", &url, "check", "--deny", "data-loss"]);
    assert!(
        out.contains(&format!(
            "{file}:{line}: denied [data-loss]: DROP TABLE scratch;"
        )),
        "{out}"
    );
    assert!(err.contains("1 revision(s) behind the head"), "{err}");
    assert_eq!(out.matches("denied").count(), 1, "{out}");

    // Without --deny only the pending revision is reported, not the policy.
    let (out, _) = project.expect_both(1, &["--database-url", &url, "check"]);
    assert!(!out.contains("denied"), "{out}");

    // Applied: nothing pending, nothing denied.
    project.expect_both(0, &["--database-url", &url, "upgrade"]);
    project.expect_both(0, &["--database-url", &url, "check", "--deny", "data-loss"]);
}

#[test]
fn lint_reports_hazards_and_what_it_cannot_classify() {
    let project = project_with_legacy_column();
    let do_file = project.write_revision(
        "20260102000000",
        &["20260101000000"],
        "-- hazard: none\nDO $$ BEGIN PERFORM 1; END $$;\nCREATE INDEX CONCURRENTLY accounts_legacy ON accounts (legacy);",
        "DROP INDEX accounts_legacy;",
    );
    let do_line = line_of(&project, &do_file, "DO $$");
    let (out, err) = project.expect_both(0, &["lint"]);
    assert!(
        out.contains(&format!(
            "{do_file}:{do_line}: cannot classify: DO $$ BEGIN PERFORM 1; END $$;"
        )),
        "{out}"
    );
    let first = "migrations/20260101000000_hand_written.sql";
    assert!(
        out.contains(&format!(
            "{first}:10: down [data-loss, access-exclusive-lock] DROP TABLE accounts;"
        )),
        "{out}"
    );
    // Harmless statements only with -v.
    assert!(!out.contains("CREATE INDEX CONCURRENTLY"), "{out}");
    assert!(
        err.contains("2 revision(s), 5 statement(s): 2 with hazards, 1 unclassified"),
        "{err}"
    );
    let (out, _) = project.expect_both(0, &["-v", "lint", "20260102"]);
    assert!(out.contains("[none] CREATE INDEX CONCURRENTLY"), "{out}");
    assert!(!out.contains(first), "{out}");

    // A revision that drops a column, denied.
    let drop_file = project.write_revision(
        "20260103000000",
        &["20260102000000"],
        "ALTER TABLE accounts DROP COLUMN legacy;",
        "ALTER TABLE accounts ADD COLUMN legacy text;",
    );
    let drop_line = line_of(&project, &drop_file, "DROP COLUMN legacy");
    let (out, err) = project.expect_both(1, &["lint", "20260103", "--deny", "data-loss"]);
    assert!(
        out.contains(&format!(
            "{drop_file}:{drop_line}: [data-loss, access-exclusive-lock] ALTER TABLE accounts DROP COLUMN legacy;  <- denied: data-loss"
        )),
        "{out}"
    );
    assert!(
        err.contains("1 with a denied hazard (deny: data-loss)"),
        "{err}"
    );
    // Other hazards denied: exit 0.
    project.expect_both(0, &["lint", "20260103", "--deny", "table-rewrite"]);
    // An unknown revision is an error.
    project.expect_both(2, &["lint", "20990101"]);
}
