//! The data directory of a fresh cluster: initdb runs once per PostgreSQL build into a cache, and
//! every run copies the cached template (copying is several times faster than initdb).
//!
//! Cache layout: `<cache root>/<key>/` is a complete data directory, where the key covers the
//! server version, the bindir and the initdb options. It appears atomically (built in a temp dir
//! next to it, then renamed), so concurrent processes either see a complete template or none; a
//! process that loses the rename race simply uses the winner's.
//!
//! Ownership: the template belongs to whoever created it and stays private (mode 0700). As root,
//! the server runs as another user, who could not even traverse /root/.cache; rather than moving
//! root's cache somewhere world-traversable, root copies the template (it can read anything) and
//! chowns each copied entry to the server user. The per-run copy is needed anyway.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::binaries::PgBinaries;
use crate::error::PgError;
use crate::fscopy::copy_tree;
use crate::logtail::{TAIL_LINES, tail};
use crate::sysuser::{self, SysUser};

/// Bumped whenever the template contents change for reasons the key does not see.
const TEMPLATE_FORMAT: &str = "1";

/// initdb options: the superuser `postgres` with trust auth over the private socket, UTF8 and the C
/// locale for deterministic behaviour, and no fsync (a throwaway cluster need not survive a crash).
pub(crate) fn initdb_args(binaries: &PgBinaries) -> Vec<&'static str> {
    let mut args = vec![
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
    ];
    // --no-instructions appeared in PostgreSQL 14; older initdb rejects it.
    if binaries.major >= 14 {
        args.push("--no-instructions");
    }
    args
}

/// `$AUTOGEN_CACHE_DIR`, `$XDG_CACHE_HOME/autogen` or `~/.cache/autogen`.
pub(crate) fn cache_root() -> Option<PathBuf> {
    let var = |key: &str| std::env::var_os(key).filter(|v| !v.is_empty());
    if let Some(dir) = var("AUTOGEN_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = var("XDG_CACHE_HOME") {
        return Some(PathBuf::from(dir).join("autogen"));
    }
    let home = var("HOME")
        .map(PathBuf::from)
        .or_else(|| sysuser::current().map(|u| u.home))?;
    Some(home.join(".cache").join("autogen"))
}

/// The cache subdirectory for these binaries.
pub(crate) fn template_key(binaries: &PgBinaries) -> String {
    let mut hash = Fnv::new();
    hash.write(binaries.bindir.as_os_str().as_encoded_bytes());
    hash.write(b"\0");
    hash.write(initdb_args(binaries).join(" ").as_bytes());
    hash.write(b"\0");
    hash.write(TEMPLATE_FORMAT.as_bytes());
    let version: String = binaries
        .version
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    format!("pgdata-{version}-{:016x}", hash.finish())
}

/// Creates the data directory `data` (inside `workdir`, which the server user owns) for a new
/// cluster: from the cached template when there is one, else by running initdb (and then caching
/// the result for the next run).
pub(crate) fn prepare_data_dir(
    binaries: &PgBinaries,
    data: &Path,
    workdir: &Path,
    run_as: Option<&SysUser>,
) -> Result<(), PgError> {
    let template = cache_root().map(|root| root.join(template_key(binaries)));
    let owner = run_as.map(|u| (u.uid, u.gid));

    if let Some(template) = template.as_deref().filter(|t| is_complete(t)) {
        match copy_tree(template, data, owner) {
            Ok(()) => return Ok(()),
            Err(e) => {
                tracing::warn!(
                    "could not copy the cached cluster template {}: {e}; running initdb instead",
                    template.display()
                );
                if let Err(e) = std::fs::remove_dir_all(data) {
                    tracing::debug!("removing partial copy {}: {e}", data.display());
                }
            }
        }
    }

    run_initdb(binaries, data, workdir, run_as)?;

    if let Some(template) = template
        && let Err(e) = store_template(data, &template)
    {
        tracing::warn!(
            "could not cache the initdb result in {}: {e}; every run will run initdb (set AUTOGEN_CACHE_DIR to a writable directory to fix this)",
            template.display()
        );
    }
    Ok(())
}

