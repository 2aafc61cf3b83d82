//! The catalog types. Every field holds what PostgreSQL reports, in PostgreSQL's spelling:
//! types as `format_type` prints them (`character varying(255)`, `integer[]`,
//! `public.mood`), expressions as `pg_get_expr` prints them (`(age >= 0)`, `now()`).

use crate::deps::Dependency;
use crate::ident::{QualifiedName, quote_ident};
use crate::objects::{
    Collation, CompositeType, Domain, Function, Policy, RangeType, TextSearchConfiguration,
    TextSearchDictionary, Trigger, View,
};
use serde::{Deserialize, Serialize};

fn is_false(value: &bool) -> bool {
    !*value
}

/// A whole database schema (or the part of it selected by schema filters).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<Schema>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<Extension>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enums: Vec<EnumType>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sequences: Vec<Sequence>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<Table>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collations: Vec<Collation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub text_search_dictionaries: Vec<TextSearchDictionary>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub text_search_configurations: Vec<TextSearchConfiguration>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<Domain>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub composite_types: Vec<CompositeType>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub range_types: Vec<RangeType>,
    /// Functions, procedures and aggregates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<Function>,
    /// Views and materialized views.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub views: Vec<View>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<Trigger>,
    /// Row-level security policies (`CREATE POLICY`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<Policy>,
    /// `ALTER DEFAULT PRIVILEGES`: what objects created later get.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub default_privileges: Vec<DefaultPrivileges>,
    /// What uses what, between the objects above (from `pg_depend`): the order to create
    /// them in, and what a plan must drop and re-create with an object it re-creates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Dependency>,
}

/// A namespace (`CREATE SCHEMA`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Privileges held by others than the owner beyond PostgreSQL's defaults.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
    /// PostgreSQL's defaults taken away (the `public` schema's `USAGE` to PUBLIC: `REVOKE USAGE ON SCHEMA public FROM PUBLIC`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revoked_defaults: Vec<Grant>,
}

/// An installed extension (`CREATE EXTENSION`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub name: String,
    /// The schema the extension's objects live in.
    pub schema: String,
    pub version: String,
    /// The extensions it requires (its control file's `requires`, as `pg_depend` records
    /// them), sorted: they must be created before it and dropped after it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<String>,
}

/// An enum type with its labels in sort order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumType {
    pub schema: String,
    pub name: String,
    pub values: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Privileges held by others than the owner beyond PostgreSQL's defaults.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
    /// PostgreSQL's defaults taken away (`REVOKE USAGE ON TYPE … FROM PUBLIC`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revoked_defaults: Vec<Grant>,
}

/// Options shared by free-standing sequences and identity columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SequenceOptions {
    pub start: i64,
    pub increment: i64,
    pub min_value: i64,
    pub max_value: i64,
    pub cache: i64,
    #[serde(default, skip_serializing_if = "is_false")]
    pub cycle: bool,
}

impl SequenceOptions {
    /// The options PostgreSQL picks when none are given, for a sequence of `data_type`
    /// (`smallint`, `integer` or `bigint`).
    pub fn defaults_for(data_type: &str) -> Self {
        Self {
            start: 1,
            increment: 1,
            min_value: 1,
            max_value: max_for_type(data_type),
            cache: 1,
            cycle: false,
        }
    }

    /// The SQL option clauses that differ from PostgreSQL's defaults for `data_type`, in the
    /// order `CREATE SEQUENCE` documents them (empty when everything is default).
    pub fn non_default_clauses(&self, data_type: &str) -> Vec<String> {
        let ascending = self.increment > 0;
        let type_max = max_for_type(data_type);
        let type_min = min_for_type(data_type);
        let default_min = if ascending { 1 } else { type_min };
        let default_max = if ascending { type_max } else { -1 };
        let default_start = if ascending {
            self.min_value
        } else {
            self.max_value
        };
        let mut clauses = Vec::new();
        if self.increment != 1 {
            clauses.push(format!("INCREMENT BY {}", self.increment));
        }
        if self.min_value != default_min {
            clauses.push(format!("MINVALUE {}", self.min_value));
        }
        if self.max_value != default_max {
            clauses.push(format!("MAXVALUE {}", self.max_value));
        }
        if self.start != default_start {
            clauses.push(format!("START WITH {}", self.start));
        }
        if self.cache != 1 {
            clauses.push(format!("CACHE {}", self.cache));
        }
        if self.cycle {
            clauses.push("CYCLE".to_string());
        }
        clauses
    }
}

