//! Objects declared in SQL files of the project (`[models] sql`, docs/models.md "Objects
//! declared in SQL"), end to end through the binary against real PostgreSQL: they are
//! normalized with the models in an order that works whatever the dependencies (a model's
//! check and default calling declared functions, views over model tables and over each other,
//! triggers on a model table), `autogen inspect autogen.toml` prints the whole desired schema,
//! and every mistake in a SQL file is an error at its file and line.

mod common;

use common::project::{Project, query, runtime, with_db};

const MODELS: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "users")]
#[model(check(name = "ck_users_email", expr = "is_valid_email(email)"))]
pub struct User {
    #[model(primary_key, identity)]
    pub id: i64,
    pub email: String,
    #[model(default = "default_nickname()")]
    pub nickname: String,
    #[model(sql_type = "email_address")]
    pub backup_email: Option<String>,
    #[model(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}
"#;

const FUNCTIONS: &str = r#"-- Functions the users model calls.
CREATE FUNCTION is_valid_email(address text) RETURNS boolean
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT address LIKE '%_@_%' $$;

-- Takes a domain declared in a file read later: created once the domain exists.
CREATE FUNCTION normalized_email(address email_address) RETURNS email_address
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT lower(address)::email_address $$;

CREATE FUNCTION default_nickname() RETURNS text
    LANGUAGE sql
    AS $$ SELECT 'anonymous' $$;

-- Returns rows of the model table: created once the table exists.
CREATE FUNCTION users_named(name text) RETURNS SETOF users
    LANGUAGE sql STABLE
    AS $$ SELECT * FROM users WHERE nickname = name $$;
"#;

const VIEWS: &str = r#"-- A view over a view, declared before the view it reads.
CREATE VIEW active_emails AS
    SELECT email FROM active_users;

CREATE VIEW active_users AS
    SELECT id, email, nickname
    FROM users
    WHERE email <> '';

COMMENT ON VIEW active_users IS 'Users with an email';
"#;

const TRIGGERS: &str = r#"CREATE FUNCTION touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

CREATE TRIGGER users_touch BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE TRIGGER users_audit AFTER INSERT ON users
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
ALTER TABLE users DISABLE TRIGGER users_audit;
"#;

/// A domain a function and a model column use (in a file sorted after the functions' file),
/// a domain and a composite type nothing uses.
const TYPES: &str = r#"CREATE DOMAIN email_address AS text CHECK (VALUE <> '');
CREATE DOMAIN positive_count AS integer CHECK (VALUE > 0);
CREATE TYPE point_pair AS (a point, b point);
"#;

/// A project with `[models] sql = ["sql"]` (the line `autogen init` writes, uncommented) and
/// the models above.
fn project() -> Project {
    let project = Project::new();
    project.write_models(MODELS);
    project.enable_sql_declarations();
    project
}

fn write(project: &Project, relative: &str, text: &str) {
    project.write_file(relative, text);
}

/// The project above with its SQL files under the given names.
fn project_with_files(functions: &str, views: &str, triggers: &str, types: &str) -> Project {
    let project = project();
    write(&project, functions, FUNCTIONS);
    write(&project, views, VIEWS);
    write(&project, triggers, TRIGGERS);
    write(&project, types, TYPES);
    project
}

/// The canonical dump of `project`'s desired schema.
fn desired_dump(project: &Project) -> String {
    project.expect(0, &["inspect", "autogen.toml"])
}

/// The 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    1 + text
        .lines()
        .position(|line| line.contains(needle))
        .unwrap_or_else(|| panic!("{needle} in\n{text}"))
}

