//! The changes that create, drop or alter one object in place, with its comments, indexes,
//! grants and state.

use super::Key;
use super::lookup::*;
use crate::change::{Change, CommentChange, CommentTarget};
use crate::family::domain::{self, DomainChange};
use crate::family::policy::{self, PolicyChange};
use crate::family::privilege::{self, PrivilegeTarget};
use crate::family::routine::RoutineChange;
use crate::family::text_search::{self, TextSearchChange};
use crate::family::trigger::TriggerChange;
use crate::family::types::{self, CollationChange, CompositeChange, RangeChange};
use crate::family::view::{self, ViewChange};
use autogen_schema::{Catalog, FunctionId, Grant, QualifiedName, View};
use std::collections::{BTreeMap, BTreeSet, HashSet};

pub(super) fn drop_changes(
    key: &Key,
    current: &Catalog,
    late: &HashSet<FunctionId>,
    recreated: bool,
) -> Vec<Change> {
    match key {
        Key::View(name) => {
            let materialized = current
                .view(&name.schema, &name.name)
                .is_some_and(|v| v.materialized);
            vec![Change::View(ViewChange::Drop {
                name: name.clone(),
                materialized,
            })]
        }
        Key::Routine(id) => {
            let kind = function(current, id).map(|f| f.kind).unwrap_or_default();
            vec![Change::Routine(RoutineChange::Drop {
                kind,
                id: id.clone(),
                late: late.contains(id),
            })]
        }
        Key::Trigger(table, name) => vec![Change::Trigger(TriggerChange::Drop {
            table: table.clone(),
            name: name.clone(),
        })],
        Key::Policy(table, name) => vec![Change::Policy(PolicyChange::Drop {
            table: table.clone(),
            name: name.clone(),
        })],
        Key::Type(name) => {
            let change = if domain_of(current, name).is_some() {
                Change::Domain(DomainChange::Drop { name: name.clone() })
            } else if range_of(current, name).is_some() {
                Change::Range(RangeChange::Drop { name: name.clone() })
            } else {
                Change::Composite(CompositeChange::Drop { name: name.clone() })
            };
            vec![change]
        }
        Key::Collation(name) => vec![Change::Collation(CollationChange::Drop {
            name: name.clone(),
        })],
        Key::TextSearchDictionary(name) => {
            vec![Change::TextSearch(TextSearchChange::DropDictionary {
                name: name.clone(),
                recreated,
            })]
        }
        Key::TextSearchConfiguration(name) => {
            vec![Change::TextSearch(TextSearchChange::DropConfiguration {
                name: name.clone(),
                recreated,
            })]
        }
    }
}

/// The grants and revoked defaults of the domain, composite or range type `name`.
fn type_privileges<'a>(
    catalog: &'a Catalog,
    name: &QualifiedName,
) -> Option<(&'a [Grant], &'a [Grant])> {
    if let Some(domain) = domain_of(catalog, name) {
        Some((&domain.grants, &domain.revoked_defaults))
    } else if let Some(composite) = composite_of(catalog, name) {
        Some((&composite.grants, &composite.revoked_defaults))
    } else {
        range_of(catalog, name).map(|range| (&range.grants[..], &range.revoked_defaults[..]))
    }
}

fn routine_target(function: &autogen_schema::Function) -> PrivilegeTarget {
    PrivilegeTarget::Routine {
        kind: function.kind,
        id: function.id(),
    }
}

pub(super) fn comment(target: CommentTarget, comment: &Option<String>) -> Change {
    Change::Comment(CommentChange::Set {
        target,
        comment: comment.clone(),
    })
}

