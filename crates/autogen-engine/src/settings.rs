//! What a caller (the command line) resolved before the engine runs: where the project is
//! and which servers to use. Plain data: the engine never sees argument-parser types.

use std::path::PathBuf;

#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The project's autogen.toml (`--config`); without it, the nearest one upwards from the
    /// current directory.
    pub config: Option<PathBuf>,
    /// The database to migrate or compare (`--database-url`); overrides `DATABASE_URL` and
    /// the config's `[database] url`.
    pub database_url: Option<String>,
    /// An existing server for scratch databases (`--dev-url` / `AUTOGEN_DEV_URL`); overrides
    /// the config's `[dev] url`. Without either, a throwaway cluster is started when needed.
    pub dev_url: Option<String>,
    /// Keep and use results of work on the dev database between runs (see `cache.rs`).
    pub cache: bool,
    /// Where the long steps report how far they are (nothing by default).
    pub progress: crate::progress::Progress,
}
