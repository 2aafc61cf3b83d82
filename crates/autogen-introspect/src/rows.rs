//! One function per catalog query that turns a single result row into a value, so rows are
//! decoded as they stream in and never held. Column positions follow the SELECT lists in
//! `queries.rs`.

mod objects;

pub(crate) use objects::*;

use crate::IntrospectError;
use autogen_schema::*;
use tokio_postgres::Row;
use tokio_postgres::types::FromSql;

/// Reads column `index` of `row`, naming the query in the error.
pub(crate) fn get<'a, T: FromSql<'a>>(
    row: &'a Row,
    index: usize,
    what: &'static str,
) -> Result<T, IntrospectError> {
    row.try_get(index).map_err(|error| IntrospectError::Decode {
        what,
        detail: format!("column {index}: {error}"),
    })
}

pub(crate) fn decode_error(what: &'static str, detail: impl Into<String>) -> IntrospectError {
    IntrospectError::Decode {
        what,
        detail: detail.into(),
    }
}

pub(crate) fn schema(row: &Row) -> Result<Schema, IntrospectError> {
    const WHAT: &str = "schemas";
    Ok(Schema {
        name: get(row, 0, WHAT)?,
        comment: get(row, 1, WHAT)?,
        grants: grants(get(row, 2, WHAT)?, WHAT)?,
        revoked_defaults: grants(get(row, 3, WHAT)?, WHAT)?,
    })
}

pub(crate) fn extension(row: &Row) -> Result<Extension, IntrospectError> {
    const WHAT: &str = "extensions";
    Ok(Extension {
        name: get(row, 0, WHAT)?,
        schema: get(row, 1, WHAT)?,
        version: get(row, 2, WHAT)?,
        requires: get(row, 3, WHAT)?,
    })
}

pub(crate) fn enum_type(row: &Row) -> Result<(u32, EnumType), IntrospectError> {
    const WHAT: &str = "enum types";
    Ok((
        get(row, 4, WHAT)?,
        EnumType {
            schema: get(row, 0, WHAT)?,
            name: get(row, 1, WHAT)?,
            values: get(row, 2, WHAT)?,
            comment: get(row, 3, WHAT)?,
            grants: grants(get(row, 5, WHAT)?, WHAT)?,
            revoked_defaults: grants(get(row, 6, WHAT)?, WHAT)?,
        },
    ))
}

/// Sequence options from six consecutive columns starting at `first`; `None` when NULL
/// (a column without identity).
fn sequence_options(
    row: &Row,
    first: usize,
    what: &'static str,
) -> Result<Option<SequenceOptions>, IntrospectError> {
    let start: Option<i64> = get(row, first, what)?;
    let Some(start) = start else {
        return Ok(None);
    };
    let required = |offset: usize| -> Result<i64, IntrospectError> {
        let value: Option<i64> = get(row, first + offset, what)?;
        value.ok_or_else(|| decode_error(what, "incomplete sequence options"))
    };
    let cycle: Option<bool> = get(row, first + 5, what)?;
    Ok(Some(SequenceOptions {
        start,
        increment: required(1)?,
        min_value: required(2)?,
        max_value: required(3)?,
        cache: required(4)?,
        cycle: cycle.unwrap_or(false),
    }))
}

pub(crate) fn sequence(row: &Row) -> Result<(u32, Sequence), IntrospectError> {
    const WHAT: &str = "sequences";
    let owner_schema: Option<String> = get(row, 9, WHAT)?;
    let owner_table: Option<String> = get(row, 10, WHAT)?;
    let owner_column: Option<String> = get(row, 11, WHAT)?;
    let owned_by = match (owner_schema, owner_table, owner_column) {
        (Some(schema), Some(table), Some(column)) => Some(SequenceOwner {
            table: QualifiedName::new(schema, table),
            column,
        }),
        _ => None,
    };
    Ok((
        get(row, 13, WHAT)?,
        Sequence {
            schema: get(row, 0, WHAT)?,
            name: get(row, 1, WHAT)?,
            data_type: get(row, 2, WHAT)?,
            options: sequence_options(row, 3, WHAT)?
                .ok_or_else(|| decode_error(WHAT, "sequence without options"))?,
            owned_by,
            grants: grants(get(row, 14, WHAT)?, WHAT)?,
            comment: get(row, 12, WHAT)?,
        },
    ))
}

