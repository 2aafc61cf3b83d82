//! The example project's models (`schema/models/`), compiled with the real derives.
//!
//! The `autogen` CLI reads the model files themselves (see `schema/autogen.toml`); this crate
//! only proves that they also compile in a crate that depends on `autogen`, and that the
//! derives accept what the CLI accepts.

#[path = "../models/users.rs"]
pub mod users;

#[path = "../models/worlds.rs"]
pub mod worlds;

#[path = "../models/posts.rs"]
pub mod posts;

#[path = "../models/identities.rs"]
pub mod identities;
