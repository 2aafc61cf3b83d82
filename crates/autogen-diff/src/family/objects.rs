//! The objects beyond tables (views, routines, triggers, domains, composite and range types,
//! collations): which are created, dropped, altered in place or re-created, and the rebuild of
//! whatever depends on something a plan drops or re-creates.
//!
//! Two halves around the table comparison. [`prepare`] decides each object's fate and which
//! table parts (defaults, checks, indexes) use a function or type that is dropped or re-created,
//! so the table family re-creates those around it. [`finish`] adds what the table changes drop
//! or retype (tables, columns, re-created enum types), rebuilds every object that uses any of
//! it — views over a retyped column, the views over those, triggers on them, functions that
//! read them — from the desired catalog, and emits the changes: drops in the reverse of the
//! current catalog's creation order, creates and alterations in the desired catalog's
//! (`Catalog::statements`, a topological order of `pg_depend`), each in its [`Phase`].

use crate::DiffError;
use crate::change::{Change, ColumnChange, CommentChange, CommentTarget, EnumChange, TableChange};
use crate::family::domain::{self, DomainChange};
use crate::family::routine::{self, RoutineChange};
use crate::family::trigger::TriggerChange;
use crate::family::types::{self, CollationChange, CompositeChange, RangeChange};
use crate::family::view::{self, ViewChange};
use autogen_schema::{Catalog, FunctionId, ObjectRef, QualifiedName, Source, View};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// An object of the kinds this module compares, by identity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Key {
    View(QualifiedName),
    Routine(FunctionId),
    Trigger(QualifiedName, String),
    /// A domain, composite or range type (one namespace with tables and enums).
    Type(QualifiedName),
    Collation(QualifiedName),
}

impl Key {
    /// What a dependency edge names this object by.
    fn object_ref(&self) -> ObjectRef {
        match self {
            Key::View(name) => ObjectRef::Relation(name.clone()),
            Key::Routine(id) => ObjectRef::Function(id.clone()),
            Key::Trigger(table, name) => ObjectRef::Trigger {
                table: table.clone(),
                name: name.clone(),
            },
            Key::Type(name) => ObjectRef::Type(name.clone()),
            Key::Collation(name) => ObjectRef::Collation(name.clone()),
        }
    }

    /// The object an edge's dependent end is (a view's column stands for the view, a
    /// domain's check for the domain is *not* the domain: it is rebuilt alone).
    fn of_dependent(object: &ObjectRef, views: &HashSet<QualifiedName>) -> Option<Key> {
        match object {
            ObjectRef::Relation(name) | ObjectRef::Column { relation: name, .. }
                if views.contains(name) =>
            {
                Some(Key::View(name.clone()))
            }
            ObjectRef::Function(id) => Some(Key::Routine(id.clone())),
            ObjectRef::Trigger { table, name } => Some(Key::Trigger(table.clone(), name.clone())),
            _ => None,
        }
    }
}

/// What happens to an object of the current catalog (or a new one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Create,
    Drop,
    /// Dropped and created from the desired catalog: changed beyond what can be altered, or
    /// rebuilt because it uses something dropped or re-created.
    Recreate,
    /// On both sides; altered in place if at all.
    Keep,
}

/// The first half's decisions.
pub(crate) struct Prepared {
    fates: BTreeMap<Key, Fate>,
    /// Checks of kept domains that use something dropped or re-created: dropped and added.
    domain_checks: BTreeSet<(QualifiedName, String)>,
    /// Table parts (`Default`, `Constraint`, `Index`) that use a function or type the plan
    /// drops or re-creates: the table family drops them before and creates them after.
    pub(crate) forced_parts: HashSet<ObjectRef>,
    /// Whether anything beyond tables differs or must be rebuilt.
    pub(crate) any: bool,
}

/// The objects of one catalog, by key.
struct Objects {
    views: HashSet<QualifiedName>,
    keys: BTreeSet<Key>,
}