fn is_complete(template: &Path) -> bool {
    template.join("PG_VERSION").is_file() && template.join("global/pg_control").is_file()
}

fn run_initdb(
    binaries: &PgBinaries,
    data: &Path,
    workdir: &Path,
    run_as: Option<&SysUser>,
) -> Result<(), PgError> {
    let mut command = Command::new(binaries.initdb());
    command
        .arg("-D")
        .arg(data)
        .args(initdb_args(binaries))
        .current_dir(workdir)
        .env("LC_ALL", "C")
        .env_remove("PGDATA")
        .stdin(Stdio::null());
    if let Some(user) = run_as {
        as_user(&mut command, user);
    }
    let output = command
        .output()
        .map_err(|e| PgError::io(format!("could not run {}", binaries.initdb().display()), e))?;
    if output.status.success() {
        return Ok(());
    }
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Err(PgError::Initdb {
        status: output.status.to_string(),
        output: tail(&text, TAIL_LINES),
    })
}

/// Run a child as `user` (we are root): its uid/gid (std also drops supplementary groups) and the
/// environment a login would give it.
pub(crate) fn as_user(command: &mut Command, user: &SysUser) {
    command
        .uid(user.uid)
        .gid(user.gid)
        .env("HOME", &user.home)
        .env("USER", &user.name)
        .env("LOGNAME", &user.name);
}

/// Copy a pristine data directory into the cache atomically.
fn store_template(data: &Path, template: &Path) -> std::io::Result<()> {
    let parent = template
        .parent()
        .ok_or_else(|| std::io::Error::other("cache path has no parent"))?;
    std::fs::create_dir_all(parent)?;
    remove_stale_partials(parent);
    let name = template
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let partial = parent.join(format!(".{name}.tmp-{}-{seq}", std::process::id()));
    if partial.exists() {
        std::fs::remove_dir_all(&partial)?;
    }
    if let Err(e) = copy_tree(data, &partial, None) {
        let _ = std::fs::remove_dir_all(&partial);
        return Err(e);
    }
    match std::fs::rename(&partial, template) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_dir_all(&partial);
            // Another process won the race: its template is as good as ours.
            if is_complete(template) {
                Ok(())
            } else {
                Err(e)
            }
        }
    }
}

/// Partial templates left behind by processes that died while copying (`.<key>.tmp-<pid>-<n>`).
fn remove_stale_partials(cache: &Path) {
    let Ok(entries) = std::fs::read_dir(cache) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .rsplit_once(".tmp-")
            .filter(|_| name.starts_with('.'))
            .and_then(|(_, rest)| rest.split('-').next()?.parse::<i32>().ok())
        else {
            continue;
        };
        if !sysuser::process_alive(pid) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// FNV-1a: a stable hash for the cache key (std's hashers may change between Rust releases).
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bins(bindir: &str, version: &str, major: u32) -> PgBinaries {
        PgBinaries {
            bindir: PathBuf::from(bindir),
            version: version.to_owned(),
            major,
        }
    }

    #[test]
    fn key_depends_on_version_and_bindir() {
        let a = template_key(&bins("/usr/lib/postgresql/15/bin", "15.18", 15));
        assert!(a.starts_with("pgdata-15.18-"), "{a}");
        assert_ne!(
            a,
            template_key(&bins("/usr/lib/postgresql/15/bin", "15.19", 15))
        );
        assert_ne!(a, template_key(&bins("/opt/pg/bin", "15.18", 15)));
        assert_eq!(
            a,
            template_key(&bins("/usr/lib/postgresql/15/bin", "15.18", 15))
        );
    }

    #[test]
    fn no_instructions_only_from_14() {
        assert!(
            initdb_args(&bins("/x", "13.1", 13))
                .iter()
                .all(|a| *a != "--no-instructions")
        );
        assert!(initdb_args(&bins("/x", "14.1", 14)).contains(&"--no-instructions"));
    }
}