/// A table without its columns, constraints and indexes yet, with its oid.
pub(crate) fn table(row: &Row) -> Result<(u32, Table), IntrospectError> {
    const WHAT: &str = "tables";
    Ok((
        get(row, 0, WHAT)?,
        Table {
            schema: get(row, 1, WHAT)?,
            name: get(row, 2, WHAT)?,
            unlogged: get(row, 3, WHAT)?,
            row_level_security: get(row, 5, WHAT)?,
            force_row_level_security: get(row, 6, WHAT)?,
            storage_parameters: get::<Option<Vec<String>>>(row, 7, WHAT)?.unwrap_or_default(),
            replica_identity: replica_identity(
                &get::<String>(row, 8, WHAT)?,
                get(row, 9, WHAT)?,
                WHAT,
            )?,
            grants: grants(get(row, 10, WHAT)?, WHAT)?,
            partition_by: get(row, 11, WHAT)?,
            partition_of: match (
                get::<Option<String>>(row, 12, WHAT)?,
                get::<Option<String>>(row, 13, WHAT)?,
                get::<Option<String>>(row, 14, WHAT)?,
            ) {
                (Some(schema), Some(name), Some(bound)) => Some(PartitionOf {
                    parent: QualifiedName::new(schema, name),
                    bound,
                }),
                _ => None,
            },
            inherits: get::<Vec<String>>(row, 15, WHAT)?
                .into_iter()
                .zip(get::<Vec<String>>(row, 16, WHAT)?)
                .map(|(schema, name)| QualifiedName::new(schema, name))
                .collect(),
            columns: Vec::new(),
            primary_key: None,
            uniques: Vec::new(),
            foreign_keys: Vec::new(),
            checks: Vec::new(),
            exclusions: Vec::new(),
            indexes: Vec::new(),
            comment: get(row, 4, WHAT)?,
        },
    ))
}

/// The JSON array of grants a query built with `queries::grants_json` returns (NULL: none).
pub(crate) fn grants(
    json: Option<String>,
    what: &'static str,
) -> Result<Vec<Grant>, IntrospectError> {
    match json {
        None => Ok(Vec::new()),
        Some(text) => serde_json::from_str(&text)
            .map_err(|error| decode_error(what, format!("privileges {text:?}: {error}"))),
    }
}

/// `pg_class.relreplident` (and the index of `i`).
fn replica_identity(
    code: &str,
    index: Option<String>,
    what: &'static str,
) -> Result<ReplicaIdentity, IntrospectError> {
    Ok(match (code, index) {
        ("d", _) => ReplicaIdentity::Default,
        ("f", _) => ReplicaIdentity::Full,
        ("n", _) => ReplicaIdentity::Nothing,
        ("i", Some(index)) => ReplicaIdentity::Index(index),
        // Its index was dropped: PostgreSQL then behaves as with NOTHING.
        ("i", None) => ReplicaIdentity::Nothing,
        (other, _) => return Err(decode_error(what, format!("replica identity {other:?}"))),
    })
}

pub(crate) struct ColumnRow {
    pub table_oid: u32,
    pub number: i16,
    pub column: Column,
    pub type_oid: u32,
    pub collation_oid: u32,
    /// The `pg_attrdef` row of its default or generation expression.
    pub default_oid: Option<u32>,
    /// The fingerprint of the column's settings (statistics target, storage, compression,
    /// options), reported as not modeled for a column the catalog does not list.
    pub settings: Option<String>,
    /// `schema.table.column` quoted as the unsupported-objects query quotes names, when there
    /// are settings or grants.
    pub unsupported_name: Option<String>,
    /// `attislocal`: false for a column an inheritance child has from its parents only.
    pub local: bool,
}

pub(crate) fn column(row: &Row) -> Result<ColumnRow, IntrospectError> {
    const WHAT: &str = "columns";
    let identity_code: String = get(row, 7, WHAT)?;
    let identity = match identity_code.as_str() {
        "" => None,
        code => {
            let kind = match code {
                "a" => IdentityKind::Always,
                "d" => IdentityKind::ByDefault,
                other => return Err(decode_error(WHAT, format!("identity kind {other:?}"))),
            };
            let options = sequence_options(row, 10, WHAT)?
                .ok_or_else(|| decode_error(WHAT, "identity column without its sequence"))?;
            Some(Identity { kind, options })
        }
    };
    let mut options: Vec<String> = get(row, 25, WHAT)?;
    options.sort();
    Ok(ColumnRow {
        table_oid: get(row, 0, WHAT)?,
        number: get(row, 1, WHAT)?,
        column: Column {
            name: get(row, 2, WHAT)?,
            data_type: get(row, 3, WHAT)?,
            not_null: get(row, 4, WHAT)?,
            default: get(row, 5, WHAT)?,
            identity,
            generated: get(row, 6, WHAT)?,
            collation: get(row, 8, WHAT)?,
            comment: get(row, 9, WHAT)?,
            statistics: get(row, 22, WHAT)?,
            storage: get(row, 23, WHAT)?,
            compression: get(row, 24, WHAT)?,
            options,
        },
        type_oid: get(row, 16, WHAT)?,
        collation_oid: get(row, 17, WHAT)?,
        default_oid: get(row, 18, WHAT)?,
        settings: get(row, 19, WHAT)?,
        unsupported_name: get(row, 20, WHAT)?,
        local: get(row, 21, WHAT)?,
    })
}

