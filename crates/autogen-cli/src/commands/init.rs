//! `autogen init`: a new project's autogen.toml and migrations directory.

use crate::cli::{GlobalArgs, InitArgs};
use crate::commands::Outcome;
use crate::error::CliError;
use crate::output;
use autogen_engine::{CONFIG_FILE_NAME as FILE_NAME, template};
use std::path::PathBuf;

pub fn run(global: &GlobalArgs, args: &InitArgs) -> Result<Outcome, CliError> {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let config_path = global.config.clone().unwrap_or_else(|| dir.join(FILE_NAME));
    if config_path.exists() {
        return Err(CliError::AlreadyInitialized(config_path));
    }
    let write_error = |path: &PathBuf| {
        let path = path.clone();
        move |source| CliError::WriteFile { path, source }
    };
    let migrations = dir.join(&args.migrations);
    std::fs::create_dir_all(&migrations).map_err(write_error(&migrations))?;
    // create_new: never overwrite a file that appeared since the check above.
    let text = template(&args.models, &args.migrations);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&config_path)
        .and_then(|mut file| std::io::Write::write_all(&mut file, text.as_bytes()))
        .map_err(write_error(&config_path))?;
    if !global.quiet {
        output::note(&format!(
            "wrote {} and created {}/",
            config_path.display(),
            migrations.display()
        ));
        let models = dir.join(&args.models);
        if !models.exists() {
            output::note(&format!(
                "models are read from {} (not there yet): put #[derive(Model)] files there or edit [models] paths",
                models.display()
            ));
        }
        output::note("next: `autogen revision -m \"initial schema\"`");
    }
    Ok(Outcome::Success)
}
