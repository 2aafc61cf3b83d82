//! Puts decoded rows together into tables: columns in attnum order, constraint and index
//! column numbers resolved to names, default operator classes and collations left out.

use crate::IntrospectError;
use crate::rows::{CollationRow, ColumnRow, ConstraintRow, IndexRow, OperatorClass, decode_error};
use autogen_schema::*;
use std::collections::HashMap;

/// What index and constraint keys need to know about a table column.
struct Attribute {
    name: String,
    type_oid: u32,
    collation_oid: u32,
}

/// The small lookup tables index keys are resolved against.
pub(crate) struct Lookups {
    operator_classes: HashMap<u32, OperatorClass>,
    collation_names: HashMap<u32, String>,
    type_collations: HashMap<u32, u32>,
}

impl Lookups {
    pub(crate) fn new(
        operator_classes: Vec<(u32, OperatorClass)>,
        collations: Vec<CollationRow>,
    ) -> Self {
        let mut collation_names = HashMap::new();
        let mut type_collations = HashMap::new();
        for row in collations {
            match row {
                CollationRow::Collation { oid, name } => {
                    collation_names.insert(oid, name);
                }
                CollationRow::TypeDefault {
                    type_oid,
                    collation_oid,
                } => {
                    type_collations.insert(type_oid, collation_oid);
                }
            }
        }
        Self {
            operator_classes: operator_classes.into_iter().collect(),
            collation_names,
            type_collations,
        }
    }
}

/// Tables being assembled, addressed by oid.
pub(crate) struct Tables {
    tables: Vec<Table>,
    by_oid: HashMap<u32, usize>,
    /// Per table (same positions as `tables`): its columns by attnum.
    attributes: Vec<HashMap<i16, Attribute>>,
}

impl Tables {
    pub(crate) fn new(rows: Vec<(u32, Table)>) -> Self {
        let mut tables = Vec::with_capacity(rows.len());
        let mut by_oid = HashMap::with_capacity(rows.len());
        for (oid, table) in rows {
            by_oid.insert(oid, tables.len());
            tables.push(table);
        }
        let attributes = tables.iter().map(|_| HashMap::new()).collect();
        Self {
            tables,
            by_oid,
            attributes,
        }
    }

    fn position(&self, oid: u32, what: &'static str) -> Result<usize, IntrospectError> {
        self.by_oid
            .get(&oid)
            .copied()
            .ok_or_else(|| decode_error(what, format!("row for unknown table oid {oid}")))
    }

    /// The names of columns `numbers` of the table at `position`.
    fn column_names(
        &self,
        position: usize,
        numbers: &[i16],
        what: &'static str,
    ) -> Result<Vec<String>, IntrospectError> {
        numbers
            .iter()
            .map(|number| {
                self.attributes[position]
                    .get(number)
                    .map(|attribute| attribute.name.clone())
                    .ok_or_else(|| decode_error(what, format!("unknown column number {number}")))
            })
            .collect()
    }

    pub(crate) fn add_columns(&mut self, mut rows: Vec<ColumnRow>) -> Result<(), IntrospectError> {
        // The query leaves the order to us: columns keep their attnum order.
        rows.sort_unstable_by_key(|row| (row.table_oid, row.number));
        for row in rows {
            let position = self.position(row.table_oid, "columns")?;
            self.attributes[position].insert(
                row.number,
                Attribute {
                    name: row.column.name.clone(),
                    type_oid: row.type_oid,
                    collation_oid: row.collation_oid,
                },
            );
            self.tables[position].columns.push(row.column);
        }
        Ok(())
    }

    /// Needs every table's columns: foreign keys name columns of other tables.
    pub(crate) fn add_constraints(
        &mut self,
        rows: Vec<ConstraintRow>,
    ) -> Result<(), IntrospectError> {
        const WHAT: &str = "constraints";
        for row in rows {
            let position = self.position(row.table_oid, WHAT)?;
            // Only keys and foreign keys list plain columns: a check's or an exclusion's
            // `conkey` holds 0 for an expression element, and their definition text is what
            // the IR keeps.
            let (columns, include) = match row.kind.as_str() {
                "p" | "u" | "f" => (
                    self.column_names(position, &row.numbers, WHAT)?,
                    self.column_names(
                        position,
                        row.index_numbers
                            .get(row.numbers.len()..)
                            .unwrap_or_default(),
                        WHAT,
                    )?,
                ),
                _ => (Vec::new(), Vec::new()),
            };
            let table = position;
            match row.kind.as_str() {
                "p" => {
                    self.tables[table].primary_key = Some(PrimaryKey {
                        name: row.name,
                        columns,
                        include,
                        storage_parameters: row.storage_parameters,
                        deferral: row.deferral,
                        comment: row.comment,
                    })
                }
                "u" => self.tables[table].uniques.push(UniqueConstraint {
                    name: row.name,
                    columns,
                    include,
                    nulls_not_distinct: row.nulls_not_distinct,
                    storage_parameters: row.storage_parameters,
                    deferral: row.deferral,
                    comment: row.comment,
                }),
                "f" => {
                    let references = row.referenced_table.ok_or_else(|| {
                        decode_error(WHAT, format!("foreign key {:?} without table", row.name))
                    })?;
                    // Tables outside the inspected schemas come with their column names.
                    let referenced_columns = match self.by_oid.get(&row.referenced_oid) {
                        Some(&target) => {
                            self.column_names(target, &row.referenced_numbers, WHAT)?
                        }
                        None => row.referenced_names.unwrap_or_default(),
                    };
                    let on_delete_columns =
                        self.column_names(position, &row.on_delete_numbers, WHAT)?;
                    self.tables[table].foreign_keys.push(ForeignKey {
                        name: row.name,
                        columns,
                        references,
                        referenced_columns,
                        on_delete: row.on_delete,
                        on_delete_columns,
                        on_update: row.on_update,
                        match_type: row.match_type,
                        deferral: row.deferral,
                        not_valid: !row.validated,
                        comment: row.comment,
                    });
                }
                "c" => self.tables[table].checks.push(CheckConstraint {
                    name: row.name,
                    expression: row
                        .check_expression
                        .ok_or_else(|| decode_error(WHAT, "check without expression"))?,
                    no_inherit: row.no_inherit,
                    not_valid: !row.validated,
                    comment: row.comment,
                }),
                "x" => self.tables[table].exclusions.push(ExclusionConstraint {
                    name: row.name,
                    definition: row
                        .exclusion_definition
                        .ok_or_else(|| decode_error(WHAT, "exclusion without definition"))?,
                    comment: row.comment,
                }),
                other => return Err(decode_error(WHAT, format!("constraint type {other:?}"))),
            }
        }
        Ok(())
    }

