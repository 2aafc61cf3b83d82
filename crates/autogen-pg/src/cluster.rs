//! `DevCluster`: a throwaway PostgreSQL cluster on a Unix socket in a private temp directory.
//!
//! postgres is started directly rather than through pg_ctl: pg_ctl daemonizes, which re-parents the
//! postmaster to PID 1 (leaving zombies on minimal inits) and escapes the watchdog that kills it
//! when we die (see `process.rs`).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::binaries::{PgBinaries, find_binaries};
use crate::error::PgError;
use crate::logtail::{TAIL_LINES, tail_of_file};
use crate::process::ServerProcess;
use crate::spec::ConnectionSpec;
use crate::stale::{self, DIR_PREFIX, OWNER_FILE};
use crate::sysuser::{self, SysUser};
use crate::template;

/// How long the server may take to accept connections.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a fast shutdown may take before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(5);
/// The superuser initdb creates (trust auth on the private socket).
const SUPERUSER: &str = "postgres";

/// Extra knobs for [`DevCluster::start_with_options`] (tests use them for TLS over loopback).
#[derive(Clone, Debug)]
pub struct ClusterOptions {
    /// The port; it also names the socket file, so on a private socket directory any port works.
    pub port: u16,
    /// Extra `-c name=value` server settings, applied after (so overriding) the defaults. Relative
    /// paths are relative to the data directory.
    pub settings: Vec<(String, String)>,
    /// Files written into the data directory (mode 0600, owned by the server user) before start,
    /// e.g. `server.crt` / `server.key`.
    pub data_files: Vec<(String, Vec<u8>)>,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            port: 5432,
            settings: Vec::new(),
            data_files: Vec::new(),
        }
    }
}

/// A throwaway cluster. Drop stops it (SIGINT = fast shutdown, wait up to ~5 s then SIGKILL) and
/// removes its directory.
pub struct DevCluster {
    binaries: PgBinaries,
    socket_dir: PathBuf,
    port: u16,
    running: Mutex<Running>,
}

struct Running {
    process: Option<ServerProcess>,
    dir: Option<tempfile::TempDir>,
}

impl DevCluster {
    /// [`find_binaries`] + [`DevCluster::start_with`].
    pub fn start() -> Result<Self, PgError> {
        Self::start_with(&find_binaries()?)
    }

    pub fn start_with(binaries: &PgBinaries) -> Result<Self, PgError> {
        Self::start_with_options(binaries, &ClusterOptions::default())
    }

    pub fn start_with_options(
        binaries: &PgBinaries,
        options: &ClusterOptions,
    ) -> Result<Self, PgError> {
        let started = Instant::now();
        let run_as = sysuser::server_user()?;
        let base = temp_base(run_as.is_some());
        stale::remove_stale_clusters(&base);

        // Dropping `dir` on any early return removes everything created so far.
        let dir = tempfile::Builder::new()
            .prefix(DIR_PREFIX)
            .tempdir_in(&base)
            .map_err(|e| {
                PgError::io(
                    format!("could not create a directory in {}", base.display()),
                    e,
                )
            })?;
        let root = dir.path().to_path_buf();
        std::fs::write(root.join(OWNER_FILE), format!("{}\n", std::process::id()))
            .map_err(|e| PgError::io(format!("could not write {}", root.display()), e))?;
        if let Some(user) = &run_as {
            sysuser::chown(&root, user)?;
        }

        let data = root.join("data");
        template::prepare_data_dir(binaries, &data, &root, run_as.as_ref())?;
        tracing::debug!("data directory ready after {:?}", started.elapsed());
        for (name, contents) in &options.data_files {
            write_private(&data.join(name), contents, run_as.as_ref())?;
        }

        let log_path = root.join("postgres.log");
        let log = File::create(&log_path)
            .map_err(|e| PgError::io(format!("could not create {}", log_path.display()), e))?;
        let log_err = log
            .try_clone()
            .map_err(|e| PgError::io("could not duplicate the log file handle", e))?;

        let mut command = Command::new(binaries.postgres());
        command
            .arg("-D")
            .arg(&data)
            .arg("-p")
            .arg(options.port.to_string());
        let mut settings: Vec<(String, String)> = vec![
            ("listen_addresses".into(), String::new()),
            (
                "unix_socket_directories".into(),
                root.to_string_lossy().into_owned(),
            ),
            // A scratch cluster need not survive a crash: skip every durability cost.
            ("fsync".into(), "off".into()),
            ("synchronous_commit".into(), "off".into()),
            ("full_page_writes".into(), "off".into()),
            ("max_connections".into(), "100".into()),
            // Replaying a large revision (or a whole schema) in one transaction takes about a
            // dozen locks per table; the default lock table fills up near 1,000 tables.
            ("max_locks_per_transaction".into(), "1024".into()),
        ];
        settings.extend(options.settings.iter().cloned());
        for (name, value) in &settings {
            command.arg("-c").arg(format!("{name}={value}"));
        }
        // Relative paths in settings (hba_file, ssl_cert_file, ...) then mean "in the data dir".
        command
            .current_dir(&data)
            .env("LC_ALL", "C")
            .env_remove("PGDATA")
            .env_remove("PGPORT")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err);
        if let Some(user) = &run_as {
            template::as_user(&mut command, user);
        }
        let process = ServerProcess::spawn(command)?;
        wait_until_ready(&data, &process, &log_path)?;
        tracing::debug!(
            "dev cluster {} (pid {}) ready in {:?}",
            root.display(),
            process.pid(),
            started.elapsed()
        );

