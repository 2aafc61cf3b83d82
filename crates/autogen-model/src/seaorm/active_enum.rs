//! One `#[derive(DeriveActiveEnum)]` enum: with `db_type = "Enum"` a PostgreSQL enum type
//! (`create_enum_from_active_enum`: the `enum_name`, values = the `string_value`s in
//! declaration order); with another `db_type` just the column type of the fields using it.

use super::attrs::{Place, read};
use super::types::{Mapped, column_type};
use crate::decl::enums::EnumDecl;
use crate::naming::name_problem;
use crate::problem::{Loc, Problem};
use autogen_schema::EnumType;
use heck::{
    ToKebabCase, ToLowerCamelCase, ToShoutyKebabCase, ToShoutySnakeCase, ToSnakeCase,
    ToUpperCamelCase,
};
use syn::ItemEnum;

/// What an active enum makes of the columns that use it.
pub(crate) enum ActiveEnum {
    /// A PostgreSQL enum type.
    Type(Box<EnumDecl>),
    /// Stored as a plain column type (`db_type = "String(StringLen::N(1))"`, `"Integer"`).
    Column { rust_name: String, mapped: Mapped },
}

impl ActiveEnum {
    pub fn rust_name(&self) -> &str {
        match self {
            ActiveEnum::Type(decl) => &decl.rust_name,
            ActiveEnum::Column { rust_name, .. } => rust_name,
        }
    }
}

pub(crate) fn analyze(item: &ItemEnum, problems: &mut Vec<Problem>) -> Option<ActiveEnum> {
    let settings = read(&item.attrs, Place::ActiveEnum, problems);
    let ident_loc = Loc::span(item.ident.span());
    let rust_name = item.ident.to_string();
    let Some(db_type) = settings.string("db_type", problems) else {
        if !settings.has("db_type") {
            problems.push(
                Problem::new(ident_loc, format!("active enum `{rust_name}` has no `db_type`"))
                    .label("no db_type")
                    .help("add #[sea_orm(db_type = \"Enum\", enum_name = \"...\")] for a PostgreSQL enum type, or the column type it is stored as"),
            );
        }
        return None;
    };
    if db_type.value != "Enum" {
        return match column_type(&db_type.value, db_type.loc) {
            Ok(mapped) => Some(ActiveEnum::Column { rust_name, mapped }),
            Err(problem) => {
                problems.push(problem);
                None
            }
        };
    }
    // SeaORM's default name is the enum's name in UpperCamelCase.
    let (name, name_loc) = match settings.string("enum_name", problems) {
        Some(name) => (name.value, name.loc),
        None => (rust_name.to_upper_camel_case(), ident_loc),
    };
    problems.extend(name_problem(&name, name_loc, "type"));
    if name.chars().any(|ch| ch.is_uppercase()) {
        // `CREATE TYPE` quotes the name but the columns' type is written unquoted, which
        // PostgreSQL folds to lower case: SeaORM's own `create_table_from_entity` fails.
        problems.push(
            Problem::new(name_loc, format!("enum type name `{name}` has upper-case letters"))
                .label("SeaORM writes this name unquoted in column types")
                .help(format!(
                    "SeaORM creates the type as \"{name}\" but refers to it unquoted, which PostgreSQL reads as `{}`; write #[sea_orm(enum_name = \"{}\")]",
                    name.to_lowercase(),
                    name.to_snake_case()
                )),
        );
    }
    let rename_all = settings.string("rename_all", problems);
    let mut values = Vec::new();
    for variant in &item.variants {
        let variant_settings = read(&variant.attrs, Place::EnumVariant, problems);
        let variant_loc = Loc::span(variant.ident.span());
        let value = match variant_settings.string("string_value", problems) {
            Some(value) => value.value,
            None => match &rename_all {
                Some(case) => match renamed(&variant.ident.to_string(), &case.value) {
                    Some(value) => value,
                    None => {
                        problems.push(
                            Problem::new(case.loc, format!("unknown rename_all `{}`", case.value))
                                .label("not a case style autogen knows")
                                .help("use camelCase, PascalCase, snake_case, SCREAMING_SNAKE_CASE, kebab-case, SCREAMING-KEBAB-CASE, lowercase or UPPERCASE, or give each variant a string_value"),
                        );
                        return None;
                    }
                },
                None => {
                    problems.push(
                        Problem::new(variant_loc, format!("variant `{}` has no `string_value`", variant.ident))
                            .label("no value for the enum type")
                            .help("a PostgreSQL enum (db_type = \"Enum\") takes its values from #[sea_orm(string_value = \"...\")] on each variant, or #[sea_orm(rename_all = \"...\")] on the enum"),
                    );
                    continue;
                }
            },
        };
        problems.extend(name_problem(&value, variant_loc, "enum value"));
        if values.iter().any(|(_, other)| *other == value) {
            problems.push(
                Problem::new(
                    variant_loc,
                    format!("enum value `{value}` is declared twice"),
                )
                .label("second variant with this value")
                .help("give each variant its own string_value"),
            );
        }
        values.push((variant.ident.clone(), value));
    }
    Some(ActiveEnum::Type(Box::new(EnumDecl {
        rust_name,
        ident_loc,
        name_loc,
        ty: EnumType {
            // SeaORM creates the type unqualified: in the first schema of the search path.
            schema: "public".to_string(),
            name,
            values: values.iter().map(|(_, value)| value.clone()).collect(),
            comment: None,
            grants: Vec::new(),
            revoked_defaults: Vec::new(),
        },
        renamed_from: None,
        values,
        value_renames: Vec::new(),
    })))
}

/// A variant name in one of SeaORM's `rename_all` case styles.
fn renamed(variant: &str, case: &str) -> Option<String> {
    Some(match case {
        "camelCase" => variant.to_lower_camel_case(),
        "PascalCase" => variant.to_upper_camel_case(),
        "snake_case" => variant.to_snake_case(),
        "SCREAMING_SNAKE_CASE" => variant.to_shouty_snake_case(),
        "kebab-case" => variant.to_kebab_case(),
        "SCREAMING-KEBAB-CASE" => variant.to_shouty_kebab_case(),
        "lowercase" => variant.to_lowercase(),
        "UPPERCASE" => variant.to_uppercase(),
        _ => return None,
    })
}
