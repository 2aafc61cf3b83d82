//! The schema objects beyond tables: what a Rust struct cannot declare and a project declares
//! in SQL files (views, functions, triggers, domains, composite and range types, collations).
//! Like everything in the catalog, each is kept the way PostgreSQL prints it: definitions come
//! from PostgreSQL's own deparsers (`pg_get_viewdef`, `pg_get_functiondef`,
//! `pg_get_triggerdef`, `pg_get_constraintdef`, `format_type`) under an empty `search_path`.

use crate::catalog::{Grant, Index};
use crate::ident::QualifiedName;
use serde::{Deserialize, Serialize};

fn is_false(value: &bool) -> bool {
    !*value
}

/// A function's identity: schema, name and its identity arguments as
/// `pg_get_function_identity_arguments` prints them (`a integer, b text`; empty for none).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FunctionId {
    pub schema: String,
    pub name: String,
    pub arguments: String,
}

impl FunctionId {
    pub fn new(
        schema: impl Into<String>,
        name: impl Into<String>,
        arguments: impl Into<String>,
    ) -> Self {
        Self {
            schema: schema.into(),
            name: name.into(),
            arguments: arguments.into(),
        }
    }

    /// `"schema"."name"(arguments)`, ready to paste into `DROP FUNCTION`, `COMMENT ON`.
    pub fn quoted(&self) -> String {
        format!(
            "{}({})",
            QualifiedName::new(&self.schema, &self.name).quoted(),
            self.arguments
        )
    }
}

impl std::fmt::Display for FunctionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}({})", self.schema, self.name, self.arguments)
    }
}

/// A view or a materialized view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    pub schema: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub materialized: bool,
    /// `pg_get_viewdef` under an empty search_path: a `SELECT` with every name qualified,
    /// without the trailing `;`.
    pub definition: String,
    /// The output columns in order (a view can only gain columns at the end in place).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// Their types as `format_type` prints them, with `COLLATE` when not the type's default
    /// (in column order): `CREATE OR REPLACE VIEW` keeps the ones it has unchanged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub column_types: Vec<String>,
    /// `reloptions` as `name=value`: `security_barrier=true`, `check_option=cascaded`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// A materialized view that was created (or refreshed) without data.
    #[serde(default, skip_serializing_if = "is_false")]
    pub unpopulated: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `(column, comment)` in column order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub column_comments: Vec<(String, String)>,
    /// A materialized view's indexes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
    /// Complete `GRANT` statements re-applying the privileges given to others than the owner
    /// (privileges are not managed yet: kept when a plan re-creates the view).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<String>,
}

impl View {
    pub fn qualified_name(&self) -> QualifiedName {
        QualifiedName::new(&self.schema, &self.name)
    }

    /// `VIEW` or `MATERIALIZED VIEW`.
    pub fn kind(&self) -> &'static str {
        if self.materialized {
            "MATERIALIZED VIEW"
        } else {
            "VIEW"
        }
    }
}

/// What `pg_proc.prokind` says a routine is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FunctionKind {
    #[default]
    Function,
    Procedure,
    Aggregate,
    Window,
}

impl FunctionKind {
    pub fn is_function(&self) -> bool {
        *self == FunctionKind::Function
    }

    /// The keyword of `DROP …` and `COMMENT ON …`.
    pub fn keyword(&self) -> &'static str {
        match self {
            FunctionKind::Function | FunctionKind::Window => "FUNCTION",
            FunctionKind::Procedure => "PROCEDURE",
            FunctionKind::Aggregate => "AGGREGATE",
        }
    }
}

