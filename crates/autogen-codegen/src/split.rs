//! What the models can declare: the inspected catalog cut down to the enums and tables, with
//! only the table parts the model syntax says in full. Everything else (every other kind of
//! object, privileges, identity options, exclusion constraints, named primary keys, constraint
//! and index comments, operator classes, …) is left to the SQL declarations, which
//! `sql_file.rs` plans from this catalog to the whole one.

use crate::names::default_name;
use autogen_schema::{
    Catalog, EnumType, ForeignKey, Index, IndexTarget, MatchType, PrimaryKey, ReplicaIdentity,
    SequenceOptions, Table, UniqueConstraint,
};

/// The part of `full` (canonical) the models declare.
pub(crate) fn model_catalog(full: &Catalog) -> Catalog {
    // A partition has no columns of its own: `CREATE TABLE … PARTITION OF` in the SQL
    // declarations says it (its parent is a model with `partition_by`). A model cannot say
    // `INHERITS`: an inheritance child is `CREATE TABLE … INHERITS` in the SQL declarations.
    let mut tables: Vec<Table> = full
        .tables
        .iter()
        .filter(|table| table.partition_of.is_none() && table.inherits.is_empty())
        .map(model_table)
        .collect();
    // A foreign key needs a unique index on the referenced columns when it is created: it stays
    // in the models only when the models declare one.
    let keys: Vec<(String, String, Vec<Vec<String>>)> = tables
        .iter()
        .map(|table| (table.schema.clone(), table.name.clone(), unique_keys(table)))
        .collect();
    for table in &mut tables {
        table.foreign_keys.retain(|foreign_key| {
            expressible_foreign_key(foreign_key)
                && keys.iter().any(|(schema, name, unique)| {
                    *schema == foreign_key.references.schema
                        && *name == foreign_key.references.name
                        && unique
                            .iter()
                            .any(|columns| same_set(columns, &foreign_key.referenced_columns))
                })
        });
        for foreign_key in &mut table.foreign_keys {
            foreign_key.comment = None;
        }
    }
    Catalog {
        // PostgreSQL allows an empty enum label, which no variant can be renamed to.
        enums: full
            .enums
            .iter()
            .filter(|enum_type| enum_type.values.iter().all(|value| !value.is_empty()))
            .map(|enum_type| EnumType {
                // Privileges name roles: the SQL declarations grant (or revoke) them.
                grants: Vec::new(),
                revoked_defaults: Vec::new(),
                ..enum_type.clone()
            })
            .collect(),
        tables,
        ..Catalog::default()
    }
}

fn model_table(full: &Table) -> Table {
    let mut table = full.clone();
    // Privileges name roles: the SQL declarations grant them.
    table.grants.clear();
    // FORCE without ENABLE has no model attribute: the declarations say it.
    if !table.row_level_security {
        table.force_row_level_security = false;
    }
    // The model's `identity` has PostgreSQL's default options: an identity with others is
    // added by the SQL declarations instead (changing the options in place could need a
    // `setval`, which a declaration file refuses).
    for column in &mut table.columns {
        let defaults = SequenceOptions::defaults_for(&column.data_type);
        if column
            .identity
            .as_ref()
            .is_some_and(|identity| identity.options != defaults)
        {
            column.identity = None;
        }
        // The model's `statistics` takes PostgreSQL's range and `column_options` plain
        // `name=value` items; anything else is set by the declarations.
        if column
            .statistics
            .is_some_and(|target| !(0..=10000).contains(&target))
        {
            column.statistics = None;
        }
        if !column
            .options
            .iter()
            .all(|option| expressible_option(option))
        {
            column.options.clear();
        }
    }
    table.primary_key = table
        .primary_key
        .take()
        .filter(|primary_key| expressible_primary_key(&table.name, primary_key))
        .map(|primary_key| PrimaryKey {
            comment: None,
            index_comment: None,
            ..primary_key
        });
    table.uniques.retain(expressible_unique);
    for unique in &mut table.uniques {
        unique.comment = None;
        unique.index_comment = None;
    }
    table
        .checks
        .retain(|check| !check.no_inherit && !check.not_valid);
    for check in &mut table.checks {
        check.comment = None;
    }
    table.exclusions.clear();
    table.indexes.retain(expressible_index);
    for index in &mut table.indexes {
        index.comment = None;
    }
    // A replica identity on an index the models do not declare is set by the declarations.
    if let ReplicaIdentity::Index(index) = &table.replica_identity {
        let declared = table
            .primary_key
            .iter()
            .map(|key| &key.name)
            .chain(table.uniques.iter().map(|unique| &unique.name))
            .chain(table.indexes.iter().map(|declared| &declared.name))
            .any(|name| name == index);
        if !declared {
            table.replica_identity = ReplicaIdentity::Default;
        }
    }
    table
}

/// A column option the model's `column_options` takes as it is: `name=value` with a plain
/// name and value (what its parser accepts).
fn expressible_option(option: &str) -> bool {
    let plain = |text: &str, extra: &[u8]| {
        !text.is_empty()
            && text
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_' || extra.contains(&byte))
    };
    option.split_once('=').is_some_and(|(name, value)| {
        plain(name, b".") && plain(value, b".-+") && name == name.to_lowercase()
    })
}

/// A model's primary key has PostgreSQL's default name and nothing but columns.
fn expressible_primary_key(table: &str, primary_key: &PrimaryKey) -> bool {
    default_name(table, &[], "pkey").as_deref() == Some(primary_key.name.as_str())
        && primary_key.include.is_empty()
        && primary_key.storage_parameters.is_empty()
        && primary_key.deferral.is_immediate()
}

fn expressible_unique(unique: &UniqueConstraint) -> bool {
    unique.include.is_empty()
        && !unique.nulls_not_distinct
        && unique.storage_parameters.is_empty()
        && unique.deferral.is_immediate()
}

fn expressible_index(index: &Index) -> bool {
    !index.nulls_not_distinct
        && index.storage_parameters.is_empty()
        && !index.keys.is_empty()
        && index
            .keys
            .iter()
            .all(|key| key.collation.is_none() && key.opclass.is_none())
        && !index.method.is_empty()
        && index
            .method
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_')
}

fn expressible_foreign_key(foreign_key: &ForeignKey) -> bool {
    foreign_key.match_type == MatchType::Simple
        && foreign_key.on_delete_columns.is_empty()
        && !foreign_key.not_valid
}

/// The column sets a foreign key may reference: the primary key, unique constraints, and
/// unique indexes on plain columns without a predicate.
fn unique_keys(table: &Table) -> Vec<Vec<String>> {
    let mut keys: Vec<Vec<String>> = Vec::new();
    keys.extend(table.primary_key.iter().map(|pk| pk.columns.clone()));
    keys.extend(table.uniques.iter().map(|unique| unique.columns.clone()));
    keys.extend(
        table
            .indexes
            .iter()
            .filter(|index| index.unique && index.predicate.is_none())
            .filter_map(|index| {
                index
                    .keys
                    .iter()
                    .map(|key| match &key.target {
                        IndexTarget::Column(column) => Some(column.clone()),
                        IndexTarget::Expression(_) => None,
                    })
                    .collect::<Option<Vec<String>>>()
            }),
    );
    keys
}

fn same_set(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().all(|column| b.contains(column))
}