/// The object created from `desired`, with its indexes, grants, state and comments.
pub(super) fn create_changes(
    key: &Key,
    desired: &Catalog,
    late: &HashSet<FunctionId>,
) -> Vec<Change> {
    let mut changes = Vec::new();
    match key {
        Key::View(name) => {
            let Some(view) = desired.view(&name.schema, &name.name) else {
                return changes;
            };
            changes.push(Change::View(ViewChange::Create { view: view.clone() }));
            for index in &view.indexes {
                changes.push(Change::View(ViewChange::CreateIndex {
                    view: name.clone(),
                    index: index.clone(),
                }));
            }
            for grant in &view.grants {
                changes.push(Change::View(ViewChange::Grant {
                    view: name.clone(),
                    grant: grant.clone(),
                }));
            }
            changes.extend(view_comments(view, None));
        }
        Key::Routine(id) => {
            let Some(function) = function(desired, id) else {
                return changes;
            };
            changes.push(Change::Routine(RoutineChange::Create {
                function: function.clone(),
                late: late.contains(id),
            }));
            changes.extend(privilege::changes(
                &routine_target(function),
                (&[], &[]),
                (&function.grants, &function.revoked_defaults),
            ));
            if function.comment.is_some() {
                changes.push(comment(
                    CommentTarget::Routine {
                        kind: function.kind,
                        id: id.clone(),
                    },
                    &function.comment,
                ));
            }
        }
        Key::Trigger(table, name) => {
            let Some(trigger) = trigger(desired, table, name) else {
                return changes;
            };
            changes.push(Change::Trigger(TriggerChange::Create {
                trigger: trigger.clone(),
            }));
            if !trigger.enabled.is_origin() {
                changes.push(Change::Trigger(TriggerChange::SetEnabled {
                    table: table.clone(),
                    name: name.clone(),
                    enabled: trigger.enabled,
                }));
            }
            if trigger.comment.is_some() {
                changes.push(comment(
                    CommentTarget::Trigger {
                        table: table.clone(),
                        name: name.clone(),
                    },
                    &trigger.comment,
                ));
            }
        }
        Key::Policy(table, name) => {
            let Some(policy) = policy_of(desired, table, name) else {
                return changes;
            };
            changes.push(Change::Policy(PolicyChange::Create {
                policy: policy.clone(),
            }));
            if policy.comment.is_some() {
                changes.push(comment(
                    CommentTarget::Policy {
                        table: table.clone(),
                        name: name.clone(),
                    },
                    &policy.comment,
                ));
            }
        }
        Key::Type(name) => {
            if let Some(domain) = domain_of(desired, name) {
                changes.push(Change::Domain(DomainChange::Create {
                    domain: domain.clone(),
                }));
                for check in domain.checks.iter().filter(|c| c.not_valid) {
                    changes.push(Change::Domain(DomainChange::AddCheck {
                        name: name.clone(),
                        check: check.clone(),
                    }));
                }
                if domain.comment.is_some() {
                    changes.push(comment(
                        CommentTarget::Domain { name: name.clone() },
                        &domain.comment,
                    ));
                }
                for check in domain.checks.iter().filter(|c| c.comment.is_some()) {
                    changes.push(comment(
                        CommentTarget::DomainConstraint {
                            domain: name.clone(),
                            constraint: check.name.clone(),
                        },
                        &check.comment,
                    ));
                }
            } else if let Some(composite) = composite_of(desired, name) {
                changes.push(Change::Composite(CompositeChange::Create {
                    composite: composite.clone(),
                }));
                if composite.comment.is_some() {
                    changes.push(comment(
                        CommentTarget::Type { name: name.clone() },
                        &composite.comment,
                    ));
                }
                for attribute in composite.attributes.iter().filter(|a| a.comment.is_some()) {
                    changes.push(comment(
                        CommentTarget::Column {
                            table: name.clone(),
                            column: attribute.name.clone(),
                        },
                        &attribute.comment,
                    ));
                }
            } else if let Some(range) = range_of(desired, name) {
                changes.push(Change::Range(RangeChange::Create {
                    range: range.clone(),
                }));
                if range.comment.is_some() {
                    changes.push(comment(
                        CommentTarget::Type { name: name.clone() },
                        &range.comment,
                    ));
                }
            }
            if let Some((grants, revoked)) = type_privileges(desired, name) {
                changes.extend(privilege::changes(
                    &PrivilegeTarget::Type { name: name.clone() },
                    (&[], &[]),
                    (grants, revoked),
                ));
            }
        }
        Key::Collation(name) => {
            if let Some(collation) = collation(desired, name) {
                changes.push(Change::Collation(CollationChange::Create {
                    collation: collation.clone(),
                }));
                if collation.comment.is_some() {
                    changes.push(comment(
                        CommentTarget::Collation { name: name.clone() },
                        &collation.comment,
                    ));
                }
            }
        }
        Key::TextSearchDictionary(name) => {
            if let Some(dictionary) = dictionary_of(desired, name) {
                changes.push(Change::TextSearch(TextSearchChange::CreateDictionary {
                    dictionary: dictionary.clone(),
                }));
                if dictionary.comment.is_some() {
                    changes.push(comment(
                        CommentTarget::TextSearchDictionary { name: name.clone() },
                        &dictionary.comment,
                    ));
                }
            }
        }
        Key::TextSearchConfiguration(name) => {
            if let Some(configuration) = configuration_of(desired, name) {
                changes.push(Change::TextSearch(TextSearchChange::CreateConfiguration {
                    configuration: configuration.clone(),
                }));
                changes.extend(
                    text_search::created_mappings(configuration)
                        .into_iter()
                        .map(Change::TextSearch),
                );
                if configuration.comment.is_some() {
                    changes.push(comment(
                        CommentTarget::TextSearchConfiguration { name: name.clone() },
                        &configuration.comment,
                    ));
                }
            }
        }
    }
    changes
}

