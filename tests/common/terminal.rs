//! A pseudo-terminal for the tests that need a child on a terminal (questions, progress).

use std::os::fd::{FromRawFd, OwnedFd};

/// A pseudo-terminal: (master side, slave side to give a child as stdin, stdout or stderr).
pub fn pty() -> (std::fs::File, OwnedFd) {
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty writes two new file descriptors into the given integers; no name,
    // terminal settings or window size are passed.
    // `null_mut()` for all three: Linux declares the last two `*const`, macOS `*mut`.
    let result = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    };
    assert_eq!(result, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors were just opened by openpty and are owned by nobody else.
    unsafe {
        (
            std::fs::File::from_raw_fd(master),
            OwnedFd::from_raw_fd(slave),
        )
    }
}
