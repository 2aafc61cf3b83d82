//! SeaORM's column types on PostgreSQL: a field's Rust type or its `column_type = "..."` ->
//! the type `Schema::create_table_from_entity` writes, in `format_type` spelling.
//!
//! The Rust names are those `sea-orm-macros` matches (`derives/entity_model.rs`) and the
//! `ValueType`s it falls back to; the SQL is what sea-query's PostgreSQL backend renders
//! for each `ColumnType` (`backend/postgres/table.rs`). See docs/seaorm.md.

use crate::problem::{Loc, Problem};
use syn::{Expr, GenericArgument, PathArguments, Type};

/// A field type after `Option<...>` is taken off.
#[derive(Debug, Clone)]
pub(crate) struct SeaType {
    pub nullable: bool,
    pub kind: SeaKind,
    /// The type written (inside `Option`), where type errors point.
    pub loc: Loc,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SeaKind {
    /// A type SeaORM maps itself.
    Sql(Mapped),
    /// `Vec<T>` of a mapped type: a PostgreSQL array.
    Array(Mapped),
    /// Anything else: a `DeriveActiveEnum` of the scanned files, or an error.
    Named(String),
}

/// A column type and whether sea-query can make it auto-increment (and as what).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mapped {
    pub sql: String,
    /// `smallint`/`integer`/`bigint` for SeaORM's `SmallInteger`/`Integer`/`BigInteger`,
    /// the only types sea-query renders as auto-increment.
    pub integer: Option<&'static str>,
}

impl Mapped {
    fn plain(sql: &str) -> Self {
        Self {
            sql: sql.to_string(),
            integer: None,
        }
    }

    fn integer(sql: &'static str) -> Self {
        Self {
            sql: sql.to_string(),
            integer: Some(sql),
        }
    }
}

/// The column type SeaORM derives from a Rust type name (last path segment).
fn by_rust_name(name: &str, generic: bool) -> Option<Mapped> {
    Some(match name {
        // `Char(None)`: sea-query writes `char`, which PostgreSQL reads as `character(1)`.
        "char" => Mapped::plain("character(1)"),
        // `String(StringLen::None)` is a `varchar` without length on PostgreSQL.
        "String" | "str" => Mapped::plain("character varying"),
        "i8" | "u8" => Mapped::plain("smallint"),
        "i16" => Mapped::integer("smallint"),
        "u16" => Mapped::plain("integer"),
        "i32" => Mapped::integer("integer"),
        "u32" | "u64" => Mapped::plain("bigint"),
        "i64" => Mapped::integer("bigint"),
        "f32" => Mapped::plain("real"),
        "f64" => Mapped::plain("double precision"),
        "bool" => Mapped::plain("boolean"),
        "Date" | "NaiveDate" | "TimeDate" => Mapped::plain("date"),
        "Time" | "NaiveTime" | "TimeTime" => Mapped::plain("time without time zone"),
        // SeaORM's prelude `DateTime` is chrono's `NaiveDateTime`; chrono's `DateTime<Tz>`
        // (with a time zone argument) is `TimestampWithTimeZone` by its `ValueType`.
        "DateTime" if generic => Mapped::plain("timestamp with time zone"),
        "DateTime" | "NaiveDateTime" | "TimeDateTime" | "PrimitiveDateTime" => {
            Mapped::plain("timestamp without time zone")
        }
        "DateTimeUtc"
        | "DateTimeLocal"
        | "DateTimeWithTimeZone"
        | "TimeDateTimeWithTimeZone"
        | "OffsetDateTime" => Mapped::plain("timestamp with time zone"),
        "Uuid" => Mapped::plain("uuid"),
        // `Json` (serde_json::Value) is `json`, not `jsonb`: `column_type = "JsonBinary"` is.
        "Json" | "Value" => Mapped::plain("json"),
        "Decimal" | "BigDecimal" => Mapped::plain("numeric"),
        "IpNetwork" => Mapped::plain("inet"),
        _ => return None,
    })
}

