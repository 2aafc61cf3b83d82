//! The project's SQL declarations (`[models] sql`): plain SQL files declaring what a Rust
//! struct cannot express (views, functions, triggers, domains, composite and range types,
//! collations, comments on them). They are read and split into statements here, each with its
//! file and line; normalization (`normalize/`) runs them on the dev database together with the
//! models.
//!
//! The files declare schema: any DDL PostgreSQL accepts is allowed, but statements that change
//! data, control transactions, change session settings, run code, drop objects or touch what
//! the whole server shares are refused at their line, before any database is involved. The
//! first keywords are read from `autogen_sql` tokens, never by string matching.

use crate::error::EngineError;
use autogen_sql::{Token, TokenKind};
use std::path::{Path, PathBuf};

/// The SQL declarations of a project, in file order (the files sorted within each listed
/// directory), statements in their order within each file.
#[derive(Debug, Clone, Default)]
pub struct SqlDeclarations {
    pub files: Vec<SqlFile>,
    pub statements: Vec<Declaration>,
}

/// A declaration file as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlFile {
    pub path: PathBuf,
    pub text: String,
}

/// One statement of a declaration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    pub path: PathBuf,
    /// 1-based line of the file where the statement starts.
    pub line: usize,
    /// The statement, from its first significant character through its `;`.
    pub sql: String,
    pub stage: Stage,
}

/// When a declaration is first tried during normalization: what models may use (types,
/// functions, …) before the models, everything else after them. Only a first guess: whatever
/// fails because something it needs does not exist yet is tried again (normalize/apply.rs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    BeforeModels,
    AfterModels,
}

impl Declaration {
    /// The 1-based line of the file holding the 1-based character `position` of the
    /// statement (PostgreSQL counts characters); the statement's first line without one.
    pub fn line_at(&self, position: Option<usize>) -> usize {
        let before = position.map_or(0, |position| position.saturating_sub(1));
        self.line + self.sql.chars().take(before).filter(|&c| c == '\n').count()
    }
}

impl SqlDeclarations {
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// Reads `paths` (files as given, directories searched recursively for `*.sql`, sorted;
    /// a file listed twice is read once) and splits them into statements.
    pub fn load(paths: &[PathBuf]) -> Result<SqlDeclarations, EngineError> {
        let mut paths_read: Vec<PathBuf> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for path in paths {
            for file in sql_files(path)? {
                let identity = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
                if seen.insert(identity) {
                    paths_read.push(file);
                }
            }
        }
        let mut declarations = SqlDeclarations::default();
        for path in paths_read {
            let text = std::fs::read_to_string(&path).map_err(|source| EngineError::ReadFile {
                path: path.clone(),
                source,
            })?;
            declarations.add(path, text)?;
        }
        Ok(declarations)
    }

    /// Splits one file's `text` into declarations, refusing what is not one.
    pub fn add(&mut self, path: PathBuf, text: String) -> Result<(), EngineError> {
        for statement in autogen_migrate::split_statements(&text) {
            let stage = stage(&statement.sql).map_err(|refusal| EngineError::NotADeclaration {
                path: path.clone(),
                line: statement.line,
                what: refusal.what,
                why: refusal.why,
            })?;
            self.statements.push(Declaration {
                path: path.clone(),
                line: statement.line,
                sql: statement.sql,
                stage,
            });
        }
        self.files.push(SqlFile { path, text });
        Ok(())
    }
}

/// The `.sql` files of one configured path.
fn sql_files(path: &Path) -> Result<Vec<PathBuf>, EngineError> {
    let metadata = std::fs::metadata(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => EngineError::MissingSqlPath(path.to_path_buf()),
        _ => EngineError::ReadFile {
            path: path.to_path_buf(),
            source,
        },
    })?;
    if !metadata.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut found = Vec::new();
    collect_sql_files(path, &mut found)?;
    // Sorted so the order of the declarations does not depend on the filesystem.
    found.sort();
    Ok(found)
}

/// `*.sql` files below `dir`; hidden directories (`.git`, …) are skipped and symlinked
/// directories are not followed (no cycles), as for model directories.
fn collect_sql_files(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), EngineError> {
    let unreadable = |path: &Path, source| EngineError::ReadFile {
        path: path.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(|error| unreadable(dir, error))? {
        let entry = entry.map_err(|error| unreadable(dir, error))?;
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        let kind = entry
            .file_type()
            .map_err(|error| unreadable(&path, error))?;
        if kind.is_dir() {
            if !hidden {
                collect_sql_files(&path, found)?;
            }
        } else if path.extension().is_some_and(|extension| extension == "sql") && path.is_file() {
            found.push(path);
        }
    }
    Ok(())
}

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
const MODIFIERS: &[&str] = &[
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
            } else {
                Ok(Stage::AfterModels)
            }
        }
        // Anything else (COMMENT, SECURITY LABEL, IMPORT FOREIGN SCHEMA, a syntax error, …):
        // PostgreSQL decides.
        _ => Ok(Stage::AfterModels),
    }
}

/// A routine declaration rewritten as `CREATE OR REPLACE`, so it can be run again over the
/// routine it created (to check its body once everything exists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Replacement {
    pub sql: String,
    /// 0-based character index where ` OR REPLACE` was inserted, and how many characters it
    /// has (0 when the statement already said it).
    inserted_at: usize,
    inserted: usize,
}

impl Replacement {
    /// The 1-based character position in the declaration of the 1-based `position` in
    /// [`Replacement::sql`].
    pub fn original_position(&self, position: usize) -> usize {
        let index = position.saturating_sub(1);
        if index >= self.inserted_at + self.inserted {
            position - self.inserted
        } else if index >= self.inserted_at {
            // Inside the insertion: the character after CREATE.
            self.inserted_at + 1
        } else {
            position
        }
    }
}

