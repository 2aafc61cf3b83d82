//! Finds the model items of a parsed file: structs deriving `Model` and enums deriving
//! `DbEnum` (any path form, e.g. `autogen::Model`), also inside inline `mod x { ... }`.

use crate::decl::wrong_item_kind;
use crate::problem::{Loc, Problem};
use syn::punctuated::Punctuated;
use syn::{Attribute, Item, ItemEnum, ItemStruct, Token};

pub(crate) enum Found<'a> {
    Model(&'a ItemStruct),
    DbEnum(&'a ItemEnum),
}

/// Model items in source order, depth first through inline modules.
pub(crate) fn find_models<'a>(
    items: &'a [Item],
    found: &mut Vec<Found<'a>>,
    problems: &mut Vec<Problem>,
) {
    for item in items {
        match item {
            Item::Struct(item_struct) => {
                for (derive, loc) in our_derives(&item_struct.attrs) {
                    match derive {
                        Derive::Model => found.push(Found::Model(item_struct)),
                        Derive::DbEnum => problems.push(wrong_item_kind("DbEnum", "a struct", loc)),
                    }
                }
            }
            Item::Enum(item_enum) => {
                for (derive, loc) in our_derives(&item_enum.attrs) {
                    match derive {
                        Derive::DbEnum => found.push(Found::DbEnum(item_enum)),
                        Derive::Model => problems.push(wrong_item_kind("Model", "an enum", loc)),
                    }
                }
            }
            Item::Union(item_union) => {
                for (derive, loc) in our_derives(&item_union.attrs) {
                    let name = if derive == Derive::Model {
                        "Model"
                    } else {
                        "DbEnum"
                    };
                    problems.push(wrong_item_kind(name, "a union", loc));
                }
            }
            Item::Mod(module) => {
                if let Some((_, content)) = &module.content {
                    find_models(content, found, problems);
                }
            }
            _ => {}
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Derive {
    Model,
    DbEnum,
}

/// Our derives among `#[derive(...)]` attributes, matched by the last path segment. A derive
/// list that does not parse is left to rustc.
fn our_derives(attrs: &[Attribute]) -> Vec<(Derive, Loc)> {
    let mut out = Vec::new();
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("derive")) {
        let Ok(paths) = attr.parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated)
        else {
            continue;
        };
        for path in paths {
            let derive = match path.segments.last() {
                Some(segment) if segment.ident == "Model" => Derive::Model,
                Some(segment) if segment.ident == "DbEnum" => Derive::DbEnum,
                _ => continue,
            };
            if !out.iter().any(|(seen, _)| *seen == derive) {
                out.push((derive, Loc::of(&path)));
            }
        }
    }
    out
}
