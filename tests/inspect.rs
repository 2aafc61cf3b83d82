//! End-to-end tests of `autogen inspect` against real PostgreSQL (the shared test cluster).
//!
//! The core oracle is the round trip: load a fixture into database A, dump A with
//! `autogen inspect --format sql`, run the dump on an empty database B, and require that A and
//! B inspect identically.

use autogen_testkit::fresh_database;
mod common;

use common::*;
use std::path::PathBuf;
use std::process::{Command, Output};

async fn load(database: &autogen_pg::TempDatabase, sql: &str, what: &str) {
    let client = database.connect().await.expect("connect to test database");
    autogen_testkit::create_roles_named(&client, sql).await;
    if let Err(error) = client.batch_execute(sql).await {
        panic!("loading {what} failed: {error:?}");
    }
}

fn url(database: &autogen_pg::TempDatabase) -> String {
    autogen_testkit::url(database)
}

/// Runs `autogen inspect` and insists on success, returning stdout.
fn inspect(source: &str, format: &str) -> (String, String) {
    let output = autogen(&["inspect", source, "--format", format]);
    assert!(
        output.status.success(),
        "inspect {source} failed: {}",
        stderr(&output)
    );
    (stdout(&output), stderr(&output))
}

#[tokio::test]
async fn every_fixture_round_trips_through_the_sql_dump() {
    let files = sql_files(&fixtures().join("inspect"));
    assert!(files.len() >= 5, "the fixture corpus is missing");
    for file in files {
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        let fixture = std::fs::read_to_string(&file).unwrap();
        let a = fresh_database().await;
        load(&a, &fixture, &name).await;
        let (dump_a, warnings) = inspect(&url(&a), "sql");
        assert_eq!(warnings, "", "{name}: the fixture should be fully modeled");
        assert!(!dump_a.is_empty(), "{name}: empty dump");

        let b = fresh_database().await;
        load(&b, &dump_a, &format!("the dump of {name}")).await;
        let (json_a, _) = inspect(&url(&a), "json");
        let (json_b, _) = inspect(&url(&b), "json");
        assert_eq!(json_a, json_b, "{name}: A and its re-created copy B differ");
        let (dump_b, _) = inspect(&url(&b), "sql");
        assert_eq!(dump_a, dump_b, "{name}: the dumps differ");

        // The JSON is the IR: it parses back and prints identically.
        let parsed = autogen_schema::catalog_from_json(&json_a).expect("JSON parses into the IR");
        assert_eq!(parsed.to_json(), json_a, "{name}: JSON does not round-trip");
        assert_eq!(parsed.to_sql(), dump_a, "{name}: JSON and SQL disagree");

        // An oracle independent of autogen's queries: pg_dump sees no difference either.
        assert_eq!(
            pg_dump_schema(&a),
            pg_dump_schema(&b),
            "{name}: pg_dump sees a difference between A and B"
        );

        insta::assert_snapshot!(format!("{name}.json"), json_a);
        insta::assert_snapshot!(format!("{name}.sql"), dump_a);
    }
}

