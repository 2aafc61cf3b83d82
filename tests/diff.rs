//! End-to-end tests of `autogen diff`: every plan printed has been verified on PostgreSQL by
//! the command itself (FROM re-created, `up` applied and compared with TO, `down` applied and
//! compared with FROM), so a successful run *is* the round-trip oracle; these tests add the
//! exact SQL (snapshots), the no-change traps and the exit codes.

mod common;

use common::project::{execute, query, runtime};
use common::*;
use std::path::{Path, PathBuf};

/// A JSON plan's statements as SQL, each under its hazard comment.
fn plan_sql(plan: &serde_json::Value) -> String {
    let statements = plan["statements"].as_array().expect("statements");
    let mut text = String::new();
    for statement in statements {
        let hazards: Vec<&str> = statement["hazards"]
            .as_array()
            .expect("hazards")
            .iter()
            .filter_map(|hazard| hazard.as_str())
            .collect();
        let hazards = if hazards.is_empty() {
            "none".to_string()
        } else {
            hazards.join(", ")
        };
        text.push_str(&format!(
            "-- hazard: {hazards}\n{}\n",
            statement["sql"].as_str().expect("sql")
        ));
    }
    text
}

fn path(path: &Path) -> &str {
    path.to_str().expect("UTF-8 fixture path")
}

/// Every sequence of the database with the column that owns it (`OWNED BY` or identity).
/// PostgreSQL names an identity column's sequence itself and the IR does not model that name,
/// so verification cannot see it: the cases compare it here.
fn sequences_of(url: &str) -> Vec<String> {
    query(
        url,
        "SELECT n.nspname || '.' || c.relname || COALESCE(' of ' || \
           d.refobjid::regclass::text || '.' || a.attname || ' (' || d.deptype::text || ')', '') \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid \
           AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') \
         LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid \
         WHERE c.relkind = 'S' AND n.nspname NOT LIKE 'pg\\_%' \
           AND n.nspname <> 'information_schema' ORDER BY 1",
    )
}

/// A fresh database with `file` loaded; its URL.
fn loaded(file: &Path) -> (autogen_testkit::autogen_pg::TempDatabase, String) {
    let database = runtime().block_on(autogen_testkit::fresh_database());
    let url = autogen_testkit::url(&database);
    execute(&url, &std::fs::read_to_string(file).expect("fixture"));
    (database, url)
}

/// Applies a JSON plan's statements one by one.
fn apply(url: &str, plan: &serde_json::Value) {
    for statement in plan["statements"].as_array().expect("statements") {
        execute(url, statement["sql"].as_str().expect("sql"));
    }
}

/// The row count of every table of the database, by name.
fn row_counts(url: &str) -> Vec<String> {
    let tables = query(
        url,
        "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables \
         WHERE schemaname NOT LIKE 'pg\\_%' AND schemaname <> 'information_schema' ORDER BY 1",
    );
    tables
        .iter()
        .map(|table| {
            let count = query(url, &format!("SELECT count(*)::text FROM {table}"));
            format!("{table}: {}", count.join(""))
        })
        .collect()
}

/// `up` applied to `from` (with the case's `rows.sql` inserted first, when it has one) leaves
/// the sequences a database made from `to` has (same names, same owners), and `down` brings
/// back those of `from` — with every row still there.
fn assert_applied_with_rows(
    name: &str,
    case: &Path,
    from: &Path,
    to: &Path,
    plans: &serde_json::Value,
) {
    let (_migrated, migrated_url) = loaded(from);
    let (_from_database, from_url) = loaded(from);
    let (_to_database, to_url) = loaded(to);
    let rows = case.join("rows.sql");
    if rows.is_file() {
        execute(
            &migrated_url,
            &std::fs::read_to_string(&rows).expect("rows.sql"),
        );
    }
    let counts = row_counts(&migrated_url);
    apply(&migrated_url, &plans["up"]);
    assert_eq!(
        sequences_of(&migrated_url),
        sequences_of(&to_url),
        "{name}: the sequences after up differ from those of to.sql"
    );
    apply(&migrated_url, &plans["down"]);
    assert_eq!(
        sequences_of(&migrated_url),
        sequences_of(&from_url),
        "{name}: the sequences after down differ from those of from.sql"
    );
    assert_eq!(
        row_counts(&migrated_url),
        counts,
        "{name}: rows were lost by up and down"
    );
}

#[test]
fn every_inspect_fixture_is_created_and_dropped_by_a_verified_plan() {
    let empty = fixtures().join("inspect/empty.sql");
    for file in sql_files(&fixtures().join("inspect")) {
        if file == empty {
            continue;
        }
        let output = autogen(&["diff", "--from", path(&empty), "--to", path(&file)]);
        assert!(
            output.status.success(),
            "{}: {}",
            file.display(),
            stderr(&output)
        );
        assert!(
            !stderr(&output).contains("not verified"),
            "{}: both directions must verify: {}",
            file.display(),
            stderr(&output)
        );
    }
}