#[test]
fn the_desired_schema_holds_the_sql_declarations_in_dump_order() {
    let project = project_with_files(
        "sql/functions.sql",
        "sql/views.sql",
        "sql/triggers.sql",
        "sql/types.sql",
    );
    let dump = desired_dump(&project);
    let position = |text: &str| {
        dump.find(text)
            .unwrap_or_else(|| panic!("{text} in the dump:\n{dump}"))
    };
    // Each object after what it uses, whatever order the files gave.
    assert!(position("DOMAIN \"public\".\"email_address\"") < position("normalized_email"));
    assert!(
        position("FUNCTION public.is_valid_email") < position("CREATE TABLE \"public\".\"users\"")
    );
    assert!(
        position("CREATE TABLE \"public\".\"users\"") < position("FUNCTION public.users_named")
    );
    assert!(
        position("CREATE TABLE \"public\".\"users\"")
            < position("VIEW \"public\".\"active_users\"")
    );
    assert!(
        position("VIEW \"public\".\"active_users\"")
            < position("VIEW \"public\".\"active_emails\"")
    );
    assert!(position("CREATE TRIGGER users_audit") < position("DISABLE TRIGGER \"users_audit\""));
    for text in [
        "CONSTRAINT \"ck_users_email\" CHECK (public.is_valid_email(email))",
        "DEFAULT public.default_nickname()",
        "\"backup_email\" public.email_address,",
        "CREATE DOMAIN \"public\".\"positive_count\"",
        "CREATE TYPE \"public\".\"point_pair\"",
        "CREATE TRIGGER users_touch BEFORE UPDATE ON public.users",
        "COMMENT ON VIEW \"public\".\"active_users\" IS 'Users with an email';",
    ] {
        assert!(dump.contains(text), "{text} in the dump:\n{dump}");
    }
    insta::assert_snapshot!("declared_project.sql", dump);

    // The dump is the schema: run on an empty database it re-creates it exactly.
    runtime().block_on(async {
        let database = autogen_testkit::fresh_database().await;
        let client = database.connect().await.expect("connect");
        client.batch_execute(&dump).await.expect("the dump applies");
        let replayed = project.expect(0, &["inspect", &autogen_testkit::url(&database)]);
        assert_eq!(replayed, dump);
    });
}

#[test]
fn the_order_of_the_files_does_not_matter() {
    let sorted = project_with_files(
        "sql/functions.sql",
        "sql/views.sql",
        "sql/triggers.sql",
        "sql/types.sql",
    );
    // Reversed: triggers and views before the functions, the domain last, in nested
    // directories.
    let reversed = project_with_files(
        "sql/z/functions.sql",
        "sql/b_views.sql",
        "sql/a_triggers.sql",
        "sql/zz_types.sql",
    );
    assert_eq!(desired_dump(&reversed), desired_dump(&sorted));
}

#[test]
fn a_models_path_stays_models_only() {
    let project = project_with_files(
        "sql/functions.sql",
        "sql/views.sql",
        "sql/triggers.sql",
        "sql/types.sql",
    );
    // Without the SQL declarations a column's type is a domain that does not exist: the error
    // is at the model's field, with PostgreSQL's message.
    let (_, err) = project.expect_both(2, &["inspect", "models"]);
    assert!(
        err.contains(&format!("app.rs:{}:", line_of(MODELS, "pub backup_email"))),
        "{err}"
    );
    assert!(
        err.contains("type \"email_address\" does not exist"),
        "{err}"
    );
}

#[test]
fn a_misspelled_function_in_a_model_is_blamed_on_the_model() {
    let project = project_with_files(
        "sql/functions.sql",
        "sql/views.sql",
        "sql/triggers.sql",
        "sql/types.sql",
    );
    // The views, triggers and functions over users fail too, as a consequence: the model's
    // mistake is the one reported.
    let models = MODELS.replace("is_valid_email(email)", "is_valid_mail(email)");
    project.write_models(&models);
    let (_, err) = project.expect_both(2, &["inspect", "autogen.toml"]);
    assert!(
        err.contains(&format!("app.rs:{}:", line_of(&models, "check(name"))),
        "{err}"
    );
    assert!(
        err.contains("function is_valid_mail(text) does not exist"),
        "{err}"
    );
}

