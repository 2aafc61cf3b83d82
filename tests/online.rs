//! Online mode end to end: `autogen revision --online` writes a `transaction:false` section
//! with CONCURRENTLY / NOT VALID + VALIDATE statements under a lock_timeout, `autogen upgrade`
//! applies it to a database holding rows, and `downgrade` reverts it; `[online]` in
//! autogen.toml does the same without the flag, with its own timeouts. While an online upgrade
//! runs with traffic on its table, no `VALIDATE` holds a lock that stops the traffic
//! (`lock_probe.rs` samples the upgrading backend's locks).

mod common;
#[path = "online/lock_probe.rs"]
mod lock_probe;

use common::project::{Project, execute, query, runtime, with_db};
use lock_probe::{BLOCKS_WRITES, Sample};
use std::process::Stdio;

const BEFORE: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "owners")]
pub struct Owner {
    #[model(primary_key)]
    pub id: i64,
}

#[derive(Model)]
#[model(table = "accounts")]
pub struct Account {
    #[model(primary_key)]
    pub id: i64,
    pub owner_id: i64,
    pub email: Option<String>,
    pub age: i32,
}
"#;

const AFTER: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "owners")]
pub struct Owner {
    #[model(primary_key)]
    pub id: i64,
}

#[derive(Model)]
#[model(table = "accounts")]
#[model(check(name = "accounts_age_check", expr = "age >= 0"))]
pub struct Account {
    #[model(primary_key)]
    pub id: i64,
    #[model(index, references = "owners(id)")]
    pub owner_id: i64,
    #[model(unique)]
    pub email: String,
    pub age: i32,
}
"#;

#[test]
fn an_online_revision_runs_outside_a_transaction_on_a_database_with_rows() {
    let project = Project::new();
    let database = runtime().block_on(autogen_testkit::fresh_database());
    let url = autogen_testkit::url(&database);
    let with_db = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["--database-url".to_string(), url.clone()];
        all.extend(args.iter().map(|arg| arg.to_string()));
        all
    };
    let run_db = |code: i32, args: &[&str]| {
        let all = with_db(args);
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        project.expect(code, &all)
    };

    project.write_models(BEFORE);
    project.expect(0, &["revision", "-m", "initial"]);
    run_db(0, &["upgrade"]);
    execute(
        &url,
        "INSERT INTO owners VALUES (1), (2);
         INSERT INTO accounts SELECT g, 1 + g % 2, 'user' || g || '@x', g FROM generate_series(1, 1000) g;",
    );

    project.write_models(AFTER);
    project.expect(0, &["revision", "--online", "-m", "constraints online"]);
    let revisions = project.revisions();
    assert_eq!(revisions.len(), 2);
    let text = std::fs::read_to_string(&revisions[1]).expect("revision");
    for expected in [
        "-- migrate:up transaction:false",
        "SET lock_timeout = '5s';",
        "CHECK (\"email\" IS NOT NULL) NOT VALID;",
        "ALTER COLUMN \"email\" SET NOT NULL;",
        "CREATE INDEX CONCURRENTLY \"accounts_owner_id_idx\"",
        "CREATE UNIQUE INDEX CONCURRENTLY \"accounts_email_key\"",
        "ADD CONSTRAINT \"accounts_email_key\" UNIQUE USING INDEX \"accounts_email_key\";",
        "CHECK ((age >= 0)) NOT VALID;",
        "VALIDATE CONSTRAINT \"accounts_age_check\";",
        "REFERENCES \"public\".\"owners\" (\"id\") NOT VALID;",
        "VALIDATE CONSTRAINT \"accounts_owner_id_fkey\";",
        "-- migrate:down transaction:false",
        "DROP INDEX CONCURRENTLY \"public\".\"accounts_owner_id_idx\";",
        "RESET lock_timeout;",
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }

    run_db(0, &["upgrade"]);
    // The database now matches the models and the revisions.
    run_db(0, &["check"]);
    run_db(0, &["downgrade", "-1"]);
    run_db(0, &["upgrade"]);

    // The same from autogen.toml, with other timeouts; `diff --online` reads it too.
    run_db(0, &["downgrade", "-1"]);
    std::fs::remove_file(&revisions[1]).expect("remove");
    project.append_config(
        "\n[online]\nenabled = true\nlock_timeout = \"3s\"\nstatement_timeout = \"1h\"\n",
    );
    // `check` shows the SQL `revision` would write: the online plan.
    let pending = project.expect(1, &["check"]);
    assert!(pending.contains("CREATE INDEX CONCURRENTLY"), "{pending}");
    project.expect(0, &["revision", "-m", "from the config"]);
    let text = std::fs::read_to_string(&project.revisions()[1]).expect("revision");
    assert!(text.contains("-- migrate:up transaction:false"), "{text}");
    assert!(text.contains("SET lock_timeout = '3s';"), "{text}");
    assert!(text.contains("SET statement_timeout = '1h';"), "{text}");
    let diff = project.expect(0, &["diff", "--from", &url, "--to", "models"]);
    assert!(diff.contains("CREATE INDEX CONCURRENTLY"), "{diff}");
    run_db(0, &["upgrade"]);
    run_db(0, &["check"]);
}

