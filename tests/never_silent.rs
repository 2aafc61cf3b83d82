//! "Never silent": when two schemas differ in anything, `diff`, `check` and `revision` either
//! plan it (verified) or name it and do not succeed quietly — for the object kinds autogen
//! manages (views, functions, domains, policies, …) and for the ones it does not (rules,
//! grants on tables, …), through the binary against real PostgreSQL.

mod common;

use common::project::{Project, query, runtime, with_db};

const TABLES: &str = "CREATE TABLE accounts (id integer PRIMARY KEY, owner text NOT NULL);\n";

const OBJECTS: &str = "CREATE FUNCTION owner_count() RETURNS bigint LANGUAGE sql STABLE \
    AS $$ SELECT count(DISTINCT owner) FROM accounts $$;\n\
    CREATE VIEW account_owners AS SELECT DISTINCT owner FROM accounts;\n";

/// Writes `name` in the project directory and returns its path as an argument.
fn file(project: &Project, name: &str, text: &str) -> String {
    project.write_file(name, text);
    project.path().join(name).to_string_lossy().into_owned()
}

/// The case the issue reports: two schemas that differ only in a view's query, a function's
/// body and an extra domain are a plan of those three, not "no changes".
#[test]
fn a_view_a_function_body_and_a_domain_are_differences_diff_plans() {
    let project = Project::new();
    let from = file(&project, "from.sql", &format!("{TABLES}{OBJECTS}"));
    let changed = OBJECTS
        .replace("count(DISTINCT owner)", "count(*)")
        .replace(
            "SELECT DISTINCT owner FROM",
            "SELECT DISTINCT owner, id FROM",
        );
    let to = file(
        &project,
        "to.sql",
        &format!("{TABLES}{changed}CREATE DOMAIN owner_name AS text CHECK (VALUE <> '');\n"),
    );
    let (out, err) = project.expect_both(1, &["diff", "--from", &from, "--to", &to, "--exit-code"]);
    for expected in [
        "CREATE OR REPLACE FUNCTION public.owner_count()",
        "CREATE OR REPLACE VIEW \"public\".\"account_owners\" AS",
        "CREATE DOMAIN \"public\".\"owner_name\" AS text",
    ] {
        assert!(
            out.contains(expected),
            "missing {expected:?} in\n{out}\n{err}"
        );
    }
    assert!(!err.contains("no changes"), "{err}");
    assert!(!err.contains("not verified"), "{err}");
}

/// A rule and a statistics object (kinds autogen does not manage) differ: no plan includes
/// them, so `diff` names them and exits 1 even without `--exit-code`, in every format.
#[test]
fn unmanaged_differences_are_named_and_fail_diff_in_every_format() {
    let project = Project::new();
    let from = file(&project, "from.sql", TABLES);
    let to = file(&project, "to.sql", &format!("{TABLES}{RULE}{STATISTICS}"));
    let (out, err) = project.expect_both(1, &["diff", "--from", &from, "--to", &to]);
    assert!(
        out.contains("-- autogen: not planned (autogen does not manage it): rule public.accounts.no_deletes: only in TO"),
        "{out}"
    );
    assert!(
        err.contains("2 object(s) of kinds autogen does not manage differ"),
        "{err}"
    );
    assert!(
        err.contains("statistics object public.owner_stats: only in TO"),
        "{err}"
    );
    assert!(!err.contains("no changes"), "{err}");

    let (summary, _) = project.expect_both(
        1,
        &["diff", "--from", &to, "--to", &from, "--format", "summary"],
    );
    assert!(
        summary.contains("not planned: rule public.accounts.no_deletes: only in FROM"),
        "{summary}"
    );

    let (json, _) = project.expect_both(
        1,
        &["diff", "--from", &from, "--to", &to, "--format", "json"],
    );
    let json: serde_json::Value = serde_json::from_str(&json).expect("JSON output");
    assert!(
        json["unmanaged"]
            .as_array()
            .expect("unmanaged")
            .contains(&serde_json::json!({
                "kind": "rule",
                "name": "public.accounts.no_deletes",
                "change": "only_in_desired"
            })),
        "{json}"
    );

    // A redefined rule is a difference too, not only an added or removed one.
    let other = file(
        &project,
        "other.sql",
        &format!(
            "{TABLES}{}{STATISTICS}",
            RULE.replace("DO INSTEAD NOTHING", "WHERE old.id > 0 DO INSTEAD NOTHING")
        ),
    );
    let (_, err) = project.expect_both(1, &["diff", "--from", &to, "--to", &other]);
    assert!(
        err.contains("rule public.accounts.no_deletes: defined differently in FROM and TO"),
        "{err}"
    );
    // The same schema twice: nothing to say.
    let (_, err) = project.expect_both(0, &["diff", "--from", &to, "--to", &to]);
    assert!(err.contains("no changes"), "{err}");
}

