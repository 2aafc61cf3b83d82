//! What a new user ran into (issue "What a new user ran into"), each end to end with the
//! binary in a temporary project against real PostgreSQL: a rename written as drop + add must
//! say so everywhere (and ask on a terminal), `check` must use the configured database, say
//! "behind" when it is behind and notice edited applied revisions, column order is never a
//! difference, an empty models path is an error, and `history` marks where the database is.

mod common;

use common::project::{Project, execute, fresh_database, with_db};
use common::terminal::pty;
use common::{stderr, stdout};
use std::io::{Read, Write};
use std::process::Stdio;

const USERS: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "users")]
pub struct User {
    #[model(primary_key, identity)]
    pub id: i64,
    pub email: String,
    pub note: Option<String>,
}
"#;

/// `note` renamed to `comment` without `renamed_from`.
const USERS_RENAMED: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "users")]
pub struct User {
    #[model(primary_key, identity)]
    pub id: i64,
    pub email: String,
    pub comment: Option<String>,
}
"#;

const HINT: &str = "column public.users.note is dropped and public.users.comment added with the same definition; if it is a rename, add #[model(renamed_from = \"note\")] to the field of comment";

/// A project at its first revision of `USERS`.
fn project_with_users() -> Project {
    let project = Project::new();
    project.write_models(USERS);
    project.expect(0, &["revision", "-m", "users"]);
    project
}

#[test]
fn a_rename_without_renamed_from_is_named_by_revision_check_and_the_file() {
    let project = project_with_users();
    project.write_models(USERS_RENAMED);

    let (out, err) = project.expect_both(1, &["check"]);
    assert!(err.contains(&format!("help: {HINT}")), "{err}");
    assert!(out.contains("DROP COLUMN \"note\""), "{out}");

    // Outside a terminal the revision is written, with the hint as a warning and a comment.
    let (out, err) = project.expect_both(0, &["revision", "-m", "comment"]);
    assert!(err.contains(&format!("help: {HINT}")), "{err}");
    let written = std::fs::read_to_string(project.path().join(out.trim())).expect("revision");
    let up = written
        .split("-- migrate:down")
        .next()
        .expect("an up section");
    assert!(up.contains(&format!("-- autogen: {HINT}")), "{written}");
    assert!(up.contains("DROP COLUMN \"note\""), "{written}");
    // The comment is not SQL that runs: the revision still applies.
    let (_database, url) = fresh_database();
    project.expect(0, &with_db(&url, &["upgrade"]));
}

/// Runs `autogen args` in `project` with its stdin on a pseudo-terminal, answering `answer`
/// to the first question; returns (exit code, stderr).
fn run_on_terminal(project: &Project, args: &[&str], answer: &str) -> (Option<i32>, String) {
    let (mut master, slave) = pty();
    let mut child = project
        .command(args)
        .stdin(Stdio::from(slave))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn autogen");
    let mut stderr_pipe = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr_pipe.read_to_string(&mut text);
        text
    });
    // The answer waits in the terminal's input until the question reads it.
    master.write_all(answer.as_bytes()).expect("answer");
    let status = child.wait().expect("wait");
    (status.code(), reader.join().expect("stderr reader"))
}

#[test]
fn on_a_terminal_revision_asks_before_writing_a_drop_that_looks_like_a_rename() {
    let project = project_with_users();
    project.write_models(USERS_RENAMED);
    let before = project.revisions();

    let (code, err) = run_on_terminal(&project, &["revision", "-m", "comment"], "n\n");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains(HINT), "{err}");
    assert!(
        err.contains("Write it as drop and add anyway? [y/N]"),
        "{err}"
    );
    assert!(
        err.contains("revision cancelled: nothing was written"),
        "{err}"
    );
    assert_eq!(project.revisions(), before);

    let (code, err) = run_on_terminal(&project, &["revision", "-m", "comment"], "y\n");
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(project.revisions().len(), before.len() + 1);
}

#[test]
fn check_compares_the_database_named_in_the_config() {
    let project = project_with_users();
    let (_database, url) = fresh_database();
    project.expect(0, &with_db(&url, &["upgrade"]));
    project.append_config(&format!("\n[database]\nurl = \"{url}\"\n"));
    let (out, _) = project.expect_both(0, &["check"]);
    assert!(out.contains("and database"), "{out}");

    execute(&url, "ALTER TABLE users ADD COLUMN hand_made integer");
    let (out, err) = project.expect_both(1, &["check"]);
    assert!(
        err.contains("differs from the schema the revisions produce"),
        "{err}"
    );
    assert!(out.contains("+    \"hand_made\" integer"), "{out}");
    // --no-database turns the configured database off.
    let (out, _) = project.expect_both(0, &["check", "--no-database"]);
    assert!(!out.contains("and database"), "{out}");
}