#[test]
fn every_case_converges_both_ways_with_the_expected_sql() {
    let cases_dir = fixtures().join("diff");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&cases_dir)
        .expect("fixtures/diff exists")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.join("from.sql").is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 20, "the case table is missing");
    let mut touched_only = 0;
    let mut unclassified: Vec<String> = Vec::new();
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let (from, to) = (case.join("from.sql"), case.join("to.sql"));
        // One verified run: JSON carries both plans.
        let output = autogen(&[
            "-v",
            "diff",
            "--from",
            path(&from),
            "--to",
            path(&to),
            "--format",
            "json",
        ]);
        assert!(output.status.success(), "{name}: {}", stderr(&output));
        // Verification on the touched tables alone must succeed wherever it is tried (the
        // fallback to the whole schema would hide a gap in what it re-creates).
        assert!(
            !stderr(&output).contains("verifying on the whole schema"),
            "{name}: {}",
            stderr(&output)
        );
        if stderr(&output).contains("table(s) the plan touches") {
            touched_only += 1;
        }
        let plans: serde_json::Value =
            serde_json::from_str(&stdout(&output)).expect("--format json prints JSON");
        let up_sql = plan_sql(&plans["up"]);
        assert!(!up_sql.is_empty(), "{name}: no changes found");
        assert!(
            !plans["down"].is_null(),
            "{name}: every case has a verified down plan: {}",
            stderr(&output)
        );
        let down_sql = plan_sql(&plans["down"]);
        // `autogen lint` (and `check --deny` on pending revisions) recognizes every statement
        // autogen itself writes.
        for plan in [&plans["up"], &plans["down"]] {
            for statement in plan["statements"].as_array().expect("statements") {
                // As a revision file holds it: one planned step may be several statements.
                let sql = statement["sql"].as_str().expect("sql");
                for piece in autogen_migrate::split_statements(sql) {
                    if autogen_diff::classify(&piece.sql) == autogen_diff::Classification::Unknown {
                        unclassified.push(format!("{name}: {}", piece.sql));
                    }
                }
            }
        }
        insta::assert_snapshot!(
            name.as_str(),
            format!("-- up\n{up_sql}\n-- down\n{down_sql}")
        );
        assert_applied_with_rows(&name, &case, &from, &to, &plans);
    }
    assert!(
        unclassified.is_empty(),
        "lint cannot classify statements autogen wrote:\n{}",
        unclassified.join("\n")
    );
    // Most cases change every table they have; a schema with untouched tables is below.
    assert!(
        touched_only >= 2,
        "only {touched_only} cases verified on the touched tables alone"
    );
}

