//! Comments on any object.

use crate::Hazard;
use crate::change::{Change, Phase};
use crate::family::*;
use autogen_schema::{FunctionId, FunctionKind, Index, QualifiedName, sql};
use serde::Serialize;

// Changes are few and short-lived (one plan's worth): boxing the large variants buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum CommentChange {
    Set {
        target: CommentTarget,
        comment: Option<String>,
    },
}

impl CommentChange {
    pub(crate) fn phase(&self) -> Phase {
        match self {
            CommentChange::Set { .. } => Phase::Comment,
        }
    }

    pub(crate) fn summary(&self) -> String {
        match self {
            CommentChange::Set { target, comment } => {
                let what = match target {
                    CommentTarget::Schema { name } => format!("schema {name}"),
                    CommentTarget::Type { name } => format!("type {name}"),
                    CommentTarget::Sequence { name } => format!("sequence {name}"),
                    CommentTarget::Table { name } => format!("table {name}"),
                    CommentTarget::Column { table, column } => {
                        format!("column {}", col(table, column))
                    }
                    CommentTarget::Constraint { table, constraint } => {
                        format!("constraint {constraint} on {table}")
                    }
                    CommentTarget::Index { name } => format!("index {name}"),
                    CommentTarget::View { name, .. } => format!("view {name}"),
                    CommentTarget::Routine { id, .. } => format!("routine {id}"),
                    CommentTarget::Trigger { table, name } => {
                        format!("trigger {name} on {table}")
                    }
                    CommentTarget::Policy { table, name } => {
                        format!("policy {name} on {table}")
                    }
                    CommentTarget::Domain { name } => format!("domain {name}"),
                    CommentTarget::DomainConstraint { domain, constraint } => {
                        format!("constraint {constraint} of domain {domain}")
                    }
                    CommentTarget::Collation { name } => format!("collation {name}"),
                    CommentTarget::TextSearchDictionary { name } => {
                        format!("text search dictionary {name}")
                    }
                    CommentTarget::TextSearchConfiguration { name } => {
                        format!("text search configuration {name}")
                    }
                };
                match comment {
                    Some(_) => format!("set comment on {what}"),
                    None => format!("remove comment on {what}"),
                }
            }
        }
    }

    pub(crate) fn render(&self) -> (String, Vec<Hazard>) {
        match self {
            CommentChange::Set { target, comment } => {
                (sql::comment_on(comment_on(target), comment), vec![])
            }
        }
    }
}

pub(crate) fn comment_change(target: CommentTarget, comment: &Option<String>) -> Change {
    Change::Comment(CommentChange::Set {
        target,
        comment: comment.clone(),
    })
}

pub(crate) fn constraint_comment(
    table: &QualifiedName,
    name: &str,
    comment: &Option<String>,
) -> Change {
    comment_change(
        CommentTarget::Constraint {
            table: table.clone(),
            constraint: name.to_string(),
        },
        comment,
    )
}

pub(crate) fn index_comment(table: &QualifiedName, index: &Index) -> Change {
    comment_change(
        CommentTarget::Index {
            name: QualifiedName::new(&table.schema, &index.name),
        },
        &index.comment,
    )
}

/// The object a `COMMENT ON` applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "object", rename_all = "snake_case")]
pub enum CommentTarget {
    Schema {
        name: String,
    },
    Type {
        name: QualifiedName,
    },
    Sequence {
        name: QualifiedName,
    },
    Table {
        name: QualifiedName,
    },
    Column {
        table: QualifiedName,
        column: String,
    },
    Constraint {
        table: QualifiedName,
        constraint: String,
    },
    /// `name` is the schema-qualified index name.
    Index {
        name: QualifiedName,
    },
    View {
        name: QualifiedName,
        materialized: bool,
    },
    Routine {
        kind: FunctionKind,
        id: FunctionId,
    },
    Trigger {
        table: QualifiedName,
        name: String,
    },
    Policy {
        table: QualifiedName,
        name: String,
    },
    Domain {
        name: QualifiedName,
    },
    DomainConstraint {
        domain: QualifiedName,
        constraint: String,
    },
    Collation {
        name: QualifiedName,
    },
    TextSearchDictionary {
        name: QualifiedName,
    },
    TextSearchConfiguration {
        name: QualifiedName,
    },
}

pub(crate) fn comment_on(target: &CommentTarget) -> sql::CommentOn<'_> {
    use sql::CommentOn;
    match target {
        CommentTarget::Schema { name } => CommentOn::Schema(name),
        CommentTarget::Type { name } => CommentOn::Type(name),
        CommentTarget::Sequence { name } => CommentOn::Sequence(name),
        CommentTarget::Table { name } => CommentOn::Table(name),
        CommentTarget::Column { table, column } => CommentOn::Column(table, column),
        CommentTarget::Constraint { table, constraint } => CommentOn::Constraint(table, constraint),
        CommentTarget::Index { name } => CommentOn::Index(name),
        CommentTarget::View {
            name,
            materialized: false,
        } => CommentOn::View(name),
        CommentTarget::View {
            name,
            materialized: true,
        } => CommentOn::MaterializedView(name),
        CommentTarget::Routine { kind, id } => CommentOn::Function(*kind, id),
        CommentTarget::Trigger { table, name } => CommentOn::Trigger(table, name),
        CommentTarget::Policy { table, name } => CommentOn::Policy(table, name),
        CommentTarget::Domain { name } => CommentOn::Domain(name),
        CommentTarget::DomainConstraint { domain, constraint } => {
            CommentOn::DomainConstraint(domain, constraint)
        }
        CommentTarget::Collation { name } => CommentOn::Collation(name),
        CommentTarget::TextSearchDictionary { name } => CommentOn::TextSearchDictionary(name),
        CommentTarget::TextSearchConfiguration { name } => CommentOn::TextSearchConfiguration(name),
    }
}