#[test]
fn check_current_and_history_report_an_applied_revision_edited_afterwards() {
    let project = project_with_users();
    let (_database, url) = fresh_database();
    project.expect(0, &with_db(&url, &["upgrade"]));
    let history = project.expect(0, &with_db(&url, &["history"]));
    assert!(history.contains("(head, current)"), "{history}");

    let file = project.revisions().pop().expect("a revision");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(&file, text.replace("\"email\" text", "\"email\" text  ")).expect("edit");
    let edited = format!(
        "revision {} was edited after it was applied",
        file.file_name()
            .and_then(|name| name.to_str())
            .and_then(|name| name.split('_').next())
            .expect("an id")
    );

    let (_, err) = project.expect_both(1, &with_db(&url, &["check"]));
    assert!(err.contains(&edited), "{err}");
    let (_, err) = project.expect_both(0, &with_db(&url, &["current"]));
    assert!(err.contains(&edited), "{err}");
    let (history, err) = project.expect_both(0, &with_db(&url, &["history"]));
    assert!(history.contains("edited since applied"), "{history}");
    assert!(err.contains(&edited), "{err}");
}

#[test]
fn history_marks_the_revision_the_database_is_at() {
    let project = project_with_users();
    project.write_models(
        USERS_RENAMED
            .replace(
                "pub comment",
                "#[model(renamed_from = \"note\")]\n    pub comment",
            )
            .as_str(),
    );
    project.expect(0, &["revision", "-m", "rename"]);
    let (_database, url) = fresh_database();
    project.expect(0, &with_db(&url, &["upgrade", "+1"]));

    let history = project.expect(0, &with_db(&url, &["history"]));
    let lines: Vec<&str> = history.lines().collect();
    assert_eq!(lines.len(), 2, "{history}");
    assert!(
        lines[0].contains("(head)") && lines[0].ends_with("rename"),
        "{history}"
    );
    assert!(lines[1].contains("(current)"), "{history}");
    // Without a database nothing is marked current.
    let plain = project.expect(0, &["history"]);
    assert!(!plain.contains("current"), "{plain}");
    // A configured database that cannot be reached costs a warning, not the listing.
    let unreachable = project
        .command(&["history"])
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .output()
        .expect("runs");
    assert_eq!(
        unreachable.status.code(),
        Some(0),
        "{}",
        stderr(&unreachable)
    );
    assert!(
        stderr(&unreachable).contains("cannot mark the revision the database is at"),
        "{}",
        stderr(&unreachable)
    );
    assert_eq!(stdout(&unreachable), plain);
}

#[test]
fn column_order_is_not_a_difference_in_checks_output() {
    let project = project_with_users();
    // Fields in another order than the physical columns, and one real change.
    project.write_models(
        r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "users")]
pub struct User {
    pub note: Option<String>,
    pub email: String,
    #[model(primary_key, identity)]
    pub id: i64,
    pub phone: Option<String>,
}
"#,
    );
    let (out, _) = project.expect_both(1, &["check"]);
    let diff: Vec<&str> = out
        .lines()
        .take_while(|line| !line.starts_with("-- `autogen revision` would write"))
        .filter(|line| {
            (line.starts_with('+') || line.starts_with('-'))
                && !line.starts_with("+++")
                && !line.starts_with("---")
        })
        .collect();
    assert_eq!(diff, ["+    \"phone\" text,"], "{out}");
    // Order alone is no change at all.
    project.write_models(
        r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "users")]
pub struct User {
    pub note: Option<String>,
    pub email: String,
    #[model(primary_key, identity)]
    pub id: i64,
}
"#,
    );
    project.expect(0, &["check"]);
}

#[test]
fn a_models_path_that_yields_no_models_is_an_error_unless_allowed() {
    let project = project_with_users();
    std::fs::remove_file(project.path().join("models/app.rs")).expect("remove models");
    std::fs::write(
        project.path().join("models/notes.rs"),
        "// nothing here yet\n",
    )
    .expect("write");
    for command in [&["check"][..], &["revision", "-m", "x"]] {
        let (_, err) = project.expect_both(2, command);
        assert!(err.contains("yield no models"), "{err}");
        assert!(err.contains("allow_empty = true"), "{err}");
    }
    assert_eq!(project.revisions().len(), 1);

    // Said explicitly, it plans the drop like any other.
    let config = std::fs::read_to_string(project.path().join("autogen.toml")).expect("config");
    std::fs::write(
        project.path().join("autogen.toml"),
        config.replace("[models]\n", "[models]\nallow_empty = true\n"),
    )
    .expect("write config");
    let (out, _) = project.expect_both(1, &["check"]);
    assert!(out.contains("DROP TABLE \"public\".\"users\""), "{out}");

    // A models path given as a diff source must hold models too.
    let (_, err) = project.expect_both(2, &["diff", "--from", "migrations", "--to", "models"]);
    assert!(err.contains("yields no models"), "{err}");
}
