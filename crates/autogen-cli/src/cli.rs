//! Command-line syntax (clap). Only what is implemented is listed here: a command that does
//! not exist yet is rejected by clap as unknown rather than pretending to work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "autogen",
    version,
    about = "Schema-diffing migration autogenerate engine for PostgreSQL",
    long_about = "autogen turns edits of Rust model structs into reviewed, verified SQL revision \
files and runs them against PostgreSQL. Schemas are read faithfully (PostgreSQL itself normalizes \
every type and expression), so there are no false differences.\n\n\
With no server configured, autogen starts its own throwaway PostgreSQL (the dev database) from the \
system's binaries (AUTOGEN_PG_BIN, pg_config --bindir, PATH, then where Debian, PGDG, Homebrew \
and Postgres.app install them).\n\n\
Exit codes: 0 success, 1 differences found, 2 error.",
    after_help = "Everyday workflow: `autogen init`, edit models, `autogen revision -m MSG`, review the \
file, `autogen upgrade`. `autogen check` in CI. Run `autogen help COMMAND` for details."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The project's autogen.toml [default: ./autogen.toml or the nearest parent directory's].
    #[arg(long, global = true, env = "AUTOGEN_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// The database to migrate or compare (postgres://user:pass@host:port/db). Overrides
    /// the config's [database] url.
    // The value is never shown: it may hold a password.
    #[arg(
        long,
        global = true,
        env = autogen_engine::DATABASE_URL_VAR,
        hide_env_values = true,
        value_name = "URL"
    )]
    pub database_url: Option<String>,

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

    /// Print only errors (no warnings, notes or progress).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Do not use or fill the cache of replayed revision chains and normalized models
    /// (AUTOGEN_CACHE_DIR, else ~/.cache/autogen; see docs/migrations.md).
    #[arg(long, global = true)]
    pub no_cache: bool,

    /// Print more about what autogen does (-vv for debug detail).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

