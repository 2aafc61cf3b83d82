//! Terminal output: colors decided once (flag, NO_COLOR, terminal or pipe), warnings and
//! errors on stderr (above a progress bar, `progress.rs`), results on stdout.

use crate::cli::ColorMode;
use anstyle::{AnsiColor, Style};
use std::io::Write;

pub fn init_colors(mode: ColorMode) {
    let choice = match mode {
        // anstream's auto mode honours NO_COLOR, CLICOLOR(_FORCE) and whether stderr/stdout
        // is a terminal.
        ColorMode::Auto => anstream::ColorChoice::Auto,
        ColorMode::Always => anstream::ColorChoice::Always,
        ColorMode::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
}

const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const NOTE: Style = AnsiColor::Cyan.on_default().bold();

fn line(style: Style, label: &str, message: &str) {
    crate::progress::above(|| {
        let mut stderr = anstream::stderr().lock();
        // Nothing sensible is left to do when stderr itself is gone.
        let _ = writeln!(stderr, "{style}{label}:{style:#} {message}");
    });
}

pub fn error(message: &str) {
    line(ERROR, "error", message);
}

pub fn warning(message: &str) {
    line(WARNING, "warning", message);
}

pub fn note(message: &str) {
    line(NOTE, "note", message);
}

/// A suggestion the user may act on (e.g. a rename the diff would not guess).
pub fn help(message: &str) {
    line(NOTE, "help", message);
}

/// Writes a command's result to stdout.
pub fn stdout(text: &str) -> std::io::Result<()> {
    // Plain std: the text is data (SQL, JSON, paths) that must arrive byte for byte, e.g. a
    // comment holding an escape character; anstream would strip such sequences in a pipe.
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}

/// A diagnostic with its source snippet (file:line:col, the line, a caret), colored only
/// when stderr gets colors.
pub fn diagnostic(diagnostic: &dyn miette::Diagnostic) {
    let colors = anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never;
    let theme = if colors {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let mut rendered = String::new();
    let handler = miette::GraphicalReportHandler::new_themed(theme);
    if handler.render_report(&mut rendered, diagnostic).is_err() {
        rendered = format!("{diagnostic}\n");
    }
    crate::progress::above(|| {
        let mut stderr = anstream::stderr().lock();
        let _ = stderr.write_all(rendered.as_bytes());
    });
}

const PROGRESS: Style = AnsiColor::Green.on_default().bold();

/// A cargo-style status line on stderr: `   Applying 20261121103000 add phone to users`.
pub fn progress(verb: &str, message: &str) {
    crate::progress::above(|| {
        let mut stderr = anstream::stderr().lock();
        let _ = writeln!(stderr, "{PROGRESS}{verb:>12}{PROGRESS:#} {message}");
    });
}

/// A unified diff on stdout: removed lines red, added lines green, hunk headers cyan (plain
/// text in pipes and with NO_COLOR).
pub fn unified_diff(text: &str) -> std::io::Result<()> {
    let removed = AnsiColor::Red.on_default();
    let added = AnsiColor::Green.on_default();
    let hunk = AnsiColor::Cyan.on_default();
    let mut stdout = anstream::stdout().lock();
    for line in text.lines() {
        let style = if line.starts_with("---") || line.starts_with("+++") {
            Style::new().bold()
        } else if line.starts_with('-') {
            removed
        } else if line.starts_with('+') {
            added
        } else if line.starts_with("@@") {
            hunk
        } else {
            Style::new()
        };
        writeln!(stdout, "{style}{line}{style:#}")?;
    }
    stdout.flush()
}
