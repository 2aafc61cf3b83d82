//! `autogen check`: fail (exit 1) when the models and the revisions disagree (a revision is
//! missing), or with `--database-url` when that database has drifted from the revisions
//! (hand edits, or revisions not applied).

use crate::cli::{CheckArgs, GlobalArgs};
use crate::commands::Outcome;
use crate::error::CliError;
use crate::output;
use crate::plan_text;
use crate::policy;
use crate::project::Project;
use crate::source::inspect_options;
use crate::verify;
use autogen_diff::Hazard;
use autogen_schema::Catalog;

pub async fn run(global: &GlobalArgs, args: &CheckArgs) -> Result<Outcome, CliError> {
    let project = Project::load(global)?;
    let head = project
        .graph
        .single_head()?
        .map(|head| head.revision.id.clone());
    let at_head = match &head {
        Some(id) => format!("revisions (head {id})"),
        None => "revisions (none yet)".to_string(),
    };
    let options = inspect_options(&[], &[]);
    let dev = project.dev(global);
    let models = autogen_model::load_models(&project.config.model_paths)?;
    // Independent work in two databases of the dev server: run them at the same time.
    let (replayed, desired) = tokio::try_join!(
        project.replayed(&dev, &options),
        crate::normalize::normalize(&models, &dev, &options)
    )?;
    let (revisions, views, desired) = (replayed.catalog, replayed.views, desired.catalog);

    let mut agree = true;
    let deny = policy::denied(&project.config.deny, &args.deny);
    // Statements with a denied hazard: where (a file:line, or the would-be revision), the
    // statement's first line, and the denied hazards.
    let mut violations: Vec<(String, String, Vec<Hazard>)> = Vec::new();
    // What `autogen revision` would write: the online plan when the project asks for it.
    let plan = |from: &Catalog, to: &Catalog| project.plan(false, from, to, &views);
    let up = plan(&revisions, &desired)?;
    for statement in &up.statements {
        let denied: Vec<Hazard> = statement
            .hazards
            .iter()
            .filter(|hazard| deny.contains(hazard))
            .copied()
            .collect();
        if !denied.is_empty() {
            violations.push((
                "new revision".to_string(),
                policy::first_line(&statement.sql),
                denied,
            ));
        }
    }
    if !up.is_empty() {
        agree = false;
        if !args.no_verify {
            let down = plan(&desired, &revisions)?;
            verify::verify(
                &dev,
                &options,
                &revisions,
                &views,
                &desired,
                &up,
                Some(&down),
            )
            .await?;
        }
        output::error("the models differ from the revisions: a new revision is needed");
        print_diff(&revisions, &desired, &at_head, "models")?;
        output::stdout(&format!(
            "\n-- `autogen revision` would write:\n{}",
            plan_text::sql_with_hazards(&up)
        ))
        .map_err(CliError::Output)?;
    }

    let mut checked = "the models match the revisions".to_string();
    if let Some(url) = &global.database_url {
        let spec = autogen_pg::ConnectionSpec::parse(url)?;
        let mut client = spec.connect().await?;
        let (applied, expected) = project.applied_and_head(&client).await?;
        // The up sections `autogen upgrade` would run on this database.
        for file in project.graph.ordered() {
            if expected.contains(&file.revision.id) && !applied.contains(&file.revision.id) {
                for statement in policy::analyze_revision(file, false) {
                    let denied = statement.denied(&deny);
                    if !denied.is_empty() {
                        violations.push((statement.location(), statement.first_line, denied));
                    }
                }
            }
        }
        if applied != expected {
            agree = false;
            let missing = expected.difference(&applied).count();
            let unknown = applied.difference(&expected).count();
            output::error(&format!(
                "database {} is not at the head of the revisions ({missing} not applied, {unknown} applied that the head does not include): `autogen upgrade`",
                spec.redacted()
            ));
        }
        let live = autogen_introspect::inspect(&mut client, &options)
            .await?
            .catalog;
        let drift = autogen_diff::plan(&revisions, &live)?;
        if !drift.is_empty() {
            agree = false;
            output::error(&format!(
                "database {} differs from the schema the revisions produce (hand edits?)",
                spec.redacted()
            ));
            print_diff(&revisions, &live, &at_head, "database")?;
        }
        checked = format!("{checked} and database {}", spec.redacted());
    }
    if !violations.is_empty() {
        agree = false;
        let mut text = String::new();
        for (location, statement, denied) in &violations {
            text.push_str(&format!(
                "{location}: denied [{}]: {statement}\n",
                policy::names(denied.iter().copied())
            ));
        }
        output::stdout(&text).map_err(CliError::Output)?;
        output::error(&format!(
            "{} statement(s) with a hazard the policy denies ({})",
            violations.len(),
            policy::names(deny.iter().copied())
        ));
    }
    if agree {
        let head = head.map_or("no revisions yet".to_string(), |id| format!("head {id}"));
        output::stdout(&format!("ok: {checked} ({head})\n")).map_err(CliError::Output)?;
        Ok(Outcome::Success)
    } else {
        Ok(Outcome::Differences)
    }
}

/// A unified diff of the two canonical dumps.
fn print_diff(
    from: &Catalog,
    to: &Catalog,
    from_label: &str,
    to_label: &str,
) -> Result<(), CliError> {
    let (from_sql, to_sql) = (from.to_sql(), to.to_sql());
    let diff = similar::TextDiff::from_lines(&from_sql, &to_sql)
        .unified_diff()
        .context_radius(3)
        .header(from_label, to_label)
        .to_string();
    output::unified_diff(&diff).map_err(CliError::Output)
}
