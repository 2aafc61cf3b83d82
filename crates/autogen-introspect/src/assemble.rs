//! Puts decoded rows together into tables: columns in attnum order, constraint and index
//! column numbers resolved to names, default operator classes and collations left out. The
//! oids of what goes into a table (columns' defaults, constraints, indexes) are kept for the
//! dependency graph. `objects` does the same for the other objects.

mod objects;

pub(crate) use objects::*;

use crate::IntrospectError;
use crate::dependencies::ObjectIndex;
use crate::rows::{
    CatalogKind, CollationRow, ColumnRow, ConstraintRow, IndexRow, OperatorClass, decode_error,
};
use autogen_schema::*;
use std::collections::HashMap;

/// What index and constraint keys need to know about a column (of a table or a materialized
/// view).
pub(crate) struct Attribute {
    pub name: String,
    pub type_oid: u32,
    pub collation_oid: u32,
}

/// The small lookup tables index keys are resolved against.
pub(crate) struct Lookups {
    operator_classes: HashMap<u32, OperatorClass>,
    collation_names: HashMap<u32, String>,
    type_collations: HashMap<u32, u32>,
    /// Domain -> its base type.
    base_types: HashMap<u32, u32>,
}

impl Lookups {
    pub(crate) fn new(
        operator_classes: Vec<(u32, OperatorClass)>,
        collations: Vec<CollationRow>,
    ) -> Self {
        let mut collation_names = HashMap::new();
        let mut type_collations = HashMap::new();
        let mut base_types = HashMap::new();
        for row in collations {
            match row {
                CollationRow::Collation { oid, name } => {
                    collation_names.insert(oid, name);
                }
                CollationRow::TypeDefault {
                    type_oid,
                    collation_oid,
                    base_type,
                } => {
                    if collation_oid != 0 {
                        type_collations.insert(type_oid, collation_oid);
                    }
                    if base_type != 0 {
                        base_types.insert(type_oid, base_type);
                    }
                }
            }
        }
        Self {
            operator_classes: operator_classes.into_iter().collect(),
            collation_names,
            type_collations,
            base_types,
        }
    }

    /// The type under any domains (`getBaseType`): what PostgreSQL picks a key's default
    /// operator class for.
    pub(crate) fn base_type(&self, mut type_oid: u32) -> u32 {
        // Domains over domains are short chains; the bound only guards against bad data.
        for _ in 0..32 {
            match self.base_types.get(&type_oid) {
                Some(&base) => type_oid = base,
                None => break,
            }
        }
        type_oid
    }

    /// The collation a value of `type_oid` gets when none is given (0: not collatable).
    pub(crate) fn default_collation(&self, type_oid: u32) -> u32 {
        self.type_collations.get(&type_oid).copied().unwrap_or(0)
    }

    /// A collation's schema-qualified name.
    pub(crate) fn collation_name(
        &self,
        oid: u32,
        what: &'static str,
    ) -> Result<String, IntrospectError> {
        self.collation_names
            .get(&oid)
            .cloned()
            .ok_or_else(|| decode_error(what, format!("unknown collation {oid}")))
    }

    pub(crate) fn operator_class(
        &self,
        oid: u32,
        what: &'static str,
    ) -> Result<&OperatorClass, IntrospectError> {
        self.operator_classes
            .get(&oid)
            .ok_or_else(|| decode_error(what, format!("unknown operator class {oid}")))
    }
}

/// `name` as PostgreSQL's `quote_ident` prints it (quoted unless plain lower case), as the
/// unsupported-objects query names objects.
fn plain_or_quoted(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain {
        name.to_string()
    } else {
        quote_ident(name)
    }
}