/// A policy and row-level security (managed kinds) differ: `diff` plans them, verified.
#[test]
fn policies_and_row_level_security_are_planned() {
    let project = Project::new();
    let from = file(&project, "from.sql", TABLES);
    let to = file(&project, "to.sql", &format!("{TABLES}{POLICY}"));
    let (out, err) = project.expect_both(1, &["diff", "--from", &from, "--to", &to, "--exit-code"]);
    for expected in [
        "ALTER TABLE \"public\".\"accounts\" ENABLE ROW LEVEL SECURITY;",
        "CREATE POLICY \"owner_only\" ON \"public\".\"accounts\" TO PUBLIC USING ((owner = CURRENT_USER));",
    ] {
        assert!(
            out.contains(expected),
            "missing {expected:?} in\n{out}\n{err}"
        );
    }
    assert!(!err.contains("not verified"), "{err}");
    assert!(!err.contains("not manage"), "{err}");
}

const RULE: &str = "CREATE RULE no_deletes AS ON DELETE TO accounts DO INSTEAD NOTHING;\n";

/// A statistics object (a kind autogen does not manage yet).
const STATISTICS: &str = "CREATE STATISTICS owner_stats (ndistinct) ON id, owner FROM accounts;\n";

const MODELS: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "accounts")]
pub struct Account {
    #[model(primary_key)]
    pub id: i32,
    pub owner: String,
}
"#;

const POLICY: &str = "ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;\n\
    CREATE POLICY owner_only ON accounts USING (owner = current_user);\n";