#[test]
fn spellings_postgresql_stores_identically_are_no_change() {
    let traps = fixtures().join("diff/no_change_traps");
    let output = autogen(&[
        "diff",
        "--from",
        path(&traps.join("a.sql")),
        "--to",
        path(&traps.join("b.sql")),
        "--exit-code",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
    assert_eq!(stderr(&output), "note: no changes\n");
}

#[test]
fn exit_code_reports_differences_and_formats_agree() {
    let from = fixtures().join("inspect/empty.sql");
    let to = fixtures().join("inspect/enums_sequences.sql");
    let output = autogen(&[
        "diff",
        "--from",
        path(&from),
        "--to",
        path(&to),
        "--exit-code",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let summary = autogen(&[
        "diff",
        "--from",
        path(&from),
        "--to",
        path(&to),
        "--format",
        "summary",
    ]);
    assert!(summary.status.success());
    let json = autogen(&[
        "diff",
        "--from",
        path(&from),
        "--to",
        path(&to),
        "--format",
        "json",
    ]);
    let value: serde_json::Value =
        serde_json::from_str(&stdout(&json)).expect("--format json prints JSON");
    let statements = value["up"]["statements"].as_array().expect("up statements");
    assert_eq!(statements.len(), stdout(&summary).lines().count());
    assert!(
        statements
            .iter()
            .all(|s| s["sql"].is_string() && s["hazards"].is_array())
    );
    assert!(value["down"]["statements"].is_array());
}

#[test]
fn models_against_a_sql_file_of_the_same_schema_is_no_change() {
    // The example project's own dump, read back as a .sql source, equals the models.
    let dump = autogen(&["inspect", path(&workspace().join("schema"))]);
    assert!(dump.status.success());
    let dir = std::env::temp_dir().join(format!("autogen-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("example.sql");
    std::fs::write(&file, stdout(&dump)).unwrap();
    let output = autogen(&[
        "diff",
        "--from",
        path(&file),
        "--to",
        path(&workspace().join("schema")),
        "--exit-code",
    ]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn renamed_from_renames_tables_columns_and_their_default_named_keys() {
    let before = fixtures().join("models/renames_before.sql");
    let models = fixtures().join("models/renames.rs");
    let up = autogen(&["diff", "--from", path(&before), "--to", path(&models)]);
    assert!(up.status.success(), "{}", stderr(&up));
    assert_eq!(
        stdout(&up),
        "-- hazard: access-exclusive-lock\n\
         ALTER TABLE \"public\".\"accounts\" RENAME TO \"users\";\n\
         -- hazard: access-exclusive-lock\n\
         ALTER TABLE \"public\".\"users\" RENAME COLUMN \"fullname\" TO \"full_name\";\n\
         -- hazard: access-exclusive-lock\n\
         ALTER TABLE \"public\".\"users\" RENAME CONSTRAINT \"accounts_pkey\" TO \"users_pkey\";\n\
         -- hazard: access-exclusive-lock\n\
         ALTER TABLE \"public\".\"users\" ADD COLUMN \"phone\" text;\n"
    );
    // Verified both ways by the command; the down plan renames back.
    let down = autogen(&[
        "diff",
        "--from",
        path(&before),
        "--to",
        path(&models),
        "--down",
    ]);
    assert!(
        stdout(&down).contains("RENAME TO \"accounts\""),
        "{}",
        stdout(&down)
    );
}

#[test]
fn a_drop_and_add_of_the_same_column_suggests_renamed_from_without_guessing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let from = dir.path().join("from.sql");
    let to = dir.path().join("to.sql");
    std::fs::write(
        &from,
        "CREATE TABLE accounts (id integer PRIMARY KEY, nick text);",
    )
    .unwrap();
    std::fs::write(
        &to,
        "CREATE TABLE accounts (id integer PRIMARY KEY, nickname text);",
    )
    .unwrap();
    let output = autogen(&["diff", "--from", path(&from), "--to", path(&to)]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("DROP COLUMN \"nick\""),
        "{}",
        stdout(&output)
    );
    assert!(
        stderr(&output).contains(
            "help: column public.accounts.nick is dropped and public.accounts.nickname added with the same definition; if it is a rename, add #[model(renamed_from = \"nick\")]"
        ),
        "{}",
        stderr(&output)
    );
}

#[test]
fn renamed_from_renames_enum_types_and_values_in_place() {
    let before = fixtures().join("models/enum_renames_before.sql");
    let models = fixtures().join("models/enum_renames.rs");
    // Defaults, arrays, the check and the partial index follow the type and the label: only
    // the two renames, verified both ways by the command.
    let up = autogen(&["diff", "--from", path(&before), "--to", path(&models)]);
    assert!(up.status.success(), "{}", stderr(&up));
    assert_eq!(
        stdout(&up),
        "-- hazard: none\n\
         ALTER TYPE \"public\".\"mood\" RENAME TO \"feeling\";\n\
         -- hazard: none\n\
         ALTER TYPE \"public\".\"feeling\" RENAME VALUE 'sad' TO 'unhappy';\n"
    );
    let down = autogen(&[
        "diff",
        "--from",
        path(&before),
        "--to",
        path(&models),
        "--down",
    ]);
    assert!(down.status.success(), "{}", stderr(&down));
    assert!(!stderr(&down).contains("not verified"), "{}", stderr(&down));
    assert_eq!(
        stdout(&down),
        "-- hazard: none\n\
         ALTER TYPE \"public\".\"feeling\" RENAME TO \"mood\";\n\
         -- hazard: none\n\
         ALTER TYPE \"public\".\"mood\" RENAME VALUE 'unhappy' TO 'sad';\n"
    );
}

/// Verification re-creates only what the plan touches: here 2 of 12 tables change, one of them
/// references an untouched table, uses a sequence owned by another untouched table, and an
/// enum also used elsewhere; the plan still verifies both ways without falling back.
#[test]
fn verification_re_creates_only_the_touched_tables() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut from = String::from(
        "CREATE TYPE mood AS ENUM ('happy', 'sad');\n\
         CREATE TABLE owner_of_seq (id integer PRIMARY KEY);\n\
         CREATE SEQUENCE shared_seq OWNED BY owner_of_seq.id;\n\
         CREATE TABLE parent (id integer PRIMARY KEY, m mood);\n",
    );
    for n in 0..8 {
        from.push_str(&format!(
            "CREATE TABLE filler_{n} (id integer PRIMARY KEY, m mood, parent_id integer REFERENCES parent (id));\n"
        ));
    }
    from.push_str(
        "CREATE TABLE child (id integer PRIMARY KEY DEFAULT nextval('shared_seq'), \
           parent_id integer REFERENCES parent (id), m mood);\n\
         CREATE TABLE other (id integer PRIMARY KEY, note varchar(10));\n",
    );
    let to = from
        .replace(
            "parent_id integer REFERENCES parent (id), m mood);",
            "parent_id integer REFERENCES parent (id), m mood, extra text);",
        )
        .replace("note varchar(10)", "note varchar(20)");
    let (from_path, to_path) = (dir.path().join("from.sql"), dir.path().join("to.sql"));
    std::fs::write(&from_path, &from).expect("from");
    std::fs::write(&to_path, &to).expect("to");
    let output = autogen(&[
        "-v",
        "diff",
        "--from",
        path(&from_path),
        "--to",
        path(&to_path),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("verified on the 3 table(s) the plan touches (of 12)"),
        "{}",
        stderr(&output)
    );
    assert!(
        stdout(&output).contains("ADD COLUMN \"extra\" text"),
        "{}",
        stdout(&output)
    );
}

/// `bigint` → `timestamp` has no cast in PostgreSQL: verification finds out (the engine does
/// not guess), and says so as the user's error with the way to write it — not an internal one.
/// `integer` → `money` converts, but its down (`money` → `integer`) does not.
#[test]
fn a_type_change_without_a_cast_is_a_user_error_naming_the_column_and_the_way_out() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, sql: &str| {
        let file = dir.path().join(name);
        std::fs::write(&file, sql).expect("write");
        file
    };
    let from = write(
        "from.sql",
        "CREATE TABLE events (id integer PRIMARY KEY, happened bigint, amount integer);",
    );
    let to = write(
        "to.sql",
        "CREATE TABLE events (id integer PRIMARY KEY, happened timestamp, amount integer);",
    );
    let output = autogen(&["diff", "--from", path(&from), "--to", path(&to)]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
    let message = stderr(&output);
    assert!(!message.contains("internal error"), "{message}");
    assert!(
        message.starts_with(
            "error: cannot change the type of column public.events.happened from bigint to \
             timestamp without time zone (in the up plan): PostgreSQL has no cast from bigint to \
             timestamp without time zone (ERROR: cannot cast type bigint to timestamp without time zone)"
        ),
        "{message}"
    );
    assert!(
        message.contains(
            "`autogen revision --empty -m MSG`, then `ALTER TABLE \"public\".\"events\" ALTER \
             COLUMN \"happened\" TYPE timestamp without time zone USING <expression>;` in its up \
             section"
        ),
        "{message}"
    );

    let money = write(
        "money.sql",
        "CREATE TABLE events (id integer PRIMARY KEY, happened bigint, amount money);",
    );
    let output = autogen(&["diff", "--from", path(&from), "--to", path(&money)]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.starts_with(
            "error: cannot change the type of column public.events.amount from money to integer \
             (in the down plan): PostgreSQL has no cast from money to integer"
        ) && message.contains("TYPE integer USING <expression>;` in its down section")
            && !message.contains("internal error"),
        "{message}"
    );

    // Without verification nothing finds out: the plan is printed as usual.
    let unverified = autogen(&[
        "diff",
        "--from",
        path(&from),
        "--to",
        path(&to),
        "--no-verify",
    ]);
    assert_eq!(unverified.status.code(), Some(0), "{}", stderr(&unverified));
    assert!(
        stdout(&unverified).contains("TYPE timestamp without time zone USING"),
        "{}",
        stdout(&unverified)
    );
}

/// An extension's version: updated along a path the server's packages provide (verified);
/// the way back has none (extensions rarely ship downgrade scripts), which is a clear error
/// naming the extension and both versions, never a plan that fails on the database.
#[test]
fn an_extension_is_updated_along_its_path_and_the_way_back_is_a_clear_error() {
    let dir = fixtures().join("diff/extension_update");
    let (old, new) = (dir.join("old.sql"), dir.join("new.sql"));
    let output = autogen(&["diff", "--from", path(&old), "--to", path(&new)]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("ALTER EXTENSION \"hstore\" UPDATE TO '1.8';"),
        "{}",
        stdout(&output)
    );
    let missing = "extension hstore has no update path from version 1.8 to 1.7";
    assert!(
        stderr(&output).contains("the down plan was not verified")
            && stderr(&output).contains(missing),
        "{}",
        stderr(&output)
    );
    for args in [
        ["diff", "--from", path(&old), "--to", path(&new), "--down"],
        [
            "diff",
            "--from",
            path(&new),
            "--to",
            path(&old),
            "--exit-code",
        ],
    ] {
        let output = autogen(&args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(missing),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(
            stdout(&output),
            "",
            "{args:?}: nothing is printed as a plan"
        );
    }
}
