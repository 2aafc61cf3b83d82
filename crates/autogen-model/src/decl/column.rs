//! One struct field -> one column (type, nullability, default, identity, generated).

use crate::attr::field::FieldAttrs;
use crate::naming::{name_problem, unraw};
use crate::problem::{Loc, Problem, Spanned};
use crate::types::{self, Base, FieldType};
use autogen_schema::{Column, Identity, SequenceOptions};

/// A column declared by a field, with what later steps need to finish it.
#[derive(Debug)]
pub(crate) struct ColumnDecl {
    pub field: syn::Ident,
    pub column: Column,
    /// From the field name to the end of its type.
    pub loc: Loc,
    /// Where the column name comes from: `column = "..."` or the field name.
    pub name_loc: Loc,
    /// Set when the type may be a `DbEnum`: `data_type` is filled in when enums are known.
    pub enum_use: Option<EnumUse>,
    pub attrs: FieldAttrs,
}

#[derive(Debug, Clone)]
pub(crate) struct EnumUse {
    pub rust_name: String,
    pub array: bool,
    pub loc: Loc,
    pub default: Option<Spanned<String>>,
}

/// PostgreSQL refuses longer `varchar`s.
const MAX_VARCHAR_LENGTH: i64 = 10_485_760;
const MAX_NUMERIC_PRECISION: i64 = 1000;

pub(crate) fn column_of_field(
    field: &syn::Field,
    ident: &syn::Ident,
    attrs: FieldAttrs,
    problems: &mut Vec<Problem>,
) -> ColumnDecl {
    let (name, name_loc) = match &attrs.column {
        Some(column) => (column.value.clone(), column.loc),
        None => (unraw(ident), Loc::span(ident.span())),
    };
    problems.extend(name_problem(&name, name_loc, "column"));
    let mut enum_use = None;
    let (data_type, nullable, integer) = match &attrs.sql_type {
        Some(sql_type) => {
            for (given, key) in [
                (&attrs.max_length, "max_length"),
                (&attrs.precision, "precision"),
                (&attrs.scale, "scale"),
            ] {
                if let Some(given) = given {
                    problems.push(
                        Problem::new(
                            given.loc,
                            format!("`{key}` cannot be combined with `sql_type`"),
                        )
                        .label("ignored with sql_type")
                        .help(format!(
                            "write the whole type in sql_type, e.g. `sql_type = \"{}\"`",
                            example_type(key)
                        )),
                    );
                }
            }
            let text = sql_type.value.trim().to_string();
            if text.is_empty() {
                problems.push(
                    Problem::new(sql_type.loc, "`sql_type` is empty")
                        .label("empty type")
                        .help("write a PostgreSQL type, e.g. `sql_type = \"citext\"`"),
                );
            }
            let integer = integer_type(&text);
            (text, types::is_option(&field.ty), integer)
        }
        None => match types::classify(&field.ty) {
            Ok(field_type) => {
                let data_type = mapped_type(&field_type, &attrs, problems);
                if let Base::Named(rust_name) = &field_type.base {
                    enum_use = Some(EnumUse {
                        rust_name: rust_name.clone(),
                        array: field_type.array,
                        loc: field_type.base_loc,
                        default: attrs.default.clone(),
                    });
                }
                let integer = (!field_type.array && field_type.base.is_integer())
                    .then(|| field_type.base.sql());
                (data_type, field_type.nullable, integer)
            }
            Err(problem) => {
                problems.push(problem);
                (String::new(), types::is_option(&field.ty), None)
            }
        },
    };

    let identity = attrs.identity.as_ref().and_then(|identity| match integer {
        Some(integer) => Some(Identity {
            kind: identity.value,
            options: SequenceOptions::defaults_for(integer),
        }),
        None => {
            problems.push(
                Problem::new(identity.loc, "`identity` needs an integer column")
                    .label("not an integer column")
                    .help("identity columns must be i16, i32 or i64 (smallint, integer or bigint)"),
            );
            None
        }
    });
    check_conflicts(&attrs, problems);
    let default = attrs.default.as_ref().map(|text| text.value.clone());
    let generated = attrs.generated.as_ref().map(|text| text.value.clone());
    for (given, key, example) in [
        (&attrs.default, "default", "now()"),
        (&attrs.generated, "generated", "price * 2"),
        (
            &attrs.backfill,
            "backfill",
            "first_name || ' ' || last_name",
        ),
        (&attrs.using, "using", "price_cents / 100.0"),
    ] {
        if let Some(given) = given.as_ref().filter(|text| text.value.trim().is_empty()) {
            problems.push(
                Problem::new(given.loc, format!("`{key}` is empty"))
                    .label("empty expression")
                    .help(format!(
                        "write an SQL expression, e.g. `{key} = \"{example}\"`"
                    )),
            );
        }
    }
    let column = Column {
        name,
        data_type,
        // Identity columns are always NOT NULL in PostgreSQL.
        not_null: !nullable || identity.is_some(),
        default,
        identity,
        generated,
        collation: None,
        comment: attrs.comment.clone(),
        statistics: attrs.statistics.as_ref().map(|target| target.value),
        storage: attrs.storage.as_ref().map(|storage| storage.value.clone()),
        compression: attrs
            .compression
            .as_ref()
            .map(|method| method.value.clone()),
        options: {
            let mut options: Vec<String> = attrs
                .column_options
                .iter()
                .map(|option| option.value.clone())
                .collect();
            options.sort();
            options
        },
    };
    ColumnDecl {
        field: ident.clone(),
        column,
        loc: Loc::span(ident.span()).to(Loc::of(&field.ty)),
        name_loc,
        enum_use,
        attrs,
    }
}

