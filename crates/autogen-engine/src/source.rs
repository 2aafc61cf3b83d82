//! Schema sources (SRC): what a user names on the command line, and how each is turned into
//! an inspected catalog.

use crate::dev::{DevPool, drop_quietly};
use crate::error::EngineError;
use crate::normalize::DeclaredSchema;
use autogen_introspect::{InspectOptions, Inspection};
use autogen_pg::ConnectionSpec;
use autogen_schema::ModelIntent;
use std::path::{Path, PathBuf};

/// What every command reads: the given schemas, without the migration runner's tracking
/// table (bookkeeping, not part of the application's schema), nor the tables other migration
/// tools keep under names of their own (`alembic_version`, `_sqlx_migrations`, …, in
/// `public`, where they create them): a database adopted from one of them still has it.
pub fn inspect_options(include: &[String], exclude: &[String]) -> InspectOptions {
    let mut ignore_tables = vec![
        autogen_schema::QualifiedName::new(
            autogen_migrate::TRACKING_SCHEMA,
            autogen_migrate::TRACKING_TABLE,
        ),
        autogen_schema::QualifiedName::new(
            autogen_migrate::TRACKING_SCHEMA,
            autogen_migrate::PROGRESS_TABLE,
        ),
    ];
    ignore_tables.extend(
        autogen_migrate::history::TOOL_TABLES
            .iter()
            .map(|(table, _)| autogen_schema::QualifiedName::new("public", *table)),
    );
    InspectOptions {
        include_schemas: include.to_vec(),
        exclude_schemas: exclude.to_vec(),
        ignore_tables,
    }
}

/// `options` also leaving out the tracking tables of `histories` (found on a database being
/// adopted: a `schema_version` recognized by its shape, a tool's table outside `public`).
pub fn ignoring_histories(
    mut options: InspectOptions,
    histories: &[autogen_migrate::history::OldHistory],
) -> InspectOptions {
    for history in histories {
        let name = autogen_schema::QualifiedName::new(&history.schema, &history.table);
        if !options.ignore_tables.contains(&name) {
            options.ignore_tables.push(name);
        }
    }
    options
}

/// [`inspect_options`] of a project whose migrations are in `layout`: the stack's own
/// tracking table is bookkeeping too, so a database it migrated does not show it as drift.
pub fn layout_inspect_options(layout: autogen_migrate::Layout) -> InspectOptions {
    let mut options = inspect_options(&[], &[]);
    if let Some(table) = layout.tracking_table() {
        // The stacks create it in the first schema of the search path: `public` by default.
        options
            .ignore_tables
            .push(autogen_schema::QualifiedName::new("public", table));
    }
    options
}

#[derive(Debug)]
pub enum Source {
    /// A live database.
    Database(ConnectionSpec),
    /// A SQL file, applied to a temporary dev database and read back from there.
    SqlFile(PathBuf),
    /// A schema in autogen's JSON form (`autogen inspect --format json`), read as it is: it
    /// holds only what autogen models, so objects it does not are not compared with it.
    JsonFile(PathBuf),
    /// Rust model files (a `.rs` file or a directory of them), normalized through a
    /// temporary dev database.
    Models(PathBuf),
    /// A migrations directory: its revisions replayed into a temporary dev database.
    Migrations(PathBuf),
    /// A project's `autogen.toml`: the desired schema it declares — its models and its SQL
    /// declarations (`[models] sql`) — normalized through a temporary dev database.
    Project(PathBuf),
}

impl Source {
    pub fn parse(text: &str) -> Result<Self, EngineError> {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(Source::Database(ConnectionSpec::parse(text)?));
        }
        let path = PathBuf::from(text);
        let extension = path.extension().and_then(|ext| ext.to_str());
        match extension {
            Some("sql") | Some("rs") | Some("toml") | Some("json") if !path.is_file() => {
                Err(EngineError::MissingSource(path))
            }
            Some("sql") => Ok(Source::SqlFile(path)),
            Some("json") => Ok(Source::JsonFile(path)),
            Some("rs") => Ok(Source::Models(path)),
            Some("toml") => Ok(Source::Project(path)),
            _ if path.is_dir() && is_migrations_dir(&path) => Ok(Source::Migrations(path)),
            _ if path.is_dir() => Ok(Source::Models(path)),
            _ => Err(EngineError::UnknownSource(text.to_string())),
        }
    }

    /// For messages: never contains a password.
    pub fn describe(&self) -> String {
        match self {
            Source::Database(spec) => spec.redacted(),
            Source::SqlFile(path)
            | Source::JsonFile(path)
            | Source::Models(path)
            | Source::Migrations(path)
            | Source::Project(path) => path.display().to_string(),
        }
    }

    /// The revision chain a migrations directory replays (`None` for every other source): plan
    /// verification re-creates its schema by running it when the dump cannot
    /// ([`crate::PlanOptions::current_chain`]).
    pub fn revision_graph(&self) -> Result<Option<autogen_migrate::RevisionGraph>, EngineError> {
        match self {
            Source::Migrations(path) => Ok(Some(autogen_migrate::load_graph(
                path,
                layout_of_dir(path),
            )?)),
            _ => Ok(None),
        }
    }

    /// Reads the source's schema; `.sql` files, models and projects go through a temporary
    /// database on the dev server.
    pub async fn inspect(
        &self,
        options: &InspectOptions,
        dev: &DevPool,
    ) -> Result<(Inspection, ModelIntent), EngineError> {
        let inspection = match self {
            Source::Database(spec) => crate::inspection::inspect_database(spec, options).await?,
            Source::SqlFile(path) => {
                let sql =
                    std::fs::read_to_string(path).map_err(|source| EngineError::ReadFile {
                        path: path.clone(),
                        source,
                    })?;
                let database = dev.database().await?;
                let result = inspect_sql(&database, path, &sql, options).await;
                drop_quietly(database).await;
                result?
            }
            Source::JsonFile(path) => read_json(path)?,
            Source::Migrations(path) => {
                // Parse first: a broken revision file needs no database.
                let graph = autogen_migrate::load_graph(path, layout_of_dir(path))?;
                crate::replay::replay(&graph, None, dev, options).await?
            }
            Source::Models(path) => {
                // Parse first: model errors need no database.
                let models = autogen_model::load_models(std::slice::from_ref(path))?;
                if models.is_empty() {
                    return Err(EngineError::NoModelsInSource { path: path.clone() });
                }
                let declared = DeclaredSchema::models(models);
                let inspection = crate::normalize::normalize(&declared, dev, options).await?;
                return Ok((inspection, declared.models.intent));
            }
            Source::Project(path) => {
                // Read everything first: errors in the files need no database.
                let config = crate::config::Config::load(Some(path))?;
                let declared = crate::project::declared(&config)?;
                let inspection = crate::normalize::normalize(&declared, dev, options).await?;
                return Ok((inspection, declared.models.intent));
            }
        };
        Ok((inspection, ModelIntent::default()))
    }
}

