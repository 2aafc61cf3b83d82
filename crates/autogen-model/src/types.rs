//! Rust field types -> PostgreSQL types, by the last path segment (no type resolution).

use crate::problem::{Loc, Problem};
use syn::{GenericArgument, PathArguments, Type};

/// What a field type says about its column.
#[derive(Debug, Clone)]
pub(crate) struct FieldType {
    /// `Option<T>`.
    pub nullable: bool,
    /// `Vec<T>` (any depth: PostgreSQL prints every array type as `T[]`).
    pub array: bool,
    pub base: Base,
    /// The innermost type, where type errors point.
    pub base_loc: Loc,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Base {
    Boolean,
    Smallint,
    Integer,
    Bigint,
    Real,
    Double,
    Text,
    Bytea,
    Uuid,
    Date,
    Time,
    Timestamp,
    Timestamptz,
    Numeric,
    Jsonb,
    Inet,
    /// Not a built-in mapping: maybe a `DbEnum` of the scanned files (resolved later).
    Named(String),
}

impl Base {
    /// The type as `format_type` prints it, without length or precision.
    pub fn sql(&self) -> &'static str {
        match self {
            Base::Boolean => "boolean",
            Base::Smallint => "smallint",
            Base::Integer => "integer",
            Base::Bigint => "bigint",
            Base::Real => "real",
            Base::Double => "double precision",
            Base::Text => "text",
            Base::Bytea => "bytea",
            Base::Uuid => "uuid",
            Base::Date => "date",
            Base::Time => "time without time zone",
            Base::Timestamp => "timestamp without time zone",
            Base::Timestamptz => "timestamp with time zone",
            Base::Numeric => "numeric",
            Base::Jsonb => "jsonb",
            Base::Inet => "inet",
            Base::Named(_) => "",
        }
    }

    pub fn is_integer(&self) -> bool {
        matches!(self, Base::Smallint | Base::Integer | Base::Bigint)
    }

    fn from_name(name: &str) -> Option<Base> {
        Some(match name {
            "bool" => Base::Boolean,
            "i16" => Base::Smallint,
            "i32" => Base::Integer,
            "i64" => Base::Bigint,
            "f32" => Base::Real,
            "f64" => Base::Double,
            "String" => Base::Text,
            "Uuid" => Base::Uuid,
            "NaiveDate" | "Date" => Base::Date,
            "NaiveTime" | "Time" => Base::Time,
            "NaiveDateTime" | "PrimitiveDateTime" => Base::Timestamp,
            "DateTime" | "OffsetDateTime" => Base::Timestamptz,
            "Decimal" | "BigDecimal" => Base::Numeric,
            "Value" | "Json" => Base::Jsonb,
            "IpAddr" | "IpNetwork" => Base::Inet,
            _ => return None,
        })
    }
}

/// Only nullability: used with `sql_type`, which replaces the rest of the mapping.
pub(crate) fn is_option(ty: &Type) -> bool {
    wrapped(ty, "Option").is_some()
}

pub(crate) fn classify(ty: &Type) -> Result<FieldType, Problem> {
    let mut nullable = false;
    let mut array = false;
    let mut current = ty;
    loop {
        if let Some(inner) = wrapped(current, "Option") {
            // Option<T> only matters at the top; inside an array, elements are nullable anyway.
            nullable |= !array;
            current = inner;
        } else if let Some(inner) = wrapped(current, "Vec") {
            if last_segment_name(inner).as_deref() == Some("u8") {
                return Ok(FieldType {
                    nullable,
                    array,
                    base: Base::Bytea,
                    base_loc: Loc::of(current),
                });
            }
            array = true;
            current = inner;
        } else {
            break;
        }
    }
    let base_loc = Loc::of(current);
    let Some(name) = last_segment_name(current) else {
        return Err(Problem::new(base_loc, "this type has no PostgreSQL column type")
            .label("unsupported type")
            .help("give the column type with #[model(sql_type = \"...\")] or leave the field out with #[model(skip)]"));
    };
    if let Some(base) = Base::from_name(&name) {
        return Ok(FieldType {
            nullable,
            array,
            base,
            base_loc,
        });
    }
    if let Some(help) = primitive_help(&name) {
        return Err(Problem::new(
            base_loc,
            format!("PostgreSQL has no column type for `{name}`"),
        )
        .label("no PostgreSQL type")
        .help(help));
    }
    Ok(FieldType {
        nullable,
        array,
        base: Base::Named(name),
        base_loc,
    })
}

/// The error for a type that is neither built in nor a `DbEnum`.
pub(crate) fn unknown_type_problem(name: &str, loc: Loc) -> Problem {
    Problem::new(loc, format!("unsupported field type `{name}`"))
        .label("no known PostgreSQL type")
        .help(format!(
            "give the column type with #[model(sql_type = \"...\")], derive DbEnum on `{name}` in the scanned files, or leave the field out with #[model(skip)]"
        ))
}

/// Rust primitives no Rust enum can shadow, with the usual way around them.
fn primitive_help(name: &str) -> Option<String> {
    let help = match name {
        "u8" | "i8" => "use i16 (smallint), or #[model(sql_type = \"...\")]",
        "u16" => "use i32 (integer), or #[model(sql_type = \"...\")]",
        "u32" => "use i64 (bigint), or #[model(sql_type = \"...\")]",
        "u64" | "u128" | "i128" | "usize" | "isize" => {
            "use i64 (bigint) or a Decimal (numeric), or #[model(sql_type = \"...\")]"
        }
        "char" | "str" => "use String (text), or #[model(sql_type = \"...\")]",
        _ => return None,
    };
    Some(help.to_string())
}

/// The name of the last path segment of a plain path type (`chrono::DateTime<Utc>` -> `DateTime`).
fn last_segment_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(path) if path.qself.is_none() => path
            .path
            .segments
            .last()
            .map(|segment| segment.ident.to_string()),
        Type::Group(group) => last_segment_name(&group.elem),
        Type::Paren(paren) => last_segment_name(&paren.elem),
        _ => None,
    }
}

/// `T` when `ty` is `Wrapper<T>` (by last segment).
fn wrapped<'a>(ty: &'a Type, wrapper: &str) -> Option<&'a Type> {
    let Type::Path(path) = ty else {
        return match ty {
            Type::Group(group) => wrapped(&group.elem, wrapper),
            Type::Paren(paren) => wrapped(&paren.elem, wrapper),
            _ => None,
        };
    };
    let segment = path.path.segments.last()?;
    if path.qself.is_some() || segment.ident != wrapper {
        return None;
    }
    let PathArguments::AngleBracketed(arguments) = &segment.arguments else {
        return None;
    };
    let mut types = arguments.args.iter().filter_map(|argument| match argument {
        GenericArgument::Type(inner) => Some(inner),
        _ => None,
    });
    let inner = types.next()?;
    types.next().is_none().then_some(inner)
}
