//! One entry of `index(columns = [...])`: a column or an expression, optionally followed by
//! `ASC`/`DESC` and `NULLS FIRST`/`NULLS LAST` (`"created_at DESC"`, `"lower(email)"`).

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeySpec {
    /// The column name or expression, trimmed.
    pub target: String,
    pub descending: bool,
    /// Given explicitly; PostgreSQL's default is NULLS FIRST for DESC, NULLS LAST for ASC.
    pub nulls_first: Option<bool>,
}

impl KeySpec {
    pub fn nulls_first(&self) -> bool {
        self.nulls_first.unwrap_or(self.descending)
    }
}

/// Splits trailing ordering keywords off `entry` (case-insensitive, whole words only).
pub(crate) fn parse_key(entry: &str) -> KeySpec {
    let mut rest = entry.trim();
    let mut nulls_first = None;
    if let Some(before) = strip_words(rest, &["nulls", "first"]) {
        nulls_first = Some(true);
        rest = before;
    } else if let Some(before) = strip_words(rest, &["nulls", "last"]) {
        nulls_first = Some(false);
        rest = before;
    }
    let mut descending = false;
    if let Some(before) = strip_words(rest, &["desc"]) {
        descending = true;
        rest = before;
    } else if let Some(before) = strip_words(rest, &["asc"]) {
        rest = before;
    }
    KeySpec {
        target: rest.trim().to_string(),
        descending,
        nulls_first,
    }
}

/// `text` without the trailing `words` (separated by whitespace), if it ends with them and
/// something is left before them.
fn strip_words<'a>(text: &'a str, words: &[&str]) -> Option<&'a str> {
    let mut rest = text.trim_end();
    for word in words.iter().rev() {
        let split = rest.len().checked_sub(word.len())?;
        if !rest.is_char_boundary(split) || !rest[split..].eq_ignore_ascii_case(word) {
            return None;
        }
        let before = &rest[..split];
        // A whole word: whitespace before it, and something before that.
        if !before.ends_with(char::is_whitespace) || before.trim().is_empty() {
            return None;
        }
        rest = before.trim_end();
    }
    Some(rest)
}

/// A bare SQL identifier (`email`, `tenant_id`): such an entry must name a column.
pub(crate) fn is_bare_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|first| first.is_alphabetic() || first == '_')
        && chars.all(|ch| ch.is_alphanumeric() || ch == '_' || ch == '$')
}

/// `"Email"` -> `Email`: a double-quoted identifier also names a column.
pub(crate) fn quoted_identifier(text: &str) -> Option<String> {
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    if inner.is_empty() {
        return None;
    }
    // Every quote inside must be doubled.
    let unescaped = inner.replace("\"\"", "\"");
    (unescaped.matches('"').count() * 2 == inner.matches('"').count()).then_some(unescaped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(target: &str, descending: bool, nulls_first: Option<bool>) -> KeySpec {
        KeySpec {
            target: target.to_string(),
            descending,
            nulls_first,
        }
    }

    #[test]
    fn splits_ordering_keywords() {
        assert_eq!(parse_key("email"), key("email", false, None));
        assert_eq!(
            parse_key(" created_at DESC "),
            key("created_at", true, None)
        );
        assert_eq!(parse_key("a asc nulls first"), key("a", false, Some(true)));
        assert_eq!(
            parse_key("lower(email) desc NULLS LAST"),
            key("lower(email)", true, Some(false))
        );
        // Not whole words, or nothing before them: part of the target.
        assert_eq!(parse_key("rdesc"), key("rdesc", false, None));
        assert_eq!(parse_key("desc"), key("desc", false, None));
        assert!(parse_key("x DESC").nulls_first());
    }

    #[test]
    fn recognizes_identifiers() {
        assert!(is_bare_identifier("tenant_id"));
        assert!(!is_bare_identifier("lower(email)"));
        assert!(!is_bare_identifier("a + b"));
        assert_eq!(quoted_identifier("\"Email\""), Some("Email".to_string()));
        assert_eq!(quoted_identifier("\"a\"\"b\""), Some("a\"b".to_string()));
        assert_eq!(quoted_identifier("\"a\" || \"b\""), None);
    }
}
