//! `#[derive(DeriveRelation)]` enums -> foreign keys. `create_table_from_entity` adds one for
//! every relation that is not the owner side: `belongs_to` yes, `has_one`/`has_many` no (nor
//! `skip_fk`). Its name is `fk_name`, else `fk-<from table>-<from columns joined by "-">`.

use super::attrs::{Place, read};
use super::entity::EntityDecl;
use crate::problem::{Problem, Spanned};
use crate::reference::Reference;
use crate::suggest;
use autogen_schema::{Deferral, ForeignKey, MatchType, QualifiedName, ReferentialAction};
use syn::{Expr, ItemEnum};

/// Adds the foreign keys of `relations` to `entities[owner]`.
pub(crate) fn add_foreign_keys(
    relations: &[&ItemEnum],
    owner: usize,
    entities: &mut [(usize, EntityDecl)],
    problems: &mut Vec<Problem>,
) {
    for relation in relations {
        for variant in &relation.variants {
            let settings = read(&variant.attrs, Place::Relation, problems);
            let Some(target) = settings.string("belongs_to", problems) else {
                continue;
            };
            if settings.flag("skip_fk", problems).is_some() {
                continue;
            }
            let item_loc = settings
                .get("belongs_to")
                .map_or(target.loc, |meta| meta.loc);
            // Read before the targets so every mistake of the variant is reported at once.
            let actions: Vec<Option<ReferentialAction>> = ["on_delete", "on_update"]
                .iter()
                .map(|key| {
                    let text = settings.string(key, problems)?;
                    action(&text, key, problems)
                })
                .collect();
            let Some(target_index) = find_entity(&target, owner, entities, problems) else {
                continue;
            };
            let (Some(from), Some(to)) = (
                settings.string("from", problems),
                settings.string("to", problems),
            ) else {
                problems.push(
                    Problem::new(item_loc, "a `belongs_to` relation needs `from` and `to`")
                        .label("incomplete relation")
                        .help("write from = \"Column::CakeId\", to = \"super::cake::Column::Id\""),
                );
                continue;
            };
            let Some(from_columns) = columns_of(&from, &entities[owner].1, problems) else {
                continue;
            };
            let Some(to_columns) = columns_of(&to, &entities[target_index].1, problems) else {
                continue;
            };
            if from_columns.len() != to_columns.len() {
                problems.push(
                    Problem::new(
                        to.loc,
                        format!(
                            "`from` names {} columns but `to` names {}",
                            from_columns.len(),
                            to_columns.len()
                        ),
                    )
                    .label("column counts differ")
                    .help("a foreign key pairs each `from` column with one `to` column"),
                );
                continue;
            }
            let owner_table = &entities[owner].1.decl.table;
            let name = match settings.string("fk_name", problems) {
                Some(name) => name.value,
                None => format!("fk-{}-{}", owner_table.name, from_columns.join("-")),
            };
            let target_table = entities[target_index].1.decl.table.qualified_name();
            let reference = Spanned::new(
                Reference {
                    schema: Some(target_table.schema.clone()),
                    table: target_table.name.clone(),
                    columns: to_columns.clone(),
                },
                target.loc,
            );
            let decl = &mut entities[owner].1.decl;
            decl.references
                .push((decl.table.foreign_keys.len(), reference));
            decl.table.foreign_keys.push(ForeignKey {
                name,
                columns: from_columns,
                references: QualifiedName::new(target_table.schema, target_table.name),
                referenced_columns: to_columns,
                on_delete: actions[0].unwrap_or(ReferentialAction::NoAction),
                on_delete_columns: Vec::new(),
                on_update: actions[1].unwrap_or(ReferentialAction::NoAction),
                match_type: MatchType::Simple,
                deferral: Deferral::Immediate,
                not_valid: false,
                comment: None,
            });
            decl.locs.foreign_keys.push(item_loc);
        }
    }
}