/// A view's comments (its own, its columns', a materialized view's indexes') that differ from
/// `before`'s (all of them when there is none).
pub(super) fn view_comments(view: &View, before: Option<&View>) -> Vec<Change> {
    let name = view.qualified_name();
    let mut changes = Vec::new();
    if before.map_or(view.comment.is_some(), |b| b.comment != view.comment) {
        changes.push(comment(
            CommentTarget::View {
                name: name.clone(),
                materialized: view.materialized,
            },
            &view.comment,
        ));
    }
    let columns = |v: Option<&View>| -> BTreeMap<String, String> {
        v.map(|v| v.column_comments.iter().cloned().collect())
            .unwrap_or_default()
    };
    let (old, new) = (columns(before), columns(Some(view)));
    for column in old.keys().chain(new.keys()).collect::<BTreeSet<_>>() {
        if old.get(column) != new.get(column) {
            changes.push(comment(
                CommentTarget::Column {
                    table: name.clone(),
                    column: column.clone(),
                },
                &new.get(column).cloned(),
            ));
        }
    }
    for index in &view.indexes {
        let had = before
            .and_then(|b| b.indexes.iter().find(|i| i.name == index.name))
            .map(|i| i.comment.clone());
        let created = before.is_none_or(|b| {
            !b.indexes
                .iter()
                .any(|i| i.name == index.name && same_index(i, index))
        });
        if (created && index.comment.is_some()) || (!created && had != Some(index.comment.clone()))
        {
            changes.push(comment(
                CommentTarget::Index {
                    name: QualifiedName::new(&view.schema, &index.name),
                },
                &index.comment,
            ));
        }
    }
    changes
}

pub(super) fn same_index(a: &autogen_schema::Index, b: &autogen_schema::Index) -> bool {
    autogen_schema::Index {
        comment: None,
        ..a.clone()
    } == autogen_schema::Index {
        comment: None,
        ..b.clone()
    }
}