/// A policy declared in the project's SQL is planned by `revision` like a model's change,
/// and the row-level security a model declares with it.
#[test]
fn a_declared_policy_is_written_by_revision_and_checked() {
    let project = Project::new();
    project.write_models(MODELS);
    project.enable_sql_declarations();
    project.write_file("sql/policies.sql", "");
    project.expect(0, &["revision", "-m", "accounts"]);
    project.write_file(
        "sql/policies.sql",
        "CREATE POLICY owner_only ON accounts TO app_user USING (owner = current_user);\n",
    );
    project.write_models(&MODELS.replace(
        "#[model(table = \"accounts\")]",
        "#[model(table = \"accounts\", row_level_security = \"forced\")]",
    ));
    let (out, err) = project.expect_both(1, &["check"]);
    assert!(out.contains("CREATE POLICY \"owner_only\""), "{out}\n{err}");
    project.expect(0, &["revision", "-m", "policy"]);
    let revisions = project.revisions();
    let text = std::fs::read_to_string(revisions.last().expect("a revision")).expect("read");
    for expected in [
        "ALTER TABLE \"public\".\"accounts\" ENABLE ROW LEVEL SECURITY;",
        "ALTER TABLE \"public\".\"accounts\" FORCE ROW LEVEL SECURITY;",
        "CREATE POLICY \"owner_only\" ON \"public\".\"accounts\" TO \"app_user\" USING ((owner = CURRENT_USER));",
        "DROP POLICY \"owner_only\" ON \"public\".\"accounts\";",
        "ALTER TABLE \"public\".\"accounts\" DISABLE ROW LEVEL SECURITY;",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    project.expect(0, &["check"]);

    // `upgrade` runs it where the role exists (the dev server created it while verifying;
    // `autogen-migrate`'s runner tests show the refusal when a role is missing).
    let database = runtime().block_on(autogen_testkit::fresh_database());
    let url = autogen_testkit::url(&database);
    project.expect(0, &with_db(&url, &["upgrade"]));
    project.expect(0, &with_db(&url, &["check"]));
}

/// A rule declared in the project's SQL (a kind autogen does not manage): `check` fails
/// naming it and `revision` refuses to write a revision without it; once a hand-written
/// revision creates it, both agree. `[unmanaged] ignore` leaves a kind out.
#[test]
fn a_declared_rule_is_reported_by_check_and_refused_by_revision_until_written_by_hand() {
    let project = Project::new();
    project.write_models(MODELS);
    project.enable_sql_declarations();
    project.write_file("sql/rules.sql", "");
    project.expect(0, &["revision", "-m", "accounts"]);
    project.write_file("sql/rules.sql", RULE);

    let (_, err) = project.expect_both(1, &["check"]);
    assert!(
        err.contains("rule public.accounts.no_deletes: only in the models"),
        "{err}"
    );
    let (_, err) = project.expect_both(2, &["revision", "-m", "rule"]);
    assert!(
        err.contains("rule public.accounts.no_deletes: only in the models"),
        "{err}"
    );
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(project.revisions().len(), 1, "no revision was written");

    let head = project.revisions()[0]
        .file_name()
        .and_then(|name| name.to_str())
        .and_then(|name| name.split('_').next())
        .expect("revision id")
        .to_string();
    project.write_revision(
        "20990101000000",
        &[&head],
        RULE,
        "DROP RULE no_deletes ON accounts;",
    );
    project.expect(0, &["check"]);
    let (_, err) = project.expect_both(0, &["revision", "-m", "nothing"]);
    assert!(err.contains("No changes detected"), "{err}");

    // Managed elsewhere: left out of the comparison.
    project.write_file("sql/rules.sql", "");
    project.expect(1, &["check"]);
    let path = project.path().join("autogen.toml");
    let config = std::fs::read_to_string(&path).expect("read autogen.toml");
    std::fs::write(
        &path,
        format!("{config}\n[unmanaged]\nignore = [\"rule\"]\n"),
    )
    .expect("write autogen.toml");
    project.expect(0, &["check"]);
}

/// An operator (a kind autogen does not manage) created by a hand-written revision and used by
/// an index the project declares: the next revision's plan creates the index, and its
/// verification starts from the revisions run (the operator exists), not from the current
/// schema's dump (which cannot hold it) — as a baseline over unmanaged objects does. Up, down,
/// `check` with and without a database agree.
#[test]
fn a_plan_using_an_unmanaged_object_a_hand_written_revision_created_is_verified() {
    let project = Project::new();
    project.write_models(MODELS);
    project.enable_sql_declarations();
    let operator = "CREATE OPERATOR public.||| (LEFTARG = text, RIGHTARG = text, FUNCTION = pg_catalog.textcat);\n";
    project.write_file(
        "sql/search.sql",
        &format!(
            "{operator}CREATE INDEX accounts_owner_joined ON accounts \
             ((owner OPERATOR(public.|||) '!'::text));\n"
        ),
    );
    project.write_revision(
        "20990101000000",
        &[],
        operator,
        "DROP OPERATOR public.||| (text, text);",
    );
    // `diff` from the migrations directory plans the same, verified the same way.
    let migrations = project.path().join("migrations");
    let config = project.path().join("autogen.toml");
    let (out, err) = project.expect_both(
        1,
        &[
            "diff",
            "--from",
            &migrations.to_string_lossy(),
            "--to",
            &config.to_string_lossy(),
            "--exit-code",
        ],
    );
    assert!(
        out.contains("CREATE INDEX \"accounts_owner_joined\""),
        "{out}\n{err}"
    );
    let (_, err) = project.expect_both(0, &["revision", "-m", "accounts"]);
    assert!(err.contains("verified up and down"), "{err}");
    let written = project
        .revisions()
        .into_iter()
        .find(|path| path.to_string_lossy().ends_with("_accounts.sql"))
        .expect("the accounts revision");
    let text = std::fs::read_to_string(&written).expect("read the revision");
    assert!(
        text.contains("CREATE INDEX \"accounts_owner_joined\"")
            && !text.contains("CREATE OPERATOR")
            && !text.contains("DROP OPERATOR"),
        "{text}"
    );
    project.expect(0, &["check"]);
    let (_database, url) = common::project::fresh_database();
    project.expect(0, &with_db(&url, &["upgrade"]));
    project.expect(0, &with_db(&url, &["check"]));
    let indexes = query(
        &url,
        "SELECT indexname FROM pg_indexes WHERE tablename = 'accounts' ORDER BY 1",
    );
    assert_eq!(indexes, ["accounts_owner_joined", "accounts_pkey"]);
}

/// A text search dictionary and configuration declared in the project's SQL files (`COPY`,
/// mappings altered) and used by an index there: planned like any modeled object — the
/// revision creates them before the index and drops them after its table, and the database it
/// upgrades checks clean.
#[test]
fn a_text_search_configuration_declared_in_sql_is_planned() {
    let project = Project::new();
    project.write_models(MODELS);
    project.enable_sql_declarations();
    project.write_file(
        "sql/search.sql",
        "CREATE TEXT SEARCH DICTIONARY public.owner_words \
           (TEMPLATE = simple, STOPWORDS = english);\n\
         CREATE TEXT SEARCH CONFIGURATION public.owners (COPY = pg_catalog.simple);\n\
         ALTER TEXT SEARCH CONFIGURATION public.owners \
           ALTER MAPPING FOR asciiword WITH public.owner_words, simple;\n\
         CREATE INDEX accounts_owner_search ON accounts \
           USING gin (to_tsvector('public.owners'::regconfig, owner));\n",
    );
    let (_, err) = project.expect_both(0, &["revision", "-m", "accounts"]);
    assert!(err.contains("verified up and down"), "{err}");
    let written = project
        .revisions()
        .into_iter()
        .find(|path| path.to_string_lossy().ends_with("_accounts.sql"))
        .expect("the accounts revision");
    let text = std::fs::read_to_string(&written).expect("read the revision");
    let position = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle} in\n{text}"))
    };
    assert!(
        position("CREATE TEXT SEARCH DICTIONARY \"public\".\"owner_words\"")
            < position("CREATE TEXT SEARCH CONFIGURATION \"public\".\"owners\"")
    );
    assert!(
        position("ADD MAPPING FOR \"asciiword\" WITH public.owner_words, pg_catalog.simple")
            < position("CREATE INDEX \"accounts_owner_search\"")
    );
    assert!(
        position("DROP TABLE \"public\".\"accounts\"")
            < position("DROP TEXT SEARCH CONFIGURATION \"public\".\"owners\"")
    );
    project.expect(0, &["check"]);
    let (_database, url) = common::project::fresh_database();
    project.expect(0, &with_db(&url, &["upgrade"]));
    project.expect(0, &with_db(&url, &["check"]));
    let configurations = query(
        &url,
        "SELECT cfgname::text FROM pg_ts_config WHERE cfgnamespace = 'public'::regnamespace",
    );
    assert_eq!(configurations, ["owners"]);
}