/// A function, procedure or aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Function {
    pub schema: String,
    pub name: String,
    /// Identity arguments (`pg_get_function_identity_arguments`): with [`Function::schema`]
    /// and [`Function::name`], what tells overloads apart.
    pub identity_arguments: String,
    #[serde(default, skip_serializing_if = "FunctionKind::is_function")]
    pub kind: FunctionKind,
    /// The arguments with names, modes and defaults (`pg_get_function_arguments`).
    /// `CREATE OR REPLACE` cannot change their names or remove defaults.
    pub arguments: String,
    /// The result (`pg_get_function_result`: `integer`, `SETOF public.t`, `TABLE(a integer)`);
    /// `None` for procedures. `CREATE OR REPLACE` cannot change it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    /// The complete statement that creates it: `pg_get_functiondef` for functions and
    /// procedures (`CREATE OR REPLACE FUNCTION …`), `CREATE AGGREGATE …` for aggregates.
    pub definition: String,
    /// Privileges held by others than the owner beyond the default (`EXECUTE` to `public`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
    /// Default privileges taken away (`REVOKE EXECUTE … FROM PUBLIC`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revoked_defaults: Vec<Grant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Function {
    pub fn id(&self) -> FunctionId {
        FunctionId::new(&self.schema, &self.name, &self.identity_arguments)
    }
}

/// `pg_trigger.tgenabled`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerEnabled {
    /// Fires in `origin` and `local` replication roles (`ENABLE TRIGGER`).
    #[default]
    Origin,
    Disabled,
    /// `ENABLE REPLICA TRIGGER`.
    Replica,
    /// `ENABLE ALWAYS TRIGGER`.
    Always,
}

impl TriggerEnabled {
    pub fn is_origin(&self) -> bool {
        *self == TriggerEnabled::Origin
    }

    /// The `ALTER TABLE` action that sets it (`ENABLE TRIGGER`, `DISABLE TRIGGER`, …).
    pub fn action(&self) -> &'static str {
        match self {
            TriggerEnabled::Origin => "ENABLE TRIGGER",
            TriggerEnabled::Disabled => "DISABLE TRIGGER",
            TriggerEnabled::Replica => "ENABLE REPLICA TRIGGER",
            TriggerEnabled::Always => "ENABLE ALWAYS TRIGGER",
        }
    }
}

/// A trigger on a table or view (constraint triggers included; the internal triggers of
/// foreign keys are not user objects and never appear).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    /// The table (or view) it is on.
    pub table: QualifiedName,
    pub name: String,
    /// `pg_get_triggerdef`: the complete `CREATE [CONSTRAINT] TRIGGER …` without `;`.
    pub definition: String,
    #[serde(default, skip_serializing_if = "TriggerEnabled::is_origin")]
    pub enabled: TriggerEnabled,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// The commands a policy applies to (`pg_policy.polcmd`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyCommand {
    #[default]
    All,
    Select,
    Insert,
    Update,
    Delete,
}

impl PolicyCommand {
    pub fn is_all(&self) -> bool {
        *self == PolicyCommand::All
    }

    /// The keyword after `FOR`.
    pub fn keyword(&self) -> &'static str {
        match self {
            PolicyCommand::All => "ALL",
            PolicyCommand::Select => "SELECT",
            PolicyCommand::Insert => "INSERT",
            PolicyCommand::Update => "UPDATE",
            PolicyCommand::Delete => "DELETE",
        }
    }
}

/// A row-level security policy of a table (`CREATE POLICY`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub table: QualifiedName,
    pub name: String,
    /// `AS RESTRICTIVE` (policies are permissive by default).
    #[serde(default, skip_serializing_if = "is_false")]
    pub restrictive: bool,
    #[serde(default, skip_serializing_if = "PolicyCommand::is_all")]
    pub command: PolicyCommand,
    /// The roles it applies to, as role names (`public` for PUBLIC), sorted.
    pub roles: Vec<String>,
    /// `USING (…)` as `pg_get_expr` prints it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using: Option<String>,
    /// `WITH CHECK (…)` as `pg_get_expr` prints it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_check: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A `CHECK` constraint of a domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainCheck {
    pub name: String,
    /// As `pg_get_constraintdef` prints it: `CHECK ((VALUE > 0))`.
    pub definition: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_valid: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// `CREATE DOMAIN`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    pub schema: String,
    pub name: String,
    /// The base type as `format_type` prints it.
    pub data_type: String,
    /// A collation other than the base type's default, schema-qualified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_null: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<DomainCheck>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Privileges held by others than the owner beyond PostgreSQL's defaults.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
    /// PostgreSQL's defaults taken away (`REVOKE USAGE ON TYPE … FROM PUBLIC`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revoked_defaults: Vec<Grant>,
}

