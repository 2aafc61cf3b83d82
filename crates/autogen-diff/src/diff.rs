//! The semantic diff: two catalogs -> changes keyed by identity.

use crate::DiffError;
use crate::change::{Change, CommentTarget, ConstraintKind, Conversion, EnumValuePosition};
use crate::mentions::{ColumnName, TypeName};
use crate::pairs::{TablePair, paired_tables};
use autogen_schema::{
    Catalog, CheckConstraint, Column, EnumType, ExclusionConstraint, ForeignKey, Index,
    IndexTarget, PrimaryKey, QualifiedName, SequenceOptions, Table, UniqueConstraint,
};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// The changes that turn `current` into `desired`: renames first, then everything else in
/// name order per kind. [`crate::plan_changes`] orders them for execution.
///
/// Compares schemas, extensions, enum types, sequences and tables only, for now: the other
/// objects of the catalog (views, routines, triggers, domains, composite and range types,
/// collations, dependencies) are not diffed yet, and a plan keeps the views it runs into
/// (`keep_views`).
pub fn diff(current: &Catalog, desired: &Catalog) -> Result<Vec<Change>, DiffError> {
    let desired = desired.canonical();
    let current = current.canonical();
    let current = crate::equivalence::align_equivalent_defaults(&current, &desired);
    let mut changes = Vec::new();
    let current = apply_renames(&current, &desired, &mut changes);
    diff_schemas(&current, &desired, &mut changes);
    diff_extensions(&current, &desired, &mut changes);
    let recreated = diff_enums(&current, &desired, &mut changes);
    diff_sequences(&current, &desired, &mut changes);
    diff_tables(&current, &desired, &recreated, &mut changes)?;
    Ok(changes)
}

type Key<'a> = (&'a str, &'a str);

fn comment_change(target: CommentTarget, comment: &Option<String>) -> Change {
    Change::SetComment {
        target,
        comment: comment.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// Renames

/// Emits the `renamed_from` renames that apply (old name present, new name absent; also the
/// reverse, when the hint is on the current side) and returns `current` as it is after them,
/// so the rest of the diff compares by name.
fn apply_renames<'a>(
    current: &'a Catalog,
    desired: &Catalog,
    changes: &mut Vec<Change>,
) -> Cow<'a, Catalog> {
    match apply_enum_renames(current, desired, changes) {
        None => apply_table_renames(current, desired, changes),
        Some(renamed) => Cow::Owned(apply_table_renames(&renamed, desired, changes).into_owned()),
    }
}

/// Enum type renames, then enum value renames (both `renamed_from` hints, either side):
/// emits them and returns `current` as PostgreSQL leaves it after them, or `None` when there
/// is nothing to rename.
fn apply_enum_renames(
    current: &Catalog,
    desired: &Catalog,
    changes: &mut Vec<Change>,
) -> Option<Catalog> {
    let hinted = |catalog: &Catalog| {
        catalog
            .enums
            .iter()
            .any(|e| e.renamed_from.is_some() || !e.renamed_values.is_empty())
    };
    if !hinted(current) && !hinted(desired) {
        return None;
    }
    let type_renames = enum_type_renames(current, desired);
    // Hints stay in the models long after they applied: clone only when something renames.
    if type_renames.is_empty() && enum_value_renames(current, desired).is_empty() {
        return None;
    }
    let mut renamed = current.clone();
    for (from, to) in &type_renames {
        changes.push(Change::RenameEnum {
            from: from.clone(),
            to: to.clone(),
        });
        rename_type(&mut renamed, from, to);
    }
    let value_renames = enum_value_renames(&renamed, desired);
    for (name, from, to) in &value_renames {
        changes.push(Change::RenameEnumValue {
            name: name.clone(),
            from: from.clone(),
            to: to.clone(),
        });
        rename_enum_value(&mut renamed, name, from, to);
    }
    renamed.canonicalize();
    Some(renamed)
}

/// The enum type renames that `renamed_from` hints ask for and that apply: (old name, new
/// name), in name order.
fn enum_type_renames(current: &Catalog, desired: &Catalog) -> Vec<(QualifiedName, String)> {
    let keys = |catalog: &Catalog| -> HashSet<QualifiedName> {
        catalog
            .enums
            .iter()
            .map(|e| QualifiedName::new(&e.schema, &e.name))
            .collect()
    };
    let (current_enums, desired_enums) = (keys(current), keys(desired));
    let mut renames = Vec::new();
    let mut taken: HashSet<QualifiedName> = HashSet::new();
    for (enums, here, there, forward) in [
        (&desired.enums, &desired_enums, &current_enums, true),
        (&current.enums, &current_enums, &desired_enums, false),
    ] {
        for enum_type in enums {
            let Some(old) = &enum_type.renamed_from else {
                continue;
            };
            let old = QualifiedName::new(&enum_type.schema, old);
            let new = QualifiedName::new(&enum_type.schema, &enum_type.name);
            if there.contains(&old)
                && !there.contains(&new)
                && !here.contains(&old)
                && !taken.contains(&old)
                && !taken.contains(&new)
            {
                taken.insert(old.clone());
                taken.insert(new.clone());
                renames.push(if forward {
                    (old, new.name)
                } else {
                    (new, old.name)
                });
            }
        }
    }
    renames.sort();
    renames
}

/// The enum value renames that variant `renamed_from` hints ask for and that apply, on
/// `current` after the type renames: (type, old label, new label).
fn enum_value_renames(
    current: &Catalog,
    desired: &Catalog,
) -> Vec<(QualifiedName, String, String)> {
    let have: HashMap<(&str, &str), &EnumType> = current
        .enums
        .iter()
        .map(|e| ((e.schema.as_str(), e.name.as_str()), e))
        .collect();
    let mut renames = Vec::new();
    for want in &desired.enums {
        let Some(have) = have.get(&(want.schema.as_str(), want.name.as_str())) else {
            continue;
        };
        let has = |e: &EnumType, value: &str| e.values.iter().any(|v| v == value);
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        for (old, new) in &want.renamed_values {
            if has(have, old) && !has(have, new) && !has(want, old) {
                pairs.push((old, new));
            }
        }
        for (old, new) in &have.renamed_values {
            if has(want, old) && !has(want, new) && !has(have, old) {
                pairs.push((new, old));
            }
        }
        let mut taken: HashSet<&str> = HashSet::new();
        let name = QualifiedName::new(&want.schema, &want.name);
        for (old, new) in pairs {
            if !taken.contains(old) && !taken.contains(new) {
                taken.insert(old);
                taken.insert(new);
                renames.push((name.clone(), old.to_string(), new.to_string()));
            }
        }
    }
    renames
}

