//! Read-only views of the revisions: `current` (what the database is at), `history`,
//! `heads`, `show REV`.

use crate::cli::{GlobalArgs, ShowArgs};
use crate::commands::Outcome;
use crate::error::CliError;
use crate::output;
use autogen_engine::{DatabaseOrigin, DatabaseStatus, EngineError, Project, connect};
use autogen_migrate::RevisionFile;
use std::collections::BTreeSet;

pub async fn current(global: &GlobalArgs) -> Result<Outcome, CliError> {
    let project = Project::load(&global.settings())?;
    let spec = project.database()?;
    let client = connect(&spec).await?;
    let status = project.status(&client).await?;
    let mut text = String::new();
    if status.applied.is_empty() {
        text.push_str("base (no revisions applied)\n");
    }
    for id in tips(&project, &status.applied) {
        let head = project.graph.heads().iter().any(|h| h.revision.id == id);
        let message = project
            .graph
            .get(&id)
            .map(|file| file.revision.message.clone())
            .unwrap_or_else(|| "(not in the migrations directory)".to_string());
        text.push_str(&format!(
            "{id}{} {message}\n",
            if head { " (head)" } else { "" }
        ));
    }
    output::stdout(&text).map_err(CliError::Output)?;
    if !global.quiet {
        warn_edited(&status);
        let pending = project
            .graph
            .ordered()
            .iter()
            .filter(|file| !status.applied.contains(&file.revision.id))
            .count();
        if pending > 0 {
            output::note(&format!(
                "{pending} revision(s) not applied: `autogen upgrade` applies them"
            ));
        }
    }
    Ok(Outcome::Success)
}

/// The applied revisions no other applied revision descends from: where the database is.
fn tips(project: &Project, applied: &BTreeSet<String>) -> Vec<String> {
    applied
        .iter()
        .filter(|id| {
            !applied
                .iter()
                .any(|other| other != *id && project.graph.ancestors(other).contains(*id))
        })
        .cloned()
        .collect()
}

/// Applied revisions whose files changed since: the runner refuses them, so say so early.
pub fn warn_edited(status: &DatabaseStatus) {
    for (id, path) in &status.edited {
        output::warning(&format!(
            "{}: revision {id} was edited after it was applied (its checksum differs from the recorded one); `autogen upgrade` refuses it: undo the edit, or record the edited file with `autogen stamp`",
            path.display()
        ));
    }
}

pub async fn history(global: &GlobalArgs) -> Result<Outcome, CliError> {
    let project = Project::load(&global.settings())?;
    let status = database_status(&project, global.quiet).await?;
    let heads: BTreeSet<String> = project
        .graph
        .heads()
        .iter()
        .map(|h| h.revision.id.clone())
        .collect();
    let current: BTreeSet<String> = status
        .as_ref()
        .map(|status| tips(&project, &status.applied).into_iter().collect())
        .unwrap_or_default();
    let edited: BTreeSet<&str> = status
        .iter()
        .flat_map(|status| status.edited.iter().map(|(id, _)| id.as_str()))
        .collect();
    let mut text = String::new();
    for file in project.graph.ordered().iter().rev() {
        let revision = &file.revision;
        let parents = if revision.parents.is_empty() {
            "<base>".to_string()
        } else {
            revision.parents.join(", ")
        };
        let mut marks = Vec::new();
        if heads.contains(&revision.id) {
            marks.push("head");
        }
        if current.contains(&revision.id) {
            marks.push("current");
        }
        if edited.contains(revision.id.as_str()) {
            marks.push("edited since applied");
        }
        let mark = if marks.is_empty() {
            String::new()
        } else {
            format!(" ({})", marks.join(", "))
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
    if let (Some(status), false) = (&status, global.quiet) {
        if status.applied.is_empty() {
            output::note("the database has no revisions applied (base)");
        }
        warn_edited(status);
    }
    Ok(Outcome::Success)
}

/// Where the project's database stands, to mark `history`: `None` without a database. A
/// database named with `--database-url` must answer; one that is only configured
/// (`DATABASE_URL`, `[database] url`) and cannot be reached costs a warning, not the listing.
async fn database_status(
    project: &Project,
    quiet: bool,
) -> Result<Option<DatabaseStatus>, CliError> {
    let Some((url, origin)) = project.database_url() else {
        return Ok(None);
    };
    let read = async {
        let spec = autogen_pg::ConnectionSpec::parse(&url).map_err(EngineError::from)?;
        let client = connect(&spec).await?;
        project.status(&client).await
    };
    match read.await {
        Ok(status) => Ok(Some(status)),
        Err(error) if origin == DatabaseOrigin::Flag => Err(error.into()),
        Err(error) => {
            if !quiet {
                output::warning(&format!(
                    "cannot mark the revision the database is at: {error}"
                ));
            }
            Ok(None)
        }
    }
}

pub fn heads(global: &GlobalArgs) -> Result<Outcome, CliError> {
    let project = Project::load(&global.settings())?;
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
    let project = Project::load(&global.settings())?;
    let file = match args.revision.as_str() {
        "head" => project
            .graph
            .single_head()?
            .ok_or(EngineError::NoRevisions)?,
        prefix => project.graph.resolve(prefix)?,
    };
    let text = std::fs::read_to_string(&file.path).map_err(|source| EngineError::ReadFile {
        path: file.path.clone(),
        source,
    })?;
    output::stdout(&text).map_err(CliError::Output)?;
    Ok(Outcome::Success)
}
