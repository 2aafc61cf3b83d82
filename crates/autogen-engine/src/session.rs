//! One command's work with schemas: reading them from any source, planning the migration
//! between two of them once, and verifying it on the dev database. `revision`, `check` and
//! `diff` are this one pipeline with different sources.

use crate::config::Config;
use crate::dev::DevPool;
use crate::error::EngineError;
use crate::normalize::DeclaredSchema;
use crate::settings::Settings;
use crate::source::Source;
use crate::step::step;
use crate::verify::CurrentStart;
use autogen_diff::{Migration, OnlineOptions};
use autogen_introspect::{InspectOptions, Inspection};
use autogen_migrate::RevisionGraph;
use autogen_pg::ConnectionSpec;
use autogen_schema::ModelIntent;
use std::collections::BTreeSet;
use tracing::Instrument;

pub struct Session {
    dev: DevPool,
    options: InspectOptions,
    /// `[unmanaged] ignore`.
    ignored_unmanaged: Vec<String>,
}

/// How to plan a migration.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// Online mode (docs/diff.md): `None` plans plain statements.
    pub online: Option<OnlineOptions>,
    /// Verify the plan on the dev database before anyone sees it (DESIGN principle 3).
    pub verify: bool,
    /// The revision chain the current schema was replayed from (to its single head), when it
    /// was: verification then re-creates the current schema by running the chain whenever that
    /// schema holds objects autogen does not model, which its dump cannot re-create (a text
    /// search configuration the models' indexes use, created by a hand-written revision).
    pub current_chain: Option<RevisionGraph>,
}

impl Session {
    /// The dev server is `settings.dev_url`, else `config`'s `[dev] url`, else a throwaway
    /// cluster started when first needed; `options` select what is read of every schema (and
    /// `config`'s `[migrations] ignore_tables` are left out too).
    pub fn new(
        settings: &Settings,
        config: Option<&Config>,
        mut options: InspectOptions,
    ) -> Session {
        if let Some(config) = config {
            for table in &config.ignored_tables {
                if !options.ignore_tables.contains(table) {
                    options.ignore_tables.push(table.clone());
                }
            }
        }
        let dev_url = settings
            .dev_url
            .clone()
            .or_else(|| config.and_then(|config| config.dev_url.clone()));
        Session {
            dev: DevPool::new(
                dev_url,
                crate::cache::Cache::for_run(!settings.cache),
                settings.progress.clone(),
            ),
            options,
            ignored_unmanaged: config
                .map(|config| config.ignored_unmanaged.clone())
                .unwrap_or_default(),
        }
    }

    pub(crate) fn dev(&self) -> &DevPool {
        &self.dev
    }

    pub fn options(&self) -> &InspectOptions {
        &self.options
    }

    /// The schema of any source (a live database, a `.sql` file, models, a migrations
    /// directory), and what the source says was renamed (models only).
    pub async fn schema(&self, source: &Source) -> Result<(Inspection, ModelIntent), EngineError> {
        let read = source
            .inspect(&self.options, &self.dev)
            .instrument(step("read a schema"))
            .await;
        self.dev.attributed(read).await
    }

    /// The declared schema (models and SQL declarations) as PostgreSQL makes it.
    pub async fn normalized(&self, declared: &DeclaredSchema) -> Result<Inspection, EngineError> {
        let normalized = crate::normalize::normalize(declared, &self.dev, &self.options)
            .instrument(step("normalize the models"))
            .await;
        self.dev.attributed(normalized).await
    }

    /// The schema the revisions produce up to the single head.
    pub async fn replayed(&self, graph: &RevisionGraph) -> Result<Inspection, EngineError> {
        let replayed = crate::replay::replay(graph, None, &self.dev, &self.options)
            .instrument(step("replay the revisions"))
            .await;
        self.dev.attributed(replayed).await
    }

    /// The schema the revisions produce when exactly `applied` (and their ancestors) ran:
    /// what a database that applied them should look like.
    pub async fn replayed_at(
        &self,
        graph: &RevisionGraph,
        applied: &BTreeSet<String>,
    ) -> Result<Inspection, EngineError> {
        let replayed = crate::replay::replay(graph, Some(applied), &self.dev, &self.options)
            .instrument(step("replay the revisions"))
            .await;
        self.dev.attributed(replayed).await
    }

    /// A live database's schema.
    pub async fn live(&self, spec: &ConnectionSpec) -> Result<Inspection, EngineError> {
        crate::inspection::inspect_database(spec, &self.options).await
    }

