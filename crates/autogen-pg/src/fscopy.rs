//! Recursive directory copy that keeps permission bits and can hand the copy to another user
//! (root copies the root-only cached template and gives it to the server user).
//!
//! (Copying with several threads was measured: creating the ~1000 files of a data directory is
//! serialized in the filesystem anyway, so it bought ~4% wall time for more CPU. Kept simple.)

use std::fs;
use std::io;
use std::os::unix::fs::{PermissionsExt, lchown, symlink};
use std::path::Path;

/// Copies `src` to `dst` (which must not exist). `owner` = (uid, gid) for every created entry.
pub(crate) fn copy_tree(src: &Path, dst: &Path, owner: Option<(u32, u32)>) -> io::Result<()> {
    let meta = fs::symlink_metadata(src)?;
    fs::create_dir(dst)?;
    fs::set_permissions(
        dst,
        fs::Permissions::from_mode(meta.permissions().mode() & 0o7777),
    )?;
    if let Some((uid, gid)) = owner {
        lchown(dst, Some(uid), Some(gid))?;
    }
    for entry in fs::read_dir(src)? {
        let entry = entry?;
        let from = entry.path();
        let to = dst.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_tree(&from, &to, owner)?;
            continue;
        }
        if kind.is_symlink() {
            symlink(fs::read_link(&from)?, &to)?;
        } else if kind.is_file() {
            // std::fs::copy uses copy_file_range (in-kernel, reflinks where the filesystem can)
            // and copies the permission bits.
            fs::copy(&from, &to)?;
        } else {
            // Sockets and FIFOs have no place in a data directory template.
            continue;
        }
        if let Some((uid, gid)) = owner {
            lchown(&to, Some(uid), Some(gid))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_files_dirs_modes_and_symlinks() {
        let root = tempfile::tempdir().expect("tempdir");
        let src = root.path().join("src");
        fs::create_dir_all(src.join("a/b")).expect("mkdir");
        fs::write(src.join("a/b/file"), b"hello").expect("write");
        fs::set_permissions(src.join("a/b/file"), fs::Permissions::from_mode(0o600))
            .expect("chmod");
        fs::set_permissions(&src, fs::Permissions::from_mode(0o700)).expect("chmod");
        symlink("a/b/file", src.join("link")).expect("symlink");

        let dst = root.path().join("dst");
        copy_tree(&src, &dst, None).expect("copy");
        assert_eq!(fs::read(dst.join("a/b/file")).expect("read"), b"hello");
        let mode = |p: &Path| fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&dst.join("a/b/file")), 0o600);
        assert_eq!(mode(&dst), 0o700);
        assert_eq!(
            fs::read_link(dst.join("link")).expect("readlink"),
            Path::new("a/b/file")
        );
        assert!(
            copy_tree(&src, &dst, None).is_err(),
            "the target must not exist"
        );
    }
}
