//! What a statement of a declaration file is, from its first keywords (read from
//! `autogen_sql` tokens): tried before or after the models, or refused as no declaration.

use super::Stage;
use autogen_sql::{Token, TokenKind};

/// Why a statement is not a declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// The statement's keywords, as the user reads them (`INSERT`, `CREATE ROLE`).
    pub what: String,
    pub why: &'static str,
}

const CHANGES_DATA: &str = "the files declare the schema and do not change data; put data changes in a revision (`autogen revision --empty -m MSG`)";
const TRANSACTION: &str =
    "autogen runs each declaration in a transaction of its own; remove the statement";
const SETTING: &str = "autogen runs the declarations in an order of its own, so a session setting would apply to an arbitrary part of them; schema-qualify names instead of setting search_path, and remove the statement";
const RUNS_CODE: &str = "it runs a query or code instead of declaring an object; remove it (data and maintenance belong in a revision: `autogen revision --empty -m MSG`)";
const DROPS: &str = "the files declare the schema as it should be: to remove an object, delete its declaration (the next revision drops it); to re-create one, use CREATE OR REPLACE or just CREATE";
const SERVER_WIDE: &str = "roles, databases, tablespaces, subscriptions and server settings belong to the whole server, not to a database's schema; manage them outside autogen";
const PSQL: &str =
    "the files are plain SQL run statement by statement, not psql scripts; remove the line";

/// Object kinds a `CREATE` of which is tried before the models: what a model's column type,
/// default, check or index may use.
const BEFORE_MODELS: &[&str] = &[
    "schema",
    "extension",
    "collation",
    "type",
    "domain",
    "function",
    "procedure",
    "aggregate",
    "sequence",
    "operator",
    "cast",
    "language",
    "conversion",
    "text",
];

/// Words between `CREATE` / `ALTER` and the kind of object.
pub(super) const MODIFIERS: &[&str] = &[
    "or",
    "replace",
    "trusted",
    "procedural",
    "temp",
    "temporary",
    "unlogged",
    "global",
    "local",
    "recursive",
    "unique",
    "constraint",
    "default",
];

