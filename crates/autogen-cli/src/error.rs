//! Every error the CLI reports, and how it is printed: one line saying what went wrong and
//! what to do, `error:` in red on a terminal. Exit code 2. Most come from the engine; the
//! ones here belong to the command line itself (prompts, output, `init`, `merge`).

use autogen_engine::EngineError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Engine(#[from] EngineError),

    #[error("cannot write {}: {source}", path.display())]
    WriteFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{} already exists: this project is initialized", .0.display())]
    AlreadyInitialized(PathBuf),

    #[error(
        "--sql downgrades need FROM:TO (e.g. head:-1), because no database says where to start; got {0:?}"
    )]
    OfflineDowngradeNeedsFrom(String),

    #[error(
        "the downgrade would lose data; these down statements drop data:\n{statements}\nnothing was reverted: pass --allow-data-loss to run them anyway"
    )]
    DowngradeLosesData {
        /// One `  file:line: statement` line per statement.
        statements: String,
    },

    #[error("downgrade cancelled: nothing was reverted")]
    DowngradeCancelled,

    #[error(
        "revision cancelled: nothing was written; add the `renamed_from` the help lines name and run `autogen revision` again"
    )]
    RevisionCancelled,

    #[error(
        "{count} object(s) of kinds autogen does not manage differ between {current} and the models; no revision can plan them:\n{objects}\nnothing was written: write them in a revision by hand first (`autogen revision --empty -m ...`, then its up and down SQL), and run `autogen revision` again; kinds managed elsewhere (e.g. grants) can be left out with `[unmanaged] ignore` in autogen.toml"
    )]
    UnmanagedDifferences {
        count: usize,
        /// `the revisions` or `the database`.
        current: &'static str,
        /// One `  kind name: how` line per object.
        objects: String,
    },

    #[error(
        "{count} object(s) of kinds autogen does not model yet cannot be written as models or SQL declarations:\n{objects}\nnothing was written: declare them yourself in a SQL file passed to `autogen pull --with-sql FILE` and create them in a hand-written first revision (docs/adopting.md, \"Adopting a schema with objects autogen does not model\"), or pass --allow-unwritten to write the rest anyway (these objects then stay outside the project, and `autogen check` reports them)"
    )]
    Unwritten {
        count: usize,
        /// One `  N kinds (names)` line per kind.
        objects: String,
    },

    #[error(
        "{count} object(s) of kinds autogen does not model are not declared by the --with-sql files as the source has them:\n{objects}\nthe pulled files are written: declare those objects in a --with-sql file as the source has them and pull again into empty directories, or pass --allow-unwritten to leave them out"
    )]
    UnwrittenAfterWriting {
        count: usize,
        /// One `  kind name: …` line per object.
        objects: String,
    },

    #[error(
        "the written project does not declare exactly the source's schema; normalizing it and comparing with the source still finds:\n{differences}\nthis is a bug of `autogen pull`: please report it; the files are left in place to look at (fix them by hand, or delete them and pull again)"
    )]
    PullDiffers {
        /// One `  change` line per difference.
        differences: String,
    },

    #[error(
        "--import-history: no other migration tool's tracking table is on the database (looked for alembic_version, _sqlx_migrations, __diesel_schema_migrations, flyway_schema_history, refinery_schema_history, seaql_migrations, and a schema_version table with a version column), so which of the files ran cannot be told; nothing was written: adopt without --import-history (the old files stay the record of what came before the baseline)"
    )]
    NoHistoryToImport,

    #[error(
        "--import-history: the database has the tracking tables of several migration tools ({found}), so which one the files belong to cannot be told; nothing was written: drop the table of the tool that no longer runs, or adopt without --import-history"
    )]
    SeveralHistories { found: String },

    #[error("{0} is not a head: only heads can be merged (see `autogen heads`)")]
    MergeNotHead(String),

    #[error("nothing to merge: there is only one head")]
    NothingToMerge,

    #[error("cannot write the output: {0}")]
    Output(#[source] std::io::Error),

    #[error("cannot serialize the JSON report: {0}")]
    Serialize(#[source] serde_json::Error),

    #[error(
        "--format json does not apply to --sql: the output is the SQL script (drop --format, or run without --sql for a JSON report of what ran)"
    )]
    JsonWithOfflineSql,

    #[error("cannot read the answer from the terminal: {0}")]
    Prompt(#[source] std::io::Error),

    #[error("cannot start the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
}

/// Library errors reach the CLI through the engine's error type, which prints them.
macro_rules! through_engine {
    ($($error:ty),*) => {$(
        impl From<$error> for CliError {
            fn from(error: $error) -> Self {
                CliError::Engine(EngineError::from(error))
            }
        }
    )*};
}
through_engine!(
    autogen_pg::PgError,
    autogen_introspect::IntrospectError,
    autogen_model::ModelErrors,
    autogen_diff::DiffError,
    autogen_migrate::MigrateError
);
