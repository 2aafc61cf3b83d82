//! The one place a driver error becomes text for people (every crate that talks to PostgreSQL
//! uses it, so every message reads the same).

use tokio_postgres::error::ErrorPosition;

/// A driver error on one line: PostgreSQL's own message with its severity, detail and hint
/// (`ERROR: column "x" does not exist HINT: …`) when the server sent one, else the driver's
/// text with its cause (`connection closed`, an I/O error) — never the driver's bare
/// "db error".
pub fn error_text(error: &tokio_postgres::Error) -> String {
    let text = match error.as_db_error() {
        Some(db) => {
            let mut text = format!("{}: {}", db.severity(), db.message());
            if let Some(detail) = db.detail() {
                text.push_str(&format!(" DETAIL: {detail}"));
            }
            if let Some(hint) = db.hint() {
                text.push_str(&format!(" HINT: {hint}"));
            }
            text
        }
        None => match std::error::Error::source(error) {
            Some(cause) => format!("{error}: {cause}"),
            None => error.to_string(),
        },
    };
    one_line(&text)
}

/// The 1-based character position in the statement that PostgreSQL's error points at.
pub fn error_position(error: &tokio_postgres::Error) -> Option<usize> {
    match error.as_db_error()?.position()? {
        ErrorPosition::Original(position) => Some(*position as usize),
        ErrorPosition::Internal { .. } => None,
    }
}

/// Collapses line breaks (and the indentation after them) into single spaces.
pub fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_and_their_indentation_become_one_space() {
        assert_eq!(one_line("a\n   b\n\n c"), "a b c");
    }
}