/// When a statement is first tried, or why it is refused.
pub(crate) fn stage(sql: &str) -> Result<Stage, Refusal> {
    let tokens: Vec<Token> = autogen_sql::lex_psql(sql)
        .filter(|token| !token.is_trivia())
        .collect();
    let word = |i: usize| -> String {
        tokens
            .get(i)
            .filter(|token| token.kind == TokenKind::Identifier)
            .map(|token| token.text.to_ascii_lowercase())
            .unwrap_or_default()
    };
    let refuse = |words: usize, why: &'static str| {
        let what = (0..words)
            .map(|i| word(i).to_uppercase())
            .filter(|word| !word.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        Err(Refusal { what, why })
    };
    let Some(first) = tokens.first() else {
        return Ok(Stage::AfterModels);
    };
    match first.kind {
        TokenKind::MetaCommand => {
            return Err(Refusal {
                what: format!("the psql meta-command `{}`", first.text.trim()),
                why: PSQL,
            });
        }
        TokenKind::OpenParen => {
            return Err(Refusal {
                what: "a query".to_string(),
                why: RUNS_CODE,
            });
        }
        _ => {}
    }
    match word(0).as_str() {
        "insert" | "update" | "delete" | "merge" | "copy" | "truncate" => refuse(1, CHANGES_DATA),
        "begin" | "start" | "commit" | "end" | "rollback" | "abort" | "savepoint" | "release" => {
            refuse(1, TRANSACTION)
        }
        "prepare" if word(1) == "transaction" => refuse(2, TRANSACTION),
        "set" | "reset" => refuse(1, SETTING),
        "select" | "values" | "table" | "with" | "call" | "do" | "execute" | "prepare"
        | "deallocate" | "explain" | "declare" | "fetch" | "move" | "close" | "listen"
        | "notify" | "unlisten" | "lock" | "vacuum" | "analyze" | "analyse" | "cluster"
        | "reindex" | "checkpoint" | "discard" | "load" | "refresh" => refuse(1, RUNS_CODE),
        "drop" => refuse(1, DROPS),
        "grant" | "revoke" => {
            // `GRANT … ON object TO role` is a privilege on an object of the schema; without
            // `ON` it grants a role to a role, which the whole server shares.
            if tokens.iter().any(|token| token.is_keyword("on")) {
                Ok(Stage::AfterModels)
            } else {
                Err(Refusal {
                    what: format!("{} of a role", word(0).to_uppercase()),
                    why: SERVER_WIDE,
                })
            }
        }
        verb @ ("create" | "alter") => {
            let kind_at = (1..tokens.len())
                .find(|&i| !MODIFIERS.contains(&word(i).as_str()))
                .unwrap_or(tokens.len());
            let kind = word(kind_at);
            let server_wide = match kind.as_str() {
                "role" | "group" | "database" | "tablespace" | "subscription" => true,
                "user" => word(kind_at + 1) != "mapping",
                "system" => verb == "alter",
                _ => false,
            };
            if server_wide {
                Err(Refusal {
                    what: format!("{} {}", verb.to_uppercase(), kind.to_uppercase()),
                    why: SERVER_WIDE,
                })
            } else if verb == "create" && BEFORE_MODELS.contains(&kind.as_str()) {
                Ok(Stage::BeforeModels)
            } else if verb == "alter" && kind == "text" {
                // A text search configuration's mappings complete its declaration: with it,
                // before the models' indexes use it.
                Ok(Stage::BeforeModels)
            } else {
                Ok(Stage::AfterModels)
            }
        }
        // Anything else (COMMENT, SECURITY LABEL, IMPORT FOREIGN SCHEMA, a syntax error, …):
        // PostgreSQL decides.
        _ => Ok(Stage::AfterModels),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_models_may_use_goes_first_and_the_rest_after() {
        for sql in [
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;",
            "create or replace function f() returns int language sql as 'select 1'",
            "CREATE PROCEDURE p() LANGUAGE sql AS $$ $$;",
            "CREATE AGGREGATE a (int) (sfunc = int4pl, stype = int);",
            "CREATE DOMAIN d AS int CHECK (VALUE > 0);",
            "CREATE TYPE t AS (a int);",
            "CREATE TYPE r AS RANGE (subtype = float8);",
            "CREATE COLLATION c (provider = icu, locale = 'und');",
            "CREATE SCHEMA app;",
            "CREATE SEQUENCE s;",
            "CREATE TEXT SEARCH DICTIONARY d (TEMPLATE = simple, STOPWORDS = english);",
            "CREATE TEXT SEARCH CONFIGURATION app.c (COPY = pg_catalog.simple);",
            "ALTER TEXT SEARCH CONFIGURATION app.c ADD MAPPING FOR email WITH simple;",
            "alter text search configuration app.c alter mapping for word with d, simple;",
            "/* leading */ -- comment\n CREATE TRUSTED PROCEDURAL LANGUAGE x HANDLER h;",
        ] {
            assert_eq!(stage(sql), Ok(Stage::BeforeModels), "{sql}");
        }
        for sql in [
            "CREATE VIEW v AS SELECT 1;",
            "CREATE OR REPLACE RECURSIVE VIEW v (n) AS SELECT 1;",
            "CREATE MATERIALIZED VIEW m AS SELECT 1;",
            "CREATE UNIQUE INDEX ON m (a);",
            "CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION f();",
            "CREATE CONSTRAINT TRIGGER t AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION f();",
            "ALTER TABLE users DISABLE TRIGGER t;",
            "ALTER FUNCTION f() OWNER TO CURRENT_USER;",
            "COMMENT ON VIEW v IS 'x';",
            "GRANT SELECT ON v TO PUBLIC;",
            "CREATE USER MAPPING FOR CURRENT_USER SERVER s;",
            "CREATE TABLE \"drop\" (a int);",
            // An inheritance child: models cannot say INHERITS; its parent may be a model.
            "CREATE TABLE vip_accounts (perks text) INHERITS (accounts);",
            "SELEC 1;",
        ] {
            assert_eq!(stage(sql), Ok(Stage::AfterModels), "{sql}");
        }
    }

    #[test]
    fn statements_that_are_not_declarations_are_refused_with_their_keywords() {
        for (sql, what, why) in [
            ("INSERT INTO t VALUES (1);", "INSERT", CHANGES_DATA),
            ("update t set a = 1", "UPDATE", CHANGES_DATA),
            ("COPY t FROM stdin;", "COPY", CHANGES_DATA),
            ("TRUNCATE t;", "TRUNCATE", CHANGES_DATA),
            ("BEGIN;", "BEGIN", TRANSACTION),
            ("commit", "COMMIT", TRANSACTION),
            (
                "PREPARE TRANSACTION 'x';",
                "PREPARE TRANSACTION",
                TRANSACTION,
            ),
            ("SET search_path = app;", "SET", SETTING),
            (
                "SELECT pg_catalog.set_config('a', 'b', false);",
                "SELECT",
                RUNS_CODE,
            ),
            ("(SELECT 1);", "a query", RUNS_CODE),
            ("DO $$ BEGIN END $$;", "DO", RUNS_CODE),
            ("REFRESH MATERIALIZED VIEW m;", "REFRESH", RUNS_CODE),
            ("DROP VIEW IF EXISTS v;", "DROP", DROPS),
            ("CREATE ROLE app;", "CREATE ROLE", SERVER_WIDE),
            ("create user app", "CREATE USER", SERVER_WIDE),
            (
                "ALTER SYSTEM SET work_mem = '1MB';",
                "ALTER SYSTEM",
                SERVER_WIDE,
            ),
            ("CREATE DATABASE x;", "CREATE DATABASE", SERVER_WIDE),
            ("GRANT admin TO bob;", "GRANT of a role", SERVER_WIDE),
            (
                "\\i other.sql",
                "the psql meta-command `\\i other.sql`",
                PSQL,
            ),
        ] {
            assert_eq!(
                stage(sql),
                Err(Refusal {
                    what: what.to_string(),
                    why
                }),
                "{sql}"
            );
        }
    }
}