const CONSTRAINED_BEFORE: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "owners")]
pub struct Owner {
    #[model(primary_key)]
    pub id: i64,
}

#[derive(Model)]
#[model(table = "accounts")]
pub struct Account {
    #[model(primary_key)]
    pub id: i64,
    pub owner_id: i64,
    pub email: Option<String>,
    pub age: i32,
}
"#;

/// A NOT NULL, a check and a foreign key on a table with rows, and nothing built concurrently:
/// the online plan's `VALIDATE`s alone must make the section `transaction:false`.
const CONSTRAINED_AFTER: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "owners")]
pub struct Owner {
    #[model(primary_key)]
    pub id: i64,
}

#[derive(Model)]
#[model(table = "accounts")]
#[model(check(name = "accounts_age_check", expr = "age >= 0"))]
pub struct Account {
    #[model(primary_key)]
    pub id: i64,
    #[model(references = "owners(id)")]
    pub owner_id: i64,
    pub email: String,
    pub age: i32,
}
"#;

/// The issue's proof: `ADD … NOT VALID` takes a strong lock (ACCESS EXCLUSIVE for a check,
/// SHARE ROW EXCLUSIVE for a foreign key) that must be released before the scan, so each
/// `VALIDATE` runs in a transaction of its own. Sampled while `autogen upgrade` runs the online
/// revision with a writer and a reader on the table, then again while psql runs the
/// `upgrade --sql` script of the same revision: during every `VALIDATE` the upgrading backend
/// holds no lock that stops writes, the writer commits and the reader reads; the strong locks
/// show up only in the transactions of the short steps.
#[test]
fn no_validate_holds_a_lock_that_stops_writes() {
    let project = Project::new();
    let database = runtime().block_on(autogen_testkit::fresh_database());
    let url = autogen_testkit::url(&database);
    project.write_models(CONSTRAINED_BEFORE);
    project.expect(0, &["revision", "-m", "initial"]);
    project.expect(0, &with_db(&url, &["upgrade"]));
    execute(
        &url,
        "INSERT INTO owners VALUES (1), (2);
         INSERT INTO accounts SELECT g, 1 + g % 2, 'user' || g || '@x', g % 100
             FROM generate_series(1, 5000) g;",
    );
    project.write_models(CONSTRAINED_AFTER);
    project.expect(0, &["revision", "--online", "-m", "constraints online"]);
    let text = std::fs::read_to_string(&project.revisions()[1]).expect("revision");
    let up = text.split("-- migrate:down").next().expect("up section");
    let validates: Vec<&str> = up
        .lines()
        .filter(|line| lock_probe::is_validate(line))
        .collect();
    assert_eq!(
        validates.len(),
        3,
        "NOT NULL, check and foreign key:\n{text}"
    );
    assert_eq!(
        up.lines()
            .filter(|line| line.starts_with("ALTER TABLE \"public\".\"accounts\""))
            .count(),
        ALTERS_OF_ACCOUNTS,
        "{text}"
    );
    execute(&url, lock_probe::INSTALL_PROBE);

    // The runner.
    let upgrade = project
        .command(&with_db(&url, &["upgrade"]))
        .env("PGAPPNAME", lock_probe::UPGRADER)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("autogen upgrade starts");
    let observed = watch(&url, upgrade, "autogen upgrade");
    assert_traffic_went_on(&observed, &validates, &url, "autogen upgrade");
    assert!(text.contains("-- migrate:up transaction:false"), "{text}");

    // The offline script of the same revision, run by psql (autocommit, as documented).
    execute(&url, lock_probe::PAUSE_PROBE);
    project.expect(0, &with_db(&url, &["downgrade", "-1"]));
    execute(&url, lock_probe::RESUME_PROBE);
    let initial = project.revisions()[0]
        .file_name()
        .and_then(|name| name.to_str())
        .and_then(|name| name.split('_').next())
        .expect("the first revision's id")
        .to_string();
    let script = project.expect(0, &["upgrade", "--sql", &format!("{initial}:head")]);
    let script_path = project.path().join("online.sql");
    std::fs::write(&script_path, &script).expect("script written");
    let psql = autogen_testkit::autogen_pg::find_binaries()
        .map(|binaries| binaries.bindir.join("psql"))
        .expect("PostgreSQL binaries");
    let psql = std::process::Command::new(psql)
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", &url, "-f"])
        .arg(&script_path)
        .env("PGAPPNAME", lock_probe::UPGRADER)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("psql starts");
    let observed = watch(&url, psql, "psql -f (upgrade --sql)");
    assert_traffic_went_on(&observed, &validates, &url, "psql -f (upgrade --sql)");

    // The probe gone, the database is what the revisions say.
    execute(&url, lock_probe::REMOVE_PROBE);
    project.expect(0, &with_db(&url, &["check"]));
}

