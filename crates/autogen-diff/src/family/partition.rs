//! Partitions attached, detached or given another bound.
//!
//! The catalog lists a partition without its columns and without what it inherits from its
//! parent (checks, foreign keys, the indexes and constraints cloned from the parent's), a
//! regular table with all of it. So a table that becomes (or stops being) a partition is
//! compared through what PostgreSQL makes of it: [`detached`] is the table right after
//! `DETACH PARTITION` (what it inherited becomes its own, under the names PostgreSQL gave the
//! clones), [`before_attach`] the table as `ATTACH PARTITION` needs it (the parent's columns and
//! checks; what it has that is exactly a clone PostgreSQL would make of one of the parent's
//! indexes, keys or foreign keys is kept, as PostgreSQL attaches it instead of building one).

use autogen_schema::{
    Catalog, CheckConstraint, Column, ForeignKey, Index, IndexTarget, PrimaryKey, QualifiedName,
    Table, UniqueConstraint,
};

/// PostgreSQL's identifier limit (NAMEDATALEN - 1), in bytes.
const MAX_NAME_BYTES: usize = 63;

/// The table `name` of `catalog`.
pub(crate) fn find<'a>(catalog: &'a Catalog, name: &QualifiedName) -> Option<&'a Table> {
    catalog
        .tables
        .iter()
        .find(|table| table.schema == name.schema && table.name == name.name)
}

/// Whether `parent` has a `DEFAULT` partition in `catalog` (`DETACH … CONCURRENTLY` is then
/// refused).
pub(crate) fn has_default_partition(catalog: &Catalog, parent: &QualifiedName) -> bool {
    catalog.tables.iter().any(|table| {
        table
            .partition_of
            .as_ref()
            .is_some_and(|of| &of.parent == parent && of.bound == "DEFAULT")
    })
}

/// The name of the check `DETACH PARTITION … CONCURRENTLY` adds to `partition` in place of
/// its bound: PostgreSQL's name for an unnamed check, `<table>_<column>_check` when the
/// bound uses one column (a partition key of one plain column, as far as the key's text
/// tells), else `<table>_check`, numbered past the constraint names its schema already has.
pub(crate) fn concurrent_detach_check(
    partition: &Table,
    parent: &Table,
    current: &Catalog,
) -> String {
    let column = parent.partition_by.as_deref().and_then(single_key_column);
    let taken = |name: &str| {
        current
            .tables
            .iter()
            .filter(|table| table.schema == partition.schema)
            .chain(std::iter::once(parent))
            .any(|table| {
                table.checks.iter().any(|c| c.name == name)
                    || table.foreign_keys.iter().any(|c| c.name == name)
                    || table.uniques.iter().any(|c| c.name == name)
                    || table.exclusions.iter().any(|c| c.name == name)
                    || table.primary_key.iter().any(|c| c.name == name)
            })
    };
    let mut pass = 0;
    loop {
        let label = match pass {
            0 => "check".to_string(),
            n => format!("check{n}"),
        };
        let name = object_name(&partition.name, column.unwrap_or(""), &label);
        if !taken(&name) {
            return name;
        }
        pass += 1;
    }
}

