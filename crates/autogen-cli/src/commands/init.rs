//! `autogen init`: a new project's autogen.toml and migrations directory; with
//! `--from-database URL`, an adopted database's project: another tool's history named (and,
//! with `--import-history`, its files as the first revisions; `history.rs`), its schema pulled
//! into models and SQL declarations, a baseline revision for what the chain does not produce,
//! and the database stamped at the head. `--report` only says what would be found.

use crate::cli::{GlobalArgs, InitArgs, RevisionArgs};
use crate::commands::Outcome;
use crate::error::CliError;
use crate::output;
use autogen_engine::{CONFIG_FILE_NAME as FILE_NAME, Project, PullTarget, Session, Source};
use autogen_migrate::history::OldHistory;
use std::path::{Path, PathBuf};

/// Where `--from-database` puts the SQL declarations, relative to the project directory.
const SQL_DIR: &str = "sql";

pub async fn run(global: &GlobalArgs, args: &InitArgs) -> Result<Outcome, CliError> {
    if let (true, Some(url)) = (args.report, &args.from_database) {
        return report(args, url).await;
    }
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

/// `init --from-database URL --report`: what adopting the database would find of another
/// tool's history and, with `--import-history`, import; nothing is written (the database is
/// only read), so it can be run before deciding.
async fn report(args: &InitArgs, url: &str) -> Result<Outcome, CliError> {
    let spec = autogen_pg::ConnectionSpec::parse(url)?;
    let histories = super::history::detect(&spec).await?;
    let mut lines: Vec<String> = histories.iter().map(OldHistory::describe).collect();
    if histories.is_empty() {
        lines.push(
            "no other migration tool's tracking table: the history will start at the baseline"
                .to_string(),
        );
    }
    if let Some(old_dir) = &args.import_history {
        let imported = super::history::import(old_dir, &histories)?;
        lines.extend(super::history::describe_import(&imported, "would import"));
    }
    let text: String = lines.iter().map(|line| format!("{line}\n")).collect();
    output::stdout(&text).map_err(CliError::Output)?;
    Ok(Outcome::Success)
}

/// `init --from-database`: find the old tool's history, pull, configure, import the old
/// files (with `--import-history`), baseline, stamp.
async fn adopt(
    global: &GlobalArgs,
    args: &InitArgs,
    dir: &Path,
    config_path: &Path,
    url: &str,
) -> Result<Outcome, CliError> {
    let spec = autogen_pg::ConnectionSpec::parse(url)?;
    let histories = super::history::detect(&spec).await?;
    if !global.quiet {
        for history in &histories {
            output::note(&format!("found {}", history.describe()));
        }
    }
    // Read and checked before anything is written: a refusal leaves the directory as it was.
    let imported = match &args.import_history {
        Some(old_dir) => Some(super::history::import(old_dir, &histories)?),
        None => None,
    };
    let source = Source::Database(spec.clone());
    let session = Session::new(
        &global.settings(),
        None,
        autogen_engine::ignoring_histories(autogen_engine::inspect_options(&[], &[]), &histories),
    );
    let target = PullTarget {
        models: dir.join(&args.models),
        sql: dir.join(SQL_DIR),
    };
    let pulled = super::pull::pull(
        &session,
        &source,
        &target,
        &super::pull::Kept {
            files: &[],
            search_path: &args.search_path,
        },
        args.allow_unwritten,
        global.quiet,
    )
    .await?;
    let text = autogen_engine::template_with(
        &args.models,
        &args.migrations,
        (pulled.sql_statements > 0).then_some(SQL_DIR),
        !pulled.has_models(),
        &super::history::tables_to_configure(&histories),
        &args.search_path,
    );
    if !pulled.has_models() {
        // [models] paths must exist: the directory new models go to, empty for now.
        std::fs::create_dir_all(&target.models).map_err(|source| CliError::WriteFile {
            path: target.models.clone(),
            source,
        })?;
    }
    write_project(dir, config_path, &args.migrations, &text, global.quiet)?;
    let mut stamped: Vec<String> = Vec::new();
    if let Some(imported) = &imported {
        stamped = super::history::write(imported, &dir.join(&args.migrations), global.quiet)?;
    }

    // The baseline is an ordinary revision from the chain (empty, or the imported history) to
    // the pulled project (planned and verified like any other), run against the revisions,
    // never the database. After an import it holds only what the imported chain does not
    // produce, and is not written when the chain reproduces the database.
    let in_project = GlobalArgs {
        config: Some(config_path.to_path_buf()),
        database_url: None,
        dev_url: global.dev_url.clone(),
        color: global.color,
        quiet: global.quiet,
        no_cache: global.no_cache,
        verbose: global.verbose,
    };
    let runnable_import = imported
        .as_ref()
        .is_some_and(|imported| imported.tool.runnable());
    let baseline = RevisionArgs {
        message: if runnable_import {
            "baseline difference: what the imported history does not produce".to_string()
        } else {
            "baseline".to_string()
        },
        empty: false,
        online: false,
        no_verify: false,
        expand_contract: false,
        layout: None,
    };
    let revision = super::revision::create(&in_project, &baseline).await?;
    if runnable_import && !global.quiet {
        match &revision {
            None => output::note(
                "the imported history reproduces the database's schema: no baseline revision is needed",
            ),
            Some(id) => output::warning(&format!(
                "the imported history does not produce the database's schema: revision {id} holds the difference (the database already has it, so it is stamped, not run)"
            )),
        }
    }
    let project = Project::load(&in_project.settings())?;
    stamped.extend(revision);
    super::stamp::record(&spec, &project.graph, &stamped).await?;
    if !global.quiet {
        let at = match stamped.last() {
            Some(id) => format!("revision {id}"),
            None => "base (the database's schema is empty)".to_string(),
        };
        output::note(&format!(
            "stamped {} at {at} without running anything; next: `autogen check --database-url URL`",
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
