//! `autogen merge -m MSG [REV…]`: a revision whose parents are several heads, so the graph
//! has one head again. It holds no SQL of its own.

use crate::cli::{GlobalArgs, MergeArgs};
use crate::commands::Outcome;
use crate::error::CliError;
use crate::output;
use autogen_engine::Project;
use autogen_migrate::{Revision, Section};
use std::time::SystemTime;

/// Said when another autogen run holds the project's revision-writing lock.
pub fn waiting_for_writer(quiet: bool) {
    if !quiet {
        output::progress(
            "Waiting",
            "for another autogen run writing a revision in this project",
        );
    }
}

pub fn run(global: &GlobalArgs, args: &MergeArgs) -> Result<Outcome, CliError> {
    let (project, _lock) =
        Project::load_for_writing(&global.settings(), || waiting_for_writer(global.quiet))?;
    project.require_autogen_layout("merge")?;
    let graph = &project.graph;
    let heads: Vec<String> = graph
        .heads()
        .iter()
        .map(|h| h.revision.id.clone())
        .collect();
    let mut parents: Vec<String> = if args.revisions.is_empty() {
        heads.clone()
    } else {
        args.revisions
            .iter()
            .map(|text| graph.resolve(text).map(|file| file.revision.id.clone()))
            .collect::<Result<_, _>>()?
    };
    parents.sort();
    parents.dedup();
    if let Some(not_head) = parents.iter().find(|id| !heads.contains(id)) {
        return Err(CliError::MergeNotHead(not_head.clone()));
    }
    if parents.len() < 2 {
        return Err(CliError::NothingToMerge);
    }
    let now = SystemTime::now();
    let empty = || Section::new(true, "");
    let revision = Revision {
        id: autogen_migrate::new_revision_id(now, &|id| graph.get(id).is_some()),
        parents: parents.clone(),
        message: args.message.clone(),
        created: autogen_migrate::rfc3339_utc(now),
        origin: None,
        phase: None,
        up: empty(),
        down: empty(),
    };
    let path = autogen_migrate::write_new(&project.config.migrations_dir, &revision)?;
    output::stdout(&format!("{}\n", path.display())).map_err(CliError::Output)?;
    if !global.quiet {
        output::note(&format!(
            "merge revision {} joins {}",
            revision.id,
            parents.join(", ")
        ));
    }
    Ok(Outcome::Success)
}