/// Classifies a field type: `Option<T>` is nullable, `Vec<u8>` is `bytea`, `Vec<T>` an array.
pub(crate) fn classify(ty: &Type) -> SeaType {
    let (nullable, inner) = match wrapped(ty, "Option") {
        Some(inner) => (true, inner),
        None => (false, ty),
    };
    let loc = Loc::of(inner);
    if let Some(element) = wrapped(inner, "Vec") {
        let kind = match last_segment(element) {
            Some((name, _)) if name == "u8" => SeaKind::Sql(Mapped::plain("bytea")),
            Some((name, generic)) => match by_rust_name(&name, generic) {
                Some(mapped) => SeaKind::Array(mapped),
                None => SeaKind::Named(format!("Vec<{name}>")),
            },
            None => SeaKind::Named("Vec<_>".to_string()),
        };
        return SeaType {
            nullable,
            kind,
            loc,
        };
    }
    let kind = match last_segment(inner) {
        Some((name, generic)) => match by_rust_name(&name, generic) {
            Some(mapped) => SeaKind::Sql(mapped),
            None => SeaKind::Named(name),
        },
        None => SeaKind::Named(quote::ToTokens::to_token_stream(inner).to_string()),
    };
    SeaType {
        nullable,
        kind,
        loc,
    }
}

/// The problem for a field type SeaORM would map through a `ValueType` autogen cannot see.
pub(crate) fn unknown_type(name: &str, loc: Loc) -> Problem {
    Problem::new(loc, format!("autogen cannot tell the column type of `{name}`"))
        .label("no known SeaORM column type")
        .help(format!(
            "give it with #[sea_orm(column_type = \"...\")] (e.g. \"Text\", \"JsonBinary\"), derive DeriveActiveEnum on `{name}` in the scanned files, or leave the field out with #[sea_orm(ignore)]"
        ))
}

/// `column_type = "..."`: a `sea_orm::ColumnType` expression -> its PostgreSQL type.
pub(crate) fn column_type(text: &str, loc: Loc) -> Result<Mapped, Problem> {
    let unsupported = |why: &str| {
        Problem::new(loc, format!("column_type `{text}` {why}"))
            .label("unsupported column_type")
            .help("use one of SeaORM's ColumnType variants listed in docs/seaorm.md, or `Custom(\"<PostgreSQL type>\")`")
    };
    if super::too_nested(text) {
        return Err(unsupported("is nested too deep"));
    }
    let expr: Expr =
        syn::parse_str(text).map_err(|_| unsupported("is not a ColumnType expression"))?;
    let (name, args) = match &expr {
        Expr::Path(path) => (path_name(&path.path), Vec::new()),
        Expr::Call(call) => match call.func.as_ref() {
            Expr::Path(path) => (path_name(&path.path), call.args.iter().collect()),
            _ => return Err(unsupported("is not a ColumnType expression")),
        },
        _ => return Err(unsupported("is not a ColumnType expression")),
    };
    let length = |index: usize| args.get(index).and_then(|arg| optional_int(arg));
    let pair = args.first().and_then(|arg| optional_pair(arg));
    let mapped = match name.as_str() {
        "Char" => match length(0) {
            Some(Some(n)) => Mapped::plain(&format!("character({n})")),
            Some(None) => Mapped::plain("character(1)"),
            None => return Err(unsupported("has an argument autogen cannot read")),
        },
        "String" | "string" => match length(0) {
            Some(Some(n)) => Mapped::plain(&format!("character varying({n})")),
            Some(None) => Mapped::plain("character varying"),
            None => return Err(unsupported("has an argument autogen cannot read")),
        },
        "Text" => Mapped::plain("text"),
        "TinyInteger" | "TinyUnsigned" => Mapped::plain("smallint"),
        "SmallInteger" => Mapped::integer("smallint"),
        "SmallUnsigned" => Mapped::plain("integer"),
        "Integer" => Mapped::integer("integer"),
        "Unsigned" | "BigUnsigned" => Mapped::plain("bigint"),
        "BigInteger" => Mapped::integer("bigint"),
        "Float" => Mapped::plain("real"),
        "Double" => Mapped::plain("double precision"),
        "Decimal" => match pair {
            Some(Some((precision, scale))) => {
                Mapped::plain(&format!("numeric({precision},{scale})"))
            }
            Some(None) => Mapped::plain("numeric"),
            None => return Err(unsupported("has an argument autogen cannot read")),
        },
        "Money" => match pair {
            Some(None) => Mapped::plain("money"),
            // sea-query writes `money(p, s)`, which PostgreSQL refuses.
            _ => {
                return Err(unsupported(
                    "has a precision, which PostgreSQL's money type does not take",
                ));
            }
        },
        "DateTime" => Mapped::plain("timestamp without time zone"),
        "Timestamp" => Mapped::plain("timestamp without time zone"),
        "TimestampWithTimeZone" => Mapped::plain("timestamp with time zone"),
        "Time" => Mapped::plain("time without time zone"),
        "Date" => Mapped::plain("date"),
        "Interval" if args.iter().all(|arg| is_none(arg)) => Mapped::plain("interval"),
        "Binary" | "VarBinary" | "Blob" => Mapped::plain("bytea"),
        "Bit" => match length(0) {
            Some(Some(n)) => Mapped::plain(&format!("bit({n})")),
            Some(None) => Mapped::plain("bit(1)"),
            None => return Err(unsupported("has an argument autogen cannot read")),
        },
        "VarBit" => match args.first().and_then(|arg| int(arg)) {
            Some(n) => Mapped::plain(&format!("bit varying({n})")),
            None => return Err(unsupported("has an argument autogen cannot read")),
        },
        "Boolean" => Mapped::plain("boolean"),
        "Json" => Mapped::plain("json"),
        "JsonBinary" => Mapped::plain("jsonb"),
        "Uuid" => Mapped::plain("uuid"),
        "Cidr" => Mapped::plain("cidr"),
        "Inet" => Mapped::plain("inet"),
        "MacAddr" => Mapped::plain("macaddr"),
        "LTree" => Mapped::plain("ltree"),
        // sea-query writes a custom type verbatim, unquoted.
        "Custom" | "custom" => match args.first().and_then(|arg| string(arg)) {
            Some(sql) if !sql.trim().is_empty() => Mapped::plain(sql.trim()),
            _ => return Err(unsupported("needs the type as a string literal")),
        },
        "Year" => return Err(unsupported("is MySQL only; PostgreSQL has no year type")),
        _ => return Err(unsupported("is not a ColumnType autogen knows")),
    };
    Ok(mapped)
}

