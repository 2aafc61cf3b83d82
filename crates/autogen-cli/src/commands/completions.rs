//! `autogen completions SHELL` and `autogen man`: generated from the clap definition in
//! `cli.rs`, so they always list exactly the commands and flags that exist.

use crate::cli::{Cli, CompletionsArgs, ManArgs};
use crate::commands::Outcome;
use crate::error::CliError;
use crate::output;
use clap::CommandFactory;

/// The binary's name as a shell sees it (what the scripts complete).
const BINARY: &str = "autogen";

pub fn completions(args: &CompletionsArgs) -> Result<Outcome, CliError> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), BINARY, &mut script);
    output::stdout(&String::from_utf8_lossy(&script)).map_err(CliError::Output)?;
    Ok(Outcome::Success)
}

pub fn man(args: &ManArgs) -> Result<Outcome, CliError> {
    let Some(dir) = &args.out else {
        let mut page = Vec::new();
        clap_mangen::Man::new(Cli::command())
            .render(&mut page)
            .map_err(CliError::Output)?;
        output::stdout(&String::from_utf8_lossy(&page)).map_err(CliError::Output)?;
        return Ok(Outcome::Success);
    };
    let written =
        std::fs::create_dir_all(dir).and_then(|()| clap_mangen::generate_to(Cli::command(), dir));
    written.map_err(|source| CliError::WriteFile {
        path: dir.clone(),
        source,
    })?;
    Ok(Outcome::Success)
}