/// The database edited by hand: a function body, a view, a policy and a rule changed outside
/// the revisions are each named by `check`, which exits 1.
#[test]
fn check_names_functions_views_and_policies_edited_by_hand_in_the_database() {
    let project = Project::new();
    project.write_models(MODELS);
    project.enable_sql_declarations();
    project.write_file("sql/objects.sql", OBJECTS);
    let database = runtime().block_on(autogen_testkit::fresh_database());
    let url = autogen_testkit::url(&database);
    project.expect(0, &["revision", "-m", "accounts"]);
    project.expect(0, &with_db(&url, &["upgrade"]));
    project.expect(0, &with_db(&url, &["check"]));

    query(
        &url,
        "CREATE OR REPLACE FUNCTION public.owner_count() RETURNS bigint LANGUAGE sql STABLE \
         AS $$ SELECT 0::bigint $$",
    );
    let (out, err) = project.expect_both(1, &with_db(&url, &["check"]));
    assert!(
        err.contains("differs from the schema the revisions produce"),
        "{err}"
    );
    assert!(
        err.contains("replace function public.owner_count()"),
        "{err}"
    );
    assert!(out.contains("SELECT 0::bigint"), "{out}");

    query(
        &url,
        "CREATE OR REPLACE FUNCTION public.owner_count() RETURNS bigint LANGUAGE sql STABLE \
         AS $$ SELECT count(DISTINCT owner) FROM accounts $$",
    );
    project.expect(0, &with_db(&url, &["check"]));

    query(
        &url,
        "CREATE OR REPLACE VIEW public.account_owners AS SELECT DISTINCT owner FROM accounts \
         WHERE owner <> ''",
    );
    let (_, err) = project.expect_both(1, &with_db(&url, &["check"]));
    assert!(err.contains("replace view public.account_owners"), "{err}");
    query(
        &url,
        "CREATE OR REPLACE VIEW public.account_owners AS SELECT DISTINCT owner FROM accounts",
    );
    project.expect(0, &with_db(&url, &["check"]));

    query(
        &url,
        "CREATE POLICY owner_only ON public.accounts USING (owner = current_user)",
    );
    let (_, err) = project.expect_both(1, &with_db(&url, &["check"]));
    assert!(
        err.contains("policy owner_only on public.accounts"),
        "{err}"
    );
    query(&url, "DROP POLICY owner_only ON public.accounts");
    query(
        &url,
        "CREATE RULE no_deletes AS ON DELETE TO public.accounts DO INSTEAD NOTHING",
    );
    let (_, err) = project.expect_both(1, &with_db(&url, &["check"]));
    assert!(
        err.contains("rule public.accounts.no_deletes: only in the database"),
        "{err}"
    );
}

