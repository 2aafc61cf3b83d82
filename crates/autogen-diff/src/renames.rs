//! Renames: those of the rename intent that apply, and constraints and indexes identical but for
//! their name, emitted first and applied to the current catalog so the rest of the diff
//! compares by name.

use crate::change::Change;
use crate::family::*;

use crate::mentions::TypeName;
use crate::pairs::paired_tables;
use autogen_schema::{
    Catalog, EnumType, IndexTarget, ModelIntent, PrimaryKey, QualifiedName, Table,
};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// Emits the renames of `intent` that apply (old name present, new name absent) and returns
/// `current` as it is after them, so the rest of the diff compares by name.
pub(crate) fn apply_renames<'a>(
    current: &'a Catalog,
    desired: &Catalog,
    intent: &ModelIntent,
    changes: &mut Vec<Change>,
) -> Cow<'a, Catalog> {
    match apply_enum_renames(current, desired, intent, changes) {
        None => apply_table_renames(current, desired, intent, changes),
        Some(renamed) => {
            Cow::Owned(apply_table_renames(&renamed, desired, intent, changes).into_owned())
        }
    }
}

/// Enum type renames, then enum value renames (both `renamed_from` hints, either side):
/// emits them and returns `current` as PostgreSQL leaves it after them, or `None` when there
/// is nothing to rename.
pub(crate) fn apply_enum_renames(
    current: &Catalog,
    desired: &Catalog,
    intent: &ModelIntent,
    changes: &mut Vec<Change>,
) -> Option<Catalog> {
    if intent.enums.is_empty() && intent.enum_values.is_empty() {
        return None;
    }
    let type_renames = enum_type_renames(current, desired, intent);
    // Hints stay in the models long after they applied: clone only when something renames.
    if type_renames.is_empty() && enum_value_renames(current, desired, intent).is_empty() {
        return None;
    }
    let mut renamed = current.clone();
    for (from, to) in &type_renames {
        changes.push(Change::Enum(EnumChange::Rename {
            from: from.clone(),
            to: to.clone(),
        }));
        rename_type(&mut renamed, from, to);
    }
    let value_renames = enum_value_renames(&renamed, desired, intent);
    for (name, from, to) in &value_renames {
        changes.push(Change::Enum(EnumChange::RenameValue {
            name: name.clone(),
            from: from.clone(),
            to: to.clone(),
        }));
        rename_enum_value(&mut renamed, name, from, to);
    }
    renamed.canonicalize();
    Some(renamed)
}

/// The enum type renames of `intent` that apply: (old name, new name), in name order.
pub(crate) fn enum_type_renames(
    current: &Catalog,
    desired: &Catalog,
    intent: &ModelIntent,
) -> Vec<(QualifiedName, String)> {
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
    for rename in &intent.enums {
        let old = QualifiedName::new(&rename.schema, &rename.from);
        let new = QualifiedName::new(&rename.schema, &rename.to);
        if current_enums.contains(&old)
            && !current_enums.contains(&new)
            && !desired_enums.contains(&old)
            && !taken.contains(&old)
            && !taken.contains(&new)
        {
            taken.insert(old.clone());
            taken.insert(new.clone());
            renames.push((old, new.name));
        }
    }
    renames.sort();
    renames
}

/// The enum value renames of `intent` that apply, on `current` after the type renames: (type,
/// old label, new label).
pub(crate) fn enum_value_renames(
    current: &Catalog,
    desired: &Catalog,
    intent: &ModelIntent,
) -> Vec<(QualifiedName, String, String)> {
    let find = |catalog: &'_ Catalog, name: &QualifiedName| -> Option<EnumType> {
        catalog
            .enums
            .iter()
            .find(|e| e.schema == name.schema && e.name == name.name)
            .cloned()
    };
    let has = |e: &EnumType, value: &str| e.values.iter().any(|v| v == value);
    let mut renames = Vec::new();
    let mut taken: HashSet<(QualifiedName, String)> = HashSet::new();
    for rename in &intent.enum_values {
        let (Some(have), Some(want)) = (find(current, &rename.owner), find(desired, &rename.owner))
        else {
            continue;
        };
        let (old, new) = (&rename.from, &rename.to);
        let key = |label: &String| (rename.owner.clone(), label.clone());
        if has(&have, old)
            && !has(&have, new)
            && !has(&want, old)
            && !taken.contains(&key(old))
            && !taken.contains(&key(new))
        {
            taken.insert(key(old));
            taken.insert(key(new));
            renames.push((rename.owner.clone(), old.clone(), new.clone()));
        }
    }
    renames
}

