//! A project: its configuration, its revision graph, and the databases it works with.

use crate::config::Config;
use crate::declarations::SqlDeclarations;
use crate::error::EngineError;
use crate::normalize::DeclaredSchema;
use crate::session::Session;
use crate::settings::Settings;
use autogen_introspect::Inspection;
use autogen_migrate::{AppliedRevision, Layout, RevisionGraph};
use autogen_model::Models;
use autogen_pg::{Client, ConnectionSpec};
use std::collections::BTreeSet;

pub struct Project {
    pub config: Config,
    pub graph: RevisionGraph,
    settings: Settings,
}

/// Where the database a command works on was named, for messages and for the commands that
/// use a configured database only when asked (`revision` starts from the revisions unless
/// `--database-url` is given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseOrigin {
    /// `--database-url`.
    Flag,
    /// The `DATABASE_URL` environment variable.
    Environment,
    /// `[database] url` in autogen.toml.
    Config,
}

impl Project {
    /// Reads autogen.toml and every revision file; an invalid file is an error naming it.
    pub fn load(settings: &Settings) -> Result<Project, EngineError> {
        let config = Config::load(settings.config.as_deref())?;
        let graph = autogen_migrate::load_graph(&config.migrations_dir, config.migrations_layout)?;
        Ok(Project {
            config,
            graph,
            settings: settings.clone(),
        })
    }

    /// [`Project::load`] for a command that writes a revision: the revision files are read
    /// under an exclusive lock on the migrations directory, held until the returned guard is
    /// dropped (or the process ends), so two `autogen revision` runs in one project cannot
    /// both write a child of the same head: the second waits (`on_wait` is called once when
    /// it has to) and then sees the first's file.
    pub fn load_for_writing(
        settings: &Settings,
        on_wait: impl FnOnce(),
    ) -> Result<(Project, MigrationsLock), EngineError> {
        let config = Config::load(settings.config.as_deref())?;
        let lock = MigrationsLock::take(&config.migrations_dir, on_wait)?;
        let graph = autogen_migrate::load_graph(&config.migrations_dir, config.migrations_layout)?;
        let project = Project {
            config,
            graph,
            settings: settings.clone(),
        };
        Ok((project, lock))
    }

    /// The project with its migrations directory read in `layout` instead of the configured
    /// one (`revision --layout`).
    pub fn with_layout(mut self, layout: Layout) -> Result<Project, EngineError> {
        if layout != self.config.migrations_layout {
            self.graph = autogen_migrate::load_graph(&self.config.migrations_dir, layout)?;
            self.config.migrations_layout = layout;
        }
        Ok(self)
    }

    /// The session of one command on this project: its dev server is `--dev-url` /
    /// `AUTOGEN_DEV_URL`, else the config's `[dev] url`, else a throwaway cluster.
    pub fn session(&self) -> Session {
        Session::new(
            &self.settings,
            Some(&self.config),
            crate::source::layout_inspect_options(self.config.migrations_layout),
        )
    }

    /// The database to migrate (`--database-url` > `DATABASE_URL` > config), or an error
    /// saying how to name one.
    pub fn database(&self) -> Result<ConnectionSpec, EngineError> {
        let (url, _) = self.database_url().ok_or(EngineError::NoDatabase)?;
        Ok(ConnectionSpec::parse(&url)?)
    }

    /// The database URL (`--database-url` > `DATABASE_URL` > config) and where it was named.
    pub fn database_url(&self) -> Option<(String, DatabaseOrigin)> {
        if let Some(url) = &self.settings.database_url {
            return Some((url.clone(), DatabaseOrigin::Flag));
        }
        if let Some(url) = crate::config::database_url_from_environment() {
            return Some((url, DatabaseOrigin::Environment));
        }
        self.config
            .database_url
            .clone()
            .map(|url| (url, DatabaseOrigin::Config))
    }

    /// The project's models. A models path that yields none is an error unless the project
    /// says `[models] allow_empty = true`: a plan from no models drops every table.
    pub fn models(&self) -> Result<Models, EngineError> {
        models(&self.config)
    }

    /// The desired schema as the project declares it: its models and the SQL declarations of
    /// `[models] sql`, read and checked before any database is involved.
    pub fn declared(&self) -> Result<DeclaredSchema, EngineError> {
        declared(&self.config)
    }

    /// Refuses a command that would run or record revisions with autogen's runner when the
    /// project's migrations belong to another stack: its runner keeps its own table, and
    /// `autogen_revisions` beside it would apply everything twice.
    pub fn require_autogen_layout(&self, command: &'static str) -> Result<(), EngineError> {
        match self.config.migrations_layout {
            Layout::Autogen => Ok(()),
            layout => Err(EngineError::ForeignLayout {
                command,
                layout: layout.name(),
                runner: layout.runner(),
            }),
        }
    }

