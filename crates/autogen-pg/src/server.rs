//! `DevServer` (where scratch databases come from) and `TempDatabase` (one scratch database).

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio_postgres::error::SqlState;

use crate::Client;
use crate::cluster::DevCluster;
use crate::error::PgError;
use crate::spec::ConnectionSpec;

/// How long Drop of a TempDatabase waits for its best-effort DROP DATABASE.
const DROP_ON_DROP_LIMIT: Duration = Duration::from_secs(15);

/// Where temp databases come from: our own cluster, or an existing server given by --dev-url.
pub enum DevServer {
    Ephemeral(DevCluster),
    External(ConnectionSpec),
}

impl DevServer {
    /// None => start an ephemeral DevCluster; Some(url) => parse it, check it connects.
    pub async fn start(dev_url: Option<&str>) -> Result<Self, PgError> {
        match dev_url {
            None => {
                // Starting runs initdb/copies files and waits for the server: blocking work.
                let cluster = tokio::task::spawn_blocking(DevCluster::start)
                    .await
                    .map_err(|e| {
                        PgError::Internal(format!("dev cluster start-up panicked: {e}"))
                    })??;
                Ok(DevServer::Ephemeral(cluster))
            }
            Some(url) => {
                let spec = ConnectionSpec::parse(url)?;
                let client = spec.connect().await?;
                drop(client);
                Ok(DevServer::External(spec))
            }
        }
    }

    /// CREATE DATABASE with a unique name `autogen_tmp_<pid>_<counter>_<random hex>`.
    pub async fn create_database(&self) -> Result<TempDatabase, PgError> {
        let admin = self.admin_connection();
        let name = unique_name();
        let client = admin.connect().await?;
        let create = format!(
            "CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'",
            quote(&name)
        );
        let created = match client.batch_execute(&create).await {
            // UTF8 clashes with a server whose default locale uses another encoding; the C
            // locale goes with any encoding.
            Err(e) if e.code() == Some(&SqlState::INVALID_PARAMETER_VALUE) => {
                client
                    .batch_execute(&format!("{create} LC_COLLATE 'C' LC_CTYPE 'C'"))
                    .await
            }
            other => other,
        };
        created.map_err(|e| query_error(&admin, "could not create a temporary database", &e))?;
        Ok(TempDatabase {
            connection: admin.with_database(&name),
            admin,
            name,
            dropped: false,
        })
    }

    /// e.g. "ephemeral PostgreSQL 15.18 at /tmp/autogen-dev-xyz", or the redacted URL.
    pub fn describe(&self) -> String {
        match self {
            DevServer::Ephemeral(cluster) => format!(
                "ephemeral PostgreSQL {} at {}",
                cluster.binaries().version,
                cluster.socket_dir().display()
            ),
            DevServer::External(spec) => spec.redacted(),
        }
    }

    /// Where CREATE/DROP DATABASE are issued from.
    pub fn admin_connection(&self) -> ConnectionSpec {
        match self {
            DevServer::Ephemeral(cluster) => cluster.connection("postgres"),
            DevServer::External(spec) => spec.clone(),
        }
    }

    /// Whether the server still accepts connections: the question to ask when work on it
    /// failed, so a server that went away is not blamed on the models or revisions it ran.
    pub async fn is_reachable(&self) -> bool {
        const PATIENCE: Duration = Duration::from_secs(5);
        let admin = self.admin_connection();
        let probe = async {
            let client = admin.connect().await.ok()?;
            client.simple_query("SELECT 1").await.ok()
        };
        matches!(tokio::time::timeout(PATIENCE, probe).await, Ok(Some(_)))
    }

    /// Stops an ephemeral cluster now (see [`DevCluster::shutdown`]); nothing for an external one.
    pub fn shutdown(&self) {
        if let DevServer::Ephemeral(cluster) = self {
            cluster.shutdown();
        }
    }
}