impl GlobalArgs {
    /// What the engine needs of the global flags.
    pub fn settings(&self) -> autogen_engine::Settings {
        autogen_engine::Settings {
            config: self.config.clone(),
            database_url: self.database_url.clone(),
            dev_url: self.dev_url.clone(),
            cache: !self.no_cache,
            progress: crate::progress::engine_progress(self.quiet),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorMode {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write autogen.toml and create the migrations directory (--from-database: adopt a database).
    #[command(
        long_about = "Write autogen.toml and create the migrations directory.\n\n\
With --from-database URL, adopt that existing database in one step: its schema is pulled into \
model files and SQL declarations (as `autogen pull` does), autogen.toml points at them, a baseline \
revision creating the whole schema is written, and the database is stamped at it without running \
it. `autogen check --database-url URL` then exits 0, and the next `autogen revision` holds only \
what you change in the models afterwards.\n\n\
Another migration tool's tracking table on the database (alembic_version, _sqlx_migrations, \
__diesel_schema_migrations, flyway_schema_history, refinery_schema_history, seaql_migrations, a \
hand-kept schema_version) is named with the version the database is at in that tool, and is \
never pulled into the models. --import-history DIR imports that tool's migration files as the \
first revisions (each with an `-- origin:` header; Alembic's as empty, history-only revisions), \
provided the tool applied exactly those files; the baseline then holds only what the imported \
chain does not produce (none when it reproduces the database), and the database is stamped at \
the new head without running anything. --report only prints what would be found and imported, \
writing nothing."
    )]
    Init(InitArgs),
    /// Write Rust models and SQL declarations from a database's schema.
    #[command(
        long_about = "Write Rust models and SQL declarations from a database's schema (or any SRC).\n\n\
Tables become #[derive(Model)] structs and enum types #[derive(DbEnum)] enums, one file per \
schema in --models (with a mod.rs declaring them); everything the model attributes cannot say \
(views, functions, triggers, domains, composite and range types, collations, sequences, \
extensions, exclusion constraints, identity options, UNLOGGED, operator classes, comments on \
constraints and indexes, ...) goes to --sql as plain SQL declarations. Existing files are never \
overwritten.\n\n\
The written files are then normalized through the dev database and compared with the source: \
any difference is an error, so a successful pull declares exactly the source's schema. Objects \
autogen does not model (policies, partitions, rules, ...) cannot be written: they are named and \
nothing is written (exit 2) unless --allow-unwritten is given.\n\n\
Point autogen.toml at the directories ([models] paths and sql), or use \
`autogen init --from-database URL`, which also writes the baseline revision and stamps the \
database."
    )]
    Pull(PullArgs),
    /// Autogenerate the next revision file from the models.
    #[command(
        long_about = "Autogenerate the next revision file from the models.\n\n\
The current schema is the revision chain replayed into a throwaway dev database (or, with \
--database-url, that live database, which must be at head). The models are normalized through \
the dev database too, the two are compared, and the verified up and down plans are written to \
<migrations>/<yyyymmddHHMMSS>_<slug>.sql, each statement under a `-- hazard:` comment. When \
nothing changed, it says \"No changes detected\" and writes nothing. --empty writes a revision \
with empty sections for hand-written SQL."
    )]
    Revision(RevisionArgs),
    /// Apply pending revisions to the database (or print their SQL with --sql).
    #[command(
        long_about = "Apply pending revisions to the database, each in its own transaction \
(unless its section says transaction:false), recording them in public.autogen_revisions.\n\n\
TARGET: head (default; the single head), heads (every branch), +N (the next N), or a revision \
id or a unique prefix of one. A session advisory lock makes concurrent runs wait for each other. \
A revision file edited after it was applied is refused (--ignore-checksums to accept it).\n\n\
--sql prints the SQL instead of running it, with no database: TARGET may be FROM:TO, where FROM \
is the revision the database is at (default: an empty database)."
    )]
    Upgrade(UpgradeArgs),
    /// Revert applied revisions (or print their SQL with --sql).
    #[command(
        long_about = "Revert applied revisions by running their down sections, newest first.\n\n\
TARGET: -N (the last N), base (everything), or a revision id or unique prefix (revert what is \
applied on top of it). With --sql, TARGET is FROM:TO (e.g. head:-1) and nothing is run.\n\n\
Down statements that lose data (marked `-- hazard: data-loss`, or recognized as such from their \
SQL, e.g. a hand-written DROP TABLE or DROP COLUMN) are listed as file:line first. On a terminal \
autogen asks before running them (y/N); otherwise (CI, scripts) it refuses with exit 2 unless \
--allow-data-loss is given. --sql never refuses, but warns about them on stderr."
    )]
    Downgrade(DowngradeArgs),
    /// Print the revisions the database is at.
    Current(StatusArgs),
    /// List the revisions, newest first (-v for parents, dates, files and checksums).
    #[command(
        long_about = "List the revisions, newest first: parents -> revision, message, with the \
heads marked (head). With a database (--database-url, DATABASE_URL or [database] url) the \
revisions it is at are marked (current), and applied revisions whose file was edited since \
(edited since applied). -v prints parents, dates, files and checksums."
    )]
    History(StatusArgs),
    /// List the head revisions (more than one means branches to merge).
    Heads(StatusArgs),
    /// Print one revision file.
    Show(ShowArgs),
    /// Record revisions as applied without running them.
    Stamp(StampArgs),
    /// Write a revision that joins several heads into one.
    Merge(MergeArgs),
    /// Print a shell completion script (see README for where to install it).
    #[command(
        long_about = "Print the completion script for SHELL on stdout, e.g.\n\n  \
autogen completions bash > ~/.local/share/bash-completion/completions/autogen\n  \
autogen completions zsh > ~/.zfunc/_autogen\n  \
autogen completions fish > ~/.config/fish/completions/autogen.fish"
    )]
    Completions(CompletionsArgs),
    /// Print the man page (or, with --out, write one page per command to a directory).
    Man(ManArgs),
    /// Fail (exit 1) when the models, the revisions or the database disagree.
    #[command(
        long_about = "Compare the models with the schema the revisions produce (replayed into the \
dev database), and the project's database with the revisions: the database is --database-url, \
else DATABASE_URL, else [database] url in autogen.toml (--no-database leaves it out). The database \
must have applied every revision up to the head, none of them edited since, and its schema must be \
what its applied revisions produce (a database behind the head is compared with the schema of the \
revisions it applied, and told how many it lacks).\n\n\
Exit 0 and one line when everything agrees; exit 1 with a unified diff of the canonical schemas \
and the SQL a new revision would contain when something differs, or with the objects autogen does \
not manage (policies, grants, ...) that differ; 2 on errors."
    )]
    Check(CheckArgs),
    /// Report the hazards of the statements in revision files (exit 1 on a denied one).
    #[command(
        long_about = "Report the hazards of the statements in revision files: every statement of \
the up and down sections is classified from its SQL (see docs/policy.md for the recognized forms), \
together with the `-- hazard:` comment autogen wrote above it. Prints `path:line: [hazards] \
statement` for each statement with hazards (-v: every statement) and `path:line: cannot classify: \
statement` for the ones it does not recognize.\n\n\
Exit 1 when a statement has a hazard denied by [policy] deny in autogen.toml or --deny; 0 \
otherwise; 2 on errors."
    )]
    Lint(LintArgs),
    /// Print the canonical schema of a source as SQL or JSON.
    #[command(
        long_about = "Print the canonical schema of a source as SQL or JSON.\n\n\
The SQL dump re-creates the schema when run on an empty database: schemas, extensions, collations, \
enum, domain, composite and range types, sequences, functions and procedures, tables (columns, \
identity, generated columns, defaults, collations, constraints), indexes, foreign keys, views and \
materialized views, triggers and comments, in dependency order. Objects autogen does not model yet \
(policies, grants, partitions, rules, ...) are named in a warning on stderr."
    )]
    Inspect(InspectArgs),
    /// Print the verified SQL that turns one schema into another.
    #[command(
        long_about = "Print the verified SQL that turns one schema into another.\n\n\
Both sides are read as catalogs (models and .sql files through the dev database), compared by \
identity, and turned into ordered statements, each under a `-- hazard:` comment (data-loss, \
table-rewrite, access-exclusive-lock, index-build, may-fail-on-existing-rows, long-running, \
behavior-change). Before printing, the plan is verified on the dev database: the FROM schema is \
re-created, `up` applied and compared with TO, then `down` applied and compared with FROM.\n\n\
Identical schemas print nothing (\"no changes\" on stderr). With --exit-code the exit status is 1 \
when there are differences. Objects autogen does not manage (policies, grants, partitions, ...) \
that differ are listed (SQL comments, JSON \"unmanaged\", stderr) and make the exit status 1 \
always: the plan is not the whole difference."
    )]
    Diff(DiffArgs),
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The current schema: a PostgreSQL URL, a .sql file, a .json schema (what `inspect
    /// --format json` prints), a models path, a migrations directory, or a project's
    /// autogen.toml (its models and `[models] sql` declarations).
    #[arg(long, value_name = "SRC")]
    pub from: String,

    /// The desired schema: a PostgreSQL URL, a .sql file, a .json schema (what `inspect
    /// --format json` prints), a models path, a migrations directory, or a project's
    /// autogen.toml (its models and `[models] sql` declarations).
    #[arg(long, value_name = "SRC")]
    pub to: String,

    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Sql)]
    pub format: DiffFormat,

    /// Print the down plan (TO back to FROM) instead of the up plan.
    #[arg(long)]
    pub down: bool,

    /// Online mode: indexes built CONCURRENTLY, constraints added NOT VALID then validated,
    /// lock_timeout set (see docs/diff.md; also `[online] enabled` in autogen.toml).
    #[arg(long)]
    pub online: bool,

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
    /// ?host=/socket/dir; PG* environment variables fill in the gaps like libpq), a .sql file
    /// (applied to a temporary dev database first), a .json schema (what `--format json`
    /// prints, read as it is), a models path (models only), a migrations
    /// directory (its revisions replayed into a temporary dev database), or a project's
    /// autogen.toml (the desired schema it declares: its models and the SQL files of
    /// `[models] sql`).
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