fn max_for_type(data_type: &str) -> i64 {
    match data_type {
        "smallint" => i64::from(i16::MAX),
        "integer" => i64::from(i32::MAX),
        _ => i64::MAX,
    }
}

fn min_for_type(data_type: &str) -> i64 {
    match data_type {
        "smallint" => i64::from(i16::MIN),
        "integer" => i64::from(i32::MIN),
        _ => i64::MIN,
    }
}

/// A free-standing sequence (identity sequences belong to their column instead).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sequence {
    pub schema: String,
    pub name: String,
    /// `smallint`, `integer` or `bigint`.
    pub data_type: String,
    #[serde(flatten)]
    pub options: SequenceOptions,
    /// `OWNED BY table.column`: the sequence is dropped with the column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<SequenceOwner>,
    /// Privileges held by others than the owner, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SequenceOwner {
    pub table: QualifiedName,
    pub column: String,
}

/// A table with everything that belongs to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub schema: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub unlogged: bool,
    /// `ENABLE ROW LEVEL SECURITY`: only rows a policy allows are visible to others than
    /// the owner.
    #[serde(default, skip_serializing_if = "is_false")]
    pub row_level_security: bool,
    /// `FORCE ROW LEVEL SECURITY`: the policies apply to the table's owner too.
    #[serde(default, skip_serializing_if = "is_false")]
    pub force_row_level_security: bool,
    /// Storage parameters (`reloptions`) as PostgreSQL stores them, `name=value`, sorted; the
    /// TOAST table's as `toast.name=value` (the form `ALTER TABLE … SET` takes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub storage_parameters: Vec<String>,
    #[serde(default, skip_serializing_if = "ReplicaIdentity::is_default")]
    pub replica_identity: ReplicaIdentity,
    /// Privileges on the table and its columns held by others than the owner, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
    /// `PARTITION BY …` of a partitioned table, as `pg_get_partkeydef` prints it
    /// (`RANGE (taken_on)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_by: Option<String>,
    /// The table this one is a partition of, and its bound. A partition's columns, and the
    /// constraints and indexes it inherits, are its parent's: they are not listed here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_of: Option<PartitionOf>,
    /// The parents of an inheritance child (`INHERITS (…)`), in their order. Its columns
    /// and constraints are its own ones only (`attislocal`, `conislocal`): the inherited
    /// ones are its parents'.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inherits: Vec<QualifiedName>,
    /// In column order (attnum), never sorted.
    pub columns: Vec<Column>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key: Option<PrimaryKey>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uniques: Vec<UniqueConstraint>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign_keys: Vec<ForeignKey>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckConstraint>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclusions: Vec<ExclusionConstraint>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Table {
    pub fn qualified_name(&self) -> QualifiedName {
        QualifiedName::new(&self.schema, &self.name)
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|column| column.name == name)
    }

    /// How many levels of parents (a partition's, an inheritance child's) are above this
    /// table in `tables` (0 for a table that has none): parents are created before their
    /// partitions and children, and dropped after them.
    pub fn partition_depth(&self, tables: &[Table]) -> usize {
        self.depth(tables, tables.len())
    }

    /// The tables this one is made from: a partition's parent, an inheritance child's parents.
    pub fn parents(&self) -> impl Iterator<Item = &QualifiedName> {
        self.partition_of
            .iter()
            .map(|of| &of.parent)
            .chain(&self.inherits)
    }

    fn depth(&self, tables: &[Table], budget: usize) -> usize {
        self.parents()
            .map(|parent| {
                match tables
                    .iter()
                    .find(|table| table.schema == parent.schema && table.name == parent.name)
                {
                    // The budget stops a cycle (which PostgreSQL never stores).
                    Some(table) if budget > 0 => 1 + table.depth(tables, budget - 1),
                    _ => 1,
                }
            })
            .max()
            .unwrap_or(0)
    }
}

/// A partition's parent and bound.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionOf {
    pub parent: QualifiedName,
    /// As `pg_get_expr` prints it: `FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')`,
    /// `FOR VALUES IN ('a')`, `FOR VALUES WITH (modulus 4, remainder 0)`, `DEFAULT`.
    pub bound: String,
}

