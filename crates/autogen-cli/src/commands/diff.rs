//! `autogen diff --from SRC --to SRC`: the verified plan that turns one schema into another.

use crate::cli::{DiffArgs, DiffFormat, GlobalArgs};
use crate::commands::Outcome;
use crate::error::CliError;
use crate::output;
use crate::plan_text;
use autogen_diff::{OnlineOptions, Plan, UnmanagedDifference};
use autogen_engine::{Config, EngineError, PlanOptions, Session, Source, Verification};
use serde::Serialize;

pub async fn run(global: &GlobalArgs, args: &DiffArgs) -> Result<Outcome, CliError> {
    let from = Source::parse(&args.from)?;
    let to = Source::parse(&args.to)?;
    // The diff needs no project; in one, its [dev] url and [online] settings apply.
    let config = Config::load_optional(global.config.as_deref())?;
    let options = autogen_engine::inspect_options(&args.schemas, &args.exclude_schemas);
    let session = Session::new(&global.settings(), config.as_ref(), options);
    // Independent reads (or work in two dev databases): at the same time.
    let ((current, from_intent), (desired, to_intent)) =
        tokio::try_join!(session.schema(&from), session.schema(&to))?;
    // What the TO models say was renamed, and what the FROM models say, the other way.
    let intent = to_intent.merged(from_intent.reversed());
    let how = PlanOptions {
        online: match &config {
            Some(config) => config.online_plan(args.online),
            None => args.online.then(OnlineOptions::default),
        },
        verify: !args.no_verify,
        current_chain: from.revision_graph()?,
    };
    if !global.quiet {
        for (side, inspection, source) in [("FROM", &current, &from), ("TO", &desired, &to)] {
            if !inspection.unsupported_known {
                output::note(&format!(
                    "{side} ({}) is a JSON schema: it holds only what autogen manages, so objects \
                     of other kinds (policies, grants, partitions, …) are not compared",
                    source.describe()
                ));
            }
        }
    }
    let migration = session.migration(&current, &desired, &intent, &how).await?;
    if migration.is_empty() {
        if !global.quiet {
            output::note("no changes");
        }
        return Ok(Outcome::Success);
    }
    // The down plan is the plan of the reverse diff; some reverses are not supported yet.
    if let (true, Err(error)) = (args.down, &migration.down) {
        return Err(EngineError::Diff(error.clone()).into());
    }
    if !global.quiet {
        match (&migration.verification, &migration.down) {
            (Verification::Skipped, _) if !migration.up.is_empty() => {
                output::warning("--no-verify: the plan was not checked against PostgreSQL")
            }
            (Verification::Verified { down: false }, Err(error)) => {
                output::warning(&format!("the down plan was not verified: {error}"))
            }
            _ => {}
        }
    }
    let up = &migration.up;
    let down = migration.down.as_ref().ok();
    let shown = if args.down { down.unwrap_or(up) } else { up };
    let unmanaged = &migration.unmanaged;
    let text = match args.format {
        DiffFormat::Sql => format!(
            "{}{}",
            plan_text::sql_with_hazards(shown),
            plan_text::unmanaged_comments(unmanaged, "FROM", "TO")
        ),
        DiffFormat::Summary => format!(
            "{}{}",
            summary(shown),
            unmanaged
                .iter()
                .map(|d| format!("not planned: {}\n", d.describe("FROM", "TO")))
                .collect::<String>()
        ),
        DiffFormat::Json => json(up, down, unmanaged),
    };
    output::stdout(&text).map_err(CliError::Output)?;
    if !global.quiet {
        plan_text::hazard_summary(shown);
        plan_text::rename_hints(&migration.hints);
    }
    if !unmanaged.is_empty() {
        // The plan is incomplete: a script must not take it for the whole difference.
        plan_text::unmanaged_error(unmanaged, "FROM", "TO");
        return Ok(Outcome::Differences);
    }
    Ok(if args.exit_code {
        Outcome::Differences
    } else {
        Outcome::Success
    })
}

fn summary(plan: &Plan) -> String {
    let mut text = String::new();
    for statement in &plan.statements {
        text.push_str(&statement.change);
        if !statement.hazards.is_empty() {
            text.push_str(&format!(
                "  [{}]",
                autogen_diff::hazard_names(&statement.hazards)
            ));
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
    /// Objects of kinds autogen does not manage that differ (`only_in_current` is FROM):
    /// neither plan includes them.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    unmanaged: &'a [UnmanagedDifference],
}

fn json(up: &Plan, down: Option<&Plan>, unmanaged: &[UnmanagedDifference]) -> String {
    // Plain data with string keys: serializing cannot fail.
    let mut text = serde_json::to_string_pretty(&JsonOutput {
        up,
        down,
        unmanaged,
    })
    .unwrap_or_default();
    text.push('\n');
    text
}
