//! The last lines of a log or of a program's output, squeezed onto one line for an error message.

use std::path::Path;

/// How many lines of a log an error message quotes.
pub(crate) const TAIL_LINES: usize = 12;

/// The last `lines` non-empty lines of `text`, joined with " | ".
pub(crate) fn tail(text: &str, lines: usize) -> String {
    let kept: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    let start = kept.len().saturating_sub(lines);
    let joined = kept[start..].join(" | ");
    if joined.is_empty() {
        "(empty)".to_owned()
    } else {
        joined
    }
}

/// The tail of a log file, or a note saying why it could not be read.
pub(crate) fn tail_of_file(path: &Path, lines: usize) -> String {
    match std::fs::read(path) {
        Ok(bytes) => tail(&String::from_utf8_lossy(&bytes), lines),
        Err(e) => format!("(could not read {}: {e})", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_last_non_empty_lines() {
        assert_eq!(tail("a\n\nb\nc\n", 2), "b | c");
        assert_eq!(tail("", 3), "(empty)");
    }
}
