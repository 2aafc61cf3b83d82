//! Schemas and extensions: created, dropped, moved, updated.

use crate::Hazard;
use crate::change::{Change, Phase};
use crate::family::privilege::{self, PrivilegeTarget};
use crate::family::*;
use autogen_schema::{Catalog, Extension, Grant, Schema, quote_ident, quote_literal, sql};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

// Changes are few and short-lived (one plan's worth): boxing the large variants buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum SchemaChange {
    Create { schema: Schema },
    Drop { name: String },
}

impl SchemaChange {
    pub(crate) fn phase(&self) -> Phase {
        match self {
            SchemaChange::Create { .. } => Phase::CreateSchema,
            SchemaChange::Drop { .. } => Phase::DropSchema,
        }
    }

    pub(crate) fn summary(&self) -> String {
        match self {
            SchemaChange::Create { schema } => format!("create schema {}", schema.name),
            SchemaChange::Drop { name } => format!("drop schema {name}"),
        }
    }

    pub(crate) fn render(&self) -> (String, Vec<Hazard>) {
        match self {
            SchemaChange::Create { schema } => (sql::create_schema(schema), vec![]),
            SchemaChange::Drop { name } => (format!("DROP SCHEMA {};", quote_ident(name)), vec![]),
        }
    }
}

// Changes are few and short-lived (one plan's worth): boxing the large variants buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ExtensionChange {
    Create {
        extension: Extension,
    },
    Drop {
        name: String,
    },
    Update {
        name: String,
        from: String,
        to: String,
    },
    SetSchema {
        name: String,
        schema: String,
    },
}

impl ExtensionChange {
    pub(crate) fn phase(&self) -> Phase {
        match self {
            ExtensionChange::Create { .. }
            | ExtensionChange::Update { .. }
            | ExtensionChange::SetSchema { .. } => Phase::Extension,
            ExtensionChange::Drop { .. } => Phase::DropExtension,
        }
    }

    pub(crate) fn summary(&self) -> String {
        match self {
            ExtensionChange::Create { extension } => {
                format!("create extension {}", extension.name)
            }
            ExtensionChange::Drop { name } => format!("drop extension {name}"),
            ExtensionChange::Update { name, from, to } => {
                format!("update extension {name} from {from} to {to}")
            }
            ExtensionChange::SetSchema { name, schema } => {
                format!("move extension {name} to schema {schema}")
            }
        }
    }

    pub(crate) fn render(&self) -> (String, Vec<Hazard>) {
        use Hazard::*;
        match self {
            ExtensionChange::Create { extension } => (sql::create_extension(extension), vec![]),
            ExtensionChange::Drop { name } => (
                format!("DROP EXTENSION {};", quote_ident(name)),
                vec![DataLoss],
            ),
            ExtensionChange::Update { name, to, .. } => (
                format!(
                    "ALTER EXTENSION {} UPDATE TO {};",
                    quote_ident(name),
                    quote_literal(to)
                ),
                vec![],
            ),
            ExtensionChange::SetSchema { name, schema } => (
                format!(
                    "ALTER EXTENSION {} SET SCHEMA {};",
                    quote_ident(name),
                    quote_ident(schema)
                ),
                vec![],
            ),
        }
    }
}

pub(crate) fn diff_schemas(current: &Catalog, desired: &Catalog, changes: &mut Vec<Change>) {
    let have: HashMap<&str, _> = current.schemas.iter().map(|s| (&*s.name, s)).collect();
    let want: HashSet<&str> = desired.schemas.iter().map(|s| &*s.name).collect();
    for schema in &desired.schemas {
        let target = || CommentTarget::Schema {
            name: schema.name.clone(),
        };
        match have.get(&*schema.name) {
            None => {
                changes.push(Change::Schema(SchemaChange::Create {
                    schema: schema.clone(),
                }));
                if schema.comment.is_some() {
                    changes.push(comment_change(target(), &schema.comment));
                }
            }
            Some(old) if old.comment != schema.comment => {
                changes.push(comment_change(target(), &schema.comment));
            }
            Some(_) => {}
        }
        // A new schema starts with no privileges (`public` is never created by a plan).
        let (old_grants, old_revoked): (&[Grant], &[Grant]) = match have.get(&*schema.name) {
            Some(old) => (&old.grants, &old.revoked_defaults),
            None => (&[], &[]),
        };
        changes.extend(privilege::changes(
            &PrivilegeTarget::Schema {
                name: schema.name.clone(),
            },
            (old_grants, old_revoked),
            (&schema.grants, &schema.revoked_defaults),
        ));
    }
    for schema in &current.schemas {
        if !want.contains(&*schema.name) {
            changes.push(Change::Schema(SchemaChange::Drop {
                name: schema.name.clone(),
            }));
        }
    }
}

pub(crate) fn diff_extensions(current: &Catalog, desired: &Catalog, changes: &mut Vec<Change>) {
    let have: HashMap<&str, _> = current.extensions.iter().map(|e| (&*e.name, e)).collect();
    let want: HashSet<&str> = desired.extensions.iter().map(|e| &*e.name).collect();
    // Created each after the ones it requires, dropped each before them.
    let created = desired.extension_creation_order();
    for extension in created.into_iter().map(|index| &desired.extensions[index]) {
        match have.get(&*extension.name) {
            None => changes.push(Change::Extension(ExtensionChange::Create {
                extension: extension.clone(),
            })),
            Some(old) => {
                if old.schema != extension.schema {
                    changes.push(Change::Extension(ExtensionChange::SetSchema {
                        name: extension.name.clone(),
                        schema: extension.schema.clone(),
                    }));
                }
                if old.version != extension.version {
                    changes.push(Change::Extension(ExtensionChange::Update {
                        name: extension.name.clone(),
                        from: old.version.clone(),
                        to: extension.version.clone(),
                    }));
                }
            }
        }
    }
    let dropped = current.extension_creation_order();
    for extension in dropped
        .into_iter()
        .rev()
        .map(|index| &current.extensions[index])
    {
        if !want.contains(&*extension.name) {
            changes.push(Change::Extension(ExtensionChange::Drop {
                name: extension.name.clone(),
            }));
        }
    }
}