impl Objects {
    fn of(catalog: &Catalog) -> Self {
        let views: HashSet<QualifiedName> =
            catalog.views.iter().map(View::qualified_name).collect();
        let mut keys = BTreeSet::new();
        keys.extend(views.iter().cloned().map(Key::View));
        keys.extend(catalog.functions.iter().map(|f| Key::Routine(f.id())));
        keys.extend(
            catalog
                .triggers
                .iter()
                .map(|t| Key::Trigger(t.table.clone(), t.name.clone())),
        );
        keys.extend(
            catalog
                .domains
                .iter()
                .map(|d| Key::Type(QualifiedName::new(&d.schema, &d.name))),
        );
        keys.extend(
            catalog
                .composite_types
                .iter()
                .map(|c| Key::Type(QualifiedName::new(&c.schema, &c.name))),
        );
        keys.extend(
            catalog
                .range_types
                .iter()
                .map(|r| Key::Type(QualifiedName::new(&r.schema, &r.name))),
        );
        keys.extend(
            catalog
                .collations
                .iter()
                .map(|c| Key::Collation(c.qualified_name())),
        );
        Objects { views, keys }
    }
}

/// Whether `old` and `new` (the same identity) need a drop and a create.
fn must_recreate(key: &Key, old: &Catalog, new: &Catalog) -> bool {
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
        Key::Type(name) => {
            if let (Some(a), Some(b)) = (domain_of(old, name), domain_of(new, name)) {
                return domain::needs_recreate(a, b);
            }
            if let (Some(a), Some(b)) = (composite_of(old, name), composite_of(new, name)) {
                return types::composite_alterations(a, b).is_none();
            }
            if let (Some(a), Some(b)) = (range_of(old, name), range_of(new, name)) {
                let strip = |r: &autogen_schema::RangeType| autogen_schema::RangeType {
                    comment: None,
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
    }
}

fn without_comment_differs(a: &autogen_schema::Function, b: &autogen_schema::Function) -> bool {
    a.definition != b.definition
        || a.kind != b.kind
        || a.result != b.result
        || a.arguments != b.arguments
}

fn function<'a>(catalog: &'a Catalog, id: &FunctionId) -> Option<&'a autogen_schema::Function> {
    catalog.functions.iter().find(|f| f.id() == *id)
}

fn trigger<'a>(
    catalog: &'a Catalog,
    table: &QualifiedName,
    name: &str,
) -> Option<&'a autogen_schema::Trigger> {
    catalog
        .triggers
        .iter()
        .find(|t| t.table == *table && t.name == name)
}

fn domain_of<'a>(catalog: &'a Catalog, name: &QualifiedName) -> Option<&'a autogen_schema::Domain> {
    catalog
        .domains
        .iter()
        .find(|d| d.schema == name.schema && d.name == name.name)
}

fn composite_of<'a>(
    catalog: &'a Catalog,
    name: &QualifiedName,
) -> Option<&'a autogen_schema::CompositeType> {
    catalog
        .composite_types
        .iter()
        .find(|c| c.schema == name.schema && c.name == name.name)
}

fn range_of<'a>(
    catalog: &'a Catalog,
    name: &QualifiedName,
) -> Option<&'a autogen_schema::RangeType> {
    catalog
        .range_types
        .iter()
        .find(|r| r.schema == name.schema && r.name == name.name)
}

fn collation<'a>(
    catalog: &'a Catalog,
    name: &QualifiedName,
) -> Option<&'a autogen_schema::Collation> {
    catalog
        .collations
        .iter()
        .find(|c| c.schema == name.schema && c.name == name.name)
}