/// A constraint with its columns still as attribute numbers.
pub(crate) struct ConstraintRow {
    pub table_oid: u32,
    pub name: String,
    pub kind: String,
    pub numbers: Vec<i16>,
    pub referenced_table: Option<QualifiedName>,
    pub referenced_oid: u32,
    pub referenced_numbers: Vec<i16>,
    /// Only for tables outside the inspected schemas, whose columns we do not read.
    pub referenced_names: Option<Vec<String>>,
    pub on_update: ReferentialAction,
    pub on_delete: ReferentialAction,
    pub match_type: MatchType,
    pub deferral: Deferral,
    pub validated: bool,
    pub no_inherit: bool,
    pub check_expression: Option<String>,
    pub exclusion_definition: Option<String>,
    /// The backing index's columns: the key columns, then the INCLUDE columns.
    pub index_numbers: Vec<i16>,
    pub nulls_not_distinct: bool,
    pub comment: Option<String>,
    pub storage_parameters: Vec<String>,
    pub on_delete_numbers: Vec<i16>,
    pub oid: u32,
    /// The index of a primary key, unique or exclusion constraint.
    pub index_oid: Option<u32>,
    /// The comment on that index.
    pub index_comment: Option<String>,
}

pub(crate) fn constraint(row: &Row) -> Result<ConstraintRow, IntrospectError> {
    const WHAT: &str = "constraints";
    let schema: Option<String> = get(row, 4, WHAT)?;
    let referenced: Option<String> = get(row, 5, WHAT)?;
    let deferral = match (get::<bool>(row, 12, WHAT)?, get::<bool>(row, 13, WHAT)?) {
        (false, _) => Deferral::Immediate,
        (true, false) => Deferral::Deferrable,
        (true, true) => Deferral::InitiallyDeferred,
    };
    Ok(ConstraintRow {
        table_oid: get(row, 0, WHAT)?,
        name: get(row, 1, WHAT)?,
        kind: get(row, 2, WHAT)?,
        numbers: get::<Option<Vec<i16>>>(row, 3, WHAT)?.unwrap_or_default(),
        referenced_table: schema
            .zip(referenced)
            .map(|(schema, name)| QualifiedName::new(schema, name)),
        referenced_oid: get(row, 6, WHAT)?,
        referenced_numbers: get::<Option<Vec<i16>>>(row, 7, WHAT)?.unwrap_or_default(),
        referenced_names: get(row, 8, WHAT)?,
        on_update: referential_action(&get::<String>(row, 9, WHAT)?)?,
        on_delete: referential_action(&get::<String>(row, 10, WHAT)?)?,
        match_type: match get::<String>(row, 11, WHAT)?.as_str() {
            "f" => MatchType::Full,
            "p" => MatchType::Partial,
            _ => MatchType::Simple,
        },
        deferral,
        validated: get(row, 14, WHAT)?,
        no_inherit: get(row, 15, WHAT)?,
        check_expression: get(row, 16, WHAT)?,
        exclusion_definition: get(row, 17, WHAT)?,
        index_numbers: get(row, 18, WHAT)?,
        nulls_not_distinct: get(row, 19, WHAT)?,
        comment: get(row, 20, WHAT)?,
        storage_parameters: get(row, 21, WHAT)?,
        on_delete_numbers: get(row, 22, WHAT)?,
        oid: get(row, 23, WHAT)?,
        index_oid: get(row, 24, WHAT)?,
        index_comment: get(row, 25, WHAT)?,
    })
}

