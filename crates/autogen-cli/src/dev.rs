//! The dev database server of one command run: started on first use (so commands that read
//! only live databases never start one), shared by everything the command does, and
//! stopped when the command ends.

use crate::error::CliError;
use autogen_pg::{DevServer, TempDatabase};
use tokio::sync::OnceCell;

pub struct DevPool {
    url: Option<String>,
    server: OnceCell<DevServer>,
}

impl DevPool {
    /// `url` is `--dev-url`; without it a throwaway cluster is started when first needed.
    pub fn new(url: Option<String>) -> Self {
        Self {
            url,
            server: OnceCell::new(),
        }
    }

    pub async fn server(&self) -> Result<&DevServer, CliError> {
        self.server
            .get_or_try_init(|| async {
                let server = DevServer::start(self.url.as_deref()).await?;
                tracing::info!("dev database: {}", server.describe());
                Ok::<_, CliError>(server)
            })
            .await
    }

    /// A fresh, empty database on the dev server.
    pub async fn database(&self) -> Result<TempDatabase, CliError> {
        Ok(self.server().await?.create_database().await?)
    }
}

/// Dropping is best effort: an ephemeral cluster disappears with all its databases anyway.
pub async fn drop_quietly(database: TempDatabase) {
    if let Err(error) = database.drop_database().await {
        tracing::warn!("could not drop the temporary database: {error}");
    }
}
