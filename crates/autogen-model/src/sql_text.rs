//! SQL the models hold verbatim — defaults, generated and check expressions, index keys and
//! predicates, `sql_type` — is pasted into the DDL applied to the dev database. Each must be
//! one self-contained piece: a `;` would run a second statement, a top-level `,` would add a
//! column or constraint, a `--` comment or an unclosed quote, comment or parenthesis would
//! swallow the rest of the statement. The text is lexed by `autogen_sql` as PostgreSQL's
//! scanner lexes it; everything else is left to PostgreSQL.

use autogen_sql::{StringKind, TokenKind};

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

/// Why `text` is not one self-contained piece of SQL, if it is not: the first problem in it.
pub(crate) fn fragment_problem(text: &str) -> Option<&'static str> {
    let mut depth: usize = 0;
    for token in autogen_sql::lex(text) {
        let unterminated = token.unterminated;
        match token.kind {
            TokenKind::String(StringKind::Dollar) if unterminated => {
                return Some("a dollar-quoted string is not closed");
            }
            TokenKind::String(_) if unterminated => return Some("a quoted string is not closed"),
            TokenKind::QuotedIdentifier | TokenKind::UnicodeIdentifier if unterminated => {
                return Some("a quoted name is not closed");
            }
            TokenKind::BlockComment if unterminated => return Some("a `/*` comment is not closed"),
            TokenKind::LineComment => {
                return Some("a `--` comment would hide the rest of the statement");
            }
            TokenKind::OpenParen | TokenKind::OpenBracket => depth += 1,
            TokenKind::CloseParen | TokenKind::CloseBracket => match depth.checked_sub(1) {
                Some(outer) => depth = outer,
                None => return Some("a closing parenthesis has no opening one"),
            },
            TokenKind::Semicolon => return Some("a `;` would end the statement"),
            TokenKind::Comma if depth == 0 => {
                return Some("a `,` outside parentheses would start another column or item");
            }
            _ => {}
        }
    }
    if depth > 0 {
        return Some("a parenthesis is not closed");
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

    #[test]
    fn dollars_inside_names_and_after_parameters_are_lexed_as_postgresql_does() {
        // `a$$b$$` is one identifier to PostgreSQL, not `a` and a dollar quote.
        assert_eq!(fragment_problem("a$$b$$ > 0"), None);
        // `$1` is a parameter; the `$$` after it does open a dollar quote.
        assert_eq!(
            fragment_problem("$1$$; DROP TABLE x"),
            Some("a dollar-quoted string is not closed")
        );
    }
}
