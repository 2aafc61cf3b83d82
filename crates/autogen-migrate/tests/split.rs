//! Splitting sections into statements: semicolons count only where PostgreSQL's lexer would end
//! a statement, and each statement knows its line.

use autogen_migrate::{Statement, split_statements};
use proptest::prelude::*;

fn split(sql: &str) -> Vec<(usize, String)> {
    split_statements(sql)
        .into_iter()
        .map(|Statement { sql, line, .. }| (line, sql))
        .collect()
}

fn pairs(expected: &[(usize, &str)]) -> Vec<(usize, String)> {
    expected
        .iter()
        .map(|(line, sql)| (*line, (*sql).to_owned()))
        .collect()
}

#[test]
fn plain_statements_with_lines_after_comments_and_blank_lines() {
    let sql =
        "-- hazard: none\n\nALTER TABLE t ADD c int;\n\n-- hazard: data-loss\nDROP TABLE u;\n";
    assert_eq!(
        split(sql),
        pairs(&[(3, "ALTER TABLE t ADD c int;"), (6, "DROP TABLE u;")])
    );
}

#[test]
fn two_statements_on_one_line_and_a_last_one_without_semicolon() {
    assert_eq!(
        split("SELECT 1; SELECT 2;\n  SELECT 3  \n"),
        pairs(&[(1, "SELECT 1;"), (1, "SELECT 2;"), (2, "SELECT 3")])
    );
}

#[test]
fn semicolons_in_string_literals() {
    assert_eq!(
        split("INSERT INTO t VALUES ('a;''b;');\nSELECT 'C:\\';\nSELECT 2;"),
        pairs(&[
            (1, "INSERT INTO t VALUES ('a;''b;');"),
            // Standard strings: the backslash is an ordinary character.
            (2, "SELECT 'C:\\';"),
            (3, "SELECT 2;"),
        ])
    );
}

#[test]
fn semicolons_in_escape_strings() {
    assert_eq!(
        split("SELECT E'it\\'s; fine', e'\\\\';\nSELECT 2;"),
        pairs(&[(1, "SELECT E'it\\'s; fine', e'\\\\';"), (2, "SELECT 2;")])
    );
    // An identifier ending in e is not an escape-string prefix.
    assert_eq!(
        split("SELECT some'x\\'; SELECT 2;"),
        pairs(&[(1, "SELECT some'x\\';"), (1, "SELECT 2;")])
    );
}

#[test]
fn semicolons_in_quoted_identifiers() {
    assert_eq!(
        split("CREATE TABLE \"a;\"\"b\" (\"c;\" int);\nSELECT 1;"),
        pairs(&[
            (1, "CREATE TABLE \"a;\"\"b\" (\"c;\" int);"),
            (2, "SELECT 1;")
        ])
    );
}

#[test]
fn dollar_quotes_with_and_without_tags() {
    let sql = "CREATE FUNCTION f() RETURNS int AS $body$\n  SELECT 1; $$ inner; $$ $x$;\n$body$ LANGUAGE sql;\nDO $$ BEGIN PERFORM 1; END $$;\nSELECT 3;";
    assert_eq!(
        split(sql),
        pairs(&[
            (
                1,
                "CREATE FUNCTION f() RETURNS int AS $body$\n  SELECT 1; $$ inner; $$ $x$;\n$body$ LANGUAGE sql;"
            ),
            (4, "DO $$ BEGIN PERFORM 1; END $$;"),
            (5, "SELECT 3;"),
        ])
    );
}

#[test]
fn dollar_signs_that_are_not_quotes() {
    // Positional parameters and identifiers containing `$`.
    assert_eq!(
        split("PREPARE p(int) AS SELECT $1; SELECT a$b$ FROM t; SELECT 3;"),
        pairs(&[
            (1, "PREPARE p(int) AS SELECT $1;"),
            (1, "SELECT a$b$ FROM t;"),
            (1, "SELECT 3;")
        ])
    );
}