/// How `current`, `history`, `heads`, `upgrade` and `downgrade` print their result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Lines for people.
    Text,
    /// One JSON object with `format_version` (see docs/json.md).
    Json,
}

/// How `check` and `lint` print their findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FindingsFormat {
    /// Lines for people.
    Text,
    /// One JSON object with `format_version` (see docs/json.md).
    Json,
    /// GitHub Actions workflow commands: annotations on the revision files' lines.
    Github,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The project directory [default: the current directory].
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// Where the model files are, relative to DIR.
    #[arg(long, default_value = "models", value_name = "PATH")]
    pub models: String,

    /// The migrations directory to create, relative to DIR.
    #[arg(long, default_value = "migrations", value_name = "PATH")]
    pub migrations: String,

    /// Adopt this existing database: pull its schema into --models and sql/, write a baseline
    /// revision and stamp the database at it (see --help).
    // The value is never shown: it may hold a password.
    #[arg(long, value_name = "URL", hide_env_values = true)]
    pub from_database: Option<String>,

    /// With --from-database: write the project even though the database holds objects autogen
    /// does not model (they are named, and left out of the project).
    #[arg(long, requires = "from_database")]
    pub allow_unwritten: bool,

    /// With --from-database: import the migration files of the tool whose tracking table the
    /// database has (sqlx, Diesel, refinery, Flyway, numbered files with schema_version; Alembic
    /// as history only) as the first revisions, instead of starting the history at a baseline.
    #[arg(long, value_name = "DIR", requires = "from_database")]
    pub import_history: Option<PathBuf>,

    /// With --from-database: only report which other tool's history the database has, the
    /// version it is at there, and (with --import-history) what would be imported and what
    /// not; nothing is written.
    #[arg(long, requires = "from_database")]
    pub report: bool,

    /// The search_path the database gives its sessions, when its routines name objects
    /// unqualified (e.g. `app,public`): bodies are checked under it, and it is written to
    /// autogen.toml as `[models] search_path`.
    #[arg(
        long = "search-path",
        value_name = "SCHEMA,…",
        value_delimiter = ',',
        requires = "from_database"
    )]
    pub search_path: Vec<String>,
}