fn path_name(path: &syn::Path) -> String {
    path.segments
        .last()
        .map(|segment| segment.ident.to_string())
        .unwrap_or_default()
}

fn int(expr: &Expr) -> Option<u32> {
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(int),
            ..
        }) => int.base10_parse().ok(),
        Expr::Paren(paren) => int(&paren.expr),
        _ => None,
    }
}

fn string(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(text),
            ..
        }) => Some(text.value()),
        // `"citext".to_owned()`, `String::from("citext")`, `Alias::new("citext")`.
        Expr::MethodCall(call) => string(&call.receiver),
        Expr::Call(call) => call.args.first().and_then(string),
        _ => None,
    }
}

fn is_none(expr: &Expr) -> bool {
    matches!(expr, Expr::Path(path) if matches!(path_name(&path.path).as_str(), "None"))
}

/// `None`, `StringLen::None` -> `Some(None)`; `Some(n)`, `StringLen::N(n)`, `n` ->
/// `Some(Some(n))`; anything else -> `None`.
fn optional_int(expr: &Expr) -> Option<Option<u32>> {
    match expr {
        Expr::Path(path) if path_name(&path.path) == "None" => Some(None),
        Expr::Call(call) => {
            let inner = call.args.first()?;
            match call.func.as_ref() {
                Expr::Path(path) if matches!(path_name(&path.path).as_str(), "Some" | "N") => {
                    int(inner).map(Some)
                }
                _ => None,
            }
        }
        other => int(other).map(Some),
    }
}

/// `None` -> `Some(None)`; `Some((p, s))` -> `Some(Some((p, s)))`.
fn optional_pair(expr: &Expr) -> Option<Option<(u32, u32)>> {
    match expr {
        Expr::Path(path) if path_name(&path.path) == "None" => Some(None),
        Expr::Call(call) => {
            let Expr::Tuple(tuple) = call.args.first()? else {
                return None;
            };
            let mut elems = tuple.elems.iter();
            let pair = (int(elems.next()?)?, int(elems.next()?)?);
            Some(Some(pair))
        }
        _ => None,
    }
}

