//! The one error type of this crate. Every message is a single line written for the person at the
//! terminal: it says what failed and what to do about it. No variant ever carries a password (URLs
//! are stored in their redacted form only).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PgError {
    /// The connection URL (or a PG* environment variable standing in for part of it) is malformed.
    #[error("invalid connection URL: {reason}")]
    InvalidUrl { reason: String },

    #[error(
        "no PostgreSQL server binaries found (searched {}); install them (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql@17, or Postgres.app; Fedora/RHEL: dnf install postgresql-server), set AUTOGEN_PG_BIN to the directory holding initdb and postgres, or use an existing server with --dev-url postgres://… (e.g. the official container: docker run -d -p 5432:5432 -e POSTGRES_PASSWORD=dev postgres, then --dev-url postgres://postgres:dev@localhost:5432/postgres)",
        display_paths(searched)
    )]
    BinariesNotFound { searched: Vec<PathBuf> },

    /// AUTOGEN_PG_BIN was set explicitly, so a bad value is an error rather than a reason to look elsewhere.
    #[error(
        "AUTOGEN_PG_BIN={} does not hold PostgreSQL server binaries ({problem}); point it at the directory holding initdb and postgres, or unset it to search the usual places",
        path.display()
    )]
    BinariesInvalid { path: PathBuf, problem: String },

    #[error("could not get the version of {}: {reason}", path.display())]
    BinaryVersion { path: PathBuf, reason: String },

    #[error(
        "running as root, but neither the `postgres` nor the `nobody` system user exists to run the dev PostgreSQL server (PostgreSQL refuses to run as root); create a `postgres` user or pass --dev-url"
    )]
    NoServerUser,

    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },

    #[error("initdb failed ({status}): {output}")]
    Initdb { status: String, output: String },

    #[error("the dev PostgreSQL server did not start ({reason}); server log: {log_tail}")]
    ServerStart { reason: String, log_tail: String },

    #[error("could not connect to {url}: connection refused; is the server running on {target}?")]
    ConnectionRefused { url: String, target: String },

    #[error(
        "could not connect to {url}: no server socket {socket}; is the server running locally and accepting connections on that socket?"
    )]
    SocketNotFound { url: String, socket: PathBuf },

    #[error("could not connect to {url}: {reason}; check the host name, port and network")]
    Unreachable { url: String, reason: String },

    #[error(
        "could not connect to {url}: {message}; check the user name and password (in the URL, PGPASSWORD or ~/.pgpass)"
    )]
    AuthenticationFailed {
        url: String,
        user: String,
        message: String,
    },

    #[error(
        "could not connect to {url}: database \"{database}\" does not exist; create it or name an existing database in the URL"
    )]
    DatabaseNotFound { url: String, database: String },

    #[error(
        "could not connect to {url}: no answer from {target} within {seconds} s; is it reachable? (a slow server needs a larger connect_timeout in the URL)"
    )]
    ConnectTimeout {
        url: String,
        target: String,
        seconds: u64,
    },

    #[error("could not connect to {url}: TLS failed: {reason}; {hint}")]
    Tls {
        url: String,
        reason: String,
        hint: &'static str,
    },

    /// Any other refusal by the server (too many connections, starting up, ...), in PostgreSQL's words.
    #[error("could not connect to {url}: {message}")]
    Connect { url: String, message: String },

    /// A statement this crate runs itself (CREATE/DROP DATABASE) failed.
    #[error("{context} on {url}: {message}")]
    Query {
        url: String,
        context: String,
        message: String,
        /// SQLSTATE when the server reported one.
        code: Option<String>,
    },

    #[error("internal error: {0}")]
    Internal(String),
}

impl PgError {
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        PgError::Io {
            context: context.into(),
            source,
        }
    }

    pub(crate) fn invalid_url(reason: impl Into<String>) -> Self {
        PgError::InvalidUrl {
            reason: reason.into(),
        }
    }

    /// SQLSTATE of a server-reported error, if this is one.
    pub fn sqlstate(&self) -> Option<&str> {
        match self {
            PgError::Query { code, .. } => code.as_deref(),
            PgError::DatabaseNotFound { .. } => Some("3D000"),
            _ => None,
        }
    }
}

fn display_paths(paths: &[PathBuf]) -> String {
    if paths.is_empty() {
        return "nothing".to_owned();
    }
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
