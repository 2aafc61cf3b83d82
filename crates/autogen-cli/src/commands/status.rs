//! Read-only views of the revisions: `current` (what the database is at), `history`,
//! `heads`, `show REV`.

use crate::cli::{GlobalArgs, ReportFormat, ShowArgs, StatusArgs};
use crate::commands::Outcome;
use crate::error::CliError;
use crate::output;
use crate::report;
use autogen_engine::{DatabaseOrigin, DatabaseStatus, EngineError, Project, connect};
use autogen_migrate::RevisionFile;
use serde::Serialize;
use std::collections::BTreeSet;

pub async fn current(global: &GlobalArgs, args: &StatusArgs) -> Result<Outcome, CliError> {
    let project = Project::load(&global.settings())?;
    let spec = project.database()?;
    let client = connect(&spec).await?;
    let status = project.status(&client).await?;
    if args.format == ReportFormat::Json {
        report::print_json(&CurrentReport::new(&project, &status, spec.redacted()))?;
        if !global.quiet {
            warn_edited(&status);
        }
        return Ok(Outcome::Success);
    }
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

/// `autogen current --format json` (docs/json.md).
#[derive(Serialize)]
struct CurrentReport {
    /// The database, its password redacted.
    database: String,
    /// Where the database is: the applied revisions no other applied one descends from
    /// (empty at base; more than one on branches).
    current: Vec<RevisionRef>,
    /// Every applied revision id, sorted.
    applied: Vec<String>,
    /// Revisions of the directory not applied, in upgrade order.
    pending: Vec<String>,
    /// Applied revisions whose file changed since (`autogen upgrade` refuses them).
    edited_since_applied: Vec<EditedRevision>,
    /// Applied revisions that are not in the migrations directory.
    unknown: Vec<String>,
}

#[derive(Serialize)]
struct RevisionRef {
    id: String,
    /// Null when the revision is not in the migrations directory.
    message: Option<String>,
    head: bool,
}

#[derive(Serialize)]
struct EditedRevision {
    id: String,
    file: String,
}

impl CurrentReport {
    fn new(project: &Project, status: &DatabaseStatus, database: String) -> Self {
        let heads = head_ids(project);
        CurrentReport {
            database,
            current: tips(project, &status.applied)
                .into_iter()
                .map(|id| RevisionRef {
                    message: project
                        .graph
                        .get(&id)
                        .map(|file| file.revision.message.clone()),
                    head: heads.contains(&id),
                    id,
                })
                .collect(),
            applied: status.applied.iter().cloned().collect(),
            pending: project
                .graph
                .ordered()
                .iter()
                .filter(|file| !status.applied.contains(&file.revision.id))
                .map(|file| file.revision.id.clone())
                .collect(),
            edited_since_applied: edited(status),
            unknown: status.unknown.clone(),
        }
    }
}

fn edited(status: &DatabaseStatus) -> Vec<EditedRevision> {
    status
        .edited
        .iter()
        .map(|(id, path)| EditedRevision {
            id: id.clone(),
            file: report::display_path(path),
        })
        .collect()
}

fn head_ids(project: &Project) -> BTreeSet<String> {
    project
        .graph
        .heads()
        .iter()
        .map(|h| h.revision.id.clone())
        .collect()
}

/// The applied revisions no other applied revision descends from: where the database is.
pub fn tips(project: &Project, applied: &BTreeSet<String>) -> Vec<String> {
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
            "{}: revision {id} was edited after it was applied (its checksum differs from the recorded one); `autogen upgrade` refuses it: {}",
            path.display(),
            status.edited_fix
        ));
    }
}

