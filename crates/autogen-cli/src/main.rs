//! The `autogen` binary: parses the command line, runs one command, and turns its outcome
//! into an exit code (0 ok, 1 differences, 2 error).

mod cli;
mod commands;
mod error;
mod output;
mod plan_text;
mod progress;
mod prompt;
mod report;

use autogen_engine::EngineError;
use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};
use cli::{Cli, Command};
use error::CliError;
use std::process::ExitCode;

const EXIT_DIFFERENCES: u8 = 1;
const EXIT_ERROR: u8 = 2;
/// The conventional status of a process stopped by Ctrl-C (128 + SIGINT).
const EXIT_INTERRUPTED: u8 = 130;

fn main() -> ExitCode {
    let cli = match parse() {
        Ok(cli) => cli,
        Err(error) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { EXIT_ERROR } else { 0 });
        }
    };
    output::init_colors(cli.global.color);
    init_logging(&cli.global);

    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return report(&CliError::Runtime(error)),
    };
    let outcome = runtime.block_on(async {
        tokio::select! {
            result = run(&cli) => Some(result),
            // Dropping the command's future drops its dev database, which stops the
            // throwaway server and removes its files.
            _ = tokio::signal::ctrl_c() => None,
        }
    });
    match outcome {
        Some(Ok(commands::Outcome::Success)) => ExitCode::SUCCESS,
        Some(Ok(commands::Outcome::Differences)) => ExitCode::from(EXIT_DIFFERENCES),
        Some(Err(error)) => report(&error),
        None => {
            output::error("interrupted");
            ExitCode::from(EXIT_INTERRUPTED)
        }
    }
}

/// The command line. `DATABASE_URL` is declared through clap (so `--help` names it) but read
/// by the engine itself, as before: that is how it tells the flag from the environment
/// (`DatabaseOrigin`), and `check --no-database` must still work with it set.
fn parse() -> Result<Cli, clap::Error> {
    let matches = Cli::command().try_get_matches()?;
    let mut cli = Cli::from_arg_matches(&matches)?;
    match matches.value_source("database_url") {
        Some(ValueSource::EnvVariable) => cli.global.database_url = None,
        Some(ValueSource::CommandLine) if matches!(&cli.command, Command::Check(check) if check.no_database) =>
        {
            return Err(Cli::command().error(
                clap::error::ErrorKind::ArgumentConflict,
                "the argument '--no-database' cannot be used with '--database-url <URL>'",
            ));
        }
        _ => {}
    }
    Ok(cli)
}

async fn run(cli: &Cli) -> Result<commands::Outcome, CliError> {
    match &cli.command {
        Command::Inspect(args) => commands::inspect::run(&cli.global, args).await,
        Command::Diff(args) => commands::diff::run(&cli.global, args).await,
        Command::Init(args) => commands::init::run(&cli.global, args).await,
        Command::Pull(args) => commands::pull::run(&cli.global, args).await,
        Command::Revision(args) => commands::revision::run(&cli.global, args).await,
        Command::Upgrade(args) => commands::upgrade::upgrade(&cli.global, args).await,
        Command::Downgrade(args) => commands::upgrade::downgrade(&cli.global, args).await,
        Command::Current(args) => commands::status::current(&cli.global, args).await,
        Command::History(args) => commands::status::history(&cli.global, args).await,
        Command::Heads(args) => commands::status::heads(&cli.global, args),
        Command::Show(args) => commands::status::show(&cli.global, args),
        Command::Stamp(args) => commands::stamp::run(&cli.global, args).await,
        Command::Merge(args) => commands::merge::run(&cli.global, args),
        Command::Check(args) => commands::check::run(&cli.global, args).await,
        Command::Lint(args) => commands::lint::run(&cli.global, args),
        Command::Completions(args) => commands::completions::completions(args),
        Command::Man(args) => commands::completions::man(args),
    }
}

fn report(error: &CliError) -> ExitCode {
    match error {
        // Model diagnostics show the source line with a caret, every one of them.
        CliError::Engine(EngineError::Models(errors)) => {
            for diagnostic in &errors.errors {
                output::diagnostic(diagnostic);
            }
            output::error(&error.to_string());
        }
        CliError::Engine(EngineError::ModelRejected(diagnostic)) => {
            output::diagnostic(diagnostic.as_ref())
        }
        _ => output::error(&error.to_string()),
    }
    ExitCode::from(EXIT_ERROR)
}

fn init_logging(global: &cli::GlobalArgs) {
    let level = match (global.quiet, global.verbose) {
        // -q and -v conflict (clap rejects both).
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("AUTOGEN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(progress::log_writer)
        .with_ansi(anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never)
        .without_time()
        .with_target(false)
        .init();
}
