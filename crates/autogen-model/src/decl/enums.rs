//! One `#[derive(DbEnum)]` enum -> one enum type, checked on its own.

use crate::attr::enums::{read_enum, read_variant};
use crate::attr::syntax::model_items;
use crate::naming::{name_problem, snake_case, unraw};
use crate::problem::{Loc, Problem};
use autogen_schema::EnumType;
use syn::{Attribute, Fields, Ident, Variant};

#[derive(Debug)]
pub(crate) struct EnumDecl {
    pub rust_name: String,
    pub ident_loc: Loc,
    /// Where the type name comes from: `type_name = "..."` or the enum name.
    pub name_loc: Loc,
    pub ty: EnumType,
    /// Model intent: `renamed_from` of the enum.
    pub renamed_from: Option<String>,
    /// Each variant and its value.
    pub values: Vec<(Ident, String)>,
    /// `(old, new)` for variants with `renamed_from`.
    pub value_renames: Vec<(String, String)>,
}

pub(crate) fn analyze_enum<'v>(
    attrs: &[Attribute],
    ident: &Ident,
    variants: impl IntoIterator<Item = &'v Variant>,
    problems: &mut Vec<Problem>,
) -> EnumDecl {
    let enum_attrs = read_enum(&model_items(attrs, problems), problems);
    let ident_loc = Loc::span(ident.span());
    let (name, name_loc) = match &enum_attrs.type_name {
        Some(name) => (name.value.clone(), name.loc),
        None => (snake_case(&unraw(ident)), ident_loc),
    };
    problems.extend(name_problem(&name, name_loc, "type"));
    let schema = match &enum_attrs.schema {
        Some(schema) => {
            problems.extend(name_problem(&schema.value, schema.loc, "schema"));
            schema.value.clone()
        }
        None => "public".to_string(),
    };

    let mut values: Vec<(Ident, String)> = Vec::new();
    let mut value_renames = Vec::new();
    for variant in variants {
        let variant_attrs = read_variant(&model_items(&variant.attrs, problems), problems);
        if !matches!(variant.fields, Fields::Unit) {
            problems.push(
                Problem::new(
                    Loc::of(&variant.fields),
                    format!("variant `{}` has fields", variant.ident),
                )
                .label("fields are not allowed here")
                .help("a DbEnum maps to a PostgreSQL enum: its variants must be plain names"),
            );
        }
        let (value, value_loc) = match &variant_attrs.rename {
            Some(rename) => (rename.value.clone(), rename.loc),
            None => (
                snake_case(&unraw(&variant.ident)),
                Loc::span(variant.ident.span()),
            ),
        };
        problems.extend(name_problem(&value, value_loc, "enum value"));
        if let Some((first, _)) = values.iter().find(|(_, other)| *other == value) {
            problems.push(
                Problem::new(value_loc, format!("enum value `{value}` is declared twice"))
                    .label("second variant with this value")
                    .help(format!(
                        "variant `{first}` already has this value; give one another with #[model(rename = \"...\")]"
                    )),
            );
        }
        if let Some(from) = &variant_attrs.renamed_from {
            value_renames.push((from.value.clone(), value.clone()));
        }
        values.push((variant.ident.clone(), value));
    }
    EnumDecl {
        rust_name: ident.to_string(),
        ident_loc,
        name_loc,
        ty: EnumType {
            schema,
            name,
            values: values.iter().map(|(_, value)| value.clone()).collect(),
            comment: enum_attrs.comment,
            grants: Vec::new(),
            revoked_defaults: Vec::new(),
        },
        renamed_from: enum_attrs.renamed_from.map(|from| from.value),
        values,
        value_renames,
    }
}