#[derive(Debug, Args)]
pub struct PullArgs {
    /// What to pull [default: --database-url, DATABASE_URL]: a PostgreSQL URL, or any SRC
    /// `autogen inspect` takes (a .sql file, a .json schema, a migrations directory, ...).
    #[arg(value_name = "SRC")]
    pub source: Option<String>,

    /// The project directory the files go to.
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub out: PathBuf,

    /// The directory for the model files, relative to --out (created when missing).
    #[arg(long, default_value = "models", value_name = "DIR")]
    pub models: PathBuf,

    /// The directory for the SQL declarations, relative to --out (created when needed).
    #[arg(long, default_value = "sql", value_name = "DIR")]
    pub sql: PathBuf,

    /// Only pull this schema (repeatable). Default: every user schema.
    #[arg(long = "schema", value_name = "SCHEMA")]
    pub schemas: Vec<String>,

    /// Leave this schema out (repeatable).
    #[arg(long = "exclude-schema", value_name = "SCHEMA")]
    pub exclude_schemas: Vec<String>,

    /// Write the files even though the source holds objects autogen does not model (they are
    /// named, and left out).
    #[arg(long)]
    pub allow_unwritten: bool,

    /// A SQL declaration file you wrote for objects autogen does not model that the pulled
    /// files use (an operator an index uses, …): part of the proof, and those
    /// objects are no longer "unwritten" when it declares them as the source has them.
    /// Repeatable; keep them in the --sql directory so `[models] sql` reads them too.
    #[arg(long = "with-sql", value_name = "FILE")]
    pub with_sql: Vec<PathBuf>,

    /// The search_path the source database gives its sessions, when its routines name
    /// objects unqualified (e.g. `app,public`): their bodies are checked under it in the
    /// proof. Default: the project's `[models] search_path`; put the same there.
    #[arg(long = "search-path", value_name = "SCHEMA,…", value_delimiter = ',')]
    pub search_path: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RevisionArgs {
    /// What the revision does, e.g. "add phone to users" (also names the file).
    #[arg(short, long, value_name = "MSG")]
    pub message: String,

    /// Write a revision with empty up and down sections, for hand-written SQL.
    #[arg(long)]
    pub empty: bool,

    /// Online mode: indexes built CONCURRENTLY, constraints added NOT VALID then validated,
    /// each step committed on its own (the section becomes transaction:false), lock_timeout
    /// set (also `[online] enabled`).
    #[arg(long)]
    pub online: bool,

    /// Skip checking the plan against PostgreSQL (not recommended).
    #[arg(long)]
    pub no_verify: bool,

    /// Zero-downtime deploys: plan in online mode and write two revisions, an expand one
    /// (`-- phase: expand`: safe while the old application version runs — new objects,
    /// optional columns, backfills, NOT VALID constraints, concurrent indexes, renamed columns
    /// written under both names) and its child, a contract one (`-- phase: contract`: applied
    /// after the new version is deployed — validation, NOT NULL, drops, type changes). Apply
    /// them with `upgrade --phase expand` and `upgrade --phase contract`
    /// (docs/expand-contract.md; also `[migrations] expand_contract`).
    #[arg(long, conflicts_with = "empty")]
    pub expand_contract: bool,

    /// Whose migration files the directory holds, for this run (overrides `[migrations]
    /// layout`): autogen's revision files, sqlx's `.up.sql`/`.down.sql`, Diesel's
    /// `<version>_<name>/up.sql`, or sea-orm-migration modules (docs/layouts.md).
    #[arg(long, value_name = "LAYOUT", value_parser = clap::builder::PossibleValuesParser::new(autogen_migrate::Layout::NAMES))]
    pub layout: Option<String>,
}

#[derive(Debug, Args)]
pub struct UpgradeArgs {
    /// head, heads, +N, or a revision (see --help).
    #[arg(default_value = "head", value_name = "TARGET")]
    pub target: String,

