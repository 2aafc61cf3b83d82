//! The dev database server of one command run: started on first use (so commands that read
//! only live databases never start one), shared by everything the command does, and
//! stopped when the command ends.

use crate::cache::Cache;
use crate::error::EngineError;
use crate::progress::Progress;
use autogen_pg::{DevServer, TempDatabase};
use tokio::sync::OnceCell;
use tracing::Instrument;

pub struct DevPool {
    url: Option<String>,
    server: OnceCell<DevServer>,
    cache: Option<Cache>,
    version: OnceCell<String>,
    progress: Progress,
}

impl DevPool {
    /// `url` is `--dev-url`; without it a throwaway cluster is started when first needed.
    /// `cache` keeps results of work on the dev database between runs; `progress` hears of
    /// the long steps done on it.
    pub fn new(url: Option<String>, cache: Option<Cache>, progress: Progress) -> Self {
        Self {
            url,
            server: OnceCell::new(),
            cache,
            version: OnceCell::new(),
            progress,
        }
    }

    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    pub fn cache(&self) -> Option<&Cache> {
        self.cache.as_ref()
    }

    /// The PostgreSQL version the dev server runs (e.g. `15.18`), known without starting a
    /// throwaway cluster: its binaries say it. A cache key part.
    pub async fn server_version(&self) -> Result<&str, EngineError> {
        let version = self
            .version
            .get_or_try_init(|| async {
                match &self.url {
                    None => {
                        let binaries = tokio::task::spawn_blocking(autogen_pg::find_binaries)
                            .await
                            .map_err(|error| EngineError::DevVersion(error.to_string()))??;
                        Ok::<_, EngineError>(binaries.version)
                    }
                    Some(url) => {
                        // One connection for one query, without setting up the server for
                        // temporary databases (a cached run never needs one).
                        let client = autogen_pg::ConnectionSpec::parse(url)?.connect().await?;
                        let row = client
                            .query_one("SHOW server_version", &[])
                            .await
                            .map_err(|error| EngineError::DevVersion(error.to_string()))?;
                        row.try_get::<_, String>(0)
                            .map_err(|error| EngineError::DevVersion(error.to_string()))
                    }
                }
            })
            .await?;
        Ok(version)
    }

    pub async fn server(&self) -> Result<&DevServer, EngineError> {
        self.server
            .get_or_try_init(|| {
                async {
                    let server = DevServer::start(self.url.as_deref()).await?;
                    tracing::info!("dev database: {}", server.describe());
                    Ok::<_, EngineError>(server)
                }
                .instrument(crate::step::step("start the dev server"))
            })
            .await
    }

    /// `result` as the user should see it: when work on the dev server failed and the server
    /// no longer answers, the failure is the server's ("the dev database stopped"), never that
    /// of the models, revisions or plan that happened to be running on it.
    pub async fn attributed<T>(&self, result: Result<T, EngineError>) -> Result<T, EngineError> {
        let error = match result {
            Ok(value) => return Ok(value),
            Err(error @ EngineError::DevDatabaseStopped { .. }) => return Err(error),
            Err(error) => error,
        };
        match self.server.get() {
            Some(server) if !server.is_reachable().await => Err(EngineError::DevDatabaseStopped {
                server: server.describe(),
                detail: match error {
                    EngineError::DevConnectionLost { during, detail } => {
                        format!("{detail}, while {during}")
                    }
                    other => other.to_string(),
                },
            }),
            _ => Err(error),
        }
    }

    /// A fresh, empty database on the dev server.
    pub async fn database(&self) -> Result<TempDatabase, EngineError> {
        Ok(self.server().await?.create_database().await?)
    }
}

/// Dropping is best effort: an ephemeral cluster disappears with all its databases anyway.
pub async fn drop_quietly(database: TempDatabase) {
    if let Err(error) = database.drop_database().await {
        tracing::warn!("could not drop the temporary database: {error}");
    }
}