/// The whole loop on a declared schema: a verified revision creates the declared functions,
/// types, views and triggers with the tables, in an order that runs; `check` is clean after
/// `upgrade`; an edited function body is a difference `check` reports and the next revision
/// replaces; `downgrade` to base leaves nothing behind.
#[test]
fn revision_upgrade_check_and_downgrade_carry_the_sql_declarations() {
    let project = project_with_files(
        "sql/functions.sql",
        "sql/views.sql",
        "sql/triggers.sql",
        "sql/types.sql",
    );
    let database = runtime().block_on(autogen_testkit::fresh_database());
    let url = autogen_testkit::url(&database);
    project.expect(1, &["check"]);
    project.expect(0, &["revision", "-m", "users"]);
    let revisions = project.revisions();
    assert_eq!(revisions.len(), 1);
    let text = std::fs::read_to_string(&revisions[0]).expect("read the revision");
    for expected in [
        "CHECK (public.is_valid_email(email))",
        "CREATE FUNCTION public.is_valid_email(address text)",
        "CREATE DOMAIN \"public\".\"email_address\"",
        "CREATE VIEW \"public\".\"active_emails\"",
        "CREATE TRIGGER users_touch BEFORE UPDATE ON public.users",
        "DISABLE TRIGGER \"users_audit\"",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    project.expect(0, &with_db(&url, &["upgrade"]));
    project.expect(0, &with_db(&url, &["check"]));
    query(
        &url,
        "INSERT INTO public.users (email, nickname) VALUES ('a@b.c', 'a')",
    );
    assert_eq!(
        query(&url, "SELECT email FROM public.active_emails"),
        ["a@b.c"]
    );

    // A function body edited in its file: check sees it, the revision replaces it.
    let edited = FUNCTIONS.replace("SELECT 'anonymous'", "SELECT 'nobody'");
    write(&project, "sql/functions.sql", &edited);
    let (out, _) = project.expect_both(1, &with_db(&url, &["check"]));
    assert!(out.contains("default_nickname"), "{out}");
    project.expect(0, &with_db(&url, &["revision", "-m", "nickname"]));
    let second = project.revisions().pop().expect("a second revision");
    let second = std::fs::read_to_string(second).expect("read the revision");
    assert!(
        second.contains("CREATE OR REPLACE FUNCTION public.default_nickname()"),
        "{second}"
    );
    assert!(second.contains("behavior-change"), "{second}");
    project.expect(0, &with_db(&url, &["upgrade"]));
    project.expect(0, &with_db(&url, &["check"]));
    assert_eq!(query(&url, "SELECT public.default_nickname()"), ["nobody"]);

    project.expect(
        0,
        &with_db(&url, &["downgrade", "base", "--allow-data-loss"]),
    );
    assert_eq!(
        query(
            &url,
            "SELECT count(*)::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
             WHERE n.nspname = 'public'"
        ),
        ["0"]
    );
    assert_eq!(
        query(
            &url,
            "SELECT count(*)::text FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
             LEFT JOIN pg_class c ON c.oid = t.typrelid \
             WHERE n.nspname = 'public' AND (t.typtype = 'd' OR c.relkind = 'c')"
        ),
        ["0"]
    );
}

/// Runs `inspect autogen.toml` with `sql/broken.sql` holding `text` and returns stderr,
/// requiring exit code 2.
fn broken(text: &str) -> String {
    let project = project_with_files(
        "sql/functions.sql",
        "sql/views.sql",
        "sql/triggers.sql",
        "sql/types.sql",
    );
    write(&project, "sql/broken.sql", text);
    project.expect_both(2, &["inspect", "autogen.toml"]).1
}

#[test]
fn a_syntax_error_is_reported_at_its_line_with_postgresqls_message() {
    let text = "-- a view\n\nCREATE VIEW broken AS\n    SELEC id\n    FROM users;\n";
    let err = broken(text);
    assert!(err.contains("sql/broken.sql:4: "), "{err}");
    assert!(err.contains("syntax error at or near \"SELEC\""), "{err}");
}

#[test]
fn a_view_over_a_missing_table_is_reported_at_its_line() {
    let text = "CREATE VIEW fine AS SELECT 1 AS one;\n\nCREATE VIEW orphan AS\n    SELECT id\n    FROM no_such_table;\n";
    let err = broken(text);
    assert!(err.contains("sql/broken.sql:5: "), "{err}");
    assert!(
        err.contains("relation \"no_such_table\" does not exist"),
        "{err}"
    );
}

#[test]
fn a_mistake_in_a_function_body_is_reported_at_its_line() {
    // Bodies are created unchecked (they may use what comes later) and checked once
    // everything exists.
    let text = "CREATE FUNCTION count_users() RETURNS bigint\n    LANGUAGE sql\n    AS $$\n        SELECT count(*)\n        FROM userz\n    $$;\n\nCREATE FUNCTION broken_plpgsql() RETURNS integer LANGUAGE plpgsql AS $$\nBEGIN\n    PERFORM 1;\n    RETURN 1 + ;\nEND\n$$;\n";
    let err = broken(text);
    assert!(err.contains("sql/broken.sql:5: "), "{err}");
    assert!(err.contains("relation \"userz\" does not exist"), "{err}");
    let err = broken(&text.replace("userz", "users"));
    assert!(err.contains("sql/broken.sql:11: "), "{err}");
    assert!(err.contains("syntax error"), "{err}");
}

/// A body that names a table unqualified, as schemas loaded under `SET search_path = app,
/// public` do (MusicBrainz): refused under PostgreSQL's default search_path with the way out,
/// accepted once the project declares its databases' search_path.
#[test]
fn routine_bodies_are_checked_under_the_projects_search_path() {
    let project = project_with_files(
        "sql/functions.sql",
        "sql/views.sql",
        "sql/triggers.sql",
        "sql/types.sql",
    );
    write(
        &project,
        "sql/app.sql",
        "CREATE SCHEMA app;\n\nCREATE TABLE app.track (recording integer, length integer);\n\n\
         CREATE FUNCTION app.median_track_length(recording_id integer) RETURNS integer\n    \
         LANGUAGE sql\n    AS $$\n        SELECT max(length) FROM track WHERE recording = $1\n    $$;\n",
    );
    let (_, err) = project.expect_both(2, &["inspect", "autogen.toml"]);
    assert!(err.contains("sql/app.sql:8: "), "{err}");
    assert!(err.contains("relation \"track\" does not exist"), "{err}");
    assert!(err.contains("[models] search_path"), "{err}");

    let config = std::fs::read_to_string(project.path().join("autogen.toml")).expect("config");
    let config = config.replace(
        "[models]\n",
        "[models]\nsearch_path = [\"app\", \"public\"]\n",
    );
    write(&project, "autogen.toml", &config);
    let dump = desired_dump(&project);
    assert!(
        dump.contains("FUNCTION app.median_track_length(recording_id integer)"),
        "{dump}"
    );
}

#[test]
fn data_statements_are_refused_at_their_line() {
    let err = broken(
        "CREATE VIEW fine AS SELECT 1 AS one;\n\n-- seed\ninsert into users (email) values ('a@b');\n",
    );
    assert!(
        err.contains("sql/broken.sql:4: INSERT does not belong in a SQL declaration file"),
        "{err}"
    );
    assert!(err.contains("autogen revision --empty"), "{err}");
    let err = broken("CREATE VIEW fine AS SELECT 1 AS one;\nDROP VIEW fine;\n");
    assert!(
        err.contains("sql/broken.sql:2: DROP does not belong"),
        "{err}"
    );
}

#[test]
fn a_missing_sql_path_is_an_error_naming_it() {
    let project = project();
    let (_, err) = project.expect_both(2, &["inspect", "autogen.toml"]);
    assert!(err.contains("[models] sql:"), "{err}");
    assert!(err.contains("sql does not exist"), "{err}");
}

#[test]
fn an_edited_sql_file_is_never_answered_from_the_cache() {
    let project = project_with_files(
        "sql/functions.sql",
        "sql/views.sql",
        "sql/triggers.sql",
        "sql/types.sql",
    );
    let before = desired_dump(&project);
    assert_eq!(desired_dump(&project), before, "answered from the cache");
    write(
        &project,
        "sql/views.sql",
        &VIEWS.replace("WHERE email <> ''", "WHERE email <> 'x'"),
    );
    let after = desired_dump(&project);
    assert!(after.contains("<> 'x'::text"), "{after}");
    write(
        &project,
        "sql/views.sql",
        &VIEWS.replace("FROM users", "FROM userz"),
    );
    let (_, err) = project.expect_both(2, &["inspect", "autogen.toml"]);
    assert!(err.contains("relation \"userz\" does not exist"), "{err}");
}