fn kind_of(catalog: &Catalog, name: &QualifiedName) -> u8 {
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

/// Decides each object's fate before the tables are compared (see the module documentation).
pub(crate) fn prepare(current: &Catalog, desired: &Catalog) -> Result<Prepared, DiffError> {
    let have = Objects::of(current);
    let want = Objects::of(desired);
    let mut fates: BTreeMap<Key, Fate> = BTreeMap::new();
    for key in have.keys.union(&want.keys) {
        let fate = match (have.keys.contains(key), want.keys.contains(key)) {
            (true, false) => Fate::Drop,
            (false, true) => Fate::Create,
            _ if must_recreate(key, current, desired) => Fate::Recreate,
            _ => Fate::Keep,
        };
        fates.insert(key.clone(), fate);
    }
    let mut prepared = Prepared {
        fates,
        domain_checks: BTreeSet::new(),
        forced_parts: HashSet::new(),
        any: false,
    };
    let replaced: BTreeSet<ObjectRef> = prepared
        .fates
        .iter()
        .filter(|(_, fate)| matches!(fate, Fate::Drop | Fate::Recreate))
        .map(|(key, _)| key.object_ref())
        .collect();
    let replaced = rebuild(&mut prepared, current, &have.views, replaced);
    // Table parts that use a dropped or re-created function, type or collation.
    for edge in &current.dependencies {
        if !matches!(
            edge.on,
            ObjectRef::Function(_) | ObjectRef::Type(_) | ObjectRef::Collation(_)
        ) || !replaced.contains(&edge.on)
        {
            continue;
        }
        match &edge.dependent {
            ObjectRef::Default { table, .. } | ObjectRef::Constraint { table, .. }
                if current.table(&table.schema, &table.name).is_some() =>
            {
                prepared.forced_parts.insert(edge.dependent.clone());
            }
            ObjectRef::Index(_) => {
                prepared.forced_parts.insert(edge.dependent.clone());
            }
            _ => {}
        }
    }
    refuse_retyping_types_in_use(&prepared, current)?;
    prepared.any = prepared.fates.values().any(|fate| *fate != Fate::Keep)
        || differs_in_place(current, desired);
    Ok(prepared)
}

/// A domain, composite or range type or a collation that must be re-created while a column
/// (or another type) uses it: that needs the column's data converted, which autogen does not
/// guess.
fn refuse_retyping_types_in_use(prepared: &Prepared, current: &Catalog) -> Result<(), DiffError> {
    for (key, fate) in &prepared.fates {
        if *fate != Fate::Recreate || !matches!(key, Key::Type(_) | Key::Collation(_)) {
            continue;
        }
        let object = key.object_ref();
        let user = current.dependencies.iter().find(|edge| {
            edge.on == object
                && matches!(
                    &edge.dependent,
                    ObjectRef::Column { relation, .. }
                        if current.table(&relation.schema, &relation.name).is_some()
                            || composite_of(current, relation).is_some()
                )
        });
        if let Some(edge) = user {
            return Err(DiffError::Unsupported {
                what: format!(
                    "{object} changes in a way only a drop and a create can make, but {} uses it: \
                     its data would have to be converted; write this change by hand (`autogen \
                     revision --empty`): e.g. alter the column to the base type, drop and create \
                     the type, alter the column back",
                    edge.dependent
                ),
            });
        }
    }
    Ok(())
}

/// Whether a kept object differs in what changes in place (comments, a function's body, a
/// trigger's state, a domain's checks, a materialized view's indexes, grants).
fn differs_in_place(current: &Catalog, desired: &Catalog) -> bool {
    current.views != desired.views
        || current.functions != desired.functions
        || current.triggers != desired.triggers
        || current.domains != desired.domains
        || current.composite_types != desired.composite_types
        || current.range_types != desired.range_types
        || current.collations != desired.collations
}

/// Marks every kept object that uses (transitively) something in `replaced` to be re-created,
/// and every kept domain check that does; returns `replaced` with those objects added.
fn rebuild(
    prepared: &mut Prepared,
    current: &Catalog,
    views: &HashSet<QualifiedName>,
    mut replaced: BTreeSet<ObjectRef>,
) -> BTreeSet<ObjectRef> {
    let uses_replaced = |on: &ObjectRef, replaced: &BTreeSet<ObjectRef>| {
        replaced.contains(on)
            || match on {
                ObjectRef::Column { relation, .. } => {
                    replaced.contains(&ObjectRef::Relation(relation.clone()))
                }
                _ => false,
            }
    };
    loop {
        let mut grown = false;
        for edge in &current.dependencies {
            if !uses_replaced(&edge.on, &replaced) {
                continue;
            }
            if let ObjectRef::DomainConstraint { domain, name } = &edge.dependent {
                let kept = prepared.fates.get(&Key::Type(domain.clone())) == Some(&Fate::Keep);
                if kept {
                    prepared
                        .domain_checks
                        .insert((domain.clone(), name.clone()));
                }
                continue;
            }
            let Some(key) = Key::of_dependent(&edge.dependent, views) else {
                continue;
            };
            if prepared.fates.get(&key) == Some(&Fate::Keep) {
                prepared.fates.insert(key.clone(), Fate::Recreate);
                replaced.insert(key.object_ref());
                grown = true;
            }
        }
        // A trigger's own relation is a structural edge (not in `dependencies`): dropping a
        // view or table drops its triggers with it.
        for trigger in &current.triggers {
            let key = Key::Trigger(trigger.table.clone(), trigger.name.clone());
            if replaced.contains(&ObjectRef::Relation(trigger.table.clone()))
                && prepared.fates.get(&key) == Some(&Fate::Keep)
            {
                prepared.fates.insert(key.clone(), Fate::Recreate);
                replaced.insert(key.object_ref());
                grown = true;
            }
        }
        if !grown {
            return replaced;
        }
    }
}

/// The second half: rebuilds what uses the tables' dropped or retyped parts, then emits every
/// change of these objects (see the module documentation).
pub(crate) fn finish(
    mut prepared: Prepared,
    current: &Catalog,
    desired: &Catalog,
    changes: &mut Vec<Change>,
) {
    let views: HashSet<QualifiedName> = current.views.iter().map(View::qualified_name).collect();
    let from_tables = replaced_by_tables(changes);
    if !from_tables.is_empty() {
        let replaced: BTreeSet<ObjectRef> = prepared
            .fates
            .iter()
            .filter(|(_, fate)| matches!(fate, Fate::Drop | Fate::Recreate))
            .map(|(key, _)| key.object_ref())
            .chain(from_tables)
            .collect();
        rebuild(&mut prepared, current, &views, replaced);
    }
    let touched = prepared.fates.values().any(|fate| *fate != Fate::Keep)
        || !prepared.domain_checks.is_empty();
    if !touched && !differs_in_place(current, desired) {
        return;
    }
    // Drops, dependents first.
    let mut drops: Vec<(&Key, usize)> = prepared
        .fates
        .iter()
        .filter(|(_, fate)| matches!(fate, Fate::Drop | Fate::Recreate))
        .map(|(key, _)| key)
        .map(|key| (key, 0))
        .collect();
    let current_order = creation_order(current);
    for (key, position) in &mut drops {
        *position = current_order.get(*key).copied().unwrap_or(usize::MAX);
    }
    drops.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    // The enum types that go are dropped after these objects (same phase, later in the list):
    // a domain, composite type or function may use one.
    let (enum_drops, others): (Vec<Change>, Vec<Change>) = std::mem::take(changes)
        .into_iter()
        .partition(|change| matches!(change, Change::Enum(EnumChange::Drop { .. })));
    *changes = others;
    // Dropped early (before the tables, with the routines that use them): the routines that
    // use a table or view, and those a routine of the same name is created beside (an
    // overload; a call would be ambiguous while both exist).
    let mut early_drops = late_routines(current);
    let created_names: HashSet<(&str, &str)> = prepared
        .fates
        .iter()
        .filter_map(|(key, fate)| match (key, fate) {
            (Key::Routine(id), Fate::Create | Fate::Recreate) => {
                Some((id.schema.as_str(), id.name.as_str()))
            }
            _ => None,
        })
        .collect();
    for (key, fate) in &prepared.fates {
        if let (Key::Routine(id), Fate::Drop | Fate::Recreate) = (key, fate)
            && created_names.contains(&(id.schema.as_str(), id.name.as_str()))
        {
            early_drops.insert(id.clone());
        }
    }
    for (key, _) in drops {
        changes.extend(drop_changes(key, current, &early_drops));
    }
    changes.extend(enum_drops);
    for (domain, check) in &prepared.domain_checks {
        changes.push(Change::Domain(DomainChange::DropCheck {
            name: domain.clone(),
            check: check.clone(),
        }));
    }
    // Creates and alterations, what is used first.
    let desired_order = creation_order(desired);
    let mut wanted: Vec<(&Key, Fate, usize)> = prepared
        .fates
        .iter()
        .filter(|(_, fate)| **fate != Fate::Drop)
        .map(|(key, fate)| {
            (
                key,
                *fate,
                desired_order.get(key).copied().unwrap_or(usize::MAX),
            )
        })
        .collect();
    wanted.sort_by(|a, b| a.2.cmp(&b.2).then(a.0.cmp(b.0)));
    let late = late_routines(desired);
    for (key, fate, _) in wanted {
        match fate {
            Fate::Create | Fate::Recreate => {
                changes.extend(create_changes(key, desired, &late));
            }
            Fate::Keep => changes.extend(alter_changes(key, current, desired, &late)),
            Fate::Drop => {}
        }
    }
    for (domain, check) in &prepared.domain_checks {
        if let Some(check) =
            domain_of(desired, domain).and_then(|d| d.checks.iter().find(|c| c.name == *check))
        {
            changes.push(Change::Domain(DomainChange::AddCheck {
                name: domain.clone(),
                check: check.clone(),
            }));
        }
    }
}

/// What the table changes drop or retype: dropped tables, dropped, retyped and replaced
/// columns, enum types re-created or dropped.
fn replaced_by_tables(changes: &[Change]) -> Vec<ObjectRef> {
    let mut replaced = Vec::new();
    for change in changes {
        match change {
            Change::Table(TableChange::Drop { name }) => {
                replaced.push(ObjectRef::Relation(name.clone()))
            }
            Change::Column(
                ColumnChange::Drop { table, column }
                | ColumnChange::AlterType { table, column, .. },
            ) => replaced.push(ObjectRef::Column {
                relation: table.clone(),
                column: column.clone(),
            }),
            Change::Column(ColumnChange::ReplaceWithGenerated { table, column, .. }) => replaced
                .push(ObjectRef::Column {
                    relation: table.clone(),
                    column: column.name.clone(),
                }),
            // A re-created enum is renamed away first: the uses follow the old type.
            Change::Enum(EnumChange::Rename { from, .. }) => {
                replaced.push(ObjectRef::Type(from.clone()))
            }
            Change::Enum(EnumChange::Drop { name }) => replaced.push(ObjectRef::Type(name.clone())),
            _ => {}
        }
    }
    replaced
}

/// Each object's position in `catalog`'s creation order (`Catalog::statements`).
fn creation_order(catalog: &Catalog) -> HashMap<Key, usize> {
    let mut order = HashMap::new();
    for (position, statement) in catalog.statements().iter().enumerate() {
        let key = match statement.source {
            Source::View(i) => Key::View(catalog.views[i].qualified_name()),
            Source::Function(i) => Key::Routine(catalog.functions[i].id()),
            Source::Trigger(i) => {
                let trigger = &catalog.triggers[i];
                Key::Trigger(trigger.table.clone(), trigger.name.clone())
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
            _ => continue,
        };
        order.entry(key).or_insert(position);
    }
    order
}

/// The routines of `catalog` that use a table, a view or a sequence (directly or through
/// another such routine): created after the tables.
fn late_routines(catalog: &Catalog) -> HashSet<FunctionId> {
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

fn drop_changes(key: &Key, current: &Catalog, late: &HashSet<FunctionId>) -> Vec<Change> {
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
    }
}

fn comment(target: CommentTarget, comment: &Option<String>) -> Change {
    Change::Comment(CommentChange::Set {
        target,
        comment: comment.clone(),
    })
}

/// The object created from `desired`, with its indexes, grants, state and comments.
fn create_changes(key: &Key, desired: &Catalog, late: &HashSet<FunctionId>) -> Vec<Change> {
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
    }
    changes
}

/// A view's comments (its own, its columns', a materialized view's indexes') that differ from
/// `before`'s (all of them when there is none).
fn view_comments(view: &View, before: Option<&View>) -> Vec<Change> {
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

fn same_index(a: &autogen_schema::Index, b: &autogen_schema::Index) -> bool {
    autogen_schema::Index {
        comment: None,
        ..a.clone()
    } == autogen_schema::Index {
        comment: None,
        ..b.clone()
    }
}

/// The in-place changes of a kept object.
fn alter_changes(
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
    }
    changes
}