/// Applies `rewrite` to every type and expression text of `catalog`'s tables.
fn rewrite_texts(catalog: &mut Catalog, rewrite: impl Fn(&str) -> Option<String>) {
    let apply = |text: &mut String| {
        if let Some(rewritten) = rewrite(text) {
            *text = rewritten;
        }
    };
    for table in &mut catalog.tables {
        for column in &mut table.columns {
            apply(&mut column.data_type);
            column.default.iter_mut().for_each(apply);
            column.generated.iter_mut().for_each(apply);
        }
        for check in &mut table.checks {
            apply(&mut check.expression);
        }
        for exclusion in &mut table.exclusions {
            apply(&mut exclusion.definition);
        }
        for index in &mut table.indexes {
            for key in &mut index.keys {
                if let IndexTarget::Expression(expression) = &mut key.target {
                    apply(expression);
                }
            }
            index.predicate.iter_mut().for_each(apply);
        }
    }
}

/// What PostgreSQL does on `ALTER TYPE … RENAME TO`: columns and expressions refer to the
/// type by its identity, so they print the new name.
fn rename_type(catalog: &mut Catalog, from: &QualifiedName, to: &str) {
    for enum_type in &mut catalog.enums {
        if enum_type.schema == from.schema && enum_type.name == from.name {
            enum_type.name = to.to_string();
        }
    }
    let old = TypeName::new(from);
    let new = QualifiedName::new(&from.schema, to);
    rewrite_texts(catalog, |text| old.renamed_in(text, &new));
}

/// What PostgreSQL does on `ALTER TYPE … RENAME VALUE`: stored defaults, checks and index
/// expressions refer to the label by its identity, so they print the new label.
fn rename_enum_value(catalog: &mut Catalog, name: &QualifiedName, from: &str, to: &str) {
    for enum_type in &mut catalog.enums {
        if enum_type.schema == name.schema && enum_type.name == name.name {
            for value in enum_type.values.iter_mut().filter(|value| *value == from) {
                *value = to.to_string();
            }
        }
    }
    let type_name = TypeName::new(name);
    rewrite_texts(catalog, |text| type_name.label_renamed_in(text, from, to));
}

/// Table, column, constraint and index renames (see [`apply_renames`]).
fn apply_table_renames<'a>(
    current: &'a Catalog,
    desired: &Catalog,
    changes: &mut Vec<Change>,
) -> Cow<'a, Catalog> {
    let hinted = |catalog: &Catalog| {
        catalog.tables.iter().any(|table| {
            table.renamed_from.is_some() || table.columns.iter().any(|c| c.renamed_from.is_some())
        })
    };
    let (mut table_renames, column_renames) = if hinted(current) || hinted(desired) {
        table_and_column_renames(current, desired)
    } else {
        (Vec::new(), Vec::new())
    };

    table_renames.sort();
    // Cloning a large catalog costs more than the rest of the diff: only do it when
    // something can be renamed.
    if table_renames.is_empty()
        && column_renames.is_empty()
        && !constraint_or_index_names_differ(current, desired)
    {
        return Cow::Borrowed(current);
    }
    let before = changes.len();
    let mut renamed = current.clone();
    for (schema, old, new) in &table_renames {
        let from = QualifiedName::new(schema, old);
        changes.push(Change::RenameTable {
            from: from.clone(),
            to: new.clone(),
        });
        rename_table(&mut renamed, &from, new);
    }
    for (table, old, new) in column_renames {
        changes.push(Change::RenameColumn {
            table: table.clone(),
            from: old.clone(),
            to: new.clone(),
        });
        rename_column(&mut renamed, &table, &old, &new);
    }
    rename_constraints_and_indexes(&mut renamed, desired, changes);
    if changes.len() == before {
        return Cow::Borrowed(current);
    }
    renamed.canonicalize();
    Cow::Owned(renamed)
}

/// (schema, old name, new name) of a table.
type TableRename = (String, String, String);
/// (table after renames, old column, new column).
type ColumnRename = (QualifiedName, String, String);

/// The table and column renames that `renamed_from` hints ask for and that apply.
fn table_and_column_renames<'a>(
    current: &'a Catalog,
    desired: &'a Catalog,
) -> (Vec<TableRename>, Vec<ColumnRename>) {
    let table_keys = |catalog: &'a Catalog| -> HashSet<Key<'a>> {
        catalog
            .tables
            .iter()
            .map(|t| (t.schema.as_str(), t.name.as_str()))
            .collect()
    };
    let current_tables = table_keys(current);
    let desired_tables: HashSet<Key> = desired
        .tables
        .iter()
        .map(|t| (t.schema.as_str(), t.name.as_str()))
        .collect();
    // (schema, old name, new name)
    let mut table_renames: Vec<TableRename> = Vec::new();
    let mut taken: HashSet<(String, String)> = HashSet::new();
    let mut consider = |schema: &str, old: &str, new: &str, renames: &mut Vec<_>| {
        if taken.contains(&(schema.to_string(), old.to_string()))
            || taken.contains(&(schema.to_string(), new.to_string()))
        {
            return;
        }
        taken.insert((schema.to_string(), old.to_string()));
        taken.insert((schema.to_string(), new.to_string()));
        renames.push((schema.to_string(), old.to_string(), new.to_string()));
    };
    for table in &desired.tables {
        if let Some(old) = &table.renamed_from {
            let (schema, new) = (table.schema.as_str(), table.name.as_str());
            if current_tables.contains(&(schema, old))
                && !current_tables.contains(&(schema, new))
                && !desired_tables.contains(&(schema, old))
            {
                consider(schema, old, new, &mut table_renames);
            }
        }
    }
    for table in &current.tables {
        if let Some(old) = &table.renamed_from {
            let (schema, new) = (table.schema.as_str(), table.name.as_str());
            if desired_tables.contains(&(schema, old))
                && !desired_tables.contains(&(schema, new))
                && !current_tables.contains(&(schema, old))
            {
                consider(schema, new, old, &mut table_renames);
            }
        }
    }

    // Current tables under their post-rename names.
    let renamed_to: HashMap<Key, &str> = table_renames
        .iter()
        .map(|(s, old, new)| ((s.as_str(), old.as_str()), new.as_str()))
        .collect();
    let current_by_new_name: HashMap<Key, &Table> = current
        .tables
        .iter()
        .map(|t| {
            let key = (t.schema.as_str(), t.name.as_str());
            let name = renamed_to.get(&key).copied().unwrap_or(&t.name);
            ((t.schema.as_str(), name), t)
        })
        .collect();
    let desired_by_name: HashMap<Key, &Table> = desired
        .tables
        .iter()
        .map(|t| ((t.schema.as_str(), t.name.as_str()), t))
        .collect();

    // (table after renames, old column, new column)
    let mut column_renames: Vec<ColumnRename> = Vec::new();
    for (&key, &want) in &desired_by_name {
        let Some(&have) = current_by_new_name.get(&key) else {
            continue;
        };
        let mut taken: HashSet<&str> = HashSet::new();
        let mut pairs = Vec::new();
        for column in &want.columns {
            if let Some(old) = &column.renamed_from
                && have.column(old).is_some()
                && have.column(&column.name).is_none()
                && want.column(old).is_none()
            {
                pairs.push((old.as_str(), column.name.as_str()));
            }
        }
        for column in &have.columns {
            if let Some(old) = &column.renamed_from
                && want.column(old).is_some()
                && want.column(&column.name).is_none()
                && have.column(old).is_none()
            {
                pairs.push((column.name.as_str(), old.as_str()));
            }
        }
        for (old, new) in pairs {
            if taken.insert(old) && taken.insert(new) {
                column_renames.push((
                    QualifiedName::new(key.0, key.1),
                    old.to_string(),
                    new.to_string(),
                ));
            }
        }
    }
    column_renames.sort();
    (table_renames, column_renames)
}