pub async fn history(global: &GlobalArgs, args: &StatusArgs) -> Result<Outcome, CliError> {
    let project = Project::load(&global.settings())?;
    let status = database_status(&project, global.quiet).await?;
    let heads = head_ids(&project);
    let current: BTreeSet<String> = status
        .as_ref()
        .map(|status| tips(&project, &status.applied).into_iter().collect())
        .unwrap_or_default();
    let edited: BTreeSet<&str> = status
        .iter()
        .flat_map(|status| status.edited.iter().map(|(id, _)| id.as_str()))
        .collect();
    if args.format == ReportFormat::Json {
        report::print_json(&HistoryReport::new(
            &project,
            status.as_ref(),
            &heads,
            &current,
        ))?;
        if let (Some(status), false) = (&status, global.quiet) {
            warn_edited(status);
        }
        return Ok(Outcome::Success);
    }
    let mut text = String::new();
    for file in project.graph.ordered().iter().rev() {
        let revision = &file.revision;
        let parents = if revision.parents.is_empty() {
            "<base>".to_string()
        } else {
            revision.parents.join(", ")
        };
        let mut marks = Vec::new();
        if let Some(phase) = revision.phase {
            marks.push(match phase {
                autogen_migrate::RevisionPhase::Expand => "expand",
                autogen_migrate::RevisionPhase::Contract => "contract",
            });
        }
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
            // An imported revision says where it came from.
            let origin = match &revision.origin {
                Some(origin) => format!("Origin: {origin}\n"),
                None => String::new(),
            };
            text.push_str(&format!(
                "Revision: {}{mark}\nParents: {parents}\nCreated: {}\nFile: {}\nChecksum: {}\n{origin}\n    {}\n\n",
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

/// `autogen history --format json` (docs/json.md).
#[derive(Serialize)]
struct HistoryReport {
    /// Newest first, as the text lists them.
    revisions: Vec<HistoryRevision>,
    heads: Vec<String>,
    /// Null without a database (or when a configured one cannot be reached: a warning says
    /// so); else the revisions it is at (empty at base).
    current: Option<Vec<String>>,
}

#[derive(Serialize)]
struct HistoryRevision {
    id: String,
    message: String,
    /// Empty for a revision on the base.
    parents: Vec<String>,
    created: String,
    file: String,
    checksum: String,
    /// Where an imported revision came from (its `-- origin:` header); absent for autogen's
    /// own, so their documents stay as they were.
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<String>,
    /// `expand` or `contract` (its `-- phase:` header); absent for an ordinary revision.
    #[serde(skip_serializing_if = "Option::is_none")]
    phase: Option<&'static str>,
    head: bool,
    /// More than one revision names it as a parent.
    branch_point: bool,
    /// Null without a database.
    applied: Option<bool>,
    current: bool,
    edited_since_applied: bool,
}

impl HistoryReport {
    fn new(
        project: &Project,
        status: Option<&DatabaseStatus>,
        heads: &BTreeSet<String>,
        current: &BTreeSet<String>,
    ) -> Self {
        let ordered = project.graph.ordered();
        let children = |id: &str| {
            ordered
                .iter()
                .filter(|file| file.revision.parents.iter().any(|parent| parent == id))
                .count()
        };
        let revisions = ordered
            .iter()
            .rev()
            .map(|file| {
                let id = &file.revision.id;
                HistoryRevision {
                    id: id.clone(),
                    message: file.revision.message.clone(),
                    parents: file.revision.parents.clone(),
                    created: file.revision.created.to_string(),
                    file: report::display_path(&file.path),
                    checksum: file.checksum.to_string(),
                    origin: file.revision.origin.clone(),
                    phase: file
                        .revision
                        .phase
                        .map(autogen_migrate::RevisionPhase::name),
                    head: heads.contains(id),
                    branch_point: children(id) > 1,
                    applied: status.map(|status| status.applied.contains(id)),
                    current: current.contains(id),
                    edited_since_applied: status
                        .is_some_and(|status| status.edited.iter().any(|(edited, _)| edited == id)),
                }
            })
            .collect();
        HistoryReport {
            revisions,
            heads: heads.iter().cloned().collect(),
            current: status.map(|_| current.iter().cloned().collect()),
        }
    }
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

pub fn heads(global: &GlobalArgs, args: &StatusArgs) -> Result<Outcome, CliError> {
    let project = Project::load(&global.settings())?;
    let heads = project.graph.heads();
    match args.format {
        ReportFormat::Text => {
            let text: String = heads.iter().map(|h| format!("{}\n", line(h))).collect();
            output::stdout(&text).map_err(CliError::Output)?;
        }
        ReportFormat::Json => report::print_json(&HeadsReport {
            heads: heads
                .iter()
                .map(|file| HeadRevision {
                    id: file.revision.id.clone(),
                    message: file.revision.message.clone(),
                    parents: file.revision.parents.clone(),
                    file: report::display_path(&file.path),
                })
                .collect(),
        })?,
    }
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

/// `autogen heads --format json` (docs/json.md): more than one head means branches to merge.
#[derive(Serialize)]
struct HeadsReport {
    heads: Vec<HeadRevision>,
}

#[derive(Serialize)]
struct HeadRevision {
    id: String,
    message: String,
    parents: Vec<String>,
    file: String,
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
