//! A password never leaves autogen: a whole session (init, revision, upgrade, `--sql`, current,
//! history, check passing and failing, diff, inspect, downgrade, stamp) and its error paths
//! (wrong password, unreachable port, missing database, a failing statement, a malformed URL,
//! verbose logging) with the password given every way there is — `--database-url`,
//! `DATABASE_URL`, `PGPASSWORD` with a password-less URL, `[database] url` in autogen.toml and
//! `--dev-url` — and neither stdout, stderr nor any file autogen writes holds it, plain or
//! percent-encoded.

mod common;

use common::project::{Project, runtime};
use common::{stderr, stdout};
use std::path::Path;
use std::process::Output;

use autogen_testkit::autogen_pg::ConnectionSpec;

/// Characters a URL must percent-encode, so the encoded form differs from the plain one.
const PASSWORD: &str = "S3cr3t-pw-XYZ/#@";
const WRONG_PASSWORD: &str = "Wr0ng-pw-QQQ";
/// What must never show up: the start of both passwords, common to their plain and
/// percent-encoded forms.
const NEEDLES: [&str; 4] = ["S3cr3t", "pw-XYZ", "Wr0ng", "pw-QQQ"];
const ROLE: &str = "autogen_secrets";

const MODELS_V1: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "notes")]
pub struct Note {
    #[model(primary_key, identity)]
    pub id: i64,
    pub body: String,
}
"#;

const MODELS_V2: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "notes")]
pub struct Note {
    #[model(primary_key, identity)]
    pub id: i64,
    pub body: String,
    pub author: Option<String>,
}
"#;

/// Every run of the session, for the final scan.
struct Session {
    project: Project,
    runs: Vec<(String, Output)>,
}

impl Session {
    /// Runs with extra environment variables, requires exit `code`, keeps the output.
    fn run_env(&mut self, code: i32, env: &[(&str, &str)], args: &[&str]) -> String {
        let mut command = self.project.command(args);
        for (key, value) in env {
            command.env(key, value);
        }
        let output = command.output().expect("the autogen binary runs");
        // The failure message shows the arguments only as indices: they hold the password.
        assert_eq!(
            output.status.code(),
            Some(code),
            "run #{} ({} arguments)\nstdout:\n{}\nstderr:\n{}",
            self.runs.len(),
            args.len(),
            stdout(&output),
            stderr(&output)
        );
        let text = format!("{}{}", stdout(&output), stderr(&output));
        let label = format!(
            "run #{} (first argument {:?})",
            self.runs.len(),
            args.first()
        );
        self.runs.push((label, output));
        text
    }

    fn run(&mut self, code: i32, args: &[&str]) -> String {
        self.run_env(code, &[], args)
    }
}

fn leaks(text: &str) -> Vec<&'static str> {
    NEEDLES
        .into_iter()
        .filter(|needle| text.contains(needle))
        .collect()
}

/// Every file under `dir`, recursively, except `autogen.toml` (where the test itself wrote a
/// password).
fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            files(&path, out);
        } else if path.file_name().is_some_and(|name| name != "autogen.toml") {
            out.push(path);
        }
    }
}

