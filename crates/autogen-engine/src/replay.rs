//! The schema a revision chain produces: the chain up to its single head run on a fresh dev
//! database and read back.
//!
//! With the cache (`cache.rs`), an unchanged chain costs no database work: its result is
//! stored under the checksum chain (every revision's id and checksum, in the order they run).
//! When only newer revisions were added, the longest cached prefix is re-created from its
//! stored catalog (views, functions, triggers and the rest are part of it), recorded as
//! applied, and only the newer revisions run. A prefix whose schema holds objects autogen does
//! not model (policies, partitions, grants, …) cannot be re-created from its catalog, and is
//! not used.

use crate::cache::{Cache, KeyBuilder, Kind};
use crate::dev::{DevPool, drop_quietly};
use crate::error::EngineError;
use crate::progress::Task;
use autogen_introspect::{InspectOptions, Inspection};
use autogen_migrate::{Progress, RevisionGraph, RunOptions, UpgradeTarget};
use std::collections::BTreeSet;

/// Replays the chain to its single head, or to exactly the revisions `applied` (and their
/// ancestors) when given.
pub async fn replay(
    graph: &RevisionGraph,
    applied: Option<&BTreeSet<String>>,
    dev: &DevPool,
    options: &InspectOptions,
) -> Result<Inspection, EngineError> {
    let target = match applied {
        Some(applied) => UpgradeTarget::Revisions(applied.clone()),
        None => UpgradeTarget::Head,
    };
    let Some(cache) = dev.cache() else {
        return run(graph, &target, dev, options, None).await;
    };
    // The order the runner applies them in (and its error when there are several heads).
    let order = graph.upgrade_plan(&BTreeSet::new(), &target)?;
    let mut key = KeyBuilder::new(Kind::Replay, dev.server_version().await?, options);
    // keys[k]: the state after the first k revisions.
    let mut keys = vec![key.finish()];
    for file in &order {
        key.add(&file.revision.id);
        key.add(&file.checksum);
        keys.push(key.finish());
    }
    let head_key = keys.last().cloned().unwrap_or_default();
    if let Some(inspection) = cache.get(Kind::Replay, &head_key) {
        return Ok(inspection);
    }
    let prefix = if options.include_schemas.is_empty() && options.exclude_schemas.is_empty() {
        cached_prefix(cache, &keys)
    } else {
        None
    };
    let prefix = prefix.map(|(count, inspection)| {
        let ids: Vec<String> = order[..count]
            .iter()
            .map(|file| file.revision.id.clone())
            .collect();
        (ids, inspection)
    });
    let inspection = run(graph, &target, dev, options, prefix).await?;
    cache.put(Kind::Replay, &head_key, &inspection);
    Ok(inspection)
}

/// The longest cached prefix (its length and schema) that can be re-created from its catalog.
fn cached_prefix(cache: &Cache, keys: &[String]) -> Option<(usize, Inspection)> {
    (1..keys.len().saturating_sub(1)).rev().find_map(|count| {
        let inspection = cache.get(Kind::Replay, &keys[count])?;
        inspection
            .unsupported
            .is_empty()
            .then_some((count, inspection))
    })
}

/// Runs the chain on a fresh database: from the start, or from `prefix` (the ids of the
/// revisions it holds and their schema) re-created. A prefix that fails to re-create is
/// dropped for a run from the start.
async fn run(
    graph: &RevisionGraph,
    target: &UpgradeTarget,
    dev: &DevPool,
    options: &InspectOptions,
    prefix: Option<(Vec<String>, Inspection)>,
) -> Result<Inspection, EngineError> {
    if let Some((ids, schema)) = prefix {
        let database = dev.database().await?;
        let mut client = database.connect().await?;
        match crate::verify::recreate(&client, &schema.catalog).await {
            Ok(()) => {
                tracing::info!(
                    "replay: {} revision(s) re-created from the cache, {} to run",
                    ids.len(),
                    graph.ordered().len().saturating_sub(ids.len())
                );
                let result = async {
                    autogen_migrate::stamp(&mut client, graph, &ids).await?;
                    let stamped = ids.iter().cloned().collect();
                    upgrade_and_inspect(
                        &mut client,
                        dev,
                        &database,
                        graph,
                        target,
                        options,
                        &stamped,
                    )
                    .await
                }
                .await;
                drop(client);
                drop_quietly(database).await;
                return result;
            }
            Err(error) => {
                tracing::info!(
                    "replay: the cached schema did not re-create ({error}); running every revision"
                );
                drop(client);
                drop_quietly(database).await;
            }
        }
    }
    let database = dev.database().await?;
    let result = async {
        let mut client = database.connect().await?;
        let none = BTreeSet::new();
        upgrade_and_inspect(&mut client, dev, &database, graph, target, options, &none).await
    }
    .await;
    drop_quietly(database).await;
    result
}

/// Runs the revisions not in `applied` up to `target` and reads the schema back, reporting
/// each revision and the read as a step.
async fn upgrade_and_inspect(
    client: &mut autogen_pg::Client,
    dev: &DevPool,
    database: &autogen_pg::TempDatabase,
    graph: &RevisionGraph,
    target: &UpgradeTarget,
    options: &InspectOptions,
    applied: &BTreeSet<String>,
) -> Result<Inspection, EngineError> {
    let to_run = if graph.is_empty() {
        0
    } else {
        graph.upgrade_plan(applied, target)?.len()
    };
    ensure_roles(client, graph).await?;
    let mut task = dev.progress().task(Task::Replay, to_run + 1);
    if to_run > 0 {
        let mut report = |event: Progress<'_>| {
            if let Progress::Applying(file) = event {
                task.step(&format!("{} {}", file.revision.id, file.revision.message));
            }
        };
        upgrade(client, graph, target, &mut report).await?;
    }
    task.step("read back the schema");
    crate::inspection::inspect(client, database.connect().await, options).await
}

/// Creates the roles the revisions grant to or write policies for (not the ones they create).
async fn ensure_roles(
    client: &autogen_pg::Client,
    graph: &RevisionGraph,
) -> Result<(), EngineError> {
    let roles = autogen_migrate::roles_needed(graph.ordered().iter().flat_map(|file| {
        [
            file.revision.up.sql.as_str(),
            file.revision.down.sql.as_str(),
        ]
    }));
    crate::roles::ensure(client, roles).await
}

/// Runs the chain to its single head on `client`'s empty database, as the replay does, without
/// reading the result back (plan verification starting from it).
pub(crate) async fn run_to_head(
    client: &mut autogen_pg::Client,
    graph: &RevisionGraph,
) -> Result<(), EngineError> {
    ensure_roles(client, graph).await?;
    if !graph.is_empty() {
        upgrade(client, graph, &UpgradeTarget::Head, &mut |_| {}).await?;
    }
    Ok(())
}

/// The runner's upgrade with checksums checked, as every replay runs the chain.
async fn upgrade(
    client: &mut autogen_pg::Client,
    graph: &RevisionGraph,
    target: &UpgradeTarget,
    report: &mut (dyn FnMut(Progress<'_>) + Send),
) -> Result<(), EngineError> {
    let run_options = RunOptions {
        ignore_checksums: false,
    };
    autogen_migrate::upgrade(client, graph, target, &run_options, report).await?;
    Ok(())
}
