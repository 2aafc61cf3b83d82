//! Running a command once and measuring its wall time and peak resident set size.
//!
//! The command runs under GNU time (`/usr/bin/time -f %M -o FILE -- CMD ...`), which reports
//! the command's peak RSS; the wall time is measured here around the whole run (GNU time's
//! own fork/exec adds about a millisecond). Going through `time` matters: Linux carries a
//! process's RSS high-water mark across `exec`, so a command spawned directly by this
//! (much larger) harness would report at least the harness's own RSS. Without
//! `/usr/bin/time`, the child is reaped with `wait4(2)` and `ru_maxrss` is used, with that
//! caveat.

use std::io::{self, Read, Seek};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GNU_TIME: &str = "/usr/bin/time";

/// One run of one command.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub wall: Duration,
    /// Peak resident set size in KiB.
    pub max_rss_kib: u64,
}

/// Why a measured run did not produce a sample.
#[derive(Debug)]
pub enum MeasureError {
    /// The command could not be started (or waited for).
    Spawn(io::Error),
    /// The command ran but failed; `stderr` is what it printed there (possibly truncated).
    Failed { status: String, stderr: String },
}

impl std::fmt::Display for MeasureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MeasureError::Spawn(error) => write!(f, "could not run the command: {error}"),
            MeasureError::Failed { status, stderr } => {
                write!(f, "the command {status}")?;
                if !stderr.trim().is_empty() {
                    write!(f, "; its stderr:\n{}", stderr.trim_end())?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for MeasureError {}

/// Whether peak RSS is measured through GNU time (true) or `wait4` (false, inflated by the
/// harness's own RSS).
pub fn uses_gnu_time() -> bool {
    Path::new(GNU_TIME).is_file()
}

/// Runs `command` to completion with stdin and stdout on /dev/null (stderr is captured for
/// error reports) and returns its wall time and peak RSS.
pub fn measure(command: &Command) -> Result<Sample, MeasureError> {
    run_measured(command, false, &[0]).map(|output| output.sample)
}

/// One measured run whose stdout was kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub sample: Sample,
    /// The command's exit status (one of the accepted ones).
    pub status: i32,
    /// Everything the command wrote to stdout.
    pub stdout: Vec<u8>,
}

/// Like [`measure`], but stdout goes to an unlinked temporary file that is read back after
/// the run, and any exit status in `accepted` counts as success (migra, for one, exits 2
/// when it found differences).
pub fn measure_output(command: &Command, accepted: &[i32]) -> Result<Output, MeasureError> {
    run_measured(command, true, accepted)
}

fn run_measured(
    command: &Command,
    keep_stdout: bool,
    accepted: &[i32],
) -> Result<Output, MeasureError> {
    // An unlinked file rather than a pipe: a pipe could fill up while we block in wait4.
    let mut stderr_file = tempfile::tempfile().map_err(MeasureError::Spawn)?;
    let stderr_for_child = stderr_file.try_clone().map_err(MeasureError::Spawn)?;
    let mut stdout_file = if keep_stdout {
        Some(tempfile::tempfile().map_err(MeasureError::Spawn)?)
    } else {
        None
    };
    let stdout_for_child = match &stdout_file {
        Some(file) => Stdio::from(file.try_clone().map_err(MeasureError::Spawn)?),
        None => Stdio::null(),
    };

    let rss_file = if uses_gnu_time() {
        Some(tempfile::NamedTempFile::new().map_err(MeasureError::Spawn)?)
    } else {
        None
    };
    let mut to_run = match &rss_file {
        Some(rss_file) => {
            let mut wrapped = Command::new(GNU_TIME);
            wrapped
                .args(["-f", "%M", "-o"])
                .arg(rss_file.path())
                .arg("--")
                .arg(command.get_program())
                .args(command.get_args());
            copy_env(command, &mut wrapped);
            wrapped
        }
        None => {
            let mut copy = Command::new(command.get_program());
            copy.args(command.get_args());
            copy_env(command, &mut copy);
            copy
        }
    };
    to_run
        .stdin(Stdio::null())
        .stdout(stdout_for_child)
        .stderr(Stdio::from(stderr_for_child));

    let started = Instant::now();
    let child = to_run.spawn().map_err(MeasureError::Spawn)?;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to overwrite.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our own child, not yet reaped (std's `Child` only reaps in
        // `wait`/`try_wait`, which we never call); the pointers are valid for the call.
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if reaped == pid {
            break;
        }
        let error = io::Error::last_os_error();
        if error.kind() != io::ErrorKind::Interrupted {
            return Err(MeasureError::Spawn(error));
        }
    }
    let wall = started.elapsed();
    drop(child);

    let mut stderr = String::new();
    let _ = stderr_file.rewind();
    let _ = (&mut stderr_file)
        .take(16 * 1024)
        .read_to_string(&mut stderr);

    if libc::WIFEXITED(status) && accepted.contains(&libc::WEXITSTATUS(status)) {
        let max_rss_kib = match &rss_file {
            Some(rss_file) => {
                let text = std::fs::read_to_string(rss_file.path()).unwrap_or_default();
                // The last line is `%M`; earlier lines would be GNU time's own notes.
                text.lines()
                    .last()
                    .and_then(|line| line.trim().parse::<u64>().ok())
                    .ok_or_else(|| MeasureError::Failed {
                        status: format!("ran, but {GNU_TIME} reported no peak RSS ({text:?})"),
                        stderr: stderr.clone(),
                    })?
            }
            // ru_maxrss is in kilobytes on Linux.
            None => u64::try_from(usage.ru_maxrss).unwrap_or(0),
        };
        let mut stdout = Vec::new();
        if let Some(file) = &mut stdout_file {
            file.rewind().map_err(MeasureError::Spawn)?;
            file.read_to_end(&mut stdout).map_err(MeasureError::Spawn)?;
        }
        return Ok(Output {
            sample: Sample { wall, max_rss_kib },
            status: libc::WEXITSTATUS(status),
            stdout,
        });
    }
    let status = if libc::WIFEXITED(status) {
        match libc::WEXITSTATUS(status) {
            // GNU time's own codes for "could not run the command".
            127 if rss_file.is_some() => "was not found (exit status 127)".to_owned(),
            126 if rss_file.is_some() => "could not be executed (exit status 126)".to_owned(),
            code => format!("exited with status {code}"),
        }
    } else if libc::WIFSIGNALED(status) {
        format!("was killed by signal {}", libc::WTERMSIG(status))
    } else {
        format!("ended abnormally (wait status {status})")
    };
    Err(MeasureError::Failed { status, stderr })
}

/// A new command with `command`'s program, arguments, environment and working directory (a
/// `Command` cannot be cloned, and runs consume nothing but need a fresh one each time).
pub fn copy_command(command: &Command) -> Command {
    let mut copy = Command::new(command.get_program());
    copy.args(command.get_args());
    copy_env(command, &mut copy);
    copy
}

/// The environment and the working directory.
fn copy_env(from: &Command, to: &mut Command) {
    if let Some(dir) = from.get_current_dir() {
        to.current_dir(dir);
    }
    for (key, value) in from.get_envs() {
        match value {
            Some(value) => to.env(key, value),
            None => to.env_remove(key),
        };
    }
}

/// Summary statistics over a set of samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub runs: usize,
    pub median_secs: f64,
    pub min_secs: f64,
    pub max_secs: f64,
    pub median_rss_mib: f64,
}

