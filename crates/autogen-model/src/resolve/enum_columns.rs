//! Columns whose Rust type is not built in: a `DbEnum` of the scanned files gives the enum
//! type (and its default must name one of its values); anything else is an error.

use autogen_sql::{StringKind, TokenKind};

use super::{FileProblem, Locator};
use crate::decl::enums::EnumDecl;
use crate::decl::table::StructDecl;
use crate::naming::qualified_type_name;
use crate::problem::{Problem, Spanned};
use crate::suggest;
use crate::types::unknown_type_problem;
use std::collections::HashMap;

pub(super) fn resolve(
    tables: &mut [(usize, StructDecl)],
    enums: &[(usize, EnumDecl)],
    locator: &Locator,
    problems: &mut Vec<FileProblem>,
) {
    let mut by_rust_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, (_, decl)) in enums.iter().enumerate() {
        by_rust_name
            .entry(decl.rust_name.as_str())
            .or_default()
            .push(index);
    }
    for (file, decl) in tables.iter_mut() {
        for (column, enum_use) in std::mem::take(&mut decl.enum_uses) {
            let candidates = by_rust_name
                .get(enum_use.rust_name.as_str())
                .map_or(&[][..], Vec::as_slice);
            let enum_decl = match candidates {
                [] => {
                    problems.push((
                        *file,
                        unknown_type_problem(&enum_use.rust_name, enum_use.loc),
                    ));
                    continue;
                }
                [only] => &enums[*only].1,
                [first, second, ..] => {
                    problems.push((
                        *file,
                        Problem::new(enum_use.loc, format!("`{}` is ambiguous", enum_use.rust_name))
                            .label("several DbEnums have this name")
                            .help(format!(
                                "DbEnums named `{}` are declared at {} and {}; give the column type with #[model(sql_type = \"...\")]",
                                enum_use.rust_name,
                                locator.describe(enums[*first].0, enums[*first].1.ident_loc),
                                locator.describe(enums[*second].0, enums[*second].1.ident_loc)
                            )),
                    ));
                    continue;
                }
            };
            let mut data_type = qualified_type_name(&enum_decl.ty.schema, &enum_decl.ty.name);
            if enum_use.array {
                data_type.push_str("[]");
            } else if let Some(default) = &enum_use.default {
                problems
                    .extend(check_enum_default(default, enum_decl).map(|problem| (*file, problem)));
            }
            if let Some(target) = decl.table.columns.get_mut(column) {
                target.data_type = data_type;
            }
        }
    }
}

/// A default for an enum column must name one of its values: `'sad'` or `'sad'::mood`.
/// Other expressions are left to PostgreSQL.
fn check_enum_default(default: &Spanned<String>, enum_decl: &EnumDecl) -> Option<Problem> {
    let value = quoted_literal(&default.value)?;
    if enum_decl.ty.values.contains(&value) {
        return None;
    }
    let type_name = format!("{}.{}", enum_decl.ty.schema, enum_decl.ty.name);
    let help = match enum_decl
        .value_renames
        .iter()
        .find(|(from, _)| *from == value)
    {
        Some((_, to)) => format!("`{value}` was renamed to `{to}`; write `default = \"'{to}'\"`"),
        None => suggest::did_you_mean(&value, enum_decl.ty.values.iter().map(String::as_str))
            .unwrap_or_else(|| format!("the values are: {}", enum_decl.ty.values.join(", "))),
    };
    Some(
        Problem::new(
            default.loc,
            format!("default `{value}` is not a value of enum type `{type_name}`"),
        )
        .label(format!("not a value of `{type_name}`"))
        .help(help),
    )
}

/// The string of `'text'` or `'text'::type` (with `''` unescaped); `None` for anything else.
fn quoted_literal(text: &str) -> Option<String> {
    let mut tokens = autogen_sql::lex(text).filter(|token| !token.is_trivia());
    let literal = tokens.next()?;
    if literal.kind != TokenKind::String(StringKind::Standard) {
        return None;
    }
    let value = literal.string_value()?.into_owned();
    match tokens.next() {
        None => Some(value),
        Some(token) if token.kind == TokenKind::Typecast => Some(value),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::quoted_literal;

    #[test]
    fn reads_quoted_defaults() {
        assert_eq!(quoted_literal("'sad'"), Some("sad".to_string()));
        assert_eq!(
            quoted_literal(" 'so-so'::public.mood "),
            Some("so-so".to_string())
        );
        assert_eq!(quoted_literal("'it''s'"), Some("it's".to_string()));
        assert_eq!(quoted_literal("now()"), None);
        assert_eq!(quoted_literal("'a' || 'b'"), None);
        assert_eq!(quoted_literal("'open"), None);
    }
}