/// Samples the locks of `process`'s connection, with a writer and a reader on the table, until
/// it exits; it must succeed.
fn watch(url: &str, mut process: std::process::Child, what: &str) -> lock_probe::Observed {
    let observed = runtime().block_on(lock_probe::observe(url, || {
        process.try_wait().expect("the process").is_some()
    }));
    let output = process.wait_with_output().expect("the process's output");
    assert!(
        output.status.success(),
        "{what}: {}",
        common::stderr(&output)
    );
    let during_validate = observed.samples.iter().filter(|s| s.validating()).count();
    eprintln!(
        "{what}: {} samples, {during_validate} during a VALIDATE; {} writes, {} reads",
        observed.samples.len(),
        observed.writes,
        observed.reads
    );
    observed
}

fn assert_traffic_went_on(
    observed: &lock_probe::Observed,
    validates: &[&str],
    url: &str,
    what: &str,
) {
    let during_validate: Vec<&Sample> =
        observed.samples.iter().filter(|s| s.validating()).collect();
    // Every VALIDATE was sampled (the probe holds it until it is), and the samples see its own
    // lock: the sensor works.
    for statement in validates {
        assert!(
            during_validate.iter().any(|s| s.query.trim_end_matches(';')
                == statement.trim_end_matches(';')
                && s.holds("accounts", "ShareUpdateExclusiveLock")),
            "{what}: no sample of {statement} holding its SHARE UPDATE EXCLUSIVE lock"
        );
    }
    let stops_writes = |sample: &Sample| {
        BLOCKS_WRITES.iter().find_map(|mode| {
            ["accounts", "owners"]
                .into_iter()
                .find(|table| sample.holds(table, mode))
                .map(|table| format!("{mode} on {table}"))
        })
    };
    for sample in &during_validate {
        assert_eq!(
            stops_writes(sample),
            None,
            "{what}: held during {}\nlocks: {:?}",
            sample.query,
            sample.locks
        );
    }
    // The strong locks are the short steps' (each held until sampled: the sensor sees them),
    // taken in other transactions than the scans'.
    let validate_transactions: Vec<&Option<String>> =
        during_validate.iter().map(|s| &s.transaction).collect();
    let strong: Vec<&Sample> = observed
        .samples
        .iter()
        .filter(|sample| stops_writes(sample).is_some())
        .collect();
    for sample in &strong {
        assert!(
            !validate_transactions.contains(&&sample.transaction),
            "{what}: {:?} held in the transaction of a VALIDATE: {sample:?}",
            stops_writes(sample)
        );
    }
    for (step, relation, mode) in [
        ("IS NOT NULL) NOT VALID", "accounts", "AccessExclusiveLock"),
        ("SET NOT NULL", "accounts", "AccessExclusiveLock"),
        ("DROP CONSTRAINT", "accounts", "AccessExclusiveLock"),
        (
            "CHECK ((age >= 0)) NOT VALID",
            "accounts",
            "AccessExclusiveLock",
        ),
        ("FOREIGN KEY", "owners", "ShareRowExclusiveLock"),
    ] {
        assert!(
            strong
                .iter()
                .any(|s| s.query.contains(step) && s.holds(relation, mode)),
            "{what}: no sample of the step {step} holding {mode} on {relation}"
        );
    }
    // During each VALIDATE the writer committed a row and the reader read the table.
    let validations = query(
        url,
        "SELECT query || ': written ' || written || ', read ' || read || ', sampled ' || sampled \
         FROM probe.validations ORDER BY query",
    );
    assert_eq!(
        validations.len(),
        validates.len(),
        "{what}: {validations:?}"
    );
    for validation in &validations {
        assert!(
            validation.ends_with("written true, read true, sampled true"),
            "{what}: {validation}"
        );
    }
    assert!(observed.writes > 0 && observed.reads > 0, "{what}");
    // Every step ran under the section's lock_timeout (a session setting: it outlives the
    // transaction of the `SET`).
    let steps = query(
        url,
        "SELECT lock_timeout || ' ' || query FROM probe.steps ORDER BY query",
    );
    assert_eq!(steps.len(), ALTERS_OF_ACCOUNTS, "{what}: {steps:?}");
    assert!(
        steps.iter().all(|step| step.starts_with("5s ")),
        "{what}: {steps:?}"
    );
}

/// The up section's `ALTER TABLE "public"."accounts"` statements: NOT VALID, VALIDATE, SET NOT
/// NULL and DROP for the NOT NULL; NOT VALID and VALIDATE for the check and the foreign key.
const ALTERS_OF_ACCOUNTS: usize = 8;
