//! `autogen lint [REV…] [--deny HAZARD]`: the hazards of the statements in revision files,
//! classified from their SQL (hand-written statements too) and united with autogen's
//! `-- hazard:` comments; exit 1 when one is denied by the policy. No database needed.

use crate::cli::{FindingsFormat, GlobalArgs, LintArgs};
use crate::commands::Outcome;
use crate::error::CliError;
use crate::output;
use crate::report::{
    self,
    github::{self, Annotation, Level},
    statement::StatementReport,
};
use autogen_diff::{Hazard, hazard_names};
use autogen_engine::policy::{self, AnalyzedStatement};
use autogen_engine::{EngineError, Project};
use autogen_migrate::RevisionFile;
use serde::Serialize;

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
    // Down sections are shown, not enforced, unless --include-down: their data loss is
    // usually that of undoing the up section.
    let denied_of = |statement: &AnalyzedStatement| {
        if statement.direction != "down" || args.include_down {
            statement.denied(&deny)
        } else {
            Vec::new()
        }
    };
    let summary = Summary {
        revisions: files.len(),
        statements: statements.len(),
        with_hazards: statements
            .iter()
            .filter(|statement| !statement.hazards.is_empty())
            .count(),
        unclassified: statements
            .iter()
            .filter(|statement| !statement.classified)
            .count(),
        denied: statements
            .iter()
            .filter(|statement| !denied_of(statement).is_empty())
            .count(),
    };
    match args.format {
        FindingsFormat::Text => print_text(&statements, &denied_of, global.verbose > 0)?,
        FindingsFormat::Json => {
            let deny: Vec<Hazard> = deny.iter().copied().collect();
            report::print_json(&LintReport {
                deny: &deny,
                include_down: args.include_down,
                statements: statements
                    .iter()
                    .map(|statement| StatementReport::new(statement, denied_of(statement)))
                    .collect(),
                summary: &summary,
            })?
        }
        FindingsFormat::Github => {
            let annotations: Vec<Annotation> = statements
                .iter()
                .filter_map(|statement| annotation(statement, &denied_of(statement)))
                .collect();
            output::stdout(&github::render(&annotations)).map_err(CliError::Output)?
        }
    }

    let text = format!(
        "{} revision(s), {} statement(s): {} with hazards, {} unclassified",
        summary.revisions, summary.statements, summary.with_hazards, summary.unclassified
    );
    if summary.denied > 0 {
        output::error(&format!(
            "{text}; {} with a denied hazard (deny: {})",
            summary.denied,
            hazard_names(&deny.iter().copied().collect::<Vec<_>>())
        ));
        Ok(Outcome::Differences)
    } else {
        output::note(&text);
        Ok(Outcome::Success)
    }
}

/// `path:line: [hazards] statement` for each statement with hazards (every one when
/// `verbose`), `cannot classify` for the unrecognized ones.
fn print_text(
    statements: &[AnalyzedStatement],
    denied_of: &dyn Fn(&AnalyzedStatement) -> Vec<Hazard>,
    verbose: bool,
) -> Result<(), CliError> {
    let mut text = String::new();
    for statement in statements {
        let denied = denied_of(statement);
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
        } else if !statement.hazards.is_empty() || verbose {
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
    output::stdout(&text).map_err(CliError::Output)
}

/// The annotation of one statement: an error when a hazard is denied, a warning for other
/// hazards and for statements autogen cannot classify, none for a harmless statement.
fn annotation(statement: &AnalyzedStatement, denied: &[Hazard]) -> Option<Annotation> {
    let section = statement.direction;
    let (level, title) = if !denied.is_empty() {
        (
            Level::Error,
            format!("denied hazard ({section}): {}", hazard_names(denied)),
        )
    } else if !statement.classified {
        (Level::Warning, format!("cannot classify ({section})"))
    } else if !statement.hazards.is_empty() {
        (
            Level::Warning,
            format!("hazard ({section}): {}", hazard_names(&statement.hazards)),
        )
    } else {
        return None;
    };
    Some(Annotation {
        level,
        file: Some(report::display_path(&statement.path)),
        line: Some(statement.line),
        title,
        message: statement.sql.clone(),
    })
}

/// `autogen lint --format json` (docs/json.md).
#[derive(Serialize)]
struct LintReport<'a> {
    /// The hazards denied: `[policy] deny` and `--deny`.
    deny: &'a [Hazard],
    /// Whether down sections are enforced.
    include_down: bool,
    /// Every statement of the linted revisions, in file order.
    statements: Vec<StatementReport>,
    summary: &'a Summary,
}

#[derive(Serialize)]
struct Summary {
    revisions: usize,
    statements: usize,
    with_hazards: usize,
    unclassified: usize,
    /// Statements with a denied hazard: exit 1 when not 0.
    denied: usize,
}
