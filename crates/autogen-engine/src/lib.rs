//! autogen's orchestration as a library: the project (autogen.toml and its revisions), the
//! dev database, the cache, replaying revision chains, normalizing models, planning and
//! verifying migrations. The `autogen` binary parses arguments, calls this, and prints; the
//! benchmarks and the end-to-end tests call the same code.
//!
//! Start at [`Session`]: [`Session::schema`] reads any [`Source`], [`Session::migration`]
//! plans the migration between two schemas once and verifies it.

mod cache;
mod config;
mod declarations;
mod dev;
mod error;
mod expand_contract;
mod inspection;
mod normalize;
pub mod policy;
pub mod progress;
mod project;
mod pull;
mod replay;
mod roles;
mod session;
mod settings;
mod source;
mod step;
mod values;
mod verify;

pub use autogen_diff::{Migration, Verification};
pub use config::{
    Config, DATABASE_URL_VAR, FILE_NAME as CONFIG_FILE_NAME, database_url_from_environment,
    template, template_with,
};
pub use declarations::{Declaration, SqlDeclarations, SqlFile, Stage};
pub use error::{EngineError, ModelRejected, TypeNeedsConversion};
pub use expand_contract::Deploy;
pub use normalize::DeclaredSchema;
pub use project::{DatabaseOrigin, DatabaseStatus, MigrationsLock, Project, connect};
pub use pull::{PullCheck, PullTarget, Pulled, write_pulled};
pub use session::{PlanOptions, Session};
pub use settings::Settings;
pub use source::{Source, ignoring_histories, inspect_options};
pub use step::STEP_SPAN;
pub use values::rows_without_value;
