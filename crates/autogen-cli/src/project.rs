//! A project: its configuration, its revision graph, and the databases it works with.

use crate::cli::GlobalArgs;
use crate::config::Config;
use crate::dev::DevPool;
use crate::error::CliError;
use autogen_introspect::{InspectOptions, Inspection};
use autogen_migrate::RevisionGraph;
use autogen_pg::{Client, ConnectionSpec};
use autogen_schema::{Catalog, View};
use std::collections::BTreeSet;

pub struct Project {
    pub config: Config,
    pub graph: RevisionGraph,
}

impl Project {
    /// Reads autogen.toml and every revision file; an invalid file is an error naming it.
    pub fn load(global: &GlobalArgs) -> Result<Project, CliError> {
        let config = Config::load(global.config.as_deref())?;
        let graph = RevisionGraph::load(&config.migrations_dir)?;
        Ok(Project { config, graph })
    }

    /// [`Project::load`] for a command that writes a revision: the revision files are read
    /// under an exclusive lock on the migrations directory, held until the returned guard is
    /// dropped (or the process ends), so two `autogen revision` runs in one project cannot
    /// both write a child of the same head: the second waits and then sees the first's file.
    pub fn load_for_writing(global: &GlobalArgs) -> Result<(Project, MigrationsLock), CliError> {
        let config = Config::load(global.config.as_deref())?;
        let lock = MigrationsLock::take(&config.migrations_dir, global.quiet)?;
        let graph = RevisionGraph::load(&config.migrations_dir)?;
        Ok((Project { config, graph }, lock))
    }

    /// The dev server: `--dev-url`/`AUTOGEN_DEV_URL`, else the config's `[dev] url`, else a
    /// throwaway cluster.
    pub fn dev(&self, global: &GlobalArgs) -> DevPool {
        DevPool::new(
            global
                .dev_url
                .clone()
                .or_else(|| self.config.dev_url.clone()),
            crate::cache::Cache::for_run(global.no_cache),
        )
    }

    /// The database to migrate (`--database-url` > `DATABASE_URL` > config).
    pub fn database(&self, global: &GlobalArgs) -> Result<ConnectionSpec, CliError> {
        let url = self
            .config
            .database_url(global.database_url.as_deref())
            .ok_or(CliError::NoDatabase)?;
        Ok(ConnectionSpec::parse(&url)?)
    }

    /// The ids a database has applied, and the ids the head of the revisions needs (its
    /// ancestors; empty without revisions): equal when the database is at the head.
    pub async fn applied_and_head(
        &self,
        client: &Client,
    ) -> Result<(BTreeSet<String>, BTreeSet<String>), CliError> {
        let applied: BTreeSet<String> = autogen_migrate::applied_revisions(client)
            .await?
            .into_iter()
            .map(|applied| applied.revision)
            .collect();
        let head = self
            .graph
            .single_head()?
            .map(|head| self.graph.ancestors(&head.revision.id))
            .unwrap_or_default();
        Ok((applied, head))
    }

    /// The plan `autogen revision` writes from `from` to `to`: online when `online` (the
    /// `--online` flag) or `[online] enabled` asks for it (docs/diff.md), keeping `views`, the
    /// views of the database it runs on.
    pub fn plan(
        &self,
        online: bool,
        from: &Catalog,
        to: &Catalog,
        views: &[View],
    ) -> Result<autogen_diff::Plan, autogen_diff::DiffError> {
        let online = (online || self.config.online).then_some(&self.config.online_options);
        autogen_diff::plan_keeping_views(from, to, online, views)
    }

    /// The schema the revisions produce: the chain up to the single head replayed into a
    /// fresh dev database and read back.
    pub async fn replayed(
        &self,
        dev: &DevPool,
        options: &InspectOptions,
    ) -> Result<Inspection, CliError> {
        crate::replay::replay(&self.graph, dev, options).await
    }
}

/// An exclusive `flock` on the migrations directory itself (no lock file to leave behind;
/// the kernel releases it when the process ends, however it ends).
pub struct MigrationsLock {
    _directory: std::fs::File,
}

impl MigrationsLock {
    fn take(dir: &std::path::Path, quiet: bool) -> Result<MigrationsLock, CliError> {
        let failed = |source| CliError::LockMigrations {
            path: dir.to_path_buf(),
            source,
        };
        let directory = match std::fs::File::open(dir) {
            Ok(directory) => directory,
            // A missing directory is reported by the revision loader, with its usual message.
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(RevisionGraph::load(dir)
                    .err()
                    .map_or_else(|| failed(error), CliError::from));
            }
            Err(error) => return Err(failed(error)),
        };
        match directory.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                if !quiet {
                    crate::output::progress(
                        "Waiting",
                        "for another autogen run writing a revision in this project",
                    );
                }
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
pub async fn connect(spec: &ConnectionSpec) -> Result<Client, CliError> {
    Ok(spec.connect().await?)
}
