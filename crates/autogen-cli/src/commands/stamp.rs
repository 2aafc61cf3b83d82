//! `autogen stamp REV…`: record revisions as applied without running them (for a database
//! created some other way), or `base` to record none.

use crate::cli::{GlobalArgs, StampArgs};
use crate::commands::Outcome;
use crate::error::CliError;
use crate::output;
use autogen_engine::{Project, connect};

pub async fn run(global: &GlobalArgs, args: &StampArgs) -> Result<Outcome, CliError> {
    let project = Project::load(&global.settings())?;
    project.require_autogen_layout("stamp")?;
    let graph = &project.graph;
    let mut revisions: Vec<String> = Vec::new();
    for text in &args.revisions {
        match text.as_str() {
            "base" => {}
            "head" => revisions.extend(graph.single_head()?.map(|h| h.revision.id.clone())),
            "heads" => revisions.extend(graph.heads().iter().map(|h| h.revision.id.clone())),
            prefix => revisions.push(graph.resolve(prefix)?.revision.id.clone()),
        }
    }
    let spec = project.database()?;
    record(&spec, graph, &revisions).await?;
    if !global.quiet {
        let what = if revisions.is_empty() {
            "base (no revisions)".to_string()
        } else {
            revisions.join(", ")
        };
        output::note(&format!("stamped {} at {what}", spec.redacted()));
    }
    Ok(Outcome::Success)
}

/// Records `revisions` as the ones `spec`'s database is at, without running them (also how
/// `init --from-database` stamps the adopted database at its baseline).
pub(crate) async fn record(
    spec: &autogen_pg::ConnectionSpec,
    graph: &autogen_migrate::RevisionGraph,
    revisions: &[String],
) -> Result<(), CliError> {
    let mut client = connect(spec).await?;
    autogen_migrate::stamp(&mut client, graph, revisions).await?;
    Ok(())
}