/// One attribute of a composite type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribute {
    pub name: String,
    pub data_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// `CREATE TYPE … AS (…)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompositeType {
    pub schema: String,
    pub name: String,
    /// In attribute order.
    pub attributes: Vec<Attribute>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Privileges held by others than the owner beyond PostgreSQL's defaults.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
    /// PostgreSQL's defaults taken away (`REVOKE USAGE ON TYPE … FROM PUBLIC`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revoked_defaults: Vec<Grant>,
}

/// `CREATE TYPE … AS RANGE (…)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeType {
    pub schema: String,
    pub name: String,
    pub subtype: String,
    /// A non-default operator class of the subtype, schema-qualified unless in pg_catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtype_opclass: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtype_diff: Option<String>,
    /// The multirange type's name when it is not the default one, schema-qualified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multirange: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Privileges held by others than the owner beyond PostgreSQL's defaults.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
    /// PostgreSQL's defaults taken away (`REVOKE USAGE ON TYPE … FROM PUBLIC`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revoked_defaults: Vec<Grant>,
}

/// `CREATE COLLATION`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collation {
    pub schema: String,
    pub name: String,
    /// `libc`, `icu` (or `builtin`, PostgreSQL 17).
    pub provider: String,
    /// `lc_collate` (or the ICU locale).
    pub collate: String,
    /// `lc_ctype`; for ICU the same as `collate`.
    pub ctype: String,
    #[serde(default = "default_true", skip_serializing_if = "is_true")]
    pub deterministic: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

fn is_true(value: &bool) -> bool {
    *value
}

fn default_true() -> bool {
    true
}

impl Collation {
    pub fn qualified_name(&self) -> QualifiedName {
        QualifiedName::new(&self.schema, &self.name)
    }
}

/// `CREATE TEXT SEARCH DICTIONARY`: a template with its options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextSearchDictionary {
    pub schema: String,
    pub name: String,
    /// The template, schema-qualified and quoted where needed: `pg_catalog.simple`.
    pub template: String,
    /// The options as PostgreSQL stores them (`dictinitoption`), one `name = 'value'` each, in
    /// their stored order: the text re-creates them exactly.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl TextSearchDictionary {
    pub fn qualified_name(&self) -> QualifiedName {
        QualifiedName::new(&self.schema, &self.name)
    }

    /// Each option as (name, the whole `name = 'value'` text), for comparing by name.
    pub fn options_by_name(&self) -> Vec<(&str, &str)> {
        self.options
            .iter()
            .map(|option| (dictionary_option_name(option), option.as_str()))
            .collect()
    }
}

/// The name of a dictionary option `name = 'value'` (the text before `=`, trimmed).
pub fn dictionary_option_name(option: &str) -> &str {
    option.split('=').next().unwrap_or(option).trim()
}

/// `CREATE TEXT SEARCH CONFIGURATION`: a parser and, per token type, the dictionaries that
/// are tried in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextSearchConfiguration {
    pub schema: String,
    pub name: String,
    /// The parser, schema-qualified and quoted where needed: `pg_catalog."default"`.
    pub parser: String,
    /// The mappings, sorted by token type.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mappings: Vec<TextSearchMapping>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl TextSearchConfiguration {
    pub fn qualified_name(&self) -> QualifiedName {
        QualifiedName::new(&self.schema, &self.name)
    }
}

/// One token type of a configuration and its dictionaries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextSearchMapping {
    /// The parser's alias of the token type (`asciiword`, `email`, …).
    pub token_type: String,
    /// The dictionaries, in the order they are tried, schema-qualified (`pg_catalog.simple`).
    pub dictionaries: Vec<String>,
}
