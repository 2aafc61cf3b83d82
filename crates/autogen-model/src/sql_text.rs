//! SQL the models hold verbatim — defaults, generated and check expressions, index keys and
//! predicates, `sql_type` — is pasted into the DDL applied to the dev database. Each must be
//! one self-contained piece: a `;` would run a second statement, a top-level `,` would add a
//! column or constraint, a `--` comment or an unclosed quote, comment or parenthesis would
//! swallow the rest of the statement. Lexed like PostgreSQL's scanner (quotes, `E''`
//! escapes, dollar quotes, nested block comments); everything else is left to PostgreSQL.

use crate::problem::{Problem, Spanned};

/// A problem at `text` (the value of `key`) when it is not one self-contained piece of SQL.
pub(crate) fn sql_problem(key: &str, text: &Spanned<String>) -> Option<Problem> {
    let reason = fragment_problem(&text.value)?;
    Some(
        Problem::new(
            text.loc,
            format!("`{key}` must be one SQL expression or type: {reason}"),
        )
        .label("not one piece of SQL")
        .help("quote `;`, `,` and `--` inside strings ('...') or names (\"...\"), and close every quote, comment and parenthesis"),
    )
}

/// Why `text` is not one self-contained piece of SQL, if it is not.
pub(crate) fn fragment_problem(text: &str) -> Option<&'static str> {
    let bytes = text.as_bytes();
    let mut depth: usize = 0;
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        let previous = at.checked_sub(1).map(|index| bytes[index]);
        match byte {
            b'\'' => {
                // E'…' (not the end of an identifier like `some'`) allows backslash escapes.
                let escapes = matches!(previous, Some(b'e' | b'E'))
                    && !at
                        .checked_sub(2)
                        .is_some_and(|index| is_ident_byte(bytes[index]));
                match closing_quote(bytes, at + 1, b'\'', escapes) {
                    Some(end) => at = end,
                    None => return Some("a quoted string is not closed"),
                };
            }
            b'"' => {
                match closing_quote(bytes, at + 1, b'"', false) {
                    Some(end) => at = end,
                    None => return Some("a quoted name is not closed"),
                };
            }
            b'$' if !previous.is_some_and(is_ident_byte) => {
                if let Some(tag_end) = dollar_tag_end(bytes, at) {
                    let tag = &text[at..=tag_end];
                    match text[tag_end + 1..].find(tag) {
                        Some(offset) => at = tag_end + offset + tag.len(),
                        None => return Some("a dollar-quoted string is not closed"),
                    }
                }
            }
            b'-' if bytes.get(at + 1) == Some(&b'-') => {
                return Some("a `--` comment would hide the rest of the statement");
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                match block_comment_end(bytes, at) {
                    Some(end) => at = end,
                    None => return Some("a `/*` comment is not closed"),
                };
            }
            b'(' | b'[' => depth += 1,
            b')' | b']' => match depth.checked_sub(1) {
                Some(outer) => depth = outer,
                None => return Some("a closing parenthesis has no opening one"),
            },
            b';' => return Some("a `;` would end the statement"),
            b',' if depth == 0 => {
                return Some("a `,` outside parentheses would start another column or item");
            }
            _ => {}
        }
        at += 1;
    }
    if depth > 0 {
        return Some("a parenthesis is not closed");
    }
    None
}

/// A byte that can continue an identifier (non-ASCII letters included).
fn is_ident_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80
}

/// The index of the quote closing a quoted token whose text starts at `at`; a doubled quote
/// stands for one, and with `escapes` a backslash escapes the next byte.
fn closing_quote(bytes: &[u8], mut at: usize, quote: u8, escapes: bool) -> Option<usize> {
    while at < bytes.len() {
        match bytes[at] {
            b'\\' if escapes => at += 1,
            byte if byte == quote => {
                if bytes.get(at + 1) == Some(&quote) {
                    at += 1;
                } else {
                    return Some(at);
                }
            }
            _ => {}
        }
        at += 1;
    }
    None
}

/// The index of the `$` ending a dollar-quote tag (`$$`, `$tag$`) that starts at `at`.
fn dollar_tag_end(bytes: &[u8], at: usize) -> Option<usize> {
    let mut end = at + 1;
    while end < bytes.len() && bytes[end] != b'$' {
        let byte = bytes[end];
        let allowed = is_ident_byte(byte) && !(end == at + 1 && byte.is_ascii_digit());
        if !allowed {
            return None;
        }
        end += 1;
    }
    (end < bytes.len()).then_some(end)
}

/// The index of the `/` closing the (nestable) block comment that starts at `at`.
fn block_comment_end(bytes: &[u8], mut at: usize) -> Option<usize> {
    let mut depth = 0usize;
    while at + 1 < bytes.len() {
        match (bytes[at], bytes[at + 1]) {
            (b'/', b'*') => {
                depth += 1;
                at += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                if depth == 0 {
                    return Some(at + 1);
                }
                at += 2;
            }
            _ => at += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::fragment_problem;

    #[test]
    fn self_contained_sql_passes() {
        for text in [
            "now()",
            "'it''s; DROP TABLE x; -- /* $$ \\'",
            "E'it\\'s; --'",
            "\"select\" <> ';'",
            "\"we\"\"ird;\" > 0",
            "$$a; b -- c$$",
            "$tag$ $$ ; $tag$ || 'x'",
            "a /* ; /* nested */ , */ + 1",
            "numeric(10, 2)",
            "ARRAY[1, 2]",
            "lower(email) DESC NULLS LAST",
            "x IN (1, 2) AND y$1 > 0",
            "'Ünïcødé 表'",
            "1 - -1",
        ] {
            assert_eq!(fragment_problem(text), None, "{text}");
        }
    }

    #[test]
    fn pieces_that_break_out_are_problems() {
        for (text, expected) in [
            ("0; DROP TABLE x", "`;`"),
            ("a > 0) , CHECK (b > 0", "closing parenthesis"),
            ("0, injected integer", "`,`"),
            ("0 -- NOT NULL vanishes", "`--`"),
            ("'unclosed", "quoted string"),
            ("E'still open\\'", "quoted string"),
            ("\"unclosed", "quoted name"),
            ("$$ unclosed", "dollar-quoted"),
            ("$a$ x $b$", "dollar-quoted"),
            ("/* /* */ open", "`/*`"),
            ("lower(a", "not closed"),
            ("a)", "closing parenthesis"),
        ] {
            let problem = fragment_problem(text).unwrap_or_default();
            assert!(problem.contains(expected), "{text}: {problem}");
        }
    }
}
