//! `autogen init`: a new project's autogen.toml and migrations directory; with
//! `--from-database URL`, an adopted database's project: its schema pulled into models and SQL
//! declarations, a baseline revision, and the database stamped at it.

use crate::cli::{GlobalArgs, InitArgs, RevisionArgs};
use crate::commands::Outcome;
use crate::error::CliError;
use crate::output;
use autogen_engine::{CONFIG_FILE_NAME as FILE_NAME, Project, PullTarget, Session, Source};
use std::path::{Path, PathBuf};

/// Where `--from-database` puts the SQL declarations, relative to the project directory.
const SQL_DIR: &str = "sql";

pub async fn run(global: &GlobalArgs, args: &InitArgs) -> Result<Outcome, CliError> {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let config_path = global.config.clone().unwrap_or_else(|| dir.join(FILE_NAME));
    if config_path.exists() {
        return Err(CliError::AlreadyInitialized(config_path));
    }
    let Some(url) = &args.from_database else {
        let text = autogen_engine::template(&args.models, &args.migrations);
        write_project(&dir, &config_path, &args.migrations, &text, global.quiet)?;
        if !global.quiet {
            let models = dir.join(&args.models);
            if !models.exists() {
                output::note(&format!(
                    "models are read from {} (not there yet): put #[derive(Model)] files there or edit [models] paths",
                    models.display()
                ));
            }
            output::note("next: `autogen revision -m \"initial schema\"`");
        }
        return Ok(Outcome::Success);
    };
    adopt(global, args, &dir, &config_path, url).await
}

/// `init --from-database`: pull, configure, baseline, stamp.
async fn adopt(
    global: &GlobalArgs,
    args: &InitArgs,
    dir: &Path,
    config_path: &Path,
    url: &str,
) -> Result<Outcome, CliError> {
    let spec = autogen_pg::ConnectionSpec::parse(url)?;
    let source = Source::Database(spec.clone());
    let session = Session::new(
        &global.settings(),
        None,
        autogen_engine::inspect_options(&[], &[]),
    );
    let target = PullTarget {
        models: dir.join(&args.models),
        sql: dir.join(SQL_DIR),
    };
    let pulled = super::pull::pull(
        &session,
        &source,
        &target,
        args.allow_unwritten,
        global.quiet,
    )
    .await?;
    let text = autogen_engine::template_with(
        &args.models,
        &args.migrations,
        (pulled.sql_statements > 0).then_some(SQL_DIR),
        !pulled.has_models(),
    );
    if !pulled.has_models() {
        // [models] paths must exist: the directory new models go to, empty for now.
        std::fs::create_dir_all(&target.models).map_err(|source| CliError::WriteFile {
            path: target.models.clone(),
            source,
        })?;
    }
    write_project(dir, config_path, &args.migrations, &text, global.quiet)?;

    // The baseline is an ordinary revision from the empty chain to the pulled project (planned
    // and verified like any other), run against the revisions, never the database.
    let in_project = GlobalArgs {
        config: Some(config_path.to_path_buf()),
        database_url: None,
        dev_url: global.dev_url.clone(),
        color: global.color,
        quiet: global.quiet,
        no_cache: global.no_cache,
        verbose: global.verbose,
    };
    let baseline = RevisionArgs {
        message: "baseline".to_string(),
        empty: false,
        online: false,
        no_verify: false,
        layout: None,
    };
    let revision = super::revision::create(&in_project, &baseline).await?;
    let project = Project::load(&in_project.settings())?;
    let revisions: Vec<String> = revision.into_iter().collect();
    super::stamp::record(&spec, &project.graph, &revisions).await?;
    if !global.quiet {
        let at = match revisions.first() {
            Some(id) => format!("the baseline revision {id}"),
            None => "base (the database's schema is empty)".to_string(),
        };
        output::note(&format!(
            "stamped {} at {at} without running it; next: `autogen check --database-url URL`",
            spec.redacted()
        ));
    }
    Ok(Outcome::Success)
}

/// Writes autogen.toml (never over an existing one) and creates the migrations directory.
fn write_project(
    dir: &Path,
    config_path: &Path,
    migrations: &str,
    text: &str,
    quiet: bool,
) -> Result<(), CliError> {
    let write_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| CliError::WriteFile { path, source }
    };
    let migrations = dir.join(migrations);
    std::fs::create_dir_all(&migrations).map_err(write_error(&migrations))?;
    // create_new: never overwrite a file that appeared since the check above.
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(config_path)
        .and_then(|mut file| std::io::Write::write_all(&mut file, text.as_bytes()))
        .map_err(write_error(config_path))?;
    if !quiet {
        output::note(&format!(
            "wrote {} and created {}/",
            config_path.display(),
            migrations.display()
        ));
    }
    Ok(())
}
