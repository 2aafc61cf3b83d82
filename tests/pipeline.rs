//! `revision`, `check` and `diff` are one pipeline that computes each thing once: one
//! migration (both directions diffed once each) per command, verification told by the
//! migration itself, and `--no-verify` never claiming a verification.

mod common;

use common::project::Project;

const USERS: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "users")]
pub struct User {
    #[model(primary_key, identity)]
    pub id: i64,
    pub email: String,
}
"#;

/// `USERS` with a new column and an index: a plan that is not empty and touches one table.
const USERS_V2: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "users")]
#[model(index(columns = ["email"]))]
pub struct User {
    #[model(primary_key, identity)]
    pub id: i64,
    pub email: String,
    pub phone: Option<String>,
}
"#;

/// (migrations planned, catalogs diffed) during one run of `args`, from autogen-diff's own
/// debug events.
fn count_plans(project: &Project, args: &[&str], code: i32) -> (usize, usize) {
    let output = project
        .command(args)
        .env("AUTOGEN_LOG", "autogen_diff=debug")
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(code), "{args:?}\n{stderr}");
    (
        stderr.matches("planning a migration").count(),
        stderr.matches("diff: comparing two catalogs").count(),
    )
}

#[test]
fn each_command_plans_its_migration_once() {
    let project = Project::new();
    project.write_models(USERS);
    project.expect(0, &["revision", "-m", "users"]);
    project.write_models(USERS_V2);
    // One migration, each direction diffed once: verification reuses what the plan knows
    // (touched tables, kept views, the change behind a failing statement).
    assert_eq!(count_plans(&project, &["check"], 1), (1, 2));
    assert_eq!(
        count_plans(
            &project,
            &["diff", "--from", "migrations", "--to", "models"],
            0
        ),
        (1, 2)
    );
    assert_eq!(
        count_plans(&project, &["revision", "-m", "phone"], 0),
        (1, 2)
    );
    // Nothing left: one diff finds nothing, and there is no way back to plan.
    assert_eq!(count_plans(&project, &["check"], 0), (1, 1));
}

#[test]
fn no_verify_never_says_verified() {
    let project = Project::new();
    project.write_models(USERS);
    let (_, err) = project.expect_both(0, &["revision", "-m", "users", "--no-verify"]);
    assert!(
        err.contains("--no-verify: the plan was not checked"),
        "{err}"
    );
    assert!(err.contains("not verified"), "{err}");
    assert!(!err.contains("verified up"), "{err}");
    project.write_models(USERS_V2);
    let (_, err) = project.expect_both(0, &["revision", "-m", "phone"]);
    assert!(err.contains("verified up and down"), "{err}");
}
