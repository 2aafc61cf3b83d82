//! `autogen pull [SRC]`: a schema written as Rust models and SQL declarations, proven by
//! normalizing the written files and comparing them with the source.

use crate::cli::{GlobalArgs, PullArgs};
use crate::commands::Outcome;
use crate::error::CliError;
use crate::output;
use autogen_engine::{Config, EngineError, PullTarget, Pulled, Session, Source};
use std::path::PathBuf;

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
    // The proof checks routine bodies under the source's search_path, as the project will.
    let search_path = if args.search_path.is_empty() {
        config
            .as_ref()
            .map(|config| config.search_path.clone())
            .unwrap_or_default()
    } else {
        args.search_path.clone()
    };
    let pulled = pull(
        &session,
        &source,
        &target,
        &Kept {
            files: &args.with_sql,
            search_path: &search_path,
        },
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

/// What the proof of a pull reads beside the written files: hand-written declarations of
/// objects autogen does not model, and the search_path routine bodies are checked under.
pub(crate) struct Kept<'a> {
    pub files: &'a [PathBuf],
    pub search_path: &'a [String],
}

/// Reads `source`, refuses (unless `allow_unwritten`) when it holds objects autogen does not
/// model, writes the files under `target` and proves them against the source, with the
/// hand-written declarations of `kept` (which may declare such objects: then they are checked
/// after the files are written, against what they declare).
pub(crate) async fn pull(
    session: &Session,
    source: &Source,
    target: &PullTarget,
    kept: &Kept<'_>,
    allow_unwritten: bool,
    quiet: bool,
) -> Result<Pulled, CliError> {
    let Kept {
        files: keep,
        search_path,
    } = *kept;
    let (inspection, _) = session.schema(source).await?;
    if keep.is_empty() && !inspection.unsupported.is_empty() {
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
    let check = session
        .pulled_differences(&inspection, &pulled, keep, search_path)
        .await?;
    if !check.differences.is_empty() {
        let differences: Vec<String> = check
            .differences
            .iter()
            .map(|difference| format!("  {difference}"))
            .collect();
        return Err(CliError::PullDiffers {
            differences: differences.join("\n"),
        });
    }
    // With hand-written declarations, what they do not declare as the source has it.
    if !keep.is_empty() && !check.unwritten.is_empty() {
        let objects: Vec<String> = check
            .unwritten
            .iter()
            .map(|object| format!("  {object}"))
            .collect();
        let objects = objects.join("\n");
        if !allow_unwritten {
            return Err(CliError::UnwrittenAfterWriting {
                count: check.unwritten.len(),
                objects,
            });
        }
        if !quiet {
            output::warning(&format!(
                "{} object(s) of kinds autogen does not model are not declared as the source has them (--allow-unwritten):\n{objects}",
                check.unwritten.len()
            ));
        }
    }
    if !quiet {
        output::note("checked: the written files normalize to exactly the source's schema");
    }
    Ok(pulled)
}
