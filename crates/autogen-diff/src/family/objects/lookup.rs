//! Finding an object of one catalog by its identity, and whether two versions of it need a
//! drop and a create.

use super::Key;
use crate::family::{domain, policy, routine, types, view};
use autogen_schema::{Catalog, FunctionId, QualifiedName};

/// Whether `old` and `new` (the same identity) need a drop and a create.
pub(super) fn must_recreate(key: &Key, old: &Catalog, new: &Catalog) -> bool {
    match key {
        Key::View(name) => match (
            old.view(&name.schema, &name.name),
            new.view(&name.schema, &name.name),
        ) {
            (Some(a), Some(b)) => view::needs_recreate(a, b),
            _ => false,
        },
        Key::Routine(id) => match (function(old, id), function(new, id)) {
            (Some(a), Some(b)) => !routine::replaceable(a, b) && without_comment_differs(a, b),
            _ => false,
        },
        Key::Trigger(table, name) => match (trigger(old, table, name), trigger(new, table, name)) {
            (Some(a), Some(b)) => a.definition != b.definition,
            _ => false,
        },
        Key::Policy(table, name) => {
            match (policy_of(old, table, name), policy_of(new, table, name)) {
                (Some(a), Some(b)) => policy::needs_recreate(a, b),
                _ => false,
            }
        }
        Key::Type(name) => {
            if let (Some(a), Some(b)) = (domain_of(old, name), domain_of(new, name)) {
                return domain::needs_recreate(a, b);
            }
            if let (Some(a), Some(b)) = (composite_of(old, name), composite_of(new, name)) {
                return types::composite_alterations(a, b).is_none();
            }
            if let (Some(a), Some(b)) = (range_of(old, name), range_of(new, name)) {
                // Comments and privileges change in place.
                let strip = |r: &autogen_schema::RangeType| autogen_schema::RangeType {
                    comment: None,
                    grants: Vec::new(),
                    revoked_defaults: Vec::new(),
                    ..r.clone()
                };
                return strip(a) != strip(b);
            }
            // A different kind of type under the same name.
            kind_of(old, name) != kind_of(new, name)
        }
        Key::Collation(name) => match (collation(old, name), collation(new, name)) {
            (Some(a), Some(b)) => {
                let strip = |c: &autogen_schema::Collation| autogen_schema::Collation {
                    comment: None,
                    ..c.clone()
                };
                strip(a) != strip(b)
            }
            _ => false,
        },
        // Options change in place; the template cannot.
        Key::TextSearchDictionary(name) => {
            match (dictionary_of(old, name), dictionary_of(new, name)) {
                (Some(a), Some(b)) => a.template != b.template,
                _ => false,
            }
        }
        // Mappings change in place; the parser cannot.
        Key::TextSearchConfiguration(name) => {
            match (configuration_of(old, name), configuration_of(new, name)) {
                (Some(a), Some(b)) => a.parser != b.parser,
                _ => false,
            }
        }
    }
}

pub(super) fn without_comment_differs(
    a: &autogen_schema::Function,
    b: &autogen_schema::Function,
) -> bool {
    a.definition != b.definition
        || a.kind != b.kind
        || a.result != b.result
        || a.arguments != b.arguments
}

pub(super) fn function<'a>(
    catalog: &'a Catalog,
    id: &FunctionId,
) -> Option<&'a autogen_schema::Function> {
    catalog.functions.iter().find(|f| f.id() == *id)
}

pub(super) fn trigger<'a>(
    catalog: &'a Catalog,
    table: &QualifiedName,
    name: &str,
) -> Option<&'a autogen_schema::Trigger> {
    catalog
        .triggers
        .iter()
        .find(|t| t.table == *table && t.name == name)
}

pub(super) fn policy_of<'a>(
    catalog: &'a Catalog,
    table: &QualifiedName,
    name: &str,
) -> Option<&'a autogen_schema::Policy> {
    catalog
        .policies
        .iter()
        .find(|p| p.table == *table && p.name == name)
}

pub(super) fn domain_of<'a>(
    catalog: &'a Catalog,
    name: &QualifiedName,
) -> Option<&'a autogen_schema::Domain> {
    catalog
        .domains
        .iter()
        .find(|d| d.schema == name.schema && d.name == name.name)
}

pub(super) fn composite_of<'a>(
    catalog: &'a Catalog,
    name: &QualifiedName,
) -> Option<&'a autogen_schema::CompositeType> {
    catalog
        .composite_types
        .iter()
        .find(|c| c.schema == name.schema && c.name == name.name)
}

pub(super) fn range_of<'a>(
    catalog: &'a Catalog,
    name: &QualifiedName,
) -> Option<&'a autogen_schema::RangeType> {
    catalog
        .range_types
        .iter()
        .find(|r| r.schema == name.schema && r.name == name.name)
}

pub(super) fn collation<'a>(
    catalog: &'a Catalog,
    name: &QualifiedName,
) -> Option<&'a autogen_schema::Collation> {
    catalog
        .collations
        .iter()
        .find(|c| c.schema == name.schema && c.name == name.name)
}

pub(super) fn dictionary_of<'a>(
    catalog: &'a Catalog,
    name: &QualifiedName,
) -> Option<&'a autogen_schema::TextSearchDictionary> {
    catalog
        .text_search_dictionaries
        .iter()
        .find(|d| d.schema == name.schema && d.name == name.name)
}

pub(super) fn configuration_of<'a>(
    catalog: &'a Catalog,
    name: &QualifiedName,
) -> Option<&'a autogen_schema::TextSearchConfiguration> {
    catalog
        .text_search_configurations
        .iter()
        .find(|c| c.schema == name.schema && c.name == name.name)
}

pub(super) fn kind_of(catalog: &Catalog, name: &QualifiedName) -> u8 {
    if domain_of(catalog, name).is_some() {
        1
    } else if composite_of(catalog, name).is_some() {
        2
    } else if range_of(catalog, name).is_some() {
        3
    } else {
        0
    }
}