/// The kinds of objects `ALTER DEFAULT PRIVILEGES` applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DefaultObjectType {
    Tables,
    Sequences,
    Functions,
    Types,
    Schemas,
}

impl DefaultObjectType {
    /// The keyword after `ON` (`TABLES`).
    pub fn keyword(&self) -> &'static str {
        match self {
            DefaultObjectType::Tables => "TABLES",
            DefaultObjectType::Sequences => "SEQUENCES",
            DefaultObjectType::Functions => "FUNCTIONS",
            DefaultObjectType::Types => "TYPES",
            DefaultObjectType::Schemas => "SCHEMAS",
        }
    }
}

/// The privileges objects of one kind get when a role creates them (`ALTER DEFAULT
/// PRIVILEGES [FOR ROLE r] [IN SCHEMA s] GRANT|REVOKE … ON kind …`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultPrivileges {
    /// The role whose new objects get them; `None`: the role that reads (or runs) the schema,
    /// as `ALTER DEFAULT PRIVILEGES` without `FOR ROLE` means the role that runs it, so the
    /// same declaration compares equal on the dev database and in production.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Only objects created in this schema; `None`: everywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    pub object_type: DefaultObjectType,
    /// Granted beyond what PostgreSQL gives by default, to others than the role.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
    /// PostgreSQL's defaults taken away (`REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revoked_defaults: Vec<Grant>,
}

/// A privilege held by a role other than the object's owner (owners differ between databases
/// of one schema, so theirs are not compared).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Grant {
    /// The role, or `public`.
    pub grantee: String,
    /// `SELECT`, `INSERT`, `UPDATE`, `DELETE`, `TRUNCATE`, `REFERENCES`, `TRIGGER`, `USAGE`,
    /// `EXECUTE`, …
    pub privilege: String,
    /// A column's privilege (`GRANT SELECT (email) ON users`); `None` for the whole object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// `WITH GRANT OPTION`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub grantable: bool,
}

/// What logical replication records of a changed or deleted row (`REPLICA IDENTITY`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplicaIdentity {
    /// The primary key's columns (PostgreSQL's default).
    #[default]
    Default,
    /// Every column.
    Full,
    Nothing,
    /// The columns of this unique index of the table (`USING INDEX name`).
    Index(String),
}

impl ReplicaIdentity {
    pub fn is_default(&self) -> bool {
        *self == ReplicaIdentity::Default
    }

