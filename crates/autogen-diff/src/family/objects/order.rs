//! The order objects are created in (the desired catalog's `Catalog::statements`, a
//! topological order of `pg_depend`) and which routines must follow the tables.

use super::Key;
use autogen_schema::{Catalog, FunctionId, ObjectRef, QualifiedName, Source, View};
use std::collections::{HashMap, HashSet};

/// Each object's position in `catalog`'s creation order (`Catalog::statements`).
pub(super) fn creation_order(catalog: &Catalog) -> HashMap<Key, usize> {
    let mut order = HashMap::new();
    for (position, statement) in catalog.statements().iter().enumerate() {
        let key = match statement.source {
            Source::View(i) => Key::View(catalog.views[i].qualified_name()),
            Source::Function(i) => Key::Routine(catalog.functions[i].id()),
            Source::Trigger(i) => {
                let trigger = &catalog.triggers[i];
                Key::Trigger(trigger.table.clone(), trigger.name.clone())
            }
            Source::Policy(i) => {
                let policy = &catalog.policies[i];
                Key::Policy(policy.table.clone(), policy.name.clone())
            }
            Source::Domain(i) => {
                let domain = &catalog.domains[i];
                Key::Type(QualifiedName::new(&domain.schema, &domain.name))
            }
            Source::CompositeType(i) => {
                let composite = &catalog.composite_types[i];
                Key::Type(QualifiedName::new(&composite.schema, &composite.name))
            }
            Source::RangeType(i) => {
                let range = &catalog.range_types[i];
                Key::Type(QualifiedName::new(&range.schema, &range.name))
            }
            Source::Collation(i) => Key::Collation(catalog.collations[i].qualified_name()),
            Source::TextSearchDictionary(i) => {
                Key::TextSearchDictionary(catalog.text_search_dictionaries[i].qualified_name())
            }
            Source::TextSearchConfiguration(i) => {
                Key::TextSearchConfiguration(catalog.text_search_configurations[i].qualified_name())
            }
            _ => continue,
        };
        order.entry(key).or_insert(position);
    }
    order
}

/// The routines of `catalog` that use a table, a view or a sequence (directly or through
/// another such routine): created after the tables.
pub(super) fn late_routines(catalog: &Catalog) -> HashSet<FunctionId> {
    let relations: HashSet<QualifiedName> = catalog
        .tables
        .iter()
        .map(|t| t.qualified_name())
        .chain(catalog.views.iter().map(View::qualified_name))
        .collect();
    let mut late: HashSet<FunctionId> = HashSet::new();
    loop {
        let before = late.len();
        for edge in &catalog.dependencies {
            let ObjectRef::Function(id) = &edge.dependent else {
                continue;
            };
            let uses_late = match &edge.on {
                ObjectRef::Sequence(_) => true,
                ObjectRef::Function(other) => late.contains(other),
                other => {
                    other.relation().is_some_and(|r| relations.contains(r))
                        || matches!(other, ObjectRef::Index(_))
                }
            };
            if uses_late {
                late.insert(id.clone());
            }
        }
        if late.len() == before {
            return late;
        }
    }
}