/// A scratch database. Dropped with DROP DATABASE ... WITH (FORCE) by [`TempDatabase::drop_database`]
/// or, best effort, when the value is dropped, so no server (least of all a --dev-url one)
/// collects garbage.
pub struct TempDatabase {
    connection: ConnectionSpec,
    admin: ConnectionSpec,
    name: String,
    dropped: bool,
}

impl TempDatabase {
    pub fn connection(&self) -> &ConnectionSpec {
        &self.connection
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub async fn connect(&self) -> Result<Client, PgError> {
        self.connection.connect().await
    }

    /// DROP DATABASE ... WITH (FORCE).
    pub async fn drop_database(mut self) -> Result<(), PgError> {
        self.dropped = true;
        drop_database(&self.admin, &self.name).await
    }
}

impl Drop for TempDatabase {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        // Drop cannot be async and may run inside (or outside) any runtime: do the work on a
        // fresh thread with its own runtime, and wait for it (bounded) so a process that is about
        // to exit does not skip it.
        let admin = self.admin.clone();
        let name = std::mem::take(&mut self.name);
        let (tx, rx) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("autogen-dropdb".to_owned())
            .spawn(move || {
                let result = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime.block_on(drop_database(&admin, &name)),
                    Err(e) => Err(PgError::io("could not start a runtime", e)),
                };
                let _ = tx.send(result);
            });
        if let Err(e) = spawned {
            tracing::warn!("could not drop a temporary database: {e}");
            return;
        }
        match rx.recv_timeout(DROP_ON_DROP_LIMIT) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::debug!("could not drop a temporary database: {e}"),
            Err(_) => tracing::warn!("dropping a temporary database took too long; left it"),
        }
    }
}

async fn drop_database(admin: &ConnectionSpec, name: &str) -> Result<(), PgError> {
    let client = admin.connect().await?;
    let context = "could not drop a temporary database";
    match client
        .batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quote(name)
        ))
        .await
    {
        Ok(()) => Ok(()),
        // WITH (FORCE) is PostgreSQL 13+; on 12 end the sessions ourselves.
        Err(e) if e.code() == Some(&SqlState::SYNTAX_ERROR) => {
            client
                .execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE datname = $1 AND pid <> pg_backend_pid()",
                    &[&name],
                )
                .await
                .map_err(|e| query_error(admin, context, &e))?;
            client
                .batch_execute(&format!("DROP DATABASE IF EXISTS {}", quote(name)))
                .await
                .map_err(|e| query_error(admin, context, &e))
        }
        Err(e) => Err(query_error(admin, context, &e)),
    }
}

fn query_error(spec: &ConnectionSpec, context: &str, error: &tokio_postgres::Error) -> PgError {
    let mut message = crate::text::error_text(error);
    if error.code() == Some(&SqlState::INSUFFICIENT_PRIVILEGE) {
        message.push_str(&format!(
            "; the dev server user \"{}\" needs the CREATEDB privilege",
            spec.user()
        ));
    }
    let code = error.code().map(|code| code.code().to_owned());
    PgError::Query {
        url: spec.redacted(),
        context: context.to_owned(),
        message,
        code,
    }
}

/// `autogen_tmp_<pid>_<counter>_<random hex>`: unique within the process by the counter, across
/// processes (even on another machine sharing a --dev-url server) by pid + randomness.
fn unique_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let counter = COUNTER.fetch_add(1, Ordering::Relaxed);
    // RandomState is seeded from the OS once per process and differs per instance.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(counter);
    let random = hasher.finish() & 0xffff_ffff;
    format!("autogen_tmp_{}_{counter}_{random:08x}", std::process::id())
}

fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_valid_identifiers() {
        let a = unique_name();
        let b = unique_name();
        assert_ne!(a, b);
        for name in [&a, &b] {
            assert!(name.starts_with(&format!("autogen_tmp_{}_", std::process::id())));
            assert!(name.len() < 63);
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            );
        }
    }
}