/// Tables being assembled, addressed by oid.
pub(crate) struct Tables {
    tables: Vec<Table>,
    oids: Vec<u32>,
    by_oid: HashMap<u32, usize>,
    /// Per table (same positions as `tables`): its columns by attnum.
    attributes: Vec<HashMap<i16, Attribute>>,
    /// Per table: the oids of its defaults, constraints and indexes, as dependency ends.
    parts: Vec<Vec<(CatalogKind, u32, ObjectRef)>>,
    /// Per table: `(kind, name, fingerprint)` of what its columns have that is not modeled.
    unsupported: Vec<Vec<(String, String, String)>>,
    /// The columns inheritance children have from their parents only (not in the catalog),
    /// by table position: a default, NOT NULL or comment of their own is reported.
    inherited: Vec<(usize, Column)>,
}

impl Tables {
    pub(crate) fn new(rows: Vec<(u32, Table)>) -> Self {
        let mut tables = Vec::with_capacity(rows.len());
        let mut oids = Vec::with_capacity(rows.len());
        let mut by_oid = HashMap::with_capacity(rows.len());
        for (oid, table) in rows {
            by_oid.insert(oid, tables.len());
            tables.push(table);
            oids.push(oid);
        }
        let attributes = tables.iter().map(|_| HashMap::new()).collect();
        let parts = tables.iter().map(|_| Vec::new()).collect();
        let unsupported = tables.iter().map(|_| Vec::new()).collect();
        Self {
            tables,
            oids,
            by_oid,
            attributes,
            parts,
            unsupported,
            inherited: Vec::new(),
        }
    }

    /// The position of the table with `oid`, if it is one of these tables.
    pub(crate) fn position_of(&self, oid: u32) -> Option<usize> {
        self.by_oid.get(&oid).copied()
    }