    pub(crate) fn add_indexes(
        &mut self,
        rows: Vec<IndexRow>,
        lookups: &Lookups,
    ) -> Result<(), IntrospectError> {
        const WHAT: &str = "indexes";
        for row in rows {
            let position = self.position(row.table_oid, WHAT)?;
            let key_count = row.key_count;
            if key_count > row.numbers.len()
                || row.opclasses.len() < key_count
                || row.collations.len() < key_count
                || row.options.len() < key_count
            {
                return Err(decode_error(WHAT, "index key arrays of different lengths"));
            }
            let keys = (0..key_count)
                .map(|k| self.index_key(position, &row, k, lookups))
                .collect::<Result<Vec<_>, _>>()?;
            let include = self.column_names(position, &row.numbers[key_count..], WHAT)?;
            self.tables[position].indexes.push(Index {
                name: row.name,
                unique: row.unique,
                method: row.method,
                keys,
                include,
                predicate: row.predicate,
                nulls_not_distinct: row.nulls_not_distinct,
                storage_parameters: row.storage_parameters,
                comment: row.comment,
            });
        }
        Ok(())
    }

    /// Key `k` of an index, printing operator class and collation only where they are not
    /// what PostgreSQL would pick anyway (as `pg_get_indexdef` does).
    fn index_key(
        &self,
        position: usize,
        row: &IndexRow,
        k: usize,
        lookups: &Lookups,
    ) -> Result<IndexKey, IntrospectError> {
        const WHAT: &str = "indexes";
        let class = lookups
            .operator_classes
            .get(&row.opclasses[k])
            .ok_or_else(|| {
                decode_error(WHAT, format!("unknown operator class {}", row.opclasses[k]))
            })?;
        let (target, key_type, default_collation) = if row.numbers[k] == 0 {
            let expression = row
                .expressions
                .get(k)
                .cloned()
                .flatten()
                .ok_or_else(|| decode_error(WHAT, "expression key without text"))?;
            let stored_type = row
                .stored_types
                .get(k)
                .copied()
                .ok_or_else(|| decode_error(WHAT, "expression key without type"))?;
            // An expression's index column has the class's storage type when it has one;
            // the expression's own type is then the class's input type.
            let key_type = if class.storage_type != 0 && stored_type == class.storage_type {
                class.input_type
            } else {
                stored_type
            };
            let collation = lookups.type_collations.get(&key_type).copied().unwrap_or(0);
            (IndexTarget::Expression(expression), key_type, collation)
        } else {
            let attribute = self.attributes[position]
                .get(&row.numbers[k])
                .ok_or_else(|| decode_error(WHAT, format!("unknown column {}", row.numbers[k])))?;
            (
                IndexTarget::Column(attribute.name.clone()),
                attribute.type_oid,
                attribute.collation_oid,
            )
        };
        let collation = match row.collations[k] {
            0 => None,
            oid if oid == default_collation => None,
            oid => Some(
                lookups
                    .collation_names
                    .get(&oid)
                    .cloned()
                    .ok_or_else(|| decode_error(WHAT, format!("unknown collation {oid}")))?,
            ),
        };
        // indoption bits: 1 = DESC, 2 = NULLS FIRST.
        Ok(IndexKey {
            target,
            collation,
            opclass: (!class.is_default_for(key_type)).then(|| class.name.clone()),
            descending: row.options[k] & 1 != 0,
            nulls_first: row.options[k] & 2 != 0,
        })
    }

    pub(crate) fn finish(self) -> Vec<Table> {
        self.tables
    }
}

/// Attaches each view's dependencies, sorted; views in name order.
pub(crate) fn views(
    mut views: Vec<View>,
    dependencies: Vec<(QualifiedName, ViewDependency)>,
) -> Vec<View> {
    views.sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
    for (view, dependency) in dependencies {
        if let Ok(index) =
            views.binary_search_by(|v| (&v.schema, &v.name).cmp(&(&view.schema, &view.name)))
        {
            views[index].depends_on.push(dependency);
        }
    }
    for view in &mut views {
        view.depends_on.sort();
        view.depends_on.dedup();
    }
    views
}
