//! Every error of the engine: one line saying what went wrong and what to do. The CLI prints
//! them (`error:` in red on a terminal, exit code 2); model diagnostics carry their source.

use autogen_model::Origin;
use miette::{NamedSource, SourceSpan};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum EngineError {
    #[error(transparent)]
    Pg(#[from] autogen_pg::PgError),

    #[error("{0}")]
    Introspect(#[from] autogen_introspect::IntrospectError),

    #[error(
        "the dev database ({server}) stopped while autogen was using it; nothing was written. This is not a problem with the models or revisions: run the command again (the failure was: {detail})"
    )]
    DevDatabaseStopped { server: String, detail: String },

    #[error("could not learn the dev server's PostgreSQL version: {0}")]
    DevVersion(String),

    #[error("cannot read {}: {source}", path.display())]
    ReadFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{}:{line}: PostgreSQL rejected the SQL: {message}", path.display())]
    ApplySql {
        path: PathBuf,
        line: usize,
        message: String,
    },

    #[error(
        "cannot tell what kind of source {0:?} is: give a PostgreSQL URL (postgres://…), a .sql file, a .json schema (autogen inspect --format json), a models path (a .rs file or a directory of them), a migrations directory, or a project's autogen.toml (its models and SQL declarations)"
    )]
    UnknownSource(String),

    #[error(transparent)]
    Models(#[from] autogen_model::ModelErrors),

    #[error(transparent)]
    ModelRejected(Box<ModelRejected>),

    #[error("source {} does not exist", .0.display())]
    MissingSource(PathBuf),

    #[error(
        "{}:{line}:{column}: not a schema in autogen's JSON form (what `autogen inspect --format json` prints): {message}",
        path.display()
    )]
    JsonSource {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    #[error(transparent)]
    Diff(#[from] autogen_diff::DiffError),

    #[error(
        "cannot verify the plan: the current schema does not re-create on an empty database ({detail}); it may depend on objects autogen does not model yet — use --no-verify to skip verification"
    )]
    VerifySetup { detail: String },

    #[error(
        "the expand side of the plan does not apply on its own at `{statement}`: {detail} — it needs a change of the contract side; write this change without --expand-contract, or split it into two revisions by hand"
    )]
    ExpandDoesNotApply { statement: String, detail: String },

    #[error(
        "internal error: the generated {direction} plan failed during verification at `{statement}`: {detail} — please report this; --no-verify skips verification"
    )]
    VerifyStatement {
        direction: &'static str,
        statement: String,
        detail: String,
    },

    /// A plan's statement failed while the two schemas also differ in objects autogen does not
    /// manage, which no plan creates or drops: most often the statement uses one of them (a
    /// view over a partitioned table, a function returning its row type), not a flaw of the plan.
    #[error(
        "the generated {direction} plan failed during verification at `{statement}`: {detail}; the two schemas also differ in objects autogen does not manage, which no plan creates or drops ({unmanaged}): a plan cannot create what uses one of them before it exists, nor drop what one of them uses — create or drop them by hand first (in a revision written by hand: `autogen revision --empty`), or skip verification with --no-verify; if the statement uses none of them, this is an internal error: please report it"
    )]
    VerifyUnmanaged {
        direction: &'static str,
        statement: String,
        detail: String,
        /// The unmanaged differences, described (the first few, then how many more).
        unmanaged: String,
    },

    #[error(transparent)]
    TypeNeedsConversion(Box<TypeNeedsConversion>),

    #[error(
        "internal error: the generated {direction} plan does not converge; still different afterwards: {residual} — please report this; --no-verify skips verification"
    )]
    NotConverged {
        direction: &'static str,
        residual: String,
    },

    #[error(
        "no {} found in {} or any parent directory: run `autogen init` to create one, or pass --config",
        crate::config::FILE_NAME,
        start.display()
    )]
    NoConfig { start: PathBuf },

    #[error("{}:{line}: {message}", path.display())]
    Config {
        path: PathBuf,
        line: usize,
        message: String,
    },

    #[error(
        "`autogen {command}` runs autogen's own revision files, but this project's migrations are in the {layout} layout ([migrations] layout): apply them with {runner}, which records them in its own table"
    )]
    ForeignLayout {
        command: &'static str,
        layout: &'static str,
        runner: &'static str,
    },

    #[error(
        "no database given: pass --database-url, set DATABASE_URL, or set [database] url in autogen.toml"
    )]
    NoDatabase,

    #[error("cannot lock the migrations directory {} against other autogen runs: {source}", path.display())]
    LockMigrations {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "database {database} is not up to date: run `autogen upgrade` first (or leave out --database-url to start from the revisions)"
    )]
    NotUpToDate { database: String },

    #[error(transparent)]
    Migrate(#[from] autogen_migrate::MigrateError),

    #[error("there are no revisions yet: `autogen revision -m MSG` writes the first")]
    NoRevisions,

    #[error(
        "{} yield no models (no #[derive(Model)] struct and no #[derive(DbEnum)] enum): a plan from them would drop every table. Check [models] paths in autogen.toml; if the project really declares no models, set `allow_empty = true` under [models]",
        paths_text(paths)
    )]
    NoModels { paths: Vec<PathBuf> },

    #[error(transparent)]
    Codegen(#[from] autogen_codegen::CodegenError),

    #[error(
        "{} already exists: `autogen pull` never overwrites a file; pull into empty directories (--models, --sql) or move the file away",
        .0.display()
    )]
    PullWouldOverwrite(PathBuf),

    #[error("cannot write {}: {source}", path.display())]
    WritePulled {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "models path {} yields no models (no #[derive(Model)] struct and no #[derive(DbEnum)] enum); to compare with an empty schema, use an empty .sql file",
        path.display()
    )]
    NoModelsInSource { path: PathBuf },

    #[error(
        "[models] sql: {} does not exist: fix the path in autogen.toml (paths are relative to it)",
        .0.display()
    )]
    MissingSqlPath(PathBuf),

    #[error("{}:{line}: {what} does not belong in a SQL declaration file: {why}", path.display())]
    NotADeclaration {
        path: PathBuf,
        line: usize,
        what: String,
        why: &'static str,
    },

    #[error("could not count the rows that would get no value in column {column}: {detail}")]
    RowCount { column: String, detail: String },

    #[error("{}:{line}: PostgreSQL rejected this declaration: {message}", path.display())]
    DeclarationRejected {
        path: PathBuf,
        line: usize,
        message: String,
    },

    #[error(
        "the connection to the dev database was lost while {during}: {detail}; this is not a problem with your models or revisions: run the command again"
    )]
    DevConnectionLost {
        during: &'static str,
        detail: String,
    },
    #[error(
        "the dev database could not create the roles the schema names ({roles}): {detail}; roles belong to the server, so autogen creates them (NOLOGIN) only on the dev server: give the dev database's user CREATEROLE, or create them there yourself"
    )]
    DevRoles { roles: String, detail: String },
}