/// A view over a foreign table (a kind autogen does not manage): the plan creates the
/// view but cannot create the table, so verification fails at the view. That failure is
/// reported with the unmanaged objects (the foreign table among them), not as an internal
/// error, and nothing is printed as a plan.
#[test]
fn a_plan_failing_on_an_unmanaged_object_it_uses_names_the_object() {
    let project = Project::new();
    let from = file(&project, "from.sql", TABLES);
    let to = file(
        &project,
        "to.sql",
        &format!(
            "{TABLES}CREATE FOREIGN DATA WRAPPER archive_wrapper;\n\
             CREATE SERVER archive FOREIGN DATA WRAPPER archive_wrapper;\n\
             CREATE FOREIGN TABLE old_events (at date NOT NULL, archived boolean) SERVER archive;\n\
             CREATE VIEW archived_events AS SELECT at FROM old_events WHERE archived;\n"
        ),
    );
    let (out, err) = project.expect_both(2, &["diff", "--from", &from, "--to", &to]);
    assert!(out.is_empty(), "{out}");
    for expected in [
        "the generated up plan failed during verification at `CREATE VIEW \"public\".\"archived_events\"",
        "relation \"public.old_events\" does not exist",
        "objects autogen does not manage, which no plan creates or drops (",
        "foreign table public.old_events: only in the desired schema",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in\n{err}");
    }
    assert!(!err.contains("internal error: the generated"), "{err}");
}

/// Privileges on a schema and a type declared in SQL files (managed kinds): planned both ways
/// and verified, the dev database creating the role they name.
#[test]
fn privileges_on_schemas_and_types_are_planned_both_ways() {
    let project = Project::new();
    project.write_models(MODELS);
    project.enable_sql_declarations();
    project.write_file(
        "sql/privileges.sql",
        "CREATE SCHEMA reporting;\n\
         CREATE TYPE reporting.level AS ENUM ('low', 'high');\n\
         GRANT USAGE ON SCHEMA reporting TO never_silent_reader;\n\
         REVOKE USAGE ON TYPE reporting.level FROM PUBLIC;\n\
         GRANT USAGE ON TYPE reporting.level TO never_silent_reader WITH GRANT OPTION;\n",
    );
    let from = file(&project, "from.sql", TABLES);
    let (out, err) = project.expect_both(0, &["diff", "--from", &from, "--to", "autogen.toml"]);
    for expected in [
        "GRANT USAGE ON SCHEMA \"reporting\" TO \"never_silent_reader\";",
        "REVOKE USAGE ON TYPE \"reporting\".\"level\" FROM PUBLIC;",
        "GRANT USAGE ON TYPE \"reporting\".\"level\" TO \"never_silent_reader\" WITH GRANT OPTION;",
    ] {
        assert!(
            out.contains(expected),
            "missing {expected:?} in\n{out}\n{err}"
        );
    }
    assert!(!err.contains("not verified"), "{err}");
    assert!(!err.contains("not manage"), "{err}");
    // The way back re-creates the declared schema (with its grants) on the dev database first.
    let (out, err) = project.expect_both(0, &["diff", "--from", "autogen.toml", "--to", &from]);
    assert!(
        out.contains("DROP TYPE \"reporting\".\"level\";"),
        "{out}\n{err}"
    );
    assert!(!err.contains("not verified"), "{err}");
}
