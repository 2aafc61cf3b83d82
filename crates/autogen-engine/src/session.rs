//! One command's work with schemas: reading them from any source, planning the migration
//! between two of them once, and verifying it on the dev database. `revision`, `check` and
//! `diff` are this one pipeline with different sources.

use crate::config::Config;
use crate::dev::DevPool;
use crate::error::EngineError;
use crate::settings::Settings;
use crate::source::Source;
use autogen_diff::{DiffError, OnlineOptions, Plan, RenameHint};
use autogen_introspect::{InspectOptions, Inspection};
use autogen_migrate::RevisionGraph;
use autogen_model::Models;
use autogen_pg::ConnectionSpec;
use std::collections::BTreeSet;

pub struct Session {
    dev: DevPool,
    options: InspectOptions,
}

/// How to plan a migration.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// Online mode (docs/diff.md): `None` plans plain statements.
    pub online: Option<OnlineOptions>,
    /// Verify the plan on the dev database before anyone sees it (DESIGN principle 3).
    pub verify: bool,
}

/// The migration between two schemas, planned once per command.
#[derive(Debug, Clone)]
pub struct Migration {
    pub up: Plan,
    /// The reverse plan; an error when the engine cannot express the reverse.
    pub down: Result<Plan, DiffError>,
    /// Drops and adds that look like renames: the diff never guesses them.
    pub hints: Vec<RenameHint>,
    pub verification: Verification,
}

/// Whether and how a migration was checked on PostgreSQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// Not checked (`--no-verify`, or nothing to check because the plan is empty).
    Skipped,
    /// `up` was applied to a copy of the current schema and gave the desired one; `down` too
    /// when `down` is true (false: there is no down plan to check).
    Verified { down: bool },
}

impl Migration {
    pub fn is_empty(&self) -> bool {
        self.up.is_empty()
    }
}

impl Session {
    /// The dev server is `settings.dev_url`, else `config`'s `[dev] url`, else a throwaway
    /// cluster started when first needed; `options` select what is read of every schema.
    pub fn new(settings: &Settings, config: Option<&Config>, options: InspectOptions) -> Session {
        let dev_url = settings
            .dev_url
            .clone()
            .or_else(|| config.and_then(|config| config.dev_url.clone()));
        Session {
            dev: DevPool::new(dev_url, crate::cache::Cache::for_run(!settings.cache)),
            options,
        }
    }

    pub fn options(&self) -> &InspectOptions {
        &self.options
    }

    /// The schema of any source (a live database, a `.sql` file, models, a migrations
    /// directory).
    pub async fn schema(&self, source: &Source) -> Result<Inspection, EngineError> {
        self.dev
            .attributed(source.inspect(&self.options, &self.dev).await)
            .await
    }

    /// `models` as PostgreSQL makes them.
    pub async fn normalized(&self, models: &Models) -> Result<Inspection, EngineError> {
        self.dev
            .attributed(crate::normalize::normalize(models, &self.dev, &self.options).await)
            .await
    }

    /// The schema the revisions produce up to the single head.
    pub async fn replayed(&self, graph: &RevisionGraph) -> Result<Inspection, EngineError> {
        self.dev
            .attributed(crate::replay::replay(graph, None, &self.dev, &self.options).await)
            .await
    }

    /// The schema the revisions produce when exactly `applied` (and their ancestors) ran:
    /// what a database that applied them should look like.
    pub async fn replayed_at(
        &self,
        graph: &RevisionGraph,
        applied: &BTreeSet<String>,
    ) -> Result<Inspection, EngineError> {
        self.dev
            .attributed(crate::replay::replay(graph, Some(applied), &self.dev, &self.options).await)
            .await
    }

    /// A live database's schema.
    pub async fn live(&self, spec: &ConnectionSpec) -> Result<Inspection, EngineError> {
        let mut client = spec.connect().await?;
        Ok(autogen_introspect::inspect(&mut client, &self.options).await?)
    }

    /// The migration from `current` to `desired` (views of `current`'s database kept),
    /// verified when `how.verify` asks for it and there is something to verify.
    pub async fn migration(
        &self,
        current: &Inspection,
        desired: &Inspection,
        how: &PlanOptions,
    ) -> Result<Migration, EngineError> {
        let mut migration = plan(current, desired, how)?;
        if how.verify && !migration.is_empty() {
            let verified = crate::verify::verify(
                &self.dev,
                &self.options,
                &current.catalog,
                &desired.catalog,
                &migration.up,
                migration.down.as_ref().ok(),
            )
            .await;
            let verified = self.dev.attributed(verified).await?;
            migration.verification = Verification::Verified {
                down: verified.down,
            };
        }
        Ok(migration)
    }
}

/// Plans `current` → `desired` and back, once.
fn plan(
    current: &Inspection,
    desired: &Inspection,
    how: &PlanOptions,
) -> Result<Migration, EngineError> {
    tracing::debug!("planning the migration between two schemas");
    // Both plans run on a database with the views of `current` (the down plan after up).
    let database = &current.catalog;
    let online = how.online.as_ref();
    let up =
        autogen_diff::plan_keeping_views(&current.catalog, &desired.catalog, online, database)?;
    let down = if up.is_empty() {
        Ok(Plan::default())
    } else {
        autogen_diff::plan_keeping_views(&desired.catalog, &current.catalog, online, database)
    };
    Ok(Migration {
        hints: autogen_diff::rename_hints(&current.catalog, &desired.catalog),
        up,
        down,
        verification: Verification::Skipped,
    })
}
