//! The example project's models (`schema/models/`), compiled with the real derives, and its
//! revisions (`schema/migrations/`), compiled in to run at start-up.
//!
//! The `autogen` CLI reads the model files themselves (see `schema/autogen.toml`); this crate
//! proves that they also compile in a crate that depends on `autogen`, that the derives accept
//! what the CLI accepts, and that an application can apply the revisions the CLI wrote
//! ([`migrate`]). `build.rs` makes a new revision file rebuild the crate.

use autogen::migrate::tokio_postgres::Client;
use autogen::migrate::{EmbeddedMigrations, MigrateError};

#[path = "../models/users.rs"]
pub mod users;

#[path = "../models/worlds.rs"]
pub mod worlds;

#[path = "../models/posts.rs"]
pub mod posts;

#[path = "../models/identities.rs"]
pub mod identities;

/// `migrations/` (next to Cargo.toml), embedded when the crate compiles.
pub static MIGRATIONS: EmbeddedMigrations = autogen::embed_migrations!();

/// What an application calls at start-up: applies the pending revisions, returns their ids.
pub async fn migrate(client: &mut Client) -> Result<Vec<String>, MigrateError> {
    MIGRATIONS.upgrade(client).await
}