fn paths_text(paths: &[PathBuf]) -> String {
    let shown: Vec<String> = paths
        .iter()
        .map(|path| path.display().to_string())
        .collect();
    match shown.as_slice() {
        [one] => format!("the models path {one}"),
        _ => format!("the models paths {}", shown.join(", ")),
    }
}

/// PostgreSQL refused the DDL rendered from a model: its message, at the model's source.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{}:{}:{}: PostgreSQL rejected this model: {message}", origin.file.display(), origin.line, origin.column)]
pub struct ModelRejected {
    message: String,
    origin: Origin,
    #[source_code]
    source_code: NamedSource<String>,
    #[label("rejected here")]
    span: SourceSpan,
    #[help]
    statement: String,
}

impl ModelRejected {
    pub fn new(origin: &Origin, file_text: String, message: String, statement: String) -> Self {
        Self {
            message,
            source_code: NamedSource::new(origin.file.display().to_string(), file_text),
            span: (origin.byte_offset, origin.byte_len).into(),
            origin: origin.clone(),
            statement: format!("the statement generated from the model was:\n{statement}"),
        }
    }
}

/// A column type change PostgreSQL has no cast for: only the user can give the conversion.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot change the type of column {column} from {from} to {to} (in the {direction} plan): PostgreSQL has no cast from {from} to {to} ({detail}), so the conversion needs an expression autogen cannot guess — write this change by hand: `autogen revision --empty -m MSG`, then `{example}` in its {direction} section (and the reverse in the other); or add a new column, fill it from the old one, and drop the old one"
)]
pub struct TypeNeedsConversion {
    pub direction: &'static str,
    /// `schema.table.column`.
    pub column: String,
    pub from: String,
    pub to: String,
    /// The statement to complete: `ALTER TABLE … ALTER COLUMN … TYPE … USING <expression>;`.
    pub example: String,
    /// PostgreSQL's message.
    pub detail: String,
}