#[test]
fn no_password_ever_reaches_output_or_files() {
    let Some(role_url) = runtime().block_on(autogen_testkit::password_role_url(ROLE, PASSWORD))
    else {
        eprintln!("skipped: the tests run against an external server (AUTOGEN_TEST_DEV_URL)");
        return;
    };
    let role = ConnectionSpec::parse(&role_url).expect("role url");
    assert!(role.has_password());
    // The cluster trusts `postgres` on its socket: set up a database the role owns, and let it
    // create the dev databases of --dev-url.
    let admin = role.with_credentials("postgres", None).url_with_password();
    let database = "autogen_secrets_app";
    for sql in [
        format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
        format!("ALTER ROLE {ROLE} CREATEDB"),
        format!("CREATE DATABASE {database} OWNER {ROLE}"),
    ] {
        common::project::execute(&admin, &sql);
    }
    let url = role.with_database(database).url_with_password();
    assert!(
        url.contains("%2F%23%40"),
        "the password is percent-encoded in the URL"
    );
    let no_password = role
        .with_database(database)
        .with_credentials(ROLE, None)
        .url_with_password();
    let wrong = role
        .with_database(database)
        .with_credentials(ROLE, Some(WRONG_PASSWORD))
        .url_with_password();
    let missing = role.with_database("autogen_no_such_db").url_with_password();
    let dev_url = role.url_with_password();
    let encoded_password = url
        .split_once(&format!("{ROLE}:"))
        .and_then(|(_, rest)| rest.split_once('@'))
        .map(|(password, _)| password.to_owned())
        .expect("password in the url");
    let unreachable = format!("postgres://{ROLE}:{encoded_password}@127.0.0.1:1/{database}");
    let malformed = format!("postgres://{ROLE}:{encoded_password}@localhost:notaport/{database}");
    let pgpassword = [("PGPASSWORD", PASSWORD)];

    let mut session = Session {
        project: Project::new(),
        runs: Vec::new(),
    };
    session.project.write_models(MODELS_V1);

    // init again: refused, with a URL on the command line.
    session.run(2, &["--database-url", &url, "init"]);
    // The first revision, normalized through the password-protected dev server.
    session.run(0, &["--dev-url", &dev_url, "revision", "-m", "notes"]);
    session.run(0, &["--database-url", &url, "-v", "upgrade"]);
    session.run(0, &["--database-url", &url, "upgrade", "--sql"]);
    session.run_env(0, &[("DATABASE_URL", &url)], &["current"]);
    session.run_env(0, &[("DATABASE_URL", &url)], &["-v", "history"]);
    session.run_env(0, &pgpassword, &["--database-url", &no_password, "check"]);
    session.run(
        0,
        &["--dev-url", &dev_url, "inspect", &url, "--format", "json"],
    );

    // The models move on: check fails with a diff, from autogen.toml's [database] url.
    session.project.write_models(MODELS_V2);
    session
        .project
        .append_config(&format!("\n[database]\nurl = \"{url}\"\n"));
    let failing = session.run(1, &["-vv", "check"]);
    assert!(failing.contains("author"), "{failing}");
    let diff = session.run(
        0,
        &[
            "--dev-url",
            &dev_url,
            "diff",
            "--from",
            &url,
            "--to",
            "models/",
        ],
    );
    assert!(diff.contains("ADD COLUMN \"author\""), "{diff}");
    session.run(
        1,
        &["diff", "--from", &url, "--to", "models/", "--exit-code"],
    );
    session.run(0, &["--database-url", &url, "revision", "-m", "author"]);
    session.run_env(0, &[("AUTOGEN_LOG", "trace")], &["upgrade"]);
    session.run_env(0, &pgpassword, &["--database-url", &no_password, "current"]);
    session.run(0, &["-v", "check"]);
    session.run(0, &["downgrade", "--sql", "head:-1"]);
    session.run_env(
        0,
        &[("DATABASE_URL", &url)],
        &["-vv", "downgrade", "-1", "--allow-data-loss"],
    );
    let ids: Vec<String> = session
        .project
        .revisions()
        .iter()
        .filter_map(|path| {
            path.file_name()?
                .to_str()?
                .split('_')
                .next()
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(ids.len(), 2);
    session.run(0, &["stamp", "head"]);
    session.run_env(
        0,
        &pgpassword,
        &["--database-url", &no_password, "stamp", &ids[0]],
    );
    // Refused without the flag: the message names the statement, not the database's URL.
    session.run_env(2, &[("DATABASE_URL", &url)], &["downgrade", "base"]);

    // Error paths.
    session.run(2, &["--database-url", &wrong, "upgrade"]);
    session.run_env(
        2,
        &[("PGPASSWORD", WRONG_PASSWORD)],
        &["--database-url", &no_password, "-v", "current"],
    );
    session.run(2, &["--database-url", &unreachable, "-vv", "upgrade"]);
    session.run(2, &["--database-url", &missing, "upgrade"]);
    session.run(2, &["--database-url", &missing, "check"]);
    session.run_env(2, &[("DATABASE_URL", &missing)], &["current"]);
    session.run(2, &["--database-url", &malformed, "current"]);
    session.run(2, &["inspect", &unreachable]);
    session.run(2, &["--dev-url", &wrong, "revision", "-m", "never"]);
    session.run_env(
        2,
        &[("AUTOGEN_DEV_URL", &wrong)],
        &["revision", "-m", "never"],
    );
    // clap: help (which may show environment values) and a usage error.
    session.run_env(
        0,
        &[("AUTOGEN_DEV_URL", &dev_url), ("DATABASE_URL", &url)],
        &["upgrade", "--help"],
    );
    session.run(2, &["--database-url", &url, "upgrade", "--bogus"]);
    session.run(
        2,
        &[
            "--dev-url",
            &unreachable,
            "diff",
            "--from",
            &url,
            "--to",
            "models/",
        ],
    );
    session.project.write_revision(
        "29990101000000",
        &[&ids[1]],
        "ALTER TABLE missing_table ADD COLUMN x integer;",
        "SELECT 1;",
    );
    let failed = session.run(2, &["-vv", "upgrade"]);
    assert!(
        failed.contains("29990101000000_hand_written.sql"),
        "{failed}"
    );

    // The scan.
    let mut found = Vec::new();
    for (label, output) in &session.runs {
        for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            let text = String::from_utf8_lossy(bytes);
            let leaked = leaks(&text);
            if !leaked.is_empty() {
                found.push(format!("{label} {stream} holds {leaked:?}:\n{text}"));
            }
        }
    }
    let mut written = Vec::new();
    files(session.project.path(), &mut written);
    assert!(written.len() >= 3, "{written:?}");
    for path in written {
        let text = String::from_utf8_lossy(&std::fs::read(&path).expect("read file")).into_owned();
        let leaked = leaks(&text);
        if !leaked.is_empty() {
            found.push(format!("{} holds {leaked:?}", path.display()));
        }
    }
    assert!(
        found.is_empty(),
        "the password leaked:\n{}",
        found.join("\n\n")
    );
    assert!(session.runs.len() > 30, "{}", session.runs.len());

    common::project::execute(&admin, &format!("DROP DATABASE {database} WITH (FORCE)"));
}
