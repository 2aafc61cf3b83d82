//! The objects beyond tables (views, routines, triggers, policies, domains, composite and
//! range types, collations, text search dictionaries and configurations): which are created, dropped, altered in place or re-created, and the rebuild of
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

mod emit;
mod lookup;
mod order;

use emit::{alter_changes, create_changes, drop_changes};
use lookup::{composite_of, domain_of, must_recreate};
use order::{creation_order, late_routines};

use crate::DiffError;
use crate::change::{Change, ColumnChange, EnumChange, TableChange};
use crate::family::domain::DomainChange;
use autogen_schema::{Catalog, FunctionId, ObjectRef, QualifiedName, View};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// An object of the kinds this module compares, by identity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Key {
    View(QualifiedName),
    Routine(FunctionId),
    Trigger(QualifiedName, String),
    Policy(QualifiedName, String),
    /// A domain, composite or range type (one namespace with tables and enums).
    Type(QualifiedName),
    Collation(QualifiedName),
    TextSearchDictionary(QualifiedName),
    TextSearchConfiguration(QualifiedName),
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
            Key::Policy(table, name) => ObjectRef::Policy {
                table: table.clone(),
                name: name.clone(),
            },
            Key::Type(name) => ObjectRef::Type(name.clone()),
            Key::Collation(name) => ObjectRef::Collation(name.clone()),
            Key::TextSearchDictionary(name) => ObjectRef::TextSearchDictionary(name.clone()),
            Key::TextSearchConfiguration(name) => ObjectRef::TextSearchConfiguration(name.clone()),
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
            ObjectRef::Policy { table, name } => Some(Key::Policy(table.clone(), name.clone())),
            // A configuration uses its dictionaries.
            ObjectRef::TextSearchConfiguration(name) => {
                Some(Key::TextSearchConfiguration(name.clone()))
            }
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
                .policies
                .iter()
                .map(|p| Key::Policy(p.table.clone(), p.name.clone())),
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
        keys.extend(
            catalog
                .text_search_dictionaries
                .iter()
                .map(|d| Key::TextSearchDictionary(d.qualified_name())),
        );
        keys.extend(
            catalog
                .text_search_configurations
                .iter()
                .map(|c| Key::TextSearchConfiguration(c.qualified_name())),
        );
        Objects { views, keys }
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
    // Table parts that use a dropped or re-created function, type, collation or text search
    // configuration or dictionary (an index over `to_tsvector('cfg', …)`).
    for edge in &current.dependencies {
        if !matches!(
            edge.on,
            ObjectRef::Function(_)
                | ObjectRef::Type(_)
                | ObjectRef::Collation(_)
                | ObjectRef::TextSearchConfiguration(_)
                | ObjectRef::TextSearchDictionary(_)
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
/// trigger's state, a policy's roles and expressions, a domain's checks, a materialized view's indexes, grants,
/// a text search dictionary's options and a configuration's mappings).
fn differs_in_place(current: &Catalog, desired: &Catalog) -> bool {
    current.views != desired.views
        || current.functions != desired.functions
        || current.triggers != desired.triggers
        || current.policies != desired.policies
        || current.domains != desired.domains
        || current.composite_types != desired.composite_types
        || current.range_types != desired.range_types
        || current.collations != desired.collations
        || current.text_search_dictionaries != desired.text_search_dictionaries
        || current.text_search_configurations != desired.text_search_configurations
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
        // A trigger's or policy's own relation is a structural edge (not in `dependencies`):
        // dropping a view or table drops its triggers and policies with it.
        let on_relations = current
            .triggers
            .iter()
            .map(|t| Key::Trigger(t.table.clone(), t.name.clone()))
            .chain(
                current
                    .policies
                    .iter()
                    .map(|p| Key::Policy(p.table.clone(), p.name.clone())),
            );
        for key in on_relations {
            let (Key::Trigger(table, _) | Key::Policy(table, _)) = &key else {
                continue;
            };
            if replaced.contains(&ObjectRef::Relation(table.clone()))
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
        let recreated = prepared.fates.get(key) == Some(&Fate::Recreate);
        changes.extend(drop_changes(key, current, &early_drops, recreated));
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
