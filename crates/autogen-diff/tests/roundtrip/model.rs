//! A small in-memory schema model and its validity rules (rendered by `render.rs`).
//!
//! The generator builds and mutates a [`Model`]; [`Model::sanitize`] then removes whatever a
//! mutation left invalid for PostgreSQL 15 (a foreign key whose key is gone or whose column
//! types no longer match, a check or expression index on a column of the wrong type, a column
//! of a dropped enum, ...), so every model renders to a script PostgreSQL accepts.

use crate::render::{check_sql, qualified};
use std::collections::HashSet;

pub const PUBLIC: &str = "public";

#[derive(Debug, Clone, Default)]
pub struct Model {
    /// Schemas besides `public` (which always exists).
    pub schemas: Vec<SchemaDef>,
    pub enums: Vec<EnumDef>,
    pub tables: Vec<TableDef>,
    /// Source of fresh plain names (`t7`, `c8`, ...), shared by every kind of object.
    pub next_id: u32,
}

#[derive(Debug, Clone)]
pub struct SchemaDef {
    pub name: String,
    pub comment: Option<String>,
}

#[derive(Debug, Clone)]
pub struct EnumDef {
    pub schema: String,
    pub name: String,
    pub values: Vec<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone)]
pub struct TableDef {
    pub schema: String,
    pub name: String,
    pub columns: Vec<ColumnDef>,
    pub primary_key: Option<KeyDef>,
    pub uniques: Vec<KeyDef>,
    pub checks: Vec<CheckDef>,
    pub indexes: Vec<IndexDef>,
    pub foreign_keys: Vec<ForeignKeyDef>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ColumnDef {
    pub name: String,
    pub ty: ColType,
    pub not_null: bool,
    /// A variant number, read per type by [`default_sql`], so a type change keeps a default
    /// that is valid for the new type.
    pub default: Option<u8>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColType {
    SmallInt,
    Integer,
    BigInt,
    Numeric(u8, u8),
    Text,
    Varchar(u16),
    Boolean,
    Timestamptz,
    Date,
    Uuid,
    Jsonb,
    Bytea,
    Enum { schema: String, name: String },
    EnumArray { schema: String, name: String },
    IntArray,
    TextArray,
}

impl ColType {
    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            ColType::SmallInt | ColType::Integer | ColType::BigInt | ColType::Numeric(..)
        )
    }

    /// Types a foreign key may join without a cast: the integers (one operator family), the
    /// strings, or else only the type itself.
    pub fn family(&self) -> String {
        match self {
            ColType::SmallInt | ColType::Integer | ColType::BigInt => "integer".into(),
            ColType::Numeric(..) => "numeric".into(),
            ColType::Text | ColType::Varchar(_) => "string".into(),
            other => other.sql(),
        }
    }

    /// The enum type a column of this type uses, as (schema, name).
    pub fn enum_type(&self) -> Option<(&str, &str)> {
        match self {
            ColType::Enum { schema, name } | ColType::EnumArray { schema, name } => {
                Some((schema, name))
            }
            _ => None,
        }
    }

    pub fn is_text(&self) -> bool {
        matches!(self, ColType::Text | ColType::Varchar(_))
    }

    /// The types `ALTER COLUMN … TYPE new USING col::new` accepts from this one and back (on
    /// an empty table), measured on PostgreSQL 15. `enums`: the enum types a string may become.
    pub fn cast_targets(&self, enums: &[ColType]) -> Vec<ColType> {
        self.one_way_targets(enums)
            .into_iter()
            .filter(|target| target.one_way_targets(enums).contains(self))
            .collect()
    }

    fn one_way_targets(&self, enums: &[ColType]) -> Vec<ColType> {
        use ColType::*;
        let strings = [Text, Varchar(10), Varchar(20), Varchar(255)];
        let enum_arrays = enums.iter().filter_map(|e| {
            e.enum_type().map(|(schema, name)| EnumArray {
                schema: schema.into(),
                name: name.into(),
            })
        });
        let numbers = [SmallInt, Integer, BigInt, Numeric(10, 2), Numeric(12, 4)];
        let mut targets: Vec<ColType> = match self {
            SmallInt | Integer | BigInt | Numeric(..) => {
                let mut t: Vec<ColType> = numbers.into_iter().chain(strings).collect();
                if *self == Integer {
                    t.push(Boolean);
                }
                t
            }
            Text | Varchar(_) => {
                let mut t: Vec<ColType> = strings
                    .into_iter()
                    .chain(numbers)
                    .chain([
                        Boolean,
                        Timestamptz,
                        Date,
                        Uuid,
                        Jsonb,
                        Bytea,
                        IntArray,
                        TextArray,
                    ])
                    .collect();
                t.extend(enums.iter().cloned());
                t.extend(enum_arrays);
                t
            }
            Boolean => [Integer].into_iter().chain(strings).collect(),
            Timestamptz => [Date].into_iter().chain(strings).collect(),
            Date => [Timestamptz].into_iter().chain(strings).collect(),
            Jsonb => [SmallInt, Integer, BigInt, Numeric(10, 2), Boolean]
                .into_iter()
                .chain(strings)
                .collect(),
            Uuid | Bytea | Enum { .. } => strings.to_vec(),
            IntArray => [TextArray].into_iter().chain(strings).collect(),
            TextArray => [IntArray]
                .into_iter()
                .chain(strings)
                .chain(enum_arrays)
                .collect(),
            EnumArray { .. } => [TextArray].into_iter().chain(strings).collect(),
        };
        targets.retain(|t| t != self);
        targets
    }

