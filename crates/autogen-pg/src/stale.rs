//! Removing cluster directories left behind by processes that died without cleaning up (killed,
//! crashed). Each cluster directory records its owner's pid in `owner.pid`; the watchdog has already
//! killed the postmaster of a dead owner (`process.rs`), so only the files remain.

use std::path::Path;

use crate::sysuser::process_alive;

pub(crate) const DIR_PREFIX: &str = "autogen-dev-";
pub(crate) const OWNER_FILE: &str = "owner.pid";

pub(crate) fn remove_stale_clusters(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        if !entry.file_name().to_string_lossy().starts_with(DIR_PREFIX) {
            continue;
        }
        let dir = entry.path();
        // No owner file yet: a cluster being created right now. Leave it alone.
        let Some(owner) = read_pid(&dir.join(OWNER_FILE)) else {
            continue;
        };
        if process_alive(owner) {
            continue;
        }
        // Paranoia: never pull the directory from under a postmaster that is somehow still alive.
        if read_pid(&dir.join("data/postmaster.pid")).is_some_and(process_alive) {
            continue;
        }
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => tracing::debug!("removed stale dev cluster {}", dir.display()),
            Err(e) => tracing::debug!("could not remove stale dev cluster {}: {e}", dir.display()),
        }
    }
}

/// The pid on the first line of `file`.
fn read_pid(file: &Path) -> Option<i32> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines().next()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_only_dirs_of_dead_owners() {
        let base = tempfile::tempdir().expect("tempdir");
        let dead = base.path().join("autogen-dev-dead");
        let alive = base.path().join("autogen-dev-alive");
        let fresh = base.path().join("autogen-dev-fresh");
        let other = base.path().join("something-else");
        for d in [&dead, &alive, &fresh, &other] {
            std::fs::create_dir(d).expect("mkdir");
        }
        // pid_max is at most 2^22, so this pid cannot exist.
        std::fs::write(dead.join(OWNER_FILE), "99999999\n").expect("write");
        std::fs::write(alive.join(OWNER_FILE), std::process::id().to_string()).expect("write");
        std::fs::write(other.join(OWNER_FILE), "99999999\n").expect("write");

        remove_stale_clusters(base.path());
        assert!(!dead.exists());
        assert!(alive.exists());
        assert!(fresh.exists());
        assert!(other.exists());
    }
}
