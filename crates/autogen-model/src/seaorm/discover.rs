//! Finds the SeaORM items of a parsed file, grouped by module: an entity is recognized by
//! `#[derive(DeriveEntityModel)]` on its `Model` struct, its relations by
//! `#[derive(DeriveRelation)]` on an enum of the same module, and enum types by
//! `#[derive(DeriveActiveEnum)]`. SeaORM's `belongs_to = "super::cake::Entity"` names
//! entities by module, so each scope keeps its module name.

use syn::punctuated::Punctuated;
use syn::{Attribute, Item, ItemEnum, ItemStruct, Token};

/// The SeaORM items of one module (a file, or an inline `mod x { ... }` in it).
pub(crate) struct Scope<'a> {
    /// The module name: the inline module's, else the file's stem (`mod.rs`: its directory).
    pub module: String,
    pub entities: Vec<&'a ItemStruct>,
    pub relations: Vec<&'a ItemEnum>,
    pub active_enums: Vec<&'a ItemEnum>,
}

/// Scopes with at least one SeaORM item, depth first.
pub(crate) fn find_scopes<'a>(module: &str, items: &'a [Item], out: &mut Vec<Scope<'a>>) {
    let mut scope = Scope {
        module: module.to_string(),
        entities: Vec::new(),
        relations: Vec::new(),
        active_enums: Vec::new(),
    };
    for item in items {
        match item {
            Item::Struct(item) if derives(&item.attrs, "DeriveEntityModel") => {
                scope.entities.push(item);
            }
            Item::Enum(item) if derives(&item.attrs, "DeriveRelation") => {
                scope.relations.push(item);
            }
            Item::Enum(item) if derives(&item.attrs, "DeriveActiveEnum") => {
                scope.active_enums.push(item);
            }
            Item::Mod(inline) => {
                if let Some((_, content)) = &inline.content {
                    find_scopes(&inline.ident.to_string(), content, out);
                }
            }
            _ => {}
        }
    }
    if !scope.entities.is_empty() || !scope.relations.is_empty() || !scope.active_enums.is_empty() {
        out.push(scope);
    }
}

/// Whether a `#[derive(...)]` of `attrs` names `name` (by last path segment).
fn derives(attrs: &[Attribute], name: &str) -> bool {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident("derive"))
        .filter_map(|attr| {
            attr.parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated)
                .ok()
        })
        .flatten()
        .any(|path| {
            path.segments
                .last()
                .is_some_and(|segment| segment.ident == name)
        })
}

/// The module name of a file: its stem, or its directory's name for `mod.rs`.
pub(crate) fn module_of(path: &std::path::Path) -> String {
    let stem = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    if stem == "mod"
        && let Some(dir) = path.parent().and_then(|parent| parent.file_name())
    {
        return dir.to_string_lossy().into_owned();
    }
    stem
}