    pub fn sql(&self) -> String {
        match self {
            ColType::SmallInt => "smallint".into(),
            ColType::Integer => "integer".into(),
            ColType::BigInt => "bigint".into(),
            ColType::Numeric(p, s) => format!("numeric({p},{s})"),
            ColType::Text => "text".into(),
            ColType::Varchar(n) => format!("varchar({n})"),
            ColType::Boolean => "boolean".into(),
            ColType::Timestamptz => "timestamptz".into(),
            ColType::Date => "date".into(),
            ColType::Uuid => "uuid".into(),
            ColType::Jsonb => "jsonb".into(),
            ColType::Bytea => "bytea".into(),
            ColType::Enum { schema, name } => qualified(schema, name),
            ColType::EnumArray { schema, name } => format!("{}[]", qualified(schema, name)),
            ColType::IntArray => "integer[]".into(),
            ColType::TextArray => "text[]".into(),
        }
    }
}

/// A primary key or unique constraint. `name: None` leaves the name to PostgreSQL.
#[derive(Debug, Clone)]
pub struct KeyDef {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub comment: Option<String>,
}

/// `CHECK (col > 0)` on a number, `CHECK (length(col) < 100)` on a string.
#[derive(Debug, Clone)]
pub struct CheckDef {
    pub name: Option<String>,
    pub column: String,
    pub comment: Option<String>,
}

#[derive(Debug, Clone)]
pub struct IndexDef {
    pub name: Option<String>,
    pub unique: bool,
    pub keys: Vec<IndexKey>,
    /// `WHERE col IS NOT NULL`.
    pub predicate: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexKey {
    Column(String),
    /// `lower(col)`, on a string column.
    Lower(String),
}

#[derive(Debug, Clone)]
pub struct ForeignKeyDef {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub ref_schema: String,
    pub ref_table: String,
    pub ref_columns: Vec<String>,
    pub on_delete: &'static str,
    pub comment: Option<String>,
}

impl TableDef {
    pub fn column(&self, name: &str) -> Option<&ColumnDef> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The column lists a foreign key may reference: the primary key, unique constraints and
    /// unique indexes on plain columns without a predicate.
    pub fn keys(&self) -> Vec<Vec<String>> {
        let indexes = self.indexes.iter().filter_map(|index| {
            let columns: Option<Vec<String>> = index
                .keys
                .iter()
                .map(|key| match key {
                    IndexKey::Column(c) => Some(c.clone()),
                    IndexKey::Lower(_) => None,
                })
                .collect();
            columns.filter(|_| index.unique && index.predicate.is_none())
        });
        self.primary_key
            .iter()
            .chain(&self.uniques)
            .map(|k| k.columns.clone())
            .chain(indexes)
            .collect()
    }
}

impl Model {
    pub fn schema_names(&self) -> Vec<String> {
        std::iter::once(PUBLIC.to_string())
            .chain(self.schemas.iter().map(|s| s.name.clone()))
            .collect()
    }

    /// Every identifier in use, of any kind: fancy names are used at most once per model.
    pub fn used_names(&self) -> HashSet<String> {
        let mut names: HashSet<String> = self.schema_names().into_iter().collect();
        names.extend(self.enums.iter().map(|e| e.name.clone()));
        for table in &self.tables {
            names.insert(table.name.clone());
            names.extend(table.columns.iter().map(|c| c.name.clone()));
            let constraint_names = table
                .primary_key
                .iter()
                .chain(&table.uniques)
                .filter_map(|k| k.name.clone())
                .chain(table.checks.iter().filter_map(|c| c.name.clone()))
                .chain(table.indexes.iter().filter_map(|i| i.name.clone()))
                .chain(table.foreign_keys.iter().filter_map(|f| f.name.clone()));
            names.extend(constraint_names);
        }
        names
    }

