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
use std::path::{Path, PathBuf};

mod classify;
mod names;
mod routine;

use classify::stage;
pub(crate) use names::{created_name, mentioned_names};
pub(crate) use routine::replaceable_routine;

/// The SQL declarations of a project, in file order (the files sorted within each listed
/// directory), statements in their order within each file.
#[derive(Debug, Clone, Default)]
pub struct SqlDeclarations {
    pub files: Vec<SqlFile>,
    pub statements: Vec<Declaration>,
    /// The schemas routine bodies are checked under (`[models] search_path`); empty: none,
    /// so unqualified names in bodies are errors.
    pub search_path: Vec<String>,
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

#[cfg(test)]
mod tests {
    use super::*;

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