    /// The clause after `REPLICA IDENTITY`.
    pub fn sql(&self) -> String {
        match self {
            ReplicaIdentity::Default => "DEFAULT".to_string(),
            ReplicaIdentity::Full => "FULL".to_string(),
            ReplicaIdentity::Nothing => "NOTHING".to_string(),
            ReplicaIdentity::Index(index) => format!("USING INDEX {}", quote_ident(index)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityKind {
    /// `GENERATED ALWAYS AS IDENTITY`
    Always,
    /// `GENERATED BY DEFAULT AS IDENTITY`
    ByDefault,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub kind: IdentityKind,
    #[serde(flatten)]
    pub options: SequenceOptions,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    /// As `format_type` prints it: `character varying(255)`, `numeric(12,2)`, `public.mood[]`.
    pub data_type: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_null: bool,
    /// The default expression as PostgreSQL stores it (`now()`, `'x'::text`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    /// `GENERATED ALWAYS AS (expr) STORED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<String>,
    /// A collation other than the type's default, schema-qualified: `pg_catalog."C"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `SET STATISTICS n`: the column's statistics target, when set (not the default -1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistics: Option<i32>,
    /// `SET STORAGE`: `plain`, `external`, `extended` or `main`, only when it is not the
    /// type's default storage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<String>,
    /// `SET COMPRESSION`: `pglz` or `lz4`, when set (PostgreSQL 14 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression: Option<String>,
    /// Attribute options (`SET (n_distinct=-0.02)`) as `name=value`, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

impl Column {
    /// Whether the column has a setting `ALTER COLUMN … SET` gives it after its definition
    /// (statistics target, storage, compression, options).
    pub fn has_settings(&self) -> bool {
        self.statistics.is_some()
            || self.storage.is_some()
            || self.compression.is_some()
            || !self.options.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrimaryKey {
    pub name: String,
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// Storage parameters of the backing index (`fillfactor=70`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub storage_parameters: Vec<String>,
    #[serde(default, skip_serializing_if = "Deferral::is_immediate")]
    pub deferral: Deferral,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The comment on the constraint's index (`COMMENT ON INDEX`, the constraint's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UniqueConstraint {
    pub name: String,
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
    /// Storage parameters of the backing index (`fillfactor=70`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub storage_parameters: Vec<String>,
    #[serde(default, skip_serializing_if = "Deferral::is_immediate")]
    pub deferral: Deferral,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The comment on the constraint's index (`COMMENT ON INDEX`, the constraint's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_comment: Option<String>,
}

/// `DEFERRABLE` / `INITIALLY DEFERRED` of a constraint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deferral {
    /// `NOT DEFERRABLE` (PostgreSQL's default).
    #[default]
    Immediate,
    /// `DEFERRABLE INITIALLY IMMEDIATE`
    Deferrable,
    /// `DEFERRABLE INITIALLY DEFERRED`
    InitiallyDeferred,
}

impl Deferral {
    pub fn is_immediate(&self) -> bool {
        *self == Deferral::Immediate
    }

    /// The clause to append to a constraint definition (with a leading space), if any.
    pub fn sql_suffix(&self) -> &'static str {
        match self {
            Deferral::Immediate => "",
            Deferral::Deferrable => " DEFERRABLE",
            Deferral::InitiallyDeferred => " DEFERRABLE INITIALLY DEFERRED",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferentialAction {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl ReferentialAction {
    pub fn is_no_action(&self) -> bool {
        *self == ReferentialAction::NoAction
    }

    pub fn sql(&self) -> &'static str {
        match self {
            ReferentialAction::NoAction => "NO ACTION",
            ReferentialAction::Restrict => "RESTRICT",
            ReferentialAction::Cascade => "CASCADE",
            ReferentialAction::SetNull => "SET NULL",
            ReferentialAction::SetDefault => "SET DEFAULT",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchType {
    #[default]
    Simple,
    Full,
    Partial,
}

impl MatchType {
    pub fn is_simple(&self) -> bool {
        *self == MatchType::Simple
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<String>,
    pub references: QualifiedName,
    pub referenced_columns: Vec<String>,
    #[serde(default, skip_serializing_if = "ReferentialAction::is_no_action")]
    pub on_delete: ReferentialAction,
    /// `ON DELETE SET NULL (a)` / `SET DEFAULT (a)`: only these columns (PostgreSQL 15+).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on_delete_columns: Vec<String>,
    #[serde(default, skip_serializing_if = "ReferentialAction::is_no_action")]
    pub on_update: ReferentialAction,
    #[serde(default, skip_serializing_if = "MatchType::is_simple")]
    pub match_type: MatchType,
    #[serde(default, skip_serializing_if = "Deferral::is_immediate")]
    pub deferral: Deferral,
    /// Added `NOT VALID` and not validated yet.
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_valid: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckConstraint {
    pub name: String,
    /// As `pg_get_expr` prints it, e.g. `(age >= 0)`.
    pub expression: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub no_inherit: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_valid: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// An `EXCLUDE` constraint, kept as PostgreSQL's own definition text
/// (`EXCLUDE USING gist (room WITH =, during WITH &&)`, with any DEFERRABLE clause).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExclusionConstraint {
    pub name: String,
    pub definition: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The comment on the constraint's index (`COMMENT ON INDEX`, the constraint's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_comment: Option<String>,
}

/// One key of an index: a column or an expression, with its per-key options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexKey {
    #[serde(flatten)]
    pub target: IndexTarget,
    /// A non-default collation, schema-qualified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// A non-default operator class, schema-qualified unless in pg_catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opclass: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub descending: bool,
    /// Whether NULLs sort first. The default is first for DESC, last for ASC.
    #[serde(default, skip_serializing_if = "is_false")]
    pub nulls_first: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndexTarget {
    Column(String),
    Expression(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    pub name: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub unique: bool,
    /// The access method: `btree`, `gin`, `gist`, `hash`, `brin`, `spgist`, …
    pub method: String,
    pub keys: Vec<IndexKey>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// Partial-index predicate as `pg_get_expr` prints it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
    /// Storage parameters, `name=value` as PostgreSQL stores them (`fillfactor=70`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub storage_parameters: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Index {
    /// A plain btree index on one column, ascending (`CREATE INDEX name ON t (column)`).
    pub fn on_column(name: impl Into<String>, column: impl Into<String>) -> Self {
        Index {
            name: name.into(),
            unique: false,
            method: "btree".to_string(),
            keys: vec![IndexKey {
                target: IndexTarget::Column(column.into()),
                collation: None,
                opclass: None,
                descending: false,
                nulls_first: false,
            }],
            include: Vec::new(),
            predicate: None,
            nulls_not_distinct: false,
            storage_parameters: Vec::new(),
            comment: None,
        }
    }
}

impl Catalog {
    /// The positions of the extensions in an order that creates them (each after the ones it
    /// requires; otherwise in list order). Dropping goes the other way round. A requirement
    /// outside the catalog (an extension installed elsewhere) is not waited for.
    pub fn extension_creation_order(&self) -> Vec<usize> {
        let mut placed = vec![false; self.extensions.len()];
        let mut order = Vec::with_capacity(self.extensions.len());
        while order.len() < self.extensions.len() {
            let ready = |index: usize| {
                !placed[index]
                    && self.extensions[index].requires.iter().all(|required| {
                        self.extensions
                            .iter()
                            .enumerate()
                            .all(|(other, extension)| extension.name != *required || placed[other])
                    })
            };
            // A cycle (PostgreSQL refuses those): the first one left goes next.
            let next = (0..self.extensions.len())
                .find(|&index| ready(index))
                .or_else(|| (0..self.extensions.len()).find(|&index| !placed[index]));
            let Some(next) = next else { break };
            placed[next] = true;
            order.push(next);
        }
        order
    }

    /// Sorts everything into the one canonical order: objects by (schema, name), constraints
    /// and indexes by name. Columns and enum values keep their order: it is meaningful.
    pub fn canonicalize(&mut self) {
        self.schemas.sort_by(|a, b| a.name.cmp(&b.name));
        self.extensions.sort_by(|a, b| a.name.cmp(&b.name));
        self.enums
            .sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        self.sequences
            .sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        self.tables
            .sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        self.collations
            .sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        self.text_search_dictionaries
            .sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        self.text_search_configurations
            .sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        for configuration in &mut self.text_search_configurations {
            configuration
                .mappings
                .sort_by(|a, b| a.token_type.cmp(&b.token_type));
        }
        self.domains
            .sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        self.composite_types
            .sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        self.range_types
            .sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        // The order of `Function::id()`, without building two ids per comparison.
        self.functions.sort_by(|a, b| {
            (&a.schema, &a.name, &a.identity_arguments).cmp(&(
                &b.schema,
                &b.name,
                &b.identity_arguments,
            ))
        });
        self.views
            .sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        self.triggers
            .sort_by(|a, b| (&a.table, &a.name).cmp(&(&b.table, &b.name)));
        self.policies
            .sort_by(|a, b| (&a.table, &a.name).cmp(&(&b.table, &b.name)));
        self.default_privileges.sort_by(|a, b| {
            (&a.role, &a.schema, a.object_type).cmp(&(&b.role, &b.schema, b.object_type))
        });
        for defaults in &mut self.default_privileges {
            defaults.grants.sort();
            defaults.revoked_defaults.sort();
        }
        for policy in &mut self.policies {
            policy.roles.sort();
        }
        self.dependencies.sort();
        self.dependencies.dedup();
        for domain in &mut self.domains {
            domain.checks.sort_by(|a, b| a.name.cmp(&b.name));
        }
        for view in &mut self.views {
            view.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        }
        for table in &mut self.tables {
            table.uniques.sort_by(|a, b| a.name.cmp(&b.name));
            table.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
            table.checks.sort_by(|a, b| a.name.cmp(&b.name));
            table.exclusions.sort_by(|a, b| a.name.cmp(&b.name));
            table.indexes.sort_by(|a, b| a.name.cmp(&b.name));
            table.storage_parameters.sort();
            table.grants.sort();
            for column in &mut table.columns {
                column.options.sort();
            }
        }
        for sequence in &mut self.sequences {
            sequence.grants.sort();
        }
        for function in &mut self.functions {
            function.grants.sort();
            function.revoked_defaults.sort();
        }
        for schema in &mut self.schemas {
            schema.grants.sort();
            schema.revoked_defaults.sort();
        }
        for enum_type in &mut self.enums {
            enum_type.grants.sort();
            enum_type.revoked_defaults.sort();
        }
        for domain in &mut self.domains {
            domain.grants.sort();
            domain.revoked_defaults.sort();
        }
        for composite in &mut self.composite_types {
            composite.grants.sort();
            composite.revoked_defaults.sort();
        }
        for range in &mut self.range_types {
            range.grants.sort();
            range.revoked_defaults.sort();
        }
    }

    /// This catalog in canonical order: borrowed when it already is (as inspected catalogs
    /// are), so dumping a large schema does not copy it.
    pub fn canonical(&self) -> std::borrow::Cow<'_, Catalog> {
        if self.is_canonical() {
            std::borrow::Cow::Borrowed(self)
        } else {
            let mut copy = self.clone();
            copy.canonicalize();
            std::borrow::Cow::Owned(copy)
        }
    }

    /// Whether every list is in the order [`Catalog::canonicalize`] gives it.
    pub fn is_canonical(&self) -> bool {
        fn ordered<T>(items: &[T], in_order: impl Fn(&T, &T) -> bool) -> bool {
            items.windows(2).all(|pair| in_order(&pair[0], &pair[1]))
        }
        let by_name = |a: &String, b: &String| a <= b;
        ordered(&self.schemas, |a, b| by_name(&a.name, &b.name))
            && ordered(&self.extensions, |a, b| by_name(&a.name, &b.name))
            && ordered(&self.enums, |a, b| {
                (&a.schema, &a.name) <= (&b.schema, &b.name)
            })
            && ordered(&self.sequences, |a, b| {
                (&a.schema, &a.name) <= (&b.schema, &b.name)
            })
            && ordered(&self.tables, |a, b| {
                (&a.schema, &a.name) <= (&b.schema, &b.name)
            })
            && ordered(&self.collations, |a, b| {
                (&a.schema, &a.name) <= (&b.schema, &b.name)
            })
            && ordered(&self.text_search_dictionaries, |a, b| {
                (&a.schema, &a.name) <= (&b.schema, &b.name)
            })
            && ordered(&self.text_search_configurations, |a, b| {
                (&a.schema, &a.name) <= (&b.schema, &b.name)
            })
            && self
                .text_search_configurations
                .iter()
                .all(|c| ordered(&c.mappings, |a, b| a.token_type <= b.token_type))
            && ordered(&self.domains, |a, b| {
                (&a.schema, &a.name) <= (&b.schema, &b.name)
            })
            && ordered(&self.composite_types, |a, b| {
                (&a.schema, &a.name) <= (&b.schema, &b.name)
            })
            && ordered(&self.range_types, |a, b| {
                (&a.schema, &a.name) <= (&b.schema, &b.name)
            })
            && ordered(&self.functions, |a, b| {
                (&a.schema, &a.name, &a.identity_arguments)
                    <= (&b.schema, &b.name, &b.identity_arguments)
            })
            && ordered(&self.views, |a, b| {
                (&a.schema, &a.name) <= (&b.schema, &b.name)
            })
            && ordered(&self.triggers, |a, b| {
                (&a.table, &a.name) <= (&b.table, &b.name)
            })
            && ordered(&self.policies, |a, b| {
                (&a.table, &a.name) <= (&b.table, &b.name)
            })
            && self
                .policies
                .iter()
                .all(|policy| ordered(&policy.roles, |a, b| a <= b))
            && ordered(&self.default_privileges, |a, b| {
                (&a.role, &a.schema, a.object_type) <= (&b.role, &b.schema, b.object_type)
            })
            && self.default_privileges.iter().all(|defaults| {
                ordered(&defaults.grants, |a, b| a <= b)
                    && ordered(&defaults.revoked_defaults, |a, b| a <= b)
            })
            && self.dependencies.windows(2).all(|pair| pair[0] < pair[1])
            && self
                .schemas
                .iter()
                .all(|s| privileges_ordered(&s.grants, &s.revoked_defaults))
            && self
                .enums
                .iter()
                .all(|e| privileges_ordered(&e.grants, &e.revoked_defaults))
            && self
                .domains
                .iter()
                .all(|d| privileges_ordered(&d.grants, &d.revoked_defaults))
            && self
                .composite_types
                .iter()
                .all(|c| privileges_ordered(&c.grants, &c.revoked_defaults))
            && self
                .range_types
                .iter()
                .all(|r| privileges_ordered(&r.grants, &r.revoked_defaults))
            && self
                .domains
                .iter()
                .all(|domain| ordered(&domain.checks, |a, b| by_name(&a.name, &b.name)))
            && self
                .views
                .iter()
                .all(|view| ordered(&view.indexes, |a, b| by_name(&a.name, &b.name)))
            && self.tables.iter().all(|table| {
                ordered(&table.uniques, |a, b| by_name(&a.name, &b.name))
                    && ordered(&table.foreign_keys, |a, b| by_name(&a.name, &b.name))
                    && ordered(&table.checks, |a, b| by_name(&a.name, &b.name))
                    && ordered(&table.exclusions, |a, b| by_name(&a.name, &b.name))
                    && ordered(&table.indexes, |a, b| by_name(&a.name, &b.name))
                    && ordered(&table.storage_parameters, |a, b| a <= b)
                    && ordered(&table.grants, |a, b| a <= b)
                    && table
                        .columns
                        .iter()
                        .all(|column| ordered(&column.options, |a, b| a <= b))
            })
            && self
                .sequences
                .iter()
                .all(|sequence| ordered(&sequence.grants, |a, b| a <= b))
            && self.functions.iter().all(|function| {
                ordered(&function.grants, |a, b| a <= b)
                    && ordered(&function.revoked_defaults, |a, b| a <= b)
            })
    }

    /// Pretty JSON in canonical order, ending with a newline.
    pub fn to_json(&self) -> String {
        let sorted = self.canonical();
        // Serializing plain data with string keys cannot fail.
        let mut text = serde_json::to_string_pretty(&*sorted).unwrap_or_default();
        text.push('\n');
        text
    }

    pub fn table(&self, schema: &str, name: &str) -> Option<&Table> {
        self.tables
            .iter()
            .find(|table| table.schema == schema && table.name == name)
    }

    pub fn is_empty(&self) -> bool {
        self.schemas.is_empty()
            && self.extensions.is_empty()
            && self.enums.is_empty()
            && self.sequences.is_empty()
            && self.tables.is_empty()
            && self.collations.is_empty()
            && self.text_search_dictionaries.is_empty()
            && self.text_search_configurations.is_empty()
            && self.domains.is_empty()
            && self.composite_types.is_empty()
            && self.range_types.is_empty()
            && self.functions.is_empty()
            && self.views.is_empty()
            && self.triggers.is_empty()
            && self.policies.is_empty()
            && self.default_privileges.is_empty()
    }

    pub fn view(&self, schema: &str, name: &str) -> Option<&View> {
        self.views
            .iter()
            .find(|view| view.schema == schema && view.name == name)
    }
}

/// Grants and revoked defaults each sorted, as `canonicalize` leaves them.
fn privileges_ordered(grants: &[Grant], revoked_defaults: &[Grant]) -> bool {
    grants.windows(2).all(|pair| pair[0] <= pair[1])
        && revoked_defaults.windows(2).all(|pair| pair[0] <= pair[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_borrows_sorted_catalogs_and_sorts_others() {
        let schema = |name: &str| Schema {
            name: name.to_string(),
            comment: None,
            grants: Vec::new(),
            revoked_defaults: Vec::new(),
        };
        let mut catalog = Catalog {
            schemas: vec![schema("b"), schema("a")],
            ..Catalog::default()
        };
        assert!(!catalog.is_canonical());
        assert!(matches!(catalog.canonical(), std::borrow::Cow::Owned(_)));
        assert_eq!(catalog.canonical().schemas[0].name, "a");
        catalog.canonicalize();
        assert!(matches!(catalog.canonical(), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn sequence_defaults_produce_no_clauses() {
        for ty in ["smallint", "integer", "bigint"] {
            assert!(
                SequenceOptions::defaults_for(ty)
                    .non_default_clauses(ty)
                    .is_empty()
            );
        }
    }

    #[test]
    fn sequence_options_print_only_what_differs() {
        let mut options = SequenceOptions::defaults_for("integer");
        options.start = 100;
        options.cache = 20;
        assert_eq!(
            options.non_default_clauses("integer"),
            ["START WITH 100", "CACHE 20"]
        );
    }

    #[test]
    fn descending_sequence_defaults_are_recognized() {
        let options = SequenceOptions {
            start: -1,
            increment: -1,
            min_value: i64::from(i32::MIN),
            max_value: -1,
            cache: 1,
            cycle: false,
        };
        assert_eq!(options.non_default_clauses("integer"), ["INCREMENT BY -1"]);
    }
}