/// The in-place changes of a kept object.
pub(super) fn alter_changes(
    key: &Key,
    current: &Catalog,
    desired: &Catalog,
    late: &HashSet<FunctionId>,
) -> Vec<Change> {
    let mut changes = Vec::new();
    match key {
        Key::View(name) => {
            let (Some(old), Some(new)) = (
                current.view(&name.schema, &name.name),
                desired.view(&name.schema, &name.name),
            ) else {
                return changes;
            };
            if view::needs_replace(old, new) {
                changes.push(Change::View(ViewChange::Replace { view: new.clone() }));
            }
            for index in &old.indexes {
                if !new
                    .indexes
                    .iter()
                    .any(|i| i.name == index.name && same_index(i, index))
                {
                    changes.push(Change::Index(crate::change::IndexChange::Drop {
                        table: name.clone(),
                        name: index.name.clone(),
                    }));
                }
            }
            for index in &new.indexes {
                if !old
                    .indexes
                    .iter()
                    .any(|i| i.name == index.name && same_index(i, index))
                {
                    changes.push(Change::View(ViewChange::CreateIndex {
                        view: name.clone(),
                        index: index.clone(),
                    }));
                }
            }
            for grant in old.grants.iter().filter(|g| !new.grants.contains(g)) {
                changes.push(Change::View(ViewChange::Revoke {
                    view: name.clone(),
                    grant: grant.clone(),
                }));
            }
            for grant in new.grants.iter().filter(|g| !old.grants.contains(g)) {
                changes.push(Change::View(ViewChange::Grant {
                    view: name.clone(),
                    grant: grant.clone(),
                }));
            }
            changes.extend(view_comments(new, Some(old)));
        }
        Key::Routine(id) => {
            let (Some(old), Some(new)) = (function(current, id), function(desired, id)) else {
                return changes;
            };
            if without_comment_differs(old, new) {
                changes.push(Change::Routine(RoutineChange::Replace {
                    function: new.clone(),
                    late: late.contains(id),
                }));
            }
            changes.extend(privilege::changes(
                &routine_target(new),
                (&old.grants, &old.revoked_defaults),
                (&new.grants, &new.revoked_defaults),
            ));
            if old.comment != new.comment {
                changes.push(comment(
                    CommentTarget::Routine {
                        kind: new.kind,
                        id: id.clone(),
                    },
                    &new.comment,
                ));
            }
        }
        Key::Trigger(table, name) => {
            let (Some(old), Some(new)) =
                (trigger(current, table, name), trigger(desired, table, name))
            else {
                return changes;
            };
            if old.enabled != new.enabled {
                changes.push(Change::Trigger(TriggerChange::SetEnabled {
                    table: table.clone(),
                    name: name.clone(),
                    enabled: new.enabled,
                }));
            }
            if old.comment != new.comment {
                changes.push(comment(
                    CommentTarget::Trigger {
                        table: table.clone(),
                        name: name.clone(),
                    },
                    &new.comment,
                ));
            }
        }
        Key::Policy(table, name) => {
            let (Some(old), Some(new)) = (
                policy_of(current, table, name),
                policy_of(desired, table, name),
            ) else {
                return changes;
            };
            if policy::needs_alter(old, new) {
                changes.push(Change::Policy(PolicyChange::Alter {
                    policy: new.clone(),
                }));
            }
            if old.comment != new.comment {
                changes.push(comment(
                    CommentTarget::Policy {
                        table: table.clone(),
                        name: name.clone(),
                    },
                    &new.comment,
                ));
            }
        }
        Key::Type(name) => {
            if let (Some(old), Some(new)) = (domain_of(current, name), domain_of(desired, name)) {
                changes.extend(
                    domain::alterations(old, new)
                        .into_iter()
                        .map(Change::Domain),
                );
                if old.comment != new.comment {
                    changes.push(comment(
                        CommentTarget::Domain { name: name.clone() },
                        &new.comment,
                    ));
                }
                for check in &new.checks {
                    let before = old.checks.iter().find(|c| c.name == check.name);
                    if before.map_or(check.comment.is_some(), |b| b.comment != check.comment) {
                        changes.push(comment(
                            CommentTarget::DomainConstraint {
                                domain: name.clone(),
                                constraint: check.name.clone(),
                            },
                            &check.comment,
                        ));
                    }
                }
            } else if let (Some(old), Some(new)) =
                (composite_of(current, name), composite_of(desired, name))
            {
                if let Some(alterations) = types::composite_alterations(old, new) {
                    changes.extend(alterations.into_iter().map(Change::Composite));
                }
                if old.comment != new.comment {
                    changes.push(comment(
                        CommentTarget::Type { name: name.clone() },
                        &new.comment,
                    ));
                }
                for attribute in &new.attributes {
                    let before = old.attributes.iter().find(|a| a.name == attribute.name);
                    if before.map_or(attribute.comment.is_some(), |b| {
                        b.comment != attribute.comment
                    }) {
                        changes.push(comment(
                            CommentTarget::Column {
                                table: name.clone(),
                                column: attribute.name.clone(),
                            },
                            &attribute.comment,
                        ));
                    }
                }
            } else if let (Some(old), Some(new)) =
                (range_of(current, name), range_of(desired, name))
                && old.comment != new.comment
            {
                changes.push(comment(
                    CommentTarget::Type { name: name.clone() },
                    &new.comment,
                ));
            }
            if let (Some(old), Some(new)) = (
                type_privileges(current, name),
                type_privileges(desired, name),
            ) {
                changes.extend(privilege::changes(
                    &PrivilegeTarget::Type { name: name.clone() },
                    old,
                    new,
                ));
            }
        }
        Key::Collation(name) => {
            if let (Some(old), Some(new)) = (collation(current, name), collation(desired, name))
                && old.comment != new.comment
            {
                changes.push(comment(
                    CommentTarget::Collation { name: name.clone() },
                    &new.comment,
                ));
            }
        }
        Key::TextSearchDictionary(name) => {
            if let (Some(old), Some(new)) =
                (dictionary_of(current, name), dictionary_of(desired, name))
            {
                changes
                    .extend(text_search::dictionary_alteration(old, new).map(Change::TextSearch));
                if old.comment != new.comment {
                    changes.push(comment(
                        CommentTarget::TextSearchDictionary { name: name.clone() },
                        &new.comment,
                    ));
                }
            }
        }
        Key::TextSearchConfiguration(name) => {
            if let (Some(old), Some(new)) = (
                configuration_of(current, name),
                configuration_of(desired, name),
            ) {
                changes.extend(
                    text_search::mapping_changes(old, new)
                        .into_iter()
                        .map(Change::TextSearch),
                );
                if old.comment != new.comment {
                    changes.push(comment(
                        CommentTarget::TextSearchConfiguration { name: name.clone() },
                        &new.comment,
                    ));
                }
            }
        }
    }
    changes
}
