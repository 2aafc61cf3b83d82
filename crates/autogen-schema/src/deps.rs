//! The dependency graph between schema objects, as `pg_depend` records it: what must exist
//! before an object can be created, and what must be dropped (and re-created) with it.

use crate::ident::QualifiedName;
use crate::objects::FunctionId;
use serde::{Deserialize, Serialize};

/// An object, or a part of a table, by identity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectRef {
    /// A table, a view or a materialized view (they share one namespace).
    Relation(QualifiedName),
    /// One column of a table or view.
    Column {
        relation: QualifiedName,
        column: String,
    },
    /// A column's default or generation expression.
    Default {
        table: QualifiedName,
        column: String,
    },
    /// A constraint of a table (primary key, unique, check, foreign key, exclusion).
    Constraint {
        table: QualifiedName,
        name: String,
    },
    /// An index (of a table or a materialized view), by its schema-qualified name.
    Index(QualifiedName),
    Trigger {
        table: QualifiedName,
        name: String,
    },
    /// A row-level security policy of a table.
    Policy {
        table: QualifiedName,
        name: String,
    },
    /// An enum, domain, composite or range type.
    Type(QualifiedName),
    /// A check constraint of a domain.
    DomainConstraint {
        domain: QualifiedName,
        name: String,
    },
    Function(FunctionId),
    Sequence(QualifiedName),
    Collation(QualifiedName),
    TextSearchDictionary(QualifiedName),
    TextSearchConfiguration(QualifiedName),
}

impl ObjectRef {
    /// The relation a column, default, constraint or trigger belongs to (the relation
    /// itself for a relation).
    pub fn relation(&self) -> Option<&QualifiedName> {
        match self {
            ObjectRef::Relation(name) => Some(name),
            ObjectRef::Column { relation, .. } => Some(relation),
            ObjectRef::Default { table, .. }
            | ObjectRef::Constraint { table, .. }
            | ObjectRef::Trigger { table, .. }
            | ObjectRef::Policy { table, .. } => Some(table),
            _ => None,
        }
    }
}

impl std::fmt::Display for ObjectRef {
    /// Human form for messages: `view public.v`, `column public.t.a`, …
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ObjectRef::Relation(name) => write!(f, "relation {name}"),
            ObjectRef::Column { relation, column } => write!(f, "column {relation}.{column}"),
            ObjectRef::Default { table, column } => write!(f, "default of {table}.{column}"),
            ObjectRef::Constraint { table, name } => write!(f, "constraint {name} on {table}"),
            ObjectRef::Index(name) => write!(f, "index {name}"),
            ObjectRef::Trigger { table, name } => write!(f, "trigger {name} on {table}"),
            ObjectRef::Policy { table, name } => write!(f, "policy {name} on {table}"),
            ObjectRef::Type(name) => write!(f, "type {name}"),
            ObjectRef::DomainConstraint { domain, name } => {
                write!(f, "constraint {name} on domain {domain}")
            }
            ObjectRef::Function(id) => write!(f, "function {id}"),
            ObjectRef::Sequence(name) => write!(f, "sequence {name}"),
            ObjectRef::Collation(name) => write!(f, "collation {name}"),
            ObjectRef::TextSearchDictionary(name) => write!(f, "text search dictionary {name}"),
            ObjectRef::TextSearchConfiguration(name) => {
                write!(f, "text search configuration {name}")
            }
        }
    }
}

/// `dependent` uses `on`: `on` must exist to create `dependent`, and cannot be dropped (or
/// re-created) while `dependent` exists.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Dependency {
    pub dependent: ObjectRef,
    pub on: ObjectRef,
}
