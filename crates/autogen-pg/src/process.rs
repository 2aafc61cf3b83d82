//! The postmaster child and the thread that owns it.
//!
//! PR_SET_PDEATHSIG fires when the *thread* that forked the child exits, not the process. Clusters
//! are often started from short-lived threads (one per test), so the child is spawned from a
//! dedicated supervisor thread that lives exactly as long as the child: it blocks in waitid until
//! the postmaster exits. If our whole process dies, the thread dies with it and the kernel kills
//! the postmaster.
//!
//! Signals are only sent while the child is known not to have been reaped yet (the supervisor
//! marks it under the same lock before reaping), so a recycled pid can never be signalled.

use std::io;
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitStatus};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::error::PgError;

#[derive(Default)]
struct State {
    /// The child has exited (it may not be reaped yet); no more signals.
    exited: bool,
    status: Option<io::Result<ExitStatus>>,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A poisoned lock only means another thread panicked while holding it; the state itself
        // is still meaningful.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub(crate) struct ServerProcess {
    pid: libc::pid_t,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl ServerProcess {
    /// Spawns `command` from a new supervisor thread, with PDEATHSIG = SIGKILL and its own process
    /// group (a Ctrl-C in the terminal reaches us, and we shut the server down in order).
    pub(crate) fn spawn(mut command: Command) -> Result<Self, PgError> {
        let parent = std::process::id();
        // SAFETY: the closure only makes async-signal-safe calls (prctl, getppid).
        unsafe {
            command.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(io::Error::last_os_error());
                }
                // We may have died between fork and prctl; then nobody would ever stop the server.
                if libc::getppid() as u32 != parent {
                    return Err(io::Error::other("parent exited"));
                }
                Ok(())
            });
        }
        command.process_group(0);

        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
        });
        let (tx, rx) = mpsc::channel::<io::Result<u32>>();
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("autogen-postgres".to_owned())
            .spawn(move || supervise(command, tx, &thread_shared))
            .map_err(|e| PgError::io("could not start the server supervisor thread", e))?;
        let pid = match rx.recv() {
            Ok(Ok(pid)) => pid,
            Ok(Err(e)) => {
                let _ = thread.join();
                return Err(PgError::io("could not start postgres", e));
            }
            Err(_) => {
                let _ = thread.join();
                return Err(PgError::Internal(
                    "the server supervisor thread ended before starting postgres".to_owned(),
                ));
            }
        };
        let pid = libc::pid_t::try_from(pid)
            .map_err(|_| PgError::Internal(format!("unexpected pid {pid}")))?;
        Ok(ServerProcess {
            pid,
            shared,
            thread: Some(thread),
        })
    }

    pub(crate) fn pid(&self) -> libc::pid_t {
        self.pid
    }

    /// `Some(description)` once the child has exited.
    pub(crate) fn exit_status(&self) -> Option<String> {
        let state = self.shared.lock();
        if !state.exited {
            return None;
        }
        Some(match &state.status {
            Some(Ok(status)) => status.to_string(),
            Some(Err(e)) => format!("exited (status unknown: {e})"),
            None => "exited".to_owned(),
        })
    }

    fn signal(&self, signal: libc::c_int) {
        let state = self.shared.lock();
        if !state.exited {
            // SAFETY: the pid is still our unreaped child (checked under the lock).
            unsafe {
                libc::kill(self.pid, signal);
            }
        }
    }

    /// Waits until the child is reaped or `limit` passes; true when it is gone.
    fn wait_for_exit(&self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        let mut state = self.shared.lock();
        while state.status.is_none() {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            state = match self.shared.changed.wait_timeout(state, deadline - now) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        true
    }

    /// Fast shutdown (SIGINT), then SIGKILL if it takes longer than `grace`.
    pub(crate) fn stop(&mut self, grace: Duration) {
        self.signal(libc::SIGINT);
        if !self.wait_for_exit(grace) {
            tracing::warn!(
                "postgres (pid {}) did not stop within {grace:?}; killing it",
                self.pid
            );
            self.signal(libc::SIGKILL);
            if !self.wait_for_exit(Duration::from_secs(5)) {
                tracing::warn!("postgres (pid {}) survived SIGKILL", self.pid);
                return;
            }
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.stop(Duration::from_secs(5));
        }
    }
}

fn supervise(mut command: Command, tx: mpsc::Sender<io::Result<u32>>, shared: &Shared) {
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            let _ = tx.send(Err(e));
            return;
        }
    };
    let pid = child.id();
    if tx.send(Ok(pid)).is_err() {
        let _ = child.kill();
    }
    // Wait for the exit WITHOUT reaping, so the pid stays reserved until `exited` is set.
    let raw_pid: libc::id_t = pid;
    loop {
        // SAFETY: siginfo_t is plain data that waitid fills.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: valid pointer; P_PID with our own child's pid.
        let rc = unsafe {
            libc::waitid(
                libc::P_PID,
                raw_pid,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if rc == 0 || io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            break;
        }
    }
    let mut state = shared.lock();
    state.exited = true;
    state.status = Some(child.wait());
    drop(state);
    shared.changed.notify_all();
}