/// `CREATE [OR REPLACE] FUNCTION|PROCEDURE …` as `CREATE OR REPLACE …`; `None` for any other
/// statement.
pub(crate) fn replaceable_routine(sql: &str) -> Option<Replacement> {
    let tokens: Vec<Token> = autogen_sql::lex(sql)
        .filter(|token| !token.is_trivia())
        .take(4)
        .collect();
    let is = |i: usize, keyword: &str| tokens.get(i).is_some_and(|token| token.is_keyword(keyword));
    let routine = |i: usize| is(i, "function") || is(i, "procedure");
    if !is(0, "create") {
        return None;
    }
    if is(1, "or") && is(2, "replace") && routine(3) {
        return Some(Replacement {
            sql: sql.to_string(),
            inserted_at: 0,
            inserted: 0,
        });
    }
    if !routine(1) {
        return None;
    }
    let create_end = tokens[0].end();
    const OR_REPLACE: &str = " OR REPLACE";
    Some(Replacement {
        sql: format!("{}{OR_REPLACE}{}", &sql[..create_end], &sql[create_end..]),
        inserted_at: sql[..create_end].chars().count(),
        inserted: OR_REPLACE.chars().count(),
    })
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

    #[test]
    fn routines_are_rewritten_as_replacements_and_positions_map_back() {
        let sql = "create  function f() returns int language sql as 'select ü'";
        let replacement = replaceable_routine(sql).expect("a routine");
        assert_eq!(
            replacement.sql,
            "create OR REPLACE  function f() returns int language sql as 'select ü'"
        );
        let position_of =
            |text: &str, needle: &str| text[..text.find(needle).unwrap()].chars().count() + 1;
        assert_eq!(
            replacement.original_position(position_of(&replacement.sql, "'select")),
            position_of(sql, "'select")
        );
        assert_eq!(replacement.original_position(1), 1);
        assert_eq!(
            replacement.original_position(9),
            7,
            "inside the insertion: after CREATE"
        );
        let already = "CREATE OR REPLACE PROCEDURE p() LANGUAGE sql AS $$ $$";
        let replacement = replaceable_routine(already).expect("a routine");
        assert_eq!(replacement.sql, already);
        assert_eq!(replacement.original_position(20), 20);
        for other in [
            "CREATE VIEW v AS SELECT 1",
            "CREATE AGGREGATE a (int) (sfunc = int4pl, stype = int)",
            "ALTER FUNCTION f() STABLE",
            "COMMENT ON FUNCTION f() IS 'x'",
        ] {
            assert_eq!(replaceable_routine(other), None, "{other}");
        }
    }

    #[test]
    fn errors_land_on_the_line_of_their_position() {
        let mut declarations = SqlDeclarations::default();
        let text = "-- views\n\nCREATE VIEW v AS\n  SELECT ü,\n    nope\n  FROM t;\nCREATE VIEW w AS SELECT 1;\n";
        declarations
            .add(PathBuf::from("views.sql"), text.to_string())
            .expect("declarations");
        let [v, w] = declarations.statements.as_slice() else {
            panic!("{declarations:?}");
        };
        assert_eq!((v.line, w.line), (3, 7));
        let position = |needle: &str| v.sql[..v.sql.find(needle).unwrap()].chars().count() + 1;
        assert_eq!(v.line_at(Some(position("nope"))), 5);
        assert_eq!(v.line_at(Some(position("FROM"))), 6);
        assert_eq!(v.line_at(None), 3);
        assert_eq!(v.line_at(Some(0)), 3);
    }

    #[test]
    fn a_refused_statement_is_an_error_at_its_line() {
        let mut declarations = SqlDeclarations::default();
        let error = declarations
            .add(
                PathBuf::from("sql/seed.sql"),
                "CREATE VIEW v AS SELECT 1;\n\n-- seed\ninsert into t values (1);\n".to_string(),
            )
            .expect_err("refused");
        let text = error.to_string();
        assert!(text.starts_with("sql/seed.sql:4: INSERT "), "{text}");
    }

    #[test]
    fn directories_are_read_recursively_sorted_and_each_file_once() {
        let dir = tempfile::tempdir().expect("dir");
        let write = |relative: &str, text: &str| {
            let path = dir.path().join(relative);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        };
        write("sql/b.sql", "CREATE VIEW b AS SELECT 1;");
        write("sql/a/z.sql", "CREATE VIEW z AS SELECT 1;");
        write("sql/a.sql", "CREATE VIEW a AS SELECT 1;");
        write("sql/notes.txt", "not sql");
        write("sql/.hidden/h.sql", "CREATE VIEW h AS SELECT 1;");
        let declarations =
            SqlDeclarations::load(&[dir.path().join("sql/b.sql"), dir.path().join("sql")])
                .expect("load");
        let names: Vec<String> = declarations
            .files
            .iter()
            .map(|file| {
                file.path
                    .strip_prefix(dir.path())
                    .expect("inside")
                    .display()
                    .to_string()
            })
            .collect();
        // Path order (component by component, as model directories are sorted).
        assert_eq!(names, ["sql/b.sql", "sql/a/z.sql", "sql/a.sql"]);
        assert_eq!(declarations.statements.len(), 3);
        let missing = SqlDeclarations::load(&[dir.path().join("nope")]).expect_err("missing");
        assert!(
            matches!(missing, EngineError::MissingSqlPath(_)),
            "{missing}"
        );
    }
}