fn referential_action(code: &str) -> Result<ReferentialAction, IntrospectError> {
    Ok(match code {
        "a" | " " => ReferentialAction::NoAction,
        "r" => ReferentialAction::Restrict,
        "c" => ReferentialAction::Cascade,
        "n" => ReferentialAction::SetNull,
        "d" => ReferentialAction::SetDefault,
        other => {
            return Err(decode_error(
                "constraints",
                format!("referential action {other:?}"),
            ));
        }
    })
}

/// An index with its keys still as raw catalog arrays.
pub(crate) struct IndexRow {
    /// The table or materialized view it is on.
    pub table_oid: u32,
    pub oid: u32,
    pub name: String,
    pub unique: bool,
    pub method: String,
    pub key_count: usize,
    /// Column numbers of keys then INCLUDE columns; 0 marks an expression key.
    pub numbers: Vec<i16>,
    pub opclasses: Vec<u32>,
    pub collations: Vec<u32>,
    pub options: Vec<i16>,
    /// Per key: the deparsed expression, for expression keys only.
    pub expressions: Vec<Option<String>>,
    /// Per key: the index column's stored type (read only when there are expression keys).
    pub stored_types: Vec<u32>,
    pub predicate: Option<String>,
    pub nulls_not_distinct: bool,
    pub storage_parameters: Vec<String>,
    pub comment: Option<String>,
}

pub(crate) fn index(row: &Row) -> Result<IndexRow, IntrospectError> {
    const WHAT: &str = "indexes";
    Ok(IndexRow {
        table_oid: get(row, 0, WHAT)?,
        oid: get(row, 15, WHAT)?,
        name: get(row, 1, WHAT)?,
        unique: get(row, 2, WHAT)?,
        method: get(row, 3, WHAT)?,
        key_count: usize::try_from(get::<i16>(row, 4, WHAT)?)
            .map_err(|_| decode_error(WHAT, "negative key count"))?,
        numbers: get(row, 5, WHAT)?,
        opclasses: get(row, 6, WHAT)?,
        collations: get(row, 7, WHAT)?,
        options: get(row, 8, WHAT)?,
        expressions: get::<Option<Vec<Option<String>>>>(row, 9, WHAT)?.unwrap_or_default(),
        stored_types: get::<Option<Vec<u32>>>(row, 10, WHAT)?.unwrap_or_default(),
        predicate: get(row, 11, WHAT)?,
        nulls_not_distinct: get(row, 12, WHAT)?,
        storage_parameters: get(row, 13, WHAT)?,
        comment: get(row, 14, WHAT)?,
    })
}

/// An operator class, to tell whether a key uses the class PostgreSQL picks by default.
pub(crate) struct OperatorClass {
    pub name: String,
    pub is_default: bool,
    pub input_type: u32,
    pub storage_type: u32,
    pub input_is_pseudo_type: bool,
    pub binary_coercible_from: Vec<u32>,
}

impl OperatorClass {
    /// Mirrors PostgreSQL's choice of a default class for a key of type `key_type`.
    pub fn is_default_for(&self, key_type: u32) -> bool {
        self.is_default
            && (self.input_type == key_type
                || self.input_is_pseudo_type
                || self.binary_coercible_from.contains(&key_type))
    }
}

pub(crate) fn operator_class(row: &Row) -> Result<(u32, OperatorClass), IntrospectError> {
    const WHAT: &str = "operator classes";
    Ok((
        get(row, 0, WHAT)?,
        OperatorClass {
            name: get(row, 1, WHAT)?,
            is_default: get(row, 2, WHAT)?,
            input_type: get(row, 3, WHAT)?,
            storage_type: get(row, 4, WHAT)?,
            input_is_pseudo_type: get(row, 5, WHAT)?,
            binary_coercible_from: get(row, 6, WHAT)?,
        },
    ))
}

/// A row of the collations query: a collation's name, or a type's default collation and
/// (for a domain) base type.
pub(crate) enum CollationRow {
    Collation {
        oid: u32,
        name: String,
    },
    TypeDefault {
        type_oid: u32,
        collation_oid: u32,
        base_type: u32,
    },
}

pub(crate) fn collation(row: &Row) -> Result<CollationRow, IntrospectError> {
    const WHAT: &str = "collations";
    let oid: u32 = get(row, 0, WHAT)?;
    Ok(match get::<Option<String>>(row, 1, WHAT)? {
        Some(name) => CollationRow::Collation { oid, name },
        None => CollationRow::TypeDefault {
            type_oid: oid,
            collation_oid: get::<Option<u32>>(row, 2, WHAT)?.unwrap_or(0),
            base_type: get::<Option<u32>>(row, 3, WHAT)?.unwrap_or(0),
        },
    })
}