    /// The migration from `current` to `desired` with the renames of `intent` (views of
    /// `current`'s database kept), verified when `how.verify` asks for it and there is
    /// something to verify.
    pub async fn migration(
        &self,
        current: &Inspection,
        desired: &Inspection,
        intent: &ModelIntent,
        how: &PlanOptions,
    ) -> Result<Migration, EngineError> {
        let options = autogen_diff::PlanOptions {
            online: how.online.clone(),
        };
        let mut migration = step("plan").in_scope(|| {
            autogen_diff::migration(&current.catalog, &desired.catalog, intent, &options)
        })?;
        // An extension is updated only along a path its packages provide: checked against the
        // server each direction starts from.
        if let Some(missing) = missing_update_path(&migration.up, current) {
            return Err(EngineError::Diff(missing));
        }
        if let Ok(down) = &migration.down
            && let Some(missing) = missing_update_path(down, desired)
        {
            migration.down = Err(missing);
        }
        migration.unmanaged = self.unmanaged(current, desired);
        if how.verify && !migration.up.is_empty() {
            let start = match &how.current_chain {
                Some(graph) if !current.unsupported.is_empty() => CurrentStart::Chain(graph),
                _ => CurrentStart::Dump,
            };
            let verified = crate::verify::verify(
                &self.dev,
                &self.options,
                &current.catalog,
                &desired.catalog,
                &migration,
                start,
            )
            .await;
            let verified = blame_unmanaged(verified, &migration.unmanaged);
            migration.verification = self.dev.attributed(verified).await?;
        }
        Ok(migration)
    }

    /// The objects of kinds autogen does not model that differ between `current` and
    /// `desired` (but for the kinds `[unmanaged] ignore` lists): no plan includes them.
    pub fn unmanaged(
        &self,
        current: &Inspection,
        desired: &Inspection,
    ) -> Vec<autogen_diff::UnmanagedDifference> {
        // A JSON catalog holds no unmodeled objects: nothing to compare them with (the caller
        // says so, see `Inspection::unsupported_known`).
        if !current.unsupported_known || !desired.unsupported_known {
            return Vec::new();
        }
        autogen_diff::unmanaged_differences(
            unmanaged_objects(current),
            unmanaged_objects(desired),
            &self.ignored_unmanaged,
        )
    }
}

/// Unmanaged objects shown in a verification error: the first ones, then how many more.
const UNMANAGED_SHOWN: usize = 5;

/// A plan statement that failed during verification while the schemas differ in objects autogen
/// does not manage is reported with them ([`EngineError::VerifyUnmanaged`]), those the statement
/// or the error names first: no plan creates or drops them, so the failure is most often
/// theirs (pagila's views over its partitioned `payment`), not an internal error.
fn blame_unmanaged<T>(
    verified: Result<T, EngineError>,
    unmanaged: &[autogen_diff::UnmanagedDifference],
) -> Result<T, EngineError> {
    match verified {
        Err(EngineError::VerifyStatement {
            direction,
            statement,
            detail,
        }) if !unmanaged.is_empty() => {
            // The ones the statement or PostgreSQL's error names first.
            let mut ordered: Vec<&autogen_diff::UnmanagedDifference> = unmanaged.iter().collect();
            ordered.sort_by_key(|difference| {
                !(statement.contains(&difference.name) || detail.contains(&difference.name))
            });
            let mut shown: Vec<String> = ordered
                .into_iter()
                .take(UNMANAGED_SHOWN)
                .map(|difference| difference.describe("the current schema", "the desired schema"))
                .collect();
            if unmanaged.len() > UNMANAGED_SHOWN {
                shown.push(format!("{} more", unmanaged.len() - UNMANAGED_SHOWN));
            }
            Err(EngineError::VerifyUnmanaged {
                direction,
                statement,
                detail,
                unmanaged: shown.join("; "),
            })
        }
        other => other,
    }
}

fn unmanaged_objects(
    inspection: &Inspection,
) -> impl Iterator<Item = autogen_diff::UnmanagedObject<'_>> {
    inspection.unsupported.iter().flat_map(|group| {
        group
            .objects
            .iter()
            .map(|object| autogen_diff::UnmanagedObject {
                kind: &group.kind,
                name: &object.name,
                fingerprint: &object.fingerprint,
            })
    })
}

/// The first extension update of `plan` that no update path of the server `from` was read on
/// leads to, as the error to report.
fn missing_update_path(
    plan: &autogen_diff::Plan,
    from: &Inspection,
) -> Option<autogen_diff::DiffError> {
    plan.changes.iter().find_map(|change| {
        let autogen_diff::Change::Extension(autogen_diff::ExtensionChange::Update {
            name,
            from: installed,
            to,
        }) = change
        else {
            return None;
        };
        let has_path = from.extension_updates.iter().any(|update| {
            update.extension == *name && update.from == *installed && update.to == *to
        });
        (!has_path).then(|| autogen_diff::DiffError::Unsupported {
            what: format!(
                "extension {name} has no update path from version {installed} to {to} on this \
                 PostgreSQL server (`SELECT * FROM pg_extension_update_paths('{name}')` lists \
                 them; extensions rarely ship scripts that go back to an older version): write \
                 this step by hand, e.g. drop and create the extension at version {to} if nothing \
                 depends on it"
            ),
        })
    })
}
