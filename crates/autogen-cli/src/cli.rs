//! Command-line syntax (clap). Only what is implemented is listed here: a command that does
//! not exist yet is rejected by clap as unknown rather than pretending to work.

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "autogen",
    version,
    about = "Schema-diffing migration autogenerate engine for PostgreSQL",
    long_about = "autogen reads PostgreSQL schemas faithfully (PostgreSQL itself normalizes every \
type and expression) and prints them as canonical SQL or JSON.\n\n\
With no server configured, autogen starts its own throwaway PostgreSQL (the dev database) from the \
system's binaries (AUTOGEN_PG_BIN, pg_config --bindir, PATH, /usr/lib/postgresql/*/bin).\n\n\
Exit codes: 0 success, 1 differences found, 2 error.",
    after_help = "Run `autogen help inspect` for the sources a command accepts."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Use this existing PostgreSQL server for temporary databases instead of starting a
    /// throwaway one (postgres://user:pass@host:port/db).
    #[arg(
        long,
        global = true,
        env = "AUTOGEN_DEV_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub dev_url: Option<String>,

    /// When to use colors (NO_COLOR and CLICOLOR_FORCE are respected in auto mode).
    #[arg(long, global = true, value_enum, default_value_t = ColorMode::Auto)]
    pub color: ColorMode,

    /// Print only errors (no warnings or notes).
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Print more about what autogen does (-vv for debug detail).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorMode {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the canonical schema of a source as SQL or JSON.
    #[command(
        long_about = "Print the canonical schema of a source as SQL or JSON.\n\n\
The SQL dump re-creates the schema when run on an empty database: schemas, extensions, enum types, \
sequences, tables (columns, identity, generated columns, defaults, collations, constraints), indexes, \
foreign keys and comments, in dependency order. Objects autogen does not model yet (views, functions, \
triggers, policies, partitions, domains, ...) are named in a warning on stderr."
    )]
    Inspect(InspectArgs),
    /// Print the verified SQL that turns one schema into another.
    #[command(
        long_about = "Print the verified SQL that turns one schema into another.\n\n\
Both sides are read as catalogs (models and .sql files through the dev database), compared by \
identity, and turned into ordered statements, each under a `-- hazard:` comment (data-loss, \
table-rewrite, access-exclusive-lock, index-build, may-fail-on-existing-rows). Before printing, \
the plan is verified on the dev database: the FROM schema is re-created, `up` applied and \
compared with TO, then `down` applied and compared with FROM.\n\n\
Identical schemas print nothing (\"no changes\" on stderr). With --exit-code the exit status is 1 \
when there are differences."
    )]
    Diff(DiffArgs),
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The current schema: a PostgreSQL URL, a .sql file, or a models path.
    #[arg(long, value_name = "SRC")]
    pub from: String,

    /// The desired schema: a PostgreSQL URL, a .sql file, or a models path.
    #[arg(long, value_name = "SRC")]
    pub to: String,

    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Sql)]
    pub format: DiffFormat,

    /// Print the down plan (TO back to FROM) instead of the up plan.
    #[arg(long)]
    pub down: bool,

    /// Exit with status 1 when the schemas differ.
    #[arg(long)]
    pub exit_code: bool,

    /// Skip checking the plan against PostgreSQL (not recommended).
    #[arg(long)]
    pub no_verify: bool,

    /// Only compare this schema (repeatable).
    #[arg(long = "schema", value_name = "SCHEMA")]
    pub schemas: Vec<String>,

    /// Leave this schema out (repeatable).
    #[arg(long = "exclude-schema", value_name = "SCHEMA")]
    pub exclude_schemas: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// The statements, each under a `-- hazard:` comment.
    Sql,
    /// One line per change, with its hazards.
    Summary,
    /// The up and down plans with hazards per statement.
    Json,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// What to inspect: a PostgreSQL URL (postgres://user@host:port/db, Unix sockets via
    /// ?host=/socket/dir; PG* environment variables fill in the gaps like libpq) or a .sql file
    /// (applied to a temporary dev database first).
    #[arg(value_name = "SRC")]
    pub source: String,

    /// Output format.
    #[arg(long, value_enum, default_value_t = InspectFormat::Sql)]
    pub format: InspectFormat,

    /// Only inspect this schema (repeatable). Default: every user schema.
    #[arg(long = "schema", value_name = "SCHEMA")]
    pub schemas: Vec<String>,

    /// Leave this schema out (repeatable).
    #[arg(long = "exclude-schema", value_name = "SCHEMA")]
    pub exclude_schemas: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InspectFormat {
    /// SQL that re-creates the schema on an empty database.
    Sql,
    /// The schema as JSON (autogen's catalog format).
    Json,
}