/// Whether some table on both sides has a constraint or index only in `current` that is
/// identical but for the name to one only in `desired`: the precondition of a constraint or
/// index rename. Read-only, so the common case (no rename) never clones the catalog.
fn constraint_or_index_names_differ(current: &Catalog, desired: &Catalog) -> bool {
    fn pair<T: Item>(have: &[T], want: &[T]) -> bool {
        // Lists are in name order: the same names pairwise means no name is on one side only.
        if have.len() == want.len() && have.iter().zip(want).all(|(a, b)| a.name() == b.name()) {
            return false;
        }
        let in_list = |list: &[T], name: &str| list.iter().any(|item| item.name() == name);
        have.iter()
            .filter(|old| !in_list(want, old.name()))
            .any(|old| {
                want.iter()
                    .filter(|new| !in_list(have, new.name()))
                    .any(|new| old.with_name(new.name()) == *new)
            })
    }
    paired_tables(&current.tables, &desired.tables)
        .into_iter()
        .any(|pair_of_tables| match pair_of_tables {
            (Some(have), Some(want)) => {
                pair(have.primary_key.as_slice(), want.primary_key.as_slice())
                    || pair(&have.uniques, &want.uniques)
                    || pair(&have.foreign_keys, &want.foreign_keys)
                    || pair(&have.checks, &want.checks)
                    || pair(&have.exclusions, &want.exclusions)
                    || pair(&have.indexes, &want.indexes)
            }
            _ => false,
        })
}

/// Within each kept table (after table and column renames), a constraint or index only in
/// `current` and one only in `desired` that are identical but for the name (comments
/// included) are one renamed object: emits the rename and applies it to `current`.
/// Candidates pair 1:1 in name order; a rename whose new name is still taken in `current`
/// stays a drop and a create.
fn rename_constraints_and_indexes(
    current: &mut Catalog,
    desired: &Catalog,
    changes: &mut Vec<Change>,
) {
    // Names of relations per schema (indexes share the namespace of tables and sequences).
    let mut relations: HashMap<String, HashSet<String>> = HashMap::new();
    for table in &current.tables {
        let names = relations.entry(table.schema.clone()).or_default();
        names.insert(table.name.clone());
        names.extend(table.primary_key.iter().map(|pk| pk.name.clone()));
        names.extend(table.uniques.iter().map(|u| u.name.clone()));
        names.extend(table.exclusions.iter().map(|e| e.name.clone()));
        names.extend(table.indexes.iter().map(|i| i.name.clone()));
    }
    for sequence in &current.sequences {
        relations
            .entry(sequence.schema.clone())
            .or_default()
            .insert(sequence.name.clone());
    }

    // Positions by name: a linear search per desired table made this quadratic.
    let positions: HashMap<(String, String), usize> = current
        .tables
        .iter()
        .enumerate()
        .map(|(position, table)| ((table.schema.clone(), table.name.clone()), position))
        .collect();
    for want in &desired.tables {
        let Some(&position) = positions.get(&(want.schema.clone(), want.name.clone())) else {
            continue;
        };
        let have = &mut current.tables[position];
        let table = have.qualified_name();
        let mut names = Names {
            relations: relations.entry(want.schema.clone()).or_default(),
            constraints: have
                .primary_key
                .iter()
                .map(|c| c.name.clone())
                .chain(have.uniques.iter().map(|c| c.name.clone()))
                .chain(have.foreign_keys.iter().map(|c| c.name.clone()))
                .chain(have.checks.iter().map(|c| c.name.clone()))
                .chain(have.exclusions.iter().map(|c| c.name.clone()))
                .collect(),
        };
        let mut constraint_renames = Vec::new();
        let mut pk: Vec<PrimaryKey> = have.primary_key.take().into_iter().collect();
        let want_pk: Vec<PrimaryKey> = want.primary_key.iter().cloned().collect();
        constraint_renames.extend(rename_items(&mut pk, &want_pk, |name| {
            names.claim_constraint(name, true)
        }));
        have.primary_key = pk.pop();
        constraint_renames.extend(rename_items(&mut have.uniques, &want.uniques, |name| {
            names.claim_constraint(name, true)
        }));
        constraint_renames.extend(rename_items(
            &mut have.foreign_keys,
            &want.foreign_keys,
            |name| names.claim_constraint(name, false),
        ));
        constraint_renames.extend(rename_items(&mut have.checks, &want.checks, |name| {
            names.claim_constraint(name, false)
        }));
        constraint_renames.extend(rename_items(
            &mut have.exclusions,
            &want.exclusions,
            |name| names.claim_constraint(name, true),
        ));
        let index_renames = rename_items(&mut have.indexes, &want.indexes, |name| {
            names.relations.insert(name.to_string())
        });
        for (from, to) in constraint_renames {
            changes.push(Change::RenameConstraint {
                table: table.clone(),
                from,
                to,
            });
        }
        for (from, to) in index_renames {
            changes.push(Change::RenameIndex {
                table: table.clone(),
                from,
                to,
            });
        }
    }
}

/// The names taken in `current` (never released: a rename onto a name that another rename of
/// the same plan frees is left a drop and a create).
struct Names<'a> {
    relations: &'a mut HashSet<String>,
    constraints: HashSet<String>,
}

