//! `autogen inspect SRC`: the canonical schema of a source.

use crate::cli::{GlobalArgs, InspectArgs, InspectFormat};
use crate::commands::Outcome;
use crate::error::CliError;
use crate::output;
use autogen_engine::{Config, Session, Source};
use autogen_introspect::UnsupportedObjects;

pub async fn run(global: &GlobalArgs, args: &InspectArgs) -> Result<Outcome, CliError> {
    let source = Source::parse(&args.source)?;
    let options = autogen_engine::inspect_options(&args.schemas, &args.exclude_schemas);
    tracing::info!("inspecting {}", source.describe());
    // In a project, its [dev] url applies.
    let config = Config::load_optional(global.config.as_deref())?;
    let session = Session::new(&global.settings(), config.as_ref(), options);
    let (inspection, _) = session.schema(&source).await?;
    if !global.quiet {
        warn_unsupported(&inspection.unsupported);
    }
    let text = match args.format {
        InspectFormat::Sql => inspection.catalog.to_sql(),
        InspectFormat::Json => inspection.catalog.to_json(),
    };
    if text.is_empty() && !global.quiet {
        output::note(&format!("{} holds no schema objects", source.describe()));
    }
    output::stdout(&text).map_err(CliError::Output)?;
    // The process ends right after: freeing a large catalog piece by piece (tens of
    // milliseconds at 5,000 tables) would only delay the exit.
    std::mem::forget(inspection);
    std::mem::forget(text);
    Ok(Outcome::Success)
}

/// Names everything that was left out, so nothing disappears silently.
fn warn_unsupported(unsupported: &[UnsupportedObjects]) {
    if unsupported.is_empty() {
        return;
    }
    let total: usize = unsupported.iter().map(|group| group.objects.len()).sum();
    let mut message = format!(
        "{total} object{} not modeled by autogen yet {} left out of this schema:",
        if total == 1 { " is" } else { "s are" },
        if total == 1 { "and is" } else { "and are" },
    );
    for group in unsupported {
        message.push_str("\n  ");
        message.push_str(&group.describe(5));
    }
    output::warning(&message);
}
