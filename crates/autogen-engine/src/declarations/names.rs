//! The names a statement creates and mentions, from `autogen_sql` tokens: enough to tell, of
//! several statements failing together, which failures are consequences of others
//! (normalize/root_cause.rs). A heuristic for choosing the error to report, nothing more:
//! every reported error is PostgreSQL's own, at its own origin.

use super::classify::MODIFIERS;
use autogen_sql::{Token, TokenKind};
use std::collections::HashSet;

/// The unqualified name of the object a `CREATE …` statement creates (folded as PostgreSQL
/// folds it), when it names one: `CREATE OR REPLACE VIEW app.v AS …` → `v`, `CREATE TABLE
/// "public"."Users" (…)` → `Users`; `None` for other statements and unnamed objects
/// (`CREATE INDEX ON t …`).
pub(crate) fn created_name(sql: &str) -> Option<String> {
    let tokens: Vec<Token> = autogen_sql::lex(sql)
        .filter(|token| !token.is_trivia())
        .collect();
    let word = |i: usize| -> String {
        tokens
            .get(i)
            .filter(|token| token.kind == TokenKind::Identifier)
            .map(|token| token.text.to_ascii_lowercase())
            .unwrap_or_default()
    };
    if word(0) != "create" {
        return None;
    }
    let mut i = 1;
    while MODIFIERS.contains(&word(i).as_str()) {
        i += 1;
    }
    // The kind, in as many words as it takes.
    i += match word(i).as_str() {
        "materialized" | "event" | "access" => 2,
        "text" => 3,
        "foreign" if word(i + 1) == "data" => 3,
        "foreign" => 2,
        "operator" if matches!(word(i + 1).as_str(), "class" | "family") => 2,
        "" => return None,
        _ => 1,
    };
    if word(i) == "concurrently" {
        i += 1;
    }
    if word(i) == "if" && word(i + 1) == "not" && word(i + 2) == "exists" {
        i += 3;
    }
    if word(i) == "on" {
        return None;
    }
    let mut name = tokens.get(i)?.identifier()?;
    while tokens
        .get(i + 1)
        .is_some_and(|token| token.kind == TokenKind::Dot)
    {
        i += 2;
        name = tokens.get(i)?.identifier()?;
    }
    Some(name.into_owned())
}

/// Every identifier a statement mentions (folded as PostgreSQL folds them).
pub(crate) fn mentioned_names(sql: &str) -> HashSet<String> {
    autogen_sql::lex(sql)
        .filter_map(|token| token.identifier())
        .map(|name| name.into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_created_name_is_read_past_modifiers_kinds_and_qualifiers() {
        for (sql, name) in [
            ("CREATE VIEW v AS SELECT 1", Some("v")),
            (
                "create or replace recursive view App.V (n) AS SELECT 1",
                Some("v"),
            ),
            (
                "CREATE MATERIALIZED VIEW IF NOT EXISTS s.m AS SELECT 1",
                Some("m"),
            ),
            ("CREATE TABLE \"public\".\"Users\" (id int)", Some("Users")),
            ("CREATE SCHEMA IF NOT EXISTS \"app\"", Some("app")),
            (
                "CREATE TYPE \"public\".\"mood\" AS ENUM ('a')",
                Some("mood"),
            ),
            (
                "CREATE FUNCTION f(a int) RETURNS int AS 'select 1' LANGUAGE sql",
                Some("f"),
            ),
            (
                "CREATE CONSTRAINT TRIGGER t AFTER INSERT ON x FOR EACH ROW EXECUTE FUNCTION f()",
                Some("t"),
            ),
            ("CREATE UNIQUE INDEX CONCURRENTLY i ON t (a)", Some("i")),
            (
                "CREATE TEXT SEARCH CONFIGURATION c (COPY = simple)",
                Some("c"),
            ),
            (
                "CREATE TEXT SEARCH DICTIONARY app.\"D\" (TEMPLATE = simple)",
                Some("D"),
            ),
            ("CREATE FOREIGN DATA WRAPPER w", Some("w")),
            ("CREATE INDEX ON t (a)", None),
            (
                "CREATE OPERATOR === (FUNCTION = f, LEFTARG = int, RIGHTARG = int)",
                None,
            ),
            ("ALTER TABLE t DISABLE TRIGGER x", None),
            ("COMMENT ON VIEW v IS 'x'", None),
        ] {
            assert_eq!(created_name(sql).as_deref(), name, "{sql}");
        }
    }

    #[test]
    fn mentions_are_identifiers_folded_outside_strings() {
        let names =
            mentioned_names("CREATE VIEW v AS SELECT \"Email\" FROM Users WHERE x = 'users'");
        for name in ["v", "Email", "users", "x", "select"] {
            assert!(names.contains(name), "{name} in {names:?}");
        }
        assert!(!names.contains("Users"));
    }
}