#[test]
fn nested_block_comments_and_line_comments() {
    let sql = "/* a; /* b; */ still comment; */ SELECT 1 /* x; */ + 1; -- y; z\n-- only a comment;\nSELECT /* ; */ 2;";
    assert_eq!(
        split(sql),
        pairs(&[(1, "SELECT 1 /* x; */ + 1;"), (3, "SELECT /* ; */ 2;")])
    );
}

#[test]
fn comment_only_and_empty_pieces_are_dropped() {
    assert!(split("").is_empty());
    assert!(split("-- hazard: none\n;\n/* nothing */ ;\n\n;").is_empty());
    assert_eq!(
        split("SELECT 1;\n-- trailing comment\n"),
        pairs(&[(1, "SELECT 1;")])
    );
}

#[test]
fn comments_inside_a_statement_are_kept() {
    assert_eq!(
        split("SELECT 1 -- one;\n  + 2;"),
        pairs(&[(1, "SELECT 1 -- one;\n  + 2;")])
    );
}

#[test]
fn multi_line_strings_and_comments_advance_the_line_count() {
    let sql = "SELECT 'a\nb\nc';\n/* x\ny */\nSELECT $$\n$$;\nSELECT \"q\nr\";\nSELECT 4;";
    let lines: Vec<usize> = split(sql).into_iter().map(|(line, _)| line).collect();
    assert_eq!(lines, [1, 6, 8, 10]);
}

#[test]
fn begin_atomic_bodies_stay_whole_like_psql() {
    let sql = "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN true THEN 1 END;\n  SELECT 2;\nEND;\nCREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END;\nSELECT CASE WHEN true THEN 1 END; SELECT 2;";
    let statements = split(sql);
    assert_eq!(statements.len(), 4, "{statements:#?}");
    assert!(statements[0].1.ends_with("SELECT 2;\nEND;"));
    assert_eq!(statements[1].0, 6);
    assert_eq!(statements[2].1, "SELECT CASE WHEN true THEN 1 END;");
}

#[test]
fn semicolons_inside_parentheses_do_not_split() {
    assert_eq!(
        split(
            "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));\nSELECT 1;"
        ),
        pairs(&[
            (
                1,
                "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));"
            ),
            (2, "SELECT 1;")
        ])
    );
}

#[test]
fn unterminated_constructs_run_to_the_end() {
    assert_eq!(split("SELECT 'abc; def"), pairs(&[(1, "SELECT 'abc; def")]));
    assert_eq!(split("SELECT $q$ abc;"), pairs(&[(1, "SELECT $q$ abc;")]));
    assert!(split("/* open; ").is_empty());
}

#[test]
fn non_ascii_text_is_kept_intact() {
    assert_eq!(
        split("SELECT 'häß;' AS ünï; SELECT ünï$1;"),
        pairs(&[(1, "SELECT 'häß;' AS ünï;"), (1, "SELECT ünï$1;")])
    );
}

#[test]
fn psql_meta_command_lines_are_items_of_their_own() {
    let sql = "SELECT 'DROP INDEX i'\n\\gexec\nCREATE INDEX CONCURRENTLY i ON t (a);\n  \\set x 'a;b'\r\nSELECT 1; \\g\nSELECT '\n\\no';";
    assert_eq!(
        split(sql),
        pairs(&[
            (1, "SELECT 'DROP INDEX i'"),
            (2, "\\gexec"),
            (3, "CREATE INDEX CONCURRENTLY i ON t (a);"),
            (4, "\\set x 'a;b'"),
            (5, "SELECT 1;"),
            // Not the first thing on its line, or inside a string: not a meta-command.
            (5, "\\g\nSELECT '\n\\no';"),
        ])
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn splitting_never_panics_and_returns_pieces_of_the_input(
        sql in prop_oneof![any::<String>(), "[a-zE;'\"$/*\\-\n ()é]{0,60}"]
    ) {
        let statements = split_statements(&sql);
        let line_count = sql.split('\n').count();
        for statement in &statements {
            prop_assert!(sql.contains(&statement.sql));
            prop_assert!(!statement.sql.trim().is_empty());
            prop_assert!(statement.line >= 1 && statement.line <= line_count);
        }
    }
}