/// `smallint`/`integer`/`bigint` when `sql_type` names an integer type (for identity).
fn integer_type(sql_type: &str) -> Option<&'static str> {
    match sql_type.to_lowercase().as_str() {
        "smallint" | "int2" => Some("smallint"),
        "integer" | "int" | "int4" => Some("integer"),
        "bigint" | "int8" => Some("bigint"),
        _ => None,
    }
}

fn example_type(key: &str) -> &'static str {
    match key {
        "max_length" => "character varying(255)",
        _ => "numeric(12,2)",
    }
}

/// The column type of a mapped Rust type, with `max_length`, `precision` and `scale`.
fn mapped_type(field_type: &FieldType, attrs: &FieldAttrs, problems: &mut Vec<Problem>) -> String {
    let base = &field_type.base;
    let mut data_type = base.sql().to_string();
    if let Some(length) = &attrs.max_length {
        if *base != Base::Text {
            problems.push(misplaced(
                length.loc,
                "max_length",
                "String",
                "character varying(n)",
            ));
        } else if !(1..=MAX_VARCHAR_LENGTH).contains(&length.value) {
            problems.push(
                Problem::new(
                    length.loc,
                    format!("`max_length` must be between 1 and {MAX_VARCHAR_LENGTH}"),
                )
                .label("out of range")
                .help("for longer text leave out max_length (the column is `text`)"),
            );
        } else {
            data_type = format!("character varying({})", length.value);
        }
    }
    let numeric = *base == Base::Numeric;
    if let Some(scale) = &attrs.scale {
        if attrs.precision.is_none() {
            problems.push(
                Problem::new(scale.loc, "`scale` needs `precision`")
                    .label("scale without precision")
                    .help("add the total number of digits, e.g. `precision = 12, scale = 2`"),
            );
        } else if !numeric {
            problems.push(misplaced(scale.loc, "scale", "Decimal", "numeric(p,s)"));
        } else if !(-MAX_NUMERIC_PRECISION..=MAX_NUMERIC_PRECISION).contains(&scale.value) {
            problems.push(
                Problem::new(scale.loc, format!("`scale` must be between -{MAX_NUMERIC_PRECISION} and {MAX_NUMERIC_PRECISION}"))
                    .label("out of range"),
            );
        }
    }
    if let Some(precision) = &attrs.precision {
        if !numeric {
            problems.push(misplaced(
                precision.loc,
                "precision",
                "Decimal",
                "numeric(p,s)",
            ));
        } else if !(1..=MAX_NUMERIC_PRECISION).contains(&precision.value) {
            problems.push(
                Problem::new(
                    precision.loc,
                    format!("`precision` must be between 1 and {MAX_NUMERIC_PRECISION}"),
                )
                .label("out of range"),
            );
        } else {
            // format_type prints `numeric(12)` as `numeric(12,0)`.
            let scale = attrs.scale.as_ref().map_or(0, |scale| scale.value);
            data_type = format!("numeric({},{scale})", precision.value);
        }
    }
    if field_type.array && !matches!(base, Base::Named(_)) {
        data_type.push_str("[]");
    }
    data_type
}

fn misplaced(loc: Loc, key: &str, kind: &str, sql: &str) -> Problem {
    Problem::new(loc, format!("`{key}` only applies to {kind} fields"))
        .label(format!("not a {kind} field"))
        .help(format!(
            "for another type write the whole type: #[model(sql_type = \"...\")] (e.g. {sql})"
        ))
}

/// Settings that exclude each other on one column.
fn check_conflicts(attrs: &FieldAttrs, problems: &mut Vec<Problem>) {
    if let Some(generated) = &attrs.generated {
        if attrs.default.is_some() {
            problems.push(
                Problem::new(
                    generated.loc,
                    "a column cannot have both `generated` and `default`",
                )
                .label("generated column with a default")
                .help("remove `default`: a generated column always computes its value"),
            );
        }
        if let Some(identity) = &attrs.identity {
            problems.push(
                Problem::new(
                    identity.loc,
                    "a column cannot be both `generated` and `identity`",
                )
                .label("identity on a generated column")
                .help("remove one of them"),
            );
        }
    } else if let (Some(default), Some(_)) = (&attrs.default, &attrs.identity) {
        problems.push(
            Problem::new(default.loc, "an identity column cannot have a `default`")
                .label("default on an identity column")
                .help("remove `default`: the identity sequence gives the values"),
        );
    }
    // Values of identity and generated columns come from PostgreSQL: nothing to backfill.
    if let Some(backfill) = &attrs.backfill {
        let computed = if attrs.generated.is_some() {
            Some(("a", "generated"))
        } else if attrs.identity.is_some() {
            Some(("an", "identity"))
        } else {
            None
        };
        if let Some((article, kind)) = computed {
            problems.push(
                Problem::new(
                    backfill.loc,
                    format!("{article} {kind} column cannot have a `backfill`"),
                )
                .label(format!("backfill on {article} {kind} column"))
                .help(format!(
                    "remove `backfill`: PostgreSQL gives the values of {kind} columns"
                )),
            );
        }
    }
    if attrs.references.is_none() {
        for (given, key) in [
            (
                attrs.on_delete.as_ref().map(|action| action.loc),
                "on_delete",
            ),
            (
                attrs.on_update.as_ref().map(|action| action.loc),
                "on_update",
            ),
            (
                attrs.deferrable.as_ref().map(|deferral| deferral.loc),
                "deferrable",
            ),
        ] {
            if let Some(loc) = given {
                problems.push(
                    Problem::new(loc, format!("`{key}` needs `references`"))
                        .label("no foreign key on this field")
                        .help("add the referenced column, e.g. `references = \"users(id)\"`"),
                );
            }
        }
    }
}
