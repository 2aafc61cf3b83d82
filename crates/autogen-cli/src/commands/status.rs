//! Read-only views of the revisions: `current` (what the database is at), `history`,
//! `heads`, `show REV`.

use crate::cli::{GlobalArgs, ShowArgs};
use crate::commands::Outcome;
use crate::error::CliError;
use crate::output;
use crate::project::{Project, connect};
use autogen_migrate::RevisionFile;
use std::collections::BTreeSet;

pub async fn current(global: &GlobalArgs) -> Result<Outcome, CliError> {
    let project = Project::load(global)?;
    let spec = project.database(global)?;
    let client = connect(&spec).await?;
    let applied = autogen_migrate::applied_revisions(&client).await?;
    let ids: BTreeSet<&str> = applied.iter().map(|a| a.revision.as_str()).collect();
    let mut text = String::new();
    if applied.is_empty() {
        text.push_str("base (no revisions applied)\n");
    }
    // The applied revisions no other applied revision descends from: where the database is.
    for row in &applied {
        let is_tip = !applied.iter().any(|other| {
            other.revision != row.revision
                && project
                    .graph
                    .ancestors(&other.revision)
                    .contains(&row.revision)
        });
        if !is_tip {
            continue;
        }
        let head = project
            .graph
            .heads()
            .iter()
            .any(|h| h.revision.id == row.revision);
        let message = project
            .graph
            .get(&row.revision)
            .map(|file| file.revision.message.clone())
            .unwrap_or_else(|| "(not in the migrations directory)".to_string());
        text.push_str(&format!(
            "{}{} {message}\n",
            row.revision,
            if head { " (head)" } else { "" }
        ));
    }
    output::stdout(&text).map_err(CliError::Output)?;
    if !global.quiet {
        let pending = project
            .graph
            .ordered()
            .iter()
            .filter(|file| !ids.contains(file.revision.id.as_str()))
            .count();
        if pending > 0 {
            output::note(&format!(
                "{pending} revision(s) not applied: `autogen upgrade` applies them"
            ));
        }
    }
    Ok(Outcome::Success)
}

pub fn history(global: &GlobalArgs) -> Result<Outcome, CliError> {
    let project = Project::load(global)?;
    let heads: BTreeSet<String> = project
        .graph
        .heads()
        .iter()
        .map(|h| h.revision.id.clone())
        .collect();
    let mut text = String::new();
    for file in project.graph.ordered().iter().rev() {
        let revision = &file.revision;
        let parents = if revision.parents.is_empty() {
            "<base>".to_string()
        } else {
            revision.parents.join(", ")
        };
        let mark = if heads.contains(&revision.id) {
            " (head)"
        } else {
            ""
        };
        if global.verbose > 0 {
            text.push_str(&format!(
                "Revision: {}{mark}\nParents: {parents}\nCreated: {}\nFile: {}\nChecksum: {}\n\n    {}\n\n",
                revision.id,
                revision.created,
                file.path.display(),
                file.checksum,
                revision.message
            ));
        } else {
            text.push_str(&format!(
                "{parents} -> {}{mark}, {}\n",
                revision.id, revision.message
            ));
        }
    }
    output::stdout(&text).map_err(CliError::Output)?;
    Ok(Outcome::Success)
}

pub fn heads(global: &GlobalArgs) -> Result<Outcome, CliError> {
    let project = Project::load(global)?;
    let heads = project.graph.heads();
    let text: String = heads.iter().map(|h| format!("{}\n", line(h))).collect();
    output::stdout(&text).map_err(CliError::Output)?;
    if heads.len() > 1 && !global.quiet {
        let ids: Vec<&str> = heads.iter().map(|h| h.revision.id.as_str()).collect();
        output::warning(&format!(
            "{} heads: join them with `autogen merge -m MSG {}`",
            heads.len(),
            ids.join(" ")
        ));
    }
    Ok(Outcome::Success)
}

fn line(file: &RevisionFile) -> String {
    format!("{} {}", file.revision.id, file.revision.message)
}

pub fn show(global: &GlobalArgs, args: &ShowArgs) -> Result<Outcome, CliError> {
    let project = Project::load(global)?;
    let file = match args.revision.as_str() {
        "head" => project.graph.single_head()?.ok_or(CliError::NoRevisions)?,
        prefix => project.graph.resolve(prefix)?,
    };
    let text = std::fs::read_to_string(&file.path).map_err(|source| CliError::ReadFile {
        path: file.path.clone(),
        source,
    })?;
    output::stdout(&text).map_err(CliError::Output)?;
    Ok(Outcome::Success)
}
