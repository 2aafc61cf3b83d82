//! `autogen diff --from SRC --to SRC`: the verified plan that turns one schema into another.

use crate::cli::{DiffArgs, DiffFormat, GlobalArgs};
use crate::commands::Outcome;
use crate::dev::DevPool;
use crate::error::CliError;
use crate::output;
use crate::plan_text::{self, hazard_list};
use crate::source::Source;
use crate::verify;
use autogen_diff::Plan;
use serde::Serialize;

pub async fn run(global: &GlobalArgs, args: &DiffArgs) -> Result<Outcome, CliError> {
    let from = Source::parse(&args.from)?;
    let to = Source::parse(&args.to)?;
    let options = crate::source::inspect_options(&args.schemas, &args.exclude_schemas);
    let dev = DevPool::new(
        global.dev_url.clone(),
        crate::cache::Cache::for_run(global.no_cache),
    );
    // Independent reads (or work in two dev databases): at the same time.
    let (current, desired) =
        tokio::try_join!(from.inspect(&options, &dev), to.inspect(&options, &dev))?;
    let (current, views, desired) = (current.catalog, current.views, desired.catalog);

    let online = online_options(global, args)?;
    let plan = |from: &autogen_schema::Catalog, to: &autogen_schema::Catalog| {
        autogen_diff::plan_keeping_views(from, to, online.as_ref(), &views)
    };
    let up = plan(&current, &desired)?;
    if up.statements.is_empty() {
        if !global.quiet {
            output::note("no changes");
        }
        return Ok(Outcome::Success);
    }
    // The down plan is the plan of the reverse diff; some reverses are not supported yet.
    let down = plan(&desired, &current);
    if let (true, Err(error)) = (args.down, &down) {
        return Err(CliError::Diff(error.clone()));
    }
    if args.no_verify {
        if !global.quiet {
            output::warning("--no-verify: the plan was not checked against PostgreSQL");
        }
    } else {
        let verified = verify::verify(
            &dev,
            &options,
            &current,
            &views,
            &desired,
            &up,
            down.as_ref().ok(),
        )
        .await?;
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
        DiffFormat::Sql => plan_text::sql_with_hazards(shown),
        DiffFormat::Summary => summary(shown),
        DiffFormat::Json => json(&up, down.as_ref().ok()),
    };
    output::stdout(&text).map_err(CliError::Output)?;
    if !global.quiet {
        plan_text::hazard_summary(shown);
        plan_text::rename_hints(&current, &desired);
    }
    Ok(if args.exit_code {
        Outcome::Differences
    } else {
        Outcome::Success
    })
}

/// Online mode's options when `--online` or `[online] enabled` asks for it. The diff needs no
/// project: without an autogen.toml, `--online` uses the default timeouts.
fn online_options(
    global: &GlobalArgs,
    args: &DiffArgs,
) -> Result<Option<autogen_diff::OnlineOptions>, CliError> {
    let config = match crate::config::Config::load(global.config.as_deref()) {
        Ok(config) => Some(config),
        Err(CliError::NoConfig { .. }) => None,
        Err(error) => return Err(error),
    };
    let enabled = args.online || config.as_ref().is_some_and(|config| config.online);
    Ok(enabled.then(|| {
        config
            .map(|config| config.online_options)
            .unwrap_or_default()
    }))
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
