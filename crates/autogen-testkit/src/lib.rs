//! Test helper shared by autogen's crates: one dev PostgreSQL server per test process, a fresh
//! database per test.
//!
//! The server is an ephemeral cluster (see `autogen_pg::DevCluster`), or the existing server named
//! by `AUTOGEN_TEST_DEV_URL`. It is started on first use and stopped at process exit.

use std::sync::{Once, OnceLock};

pub use autogen_pg;
use autogen_pg::{ClusterOptions, DevCluster, DevServer, TempDatabase};

/// Names an existing server to use instead of an ephemeral cluster.
pub const DEV_URL_VAR: &str = "AUTOGEN_TEST_DEV_URL";

static SERVER: OnceLock<DevServer> = OnceLock::new();
/// A second cluster whose non-superuser roles must give a password (see `password_role_url`).
static PASSWORD_CLUSTER: OnceLock<DevCluster> = OnceLock::new();
static AT_EXIT: Once = Once::new();

/// The process-wide dev server: an ephemeral cluster started once, or an existing server when
/// AUTOGEN_TEST_DEV_URL is set. Stopped and removed at process exit.
///
/// Panics with the reason when the server cannot be started (tests only).
pub fn shared_server() -> &'static DevServer {
    SERVER.get_or_init(|| {
        let url = std::env::var(DEV_URL_VAR).ok().filter(|v| !v.is_empty());
        // DevServer::start is async and callers may or may not be inside a runtime (a nested
        // block_on would panic), so start it on a thread with a private runtime.
        let started = std::thread::Builder::new()
            .name("autogen-testkit-start".to_owned())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| format!("could not build a tokio runtime: {e}"))?;
                runtime
                    .block_on(DevServer::start(url.as_deref()))
                    .map_err(|e| e.to_string())
            })
            .map_err(|e| format!("could not spawn a thread: {e}"))
            .and_then(|thread| {
                thread
                    .join()
                    .unwrap_or_else(|_| Err("the start-up thread panicked".to_owned()))
            });
        match started {
            Ok(server) => {
                AT_EXIT.call_once(register_shutdown);
                server
            }
            Err(reason) => panic!("autogen-testkit: could not start the dev PostgreSQL server: {reason} (set {DEV_URL_VAR} to use an existing server)"),
        }
    })
}

/// A fresh, empty database on the shared server, ready for one test. It is dropped when the
/// returned value is dropped. Panics with a clear message on failure (tests only).
pub async fn fresh_database() -> TempDatabase {
    let server = shared_server();
    match server.create_database().await {
        Ok(database) => database,
        Err(e) => panic!(
            "autogen-testkit: could not create a database on {}: {e}",
            server.describe()
        ),
    }
}

/// A URL for `database` that a child process (e.g. the autogen binary) can connect with. It
/// contains the password when the server needs one: do not print it.
pub fn url(database: &TempDatabase) -> String {
    database.connection().url_with_password()
}

/// Creates (`NOLOGIN`) the roles `sql` names that the server lacks, as autogen's dev database
/// does before it runs a schema: a fixture granting to a role loads on the shared server.
pub async fn create_roles_named(client: &autogen_pg::Client, sql: &str) {
    for role in autogen_migrate::roles_named(sql) {
        let ident = format!("\"{}\"", role.replace('"', "\"\""));
        let create = format!(
            "DO $t$ BEGIN CREATE ROLE {ident} NOLOGIN; \
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $t$"
        );
        if let Err(error) = client.batch_execute(&create).await {
            panic!("autogen-testkit: creating role {role}: {error}");
        }
    }
}

/// A URL that logs in as `role` with `password` on a cluster where that password is checked
/// (scram-sha-256), for testing authentication errors. The role is created (or its password reset)
/// on first use. `None` when the tests run against an external server (AUTOGEN_TEST_DEV_URL),
/// whose authentication setup is not ours to change.
pub async fn password_role_url(role: &str, password: &str) -> Option<String> {
    if std::env::var(DEV_URL_VAR).is_ok_and(|v| !v.is_empty()) {
        return None;
    }
    let cluster = PASSWORD_CLUSTER.get_or_init(|| {
        let options = ClusterOptions {
            data_files: vec![(
                "autogen_password_hba.conf".to_owned(),
                b"local all postgres trust\nlocal all all scram-sha-256\n".to_vec(),
            )],
            settings: vec![(
                "hba_file".to_owned(),
                "autogen_password_hba.conf".to_owned(),
            )],
            ..ClusterOptions::default()
        };
        let started = autogen_pg::find_binaries()
            .and_then(|binaries| DevCluster::start_with_options(&binaries, &options));
        match started {
            Ok(cluster) => {
                AT_EXIT.call_once(register_shutdown);
                cluster
            }
            Err(e) => panic!("autogen-testkit: could not start the password-auth cluster: {e}"),
        }
    });
    let admin = cluster.connection("postgres");
    let client = admin
        .connect()
        .await
        .unwrap_or_else(|e| panic!("autogen-testkit: {e}"));
    let ident = format!("\"{}\"", role.replace('"', "\"\""));
    let literal = format!("'{}'", password.replace('\'', "''"));
    // Idempotent and safe against a concurrent test creating the same role.
    let sql = format!(
        "DO $autogen$ BEGIN \
           CREATE ROLE {ident} LOGIN PASSWORD {literal}; \
         EXCEPTION WHEN duplicate_object OR unique_violation THEN \
           ALTER ROLE {ident} LOGIN PASSWORD {literal}; \
         END $autogen$"
    );
    if let Err(e) = client.batch_execute(&sql).await {
        panic!("autogen-testkit: could not create role {role}: {e}");
    }
    let spec = cluster
        .connection("postgres")
        .with_credentials(role, Some(password));
    Some(spec.url_with_password())
}

/// A `static` is never dropped, so stop the cluster (and remove its directory) from atexit.
fn register_shutdown() {
    extern "C" fn shutdown() {
        // Unwinding out of an extern "C" fn aborts; never let a panic escape.
        let _ = std::panic::catch_unwind(|| {
            if let Some(server) = SERVER.get() {
                server.shutdown();
            }
            if let Some(cluster) = PASSWORD_CLUSTER.get() {
                cluster.shutdown();
            }
        });
    }
    // SAFETY: registering a plain extern "C" function without captured state.
    let rc = unsafe { libc::atexit(shutdown) };
    if rc != 0 {
        eprintln!(
            "autogen-testkit: could not register the exit hook; the dev cluster is removed by the next test run instead"
        );
    }
}
