//! Turns the rows of the catalog queries into IR values. Column positions follow the
//! SELECT lists in `queries.rs`.

use crate::IntrospectError;
use autogen_schema::*;
use std::collections::HashMap;
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

fn decode_error(what: &'static str, detail: impl Into<String>) -> IntrospectError {
    IntrospectError::Decode {
        what,
        detail: detail.into(),
    }
}

pub(crate) fn schemas(rows: &[Row]) -> Result<Vec<Schema>, IntrospectError> {
    const WHAT: &str = "schemas";
    rows.iter()
        .map(|row| {
            Ok(Schema {
                name: get(row, 0, WHAT)?,
                comment: get(row, 1, WHAT)?,
            })
        })
        .collect()
}

pub(crate) fn extensions(rows: &[Row]) -> Result<Vec<Extension>, IntrospectError> {
    const WHAT: &str = "extensions";
    rows.iter()
        .map(|row| {
            Ok(Extension {
                name: get(row, 0, WHAT)?,
                schema: get(row, 1, WHAT)?,
                version: get(row, 2, WHAT)?,
            })
        })
        .collect()
}

pub(crate) fn enums(rows: &[Row]) -> Result<Vec<EnumType>, IntrospectError> {
    const WHAT: &str = "enum types";
    rows.iter()
        .map(|row| {
            Ok(EnumType {
                schema: get(row, 0, WHAT)?,
                name: get(row, 1, WHAT)?,
                values: get(row, 2, WHAT)?,
                comment: get(row, 3, WHAT)?,
                renamed_from: None,
            })
        })
        .collect()
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

pub(crate) fn sequences(rows: &[Row]) -> Result<Vec<Sequence>, IntrospectError> {
    const WHAT: &str = "sequences";
    rows.iter()
        .map(|row| {
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
            Ok(Sequence {
                schema: get(row, 0, WHAT)?,
                name: get(row, 1, WHAT)?,
                data_type: get(row, 2, WHAT)?,
                options: sequence_options(row, 3, WHAT)?
                    .ok_or_else(|| decode_error(WHAT, "sequence without options"))?,
                owned_by,
                comment: get(row, 12, WHAT)?,
            })
        })
        .collect()
}

/// Tables being assembled, addressed by oid while columns, constraints and indexes arrive.
pub(crate) struct Tables {
    tables: Vec<Table>,
    by_oid: HashMap<u32, usize>,
}

impl Tables {
    pub(crate) fn new(rows: &[Row]) -> Result<Self, IntrospectError> {
        const WHAT: &str = "tables";
        let mut tables = Vec::with_capacity(rows.len());
        let mut by_oid = HashMap::with_capacity(rows.len());
        for row in rows {
            let oid: u32 = get(row, 0, WHAT)?;
            by_oid.insert(oid, tables.len());
            tables.push(Table {
                schema: get(row, 1, WHAT)?,
                name: get(row, 2, WHAT)?,
                unlogged: get(row, 3, WHAT)?,
                columns: Vec::new(),
                primary_key: None,
                uniques: Vec::new(),
                foreign_keys: Vec::new(),
                checks: Vec::new(),
                exclusions: Vec::new(),
                indexes: Vec::new(),
                comment: get(row, 4, WHAT)?,
                renamed_from: None,
            });
        }
        Ok(Self { tables, by_oid })
    }

    fn table_mut(&mut self, row: &Row, what: &'static str) -> Result<&mut Table, IntrospectError> {
        let oid: u32 = get(row, 0, what)?;
        let index = *self
            .by_oid
            .get(&oid)
            .ok_or_else(|| decode_error(what, format!("row for unknown table oid {oid}")))?;
        Ok(&mut self.tables[index])
    }

    /// Rows arrive ordered by table and attnum, so pushing keeps the column order.
    pub(crate) fn add_columns(&mut self, rows: &[Row]) -> Result<(), IntrospectError> {
        const WHAT: &str = "columns";
        for row in rows {
            let identity_code: String = get(row, 6, WHAT)?;
            let identity = match identity_code.as_str() {
                "" => None,
                code => {
                    let kind = match code {
                        "a" => IdentityKind::Always,
                        "d" => IdentityKind::ByDefault,
                        other => {
                            return Err(decode_error(WHAT, format!("identity kind {other:?}")));
                        }
                    };
                    let options = sequence_options(row, 9, WHAT)?.ok_or_else(|| {
                        decode_error(WHAT, "identity column without its sequence")
                    })?;
                    Some(Identity { kind, options })
                }
            };
            let column = Column {
                name: get(row, 1, WHAT)?,
                data_type: get(row, 2, WHAT)?,
                not_null: get(row, 3, WHAT)?,
                default: get(row, 4, WHAT)?,
                identity,
                generated: get(row, 5, WHAT)?,
                collation: get(row, 7, WHAT)?,
                comment: get(row, 8, WHAT)?,
                renamed_from: None,
            };
            self.table_mut(row, WHAT)?.columns.push(column);
        }
        Ok(())
    }

    pub(crate) fn add_constraints(&mut self, rows: &[Row]) -> Result<(), IntrospectError> {
        const WHAT: &str = "constraints";
        for row in rows {
            let name: String = get(row, 1, WHAT)?;
            let kind: String = get(row, 2, WHAT)?;
            let columns: Vec<String> = get(row, 3, WHAT)?;
            let deferral = match (get::<bool>(row, 10, WHAT)?, get::<bool>(row, 11, WHAT)?) {
                (false, _) => Deferral::Immediate,
                (true, false) => Deferral::Deferrable,
                (true, true) => Deferral::InitiallyDeferred,
            };
            let validated: bool = get(row, 12, WHAT)?;
            let include: Vec<String> = get(row, 16, WHAT)?;
            let comment: Option<String> = get(row, 18, WHAT)?;
            let storage_parameters: Vec<String> = get(row, 19, WHAT)?;
            let table = self.table_mut(row, WHAT)?;
            match kind.as_str() {
                "p" => {
                    table.primary_key = Some(PrimaryKey {
                        name,
                        columns,
                        include,
                        storage_parameters,
                        deferral,
                        comment,
                    })
                }
                "u" => table.uniques.push(UniqueConstraint {
                    name,
                    columns,
                    include,
                    nulls_not_distinct: get(row, 17, WHAT)?,
                    storage_parameters,
                    deferral,
                    comment,
                }),
                "f" => {
                    let schema: Option<String> = get(row, 4, WHAT)?;
                    let referenced: Option<String> = get(row, 5, WHAT)?;
                    let (Some(schema), Some(referenced)) = (schema, referenced) else {
                        return Err(decode_error(
                            WHAT,
                            format!("foreign key {name:?} without table"),
                        ));
                    };
                    table.foreign_keys.push(ForeignKey {
                        name,
                        columns,
                        references: QualifiedName::new(schema, referenced),
                        referenced_columns: get(row, 6, WHAT)?,
                        on_update: referential_action(&get::<String>(row, 7, WHAT)?)?,
                        on_delete: referential_action(&get::<String>(row, 8, WHAT)?)?,
                        on_delete_columns: get(row, 20, WHAT)?,
                        match_type: match get::<String>(row, 9, WHAT)?.as_str() {
                            "f" => MatchType::Full,
                            "p" => MatchType::Partial,
                            _ => MatchType::Simple,
                        },
                        deferral,
                        not_valid: !validated,
                        comment,
                    });
                }
                "c" => {
                    let expression: Option<String> = get(row, 14, WHAT)?;
                    table.checks.push(CheckConstraint {
                        name,
                        expression: expression
                            .ok_or_else(|| decode_error(WHAT, "check without expression"))?,
                        no_inherit: get(row, 13, WHAT)?,
                        not_valid: !validated,
                        comment,
                    });
                }
                "x" => {
                    let definition: Option<String> = get(row, 15, WHAT)?;
                    table.exclusions.push(ExclusionConstraint {
                        name,
                        definition: definition
                            .ok_or_else(|| decode_error(WHAT, "exclusion without definition"))?,
                        comment,
                    });
                }
                other => return Err(decode_error(WHAT, format!("constraint type {other:?}"))),
            }
        }
        Ok(())
    }

    pub(crate) fn add_indexes(&mut self, rows: &[Row]) -> Result<(), IntrospectError> {
        const WHAT: &str = "indexes";
        for row in rows {
            let key_count = usize::try_from(get::<i16>(row, 4, WHAT)?)
                .map_err(|_| decode_error(WHAT, "negative key count"))?;
            let column_names: Vec<Option<String>> = get(row, 5, WHAT)?;
            let definitions: Vec<String> = get(row, 6, WHAT)?;
            let opclasses: Vec<Option<String>> = get(row, 7, WHAT)?;
            let collations: Vec<Option<String>> = get(row, 8, WHAT)?;
            let options: Vec<i16> = get(row, 9, WHAT)?;
            if definitions.len() != column_names.len()
                || key_count > column_names.len()
                || opclasses.len() != key_count
                || collations.len() != key_count
                || options.len() != key_count
            {
                return Err(decode_error(WHAT, "index key arrays of different lengths"));
            }
            let mut keys = Vec::with_capacity(key_count);
            for position in 0..key_count {
                let target = match &column_names[position] {
                    Some(column) => IndexTarget::Column(column.clone()),
                    None => IndexTarget::Expression(definitions[position].clone()),
                };
                // indoption bits: 1 = DESC, 2 = NULLS FIRST.
                keys.push(IndexKey {
                    target,
                    collation: collations[position].clone(),
                    opclass: opclasses[position].clone(),
                    descending: options[position] & 1 != 0,
                    nulls_first: options[position] & 2 != 0,
                });
            }
            let include = column_names[key_count..]
                .iter()
                .map(|name| {
                    name.clone()
                        .ok_or_else(|| decode_error(WHAT, "INCLUDE entry that is not a column"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let index = Index {
                name: get(row, 1, WHAT)?,
                unique: get(row, 2, WHAT)?,
                method: get(row, 3, WHAT)?,
                keys,
                include,
                predicate: get(row, 10, WHAT)?,
                nulls_not_distinct: get(row, 11, WHAT)?,
                storage_parameters: get(row, 12, WHAT)?,
                comment: get(row, 13, WHAT)?,
            };
            self.table_mut(row, WHAT)?.indexes.push(index);
        }
        Ok(())
    }

    pub(crate) fn finish(self) -> Vec<Table> {
        self.tables
    }
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
