//! Names: Rust identifiers for SQL names (and whether the SQL name must then be spelled out),
//! and the names PostgreSQL gives unnamed constraints and indexes (a model leaves those out).

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::HashSet;

/// PostgreSQL keeps at most this many bytes of a name.
const MAX_NAME_BYTES: usize = 63;

/// Rust keywords (strict and reserved, 2024 edition).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
];

/// Keywords that cannot be raw identifiers (`r#self` is an error).
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

/// Type names the model maps to a column type by their last path segment (and prelude types):
/// a `DbEnum` with such a name would be read as that type, so enums never get one.
pub(crate) const RESERVED_TYPE_NAMES: &[&str] = &[
    "Option",
    "Vec",
    "Box",
    "String",
    "Uuid",
    "NaiveDate",
    "Date",
    "NaiveTime",
    "Time",
    "NaiveDateTime",
    "PrimitiveDateTime",
    "DateTime",
    "OffsetDateTime",
    "Decimal",
    "BigDecimal",
    "Value",
    "Json",
    "IpAddr",
    "IpNetwork",
    "Utc",
    "Model",
    "DbEnum",
    "Result",
];

/// A field (or module) identifier for `name`, and whether the model must spell out the SQL
/// name (`column = "..."`): when `name` is not itself a plain snake_case Rust identifier.
/// Keywords become raw identifiers (`r#type`), which the model reads back as `type`.
pub(crate) fn field_ident(name: &str) -> (String, bool) {
    if is_plain_snake(name) {
        if KEYWORDS.contains(&name) {
            if NOT_RAW.contains(&name) {
                return (format!("{name}_"), true);
            }
            return (format!("r#{name}"), false);
        }
        return (name.to_string(), false);
    }
    (sanitized_snake(name), true)
}

/// `[a-z_][a-z0-9_]*`, not `_` alone.
fn is_plain_snake(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_lowercase() || first == '_')
        && chars.all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
        && name != "_"
}

/// An ASCII snake_case identifier made of `name`'s letters and digits.
fn sanitized_snake(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '_' })
        .collect();
    let mut snake = ascii.to_snake_case();
    if snake.is_empty() {
        snake = "column".to_string();
    }
    if snake.starts_with(|ch: char| ch.is_ascii_digit()) {
        snake.insert(0, '_');
    }
    if KEYWORDS.contains(&snake.as_str()) {
        snake.push('_');
    }
    snake
}

/// A type identifier (struct, enum, variant) for `name`, and whether the SQL name must be
/// spelled out: when the model's default (the identifier in snake_case) is not `name`.
pub(crate) fn type_ident(name: &str) -> (String, bool) {
    let ascii: String = name
        .chars()
        .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '_' })
        .collect();
    let mut ident = ascii.to_upper_camel_case();
    if ident.is_empty() {
        ident = "Unnamed".to_string();
    }
    if ident.starts_with(|ch: char| ch.is_ascii_digit()) {
        ident.insert(0, 'N');
    }
    if KEYWORDS.contains(&ident.as_str()) {
        ident.push('_');
    }
    let spelled_out = ident.to_snake_case() != name;
    (ident, spelled_out)
}

/// Hands out identifiers unique within one scope: `base`, then `base2`, `base3`, …
#[derive(Debug, Default)]
pub(crate) struct Scope {
    used: HashSet<String>,
}

impl Scope {
    pub fn with_reserved(reserved: &[&str]) -> Scope {
        Scope {
            used: reserved.iter().map(|name| name.to_string()).collect(),
        }
    }

    /// `base` or a numbered variant of it, marked used; and whether it was renamed.
    pub fn claim(&mut self, base: &str) -> (String, bool) {
        // `r#type` and `type` are the same name.
        let stem = base.strip_prefix("r#").unwrap_or(base);
        if self.used.insert(stem.to_string()) {
            return (base.to_string(), false);
        }
        let mut number = 2;
        loop {
            let candidate = format!("{stem}{number}");
            if self.used.insert(candidate.clone()) {
                return (candidate, true);
            }
            number += 1;
        }
    }
}

/// The name PostgreSQL gives an unnamed constraint or index of `table` on `columns` with
/// `suffix` (`pkey`, `key`, `fkey`, `idx`), when it needs no truncation (a longer one is always
/// spelled out, so the exact truncation rule never matters).
pub(crate) fn default_name(table: &str, columns: &[String], suffix: &str) -> Option<String> {
    let mut name = table.to_string();
    for column in columns {
        name.push('_');
        name.push_str(column);
    }
    name.push('_');
    name.push_str(suffix);
    (name.len() <= MAX_NAME_BYTES).then_some(name)
}

/// A Rust string literal of `text`.
pub(crate) fn literal(text: &str) -> String {
    format!("{text:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_the_column_name_when_they_can_be() {
        assert_eq!(field_ident("email"), ("email".to_string(), false));
        assert_eq!(field_ident("type"), ("r#type".to_string(), false));
        assert_eq!(field_ident("self"), ("self_".to_string(), true));
        assert_eq!(field_ident("Full Name"), ("full_name".to_string(), true));
        assert_eq!(field_ident("größe"), ("gr_e".to_string(), true));
        assert_eq!(field_ident("1st"), ("_1st".to_string(), true));
    }

    #[test]
    fn types_spell_out_the_name_only_when_snake_case_does_not_give_it_back() {
        assert_eq!(type_ident("users"), ("Users".to_string(), false));
        assert_eq!(type_ident("user_roles"), ("UserRoles".to_string(), false));
        assert_eq!(type_ident("so-so"), ("SoSo".to_string(), true));
        assert_eq!(type_ident("Users"), ("Users".to_string(), true));
        assert_eq!(type_ident("2fa"), ("N2fa".to_string(), true));
    }

    #[test]
    fn scopes_number_repeated_names() {
        let mut scope = Scope::with_reserved(&["Value"]);
        assert_eq!(scope.claim("Value"), ("Value2".to_string(), true));
        assert_eq!(scope.claim("a"), ("a".to_string(), false));
        assert_eq!(scope.claim("a"), ("a2".to_string(), true));
    }

    #[test]
    fn default_names_follow_postgresql() {
        let columns = vec!["tenant_id".to_string(), "email".to_string()];
        assert_eq!(
            default_name("users", &columns, "key").as_deref(),
            Some("users_tenant_id_email_key")
        );
        assert_eq!(default_name(&"x".repeat(60), &columns, "key"), None);
    }
}