/// The one column of a partition key (`RANGE (taken_on)`, `LIST ("Kind")`, `HASH (id)`), or
/// `None` for several columns or an expression.
fn single_key_column(key: &str) -> Option<&str> {
    let inside = key.split_once('(')?.1.strip_suffix(')')?.trim();
    let first = inside.split_whitespace().next()?;
    let plain = |name: &str| {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    let quoted = first.strip_prefix('"').and_then(|q| q.strip_suffix('"'));
    if inside.contains(',') || inside.contains('(') {
        return None;
    }
    match quoted {
        Some(name) if !name.contains('"') => Some(name),
        _ if plain(first) => Some(first),
        _ => None,
    }
}

/// `partition` as it stands right after `ALTER TABLE parent DETACH PARTITION partition`:
/// the parent's columns, inheritable checks and foreign keys become its own under their names,
/// the parent's primary key, unique constraints and indexes its own under the names PostgreSQL
/// chose for the clones (`<table>_pkey`, `<table>_<columns>_key`, `<table>_<columns>_idx`).
pub(crate) fn detached(partition: &Table, parent: &Table) -> Table {
    let mut table = partition.clone();
    table.partition_of = None;
    // `PARTITION OF` copies the parent's columns and their defaults, not their comments.
    table.columns = parent
        .columns
        .iter()
        .map(|column| Column {
            comment: None,
            // A partition gets its parent's storage and compression, not the rest.
            statistics: None,
            options: Vec::new(),
            ..column.clone()
        })
        .collect();
    for check in parent.checks.iter().filter(|check| !check.no_inherit) {
        if !table.checks.iter().any(|own| own.name == check.name) {
            table.checks.push(CheckConstraint {
                comment: None,
                ..check.clone()
            });
        }
    }
    for foreign_key in &parent.foreign_keys {
        if !table
            .foreign_keys
            .iter()
            .any(|own| own.name == foreign_key.name)
        {
            table.foreign_keys.push(ForeignKey {
                comment: None,
                ..foreign_key.clone()
            });
        }
    }
    if let Some(key) = &parent.primary_key
        && table.primary_key.is_none()
    {
        table.primary_key = Some(PrimaryKey {
            name: object_name(&table.name, "", "pkey"),
            comment: None,
            index_comment: None,
            ..key.clone()
        });
    }
    for unique in &parent.uniques {
        let columns: Vec<&str> = unique
            .columns
            .iter()
            .chain(&unique.include)
            .map(String::as_str)
            .collect();
        table.uniques.push(UniqueConstraint {
            name: object_name(&table.name, &columns.join("_"), "key"),
            comment: None,
            index_comment: None,
            ..unique.clone()
        });
    }
    for index in &parent.indexes {
        table.indexes.push(Index {
            name: object_name(&table.name, &index_columns(index), "idx"),
            comment: None,
            ..index.clone()
        });
    }
    table.checks.sort_by(|a, b| a.name.cmp(&b.name));
    table.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
    table.uniques.sort_by(|a, b| a.name.cmp(&b.name));
    table.indexes.sort_by(|a, b| a.name.cmp(&b.name));
    table
}

/// `partition` (as the desired catalog lists it) as it must stand right before
/// `ATTACH PARTITION`, coming from `current` (a regular table): the parent's columns (the
/// attached table must have exactly those), the parent's inheritable checks (PostgreSQL
/// requires them by name), its own constraints and indexes, and those of `current` that are
/// exactly the clones of the parent's primary key, unique constraints, indexes or foreign keys
/// (attached, not built).
pub(crate) fn before_attach(partition: &Table, parent: &Table, current: &Table) -> Table {
    let mut table = partition.clone();
    table.partition_of = None;
    table.columns = parent
        .columns
        .iter()
        .map(|column| {
            // The parent's column, as `PARTITION OF` makes it (its default too), with the
            // comment it has (comments are not cloned).
            Column {
                comment: current
                    .column(&column.name)
                    .and_then(|own| own.comment.clone()),
                // `PARTITION OF` copies storage and compression only.
                statistics: None,
                options: Vec::new(),
                ..column.clone()
            }
        })
        .collect();
    for check in parent.checks.iter().filter(|check| !check.no_inherit) {
        if !table.checks.iter().any(|own| own.name == check.name) {
            let kept = current
                .checks
                .iter()
                .find(|own| own.name == check.name && own.expression == check.expression);
            table
                .checks
                .push(kept.cloned().unwrap_or_else(|| CheckConstraint {
                    comment: None,
                    not_valid: false,
                    ..check.clone()
                }));
        }
    }
    // What PostgreSQL would have cloned from the parent: a part of `current` equal to one of
    // them (names included) is attached by `ATTACH PARTITION` and kept; any other is dropped
    // and the clone built, so the partition is exactly what `PARTITION OF` makes (the catalog
    // does not list the clones' names, and the detach of the way back foresees them).
    let clones = detached(
        &Table {
            primary_key: None,
            uniques: Vec::new(),
            foreign_keys: Vec::new(),
            checks: Vec::new(),
            indexes: Vec::new(),
            ..partition.clone()
        },
        parent,
    );
    if table.primary_key.is_none()
        && let (Some(own), Some(clone)) = (&current.primary_key, &clones.primary_key)
        && uncommented_key(own) == uncommented_key(clone)
    {
        table.primary_key = Some(own.clone());
    }
    keep_attached(
        &current.uniques,
        &clones.uniques,
        &mut table.uniques,
        uncommented_unique,
        |unique| &unique.name,
    );
    keep_attached(
        &current.indexes,
        &clones.indexes,
        &mut table.indexes,
        |index| Index {
            comment: None,
            ..index.clone()
        },
        |index| &index.name,
    );
    keep_attached(
        &current.foreign_keys,
        &clones.foreign_keys,
        &mut table.foreign_keys,
        |key| ForeignKey {
            comment: None,
            ..key.clone()
        },
        |key| &key.name,
    );
    table.checks.sort_by(|a, b| a.name.cmp(&b.name));
    table.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
    table.uniques.sort_by(|a, b| a.name.cmp(&b.name));
    table.indexes.sort_by(|a, b| a.name.cmp(&b.name));
    table
}

fn uncommented_key(key: &PrimaryKey) -> PrimaryKey {
    PrimaryKey {
        comment: None,
        index_comment: None,
        ..key.clone()
    }
}

/// Pushes onto `kept` each part of `own` that equals one of `clones` but for its comments
/// (`uncommented`) — `ATTACH PARTITION` attaches it to the parent's — unless `kept` has one
/// of its name already.
fn keep_attached<T: Clone + PartialEq>(
    own: &[T],
    clones: &[T],
    kept: &mut Vec<T>,
    uncommented: impl Fn(&T) -> T,
    name: impl Fn(&T) -> &String,
) {
    for part in own {
        let attached = clones
            .iter()
            .any(|clone| uncommented(part) == uncommented(clone));
        if attached && !kept.iter().any(|existing| name(existing) == name(part)) {
            kept.push(part.clone());
        }
    }
}

fn uncommented_unique(unique: &UniqueConstraint) -> UniqueConstraint {
    UniqueConstraint {
        comment: None,
        index_comment: None,
        ..unique.clone()
    }
}

/// The part of an index's name PostgreSQL makes from its keys and included columns
/// (`ChooseIndexColumnNames`): column names, `expr` for an expression, joined by `_`.
fn index_columns(index: &Index) -> String {
    let keys = index.keys.iter().map(|key| match &key.target {
        IndexTarget::Column(column) => column.as_str(),
        IndexTarget::Expression(_) => "expr",
    });
    keys.chain(index.include.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("_")
}

/// PostgreSQL's `makeObjectName`: `<table>_<columns>_<label>`, the longer of the first two
/// shortened, one byte at a time, until it fits in 63 bytes (a name PostgreSQL would number
/// because it is taken is not foreseen).
fn object_name(table: &str, columns: &str, label: &str) -> String {
    let mut first = table.to_string();
    let mut second = columns.to_string();
    let overhead = label.len() + 1 + usize::from(!second.is_empty());
    while first.len() + second.len() + overhead > MAX_NAME_BYTES {
        let shorten = if first.len() > second.len() {
            &mut first
        } else {
            &mut second
        };
        shorten.pop();
    }
    if second.is_empty() {
        format!("{first}_{label}")
    } else {
        format!("{first}_{second}_{label}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_single_column_of_a_key_names_the_concurrent_check() {
        assert_eq!(single_key_column("RANGE (taken_on)"), Some("taken_on"));
        assert_eq!(single_key_column("LIST (\"Kind\")"), Some("Kind"));
        assert_eq!(single_key_column("RANGE (a text_pattern_ops)"), Some("a"));
        assert_eq!(single_key_column("RANGE (a, b)"), None);
        assert_eq!(single_key_column("RANGE (lower(a))"), None);
    }

    #[test]
    fn clone_names_follow_postgresql() {
        assert_eq!(object_name("m_2024", "", "pkey"), "m_2024_pkey");
        assert_eq!(
            object_name("m_2024", "sensor_id_taken_on", "idx"),
            "m_2024_sensor_id_taken_on_idx"
        );
        let long = "t".repeat(40);
        let name = object_name(&long, &"c".repeat(40), "idx");
        assert_eq!(name.len(), 63);
        assert!(name.ends_with("_idx"));
    }
}
