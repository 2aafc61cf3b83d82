//! Hostile input end to end: model names, comments, defaults, enum values and expressions
//! full of quotes, backslashes, `$$`, comment markers, statement separators, reserved words and
//! non-ASCII text go through `revision`, `upgrade`, `check` and `downgrade` on real
//! PostgreSQL exactly as written — nothing is injected, nothing is mangled, no false diff. And
//! names PostgreSQL would truncate are errors at their source, not silent collisions.

mod common;

use common::project::{Project, execute, query, runtime, with_db};

/// The schema of the second table and of the enum type.
const SCHEMA: &str = "Ünïcødé 表 \"s\".x";

/// Every name is quoted or escaped somewhere; every string value carries what would break out
/// of a literal, an identifier or a comment if it were pasted into SQL unquoted.
const MODELS: &str = r#"
use autogen::{DbEnum, Model};

#[derive(DbEnum)]
#[model(type_name = "mood \"q\" 'x'", schema = "Ünïcødé 表 \"s\".x")]
#[model(comment = "it's \"quoted\"; DROP TABLE sentinel; -- /* $$ \\")]
pub enum Mood {
    #[model(rename = "it's")]
    Apostrophe,
    #[model(rename = "say \"hi\"")]
    Quotes,
    #[model(rename = "; DROP TABLE sentinel; --")]
    Injection,
    #[model(rename = "back\\slash $$ /* ")]
    Backslash,
    #[model(rename = "Ünïcødé 表")]
    Unicode,
    #[model(rename = "select")]
    Reserved,
}

#[derive(Model)]
#[model(table = "user", comment = "it's a \"table\"; DROP TABLE sentinel; -- /* $$ \\ Ünïcødé 表")]
#[model(index(name = "ix \"odd\" 'name'.x", columns = ["order", "lower(\"select\")"], where = "\"select\" <> '; DROP TABLE sentinel; --'"))]
#[model(check(name = "ck; DROP TABLE sentinel; --", expr = "\"order\" >= 0 AND \"select\" <> '$$ /* -- '' \\'"))]
#[model(unique(name = "uq.dot ted", columns = ["Ünïcødé 表", "order"]))]
pub struct User {
    #[model(primary_key, column = "id \"x\"")]
    pub id: i64,
    #[model(column = "order", default = "0")]
    pub order: i32,
    #[model(column = "select", default = "'it''s; DROP TABLE sentinel; -- /* $$ \\'", comment = "'; DROP TABLE sentinel; --")]
    pub select: String,
    #[model(column = "Ünïcødé 表", default = "'Ünïcødé 表'", comment = "Ünïcødé 表 */ $x$")]
    pub unicode: String,
    #[model(column = "a.b c", default = "'; DROP TABLE sentinel; --'")]
    pub mood: Mood,
    #[model(column = "back\\slash $$ --")]
    pub backslash: Option<String>,
}

#[derive(Model)]
#[model(table = "t.x \"y\"", schema = "Ünïcødé 表 \"s\".x")]
pub struct Child {
    #[model(primary_key)]
    pub id: i64,
    #[model(column = "user ref", references = "public.\"user\"(\"id \"\"x\"\"\")", on_delete = "cascade")]
    pub user_id: i64,
}
"#;

/// `text` as a single-quoted SQL literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The only row of `sql`.
fn one(url: &str, sql: &str) -> String {
    let rows = query(url, sql);
    assert_eq!(rows.len(), 1, "{sql}: {rows:?}");
    rows.into_iter().next().unwrap_or_default()
}