/// `IN (…)` over a `varchar` column is deparsed as a cast array that PostgreSQL, reading it
/// back, stores differently (the cast pushed into each element). A database built from the
/// original DDL and one built from autogen's dump of it must still inspect identically, and
/// the dump must be a fixed point — pg_dump's texts of the two differ, so this is not part of
/// the fixture round trip above, whose oracle includes pg_dump.
#[tokio::test]
async fn in_lists_over_varchar_read_the_same_after_a_round_trip() {
    let fixture = "CREATE TABLE public.thing (
        id bigint PRIMARY KEY,
        kind varchar(20) NOT NULL CHECK (kind IN ('a', 'b', 'it''s')),
        other varchar(20),
        CONSTRAINT thing_other_check CHECK (other NOT IN ('x', 'y'))
    );
    CREATE INDEX thing_kind_idx ON public.thing (id) WHERE kind IN ('a', 'b');
    CREATE VIEW public.a_things AS SELECT id FROM public.thing WHERE kind IN ('a', 'b');
    CREATE DOMAIN public.short_code AS varchar(5) CHECK (VALUE IN ('ab', 'cd'));
    ALTER TABLE public.thing ENABLE ROW LEVEL SECURITY;
    CREATE POLICY thing_kinds ON public.thing USING (kind IN ('a', 'b'));";
    let a = fresh_database().await;
    load(&a, fixture, "the IN-list fixture").await;
    let (dump_a, _) = inspect(&url(&a), "sql");
    assert!(
        dump_a
            .contains("ANY (ARRAY[('a'::character varying)::text, ('b'::character varying)::text"),
        "{dump_a}"
    );
    assert!(!dump_a.contains("])::text[]"), "{dump_a}");
    let b = fresh_database().await;
    load(&b, &dump_a, "the dump of the IN-list fixture").await;
    let (json_a, _) = inspect(&url(&a), "json");
    let (json_b, _) = inspect(&url(&b), "json");
    assert_eq!(json_a, json_b, "A and its re-created copy B differ");
    let (dump_b, _) = inspect(&url(&b), "sql");
    assert_eq!(dump_a, dump_b);
    // And nothing to do between them.
    let output = autogen(&["diff", "--from", &url(&a), "--to", &url(&b), "--exit-code"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

/// PostgreSQL names a later UNION branch's `NULL` column after its cast once its own output is
/// read back (`NULL::integer` becomes `NULL::integer AS int4`): a database built from a dump
/// (pg_dump's or autogen's) compares equal to the original, and views are read without those
/// aliases (MusicBrainz's `release_event`). Fails without `branch_aliases.rs`.
#[tokio::test]
async fn aliases_of_later_union_branches_read_the_same_after_a_round_trip() {
    let fixture = "CREATE TABLE public.dated (id integer, country integer);
    CREATE TABLE public.undated (id integer);
    CREATE VIEW public.events AS
        SELECT id, country FROM (
            SELECT id, country FROM public.dated
            UNION ALL
            SELECT id, NULL FROM public.undated
        ) AS q;
    CREATE VIEW public.nested AS
        (SELECT id, country FROM public.dated UNION SELECT id, NULL FROM public.undated)
        EXCEPT SELECT id, 1 + 1 FROM public.undated;";
    let a = fresh_database().await;
    load(&a, fixture, "the UNION fixture").await;
    let (dump_a, _) = inspect(&url(&a), "sql");
    assert!(!dump_a.contains(" AS int4"), "{dump_a}");
    // From pg_dump, whose text PostgreSQL reads back with the aliases.
    let b = fresh_database().await;
    load(&b, &pg_dump_schema(&a), "pg_dump of the UNION fixture").await;
    // From autogen's own dump.
    let c = fresh_database().await;
    load(&c, &dump_a, "the dump of the UNION fixture").await;
    let (json_a, _) = inspect(&url(&a), "json");
    for copy in [&b, &c] {
        let (json_copy, _) = inspect(&url(copy), "json");
        assert_eq!(json_a, json_copy, "A and its re-created copy differ");
        let output = autogen(&[
            "diff",
            "--from",
            &url(&a),
            "--to",
            &url(copy),
            "--exit-code",
        ]);
        assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    }
}

/// `pg_dump --schema-only` of the database, without its per-run random `\restrict` keys.
fn pg_dump_schema(database: &autogen_pg::TempDatabase) -> String {
    let binaries = autogen_pg::find_binaries().expect("PostgreSQL binaries");
    let output = Command::new(binaries.bindir.join("pg_dump"))
        .args(["--schema-only", "--no-owner", "--dbname", &url(database)])
        .output()
        .expect("pg_dump runs");
    assert!(
        output.status.success(),
        "pg_dump failed: {}",
        stderr(&output)
    );
    stdout(&output)
        .lines()
        .filter(|line| !line.starts_with("\\restrict") && !line.starts_with("\\unrestrict"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn a_sql_file_source_matches_the_database_it_creates() {
    let file = fixtures().join("inspect").join("constraints.sql");
    let database = fresh_database().await;
    load(
        &database,
        &std::fs::read_to_string(&file).unwrap(),
        "constraints",
    )
    .await;
    let (from_database, _) = inspect(&url(&database), "sql");
    let (from_file, _) = inspect(file.to_str().unwrap(), "sql");
    assert_eq!(from_database, from_file);
}

#[tokio::test]
async fn unsupported_objects_are_named_never_dropped_silently() {
    let file = fixtures()
        .join("inspect-unsupported")
        .join("unsupported.sql");
    let database = fresh_database().await;
    load(
        &database,
        &std::fs::read_to_string(&file).unwrap(),
        "unsupported",
    )
    .await;
    let output = autogen(&["inspect", &url(&database)]);
    assert!(output.status.success(), "{}", stderr(&output));
    let warning = stderr(&output);
    for kind in [
        "1 foreign table (public.archived_accounts)",
        "1 inherited column setting (public.vip_accounts.balance)",
        "1 rule (public.audit_log.audit_log_no_delete)",
        "1 statistics object (public.accounts_owner_email_stats)",
        "1 trigger on an unmodeled table (public.archived_accounts.archive_no_op)",
        "1 grant (table public.archived_accounts)",
        "1 column setting (public.balance_totals.total)",
        "1 operator (public.===(integer,integer))",
        "1 publication (settings_changes)",
    ] {
        assert!(warning.contains(kind), "warning lacks {kind:?}:\n{warning}");
    }
    // Modeled now: read into the catalog, not named.
    for kind in [
        " view",
        " materialized view",
        " function",
        " procedure",
        " trigger (",
        " domain",
        " composite type",
        " range type",
        " collation",
        "text search configuration",
        "public.accounts.accounts_owner_only",
        "(public.accounts)",
        "(public.tuned_table)",
        "(public.audit_log)",
        "table public.settings",
        "measurements",
        "tuned_table_pkey",
        // An inheritance child, with its policy, settings, grant and trigger.
        "(public.vip_accounts)",
        "vip_rows",
        "vip_no_op",
        // A modeled table's column setting.
        "public.audit_log.note",
        "inherited table",
    ] {
        assert!(
            !warning.contains(kind),
            "warning names {kind:?}:\n{warning}"
        );
    }
    let dump = stdout(&output);
    for modeled in [
        "CREATE VIEW \"public\".\"rich_accounts\"",
        "CREATE MATERIALIZED VIEW \"public\".\"balance_totals\"",
        "CREATE OR REPLACE PROCEDURE public.purge_audit_log",
        "CREATE TRIGGER accounts_touch_updated_at",
        "CREATE DOMAIN \"public\".\"email_address\"",
        "CREATE TYPE \"public\".\"money_amount\" AS (",
        "CREATE TYPE \"public\".\"float_range\" AS RANGE",
        "CREATE COLLATION \"public\".\"my_c_collation\"",
        "CREATE TEXT SEARCH CONFIGURATION \"public\".\"my_english\" (PARSER = pg_catalog.\"default\");",
        "CREATE POLICY \"accounts_owner_only\" ON \"public\".\"accounts\"",
        "ALTER TABLE \"public\".\"accounts\" ENABLE ROW LEVEL SECURITY;",
        ") WITH (fillfactor=70);",
        "ALTER TABLE \"public\".\"audit_log\" REPLICA IDENTITY FULL;",
        "ALTER TABLE ONLY \"public\".\"audit_log\" ALTER COLUMN \"note\" SET STATISTICS 500;",
        "GRANT SELECT ON TABLE \"public\".\"settings\" TO PUBLIC;",
        ") PARTITION BY RANGE (taken_on);",
        "CREATE TABLE \"public\".\"measurements_2025\" PARTITION OF \"public\".\"measurements\" FOR VALUES FROM ('2025-01-01') TO ('2026-01-01') WITH (fillfactor=90);",
        "CREATE TRIGGER measurements_no_op BEFORE INSERT ON public.measurements",
        "CREATE POLICY \"measurements_sensor_rows\" ON \"public\".\"measurements\"",
        "ALTER TABLE \"public\".\"measurements\" REPLICA IDENTITY FULL;",
        "COMMENT ON INDEX \"public\".\"tuned_table_pkey\"",
        ") INHERITS (\"public\".\"accounts\") WITH (fillfactor=80);",
        "CREATE POLICY \"vip_rows\" ON \"public\".\"vip_accounts\"",
        "ALTER TABLE \"public\".\"vip_accounts\" REPLICA IDENTITY FULL;",
        "GRANT SELECT ON TABLE \"public\".\"vip_accounts\" TO PUBLIC;",
        "CREATE TRIGGER vip_no_op BEFORE INSERT ON public.vip_accounts",
    ] {
        assert!(dump.contains(modeled), "dump lacks {modeled:?}:\n{dump}");
    }
    assert!(warning.starts_with("warning: "), "{warning}");
    // --quiet keeps stderr clean, the schema is still printed.
    let quiet = autogen(&["inspect", &url(&database), "--quiet"]);
    assert!(quiet.status.success());
    assert_eq!(stderr(&quiet), "");
    assert_eq!(stdout(&quiet), stdout(&output));
}

#[tokio::test]
async fn schema_filters_select_and_exclude_schemas() {
    let database = fresh_database().await;
    load(
        &database,
        "CREATE SCHEMA app; CREATE SCHEMA audit;
         CREATE TABLE app.users (id bigint PRIMARY KEY);
         CREATE TABLE audit.log (id bigint PRIMARY KEY);
         CREATE TABLE public.misc (id int);",
        "schemas",
    )
    .await;
    let source = url(&database);
    let only_app = stdout(&autogen(&["inspect", &source, "--schema", "app"]));
    assert!(only_app.contains("\"app\".\"users\""));
    assert!(!only_app.contains("audit") && !only_app.contains("misc"));
    let without_audit = stdout(&autogen(&["inspect", &source, "--exclude-schema", "audit"]));
    assert!(without_audit.contains("\"app\".\"users\"") && without_audit.contains("misc"));
    assert!(!without_audit.contains("\"audit\""));
}

#[tokio::test]
async fn an_empty_database_prints_nothing_and_says_so() {
    let database = fresh_database().await;
    let output = autogen(&["inspect", &url(&database), "--exclude-schema", "public"]);
    assert!(output.status.success());
    assert_eq!(stdout(&output), "");
    assert!(stderr(&output).starts_with("note: "), "{}", stderr(&output));
}

/// One error line on stderr, exit code 2, nothing on stdout, and no secret anywhere.
fn assert_clean_error(output: &Output, expected: &str, secret: &str) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(2), "stderr: {err}");
    assert_eq!(stdout(output), "");
    assert!(err.starts_with("error: "), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    assert!(err.contains(expected), "{err:?} lacks {expected:?}");
    assert!(!err.contains(secret), "secret leaked: {err}");
}

#[test]
fn unreachable_server_is_a_clear_error_without_the_password() {
    let output = autogen(&[
        "inspect",
        "postgres://alice:hunter2secret@127.0.0.1:1/app?connect_timeout=5",
    ]);
    assert_clean_error(&output, "127.0.0.1", "hunter2secret");
}

#[test]
fn malformed_url_is_a_clear_error() {
    let output = autogen(&["inspect", "postgres://bob:pw-xyz@[::1/app"]);
    assert_clean_error(&output, "URL", "pw-xyz");
}

#[tokio::test]
async fn missing_database_is_named() {
    let database = fresh_database().await;
    let url = url(&database).replace(database.name(), "no_such_database_here");
    let output = autogen(&["inspect", &url]);
    assert_clean_error(&output, "no_such_database_here", "\u{0}");
}

#[tokio::test]
async fn wrong_password_is_reported_without_the_password() {
    let Some(url) = autogen_testkit::password_role_url("autogen_pw_role", "right-secret").await
    else {
        return; // An external test server: its authentication is not ours to change.
    };
    let wrong = url.replace("right-secret", "wrong-Secret-42");
    let output = autogen(&["inspect", &wrong]);
    assert_clean_error(&output, "password authentication failed", "wrong-Secret-42");
    let right = autogen(&["inspect", &url]);
    assert!(right.status.success(), "{}", stderr(&right));
    assert!(!stderr(&right).contains("right-secret"));
}

/// A schema saved with `inspect --format json` is a source itself: it reads back the same,
/// a `diff` against the database it came from finds nothing (objects autogen does not manage
/// are not compared, and a note says so), a later change is planned, and a broken file is an
/// error at its line and column.
#[tokio::test]
async fn a_json_schema_is_a_source() {
    let database = fresh_database().await;
    load(
        &database,
        "CREATE TABLE t (id int PRIMARY KEY, n int CHECK (n > 0));
         CREATE VIEW v AS SELECT id FROM t;
         ALTER TABLE t ENABLE ROW LEVEL SECURITY;
         CREATE POLICY p ON t USING (n > 1);",
        "schema",
    )
    .await;
    let dir = scratch_dir("json-source");
    let file = dir.join("schema.json");
    let (json, _) = inspect(&url(&database), "json");
    std::fs::write(&file, &json).expect("write the JSON schema");
    let source = file.to_str().expect("utf-8 path");

    let (again, _) = inspect(source, "json");
    assert_eq!(again, json);
    let (from_json, _) = inspect(source, "sql");
    let (from_database, _) = inspect(&url(&database), "sql");
    assert_eq!(from_json, from_database);

    let output = autogen(&[
        "diff",
        "--from",
        source,
        "--to",
        &url(&database),
        "--exit-code",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("is a JSON schema: it holds only what autogen manages"),
        "{}",
        stderr(&output)
    );

    load(&database, "ALTER TABLE t ADD COLUMN note text;", "change").await;
    let output = autogen(&[
        "diff",
        "--from",
        source,
        "--to",
        &url(&database),
        "--exit-code",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("ADD COLUMN \"note\" text"),
        "{}",
        stdout(&output)
    );

    std::fs::write(&file, "{\n  \"tables\": [\n    {\"name\": 42}\n  ]\n}\n").expect("write");
    let output = autogen(&["inspect", source]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!("{source}:3:")),
        "{}",
        stderr(&output)
    );
}

/// The dump is data: an escape sequence inside a comment reaches a pipe byte for byte (a
/// terminal-color filter on stdout would strip it and the dump would no longer re-create the
/// schema).
#[tokio::test]
async fn escape_characters_in_the_schema_reach_stdout_unchanged() {
    let database = fresh_database().await;
    load(
        &database,
        "CREATE TABLE t (id int); COMMENT ON TABLE t IS E'\\x1b[31mred\\x1b[0m';",
        "schema",
    )
    .await;
    let output = autogen(&["inspect", &url(&database)]);
    assert!(output.status.success(), "{}", stderr(&output));
    let expected = "COMMENT ON TABLE \"public\".\"t\" IS '\u{1b}[31mred\u{1b}[0m';";
    assert!(stdout(&output).contains(expected), "{:?}", stdout(&output));
}

/// `inspect` of a live database opens a second connection to share the work; where the server
/// refuses it (a connection limit), one connection reads everything.
#[tokio::test]
async fn inspect_reads_everything_on_one_connection_when_a_second_is_refused() {
    if std::env::var(autogen_testkit::DEV_URL_VAR).is_ok_and(|v| !v.is_empty()) {
        return; // An external test server: its roles are not ours to create.
    }
    let database = fresh_database().await;
    load(
        &database,
        "CREATE TABLE t (id int PRIMARY KEY CHECK (id > 0), n int);
         CREATE INDEX t_expression ON t ((n + 1)) WHERE n > 0;",
        "schema",
    )
    .await;
    let admin = database.connect().await.expect("connect");
    // Superusers ignore connection limits: a plain role with one connection at most.
    admin
        .batch_execute(
            "DO $$ BEGIN CREATE ROLE autogen_one_connection LOGIN CONNECTION LIMIT 1; \
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
        )
        .await
        .expect("create role");
    let limited = database
        .connection()
        .with_credentials("autogen_one_connection", None)
        .url_with_password();
    let output = autogen(&["inspect", &limited]);
    assert!(output.status.success(), "{}", stderr(&output));
    let sql = stdout(&output);
    for expected in [
        "CONSTRAINT \"t_id_check\" CHECK ((id > 0))",
        "CREATE INDEX \"t_expression\" ON \"public\".\"t\" USING btree (((n + 1))) WHERE (n > 0);",
    ] {
        assert!(sql.contains(expected), "{expected} missing:\n{sql}");
    }
}

#[test]
fn missing_postgresql_binaries_say_what_to_do() {
    let file = fixtures().join("inspect").join("constraints.sql");
    let output = Command::new(env!("CARGO_BIN_EXE_autogen"))
        .args(["inspect", file.to_str().unwrap()])
        .env("NO_COLOR", "1")
        .env_remove("AUTOGEN_DEV_URL")
        .env("AUTOGEN_PG_BIN", "/nonexistent/postgresql/bin")
        .output()
        .unwrap();
    assert_clean_error(&output, "AUTOGEN_PG_BIN", "\u{0}");
}

#[test]
fn a_sql_file_error_points_at_its_line() {
    let dir = scratch_dir("broken-sql");
    let file = dir.join("broken.sql");
    std::fs::write(
        &file,
        "CREATE TABLE ok (id int);\n\nCREATE TABLE bad (id nosuchtype);\n",
    )
    .unwrap();
    let output = autogen(&["inspect", file.to_str().unwrap()]);
    assert_clean_error(&output, "broken.sql:3:", "\u{0}");
    assert!(stderr(&output).contains("nosuchtype"));
    std::fs::remove_dir_all(dir).ok();
}

/// A scratch directory of one test's own (tests run in parallel in one process).
fn scratch_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("autogen-test-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Ctrl-C while the dev database is busy: autogen stops the throwaway server, removes its
/// directory, and exits with 130.
#[test]
fn ctrl_c_tears_the_dev_database_down() {
    let scratch = scratch_dir("interrupt");
    // As root the server runs as `postgres`, which must be able to enter the directory.
    std::fs::set_permissions(
        &scratch,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let file = scratch.join("slow.sql");
    std::fs::write(&file, "CREATE TABLE t (id int);\nSELECT pg_sleep(60);\n").unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_autogen"))
        .args(["inspect", file.to_str().unwrap()])
        .env("NO_COLOR", "1")
        .env("TMPDIR", &scratch)
        .env_remove("AUTOGEN_DEV_URL")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let cluster_dirs = || -> Vec<PathBuf> {
        std::fs::read_dir(&scratch)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| {
                path.file_name()
                    .is_some_and(|name| name.to_string_lossy().starts_with("autogen-dev-"))
            })
            .collect()
    };
    // Wait until the server listens (its socket appears), then give the SQL time to start.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !cluster_dirs().iter().any(|dir| {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .any(|entry| entry.file_name().to_string_lossy().starts_with(".s.PGSQL."))
            })
            .unwrap_or(false)
    }) {
        assert!(
            std::time::Instant::now() < deadline,
            "the dev server never came up"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(700));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("interrupted"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        cluster_dirs(),
        Vec::<PathBuf>::new(),
        "cluster directory left behind"
    );
    std::fs::remove_dir_all(&scratch).ok();
}

#[test]
fn help_never_shows_the_dev_url_password() {
    let output = Command::new(env!("CARGO_BIN_EXE_autogen"))
        .args(["inspect", "--help"])
        .env("AUTOGEN_DEV_URL", "postgres://u:hidden-pw-77@localhost/db")
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(!stdout(&output).contains("hidden-pw-77"));
}

#[test]
fn help_and_version_exit_zero() {
    let help = autogen(&["--help"]);
    assert!(help.status.success());
    assert!(stdout(&help).contains("inspect"));
    let inspect_help = autogen(&["inspect", "--help"]);
    assert!(stdout(&inspect_help).contains("--exclude-schema"));
    let version = autogen(&["--version"]);
    assert!(version.status.success());
    assert!(stdout(&version).starts_with("autogen "));
    let unknown = autogen(&["frobnicate"]);
    assert_eq!(unknown.status.code(), Some(2));
}
