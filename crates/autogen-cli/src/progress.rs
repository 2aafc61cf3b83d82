//! A progress bar on stderr for long steps: replaying a revision chain, verifying a plan,
//! applying or reverting revisions. Drawn only when stderr is a terminal (not with -q, not
//! with TERM=dumb): in pipes and logs nothing of it is written. NO_COLOR is about color, so
//! with it the bar is still drawn, uncolored.
//!
//! There is one bar at a time (one stderr). Lines printed while it is shown (`output.rs`,
//! the log) go above it: the bar is erased first and redrawn after. A ticker thread redraws
//! it so the spinner and the elapsed time move during a long single step.

use anstyle::{AnsiColor, Style};
use autogen_engine::progress::{Progress, ProgressEvent, ProgressReporter, Task};
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex, MutexGuard, Once};
use std::time::{Duration, Instant};

/// Whether bars are drawn: decided once, before anything is shown.
pub fn enabled(quiet: bool) -> bool {
    !quiet
        && std::io::stderr().is_terminal()
        && std::env::var_os("TERM").is_none_or(|term| term != "dumb")
}

/// The engine's reporter for this run: bars when `enabled`, else nothing.
pub fn engine_progress(quiet: bool) -> Progress {
    if enabled(quiet) {
        Progress::new(Arc::new(EngineBars))
    } else {
        Progress::default()
    }
}

struct EngineBars;

impl ProgressReporter for EngineBars {
    fn report(&self, event: ProgressEvent<'_>) {
        let label = |task| match task {
            Task::Replay => "Replaying",
            Task::Verify => "Verifying",
        };
        match event {
            ProgressEvent::Started { task, total } => start(label(task), total),
            ProgressEvent::Step { done, what, .. } => step(done, what),
            ProgressEvent::Finished { .. } => finish(),
        }
    }
}

struct Bar {
    label: &'static str,
    total: usize,
    done: usize,
    what: String,
    started: Instant,
    frame: usize,
    /// Whether the bar is on the screen now (the last line of stderr).
    drawn: bool,
}

static BAR: Mutex<Option<Bar>> = Mutex::new(None);
static TICKER: Once = Once::new();
const TICK: Duration = Duration::from_millis(120);
const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const WIDTH: usize = 20;
/// Erase the current line and go back to its start.
const ERASE_LINE: &str = "\r\x1b[2K";

fn bar() -> MutexGuard<'static, Option<Bar>> {
    // A panic while drawing leaves a bar that is still fine to draw or drop.
    BAR.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Shows a bar of `total` steps (callers check `enabled` first; the engine's reporter exists
/// only then).
pub fn start(label: &'static str, total: usize) {
    let mut state = bar();
    erase(&mut state);
    *state = Some(Bar {
        label,
        total,
        done: 0,
        what: String::new(),
        started: Instant::now(),
        frame: 0,
        drawn: false,
    });
    draw(&mut state);
    drop(state);
    TICKER.call_once(|| {
        // Detached: it only redraws a bar that exists, and ends with the process.
        std::thread::spawn(|| {
            loop {
                std::thread::sleep(TICK);
                let mut state = bar();
                if let Some(bar) = state.as_mut() {
                    bar.frame += 1;
                    draw(&mut state);
                }
            }
        });
    });
}

/// A bar shown until the value is dropped (also when the step fails: an error message must
/// not be followed by a bar).
pub struct Shown(());

pub fn show(label: &'static str, total: usize) -> Shown {
    start(label, total);
    Shown(())
}

impl Drop for Shown {
    fn drop(&mut self) {
        finish();
    }
}

/// `done` steps are done; `what` is running.
pub fn step(done: usize, what: &str) {
    let mut state = bar();
    if let Some(bar) = state.as_mut() {
        bar.done = done;
        bar.what = what.to_string();
        draw(&mut state);
    }
}

/// Removes the bar.
pub fn finish() {
    let mut state = bar();
    erase(&mut state);
    *state = None;
}

/// Runs `print` (which writes whole lines to stderr) above the bar.
pub fn above<T>(print: impl FnOnce() -> T) -> T {
    let mut state = bar();
    erase(&mut state);
    let result = print();
    draw(&mut state);
    result
}

/// stderr for one log event, written above the bar: the bar is erased first and drawn again
/// when the event is written (the ticker cannot draw in between: the writer holds the bar).
pub fn log_writer() -> AboveBar {
    let mut state = bar();
    erase(&mut state);
    AboveBar { state }
}

pub struct AboveBar {
    state: MutexGuard<'static, Option<Bar>>,
}

impl Write for AboveBar {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        std::io::stderr().write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

impl Drop for AboveBar {
    fn drop(&mut self) {
        draw(&mut self.state);
    }
}

fn erase(state: &mut Option<Bar>) {
    if let Some(bar) = state.as_mut().filter(|bar| bar.drawn) {
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "{ERASE_LINE}");
        let _ = stderr.flush();
        bar.drawn = false;
    }
}

fn draw(state: &mut Option<Bar>) {
    let Some(bar) = state.as_mut() else {
        return;
    };
    let line = render(bar, colors());
    let mut stderr = std::io::stderr().lock();
    // Nothing sensible is left to do when stderr itself is gone.
    let _ = write!(stderr, "{ERASE_LINE}{line}");
    let _ = stderr.flush();
    bar.drawn = true;
}

fn colors() -> bool {
    anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never
}

/// `   Replaying ⠹ [########------------] 8/20 12s 20261121103000 add phone`, cut to the
/// terminal's width (COLUMNS, else 80) so it never wraps.
fn render(bar: &Bar, colors: bool) -> String {
    let filled = (bar.done * WIDTH)
        .checked_div(bar.total)
        .unwrap_or(0)
        .min(WIDTH);
    let spinner = SPINNER[bar.frame % SPINNER.len()];
    let status = format!(
        "{spinner} [{}{}] {}/{} {}s {}",
        "#".repeat(filled),
        "-".repeat(WIDTH - filled),
        bar.done,
        bar.total,
        bar.started.elapsed().as_secs(),
        bar.what
    );
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|columns| columns.parse::<usize>().ok())
        .unwrap_or(80);
    // 12 for the label column and a space; a last column left free so the line never wraps.
    let room = columns.saturating_sub(14);
    let status: String = status.chars().take(room).collect();
    let style = if colors {
        AnsiColor::Cyan.on_default().bold()
    } else {
        Style::new()
    };
    format!("{style}{:>12}{style:#} {status}", bar.label)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(done: usize, total: usize) -> Bar {
        Bar {
            label: "Replaying",
            total,
            done,
            what: "20261121103000 users".to_string(),
            started: Instant::now(),
            frame: 0,
            drawn: false,
        }
    }

    #[test]
    fn renders_the_count_and_the_step_without_colors_when_asked() {
        let line = render(&bar(3, 6), false);
        assert!(
            line.starts_with("   Replaying ⠋ [##########----------] 3/6 0s 2026"),
            "{line}"
        );
        assert!(!line.contains('\x1b'), "{line}");
    }

    #[test]
    fn an_empty_task_renders_an_empty_bar() {
        let line = render(&bar(0, 0), false);
        assert!(line.contains("[--------------------] 0/0"), "{line}");
    }
}