/// The entity `belongs_to = "super::cake::Entity"` names: by the module before `Entity`
/// (`Entity` or `self::Entity` alone is the relation's own entity).
fn find_entity(
    target: &Spanned<String>,
    owner: usize,
    entities: &[(usize, EntityDecl)],
    problems: &mut Vec<Problem>,
) -> Option<usize> {
    let parsed = if super::too_nested(&target.value) {
        Err(())
    } else {
        syn::parse_str::<syn::Path>(&target.value).map_err(|_| ())
    };
    let segments: Vec<String> = match parsed {
        Ok(path) => path.segments.iter().map(|s| s.ident.to_string()).collect(),
        Err(_) => {
            problems.push(
                Problem::new(
                    target.loc,
                    format!("`belongs_to = \"{}\"` is not a path", target.value),
                )
                .label("not an entity path")
                .help("write the related entity's path, e.g. belongs_to = \"super::cake::Entity\""),
            );
            return None;
        }
    };
    let module = match segments.as_slice() {
        [.., module, last]
            if last == "Entity" && !matches!(module.as_str(), "self" | "super" | "crate") =>
        {
            module.clone()
        }
        [.., last] if last == "Entity" => return Some(owner),
        _ => {
            problems.push(
                Problem::new(target.loc, format!("`belongs_to = \"{}\"` does not name an `Entity`", target.value))
                    .label("not an entity path")
                    .help("write the related entity's path ending in `Entity`, e.g. belongs_to = \"super::cake::Entity\""),
            );
            return None;
        }
    };
    let found: Vec<usize> = entities
        .iter()
        .enumerate()
        .filter(|(_, (_, entity))| entity.module == module)
        .map(|(index, _)| index)
        .collect();
    match found.as_slice() {
        [only] => Some(*only),
        [] => {
            let modules: Vec<&str> = entities.iter().map(|(_, e)| e.module.as_str()).collect();
            problems.push(
                Problem::new(target.loc, format!("there is no SeaORM entity in a module `{module}`"))
                    .label("unknown entity")
                    .help(suggest::did_you_mean(&module, modules.iter().copied()).unwrap_or_else(|| {
                        "autogen finds an entity by its module (the file `<module>.rs` or an inline `mod <module>`) among the scanned files".to_string()
                    })),
            );
            None
        }
        _ => {
            problems.push(
                Problem::new(target.loc, format!("several SeaORM entities live in modules named `{module}`"))
                    .label("ambiguous entity")
                    .help("autogen matches entities by module name only; give the modules distinct names or scan fewer files"),
            );
            None
        }
    }
}

/// `"Column::CakeId"` or `"(Column::A, Column::B)"` -> column names of `entity`.
fn columns_of(
    text: &Spanned<String>,
    entity: &EntityDecl,
    problems: &mut Vec<Problem>,
) -> Option<Vec<String>> {
    let parsed = if super::too_nested(&text.value) {
        Err(())
    } else {
        syn::parse_str::<Expr>(&text.value).map_err(|_| ())
    };
    let paths: Vec<syn::Path> = match parsed {
        Ok(Expr::Path(path)) => vec![path.path],
        Ok(Expr::Tuple(tuple)) => tuple
            .elems
            .into_iter()
            .map(|elem| match elem {
                Expr::Path(path) => Some(path.path),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?,
        Ok(Expr::Paren(paren)) => match *paren.expr {
            Expr::Path(path) => vec![path.path],
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    if paths.is_empty() {
        problems.push(
            Problem::new(text.loc, format!("`{}` does not name columns", text.value))
                .label("not a column path")
                .help("write Column::Name, or (Column::A, Column::B) for several"),
        );
        return None;
    }
    let mut columns = Vec::new();
    for path in paths {
        let variant = path
            .segments
            .last()
            .map(|segment| segment.ident.to_string())
            .unwrap_or_default();
        match entity.variants.iter().find(|(name, _)| *name == variant) {
            Some((_, column)) => columns.push(column.clone()),
            None => {
                problems.push(
                    Problem::new(
                        text.loc,
                        format!("entity `{}` has no column `{variant}`", entity.decl.table.name),
                    )
                    .label("unknown column")
                    .help(
                        suggest::did_you_mean(&variant, entity.variants.iter().map(|(v, _)| v.as_str()))
                            .unwrap_or_else(|| "name a variant of the entity's Column enum (its fields in UpperCamelCase)".to_string()),
                    ),
                );
                return None;
            }
        }
    }
    Some(columns)
}

/// SeaORM's `ForeignKeyAction` names.
fn action(
    text: &Spanned<String>,
    key: &str,
    problems: &mut Vec<Problem>,
) -> Option<ReferentialAction> {
    Some(match text.value.as_str() {
        "Cascade" => ReferentialAction::Cascade,
        "Restrict" => ReferentialAction::Restrict,
        "SetNull" => ReferentialAction::SetNull,
        "SetDefault" => ReferentialAction::SetDefault,
        "NoAction" => ReferentialAction::NoAction,
        other => {
            let choices = ["Cascade", "Restrict", "SetNull", "SetDefault", "NoAction"];
            problems.push(
                Problem::new(text.loc, format!("unknown `{key}` action `{other}`"))
                    .label("not a ForeignKeyAction")
                    .help(
                        suggest::did_you_mean(other, choices)
                            .unwrap_or_else(|| format!("use one of {}", choices.join(", "))),
                    ),
            );
            return None;
        }
    })
}