impl Names<'_> {
    /// Takes `name` for a constraint (and its index, when `indexed`) if it is free.
    fn claim_constraint(&mut self, name: &str, indexed: bool) -> bool {
        if self.constraints.contains(name) || (indexed && self.relations.contains(name)) {
            return false;
        }
        self.constraints.insert(name.to_string());
        if indexed {
            self.relations.insert(name.to_string());
        }
        true
    }
}

/// Renames, in `have`, each item only in `have` to an item only in `want` that is identical
/// but for the name, pairing 1:1 in name order; `claim` decides whether the new name is free
/// (and takes it). Returns the (old, new) names.
fn rename_items<T: Item>(
    have: &mut [T],
    want: &[T],
    mut claim: impl FnMut(&str) -> bool,
) -> Vec<(String, String)> {
    let in_list = |list: &[T], name: &str| list.iter().any(|item| item.name() == name);
    let mut olds: Vec<usize> = (0..have.len())
        .filter(|&i| !in_list(want, have[i].name()))
        .collect();
    olds.sort_by(|&a, &b| have[a].name().cmp(have[b].name()));
    let mut news: Vec<&T> = want
        .iter()
        .filter(|item| !in_list(have, item.name()))
        .collect();
    news.sort_by(|a, b| a.name().cmp(b.name()));
    let mut renames = Vec::new();
    for old in olds {
        let found = news
            .iter()
            .position(|new| have[old].with_name(new.name()) == **new);
        if let Some(position) = found {
            let new = news.remove(position);
            if claim(new.name()) {
                renames.push((have[old].name().to_string(), new.name().to_string()));
                have[old] = new.clone();
            }
        }
    }
    renames
}

/// What PostgreSQL does on `ALTER TABLE … RENAME TO`: references follow the table.
fn rename_table(catalog: &mut Catalog, from: &QualifiedName, to: &str) {
    for table in &mut catalog.tables {
        if table.schema == from.schema && table.name == from.name {
            table.name = to.to_string();
        }
        for foreign_key in &mut table.foreign_keys {
            if foreign_key.references == *from {
                foreign_key.references.name = to.to_string();
            }
        }
    }
    for sequence in &mut catalog.sequences {
        if let Some(owner) = &mut sequence.owned_by
            && owner.table == *from
        {
            owner.table.name = to.to_string();
        }
    }
}

