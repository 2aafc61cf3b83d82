//! Names declared twice across all files: enum types, tables, and tables named like an enum
//! type (PostgreSQL gives every table a row type of its own name, in the same namespace).

use super::{FileProblem, Locator};
use crate::decl::enums::EnumDecl;
use crate::decl::table::StructDecl;
use crate::problem::{Loc, Problem};
use std::collections::HashMap;

/// The first declaration of a name: file, location, Rust name.
type First = (usize, Loc, String);

pub(super) fn check(
    enums: &[(usize, EnumDecl)],
    tables: &[(usize, StructDecl)],
    locator: &Locator,
    problems: &mut Vec<FileProblem>,
) {
    let mut types: HashMap<(&str, &str), First> = HashMap::new();
    for (file, decl) in enums {
        let key = (decl.ty.schema.as_str(), decl.ty.name.as_str());
        match types.get(&key) {
            Some((first_file, first_loc, first_name)) => problems.push((
                *file,
                Problem::new(
                    decl.name_loc,
                    format!("enum type `{}.{}` is declared twice", key.0, key.1),
                )
                .label("second type with this name")
                .help(format!(
                    "`{first_name}` at {} already declares it; give one another name with #[model(type_name = \"...\")]",
                    locator.describe(*first_file, *first_loc)
                )),
            )),
            None => {
                types.insert(key, (*file, decl.name_loc, decl.rust_name.clone()));
            }
        }
    }

    let mut table_names: HashMap<(&str, &str), First> = HashMap::new();
    for (file, decl) in tables {
        let key = (decl.table.schema.as_str(), decl.table.name.as_str());
        if let Some((first_file, first_loc, first_name)) = table_names.get(&key) {
            problems.push((
                *file,
                Problem::new(
                    decl.name_loc,
                    format!("table `{}.{}` is declared twice", key.0, key.1),
                )
                .label("second table with this name")
                .help(format!(
                    "struct `{first_name}` at {} already declares it; give one another name with #[model(table = \"...\")]",
                    locator.describe(*first_file, *first_loc)
                )),
            ));
        } else if let Some((enum_file, enum_loc, enum_name)) = types.get(&key) {
            problems.push((
                *file,
                Problem::new(
                    decl.name_loc,
                    format!("table `{}.{}` has the same name as an enum type", key.0, key.1),
                )
                .label("name taken by an enum type")
                .help(format!(
                    "enum `{enum_name}` at {} declares a type with this name, and PostgreSQL gives every table a type of its own name; rename one",
                    locator.describe(*enum_file, *enum_loc)
                )),
            ));
        } else {
            table_names.insert(key, (*file, decl.name_loc, decl.rust_name.clone()));
        }
    }
}
