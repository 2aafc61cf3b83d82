//! System user lookups (getpwnam_r/getpwuid_r) and file ownership changes. PostgreSQL refuses to
//! run as root, so when we are root the dev cluster runs as a system user that these helpers find.

use std::ffi::{CStr, CString};
use std::path::{Path, PathBuf};

use crate::error::PgError;

/// A system account.
#[derive(Clone, Debug)]
pub(crate) struct SysUser {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub home: PathBuf,
}

enum Key<'a> {
    Name(&'a str),
    Uid(u32),
}

fn lookup(key: Key<'_>) -> Option<SysUser> {
    let name_c = match key {
        Key::Name(name) => Some(CString::new(name).ok()?),
        Key::Uid(_) => None,
    };
    let mut buf_len = 1024usize;
    loop {
        let mut buf = vec![0 as libc::c_char; buf_len];
        // SAFETY: passwd is plain old data; getpw*_r fills it and points its strings into `buf`,
        // which outlives every read below.
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: all pointers are valid for the given lengths.
        let rc = unsafe {
            match (&key, &name_c) {
                (Key::Name(_), Some(c)) => libc::getpwnam_r(
                    c.as_ptr(),
                    &mut pwd,
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut result,
                ),
                (Key::Uid(uid), _) => {
                    libc::getpwuid_r(*uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result)
                }
                _ => return None,
            }
        };
        if rc == libc::ERANGE && buf_len < (1 << 20) {
            buf_len *= 4;
            continue;
        }
        if rc != 0 || result.is_null() {
            return None;
        }
        // SAFETY: on success pw_name/pw_dir point at NUL-terminated strings inside `buf`.
        let (name, home) = unsafe {
            (
                CStr::from_ptr(pwd.pw_name).to_string_lossy().into_owned(),
                if pwd.pw_dir.is_null() {
                    PathBuf::from("/")
                } else {
                    PathBuf::from(CStr::from_ptr(pwd.pw_dir).to_string_lossy().into_owned())
                },
            )
        };
        return Some(SysUser {
            name,
            uid: pwd.pw_uid,
            gid: pwd.pw_gid,
            home,
        });
    }
}

pub(crate) fn by_name(name: &str) -> Option<SysUser> {
    lookup(Key::Name(name))
}

/// The account of the effective uid (libpq's default user name).
pub(crate) fn current() -> Option<SysUser> {
    // SAFETY: geteuid cannot fail.
    lookup(Key::Uid(unsafe { libc::geteuid() }))
}

pub(crate) fn is_root() -> bool {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// The account the dev server runs as: `None` means "ourselves"; as root, `postgres` or `nobody`.
pub(crate) fn server_user() -> Result<Option<SysUser>, PgError> {
    if !is_root() {
        return Ok(None);
    }
    by_name("postgres")
        .or_else(|| by_name("nobody"))
        .filter(|user| user.uid != 0)
        .map(Some)
        .ok_or(PgError::NoServerUser)
}

pub(crate) fn chown(path: &Path, user: &SysUser) -> Result<(), PgError> {
    std::os::unix::fs::lchown(path, Some(user.uid), Some(user.gid)).map_err(|e| {
        PgError::io(
            format!("could not chown {} to {}", path.display(), user.name),
            e,
        )
    })
}

/// True when a process that is neither the owner nor in the group of any ancestor directory can
/// still reach `path` (every ancestor has the "others" execute bit). Used as root, to make sure the
/// server user can reach its directory.
pub(crate) fn traversable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.ancestors().all(|dir| {
        std::fs::metadata(dir)
            .map(|m| m.permissions().mode() & 0o001 != 0)
            .unwrap_or(false)
    })
}

/// Whether a process with this pid is running. A zombie (exited, not yet reaped by its parent or
/// by an init that reaps slowly) does not count.
pub(crate) fn process_alive(pid: i32) -> bool {
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks for existence and permission.
    let rc = unsafe { libc::kill(pid, 0) };
    if rc != 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH) {
        return false;
    }
    // /proc/<pid>/stat is "pid (comm) S ...", and comm may contain ')'.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .is_none_or(|(_, rest)| !rest.trim_start().starts_with(['Z', 'X'])),
        // No /proc: trust kill().
        Err(_) => true,
    }
}