        Ok(DevCluster {
            binaries: binaries.clone(),
            socket_dir: root,
            port: options.port,
            running: Mutex::new(Running {
                process: Some(process),
                dir: Some(dir),
            }),
        })
    }

    /// unix socket, user "postgres", trust auth.
    pub fn connection(&self, database: &str) -> ConnectionSpec {
        ConnectionSpec::unix_socket(&self.socket_dir, self.port, SUPERUSER, database)
    }

    /// The cluster's private directory; it holds the socket, `data/` and `postgres.log`.
    pub fn socket_dir(&self) -> &Path {
        &self.socket_dir
    }

    pub fn binaries(&self) -> &PgBinaries {
        &self.binaries
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The postmaster's pid while it runs.
    pub fn pid(&self) -> Option<i32> {
        self.lock().process.as_ref().map(ServerProcess::pid)
    }

    /// Stops the server and removes the directory now (Drop does the same). Idempotent; after it
    /// the cluster accepts no connections. For owners that cannot drop, such as a `static`.
    pub fn shutdown(&self) {
        let mut running = self.lock();
        if let Some(mut process) = running.process.take() {
            process.stop(STOP_GRACE);
        }
        if let Some(dir) = running.dir.take() {
            let path = dir.path().to_path_buf();
            if let Err(e) = dir.close() {
                tracing::warn!("could not remove dev cluster {}: {e}", path.display());
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, Running> {
        // Poisoning only says another thread panicked; stopping the server must still work.
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for DevCluster {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The directory for cluster dirs: std::env::temp_dir(), unless the server user could not reach
/// it (root with a private TMPDIR), or it would make the socket path too long (sun_path holds 107
/// bytes) or unquotable in unix_socket_directories; then /tmp.
fn temp_base(other_user: bool) -> PathBuf {
    let base = std::env::temp_dir();
    let text = base.to_string_lossy();
    let simple = !text.contains([',', '"', '\'', '\\', ' ']) && text.len() <= 64;
    if simple && (!other_user || sysuser::traversable_by_others(&base)) {
        base
    } else {
        PathBuf::from("/tmp")
    }
}

fn write_private(path: &Path, contents: &[u8], owner: Option<&SysUser>) -> Result<(), PgError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut f| f.write_all(contents).map(|()| f))
        .map_err(|e| PgError::io(format!("could not write {}", path.display()), e))?;
    file.flush()
        .map_err(|e| PgError::io(format!("could not write {}", path.display()), e))?;
    if let Some(user) = owner {
        sysuser::chown(path, user)?;
    }
    Ok(())
}

/// Polls postmaster.pid until its status line says "ready" (PostgreSQL 10+ writes it once the
/// server accepts connections); fails early if the postmaster exits.
fn wait_until_ready(data: &Path, process: &ServerProcess, log_path: &Path) -> Result<(), PgError> {
    let deadline = Instant::now() + READY_TIMEOUT;
    let pid_file = data.join("postmaster.pid");
    let mut pause = Duration::from_millis(1);
    loop {
        if let Some(status) = process.exit_status() {
            return Err(PgError::ServerStart {
                reason: format!("postgres exited: {status}"),
                log_tail: tail_of_file(log_path, TAIL_LINES),
            });
        }
        if let Ok(text) = std::fs::read_to_string(&pid_file)
            && text.lines().nth(7).map(str::trim) == Some("ready")
        {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(PgError::ServerStart {
                reason: format!(
                    "not accepting connections after {} s",
                    READY_TIMEOUT.as_secs()
                ),
                log_tail: tail_of_file(log_path, TAIL_LINES),
            });
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}
