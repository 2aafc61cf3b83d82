//! The postmaster child, the thread that owns it, and the watchdog that kills it when we die.
//!
//! The child is spawned from a dedicated supervisor thread that lives exactly as long as the
//! child: it blocks in waitid until the postmaster exits.
//!
//! If our whole process dies (SIGKILL, a crash), a watchdog takes the server down: a `/bin/sh`
//! waiting for end-of-file on a pipe whose only writer is this process, which the kernel closes
//! when we die, however we die; it then kills the server's process group. This works on every
//! Unix (Linux's PR_SET_PDEATHSIG does not exist on macOS or the BSDs, and it fires when the
//! forking *thread* exits, not the process), and Linux runs the same code path the tests prove.
//!
//! Signals are only sent while the child is known not to have been reaped yet (the supervisor
//! marks it under the same lock before reaping), so a recycled pid can never be signalled.

use std::io::{self, Write};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
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
    watchdog: Option<Watchdog>,
}

/// Kills the server's process group when this process dies (see the module comment).
struct Watchdog {
    /// The only writer of the watchdog's stdin (std creates pipes close-on-exec, so no child
    /// inherits it): its end-of-file is our death.
    lifeline: io::PipeWriter,
    shell: Child,
}

impl Watchdog {
    /// Started before the server, so no moment exists where the server runs unwatched but
    /// for the write of its pid; the shell reads the pid, then waits for end-of-file.
    fn start() -> io::Result<Self> {
        let (reader, lifeline) = io::pipe()?;
        let shell = Command::new("/bin/sh")
            .args([
                "-c",
                // No pid (we died before sending it): nothing to kill.
                r#"read -r pid || exit 0; read -r _; kill -s KILL -- "-$pid" 2>/dev/null"#,
                "autogen-postgres-watchdog",
            ])
            .stdin(reader)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own group: a Ctrl-C in the terminal must not kill the watchdog (we shut
            // the server down in order then, and release it).
            .process_group(0)
            .spawn()?;
        Ok(Watchdog { lifeline, shell })
    }

    /// Arms it for the server's process group.
    fn watch(&mut self, process_group: libc::pid_t) -> io::Result<()> {
        writeln!(self.lifeline, "{process_group}")
    }

    /// The server is gone: the watchdog goes too, before its pid could be reused.
    fn release(mut self) {
        let _ = self.shell.kill();
        let _ = self.shell.wait();
    }
}

impl ServerProcess {
    /// Spawns `command` from a new supervisor thread, in its own process group (a Ctrl-C in the
    /// terminal reaches us, and we shut the server down in order), watched by a [`Watchdog`].
    pub(crate) fn spawn(mut command: Command) -> Result<Self, PgError> {
        let mut watchdog = Watchdog::start()
            .map_err(|e| PgError::io("could not start the server's watchdog (/bin/sh)", e))?;
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
                watchdog.release();
                return Err(PgError::io("could not start postgres", e));
            }
            Err(_) => {
                let _ = thread.join();
                watchdog.release();
                return Err(PgError::Internal(
                    "the server supervisor thread ended before starting postgres".to_owned(),
                ));
            }
        };
        let pid = libc::pid_t::try_from(pid)
            .map_err(|_| PgError::Internal(format!("unexpected pid {pid}")))?;
        let mut process = ServerProcess {
            pid,
            shared,
            thread: Some(thread),
            watchdog: None,
        };
        // Without a watchdog the server could outlive us: stop it (the drop) and say why.
        watchdog
            .watch(pid)
            .map_err(|e| PgError::io("could not arm the server's watchdog", e))?;
        process.watchdog = Some(watchdog);
        Ok(process)
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
        if let Some(watchdog) = self.watchdog.take() {
            watchdog.release();
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
    // `id_t` is u32 on Linux and macOS, i64 on FreeBSD: a u32 pid converts losslessly.
    let raw_pid = libc::id_t::from(pid);
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