/// What PostgreSQL does on `RENAME COLUMN` to the column lists (expressions are left alone:
/// they compare as changed and are re-created from the desired side).
fn rename_column(catalog: &mut Catalog, name: &QualifiedName, from: &str, to: &str) {
    let rename = |list: &mut Vec<String>| {
        for item in list.iter_mut().filter(|item| *item == from) {
            *item = to.to_string();
        }
    };
    for table in &mut catalog.tables {
        for foreign_key in &mut table.foreign_keys {
            if foreign_key.references == *name {
                rename(&mut foreign_key.referenced_columns);
            }
        }
        if table.qualified_name() != *name {
            continue;
        }
        for column in table.columns.iter_mut().filter(|c| c.name == from) {
            column.name = to.to_string();
        }
        if let Some(primary_key) = &mut table.primary_key {
            rename(&mut primary_key.columns);
            rename(&mut primary_key.include);
        }
        for unique in &mut table.uniques {
            rename(&mut unique.columns);
            rename(&mut unique.include);
        }
        for foreign_key in &mut table.foreign_keys {
            rename(&mut foreign_key.columns);
            rename(&mut foreign_key.on_delete_columns);
        }
        for index in &mut table.indexes {
            rename(&mut index.include);
            for key in &mut index.keys {
                if let IndexTarget::Column(column) = &mut key.target
                    && column == from
                {
                    *column = to.to_string();
                }
            }
        }
    }
    for sequence in &mut catalog.sequences {
        if let Some(owner) = &mut sequence.owned_by
            && owner.table == *name
            && owner.column == from
        {
            owner.column = to.to_string();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Schemas, extensions, enums, sequences

fn diff_schemas(current: &Catalog, desired: &Catalog, changes: &mut Vec<Change>) {
    let have: HashMap<&str, _> = current.schemas.iter().map(|s| (&*s.name, s)).collect();
    let want: HashSet<&str> = desired.schemas.iter().map(|s| &*s.name).collect();
    for schema in &desired.schemas {
        let target = || CommentTarget::Schema {
            name: schema.name.clone(),
        };
        match have.get(&*schema.name) {
            None => {
                changes.push(Change::CreateSchema {
                    schema: schema.clone(),
                });
                if schema.comment.is_some() {
                    changes.push(comment_change(target(), &schema.comment));
                }
            }
            Some(old) if old.comment != schema.comment => {
                changes.push(comment_change(target(), &schema.comment));
            }
            Some(_) => {}
        }
    }
    for schema in &current.schemas {
        if !want.contains(&*schema.name) {
            changes.push(Change::DropSchema {
                name: schema.name.clone(),
            });
        }
    }
}

fn diff_extensions(current: &Catalog, desired: &Catalog, changes: &mut Vec<Change>) {
    let have: HashMap<&str, _> = current.extensions.iter().map(|e| (&*e.name, e)).collect();
    let want: HashSet<&str> = desired.extensions.iter().map(|e| &*e.name).collect();
    for extension in &desired.extensions {
        match have.get(&*extension.name) {
            None => changes.push(Change::CreateExtension {
                extension: extension.clone(),
            }),
            Some(old) => {
                if old.schema != extension.schema {
                    changes.push(Change::SetExtensionSchema {
                        name: extension.name.clone(),
                        schema: extension.schema.clone(),
                    });
                }
                if old.version != extension.version {
                    changes.push(Change::UpdateExtension {
                        name: extension.name.clone(),
                        from: old.version.clone(),
                        to: extension.version.clone(),
                    });
                }
            }
        }
    }
    for extension in &current.extensions {
        if !want.contains(&*extension.name) {
            changes.push(Change::DropExtension {
                name: extension.name.clone(),
            });
        }
    }
}

/// Emits the enum changes and returns the types re-created because values were removed or
/// reordered (PostgreSQL can only add values): the old type is renamed out of the way, the new
/// one created, columns converted by [`alter_column`], and the old type dropped at the end.
fn diff_enums(current: &Catalog, desired: &Catalog, changes: &mut Vec<Change>) -> Vec<TypeName> {
    let key = |e: &EnumType| (e.schema.clone(), e.name.clone());
    let have: HashMap<_, _> = current.enums.iter().map(|e| (key(e), e)).collect();
    let want: HashSet<_> = desired.enums.iter().map(key).collect();
    let mut recreated = Vec::new();
    for enum_type in &desired.enums {
        let name = QualifiedName::new(&enum_type.schema, &enum_type.name);
        let target = || CommentTarget::Type { name: name.clone() };
        let Some(old) = have.get(&key(enum_type)) else {
            changes.push(Change::CreateEnum {
                enum_type: enum_type.clone(),
            });
            if enum_type.comment.is_some() {
                changes.push(comment_change(target(), &enum_type.comment));
            }
            continue;
        };
        let existing: HashSet<&str> = old.values.iter().map(String::as_str).collect();
        let kept: Vec<&String> = enum_type
            .values
            .iter()
            .filter(|value| existing.contains(value.as_str()))
            .collect();
        if kept.len() != old.values.len() || kept.iter().zip(&old.values).any(|(a, b)| *a != b) {
            let retired = retired_type_name(&name, [current, desired]);
            changes.push(Change::RenameEnum {
                from: name.clone(),
                to: retired.clone(),
            });
            changes.push(Change::CreateEnum {
                enum_type: EnumType {
                    renamed_from: None,
                    ..enum_type.clone()
                },
            });
            if enum_type.comment.is_some() {
                changes.push(comment_change(target(), &enum_type.comment));
            }
            changes.push(Change::DropEnum {
                name: QualifiedName::new(&enum_type.schema, retired),
            });
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
            changes.push(Change::AddEnumValue {
                name: name.clone(),
                value: value.clone(),
                position,
            });
        }
        if old.comment != enum_type.comment {
            changes.push(comment_change(target(), &enum_type.comment));
        }
    }
    for enum_type in &current.enums {
        if !want.contains(&key(enum_type)) {
            changes.push(Change::DropEnum {
                name: QualifiedName::new(&enum_type.schema, &enum_type.name),
            });
        }
    }
    recreated
}

/// A name for a type about to be re-created, free in its schema on both sides (types share
/// their namespace with tables and sequences) and at most 63 bytes.
fn retired_type_name(name: &QualifiedName, catalogs: [&Catalog; 2]) -> String {
    let taken = |candidate: &str| {
        catalogs.iter().any(|catalog| {
            let here = |schema: &str, other: &str| schema == name.schema && other == candidate;
            catalog.enums.iter().any(|e| here(&e.schema, &e.name))
                || catalog.tables.iter().any(|t| here(&t.schema, &t.name))
                || catalog.sequences.iter().any(|s| here(&s.schema, &s.name))
        })
    };
    let mut attempt = 1;
    loop {
        let suffix = match attempt {
            1 => "_autogen_old".to_string(),
            n => format!("_autogen_old{n}"),
        };
        let mut base = name.name.clone();
        while base.len() + suffix.len() > 63 {
            base.pop();
        }
        let candidate = base + &suffix;
        if !taken(&candidate) {
            return candidate;
        }
        attempt += 1;
    }
}

fn diff_sequences(current: &Catalog, desired: &Catalog, changes: &mut Vec<Change>) {
    let key = |s: &autogen_schema::Sequence| (s.schema.clone(), s.name.clone());
    let have: HashMap<_, _> = current.sequences.iter().map(|s| (key(s), s)).collect();
    let want: HashSet<_> = desired.sequences.iter().map(key).collect();
    for sequence in &desired.sequences {
        let name = QualifiedName::new(&sequence.schema, &sequence.name);
        let target = || CommentTarget::Sequence { name: name.clone() };
        match have.get(&key(sequence)) {
            None => {
                changes.push(Change::CreateSequence {
                    sequence: sequence.clone(),
                });
                if sequence.owned_by.is_some() {
                    changes.push(Change::SetSequenceOwner {
                        name: name.clone(),
                        owner: sequence.owned_by.clone(),
                    });
                }
                if sequence.comment.is_some() {
                    changes.push(comment_change(target(), &sequence.comment));
                }
            }
            Some(old) => {
                if old.data_type != sequence.data_type || old.options != sequence.options {
                    changes.push(Change::AlterSequence {
                        from: (*old).clone(),
                        to: sequence.clone(),
                    });
                }
                if old.owned_by != sequence.owned_by {
                    // Release first, so dropping the old owner does not drop the sequence.
                    if old.owned_by.is_some() {
                        changes.push(Change::SetSequenceOwner {
                            name: name.clone(),
                            owner: None,
                        });
                    }
                    if sequence.owned_by.is_some() {
                        changes.push(Change::SetSequenceOwner {
                            name: name.clone(),
                            owner: sequence.owned_by.clone(),
                        });
                    }
                }
                if old.comment != sequence.comment {
                    changes.push(comment_change(target(), &sequence.comment));
                }
            }
        }
    }
    for sequence in &current.sequences {
        if want.contains(&key(sequence)) {
            continue;
        }
        let name = QualifiedName::new(&sequence.schema, &sequence.name);
        if sequence.owned_by.is_some() {
            changes.push(Change::SetSequenceOwner {
                name: name.clone(),
                owner: None,
            });
        }
        changes.push(Change::DropSequence { name });
    }
}

// ---------------------------------------------------------------------------------------------
// Tables

/// Comparison of named table items, comments aside.
trait Item: Clone + PartialEq {
    fn name(&self) -> &str;
    fn comment(&self) -> &Option<String>;
    fn without_comment(&self) -> Self;
    fn with_name(&self, name: &str) -> Self;
    fn same(&self, other: &Self) -> bool {
        // Comments almost always agree: compare in place and clone only when they do not.
        if self.comment() == other.comment() {
            self == other
        } else {
            self.without_comment() == other.without_comment()
        }
    }
}

macro_rules! item {
    ($($ty:ty),*) => {$(
        impl Item for $ty {
            fn name(&self) -> &str {
                &self.name
            }
            fn comment(&self) -> &Option<String> {
                &self.comment
            }
            fn without_comment(&self) -> Self {
                Self { comment: None, ..self.clone() }
            }
            fn with_name(&self, name: &str) -> Self {
                Self { name: name.to_string(), ..self.clone() }
            }
        }
    )*};
}
item!(
    PrimaryKey,
    UniqueConstraint,
    CheckConstraint,
    ExclusionConstraint,
    ForeignKey,
    Index
);

enum Op<'a, T> {
    Drop(&'a T),
    /// Added; its comment (if any) is to be set too.
    Add(&'a T),
    /// Unchanged but for the comment.
    Comment(&'a T),
}

/// Items matched by name (renames identical but for the name were applied before): a changed one is dropped and re-added, an unchanged one is never
/// touched (only its comment may change). `force` re-creates an unchanged one anyway.
fn diff_items<'a, T: Item>(
    have: &'a [T],
    want: &'a [T],
    force: impl Fn(&T) -> bool,
) -> Vec<Op<'a, T>> {
    let mut ops = Vec::new();
    let find = |list: &'a [T], name: &str| list.iter().find(|item| item.name() == name);
    for old in have {
        match find(want, old.name()) {
            Some(new) if old.same(new) && !force(new) => {}
            _ => ops.push(Op::Drop(old)),
        }
    }
    for new in want {
        match find(have, new.name()) {
            Some(old) if old.same(new) && !force(new) => {
                if old.comment() != new.comment() {
                    ops.push(Op::Comment(new));
                }
            }
            _ => ops.push(Op::Add(new)),
        }
    }
    ops
}

fn constraint_comment(table: &QualifiedName, name: &str, comment: &Option<String>) -> Change {
    comment_change(
        CommentTarget::Constraint {
            table: table.clone(),
            constraint: name.to_string(),
        },
        comment,
    )
}

fn index_comment(table: &QualifiedName, index: &Index) -> Change {
    comment_change(
        CommentTarget::Index {
            name: QualifiedName::new(&table.schema, &index.name),
        },
        &index.comment,
    )
}

fn diff_tables(
    current: &Catalog,
    desired: &Catalog,
    recreated: &[TypeName],
    changes: &mut Vec<Change>,
) -> Result<(), DiffError> {
    let pairs = paired_tables(&current.tables, &desired.tables);
    let mut rebuilt = Rebuilt::default();
    // Most tables are unchanged: one comparison instead of a walk through every part.
    let identical: Vec<bool> = pairs
        .iter()
        .map(|pair| matches!(pair, (Some(old), Some(new)) if old == new))
        .collect();
    for (pair, &identical) in pairs.iter().zip(&identical) {
        match *pair {
            (None, Some(table)) => create_table(table, changes),
            (Some(_), Some(_)) if identical && recreated.is_empty() => {}
            (Some(old), Some(table)) => alter_table(old, table, recreated, changes, &mut rebuilt),
            _ => {}
        }
    }
    for pair in &pairs {
        if let (Some(table), None) = pair {
            changes.push(Change::DropTable {
                name: table.qualified_name(),
            });
        }
    }

    // Foreign keys last: drops of every current table, adds of every desired table.
    let unchanged = |&(_, &identical): &(&TablePair, &bool)| identical && rebuilt.is_empty();
    let candidates = || {
        pairs
            .iter()
            .zip(&identical)
            .filter(|entry| !unchanged(entry))
            .map(|(pair, _)| pair)
    };
    for pair in candidates() {
        let Some(table) = pair.0 else { continue };
        let name = table.qualified_name();
        for op in diff_items(&table.foreign_keys, foreign_keys(pair.1), |fk| {
            rebuilt.forces(&name, fk)
        }) {
            if let Op::Drop(fk) = op {
                changes.push(Change::DropForeignKey {
                    table: name.clone(),
                    name: fk.name.clone(),
                });
            }
        }
    }
    for pair in candidates() {
        let Some(table) = pair.1 else { continue };
        let name = table.qualified_name();
        for op in diff_items(foreign_keys(pair.0), &table.foreign_keys, |fk| {
            rebuilt.forces(&name, fk)
        }) {
            match op {
                Op::Drop(_) => {}
                Op::Add(fk) => {
                    changes.push(Change::AddForeignKey {
                        table: name.clone(),
                        foreign_key: fk.clone(),
                    });
                    if fk.comment.is_some() {
                        changes.push(constraint_comment(&name, &fk.name, &fk.comment));
                    }
                }
                Op::Comment(fk) => changes.push(constraint_comment(&name, &fk.name, &fk.comment)),
            }
        }
    }
    Ok(())
}

/// The foreign keys of a table that may be absent on one side.
fn foreign_keys(table: Option<&Table>) -> &[ForeignKey] {
    table.map_or(&[], |t| t.foreign_keys.as_slice())
}

/// A referenced table and the sorted columns of one of its keys: what a foreign key depends on.
type KeyColumns = (QualifiedName, Vec<String>);

/// What kept tables re-create although its definition is unchanged, so foreign keys (handled
/// after all tables) follow.
#[derive(Default)]
struct Rebuilt {
    /// Primary keys, unique constraints and unique indexes re-created: foreign keys
    /// referencing them must be dropped first and re-added after.
    keys: HashSet<KeyColumns>,
    /// Foreign keys (table, name) on a column that is re-created or converted.
    foreign_keys: HashSet<(QualifiedName, String)>,
    /// Columns (table, column) whose type changes: PostgreSQL re-checks a foreign key after
    /// each `ALTER COLUMN … TYPE`, and fails while only one side has changed, so every foreign
    /// key from or to such a column is dropped before and added back after.
    /// Within the integer types or within the string types a key stays comparable all along
    /// (one btree operator family), so those changes are not recorded.
    retyped_columns: HashSet<(QualifiedName, String)>,
}

/// Whether a kept column's type change breaks its foreign keys while only one side has changed:
/// a type leaving its btree family, or a conversion to a re-created enum type.
fn retypes_foreign_keys(old: &Column, new: &Column, recreated: &[TypeName]) -> bool {
    let family = crate::casts::comparable_family(&old.data_type);
    (old.data_type != new.data_type
        && (family.is_none() || family != crate::casts::comparable_family(&new.data_type)))
        || recreated.iter().any(|t| t.is_type_of(&new.data_type))
}

impl Rebuilt {
    fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.foreign_keys.is_empty() && self.retyped_columns.is_empty()
    }

    /// Whether the foreign key `fk` of `table` must be re-created although unchanged.
    fn forces(&self, table: &QualifiedName, fk: &ForeignKey) -> bool {
        self.keys
            .contains(&key_columns(&fk.references, &fk.referenced_columns))
            || self
                .foreign_keys
                .contains(&(table.clone(), fk.name.clone()))
            || (!self.retyped_columns.is_empty() && self.retypes(table, fk))
    }

    /// Whether a column on either side of `fk` changes type.
    fn retypes(&self, table: &QualifiedName, fk: &ForeignKey) -> bool {
        let changed = |table: &QualifiedName, column: &String| {
            self.retyped_columns
                .contains(&(table.clone(), column.clone()))
        };
        fk.columns.iter().any(|column| changed(table, column))
            || fk
                .referenced_columns
                .iter()
                .any(|column| changed(&fk.references, column))
    }
}

fn key_columns(table: &QualifiedName, columns: &[String]) -> KeyColumns {
    let mut columns = columns.to_vec();
    columns.sort();
    (table.clone(), columns)
}

fn create_table(table: &Table, changes: &mut Vec<Change>) {
    let name = table.qualified_name();
    // Exactly what `sql::create_table` renders; the rest follows as separate changes.
    let mut created = table.clone();
    created.foreign_keys.clear();
    created.indexes.clear();
    created.checks.retain(|check| !check.not_valid);
    created.renamed_from = None;
    changes.push(Change::CreateTable { table: created });
    for check in table.checks.iter().filter(|check| check.not_valid) {
        changes.push(Change::AddCheck {
            table: name.clone(),
            check: check.clone(),
        });
    }
    for index in &table.indexes {
        changes.push(Change::CreateIndex {
            table: name.clone(),
            index: index.clone(),
        });
    }
    if table.comment.is_some() {
        changes.push(comment_change(
            CommentTarget::Table { name: name.clone() },
            &table.comment,
        ));
    }
    for column in table.columns.iter().filter(|c| c.comment.is_some()) {
        changes.push(comment_change(
            CommentTarget::Column {
                table: name.clone(),
                column: column.name.clone(),
            },
            &column.comment,
        ));
    }
    let constraints = table
        .primary_key
        .iter()
        .map(|c| (&c.name, &c.comment))
        .chain(table.uniques.iter().map(|c| (&c.name, &c.comment)))
        .chain(table.checks.iter().map(|c| (&c.name, &c.comment)))
        .chain(table.exclusions.iter().map(|c| (&c.name, &c.comment)));
    for (constraint, comment) in constraints.filter(|(_, comment)| comment.is_some()) {
        changes.push(constraint_comment(&name, constraint, comment));
    }
    for index in table.indexes.iter().filter(|i| i.comment.is_some()) {
        changes.push(index_comment(&name, index));
    }
}

fn alter_table(
    old: &Table,
    new: &Table,
    recreated: &[TypeName],
    changes: &mut Vec<Change>,
    rebuilt: &mut Rebuilt,
) {
    let name = new.qualified_name();
    if old.unlogged != new.unlogged {
        changes.push(Change::SetUnlogged {
            table: name.clone(),
            unlogged: new.unlogged,
        });
    }
    if old.comment != new.comment {
        changes.push(comment_change(
            CommentTarget::Table { name: name.clone() },
            &new.comment,
        ));
    }

    let mut replaced: Vec<ColumnName> = Vec::new();
    for column in &new.columns {
        match old.column(&column.name) {
            None => {
                changes.push(Change::AddColumn {
                    table: name.clone(),
                    column: Column {
                        renamed_from: None,
                        ..column.clone()
                    },
                });
                if column.comment.is_some() {
                    changes.push(comment_change(
                        CommentTarget::Column {
                            table: name.clone(),
                            column: column.name.clone(),
                        },
                        &column.comment,
                    ));
                }
            }
            Some(existing) => {
                if retypes_foreign_keys(existing, column, recreated) {
                    rebuilt
                        .retyped_columns
                        .insert((name.clone(), column.name.clone()));
                }
                if alter_column(&name, existing, column, recreated, changes)
                    == ColumnChange::Replaced
                {
                    replaced.push(ColumnName::new(&column.name));
                }
            }
        }
    }
    // Constraints and indexes that mention a column dropped and added back, or a re-created
    // type (PostgreSQL re-parses their stored text when a column's type changes, and that text
    // names the old type), are re-created around the change.
    let of_replaced = |test: &dyn Fn(&ColumnName) -> bool| replaced.iter().any(test);
    let of_recreated = |text: &str| recreated.iter().any(|t| t.in_text(text));
    // (Foreign keys over a converted column follow `rebuilt.retyped_columns`.)
    for fk in &new.foreign_keys {
        if replaced.iter().any(|c| c.in_foreign_key(fk)) {
            rebuilt.foreign_keys.insert((name.clone(), fk.name.clone()));
        }
    }
    for column in &old.columns {
        if new.column(&column.name).is_none() {
            changes.push(Change::DropColumn {
                table: name.clone(),
                column: column.name.clone(),
            });
        }
    }

    let drop_constraint =
        |constraint_name: &str, constraint: ConstraintKind| Change::DropConstraint {
            table: name.clone(),
            name: constraint_name.to_string(),
            constraint,
        };
    let old_pk: Vec<PrimaryKey> = old.primary_key.iter().cloned().collect();
    let new_pk: Vec<PrimaryKey> = new.primary_key.iter().cloned().collect();
    // A primary key is one per table: a renamed one is a changed one.
    let pk_changed = match (&old.primary_key, &new.primary_key) {
        (Some(a), Some(b)) => !a.same(b),
        (None, None) => false,
        _ => true,
    };
    let force_pk = |pk: &PrimaryKey| pk_changed || of_replaced(&|c| c.in_primary_key(pk));
    for op in diff_items(&old_pk, &new_pk, force_pk) {
        match op {
            Op::Drop(pk) => {
                rebuilt.keys.insert(key_columns(&name, &pk.columns));
                changes.push(drop_constraint(&pk.name, ConstraintKind::PrimaryKey));
            }
            Op::Add(pk) => {
                changes.push(Change::AddPrimaryKey {
                    table: name.clone(),
                    primary_key: pk.clone(),
                });
                if pk.comment.is_some() {
                    changes.push(constraint_comment(&name, &pk.name, &pk.comment));
                }
            }
            Op::Comment(pk) => changes.push(constraint_comment(&name, &pk.name, &pk.comment)),
        }
    }

    let force_unique = |unique: &UniqueConstraint| of_replaced(&|c| c.in_unique(unique));
    for op in diff_items(&old.uniques, &new.uniques, force_unique) {
        match op {
            Op::Drop(unique) => {
                rebuilt.keys.insert(key_columns(&name, &unique.columns));
                changes.push(drop_constraint(&unique.name, ConstraintKind::Unique));
            }
            Op::Add(unique) => {
                changes.push(Change::AddUnique {
                    table: name.clone(),
                    unique: unique.clone(),
                });
                if unique.comment.is_some() {
                    changes.push(constraint_comment(&name, &unique.name, &unique.comment));
                }
            }
            Op::Comment(unique) => {
                changes.push(constraint_comment(&name, &unique.name, &unique.comment))
            }
        }
    }
    let force_check = |check: &CheckConstraint| {
        of_replaced(&|c| c.in_check(check)) || of_recreated(&check.expression)
    };
    for op in diff_items(&old.checks, &new.checks, force_check) {
        match op {
            Op::Drop(check) => changes.push(drop_constraint(&check.name, ConstraintKind::Check)),
            Op::Add(check) => {
                changes.push(Change::AddCheck {
                    table: name.clone(),
                    check: check.clone(),
                });
                if check.comment.is_some() {
                    changes.push(constraint_comment(&name, &check.name, &check.comment));
                }
            }
            Op::Comment(check) => {
                changes.push(constraint_comment(&name, &check.name, &check.comment))
            }
        }
    }
    let force_exclusion = |exclusion: &ExclusionConstraint| {
        of_replaced(&|c| c.in_exclusion(exclusion)) || of_recreated(&exclusion.definition)
    };
    for op in diff_items(&old.exclusions, &new.exclusions, force_exclusion) {
        match op {
            Op::Drop(exclusion) => {
                changes.push(drop_constraint(&exclusion.name, ConstraintKind::Exclusion))
            }
            Op::Add(exclusion) => {
                changes.push(Change::AddExclusion {
                    table: name.clone(),
                    exclusion: exclusion.clone(),
                });
                if exclusion.comment.is_some() {
                    changes.push(constraint_comment(
                        &name,
                        &exclusion.name,
                        &exclusion.comment,
                    ));
                }
            }
            Op::Comment(exclusion) => changes.push(constraint_comment(
                &name,
                &exclusion.name,
                &exclusion.comment,
            )),
        }
    }
    let force_index = |index: &Index| {
        of_replaced(&|c| c.in_index(index)) || recreated.iter().any(|t| t.in_index(index))
    };
    for op in diff_items(&old.indexes, &new.indexes, force_index) {
        match op {
            Op::Drop(index) => {
                let columns: Option<Vec<String>> = index
                    .keys
                    .iter()
                    .map(|key| match &key.target {
                        IndexTarget::Column(column) => Some(column.clone()),
                        IndexTarget::Expression(_) => None,
                    })
                    .collect();
                if let (true, None, Some(columns)) = (index.unique, &index.predicate, columns) {
                    rebuilt.keys.insert(key_columns(&name, &columns));
                }
                changes.push(Change::DropIndex {
                    table: name.clone(),
                    name: index.name.clone(),
                });
            }
            Op::Add(index) => {
                changes.push(Change::CreateIndex {
                    table: name.clone(),
                    index: index.clone(),
                });
                if index.comment.is_some() {
                    changes.push(index_comment(&name, index));
                }
            }
            Op::Comment(index) => changes.push(index_comment(&name, index)),
        }
    }
}

/// What [`alter_column`] did to a kept column.
#[derive(Debug, PartialEq, Eq)]
enum ColumnChange {
    /// Altered in place (or not at all).
    InPlace,
    /// Dropped and added back: its constraints and indexes must be re-created.
    Replaced,
}

/// Column changes, in the order PostgreSQL needs them: identity, expression and default off,
/// type (or collation, or conversion to a re-created enum type), nullability, default and
/// identity on. A column that becomes generated or changes its expression is replaced.
fn alter_column(
    table: &QualifiedName,
    old: &Column,
    new: &Column,
    recreated: &[TypeName],
    changes: &mut Vec<Change>,
) -> ColumnChange {
    let column = || new.name.clone();
    if new.generated.is_some() && old.generated != new.generated {
        changes.push(Change::ReplaceWithGeneratedColumn {
            table: table.clone(),
            column: Column {
                renamed_from: None,
                ..new.clone()
            },
            was_generated: old.generated.is_some(),
        });
        if new.comment.is_some() {
            changes.push(comment_change(
                CommentTarget::Column {
                    table: table.clone(),
                    column: column(),
                },
                &new.comment,
            ));
        }
        return ColumnChange::Replaced;
    }
    if old.generated.is_some() && new.generated.is_none() {
        changes.push(Change::DropExpression {
            table: table.clone(),
            column: column(),
        });
    }
    let converted =
        old.data_type == new.data_type && recreated.iter().any(|t| t.is_type_of(&new.data_type));
    let type_changed = old.data_type != new.data_type || converted;
    let collation_changed = old.collation != new.collation;
    if old.identity.is_some() && new.identity.is_none() {
        changes.push(Change::DropIdentity {
            table: table.clone(),
            column: column(),
        });
    }
    // A default that may not cast to the new type is dropped first and set again after; a
    // changed default alone is simply replaced by SET DEFAULT.
    if old.default.is_some() && (new.default.is_none() || type_changed) {
        changes.push(Change::DropDefault {
            table: table.clone(),
            column: column(),
        });
    }
    if type_changed || collation_changed {
        let keeps_values = crate::casts::is_binary_coercible(&old.data_type, &new.data_type);
        let conversion = if new.generated.is_some() || !type_changed {
            Conversion::Implicit
        } else if converted {
            Conversion::ViaText
        } else if keeps_values {
            // No USING: PostgreSQL's own coercion is what lets it skip the rewrite.
            Conversion::Implicit
        } else {
            Conversion::Cast
        };
        let collation = match (&new.collation, collation_changed) {
            (None, true) => Some(r#"pg_catalog."default""#.to_string()),
            (collation, _) => collation.clone(),
        };
        changes.push(Change::AlterColumnType {
            table: table.clone(),
            column: column(),
            from: old.data_type.clone(),
            to: new.data_type.clone(),
            conversion,
            collation,
        });
    }
    match (old.not_null, new.not_null) {
        (false, true) => changes.push(Change::SetNotNull {
            table: table.clone(),
            column: column(),
        }),
        (true, false) => changes.push(Change::DropNotNull {
            table: table.clone(),
            column: column(),
        }),
        _ => {}
    }
    if let Some(default) = &new.default
        && (old.default != new.default || type_changed)
    {
        changes.push(Change::SetDefault {
            table: table.clone(),
            column: column(),
            default: default.clone(),
        });
    }
    match (&old.identity, &new.identity) {
        (None, Some(identity)) => changes.push(Change::AddIdentity {
            table: table.clone(),
            column: column(),
            data_type: new.data_type.clone(),
            identity: identity.clone(),
        }),
        (Some(from), Some(to)) => {
            // `ALTER COLUMN … TYPE` moves an identity's MAXVALUE that was the old type's default.
            let mut from = from.clone();
            let old_default = SequenceOptions::defaults_for(&old.data_type).max_value;
            if type_changed && from.options.max_value == old_default {
                from.options.max_value = SequenceOptions::defaults_for(&new.data_type).max_value;
            }
            if from != *to {
                changes.push(Change::AlterIdentity {
                    table: table.clone(),
                    column: column(),
                    data_type: new.data_type.clone(),
                    from,
                    to: to.clone(),
                });
            }
        }
        _ => {}
    }
    if old.comment != new.comment {
        changes.push(comment_change(
            CommentTarget::Column {
                table: table.clone(),
                column: column(),
            },
            &new.comment,
        ));
    }
    ColumnChange::InPlace
}