/// The last path segment's name and whether it has generic arguments.
fn last_segment(ty: &Type) -> Option<(String, bool)> {
    match ty {
        Type::Path(path) if path.qself.is_none() => path.path.segments.last().map(|segment| {
            (
                segment.ident.to_string(),
                !matches!(segment.arguments, PathArguments::None),
            )
        }),
        Type::Reference(reference) => last_segment(&reference.elem),
        Type::Group(group) => last_segment(&group.elem),
        Type::Paren(paren) => last_segment(&paren.elem),
        _ => None,
    }
}

/// `T` when `ty` is `Wrapper<T>` (by last segment).
fn wrapped<'a>(ty: &'a Type, wrapper: &str) -> Option<&'a Type> {
    let Type::Path(path) = ty else {
        return None;
    };
    let segment = path.path.segments.last()?;
    if path.qself.is_some() || segment.ident != wrapper {
        return None;
    }
    let PathArguments::AngleBracketed(arguments) = &segment.arguments else {
        return None;
    };
    arguments.args.iter().find_map(|argument| match argument {
        GenericArgument::Type(inner) => Some(inner),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::Span;

    fn loc() -> Loc {
        Loc::span(Span::call_site())
    }

    fn sql_of(ty: &str) -> (bool, SeaKind) {
        let ty: Type = syn::parse_str(ty).expect("test type parses");
        let classified = classify(&ty);
        (classified.nullable, classified.kind)
    }

    fn sql(text: &str) -> SeaKind {
        SeaKind::Sql(Mapped {
            sql: text.to_string(),
            integer: None,
        })
    }

    #[test]
    fn maps_rust_types_like_seaorm_on_postgres() {
        assert_eq!(sql_of("String"), (false, sql("character varying")));
        assert_eq!(sql_of("Option<String>"), (true, sql("character varying")));
        assert_eq!(sql_of("Json"), (false, sql("json")));
        assert_eq!(sql_of("serde_json::Value"), (false, sql("json")));
        assert_eq!(sql_of("Decimal"), (false, sql("numeric")));
        assert_eq!(
            sql_of("DateTime"),
            (false, sql("timestamp without time zone"))
        );
        assert_eq!(
            sql_of("DateTime<Utc>"),
            (false, sql("timestamp with time zone"))
        );
        assert_eq!(
            sql_of("DateTimeWithTimeZone"),
            (false, sql("timestamp with time zone"))
        );
        assert_eq!(sql_of("Vec<u8>"), (false, sql("bytea")));
        assert_eq!(sql_of("u32"), (false, sql("bigint")));
        assert_eq!(
            sql_of("i32"),
            (
                false,
                SeaKind::Sql(Mapped {
                    sql: "integer".to_string(),
                    integer: Some("integer")
                })
            )
        );
        assert_eq!(
            sql_of("Vec<String>"),
            (false, SeaKind::Array(Mapped::plain("character varying")))
        );
        assert_eq!(sql_of("Tea"), (false, SeaKind::Named("Tea".to_string())));
    }

    #[test]
    fn maps_column_types() {
        let mapped = |text: &str| column_type(text, loc()).map(|mapped| mapped.sql).ok();
        assert_eq!(mapped("Text").as_deref(), Some("text"));
        assert_eq!(mapped("JsonBinary").as_deref(), Some("jsonb"));
        assert_eq!(
            mapped("String(StringLen::N(255))").as_deref(),
            Some("character varying(255)")
        );
        assert_eq!(
            mapped("String(Some(20))").as_deref(),
            Some("character varying(20)")
        );
        assert_eq!(
            mapped("String(StringLen::None)").as_deref(),
            Some("character varying")
        );
        assert_eq!(
            mapped("Decimal(Some((12, 2)))").as_deref(),
            Some("numeric(12,2)")
        );
        assert_eq!(mapped("Decimal(None)").as_deref(), Some("numeric"));
        assert_eq!(mapped("Char(Some(3))").as_deref(), Some("character(3)"));
        assert_eq!(
            mapped("Custom(\"citext\".to_owned())").as_deref(),
            Some("citext")
        );
        assert_eq!(mapped("Year"), None);
        assert_eq!(mapped("Money(Some((10, 2)))"), None);
        assert_eq!(mapped("Nonsense"), None);
        assert_eq!(mapped("String("), None);
    }
}
