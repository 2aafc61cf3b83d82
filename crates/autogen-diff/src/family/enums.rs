//! Enum types: created, dropped, renamed, values added or renamed; a type that loses or
//! reorders values is re-created.

use crate::Hazard;
use crate::change::{Change, Phase};
use crate::family::privilege::{self, PrivilegeTarget};
use crate::family::*;
use crate::mentions::TypeName;
use autogen_schema::{Catalog, EnumType, QualifiedName, quote_ident, quote_literal, sql};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

// Changes are few and short-lived (one plan's worth): boxing the large variants buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum EnumChange {
    Create {
        enum_type: EnumType,
    },
    Drop {
        name: QualifiedName,
    },
    /// Also how a type is retired before it is re-created without some values.
    Rename {
        from: QualifiedName,
        to: String,
    },
    /// `RENAME VALUE`: stored values, defaults and expressions follow the label.
    RenameValue {
        name: QualifiedName,
        from: String,
        to: String,
    },
    AddValue {
        name: QualifiedName,
        value: String,
        position: EnumValuePosition,
    },
}

impl EnumChange {
    pub(crate) fn phase(&self) -> Phase {
        match self {
            EnumChange::Rename { .. }
            | EnumChange::RenameValue { .. }
            | EnumChange::Create { .. }
            | EnumChange::AddValue { .. } => Phase::Type,
            EnumChange::Drop { .. } => Phase::DropType,
        }
    }

    pub(crate) fn summary(&self) -> String {
        match self {
            EnumChange::Create { enum_type } => format!(
                "create type {}",
                QualifiedName::new(&enum_type.schema, &enum_type.name)
            ),
            EnumChange::Drop { name } => format!("drop type {name}"),
            EnumChange::Rename { from, to } => format!("rename type {from} to {to}"),
            EnumChange::RenameValue { name, from, to } => {
                format!("rename value '{from}' of type {name} to '{to}'")
            }
            EnumChange::AddValue { name, value, .. } => {
                format!("add value '{value}' to type {name}")
            }
        }
    }

    pub(crate) fn render(&self) -> (String, Vec<Hazard>) {
        match self {
            EnumChange::Create { enum_type } => (sql::create_enum(enum_type), vec![]),
            EnumChange::Drop { name } => (format!("DROP TYPE {};", name.quoted()), vec![]),
            EnumChange::Rename { from, to } => (
                format!(
                    "ALTER TYPE {} RENAME TO {};",
                    from.quoted(),
                    quote_ident(to)
                ),
                vec![],
            ),
            EnumChange::RenameValue { name, from, to } => (
                format!(
                    "ALTER TYPE {} RENAME VALUE {} TO {};",
                    name.quoted(),
                    quote_literal(from),
                    quote_literal(to)
                ),
                vec![],
            ),
            EnumChange::AddValue {
                name,
                value,
                position,
            } => {
                let position = match position {
                    EnumValuePosition::End => String::new(),
                    EnumValuePosition::Before(other) => format!(" BEFORE {}", quote_literal(other)),
                    EnumValuePosition::After(other) => format!(" AFTER {}", quote_literal(other)),
                };
                (
                    format!(
                        "ALTER TYPE {} ADD VALUE {}{position};",
                        name.quoted(),
                        quote_literal(value)
                    ),
                    vec![],
                )
            }
        }
    }
}

/// Emits the enum changes and returns the types re-created because values were removed or
/// reordered (PostgreSQL can only add values): the old type is renamed out of the way, the new
/// one created, columns converted by [`compare_column`], and the old type dropped at the end.
pub(crate) fn diff_enums(
    current: &Catalog,
    desired: &Catalog,
    changes: &mut Vec<Change>,
) -> Vec<TypeName> {
    let key = |e: &EnumType| (e.schema.clone(), e.name.clone());
    let have: HashMap<_, _> = current.enums.iter().map(|e| (key(e), e)).collect();
    let want: HashSet<_> = desired.enums.iter().map(key).collect();
    let mut recreated = Vec::new();
    let mut claimed = HashSet::new();
    for enum_type in &desired.enums {
        let name = QualifiedName::new(&enum_type.schema, &enum_type.name);
        let target = || CommentTarget::Type { name: name.clone() };
        // The privileges of a type created (or re-created) here, from PostgreSQL's defaults.
        let fresh_privileges = || {
            privilege::changes(
                &PrivilegeTarget::Type { name: name.clone() },
                (&[], &[]),
                (&enum_type.grants, &enum_type.revoked_defaults),
            )
        };
        let Some(old) = have.get(&key(enum_type)) else {
            changes.push(Change::Enum(EnumChange::Create {
                enum_type: enum_type.clone(),
            }));
            if enum_type.comment.is_some() {
                changes.push(comment_change(target(), &enum_type.comment));
            }
            changes.extend(fresh_privileges());
            continue;
        };
        let existing: HashSet<&str> = old.values.iter().map(String::as_str).collect();
        let kept: Vec<&String> = enum_type
            .values
            .iter()
            .filter(|value| existing.contains(value.as_str()))
            .collect();
        if kept.len() != old.values.len() || kept.iter().zip(&old.values).any(|(a, b)| *a != b) {
            let retired = free_name(&name, RETIRED, [current, desired], &mut claimed);
            changes.push(Change::Enum(EnumChange::Rename {
                from: name.clone(),
                to: retired.clone(),
            }));
            changes.push(Change::Enum(EnumChange::Create {
                enum_type: enum_type.clone(),
            }));
            if enum_type.comment.is_some() {
                changes.push(comment_change(target(), &enum_type.comment));
            }
            changes.extend(fresh_privileges());
            changes.push(Change::Enum(EnumChange::Drop {
                name: QualifiedName::new(&enum_type.schema, retired),
            }));
            recreated.push(TypeName::new(&name));
            continue;
        }
        let first_existing = kept.first().map(|value| value.to_string());
        for (position, value) in enum_type.values.iter().enumerate() {
            if existing.contains(value.as_str()) {
                continue;
            }
            let position = if position > 0 {
                EnumValuePosition::After(enum_type.values[position - 1].clone())
            } else if let Some(first) = &first_existing {
                EnumValuePosition::Before(first.clone())
            } else {
                EnumValuePosition::End
            };
            changes.push(Change::Enum(EnumChange::AddValue {
                name: name.clone(),
                value: value.clone(),
                position,
            }));
        }
        if old.comment != enum_type.comment {
            changes.push(comment_change(target(), &enum_type.comment));
        }
        changes.extend(privilege::changes(
            &PrivilegeTarget::Type { name: name.clone() },
            (&old.grants, &old.revoked_defaults),
            (&enum_type.grants, &enum_type.revoked_defaults),
        ));
    }
    for enum_type in &current.enums {
        if !want.contains(&key(enum_type)) {
            changes.push(Change::Enum(EnumChange::Drop {
                name: QualifiedName::new(&enum_type.schema, &enum_type.name),
            }));
        }
    }
    recreated
}

/// Where a new enum value goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EnumValuePosition {
    /// The type has no values yet: plain `ADD VALUE`.
    End,
    Before(String),
    After(String),
}