#[test]
fn hostile_names_and_values_round_trip_exactly_and_inject_nothing() {
    let project = Project::new();
    let database = runtime().block_on(autogen_testkit::fresh_database());
    let url = autogen_testkit::url(&database);
    execute(&url, "CREATE TABLE public.sentinel (id integer)");

    project.write_models(MODELS);
    project.expect(0, &["revision", "-m", "hostile"]);
    assert_eq!(project.revisions().len(), 1);
    project.expect(0, &with_db(&url, &["upgrade"]));
    assert_eq!(
        one(
            &url,
            "SELECT count(*) FROM pg_class WHERE relname = 'sentinel'"
        ),
        "1",
        "the sentinel table survived the upgrade"
    );

    // Names, exactly.
    let user = "public.\"user\"";
    let child = format!("\"{}\".\"t.x \"\"y\"\"\"", SCHEMA.replace('"', "\"\""));
    assert_eq!(
        query(
            &url,
            &format!(
                "SELECT attname FROM pg_attribute WHERE attrelid = {}::regclass \
                 AND attnum > 0 ORDER BY attnum",
                literal(user)
            )
        ),
        [
            "id \"x\"",
            "order",
            "select",
            "Ünïcødé 表",
            "a.b c",
            "back\\slash $$ --"
        ]
    );
    assert_eq!(
        one(
            &url,
            &format!(
                "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute \
                 WHERE attrelid = {}::regclass AND attnum > 0",
                literal(&child)
            )
        ),
        "id,user ref"
    );
    assert_eq!(
        query(
            &url,
            &format!(
                "SELECT conname FROM pg_constraint WHERE conrelid = {}::regclass ORDER BY 1",
                literal(user)
            )
        ),
        ["ck; DROP TABLE sentinel; --", "uq.dot ted", "user_pkey"]
    );
    assert_eq!(
        one(
            &url,
            &format!(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint \
                 WHERE conrelid = {}::regclass AND contype = 'f'",
                literal(&child)
            )
        ),
        "FOREIGN KEY (\"user ref\") REFERENCES \"user\"(\"id \"\"x\"\"\") ON DELETE CASCADE"
    );
    let index = one(
        &url,
        &format!(
            "SELECT indexrelid::regclass::text FROM pg_index \
             WHERE indrelid = {}::regclass AND NOT indisunique",
            literal(user)
        ),
    );
    assert_eq!(index, "\"ix \"\"odd\"\" 'name'.x\"");
    assert!(
        one(
            &url,
            &format!("SELECT pg_get_indexdef({}::regclass)", literal(&index))
        )
        .ends_with("WHERE (\"select\" <> '; DROP TABLE sentinel; --'::text)"),
        "the partial index predicate"
    );

    // Values, exactly: enum labels in order, comments, defaults.
    let mood = format!("\"{}\".\"mood \"\"q\"\" 'x'\"", SCHEMA.replace('"', "\"\""));
    assert_eq!(
        query(
            &url,
            &format!(
                "SELECT enumlabel FROM pg_enum WHERE enumtypid = {}::regtype ORDER BY enumsortorder",
                literal(&mood)
            )
        ),
        [
            "it's",
            "say \"hi\"",
            "; DROP TABLE sentinel; --",
            "back\\slash $$ /* ",
            "Ünïcødé 表",
            "select"
        ]
    );
    assert_eq!(
        one(
            &url,
            &format!(
                "SELECT obj_description({}::regtype, 'pg_type')",
                literal(&mood)
            )
        ),
        "it's \"quoted\"; DROP TABLE sentinel; -- /* $$ \\"
    );
    assert_eq!(
        one(
            &url,
            &format!(
                "SELECT obj_description({}::regclass, 'pg_class')",
                literal(user)
            )
        ),
        "it's a \"table\"; DROP TABLE sentinel; -- /* $$ \\ Ünïcødé 表"
    );
    assert_eq!(
        query(
            &url,
            &format!(
                "SELECT coalesce(col_description({0}::regclass, attnum), '-') FROM pg_attribute \
                 WHERE attrelid = {0}::regclass AND attnum > 0 ORDER BY attnum",
                literal(user)
            )
        ),
        [
            "-",
            "-",
            "'; DROP TABLE sentinel; --",
            "Ünïcødé 表 */ $x$",
            "-",
            "-"
        ]
    );
    // The defaults evaluate to exactly the declared values.
    execute(
        &url,
        "INSERT INTO public.\"user\" (\"id \"\"x\"\"\") VALUES (1)",
    );
    assert_eq!(
        one(
            &url,
            "SELECT concat_ws('|', \"order\", \"select\", \"Ünïcødé 表\", \"a.b c\") \
             FROM public.\"user\""
        ),
        "0|it's; DROP TABLE sentinel; -- /* $$ \\|Ünïcødé 表|; DROP TABLE sentinel; --"
    );
    execute(&url, "DELETE FROM public.\"user\"");

    // No false diff: the models agree with the revision, and the database with both.
    project.expect(0, &["check"]);
    execute(&url, "DROP TABLE public.sentinel");
    project.expect(0, &with_db(&url, &["check"]));
    execute(&url, "CREATE TABLE public.sentinel (id integer)");

    // And back: only the tracking table and the sentinel remain.
    project.expect(
        0,
        &with_db(&url, &["downgrade", "base", "--allow-data-loss"]),
    );
    assert_eq!(
        query(
            &url,
            "SELECT n.nspname || '.' || c.relname FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
             AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1"
        ),
        ["public.autogen_revisions", "public.sentinel"]
    );
    assert_eq!(
        one(
            &url,
            "SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
             WHERE t.typtype = 'e' AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
        ),
        "0"
    );
}