    fn index_name(&self, position: usize, name: &str) -> QualifiedName {
        QualifiedName::new(&self.tables[position].schema, name)
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

    pub(crate) fn add_columns(&mut self, rows: Vec<ColumnRow>) -> Result<(), IntrospectError> {
        // The query leaves the order to us: columns keep their attnum order. The keys are
        // sorted, not the rows (large structs: moving them around the sort cost more than
        // the rest of this function at 5,000 tables).
        let mut order: Vec<(u32, i16, usize)> = rows
            .iter()
            .enumerate()
            .map(|(index, row)| (row.table_oid, row.number, index))
            .collect();
        order.sort_unstable();
        let mut rows: Vec<Option<ColumnRow>> = rows.into_iter().map(Some).collect();
        // Storage and compression of every column read: a partition or inheritance child
        // gets its parent's when it is created, which is no setting of its own.
        // (Only the columns that have either: a column that has neither has nothing to report.)
        type StorageAndCompression = (Option<String>, Option<String>);
        let mut storage_of: HashMap<(usize, String), StorageAndCompression> = HashMap::new();
        let mut unlisted_settings = Vec::new();
        for row in order
            .into_iter()
            .filter_map(|(_, _, index)| rows[index].take())
        {
            let position = self.position(row.table_oid, "columns")?;
            self.attributes[position].insert(
                row.number,
                Attribute {
                    name: row.column.name.clone(),
                    type_oid: row.type_oid,
                    collation_oid: row.collation_oid,
                },
            );
            if row.column.storage.is_some() || row.column.compression.is_some() {
                storage_of.insert(
                    (position, row.column.name.clone()),
                    (row.column.storage.clone(), row.column.compression.clone()),
                );
            }
            // A partition's columns are its parent's, an inheritance child's inherited ones
            // its parents' (read above only to resolve its own constraints and indexes).
            if self.tables[position].partition_of.is_some() || !row.local {
                // Their settings have no place in the catalog: reported as not modeled
                // (unless they are only what the column got from its parent, see below).
                if let (Some(name), Some(settings)) = (row.unsupported_name, row.settings) {
                    let column = &row.column;
                    let own_settings = column.statistics.is_some() || !column.options.is_empty();
                    let inherited = (column.storage.clone(), column.compression.clone());
                    unlisted_settings.push((
                        position,
                        column.name.clone(),
                        own_settings,
                        inherited,
                        name,
                        settings,
                    ));
                }
                if self.tables[position].partition_of.is_none() {
                    self.inherited.push((position, row.column));
                }
                continue;
            }
            if let Some(oid) = row.default_oid {
                let default = ObjectRef::Default {
                    table: self.tables[position].qualified_name(),
                    column: row.column.name.clone(),
                };
                self.parts[position].push((CatalogKind::AttrDef, oid, default));
            }
            self.tables[position].columns.push(row.column);
        }
        let positions: HashMap<QualifiedName, usize> = if unlisted_settings.is_empty() {
            HashMap::new()
        } else {
            self.tables
                .iter()
                .enumerate()
                .map(|(position, table)| (table.qualified_name(), position))
                .collect()
        };
        for (position, column, own_settings, inherited, name, settings) in unlisted_settings {
            let table = &self.tables[position];
            let parents = table
                .partition_of
                .iter()
                .map(|partition| &partition.parent)
                .chain(&table.inherits);
            let from_parent = !own_settings
                && parents
                    .filter_map(|parent| positions.get(parent))
                    .filter_map(|parent| storage_of.get(&(*parent, column.clone())))
                    .any(|parent| *parent == inherited);
            if !from_parent {
                self.unsupported[position].push(("column setting".to_string(), name, settings));
            }
        }
        self.report_inherited_columns();
        Ok(())
    }

    /// An inherited column of an inheritance child whose default, NOT NULL or comment is not
    /// its parent's (set on the child alone): the catalog lists only the child's own columns,
    /// so it is reported as not modeled, never left out silently.
    fn report_inherited_columns(&mut self) {
        let mut columns: HashMap<(QualifiedName, &str), &Column> = HashMap::new();
        for table in &self.tables {
            for column in &table.columns {
                columns.insert((table.qualified_name(), column.name.as_str()), column);
            }
        }
        for (position, column) in &self.inherited {
            let table = self.tables[*position].qualified_name();
            columns.insert((table, column.name.as_str()), column);
        }
        let mut found = Vec::new();
        for (position, column) in &self.inherited {
            let table = &self.tables[*position];
            let parent = table
                .inherits
                .iter()
                .find_map(|parent| columns.get(&(parent.clone(), column.name.as_str())));
            let Some(parent) = parent else { continue };
            if parent.default == column.default
                && parent.not_null == column.not_null
                && column.comment.is_none()
            {
                continue;
            }
            let fingerprint = [
                column.not_null.then(|| "NOT NULL".to_string()),
                column.default.as_ref().map(|d| format!("DEFAULT {d}")),
                column.comment.as_ref().map(|c| format!("COMMENT {c}")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
            let name = [&table.schema, &table.name, &column.name]
                .map(|part| plain_or_quoted(part))
                .join(".");
            found.push((*position, name, fingerprint));
        }
        for (position, name, fingerprint) in found {
            self.unsupported[position].push(("inherited column setting".into(), name, fingerprint));
        }
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
            let constraint = ObjectRef::Constraint {
                table: self.tables[position].qualified_name(),
                name: row.name.clone(),
            };
            self.parts[position].push((CatalogKind::Constraint, row.oid, constraint));
            if let Some(index) = row.index_oid {
                let name = ObjectRef::Index(self.index_name(position, &row.name));
                self.parts[position].push((CatalogKind::Class, index, name));
            }
            match row.kind.as_str() {
                "p" => {
                    self.tables[table].primary_key = Some(PrimaryKey {
                        name: row.name,
                        columns,
                        include,
                        storage_parameters: row.storage_parameters,
                        deferral: row.deferral,
                        comment: row.comment,
                        index_comment: row.index_comment,
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
                    index_comment: row.index_comment,
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
                    index_comment: row.index_comment,
                }),
                other => return Err(decode_error(WHAT, format!("constraint type {other:?}"))),
            }
        }
        Ok(())
    }

    /// An index of the table at `position` (see [`Tables::position_of`]).
    pub(crate) fn add_index(
        &mut self,
        position: usize,
        row: IndexRow,
        lookups: &Lookups,
    ) -> Result<(), IntrospectError> {
        let oid = row.oid;
        let index = build_index(&self.attributes[position], row, lookups)?;
        let name = ObjectRef::Index(self.index_name(position, &index.name));
        self.parts[position].push((CatalogKind::Class, oid, name));
        self.tables[position].indexes.push(index);
        Ok(())
    }

    /// The tables, without those in `ignore`, and what their columns have that is not
    /// modeled; every other table and its parts are added to `objects`.
    pub(crate) fn finish(
        self,
        ignore: &[QualifiedName],
        objects: &mut ObjectIndex,
    ) -> (Vec<Table>, Vec<(String, String, String)>) {
        let mut kept = Vec::with_capacity(self.tables.len());
        let mut unmodeled = Vec::new();
        let parts = self.parts.into_iter();
        let attributes = self.attributes.into_iter();
        let unsupported = self.unsupported.into_iter();
        for ((((table, oid), parts), attributes), unsupported) in self
            .tables
            .into_iter()
            .zip(self.oids)
            .zip(parts)
            .zip(attributes)
            .zip(unsupported)
        {
            let name = table.qualified_name();
            if ignore.contains(&name) {
                continue;
            }
            unmodeled.extend(unsupported);
            let columns = attributes
                .into_iter()
                .map(|(number, attribute)| (number, attribute.name));
            objects.add_relation(oid, name, columns);
            for (catalog, oid, object) in parts {
                match object {
                    ObjectRef::Index(name) => objects.add_index(oid, name),
                    object => objects.add(catalog, oid, object),
                }
            }
            kept.push(table);
        }
        (kept, unmodeled)
    }
}

/// An index of a table or materialized view whose columns by number are `attributes`.
pub(crate) fn build_index(
    attributes: &HashMap<i16, Attribute>,
    row: IndexRow,
    lookups: &Lookups,
) -> Result<Index, IntrospectError> {
    const WHAT: &str = "indexes";
    let key_count = row.key_count;
    if key_count > row.numbers.len()
        || row.opclasses.len() < key_count
        || row.collations.len() < key_count
        || row.options.len() < key_count
    {
        return Err(decode_error(WHAT, "index key arrays of different lengths"));
    }
    let keys = (0..key_count)
        .map(|k| index_key(attributes, &row, k, lookups))
        .collect::<Result<Vec<_>, _>>()?;
    let include = row.numbers[key_count..]
        .iter()
        .map(|number| {
            attributes
                .get(number)
                .map(|attribute| attribute.name.clone())
                .ok_or_else(|| decode_error(WHAT, format!("unknown column number {number}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Index {
        name: row.name,
        unique: row.unique,
        method: row.method,
        keys,
        include,
        predicate: row.predicate,
        nulls_not_distinct: row.nulls_not_distinct,
        storage_parameters: row.storage_parameters,
        comment: row.comment,
    })
}

/// Key `k` of an index, printing operator class and collation only where they are not what
/// PostgreSQL would pick anyway (as `pg_get_indexdef` does).
fn index_key(
    attributes: &HashMap<i16, Attribute>,
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
        // An expression's index column has the class's storage type when it has one; the
        // expression's own type is then the class's input type.
        let key_type = if class.storage_type != 0 && stored_type == class.storage_type {
            class.input_type
        } else {
            stored_type
        };
        let collation = lookups.default_collation(key_type);
        (IndexTarget::Expression(expression), key_type, collation)
    } else {
        let attribute = attributes
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
        oid => Some(lookups.collation_name(oid, WHAT)?),
    };
    // indoption bits: 1 = DESC, 2 = NULLS FIRST.
    Ok(IndexKey {
        target,
        collation,
        opclass: (!class.is_default_for(lookups.base_type(key_type))).then(|| class.name.clone()),
        descending: row.options[k] & 1 != 0,
        nulls_first: row.options[k] & 2 != 0,
    })
}