/// A directory of revision files rather than models: `.sql` files and no `.rs` files at
/// its top level, or Diesel's directories of `up.sql`.
fn is_migrations_dir(path: &Path) -> bool {
    if layout_of_dir(path) == autogen_migrate::Layout::Diesel {
        return true;
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return false;
    };
    let extensions: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let path = entry.path();
            path.extension()
                .and_then(|ext| ext.to_str())
                .map(str::to_string)
        })
        .collect();
    extensions.iter().any(|ext| ext == "sql") && !extensions.iter().any(|ext| ext == "rs")
}

/// Whose migrations a directory given as a source holds, by their names: sqlx's
/// `.up.sql`/`.down.sql` files, Diesel's subdirectories with an `up.sql` (and no `.sql` file
/// of its own), else autogen's revision files. (A project says its layout in autogen.toml;
/// sea-orm modules are Rust files, read as a source only through a project.)
fn layout_of_dir(path: &Path) -> autogen_migrate::Layout {
    use autogen_migrate::Layout;
    let Ok(entries) = std::fs::read_dir(path) else {
        return Layout::Autogen;
    };
    let paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    let named = |suffix: &str| {
        paths.iter().any(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.ends_with(suffix))
        })
    };
    if named(".up.sql") || named(".down.sql") {
        Layout::Sqlx
    } else if !named(".sql") && paths.iter().any(|path| path.join("up.sql").is_file()) {
        Layout::Diesel
    } else {
        Layout::Autogen
    }
}

async fn inspect_sql(
    database: &autogen_pg::TempDatabase,
    path: &Path,
    sql: &str,
    options: &InspectOptions,
) -> Result<Inspection, EngineError> {
    let mut client = database.connect().await?;
    crate::roles::ensure(&client, autogen_migrate::roles_named(sql)).await?;
    client
        .batch_execute(sql)
        .await
        .map_err(|error| sql_error(path, sql, &error))?;
    crate::inspection::inspect(&mut client, database.connect().await, options).await
}

/// Points at the line of `sql` that PostgreSQL complained about.
fn sql_error(path: &Path, sql: &str, error: &autogen_pg::tokio_postgres::Error) -> EngineError {
    EngineError::ApplySql {
        path: path.to_path_buf(),
        line: autogen_pg::error_position(error).map_or(1, |position| line_of_char(sql, position)),
        message: autogen_pg::error_text(error),
    }
}

/// The 1-based line of the 1-based character position `position` (PostgreSQL counts
/// characters, not bytes).
fn line_of_char(text: &str, position: usize) -> usize {
    1 + text
        .chars()
        .take(position.saturating_sub(1))
        .filter(|&c| c == '\n')
        .count()
}

/// A JSON catalog file as an inspection: what it holds, and that it cannot tell what else the
/// schema had.
fn read_json(path: &Path) -> Result<Inspection, EngineError> {
    let text = std::fs::read_to_string(path).map_err(|source| EngineError::ReadFile {
        path: path.to_path_buf(),
        source,
    })?;
    let catalog =
        autogen_schema::catalog_from_json(&text).map_err(|error| EngineError::JsonSource {
            path: path.to_path_buf(),
            line: error.line(),
            column: error.column(),
            message: error.to_string(),
        })?;
    Ok(Inspection {
        catalog,
        unsupported: Vec::new(),
        unsupported_known: false,
        server_version: 0,
        extension_updates: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_map_to_lines() {
        let text = "select 1;\nselect ü;\nbad";
        assert_eq!(line_of_char(text, 1), 1);
        assert_eq!(line_of_char(text, 11), 2);
        assert_eq!(line_of_char(text, 21), 3);
    }

    #[test]
    fn unknown_sources_are_rejected() {
        assert!(matches!(
            Source::parse("mysql://x"),
            Err(EngineError::UnknownSource(_))
        ));
        assert!(matches!(
            Source::parse("missing.sql"),
            Err(EngineError::MissingSource(_))
        ));
    }
}
