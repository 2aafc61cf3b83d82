//! `autogen pull [SRC]`: a schema written as Rust models and SQL declarations, proven by
//! normalizing the written files and comparing them with the source.

use crate::cli::{GlobalArgs, PullArgs};
use crate::commands::Outcome;
use crate::error::CliError;
use crate::output;
use autogen_engine::{Config, EngineError, PullTarget, Pulled, Session, Source};

pub async fn run(global: &GlobalArgs, args: &PullArgs) -> Result<Outcome, CliError> {
    let text = match &args.source {
        Some(text) => text.clone(),
        None => global
            .database_url
            .clone()
            .or_else(autogen_engine::database_url_from_environment)
            .ok_or(EngineError::NoDatabase)?,
    };
    let source = Source::parse(&text)?;
    let mut options = autogen_engine::inspect_options(&args.schemas, &args.exclude_schemas);
    // Another migration tool's tracking table is bookkeeping, never a model.
    if let Source::Database(spec) = &source {
        let histories = super::history::detect(spec).await?;
        if !global.quiet {
            for history in &histories {
                output::note(&format!("found {} (not pulled)", history.describe()));
            }
        }
        options = autogen_engine::ignoring_histories(options, &histories);
    }
    // In a project, its [dev] url applies.
    let config = Config::load_optional(global.config.as_deref())?;
    let session = Session::new(&global.settings(), config.as_ref(), options);
    let target = PullTarget {
        models: args.out.join(&args.models),
        sql: args.out.join(&args.sql),
    };
    let pulled = pull(
        &session,
        &source,
        &target,
        args.allow_unwritten,
        global.quiet,
    )
    .await?;
    if !global.quiet {
        // As an autogen.toml in --out would say them.
        let mut settings = Vec::new();
        if pulled.has_models() {
            settings.push(format!("paths = [{:?}]", args.models.display().to_string()));
        }
        if pulled.sql_statements > 0 {
            settings.push(format!("sql = [{:?}]", args.sql.display().to_string()));
        }
        if !settings.is_empty() {
            output::note(&format!(
                "point autogen.toml at them: [models] {} (for an autogen.toml in {})",
                settings.join(", "),
                args.out.display()
            ));
        }
    }
    Ok(Outcome::Success)
}

/// Reads `source`, refuses (unless `allow_unwritten`) when it holds objects autogen does not
/// model, writes the files under `target` and proves them against the source.
pub(crate) async fn pull(
    session: &Session,
    source: &Source,
    target: &PullTarget,
    allow_unwritten: bool,
    quiet: bool,
) -> Result<Pulled, CliError> {
    let (inspection, _) = session.schema(source).await?;
    if !inspection.unsupported.is_empty() {
        let count = inspection
            .unsupported
            .iter()
            .map(|group| group.objects.len())
            .sum();
        let objects: Vec<String> = inspection
            .unsupported
            .iter()
            .map(|group| format!("  {}", group.describe(usize::MAX)))
            .collect();
        let objects = objects.join("\n");
        if !allow_unwritten {
            return Err(CliError::Unwritten { count, objects });
        }
        if !quiet {
            output::warning(&format!(
                "{count} object(s) of kinds autogen does not model yet are left out (--allow-unwritten):\n{objects}"
            ));
        }
    }
    let pulled = autogen_engine::write_pulled(&inspection.catalog, target)?;
    // The paths written are the command's output (like `revision`'s), also with -q.
    for file in &pulled.files {
        output::stdout(&format!("{}\n", file.display())).map_err(CliError::Output)?;
    }
    if !quiet {
        output::note(&format!(
            "wrote {} struct(s), {} enum(s) and {} SQL declaration(s) from {}",
            pulled.structs,
            pulled.enums,
            pulled.sql_statements,
            source.describe()
        ));
    }
    let differences = session.pulled_differences(&inspection, &pulled).await?;
    if !differences.is_empty() {
        let differences: Vec<String> = differences
            .iter()
            .map(|difference| format!("  {difference}"))
            .collect();
        return Err(CliError::PullDiffers {
            differences: differences.join("\n"),
        });
    }
    if !quiet {
        output::note("checked: the written files normalize to exactly the source's schema");
    }
    Ok(pulled)
}
