//! `autogen lint [REV…] [--deny HAZARD]`: the hazards of the statements in revision files,
//! classified from their SQL (hand-written statements too) and united with autogen's
//! `-- hazard:` comments; exit 1 when one is denied by the policy. No database needed.

use crate::cli::{GlobalArgs, LintArgs};
use crate::commands::Outcome;
use crate::error::CliError;
use crate::output;
use autogen_diff::hazard_names;
use autogen_engine::policy::{self, AnalyzedStatement};
use autogen_engine::{EngineError, Project};
use autogen_migrate::RevisionFile;

pub fn run(global: &GlobalArgs, args: &LintArgs) -> Result<Outcome, CliError> {
    let project = Project::load(&global.settings())?;
    let deny = policy::denied(&project.config.deny, &args.deny);
    let files: Vec<&RevisionFile> = if args.revisions.is_empty() {
        project.graph.ordered()
    } else {
        let mut files = Vec::new();
        for text in &args.revisions {
            let file = if text == "head" {
                project
                    .graph
                    .single_head()?
                    .ok_or(EngineError::NoRevisions)?
            } else {
                project.graph.resolve(text)?
            };
            if !files
                .iter()
                .any(|seen: &&RevisionFile| seen.revision.id == file.revision.id)
            {
                files.push(file);
            }
        }
        files
    };

    let statements: Vec<AnalyzedStatement> = files
        .iter()
        .flat_map(|file| policy::analyze_revision(file, true))
        .collect();
    let mut text = String::new();
    let mut denied_count = 0;
    for statement in &statements {
        let enforced = statement.direction != "down" || args.include_down;
        let denied = if enforced {
            statement.denied(&deny)
        } else {
            Vec::new()
        };
        if !denied.is_empty() {
            denied_count += 1;
        }
        // Down sections are marked: their data loss is usually that of undoing the up, so the
        // policy applies to them only with --include-down.
        let section = if statement.direction == "down" {
            "down "
        } else {
            ""
        };
        let mut line = format!("{}: {section}", statement.location());
        if !statement.classified {
            line.push_str("cannot classify");
            if !statement.hazards.is_empty() {
                line.push_str(&format!(
                    " (its -- hazard: comment says [{}])",
                    hazard_names(&statement.hazards)
                ));
            }
            line.push_str(": ");
        } else if !statement.hazards.is_empty() || global.verbose > 0 {
            line.push_str(&format!("[{}] ", hazard_names(&statement.hazards)));
        } else {
            continue;
        }
        line.push_str(&statement.first_line);
        if !denied.is_empty() {
            line.push_str(&format!("  <- denied: {}", hazard_names(&denied)));
        }
        text.push_str(&line);
        text.push('\n');
    }
    output::stdout(&text).map_err(CliError::Output)?;

    let with_hazards = statements
        .iter()
        .filter(|statement| !statement.hazards.is_empty())
        .count();
    let unclassified = statements
        .iter()
        .filter(|statement| !statement.classified)
        .count();
    let summary = format!(
        "{} revision(s), {} statement(s): {with_hazards} with hazards, {unclassified} unclassified",
        files.len(),
        statements.len()
    );
    if denied_count > 0 {
        output::error(&format!(
            "{summary}; {denied_count} with a denied hazard (deny: {})",
            hazard_names(&deny.iter().copied().collect::<Vec<_>>())
        ));
        Ok(Outcome::Differences)
    } else {
        output::note(&summary);
        Ok(Outcome::Success)
    }
}
