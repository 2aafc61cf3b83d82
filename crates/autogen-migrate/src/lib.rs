//! Revision files and running them.
//!
//! - [`Revision`]: one `<id>_<slug>.sql` file (header, `-- migrate:up`, `-- migrate:down`),
//!   parsed strictly with errors at the offending line, rendered back, checksummed over the SQL
//!   that runs.
//! - [`RevisionGraph`]: the migrations directory as a DAG by `parents`, with a deterministic
//!   order, heads, prefix lookup and the upgrade/downgrade plans.
//! - [`upgrade`] / [`downgrade`] / [`stamp`]: the runner. It serializes on an advisory lock,
//!   keeps `public.autogen_revisions`, refuses edited or unknown applied revisions, and runs
//!   each revision in its own transaction (or statement by statement for
//!   `transaction:false`), naming the failing statement's file and line. A statement under
//!   a `-- batch:` directive ([`BatchOptions`]) runs again and again, one transaction per
//!   batch, until it changes no row, resumably.
//! - [`offline_upgrade_sql`] / [`offline_downgrade_sql`]: the same as a script for a DBA.
//! - [`Layout`], [`load_graph`], [`write_revision`], [`applied_versions`]: revisions as the
//!   migrations of sqlx, Diesel or sea-orm-migration, written and read back as a chain in
//!   that stack's order, with what its own tracking table says is applied.
//! - [`history`]: another migration tool's tracking table on an adopted database (which
//!   tool, how far it got) and its migration files imported as the chain's first revisions.
//! - [`EmbeddedMigrations`]: revision files compiled into an application
//!   (`autogen::embed_migrations!`), checked like a directory and applied at start-up by the
//!   same runner, so the CLI and the application share the tracking table, lock and checksums.
//!
//! The runner takes a [`tokio_postgres::Client`]; the driver is re-exported as
//! [`tokio_postgres`] so an application can use exactly the version this crate was built with.
//! With the `sqlx` feature, [`EmbeddedMigrations`] also run on a `sqlx::PgPool` or
//! `sqlx::PgConnection` (`upgrade_sqlx`), through the same runner (`connection.rs` is what it
//! needs from a connection), and sqlx is re-exported as `sqlx`.

mod batch;
mod concurrent;
mod connection;
mod embedded;
mod error;
mod files;
mod graph;
pub mod history;
mod layout;
mod naming;
mod offline;
mod parse;
mod phase;
mod progress;
mod revision;
mod roles;
mod runner;
mod split;
#[cfg(feature = "sqlx")]
mod sqlx_connection;
mod target;
mod tracking;

pub use batch::{BatchOptions, is_batchable, parse_batch_directive};
pub use embedded::EmbeddedMigrations;
pub use error::{Direction, MigrateError, ParseProblem};
pub use files::{RevisionFile, write_new};
pub use graph::{DowngradeTarget, RevisionGraph, UpgradeTarget};
pub use layout::{AppliedVersion, Layout, Written, applied_versions, load_graph, write_revision};
pub use naming::{new_revision_id, rfc3339_utc, slug};
pub use offline::{offline_downgrade_sql, offline_upgrade_phase_sql, offline_upgrade_sql};
pub use phase::{PhasePlan, RevisionPhase, restrict_to_phase};
pub use progress::PROGRESS_TABLE;
pub use revision::{Revision, Section};
pub use roles::{roles_created, roles_named, roles_needed};
pub use runner::{Progress, RunOptions, downgrade, stamp, upgrade, upgrade_phase};
pub use split::{Statement, split_statements};
/// The sqlx the `sqlx` feature's runner takes ([`EmbeddedMigrations::upgrade_sqlx`]), so an
/// application can use exactly the version this crate was built with.
#[cfg(feature = "sqlx")]
pub use sqlx;
#[cfg(feature = "sqlx")]
pub use sqlx_connection::applied_revisions_sqlx;
/// The PostgreSQL driver the runner's `Client` comes from.
pub use tokio_postgres;
pub use tracking::{
    ADVISORY_LOCK_KEY, AppliedRevision, TRACKING_SCHEMA, TRACKING_TABLE, applied_revisions, lock,
    unlock,
};
