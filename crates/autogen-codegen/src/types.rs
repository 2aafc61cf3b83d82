//! A column's type as a field type: the Rust type the model maps to it (with `max_length`,
//! `precision`/`scale`), a `DbEnum` of the project, or `sql_type` with the type as PostgreSQL
//! prints it.

use crate::names::literal;
use autogen_schema::Column;
use std::collections::HashMap;

/// A field's type and the attribute items that complete it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldType {
    /// Without the `Option<…>` of a nullable column.
    pub rust: String,
    pub items: Vec<String>,
}

/// Where each enum type of the models is: its qualified name as `format_type` prints it
/// (`core.mood`) -> the Rust path to use from a given module.
pub(crate) struct EnumPaths {
    /// type name -> (module, Rust name)
    pub by_type: HashMap<String, (String, String)>,
}

impl EnumPaths {
    fn path(&self, data_type: &str, from_module: &str) -> Option<String> {
        let (module, name) = self.by_type.get(data_type)?;
        Some(if module == from_module {
            name.clone()
        } else {
            format!("super::{module}::{name}")
        })
    }
}

/// The Rust type of a built-in mapping without attributes (DESIGN "Types").
fn plain(data_type: &str) -> Option<&'static str> {
    Some(match data_type {
        "boolean" => "bool",
        "smallint" => "i16",
        "integer" => "i32",
        "bigint" => "i64",
        "real" => "f32",
        "double precision" => "f64",
        "text" => "String",
        "bytea" => "Vec<u8>",
        "uuid" => "uuid::Uuid",
        "date" => "chrono::NaiveDate",
        "time without time zone" => "chrono::NaiveTime",
        "timestamp without time zone" => "chrono::NaiveDateTime",
        "timestamp with time zone" => "chrono::DateTime<chrono::Utc>",
        "numeric" => "rust_decimal::Decimal",
        "jsonb" => "serde_json::Value",
        "inet" => "std::net::IpAddr",
        _ => return None,
    })
}

/// `prefix(a)` or `prefix(a,b)` -> the numbers.
fn modifiers<'a>(data_type: &'a str, prefix: &str) -> Option<Vec<&'a str>> {
    let inner = data_type.strip_prefix(prefix)?.strip_prefix('(')?;
    let inner = inner.strip_suffix(')')?;
    let parts: Vec<&str> = inner.split(',').map(str::trim).collect();
    parts
        .iter()
        .all(|part| part.parse::<i64>().is_ok())
        .then_some(parts)
}

pub(crate) fn field_type(column: &Column, enums: &EnumPaths, module: &str) -> FieldType {
    let typed = |rust: &str, items: Vec<String>| FieldType {
        rust: rust.to_string(),
        items,
    };
    // The model has no collation attribute: the column type with its COLLATE clause is one
    // `sql_type`, which the model passes to PostgreSQL as written.
    if let Some(collation) = &column.collation {
        let sql = format!("{} COLLATE {collation}", column.data_type);
        return typed("String", vec![format!("sql_type = {}", literal(&sql))]);
    }
    let data_type = column.data_type.as_str();
    if let Some(rust) = plain(data_type) {
        return typed(rust, Vec::new());
    }
    if let Some(path) = enums.path(data_type, module) {
        return typed(&path, Vec::new());
    }
    if let Some(element) = data_type.strip_suffix("[]") {
        // `bytea[]` is `Vec<Vec<u8>>`; other arrays of a plain type or enum are `Vec<T>`.
        if let Some(rust) = plain(element) {
            return typed(&format!("Vec<{rust}>"), Vec::new());
        }
        if let Some(path) = enums.path(element, module) {
            return typed(&format!("Vec<{path}>"), Vec::new());
        }
    }
    if let Some([length]) = modifiers(data_type, "character varying").as_deref() {
        return typed("String", vec![format!("max_length = {length}")]);
    }
    if let Some([precision, scale]) = modifiers(data_type, "numeric").as_deref() {
        return typed(
            "rust_decimal::Decimal",
            vec![
                format!("precision = {precision}"),
                format!("scale = {scale}"),
            ],
        );
    }
    typed(
        &nearest_rust_type(data_type),
        vec![format!("sql_type = {}", literal(data_type))],
    )
}

/// The Rust type closest to a type the model spells with `sql_type` (which decides the column
/// type; the field's type then only documents it): `timestamp(3) with time zone` is still a
/// `DateTime`, an array a `Vec`; anything else a `String`.
fn nearest_rust_type(data_type: &str) -> String {
    if let Some(element) = data_type.strip_suffix("[]") {
        return format!("Vec<{}>", nearest_rust_type(element));
    }
    let base = data_type.split('(').next().unwrap_or(data_type);
    let rust = if data_type.starts_with("timestamp") && data_type.ends_with("with time zone") {
        "chrono::DateTime<chrono::Utc>"
    } else if data_type.starts_with("timestamp") && data_type.ends_with("without time zone") {
        "chrono::NaiveDateTime"
    } else if data_type.starts_with("time") && data_type.ends_with("without time zone") {
        "chrono::NaiveTime"
    } else {
        match base {
            "json" => "serde_json::Value",
            "numeric" => "rust_decimal::Decimal",
            "cidr" => "std::net::IpAddr",
            "double precision" => "f64",
            _ => "String",
        }
    };
    rust.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(data_type: &str) -> Column {
        Column {
            name: "c".into(),
            data_type: data_type.into(),
            not_null: true,
            default: None,
            identity: None,
            generated: None,
            collation: None,
            comment: None,
            ..Column::default()
        }
    }

    fn of(data_type: &str) -> (String, Vec<String>) {
        let enums = EnumPaths {
            by_type: HashMap::from([(
                "core.mood".to_string(),
                ("core".to_string(), "Mood".to_string()),
            )]),
        };
        let field = field_type(&column(data_type), &enums, "public");
        (field.rust, field.items)
    }

    #[test]
    fn types_map_to_what_the_model_maps_back() {
        assert_eq!(of("bigint"), ("i64".into(), vec![]));
        assert_eq!(of("text[]"), ("Vec<String>".into(), vec![]));
        assert_eq!(
            of("character varying(255)"),
            ("String".into(), vec!["max_length = 255".to_string()])
        );
        assert_eq!(
            of("numeric(12,2)"),
            (
                "rust_decimal::Decimal".into(),
                vec!["precision = 12".to_string(), "scale = 2".to_string()]
            )
        );
        assert_eq!(of("core.mood[]"), ("Vec<super::core::Mood>".into(), vec![]));
        assert_eq!(
            of("timestamp(3) with time zone[]"),
            (
                "Vec<chrono::DateTime<chrono::Utc>>".into(),
                vec!["sql_type = \"timestamp(3) with time zone[]\"".to_string()]
            )
        );
        assert_eq!(
            of("public.citext"),
            (
                "String".into(),
                vec!["sql_type = \"public.citext\"".to_string()]
            )
        );
    }
}
