//! Online mode end to end: `autogen revision --online` writes a `transaction:false` section
//! with CONCURRENTLY / NOT VALID + VALIDATE statements under a lock_timeout, `autogen upgrade`
//! applies it to a database holding rows, and `downgrade` reverts it; `[online]` in
//! autogen.toml does the same without the flag, with its own timeouts.

mod common;

use common::project::{Project, execute, runtime};

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
