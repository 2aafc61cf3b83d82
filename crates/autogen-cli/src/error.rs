//! Every error the CLI reports, and how it is printed: one line saying what went wrong and
//! what to do, `error:` in red on a terminal. Exit code 2.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CliError {
    #[error(transparent)]
    Pg(#[from] autogen_pg::PgError),

    #[error("{0}")]
    Introspect(#[from] autogen_introspect::IntrospectError),

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
        "cannot tell what kind of source {0:?} is: give a PostgreSQL URL (postgres://…) or a .sql file"
    )]
    UnknownSource(String),

    #[error("source {} does not exist", .0.display())]
    MissingSource(PathBuf),

    #[error("cannot write the output: {0}")]
    Output(#[source] std::io::Error),

    #[error("cannot start the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
}