    /// Print the SQL instead of running it (offline; no database needed).
    #[arg(long)]
    pub sql: bool,

    /// Apply one side of expand/contract revisions only: `expand` stops before any
    /// contract-phase revision (and what descends from it), before the new code is deployed;
    /// `contract` applies only the pending contract revisions whose parents are all applied,
    /// after it is (docs/expand-contract.md). Without it everything pending is applied.
    #[arg(long, value_enum, value_name = "PHASE")]
    pub phase: Option<DeployPhaseArg>,

    /// Accept applied revisions whose files changed since.
    #[arg(long)]
    pub ignore_checksums: bool,

    /// Output format (json: what ran, see docs/json.md; not with --sql).
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// `upgrade --phase`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DeployPhaseArg {
    /// Before the new application version is deployed.
    Expand,
    /// After it is deployed.
    Contract,
}

impl DeployPhaseArg {
    pub fn phase(self) -> autogen_migrate::RevisionPhase {
        match self {
            DeployPhaseArg::Expand => autogen_migrate::RevisionPhase::Expand,
            DeployPhaseArg::Contract => autogen_migrate::RevisionPhase::Contract,
        }
    }
}

#[derive(Debug, Args)]
pub struct DowngradeArgs {
    /// -N, base, or a revision (see --help).
    #[arg(value_name = "TARGET", allow_hyphen_values = true)]
    pub target: String,

    /// Print the SQL instead of running it (offline; TARGET is FROM:TO).
    #[arg(long)]
    pub sql: bool,

    /// Accept applied revisions whose files changed since.
    #[arg(long)]
    pub ignore_checksums: bool,

    /// Run down statements that lose data (see --help) without asking.
    #[arg(long)]
    pub allow_data_loss: bool,

    /// Output format (json: what ran, see docs/json.md; not with --sql).
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A revision id, a unique prefix of one, or head.
    #[arg(value_name = "REV")]
    pub revision: String,
}

#[derive(Debug, Args)]
pub struct StampArgs {
    /// The revisions to record (ids, prefixes, head, heads), or base to record none.
    #[arg(value_name = "REV", required = true)]
    pub revisions: Vec<String>,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// What the merge is for.
    #[arg(short, long, value_name = "MSG")]
    pub message: String,

    /// The heads to join [default: every head].
    #[arg(value_name = "REV")]
    pub revisions: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Skip verifying the SQL of the would-be revision.
    #[arg(long)]
    pub no_verify: bool,

    /// Compare only the models with the revisions, even when a database is configured
    /// (DATABASE_URL or [database] url).
    // Its conflict with --database-url is checked in main.rs: clap would count DATABASE_URL.
    #[arg(long)]
    pub no_database: bool,

    /// Fail when the would-be revision (or, with --database-url, a pending one) has this
    /// hazard: data-loss, table-rewrite, access-exclusive-lock, index-build,
    /// may-fail-on-existing-rows (comma-separated, repeatable; added to [policy] deny).
    #[arg(long, value_name = "HAZARD", value_delimiter = ',', value_parser = autogen_engine::policy::parse_hazard)]
    pub deny: Vec<autogen_diff::Hazard>,

    /// Output format (github: workflow annotations; see docs/json.md).
    #[arg(long, value_enum, default_value_t = FindingsFormat::Text)]
    pub format: FindingsFormat,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// The revisions to lint (ids, unique prefixes, head) [default: every revision].
    #[arg(value_name = "REV")]
    pub revisions: Vec<String>,

    /// Fail (exit 1) when a statement has this hazard (comma-separated, repeatable; added to
    /// [policy] deny).
    #[arg(long, value_name = "HAZARD", value_delimiter = ',', value_parser = autogen_engine::policy::parse_hazard)]
    pub deny: Vec<autogen_diff::Hazard>,

    /// Enforce the policy on down sections too (by default they are shown, not enforced: a
    /// down section's data loss is mostly that of undoing its up section).
    #[arg(long)]
    pub include_down: bool,

    /// Output format (github: workflow annotations; see docs/json.md).
    #[arg(long, value_enum, default_value_t = FindingsFormat::Text)]
    pub format: FindingsFormat,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write autogen.1 and one autogen-COMMAND.1 per command into this directory instead of
    /// printing autogen's page.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}