/// Applies `rewrite` to every type and expression text of `catalog`'s tables.
pub(crate) fn rewrite_texts(catalog: &mut Catalog, rewrite: impl Fn(&str) -> Option<String>) {
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
pub(crate) fn rename_type(catalog: &mut Catalog, from: &QualifiedName, to: &str) {
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
pub(crate) fn rename_enum_value(catalog: &mut Catalog, name: &QualifiedName, from: &str, to: &str) {
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
pub(crate) fn apply_table_renames<'a>(
    current: &'a Catalog,
    desired: &Catalog,
    intent: &ModelIntent,
    changes: &mut Vec<Change>,
) -> Cow<'a, Catalog> {
    let (mut table_renames, column_renames) =
        if intent.tables.is_empty() && intent.columns.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            table_and_column_renames(current, desired, intent)
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
        changes.push(Change::Table(TableChange::Rename {
            from: from.clone(),
            to: new.clone(),
        }));
        rename_table(&mut renamed, &from, new);
    }
    for (table, old, new) in column_renames {
        changes.push(Change::Column(ColumnChange::Rename {
            table: table.clone(),
            from: old.clone(),
            to: new.clone(),
        }));
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
pub(crate) type TableRename = (String, String, String);

/// (table after renames, old column, new column).
pub(crate) type ColumnRename = (QualifiedName, String, String);

/// The table and column renames of `intent` that apply.
pub(crate) fn table_and_column_renames(
    current: &Catalog,
    desired: &Catalog,
    intent: &ModelIntent,
) -> (Vec<TableRename>, Vec<ColumnRename>) {
    let table_keys = |catalog: &Catalog| -> HashSet<(String, String)> {
        catalog
            .tables
            .iter()
            .map(|t| (t.schema.clone(), t.name.clone()))
            .collect()
    };
    let (current_tables, desired_tables) = (table_keys(current), table_keys(desired));
    let key = |schema: &str, name: &str| (schema.to_string(), name.to_string());
    // (schema, old name, new name)
    let mut table_renames: Vec<TableRename> = Vec::new();
    let mut taken: HashSet<(String, String)> = HashSet::new();
    for rename in &intent.tables {
        let (old, new) = (
            key(&rename.schema, &rename.from),
            key(&rename.schema, &rename.to),
        );
        if current_tables.contains(&old)
            && !current_tables.contains(&new)
            && !desired_tables.contains(&old)
            && !taken.contains(&old)
            && !taken.contains(&new)
        {
            taken.insert(old);
            taken.insert(new);
            table_renames.push((
                rename.schema.clone(),
                rename.from.clone(),
                rename.to.clone(),
            ));
        }
    }

    // A current table under its post-rename name.
    let current_table = |name: &QualifiedName| -> Option<&Table> {
        let old = table_renames
            .iter()
            .find(|(schema, _, new)| *schema == name.schema && *new == name.name)
            .map_or(name.name.as_str(), |(_, old, _)| old.as_str());
        current.table(&name.schema, old)
    };
    // (table after renames, old column, new column)
    let mut column_renames: Vec<ColumnRename> = Vec::new();
    let mut taken: HashSet<(QualifiedName, String)> = HashSet::new();
    for rename in &intent.columns {
        let (Some(have), Some(want)) = (
            current_table(&rename.owner),
            desired.table(&rename.owner.schema, &rename.owner.name),
        ) else {
            continue;
        };
        let (old, new) = (&rename.from, &rename.to);
        let column_key = |column: &String| (rename.owner.clone(), column.clone());
        if have.column(old).is_some()
            && have.column(new).is_none()
            && want.column(old).is_none()
            && !taken.contains(&column_key(old))
            && !taken.contains(&column_key(new))
        {
            taken.insert(column_key(old));
            taken.insert(column_key(new));
            column_renames.push((rename.owner.clone(), old.clone(), new.clone()));
        }
    }
    column_renames.sort();
    (table_renames, column_renames)
}

/// Whether some table on both sides has a constraint or index only in `current` that is
/// identical but for the name to one only in `desired`: the precondition of a constraint or
/// index rename. Read-only, so the common case (no rename) never clones the catalog.
pub(crate) fn constraint_or_index_names_differ(current: &Catalog, desired: &Catalog) -> bool {
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
pub(crate) fn rename_constraints_and_indexes(
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
            changes.push(Change::Constraint(ConstraintChange::Rename {
                table: table.clone(),
                from,
                to,
            }));
        }
        for (from, to) in index_renames {
            changes.push(Change::Index(IndexChange::Rename {
                table: table.clone(),
                from,
                to,
            }));
        }
    }
}

/// The names taken in `current` (never released: a rename onto a name that another rename of
/// the same plan frees is left a drop and a create).
pub(crate) struct Names<'a> {
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
pub(crate) fn rename_items<T: Item>(
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
pub(crate) fn rename_table(catalog: &mut Catalog, from: &QualifiedName, to: &str) {
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
pub(crate) fn rename_column(catalog: &mut Catalog, name: &QualifiedName, from: &str, to: &str) {
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
