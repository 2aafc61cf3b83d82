//! Composite types (attributes added, dropped and retyped in place with `ALTER TYPE`), range
//! types and collations (created and dropped; PostgreSQL cannot alter what defines them).

use crate::Hazard;
use crate::change::Phase;
use autogen_schema::{
    Attribute, Collation, CompositeType, QualifiedName, RangeType, quote_ident, sql,
};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum CompositeChange {
    Create {
        composite: CompositeType,
    },
    Drop {
        name: QualifiedName,
    },
    AddAttribute {
        name: QualifiedName,
        attribute: Attribute,
    },
    DropAttribute {
        name: QualifiedName,
        attribute: String,
    },
    /// A new type or collation of a kept attribute.
    AlterAttribute {
        name: QualifiedName,
        attribute: Attribute,
    },
}

impl CompositeChange {
    /// The composite type this changes.
    pub fn type_name(&self) -> QualifiedName {
        match self {
            CompositeChange::Create { composite } => {
                QualifiedName::new(&composite.schema, &composite.name)
            }
            CompositeChange::Drop { name }
            | CompositeChange::AddAttribute { name, .. }
            | CompositeChange::DropAttribute { name, .. }
            | CompositeChange::AlterAttribute { name, .. } => name.clone(),
        }
    }

    pub(crate) fn phase(&self) -> Phase {
        match self {
            CompositeChange::Drop { .. } => Phase::DropType,
            _ => Phase::CreateObject,
        }
    }

    pub(crate) fn summary(&self) -> String {
        match self {
            CompositeChange::Create { composite } => format!(
                "create type {}",
                QualifiedName::new(&composite.schema, &composite.name)
            ),
            CompositeChange::Drop { name } => format!("drop type {name}"),
            CompositeChange::AddAttribute { name, attribute } => {
                format!("add attribute {} to type {name}", attribute.name)
            }
            CompositeChange::DropAttribute { name, attribute } => {
                format!("drop attribute {attribute} of type {name}")
            }
            CompositeChange::AlterAttribute { name, attribute } => {
                format!("change type of attribute {} of type {name}", attribute.name)
            }
        }
    }

    pub(crate) fn render(&self) -> (String, Vec<Hazard>) {
        let alter = |name: &QualifiedName, action: String| {
            format!("ALTER TYPE {} {action};", name.quoted())
        };
        match self {
            CompositeChange::Create { composite } => {
                (sql::create_composite_type(composite), vec![])
            }
            CompositeChange::Drop { name } => (sql::drop_type("TYPE", name), vec![]),
            CompositeChange::AddAttribute { name, attribute } => (
                alter(
                    name,
                    format!("ADD ATTRIBUTE {}", sql::attribute_definition(attribute)),
                ),
                vec![],
            ),
            CompositeChange::DropAttribute { name, attribute } => (
                alter(name, format!("DROP ATTRIBUTE {}", quote_ident(attribute))),
                vec![Hazard::DataLoss],
            ),
            CompositeChange::AlterAttribute { name, attribute } => {
                let collate = attribute
                    .collation
                    .as_ref()
                    .map(|collation| format!(" COLLATE {collation}"))
                    .unwrap_or_default();
                (
                    alter(
                        name,
                        format!(
                            "ALTER ATTRIBUTE {} TYPE {}{collate}",
                            quote_ident(&attribute.name),
                            attribute.data_type
                        ),
                    ),
                    vec![Hazard::MayFailOnExistingRows],
                )
            }
        }
    }
}

/// The in-place changes from `old` to `new`, or `None` when the kept attributes change their
/// order (which only a drop and a create can do).
pub(crate) fn composite_alterations(
    old: &CompositeType,
    new: &CompositeType,
) -> Option<Vec<CompositeChange>> {
    let name = QualifiedName::new(&new.schema, &new.name);
    let kept_old: Vec<&str> = old
        .attributes
        .iter()
        .filter(|a| new.attributes.iter().any(|b| b.name == a.name))
        .map(|a| a.name.as_str())
        .collect();
    let kept_new: Vec<&str> = new
        .attributes
        .iter()
        .filter(|a| old.attributes.iter().any(|b| b.name == a.name))
        .map(|a| a.name.as_str())
        .collect();
    // Added attributes go at the end: one placed before a kept one cannot be added in place.
    let last_kept = new
        .attributes
        .iter()
        .rposition(|a| old.attributes.iter().any(|b| b.name == a.name));
    let added_in_between = new.attributes.iter().enumerate().any(|(position, a)| {
        !old.attributes.iter().any(|b| b.name == a.name)
            && last_kept.is_some_and(|last| position < last)
    });
    if kept_old != kept_new || added_in_between {
        return None;
    }
    let mut changes = Vec::new();
    for attribute in &old.attributes {
        if !new.attributes.iter().any(|b| b.name == attribute.name) {
            changes.push(CompositeChange::DropAttribute {
                name: name.clone(),
                attribute: attribute.name.clone(),
            });
        }
    }
    for attribute in &new.attributes {
        match old.attributes.iter().find(|b| b.name == attribute.name) {
            None => changes.push(CompositeChange::AddAttribute {
                name: name.clone(),
                attribute: attribute.clone(),
            }),
            Some(before)
                if before.data_type != attribute.data_type
                    || before.collation != attribute.collation =>
            {
                changes.push(CompositeChange::AlterAttribute {
                    name: name.clone(),
                    attribute: attribute.clone(),
                })
            }
            Some(_) => {}
        }
    }
    Some(changes)
}

// Changes are few and short-lived (one plan's worth): boxing the large variants buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum RangeChange {
    Create { range: RangeType },
    Drop { name: QualifiedName },
}

impl RangeChange {
    pub(crate) fn phase(&self) -> Phase {
        match self {
            RangeChange::Create { .. } => Phase::CreateObject,
            RangeChange::Drop { .. } => Phase::DropType,
        }
    }

    pub(crate) fn summary(&self) -> String {
        match self {
            RangeChange::Create { range } => format!(
                "create range type {}",
                QualifiedName::new(&range.schema, &range.name)
            ),
            RangeChange::Drop { name } => format!("drop range type {name}"),
        }
    }

    pub(crate) fn render(&self) -> (String, Vec<Hazard>) {
        match self {
            RangeChange::Create { range } => (sql::create_range_type(range), vec![]),
            RangeChange::Drop { name } => (sql::drop_type("TYPE", name), vec![]),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum CollationChange {
    Create { collation: Collation },
    Drop { name: QualifiedName },
}

impl CollationChange {
    pub(crate) fn phase(&self) -> Phase {
        match self {
            CollationChange::Create { .. } => Phase::CreateObject,
            CollationChange::Drop { .. } => Phase::DropType,
        }
    }

    pub(crate) fn summary(&self) -> String {
        match self {
            CollationChange::Create { collation } => {
                format!("create collation {}", collation.qualified_name())
            }
            CollationChange::Drop { name } => format!("drop collation {name}"),
        }
    }

    pub(crate) fn render(&self) -> (String, Vec<Hazard>) {
        match self {
            CollationChange::Create { collation } => (sql::create_collation(collation), vec![]),
            CollationChange::Drop { name } => (sql::drop_type("COLLATION", name), vec![]),
        }
    }
}
