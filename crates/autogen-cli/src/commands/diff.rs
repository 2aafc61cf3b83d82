//! `autogen diff --from SRC --to SRC`: the verified plan that turns one schema into another.

use crate::cli::{DiffArgs, DiffFormat, GlobalArgs};
use crate::commands::Outcome;
use crate::dev::DevPool;
use crate::error::CliError;
use crate::output;
use crate::source::Source;
use crate::verify;
use autogen_diff::{Hazard, Plan};
use autogen_introspect::InspectOptions;
use serde::Serialize;
use std::collections::BTreeMap;

pub async fn run(global: &GlobalArgs, args: &DiffArgs) -> Result<Outcome, CliError> {
    let from = Source::parse(&args.from)?;
    let to = Source::parse(&args.to)?;
    let options = InspectOptions {
        include_schemas: args.schemas.clone(),
        exclude_schemas: args.exclude_schemas.clone(),
    };
    let dev = DevPool::new(global.dev_url.clone());
    let current = from.inspect(&options, &dev).await?.catalog;
    let desired = to.inspect(&options, &dev).await?.catalog;

    let up = autogen_diff::plan(&current, &desired)?;
    if up.statements.is_empty() {
        if !global.quiet {
            output::note("no changes");
        }
        return Ok(Outcome::Success);
    }
    // The down plan is the plan of the reverse diff; some reverses are not supported yet.
    let down = autogen_diff::plan(&desired, &current);
    if let (true, Err(error)) = (args.down, &down) {
        return Err(CliError::Diff(error.clone()));
    }
    if args.no_verify {
        if !global.quiet {
            output::warning("--no-verify: the plan was not checked against PostgreSQL");
        }
    } else {
        let verified =
            verify::verify(&dev, &options, &current, &desired, &up, down.as_ref().ok()).await?;
        if let (false, false, Err(error)) = (verified.down, global.quiet, &down) {
            output::warning(&format!("the down plan was not verified: {error}"));
        }
    }

    let shown = if args.down {
        down.as_ref().unwrap_or(&up)
    } else {
        &up
    };
    let text = match args.format {
        DiffFormat::Sql => sql_with_hazards(shown),
        DiffFormat::Summary => summary(shown),
        DiffFormat::Json => json(&up, down.as_ref().ok()),
    };
    output::stdout(&text).map_err(CliError::Output)?;
    if !global.quiet {
        hazard_summary(shown);
    }
    Ok(if args.exit_code {
        Outcome::Differences
    } else {
        Outcome::Success
    })
}

fn hazard_list(hazards: &[Hazard]) -> String {
    if hazards.is_empty() {
        "none".to_string()
    } else {
        hazards
            .iter()
            .map(Hazard::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Each statement under a `-- hazard:` comment, as in revision files.
fn sql_with_hazards(plan: &Plan) -> String {
    let mut text = String::new();
    for statement in &plan.statements {
        text.push_str(&format!("-- hazard: {}\n", hazard_list(&statement.hazards)));
        text.push_str(&statement.sql);
        text.push('\n');
    }
    text
}

fn summary(plan: &Plan) -> String {
    let mut text = String::new();
    for statement in &plan.statements {
        text.push_str(&statement.change);
        if !statement.hazards.is_empty() {
            text.push_str(&format!("  [{}]", hazard_list(&statement.hazards)));
        }
        text.push('\n');
    }
    text
}

#[derive(Serialize)]
struct JsonOutput<'a> {
    up: &'a Plan,
    /// Absent when the reverse plan is not supported yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    down: Option<&'a Plan>,
}

fn json(up: &Plan, down: Option<&Plan>) -> String {
    // Plain data with string keys: serializing cannot fail.
    let mut text = serde_json::to_string_pretty(&JsonOutput { up, down }).unwrap_or_default();
    text.push('\n');
    text
}

/// One stderr line counting the statements per hazard, so risk is visible at a glance.
fn hazard_summary(plan: &Plan) {
    let mut counts: BTreeMap<Hazard, usize> = BTreeMap::new();
    for statement in &plan.statements {
        for hazard in &statement.hazards {
            *counts.entry(*hazard).or_default() += 1;
        }
    }
    let risky = [
        Hazard::DataLoss,
        Hazard::TableRewrite,
        Hazard::MayFailOnExistingRows,
    ];
    let flagged: Vec<String> = counts
        .iter()
        .filter(|(hazard, _)| risky.contains(hazard))
        .map(|(hazard, count)| format!("{count} × {hazard}"))
        .collect();
    if !flagged.is_empty() {
        output::warning(&format!(
            "{} statement(s), hazards: {}",
            plan.statements.len(),
            flagged.join(", ")
        ));
    }
}
