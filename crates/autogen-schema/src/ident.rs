//! Quoting of identifiers and literals for generated SQL.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Quotes an identifier for PostgreSQL, always: `users` -> `"users"`, `a"b` -> `"a""b"`.
///
/// Generated SQL quotes every identifier so that case, reserved words and unicode never
/// change meaning, and so every database agrees on the names.
pub fn quote_ident(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for ch in name.chars() {
        if ch == '"' {
            out.push('"');
        }
        out.push(ch);
    }
    out.push('"');
    out
}

/// Quotes a string literal for PostgreSQL (standard_conforming_strings on):
/// `it's` -> `'it''s'`. Backslashes are ordinary characters in such literals.
pub fn quote_literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for ch in value.chars() {
        if ch == '\'' {
            out.push('\'');
        }
        out.push(ch);
    }
    out.push('\'');
    out
}

/// A schema-qualified object name, the identity of tables, types and sequences.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct QualifiedName {
    pub schema: String,
    pub name: String,
}

impl QualifiedName {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            schema: schema.into(),
            name: name.into(),
        }
    }

    /// `"schema"."name"`, ready to paste into SQL.
    pub fn quoted(&self) -> String {
        format!("{}.{}", quote_ident(&self.schema), quote_ident(&self.name))
    }
}

impl fmt::Display for QualifiedName {
    /// Human form for messages: `schema.name`, without quotes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.schema, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_always_quoted_and_escaped() {
        assert_eq!(quote_ident("users"), "\"users\"");
        assert_eq!(quote_ident("Mixed Case"), "\"Mixed Case\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote_ident("übung"), "\"übung\"");
    }

    #[test]
    fn literals_double_single_quotes_only() {
        assert_eq!(quote_literal("it's"), "'it''s'");
        assert_eq!(quote_literal(r"back\slash"), r"'back\slash'");
        assert_eq!(
            quote_literal("'; DROP TABLE x; --"),
            "'''; DROP TABLE x; --'"
        );
    }

    #[test]
    fn qualified_names_quote_both_parts() {
        let name = QualifiedName::new("my schema", "T\"1");
        assert_eq!(name.quoted(), "\"my schema\".\"T\"\"1\"");
        assert_eq!(name.to_string(), "my schema.T\"1");
    }
}