    /// A name no object of the model has: `fancy` (one of [`FANCY_NAMES`], which need
    /// quoting) when it is free, else `{prefix}{id}`. Plain names never contain `_`, so they
    /// never clash with the names PostgreSQL makes up (`t1_c2_key`).
    pub fn fresh_name(&mut self, prefix: &str, fancy: Option<u8>) -> String {
        if let Some(fancy) = fancy {
            let candidate = FANCY_NAMES[usize::from(fancy) % FANCY_NAMES.len()];
            if !self.used_names().contains(candidate) {
                return candidate.to_string();
            }
        }
        self.next_id += 1;
        format!("{prefix}{}", self.next_id)
    }

    /// Removes what is no longer valid, until nothing changes (a dropped key takes the
    /// foreign keys on it along, ...).
    pub fn sanitize(&mut self) {
        let schemas: HashSet<String> = self.schema_names().into_iter().collect();
        self.enums.retain(|e| schemas.contains(&e.schema));
        self.tables.retain(|t| schemas.contains(&t.schema));
        let enums: HashSet<(String, String)> = self
            .enums
            .iter()
            .map(|e| (e.schema.clone(), e.name.clone()))
            .collect();
        let all_enums = self.enums.clone();
        for table in &mut self.tables {
            for column in &mut table.columns {
                if let Some((schema, name)) = column.ty.enum_type()
                    && !enums.contains(&(schema.to_string(), name.to_string()))
                {
                    column.ty = match column.ty {
                        ColType::EnumArray { .. } => ColType::TextArray,
                        _ => ColType::Text,
                    };
                }
            }
            let has = |table: &TableDef, c: &str| table.column(c).is_some();
            let valid_key = |table: &TableDef, key: &KeyDef| {
                !key.columns.is_empty()
                    && key.columns.iter().all(|c| has(table, c))
                    && distinct(&key.columns)
            };
            if let Some(pk) = &table.primary_key
                && !valid_key(table, pk)
            {
                table.primary_key = None;
            }
            // CREATE TABLE silently leaves out a unique constraint on exactly the columns of
            // the primary key or of an earlier unique constraint: so does the model.
            let mut seen: Vec<Vec<String>> = table
                .primary_key
                .iter()
                .map(|pk| pk.columns.clone())
                .collect();
            let uniques = std::mem::take(&mut table.uniques);
            table.uniques = uniques
                .into_iter()
                .filter(|u| valid_key(table, u))
                .filter(|u| {
                    let duplicate = seen.contains(&u.columns);
                    seen.push(u.columns.clone());
                    !duplicate
                })
                .collect();
            let checks = std::mem::take(&mut table.checks);
            table.checks = checks
                .into_iter()
                .filter(|c| {
                    table
                        .column(&c.column)
                        .is_some_and(|c| check_sql(&all_enums, &c.ty, "").is_some())
                })
                .collect();
            let indexes = std::mem::take(&mut table.indexes);
            table.indexes = indexes
                .into_iter()
                .filter(|index| {
                    !index.keys.is_empty()
                        && index.keys.iter().all(|key| match key {
                            IndexKey::Column(c) => has(table, c),
                            IndexKey::Lower(c) => table.column(c).is_some_and(|c| c.ty.is_text()),
                        })
                        && index.predicate.as_deref().is_none_or(|c| has(table, c))
                })
                .collect();
        }
        // Foreign keys: the referenced columns must be exactly a key of the referenced table,
        // with pairwise identical types.
        let snapshot = self.tables.clone();
        for table in &mut self.tables {
            let fks = std::mem::take(&mut table.foreign_keys);
            table.foreign_keys = fks
                .into_iter()
                .filter(|fk| {
                    let Some(target) = snapshot
                        .iter()
                        .find(|t| t.schema == fk.ref_schema && t.name == fk.ref_table)
                    else {
                        return false;
                    };
                    let is_key = target.keys().contains(&fk.ref_columns);
                    is_key
                        && fk.columns.len() == fk.ref_columns.len()
                        && distinct(&fk.columns)
                        && fk.columns.iter().zip(&fk.ref_columns).all(|(c, r)| {
                            match (table.column(c), target.column(r)) {
                                (Some(c), Some(r)) => c.ty == r.ty,
                                _ => false,
                            }
                        })
                })
                .collect();
        }
    }
}

/// Names that need quoting: mixed case, a space, reserved words, a double quote. No `_`.
pub const FANCY_NAMES: &[&str] = &[
    "user",
    "Order",
    "my name",
    "we\"ird",
    "select",
    "CamelCase",
    "group by",
];

/// Enum labels that need care: a quote, a space, mixed case, non-ASCII.
pub const FANCY_LABELS: &[&str] = &["it's", "Mixed Case", "with space", "ünïcode"];

pub const COMMENTS: &[&str] = &["a comment", "it's quoted", "two\nlines", "Ünïcode 🙂"];

pub const ON_DELETE: &[&str] = &["NO ACTION", "RESTRICT", "CASCADE", "SET NULL"];

fn distinct(columns: &[String]) -> bool {
    columns.iter().collect::<HashSet<_>>().len() == columns.len()
}