/// Two names sharing their first 63 bytes would be the same name after PostgreSQL's
/// truncation: each is an error at its own line (exit 2), and no revision is written. A
/// multi-byte name is cut on a character boundary, as PostgreSQL cuts it.
#[test]
fn names_postgresql_would_truncate_are_errors_at_their_source() {
    let project = Project::new();
    let prefix = "a".repeat(63);
    let wide = format!("{}表", "b".repeat(62));
    project.write_models(&format!(
        r#"use autogen::Model;

#[derive(Model)]
#[model(table = "t")]
#[model(index(name = "{prefix}_one", columns = ["a"]))]
#[model(index(name = "{prefix}_two", columns = ["a"]))]
pub struct T {{
    #[model(primary_key)]
    pub a: i64,
    #[model(column = "{prefix}_x")]
    pub x: i64,
    #[model(column = "{prefix}_y")]
    pub y: i64,
    #[model(column = "{wide}")]
    pub z: i64,
}}
"#
    ));
    let (_, stderr) = project.expect_both(2, &["revision", "-m", "long"]);
    for (what, name, line) in [
        ("index", format!("{prefix}_one"), 5),
        ("index", format!("{prefix}_two"), 6),
        ("column", format!("{prefix}_x"), 10),
        ("column", format!("{prefix}_y"), 12),
        ("column", wide.clone(), 14),
    ] {
        assert!(
            stderr.contains(&format!("the {what} name `{name}` is longer than 63 bytes")),
            "{name} in\n{stderr}"
        );
        assert!(
            stderr.contains(&format!("models/app.rs:{line}:22]")),
            "line {line} in\n{stderr}"
        );
    }
    assert!(
        stderr.contains(&format!("PostgreSQL would cut it to `{prefix}`")),
        "{stderr}"
    );
    // 62 bytes: the three bytes of 表 are not split.
    assert!(
        stderr.contains(&format!("PostgreSQL would cut it to `{}`", "b".repeat(62))),
        "{stderr}"
    );
    assert!(stderr.contains("error: 5 errors in the models"), "{stderr}");
    assert!(project.revisions().is_empty());
}

/// SQL the models hold verbatim (defaults, generated and check expressions, index keys and
/// predicates, `sql_type`, `using`) is pasted into the DDL autogen applies to the dev
/// database: a piece that would end the statement, add a column or hide the rest of the
/// statement is an error at its attribute — before it could run a second statement there
/// or slip an undeclared object into the revision.
#[test]
fn sql_that_breaks_out_of_its_attribute_is_an_error_at_its_source() {
    let project = Project::new();
    project.write_models(
        r#"use autogen::Model;

#[derive(Model)]
#[model(table = "t")]
#[model(index(name = "ix_a", columns = ["a"], where = "a > 0; CREATE TABLE injected (x int)"))]
#[model(index(name = "ix_b", columns = ["lower(b), (SELECT 1)"]))]
#[model(index(name = "ix_c", columns = ["a"], using = "btree (a); DROP TABLE t; --"))]
#[model(check(name = "ck", expr = "a > 0) , CHECK (true"))]
pub struct T {
    #[model(primary_key)]
    pub a: i64,
    #[model(default = "'x', injected text")]
    pub b: String,
    #[model(default = "0 -- NOT NULL would vanish")]
    pub c: i32,
    #[model(sql_type = "integer; DROP TABLE t")]
    pub d: i32,
    #[model(generated = "'open")]
    pub e: String,
}
"#,
    );
    let (_, stderr) = project.expect_both(2, &["revision", "-m", "smuggled"]);
    for (line, message) in [
        (
            5,
            "`where` must be one SQL expression or type: a `;` would end the statement",
        ),
        (
            6,
            "`columns` must be one SQL expression or type: a `,` outside parentheses",
        ),
        (7, "`using` must name an index access method"),
        (
            8,
            "`expr` must be one SQL expression or type: a closing parenthesis has no opening one",
        ),
        (
            12,
            "`default` must be one SQL expression or type: a `,` outside parentheses",
        ),
        (
            14,
            "`default` must be one SQL expression or type: a `--` comment",
        ),
        (
            16,
            "`sql_type` must be one SQL expression or type: a `;` would end the statement",
        ),
        (
            18,
            "`generated` must be one SQL expression or type: a quoted string is not closed",
        ),
    ] {
        assert!(stderr.contains(message), "{message} in\n{stderr}");
        assert!(
            stderr.contains(&format!("models/app.rs:{line}:")),
            "line {line} in\n{stderr}"
        );
    }
    assert!(stderr.contains("error: 8 errors in the models"), "{stderr}");
    assert!(project.revisions().is_empty());
}