    /// Where a database stands against the revisions: by `autogen_revisions`, or for another
    /// stack's layout by that stack's own tracking table.
    pub async fn status(&self, client: &Client) -> Result<DatabaseStatus, EngineError> {
        let layout = self.config.migrations_layout;
        let applied = match layout {
            Layout::Autogen => autogen_migrate::applied_revisions(client).await?,
            layout => autogen_migrate::applied_versions(client, layout, &self.graph)
                .await?
                .into_iter()
                .map(|applied| AppliedRevision {
                    // The stack's own check decided `edited`; the file's autogen checksum
                    // stands in for the recorded one so `DatabaseStatus` compares the same
                    // way for every layout (an edited one gets a checksum no file has).
                    checksum: match self.graph.get(&applied.revision) {
                        Some(file) if !applied.edited => file.checksum.clone(),
                        _ => String::new(),
                    },
                    revision: applied.revision,
                    applied_at: String::new(),
                    duration_ms: 0,
                })
                .collect(),
        };
        let head = self
            .graph
            .single_head()?
            .map(|head| self.graph.ancestors(&head.revision.id))
            .unwrap_or_default();
        let mut status = DatabaseStatus::new(&self.graph, applied, head);
        status.edited_fix = layout.edited_fix();
        Ok(status)
    }

    /// The schema the revisions produce: the chain up to the single head replayed into a
    /// fresh dev database and read back.
    pub async fn replayed(&self, session: &Session) -> Result<Inspection, EngineError> {
        session.replayed(&self.graph).await
    }
}

/// The models of `config` (see [`Project::models`]).
fn models(config: &Config) -> Result<Models, EngineError> {
    let models = autogen_model::load_models_with(&config.model_paths, &config.seaorm)?;
    if models.is_empty() && !config.allow_empty_models {
        return Err(EngineError::NoModels {
            paths: config.model_paths.clone(),
        });
    }
    Ok(models)
}

/// The declared schema of the project `config` describes (see [`Project::declared`]).
pub(crate) fn declared(config: &Config) -> Result<DeclaredSchema, EngineError> {
    // Models first: their errors are reported all at once, before the SQL files are read.
    let models = models(config)?;
    let mut sql = SqlDeclarations::load(&config.sql_paths)?;
    sql.search_path = config.search_path.clone();
    Ok(DeclaredSchema { models, sql })
}

/// A database's applied revisions against the revision files.
#[derive(Debug, Clone)]
pub struct DatabaseStatus {
    /// The ids the database has applied.
    pub applied: BTreeSet<String>,
    /// The ids the single head needs (its ancestors; empty without revisions).
    pub head: BTreeSet<String>,
    /// Applied revisions whose file was edited after they were applied (id, file).
    pub edited: Vec<(String, std::path::PathBuf)>,
    /// Applied revisions that are not in the migrations directory.
    pub unknown: Vec<String>,
    /// What to do about an `edited` one, for messages (it depends on whose runner applied it).
    pub edited_fix: &'static str,
}

impl DatabaseStatus {
    fn new(graph: &RevisionGraph, rows: Vec<AppliedRevision>, head: BTreeSet<String>) -> Self {
        let mut edited = Vec::new();
        let mut unknown = Vec::new();
        for row in &rows {
            match graph.get(&row.revision) {
                Some(file) if file.checksum != row.checksum => {
                    edited.push((row.revision.clone(), file.path.clone()))
                }
                Some(_) => {}
                None => unknown.push(row.revision.clone()),
            }
        }
        DatabaseStatus {
            applied: rows.into_iter().map(|row| row.revision).collect(),
            head,
            edited,
            unknown,
            edited_fix: Layout::Autogen.edited_fix(),
        }
    }

    pub fn at_head(&self) -> bool {
        self.applied == self.head
    }

    /// The revisions the head needs that the database has not applied.
    pub fn pending(&self) -> usize {
        self.head.difference(&self.applied).count()
    }

    /// Behind the head and nothing else: every applied revision is one the head needs, so
    /// `autogen upgrade` brings it there.
    pub fn only_behind(&self) -> bool {
        !self.at_head() && self.applied.is_subset(&self.head)
    }
}

/// An exclusive `flock` on the migrations directory itself (no lock file to leave behind;
/// the kernel releases it when the process ends, however it ends).
pub struct MigrationsLock {
    _directory: std::fs::File,
}

impl MigrationsLock {
    fn take(dir: &std::path::Path, on_wait: impl FnOnce()) -> Result<MigrationsLock, EngineError> {
        let failed = |source| EngineError::LockMigrations {
            path: dir.to_path_buf(),
            source,
        };
        let directory = match std::fs::File::open(dir) {
            Ok(directory) => directory,
            // A missing directory is reported by the revision loader, with its usual message.
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(RevisionGraph::load(dir)
                    .err()
                    .map_or_else(|| failed(error), EngineError::from));
            }
            Err(error) => return Err(failed(error)),
        };
        match directory.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                on_wait();
                directory.lock().map_err(failed)?;
            }
            Err(std::fs::TryLockError::Error(error)) => return Err(failed(error)),
        }
        Ok(MigrationsLock {
            _directory: directory,
        })
    }
}

/// Connects to `spec`, for the runner.
pub async fn connect(spec: &ConnectionSpec) -> Result<Client, EngineError> {
    Ok(spec.connect().await?)
}