impl Summary {
    /// `None` for an empty set.
    pub fn of(samples: &[Sample]) -> Option<Summary> {
        if samples.is_empty() {
            return None;
        }
        let secs: Vec<f64> = samples.iter().map(|s| s.wall.as_secs_f64()).collect();
        let rss: Vec<f64> = samples
            .iter()
            .map(|s| s.max_rss_kib as f64 / 1024.0)
            .collect();
        Some(Summary {
            runs: samples.len(),
            median_secs: median(&secs),
            min_secs: secs.iter().copied().fold(f64::INFINITY, f64::min),
            max_secs: secs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            median_rss_mib: median(&rss),
        })
    }
}

/// The median (mean of the two middle values for an even count); `values` must not be empty.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
    }

    #[test]
    fn measures_a_successful_command() {
        let sample = measure(Command::new("true").arg("ignored")).expect("true succeeds");
        assert!(sample.max_rss_kib > 0);
        assert!(sample.wall < Duration::from_secs(10));
    }

    #[test]
    fn reports_a_failing_command_with_its_stderr() {
        let error = measure(Command::new("sh").args(["-c", "echo oops >&2; exit 3"]))
            .expect_err("exit 3 is a failure");
        let text = error.to_string();
        assert!(text.contains("status 3"), "{text}");
        assert!(text.contains("oops"), "{text}");
    }

    #[test]
    fn keeps_stdout_and_accepts_the_given_statuses() {
        let output = measure_output(
            Command::new("sh").args(["-c", "echo 'select 1;'; exit 2"]),
            &[0, 2],
        )
        .expect("status 2 is accepted");
        assert_eq!(output.status, 2);
        assert_eq!(output.stdout, b"select 1;\n");
        let error = measure_output(Command::new("sh").args(["-c", "exit 1"]), &[0, 2])
            .expect_err("status 1 is not accepted");
        assert!(error.to_string().contains("status 1"), "{error}");
    }

    #[test]
    fn reports_a_missing_program() {
        // Through GNU time the spawn succeeds and time reports 127; without it, spawn fails.
        let error = measure(&Command::new("/nonexistent/autogen-bench-test")).unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("not found") || text.contains("No such file"),
            "{text}"
        );
    }
}
