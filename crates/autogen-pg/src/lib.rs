//! autogen's PostgreSQL plumbing.
//!
//! - [`ConnectionSpec`]: libpq-compatible `postgres://` URLs (environment, `~/.pgpass`, sslmode
//!   incl. verify-ca/verify-full over rustls), redacted whenever printed, and `connect()` with
//!   errors written for people.
//! - [`DevCluster`]: a throwaway cluster started from the system's own binaries
//!   ([`find_binaries`]) on a private Unix socket, from a cached initdb template.
//! - [`DevServer`] / [`TempDatabase`]: scratch databases, on such a cluster or on an existing
//!   server (`--dev-url`).

mod binaries;
mod cluster;
mod connection;
mod error;
mod fscopy;
mod logtail;
mod pgpass;
mod process;
mod server;
mod spec;
mod stale;
mod sysuser;
mod template;
mod text;
mod tls;
mod url;

/// The driver itself, so dependents use exactly the version this crate's `Client` comes from.
pub use tokio_postgres;
pub use tokio_postgres::Client;

pub use binaries::{PgBinaries, find_binaries, find_binaries_with_env};
pub use cluster::{ClusterOptions, DevCluster};
pub use error::PgError;
pub use server::{DevServer, TempDatabase};
pub use spec::{ConnectionSpec, Host, SslMode};
pub use text::{error_position, error_text, one_line};
