//! Command-line conventions (issue "Ready for users' machines and pipelines", part 5): shell
//! completions and man pages generated from the clap definition, the environment variables
//! declared in `--help` (never their values), `-q` with `-v` refused, and progress bars on a
//! terminal only — nothing of them in pipes.

mod common;

use common::project::{Project, fresh_database, with_db};
use common::terminal::pty;
use common::{autogen, stderr, stdout};
use std::io::Read;

use std::process::{Command, Stdio};

#[test]
fn completions_for_bash_zsh_and_fish_name_the_commands() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let output = autogen(&["completions", shell]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{shell}: {}",
            stderr(&output)
        );
        let script = stdout(&output);
        for command in ["revision", "upgrade", "completions"] {
            assert!(
                script.contains(command),
                "{shell} lacks {command}:\n{script}"
            );
        }
    }
    let bash = stdout(&autogen(&["completions", "bash"]));
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("autogen.bash");
    std::fs::write(&path, bash).expect("write the script");
    match Command::new("bash").arg("-n").arg(&path).output() {
        Ok(checked) => assert!(checked.status.success(), "{}", stderr(&checked)),
        Err(error) => println!("note: bash not run ({error}); syntax not checked"),
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let output = autogen(&["completions", "tcsh"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("possible values"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_man_page_renders_and_out_writes_one_page_per_command() {
    let output = autogen(&["man"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let page = stdout(&output);
    assert!(page.contains(".TH autogen 1"), "{page}");
    assert!(page.contains("DATABASE_URL"), "{page}");

    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("man1");
    let output = autogen(&["man", "--out", out.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    for page in [
        "autogen.1",
        "autogen-upgrade.1",
        "autogen-revision.1",
        "autogen-check.1",
    ] {
        assert!(out.join(page).is_file(), "{page} not written");
    }

    let page_file = dir.path().join("autogen.1");
    std::fs::write(&page_file, page).expect("write the page");
    let rendered = Command::new("man")
        .arg("-l")
        .arg(&page_file)
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("MANWIDTH", "100")
        .output();
    match rendered {
        Ok(rendered) => {
            assert!(rendered.status.success(), "man -l: {}", stderr(&rendered));
            let text = stdout(&rendered);
            assert!(text.contains("autogen"), "{text}");
            assert!(text.contains("upgrade"), "{text}");
        }
        Err(error) => println!("note: man is not installed ({error}); the page was not rendered"),
    }
}

#[test]
fn help_names_the_environment_variables_but_never_the_database_password() {
    let output = Command::new(env!("CARGO_BIN_EXE_autogen"))
        .arg("--help")
        .env("DATABASE_URL", "postgres://app:hunter2@db.example/app")
        .env("AUTOGEN_CONFIG", "/srv/app/autogen.toml")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let help = stdout(&output);
    assert!(help.contains("[env: DATABASE_URL]"), "{help}");
    assert!(help.contains("[env: AUTOGEN_CONFIG="), "{help}");
    assert!(!help.contains("hunter2"), "{help}");
}

#[test]
fn autogen_config_names_the_project_file() {
    let project = Project::new();
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let output = project
        .command(&["heads"])
        .current_dir(elsewhere.path())
        .env("AUTOGEN_CONFIG", project.path().join("autogen.toml"))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // Without it, nothing is found from there.
    let output = project
        .command(&["heads"])
        .current_dir(elsewhere.path())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}

#[test]
fn quiet_and_verbose_together_are_a_usage_error() {
    for args in [["-q", "-v"], ["--quiet", "--verbose"]] {
        let output = autogen(&[args[0], args[1], "heads"]);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(
            stderr(&output).contains("cannot be used with"),
            "{}",
            stderr(&output)
        );
    }
}

#[test]
fn no_database_with_database_url_is_still_a_usage_error() {
    let output = autogen(&[
        "check",
        "--no-database",
        "--database-url",
        "postgres://h/db",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("cannot be used with"),
        "{}",
        stderr(&output)
    );
}

const REVISIONS: usize = 12;

/// A project with a chain of `REVISIONS` revisions, each creating a table.
fn project_with_a_chain() -> Project {
    let project = Project::new();
    let mut parent = String::new();
    for number in 1..=REVISIONS {
        let id = format!("202601010000{number:02}");
        let parents: Vec<&str> = if parent.is_empty() {
            vec![]
        } else {
            vec![&parent]
        };
        project.write_revision(
            &id,
            &parents,
            &format!("CREATE TABLE t{number} (id int);"),
            &format!("DROP TABLE t{number};"),
        );
        parent = id;
    }
    project
}

#[test]
fn piped_runs_show_no_progress() {
    let project = project_with_a_chain();
    let (out, err) = project.expect_both(0, &["inspect", "migrations"]);
    assert!(out.contains("CREATE TABLE \"public\".\"t12\""), "{out}");
    assert!(!err.contains('\x1b'), "{err:?}");
    assert!(!err.contains("Replaying"), "{err}");

    let (_database, url) = fresh_database();
    let (_, err) = project.expect_both(0, &with_db(&url, &["upgrade"]));
    assert!(!err.contains('\x1b'), "{err:?}");
    assert!(!err.contains("Upgrading"), "{err}");
    assert!(err.contains("Applying"), "{err}");
}

#[test]
fn a_terminal_shows_progress_unless_quiet() {
    let project = project_with_a_chain();
    let (code, screen) = run_with_stderr_on_terminal(project.command(&["inspect", "migrations"]));
    assert_eq!(code, Some(0), "{screen}");
    assert!(screen.contains("Replaying"), "{screen:?}");
    assert!(
        screen.contains(&format!("/{}", REVISIONS + 1)),
        "{screen:?}"
    );
    // The bar is erased at the end: the last thing on the line is the erase sequence.
    assert!(
        screen.ends_with("\r\x1b[2K") || screen.ends_with('\n'),
        "{screen:?}"
    );

    let (_database, url) = fresh_database();
    let (code, screen) = run_with_stderr_on_terminal(project.command(&with_db(&url, &["upgrade"])));
    assert_eq!(code, Some(0), "{screen}");
    assert!(screen.contains("Upgrading"), "{screen:?}");
    assert!(screen.contains("Applying"), "{screen:?}");

    let (code, screen) = run_with_stderr_on_terminal(project.command(&with_db(
        &url,
        &["--quiet", "downgrade", "base", "--allow-data-loss"],
    )));
    assert_eq!(code, Some(0), "{screen}");
    assert!(!screen.contains("Downgrading"), "{screen:?}");
}

/// `revision` verifies its plan on PostgreSQL: on a terminal the bar says so (five steps),
/// piped it stays silent.
#[test]
fn verifying_a_plan_shows_progress_on_a_terminal_only() {
    let project = project_with_a_chain();
    let mut models = String::from("use autogen::Model;\n");
    for number in 1..=REVISIONS + 1 {
        models.push_str(&format!(
            "#[derive(Model)]\n#[model(table = \"t{number}\")]\npub struct T{number} {{ pub id: Option<i32> }}\n"
        ));
    }
    project.write_models(&models);
    let (code, screen) =
        run_with_stderr_on_terminal(project.command(&["revision", "-m", "t13 on a terminal"]));
    assert_eq!(code, Some(0), "{screen}");
    assert!(screen.contains("Verifying"), "{screen:?}");
    assert!(screen.contains("/5"), "{screen:?}");
    assert!(screen.contains("verified up and down"), "{screen:?}");

    // Piped: the same step, no bar.
    let tables: String = (1..=REVISIONS + 2)
        .map(|number| {
            format!(
                "#[derive(Model)]\n#[model(table = \"t{number}\")]\npub struct T{number} {{ pub id: Option<i32> }}\n"
            )
        })
        .collect();
    project.write_models(&format!("use autogen::Model;\n{tables}"));
    let (_, err) = project.expect_both(0, &["revision", "-m", "t14 piped"]);
    assert!(!err.contains("Verifying"), "{err}");
    assert!(!err.contains('\x1b'), "{err:?}");
    assert!(err.contains("verified up and down"), "{err}");
}

/// Runs `command` with stderr on a pseudo-terminal (stdout piped away); returns the exit
/// code and everything written to the terminal.
fn run_with_stderr_on_terminal(mut command: Command) -> (Option<i32>, String) {
    let (mut master, slave) = pty();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(slave))
        .spawn()
        .expect("spawn autogen");
    // The command holds the other copy of the terminal's slave side: closed here, so reading
    // the master ends when the child exits.
    drop(command);
    let mut stdout_pipe = child.stdout.take().expect("stdout");
    let drain = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout_pipe.read_to_string(&mut text);
    });
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        // Reading a master whose slave closed fails with EIO: that is the end.
        let _ = master.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    });
    let status = child.wait().expect("wait");
    let _ = drain.join();
    (status.code(), reader.join().expect("terminal reader"))
}

/// A batched statement on a terminal: the bar shows its rows, rows per second and batches as
/// they commit; with `-q` nothing of it is drawn.
#[test]
fn a_batched_statement_shows_rows_and_batches_on_a_terminal() {
    let project = Project::new();
    project.write_revision(
        "20260101000001",
        &[],
        "CREATE TABLE t (id int, done boolean);\nINSERT INTO t SELECT g, false FROM generate_series(1, 3000) g;",
        "DROP TABLE t;",
    );
    project.write_file(
        "migrations/20260101000002_backfill.sql",
        "-- revision: 20260101000002\n-- parents: 20260101000001\n-- message: backfill\n-- created: 2026-01-01T00:00:00Z\n\n\
         -- migrate:up transaction:false\n\
         -- batch:\n\
         UPDATE t SET done = true WHERE ctid = ANY (ARRAY(SELECT ctid FROM t WHERE NOT done LIMIT 1000));\n\n\
         -- migrate:down\n\
         UPDATE t SET done = false;\n",
    );
    let (_database, url) = fresh_database();
    let mut command = project.command(&with_db(&url, &["upgrade"]));
    command.env("COLUMNS", "200");
    let (code, screen) = run_with_stderr_on_terminal(command);
    assert_eq!(code, Some(0), "{screen}");
    assert!(
        screen.contains("s 3,000 rows, ")
            && screen.contains(" rows/s, 3 batches (line 8 of 20260101000002)"),
        "{screen:?}"
    );
    assert!(
        screen.contains("Batched 20260101000002:8: 3,000 rows in 3 batches ("),
        "{screen:?}"
    );

    let (_database, url) = fresh_database();
    let (code, screen) =
        run_with_stderr_on_terminal(project.command(&with_db(&url, &["-q", "upgrade"])));
    assert_eq!(code, Some(0), "{screen}");
    assert!(!screen.contains("rows"), "{screen:?}");
}
