//! SQL for catalog objects: one function per statement form. The canonical dump
//! (`dump.rs`) strings them together so running it on an empty database re-creates the
//! catalog.
//!
//! The statement functions are public so the diff planner renders objects exactly as the
//! dump does.

use crate::catalog::*;
use crate::ident::{QualifiedName, quote_ident, quote_literal};
use crate::objects::{
    Attribute, Collation, CompositeType, Domain, DomainCheck, Function, FunctionId, FunctionKind,
    Policy, RangeType, TextSearchConfiguration, TextSearchDictionary, TextSearchMapping, Trigger,
    View,
};
use std::fmt::Write as _;

fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|name| quote_ident(name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `CONSTRAINT "name" `, or nothing for an empty name: declared models leave unnamed
/// constraints to PostgreSQL, which then picks exactly its own default name.
fn constraint_prefix(name: &str) -> String {
    if name.is_empty() {
        String::new()
    } else {
        format!("CONSTRAINT {} ", quote_ident(name))
    }
}

/// `CREATE SCHEMA IF NOT EXISTS "s";` — `IF NOT EXISTS` because `public` exists everywhere.
pub fn create_schema(schema: &Schema) -> String {
    format!("CREATE SCHEMA IF NOT EXISTS {};", quote_ident(&schema.name))
}

pub fn create_extension(extension: &Extension) -> String {
    format!(
        "CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {} VERSION {};",
        quote_ident(&extension.name),
        quote_ident(&extension.schema),
        quote_literal(&extension.version)
    )
}

pub fn create_enum(enum_type: &EnumType) -> String {
    let values = enum_type
        .values
        .iter()
        .map(|value| quote_literal(value))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "CREATE TYPE {} AS ENUM ({values});",
        QualifiedName::new(&enum_type.schema, &enum_type.name).quoted()
    )
}

/// `CREATE SEQUENCE` without `OWNED BY`: the owning table does not exist yet when sequences
/// are created (see [`sequence_owned_by`]).
pub fn create_sequence(sequence: &Sequence) -> String {
    let mut sql = format!(
        "CREATE SEQUENCE {} AS {}",
        QualifiedName::new(&sequence.schema, &sequence.name).quoted(),
        sequence.data_type
    );
    for clause in sequence.options.non_default_clauses(&sequence.data_type) {
        sql.push(' ');
        sql.push_str(&clause);
    }
    sql.push(';');
    sql
}

pub fn sequence_owned_by(sequence: &Sequence) -> Option<String> {
    let owner = sequence.owned_by.as_ref()?;
    Some(format!(
        "ALTER SEQUENCE {} OWNED BY {}.{};",
        QualifiedName::new(&sequence.schema, &sequence.name).quoted(),
        owner.table.quoted(),
        quote_ident(&owner.column)
    ))
}

/// A column as it appears inside `CREATE TABLE` or after `ADD COLUMN`.
pub fn column_definition(column: &Column) -> String {
    let mut sql = format!("{} {}", quote_ident(&column.name), column.data_type);
    if let Some(collation) = &column.collation {
        write!(sql, " COLLATE {collation}").ok();
    }
    if let Some(expression) = &column.generated {
        write!(sql, " GENERATED ALWAYS AS ({expression}) STORED").ok();
    }
    if let Some(identity) = &column.identity {
        sql.push_str(&identity_clause(identity, &column.data_type));
    }
    if let Some(default) = &column.default {
        write!(sql, " DEFAULT {default}").ok();
    }
    if column.not_null {
        sql.push_str(" NOT NULL");
    }
    sql
}

/// ` GENERATED … AS IDENTITY [(options)]`, with a leading space.
pub fn identity_clause(identity: &Identity, data_type: &str) -> String {
    let kind = match identity.kind {
        IdentityKind::Always => "ALWAYS",
        IdentityKind::ByDefault => "BY DEFAULT",
    };
    let options = identity.options.non_default_clauses(data_type);
    if options.is_empty() {
        format!(" GENERATED {kind} AS IDENTITY")
    } else {
        format!(" GENERATED {kind} AS IDENTITY ({})", options.join(" "))
    }
}

pub fn primary_key_definition(primary_key: &PrimaryKey) -> String {
    let mut sql = format!(
        "{}PRIMARY KEY ({})",
        constraint_prefix(&primary_key.name),
        quoted_list(&primary_key.columns)
    );
    if !primary_key.include.is_empty() {
        write!(sql, " INCLUDE ({})", quoted_list(&primary_key.include)).ok();
    }
    sql.push_str(&with_clause(&primary_key.storage_parameters));
    sql.push_str(primary_key.deferral.sql_suffix());
    sql
}

pub fn unique_definition(unique: &UniqueConstraint) -> String {
    let nulls = if unique.nulls_not_distinct {
        " NULLS NOT DISTINCT"
    } else {
        ""
    };
    let mut sql = format!(
        "{}UNIQUE{nulls} ({})",
        constraint_prefix(&unique.name),
        quoted_list(&unique.columns)
    );
    if !unique.include.is_empty() {
        write!(sql, " INCLUDE ({})", quoted_list(&unique.include)).ok();
    }
    sql.push_str(&with_clause(&unique.storage_parameters));
    sql.push_str(unique.deferral.sql_suffix());
    sql
}

/// The check without `NOT VALID` (which only `ALTER TABLE … ADD CONSTRAINT` accepts).
pub fn check_definition(check: &CheckConstraint) -> String {
    let mut sql = format!(
        "{}CHECK ({})",
        constraint_prefix(&check.name),
        check.expression
    );
    if check.no_inherit {
        sql.push_str(" NO INHERIT");
    }
    sql
}

pub fn exclusion_definition(exclusion: &ExclusionConstraint) -> String {
    format!(
        "{}{}",
        constraint_prefix(&exclusion.name),
        exclusion.definition
    )
}

pub fn foreign_key_definition(foreign_key: &ForeignKey) -> String {
    let mut sql = format!(
        "{}FOREIGN KEY ({}) REFERENCES {} ({})",
        constraint_prefix(&foreign_key.name),
        quoted_list(&foreign_key.columns),
        foreign_key.references.quoted(),
        quoted_list(&foreign_key.referenced_columns)
    );
    match foreign_key.match_type {
        MatchType::Simple => {}
        MatchType::Full => sql.push_str(" MATCH FULL"),
        MatchType::Partial => sql.push_str(" MATCH PARTIAL"),
    }
    if !foreign_key.on_update.is_no_action() {
        write!(sql, " ON UPDATE {}", foreign_key.on_update.sql()).ok();
    }
    if !foreign_key.on_delete.is_no_action() {
        write!(sql, " ON DELETE {}", foreign_key.on_delete.sql()).ok();
        if !foreign_key.on_delete_columns.is_empty() {
            write!(sql, " ({})", quoted_list(&foreign_key.on_delete_columns)).ok();
        }
    }
    sql.push_str(foreign_key.deferral.sql_suffix());
    sql
}

/// `CREATE TABLE` with columns, primary key, uniques, valid checks and exclusions inline;
/// foreign keys and NOT VALID checks come later as `ALTER TABLE` (see [`add_constraint`]).
pub fn create_table(table: &Table) -> String {
    let mut lines: Vec<String> = table.columns.iter().map(column_definition).collect();
    if let Some(primary_key) = &table.primary_key {
        lines.push(primary_key_definition(primary_key));
    }
    lines.extend(table.uniques.iter().map(unique_definition));
    lines.extend(
        table
            .checks
            .iter()
            .filter(|check| !check.not_valid)
            .map(check_definition),
    );
    lines.extend(table.exclusions.iter().map(exclusion_definition));
    let unlogged = if table.unlogged { "UNLOGGED " } else { "" };
    let body = if lines.is_empty() {
        String::new()
    } else {
        format!("\n    {}\n", lines.join(",\n    "))
    };
    let name = table.qualified_name().quoted();
    match &table.partition_of {
        // A partition's columns are its parent's; only its own constraints are listed.
        Some(of) => {
            let body = if lines.is_empty() {
                String::new()
            } else {
                format!(" ({body})")
            };
            format!(
                "CREATE {unlogged}TABLE {name} PARTITION OF {}{body} {}{}{};",
                of.parent.quoted(),
                of.bound,
                partition_by(table),
                table_with(table)
            )
        }
        None => format!(
            "CREATE {unlogged}TABLE {name} ({body}){}{}{};",
            inherits(table),
            partition_by(table),
            table_with(table)
        ),
    }
}

/// `ALTER TABLE parent DETACH PARTITION partition [CONCURRENTLY];`
pub fn detach_partition(
    parent: &QualifiedName,
    partition: &QualifiedName,
    concurrently: bool,
) -> String {
    format!(
        "ALTER TABLE {} DETACH PARTITION {}{};",
        parent.quoted(),
        partition.quoted(),
        if concurrently { " CONCURRENTLY" } else { "" }
    )
}

/// ` INHERITS (…)` of an inheritance child, or nothing.
pub fn inherits(table: &Table) -> String {
    if table.inherits.is_empty() {
        return String::new();
    }
    let parents: Vec<String> = table.inherits.iter().map(QualifiedName::quoted).collect();
    format!(" INHERITS ({})", parents.join(", "))
}

/// ` PARTITION BY …` of a partitioned table, or nothing.
pub fn partition_by(table: &Table) -> String {
    table
        .partition_by
        .as_ref()
        .map(|key| format!(" PARTITION BY {key}"))
        .unwrap_or_default()
}

/// ` WITH (name=value, …)` of a table's storage parameters, or nothing.
pub fn table_with(table: &Table) -> String {
    if table.storage_parameters.is_empty() {
        String::new()
    } else {
        format!(" WITH ({})", table.storage_parameters.join(", "))
    }
}

/// What a table's `CREATE TABLE` and indexes cannot say: row-level security switched on (and
/// forced) and a replica identity other than the default.
pub fn table_settings(table: &Table) -> Vec<String> {
    let name = table.qualified_name();
    let mut statements = Vec::new();
    if table.row_level_security {
        statements.push(row_level_security(&name, true));
    }
    if table.force_row_level_security {
        statements.push(force_row_level_security(&name, true));
    }
    if !table.replica_identity.is_default() {
        statements.push(replica_identity(&name, &table.replica_identity));
    }
    statements
}

/// `ALTER TABLE t ENABLE|DISABLE ROW LEVEL SECURITY;`
pub fn row_level_security(table: &QualifiedName, enabled: bool) -> String {
    let action = if enabled { "ENABLE" } else { "DISABLE" };
    format!(
        "ALTER TABLE {} {action} ROW LEVEL SECURITY;",
        table.quoted()
    )
}

/// `ALTER TABLE t [NO] FORCE ROW LEVEL SECURITY;`
pub fn force_row_level_security(table: &QualifiedName, forced: bool) -> String {
    let action = if forced { "FORCE" } else { "NO FORCE" };
    format!(
        "ALTER TABLE {} {action} ROW LEVEL SECURITY;",
        table.quoted()
    )
}

/// `ALTER TABLE t REPLICA IDENTITY …;`
pub fn replica_identity(table: &QualifiedName, identity: &ReplicaIdentity) -> String {
    format!(
        "ALTER TABLE {} REPLICA IDENTITY {};",
        table.quoted(),
        identity.sql()
    )
}

/// `ALTER TABLE t SET (…);` and `ALTER TABLE t RESET (…);` that take a table's storage
/// parameters from `old` to `new` (`name=value` items).
pub fn storage_parameter_changes(
    table: &QualifiedName,
    old: &[String],
    new: &[String],
) -> Vec<String> {
    option_changes(old, new)
        .into_iter()
        .map(|action| format!("ALTER TABLE {} {action};", table.quoted()))
        .collect()
}

/// `RESET (name, …)` for the options of `old` that `new` has not, then `SET (name=value, …)`
/// for those `new` has and `old` has not as they are (`name=value` items): what takes a
/// table's storage parameters or a column's attribute options from one to the other.
fn option_changes(old: &[String], new: &[String]) -> Vec<String> {
    let name_of = |item: &str| item.split('=').next().unwrap_or(item).to_string();
    let new_names: Vec<String> = new.iter().map(|item| name_of(item)).collect();
    let reset: Vec<String> = old
        .iter()
        .map(|item| name_of(item))
        .filter(|name| !new_names.contains(name))
        .collect();
    let set: Vec<&str> = new
        .iter()
        .filter(|item| !old.contains(item))
        .map(String::as_str)
        .collect();
    let mut actions = Vec::new();
    if !reset.is_empty() {
        actions.push(format!("RESET ({})", reset.join(", ")));
    }
    if !set.is_empty() {
        actions.push(format!("SET ({})", set.join(", ")));
    }
    actions
}

/// `ALTER TABLE ONLY t ALTER COLUMN c <action>;`: a column setting. `ONLY`: a column's
/// settings are its own, an inheritance child's or partition's column keeps the one it has.
fn alter_column_only(table: &QualifiedName, column: &str, action: &str) -> String {
    format!(
        "ALTER TABLE ONLY {} ALTER COLUMN {} {action};",
        table.quoted(),
        quote_ident(column)
    )
}

/// `… SET STATISTICS n;` (`-1`, `None`, goes back to the default target).
pub fn set_statistics(table: &QualifiedName, column: &str, statistics: Option<i32>) -> String {
    let target = statistics.unwrap_or(-1);
    alter_column_only(table, column, &format!("SET STATISTICS {target}"))
}

/// `… SET STORAGE PLAIN|EXTERNAL|EXTENDED|MAIN|DEFAULT;`
pub fn set_storage(table: &QualifiedName, column: &str, storage: &str) -> String {
    alter_column_only(
        table,
        column,
        &format!("SET STORAGE {}", storage.to_uppercase()),
    )
}

/// `… SET COMPRESSION pglz|lz4;` or `… SET COMPRESSION DEFAULT;` for `None`.
pub fn set_compression(table: &QualifiedName, column: &str, compression: Option<&str>) -> String {
    let method = compression.unwrap_or("DEFAULT");
    alter_column_only(table, column, &format!("SET COMPRESSION {method}"))
}

/// `… RESET (name, …);` and `… SET (name=value, …);` that take a column's attribute options
/// from `old` to `new` (`name=value` items).
pub fn column_option_changes(
    table: &QualifiedName,
    column: &str,
    old: &[String],
    new: &[String],
) -> Vec<String> {
    option_changes(old, new)
        .iter()
        .map(|action| alter_column_only(table, column, action))
        .collect()
}

/// The settings a column has beyond its definition, as the statements that give them to the
/// column just created (a storage other than its type's, a compression method, a statistics
/// target, attribute options).
pub fn column_settings(table: &QualifiedName, column: &Column) -> Vec<String> {
    let mut statements = Vec::new();
    if let Some(storage) = &column.storage {
        statements.push(set_storage(table, &column.name, storage));
    }
    if let Some(compression) = &column.compression {
        statements.push(set_compression(table, &column.name, Some(compression)));
    }
    if column.statistics.is_some() {
        statements.push(set_statistics(table, &column.name, column.statistics));
    }
    statements.extend(column_option_changes(
        table,
        &column.name,
        &[],
        &column.options,
    ));
    statements
}

/// `ALTER TABLE t ADD <definition>[ NOT VALID];`
pub fn add_constraint(table: &QualifiedName, definition: &str, not_valid: bool) -> String {
    let not_valid = if not_valid { " NOT VALID" } else { "" };
    format!(
        "ALTER TABLE {} ADD {definition}{not_valid};",
        table.quoted()
    )
}

fn index_key(key: &IndexKey) -> String {
    let mut sql = match &key.target {
        IndexTarget::Column(name) => quote_ident(name),
        IndexTarget::Expression(expression) if is_parenthesized(expression) => expression.clone(),
        IndexTarget::Expression(expression) => format!("({expression})"),
    };
    if let Some(collation) = &key.collation {
        write!(sql, " COLLATE {collation}").ok();
    }
    if let Some(opclass) = &key.opclass {
        write!(sql, " {opclass}").ok();
    }
    // NULLS FIRST is the default for DESC, NULLS LAST for ASC.
    sql.push_str(match (key.descending, key.nulls_first) {
        (false, false) => "",
        (true, true) => " DESC",
        (true, false) => " DESC NULLS LAST",
        (false, true) => " NULLS FIRST",
    });
    sql
}

/// Whether `expression` is one parenthesized group, `(a + b)` but not `(a) + (b)`; quoted
/// strings and identifiers are skipped so parentheses inside them do not count.
fn is_parenthesized(expression: &str) -> bool {
    let bytes = expression.as_bytes();
    if bytes.first() != Some(&b'(') || bytes.last() != Some(&b')') {
        return false;
    }
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    for (position, &byte) in bytes.iter().enumerate() {
        match quote {
            Some(q) if byte == q => quote = None,
            Some(_) => {}
            None => match byte {
                b'\'' | b'"' => quote = Some(byte),
                b'(' => depth += 1,
                b')' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 && position + 1 < bytes.len() {
                        return false;
                    }
                }
                _ => {}
            },
        }
    }
    depth == 0
}

/// ` WITH (name=value, …)` for index storage parameters, or nothing.
fn with_clause(parameters: &[String]) -> String {
    if parameters.is_empty() {
        return String::new();
    }
    let parameters = parameters
        .iter()
        .map(|parameter| storage_parameter(parameter))
        .collect::<Vec<_>>();
    format!(" WITH ({})", parameters.join(", "))
}

fn storage_parameter(parameter: &str) -> String {
    match parameter.split_once('=') {
        Some((name, value))
            if !value.is_empty()
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') =>
        {
            format!("{name}={value}")
        }
        Some((name, value)) => format!("{name}={}", quote_literal(value)),
        None => parameter.to_string(),
    }
}

pub fn create_index(table: &QualifiedName, index: &Index) -> String {
    let unique = if index.unique { "UNIQUE " } else { "" };
    let keys = index.keys.iter().map(index_key).collect::<Vec<_>>();
    // An empty name lets PostgreSQL choose it (declared models leave names to it).
    let name = if index.name.is_empty() {
        String::new()
    } else {
        format!("{} ", quote_ident(&index.name))
    };
    let mut sql = format!(
        "CREATE {unique}INDEX {name}ON {} USING {} ({})",
        table.quoted(),
        index.method,
        keys.join(", ")
    );
    if !index.include.is_empty() {
        write!(sql, " INCLUDE ({})", quoted_list(&index.include)).ok();
    }
    if index.nulls_not_distinct {
        sql.push_str(" NULLS NOT DISTINCT");
    }
    sql.push_str(&with_clause(&index.storage_parameters));
    if let Some(predicate) = &index.predicate {
        write!(sql, " WHERE {predicate}").ok();
    }
    sql.push(';');
    sql
}

pub(crate) fn comment_literal(comment: &Option<String>) -> String {
    comment
        .as_deref()
        .map(quote_literal)
        .unwrap_or_else(|| "NULL".to_string())
}

/// The object a `COMMENT ON` names. The one place its target is spelled, for the dump and
/// for migration plans alike.
#[derive(Debug, Clone, Copy)]
pub enum CommentOn<'a> {
    Schema(&'a str),
    Type(&'a QualifiedName),
    Sequence(&'a QualifiedName),
    Table(&'a QualifiedName),
    /// A column of a table, view or composite type.
    Column(&'a QualifiedName, &'a str),
    /// A table and one of its constraints.
    Constraint(&'a QualifiedName, &'a str),
    /// The schema-qualified index name.
    Index(&'a QualifiedName),
    View(&'a QualifiedName),
    MaterializedView(&'a QualifiedName),
    Function(FunctionKind, &'a FunctionId),
    /// A table and one of its triggers.
    Trigger(&'a QualifiedName, &'a str),
    /// A table and one of its policies.
    Policy(&'a QualifiedName, &'a str),
    Domain(&'a QualifiedName),
    /// A domain and one of its constraints.
    DomainConstraint(&'a QualifiedName, &'a str),
    Collation(&'a QualifiedName),
    TextSearchDictionary(&'a QualifiedName),
    TextSearchConfiguration(&'a QualifiedName),
}

impl CommentOn<'_> {
    fn target(&self) -> String {
        match self {
            CommentOn::Schema(name) => format!("SCHEMA {}", quote_ident(name)),
            CommentOn::Type(name) => format!("TYPE {}", name.quoted()),
            CommentOn::Sequence(name) => format!("SEQUENCE {}", name.quoted()),
            CommentOn::Table(name) => format!("TABLE {}", name.quoted()),
            CommentOn::Column(table, column) => {
                format!("COLUMN {}.{}", table.quoted(), quote_ident(column))
            }
            CommentOn::Constraint(table, constraint) => {
                format!(
                    "CONSTRAINT {} ON {}",
                    quote_ident(constraint),
                    table.quoted()
                )
            }
            CommentOn::Index(name) => format!("INDEX {}", name.quoted()),
            CommentOn::View(name) => format!("VIEW {}", name.quoted()),
            CommentOn::MaterializedView(name) => format!("MATERIALIZED VIEW {}", name.quoted()),
            CommentOn::Function(kind, id) => format!("{} {}", kind.keyword(), id.quoted()),
            CommentOn::Trigger(table, trigger) => {
                format!("TRIGGER {} ON {}", quote_ident(trigger), table.quoted())
            }
            CommentOn::Policy(table, policy) => {
                format!("POLICY {} ON {}", quote_ident(policy), table.quoted())
            }
            CommentOn::Domain(name) => format!("DOMAIN {}", name.quoted()),
            CommentOn::DomainConstraint(domain, constraint) => format!(
                "CONSTRAINT {} ON DOMAIN {}",
                quote_ident(constraint),
                domain.quoted()
            ),
            CommentOn::Collation(name) => format!("COLLATION {}", name.quoted()),
            CommentOn::TextSearchDictionary(name) => {
                format!("TEXT SEARCH DICTIONARY {}", name.quoted())
            }
            CommentOn::TextSearchConfiguration(name) => {
                format!("TEXT SEARCH CONFIGURATION {}", name.quoted())
            }
        }
    }
}

/// `COMMENT ON <target> IS '…';` (`NULL` removes the comment).
pub fn comment_on(target: CommentOn<'_>, comment: &Option<String>) -> String {
    format!(
        "COMMENT ON {} IS {};",
        target.target(),
        comment_literal(comment)
    )
}

/// `CREATE [MATERIALIZED] VIEW name [WITH (options)] AS <definition>[ WITH NO DATA];`
pub fn create_view(view: &View) -> String {
    let options = if view.options.is_empty() {
        String::new()
    } else {
        format!(" WITH ({})", view.options.join(", "))
    };
    let definition = view.definition.trim().trim_end_matches(';').trim_end();
    let no_data = if view.materialized && view.unpopulated {
        "\nWITH NO DATA"
    } else {
        ""
    };
    format!(
        "CREATE {} {}{options} AS\n{definition}{no_data};",
        view.kind(),
        view.qualified_name().quoted()
    )
}

/// `CREATE OR REPLACE VIEW …` of a (plain) view whose columns keep their names and types and
/// may gain more at the end: what uses the view stays.
pub fn replace_view(view: &View) -> String {
    let statement = create_view(view);
    match statement.strip_prefix("CREATE VIEW ") {
        Some(rest) => format!("CREATE OR REPLACE VIEW {rest}"),
        None => statement,
    }
}

/// `DROP [MATERIALIZED] VIEW name;` (no `CASCADE`: dependents are dropped explicitly first).
pub fn drop_view(view: &View) -> String {
    format!("DROP {} {};", view.kind(), view.qualified_name().quoted())
}

/// The function's own definition (`pg_get_functiondef`'s `CREATE OR REPLACE FUNCTION …`),
/// ending with `;`.
pub fn create_function(function: &Function) -> String {
    let definition = function.definition.trim_end();
    if definition.ends_with(';') {
        definition.to_string()
    } else {
        format!("{definition};")
    }
}

/// The function created where none of its signature may exist yet: `CREATE FUNCTION …`
/// (`pg_get_functiondef`'s `OR REPLACE` left out, so an existing function of the same
/// signature fails the statement instead of being overwritten).
pub fn create_new_function(function: &Function) -> String {
    let statement = create_function(function);
    match statement.strip_prefix("CREATE OR REPLACE ") {
        Some(rest) => format!("CREATE {rest}"),
        None => statement,
    }
}

pub fn drop_function(kind: FunctionKind, id: &FunctionId) -> String {
    format!("DROP {} {};", kind.keyword(), id.quoted())
}

/// `CREATE TRIGGER …;` and, unless it fires normally, the statement that sets how it fires.
pub fn create_trigger(trigger: &Trigger) -> Vec<String> {
    let mut statements = vec![format!("{};", trigger.definition.trim_end_matches(';'))];
    if !trigger.enabled.is_origin() {
        statements.push(trigger_enabled(trigger));
    }
    statements
}

/// `ALTER TABLE t ENABLE|DISABLE [REPLICA|ALWAYS] TRIGGER name;`
pub fn trigger_enabled(trigger: &Trigger) -> String {
    format!(
        "ALTER TABLE {} {} {};",
        trigger.table.quoted(),
        trigger.enabled.action(),
        quote_ident(&trigger.name)
    )
}

pub fn drop_trigger(table: &QualifiedName, name: &str) -> String {
    format!("DROP TRIGGER {} ON {};", quote_ident(name), table.quoted())
}

/// A role as SQL names it: `PUBLIC`, or the quoted role name.
fn role_sql(role: &str) -> String {
    if role == "public" {
        "PUBLIC".to_string()
    } else {
        quote_ident(role)
    }
}

/// A policy's role list: `PUBLIC` or quoted role names.
fn policy_roles(roles: &[String]) -> String {
    roles
        .iter()
        .map(|role| role_sql(role))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a privilege is on.
#[derive(Debug, Clone, Copy)]
pub enum GrantOn<'a> {
    Table(&'a QualifiedName),
    Sequence(&'a QualifiedName),
    Function(FunctionKind, &'a FunctionId),
    Schema(&'a str),
    /// An enum, domain, composite or range type (`ON TYPE` covers them all).
    Type(&'a QualifiedName),
}

impl GrantOn<'_> {
    fn target(&self) -> String {
        match self {
            GrantOn::Table(name) => format!("TABLE {}", name.quoted()),
            GrantOn::Sequence(name) => format!("SEQUENCE {}", name.quoted()),
            // `FUNCTION` covers aggregates and window functions, not procedures.
            GrantOn::Function(FunctionKind::Procedure, id) => format!("PROCEDURE {}", id.quoted()),
            GrantOn::Function(_, id) => format!("FUNCTION {}", id.quoted()),
            GrantOn::Schema(name) => format!("SCHEMA {}", quote_ident(name)),
            GrantOn::Type(name) => format!("TYPE {}", name.quoted()),
        }
    }
}

/// `SELECT` or `SELECT ("column")`.
fn privilege_sql(grant: &Grant) -> String {
    match &grant.column {
        Some(column) => format!("{} ({})", grant.privilege, quote_ident(column)),
        None => grant.privilege.clone(),
    }
}

/// `GRANT privilege [(column)] ON … TO role [WITH GRANT OPTION];`
pub fn grant(on: GrantOn<'_>, grant: &Grant) -> String {
    let option = if grant.grantable {
        " WITH GRANT OPTION"
    } else {
        ""
    };
    format!(
        "GRANT {} ON {} TO {}{option};",
        privilege_sql(grant),
        on.target(),
        role_sql(&grant.grantee)
    )
}

/// `REVOKE privilege [(column)] ON … FROM role;` (the grant option goes with it).
pub fn revoke(on: GrantOn<'_>, grant: &Grant) -> String {
    format!(
        "REVOKE {} ON {} FROM {};",
        privilege_sql(grant),
        on.target(),
        role_sql(&grant.grantee)
    )
}

/// `ALTER DEFAULT PRIVILEGES [FOR ROLE r] [IN SCHEMA s] ` of `defaults`.
fn alter_default_privileges(defaults: &DefaultPrivileges) -> String {
    let mut text = String::from("ALTER DEFAULT PRIVILEGES ");
    if let Some(role) = &defaults.role {
        let _ = write!(text, "FOR ROLE {} ", quote_ident(role));
    }
    if let Some(schema) = &defaults.schema {
        let _ = write!(text, "IN SCHEMA {} ", quote_ident(schema));
    }
    text
}

/// `ALTER DEFAULT PRIVILEGES … GRANT privilege ON TABLES … TO role [WITH GRANT OPTION];`
pub fn grant_default(defaults: &DefaultPrivileges, grant: &Grant) -> String {
    let option = if grant.grantable {
        " WITH GRANT OPTION"
    } else {
        ""
    };
    format!(
        "{}GRANT {} ON {} TO {}{option};",
        alter_default_privileges(defaults),
        grant.privilege,
        defaults.object_type.keyword(),
        role_sql(&grant.grantee)
    )
}

/// `ALTER DEFAULT PRIVILEGES … REVOKE privilege ON TABLES … FROM role;`
pub fn revoke_default(defaults: &DefaultPrivileges, grant: &Grant) -> String {
    format!(
        "{}REVOKE {} ON {} FROM {};",
        alter_default_privileges(defaults),
        grant.privilege,
        defaults.object_type.keyword(),
        role_sql(&grant.grantee)
    )
}

/// The statements that give a database `defaults` where it has none.
pub fn default_privileges(defaults: &DefaultPrivileges) -> Vec<String> {
    defaults
        .revoked_defaults
        .iter()
        .map(|revoked| revoke_default(defaults, revoked))
        .chain(
            defaults
                .grants
                .iter()
                .map(|granted| grant_default(defaults, granted)),
        )
        .collect()
}

/// The statements that take a newly created object's privileges to these: the defaults taken
/// away, then the grants.
pub fn privileges(on: GrantOn<'_>, grants: &[Grant], revoked_defaults: &[Grant]) -> Vec<String> {
    revoked_defaults
        .iter()
        .map(|revoked| revoke(on, revoked))
        .chain(grants.iter().map(|granted| grant(on, granted)))
        .collect()
}

/// ` USING (…) WITH CHECK (…)` of a policy (what it has of them).
fn policy_expressions(policy: &Policy) -> String {
    let mut text = String::new();
    if let Some(using) = &policy.using {
        let _ = write!(text, " USING ({using})");
    }
    if let Some(check) = &policy.with_check {
        let _ = write!(text, " WITH CHECK ({check})");
    }
    text
}

/// `CREATE POLICY name ON t [AS RESTRICTIVE] [FOR cmd] TO roles [USING (…)] [WITH CHECK (…)];`
pub fn create_policy(policy: &Policy) -> String {
    let restrictive = if policy.restrictive {
        " AS RESTRICTIVE"
    } else {
        ""
    };
    let command = if policy.command.is_all() {
        String::new()
    } else {
        format!(" FOR {}", policy.command.keyword())
    };
    format!(
        "CREATE POLICY {} ON {}{restrictive}{command} TO {}{};",
        quote_ident(&policy.name),
        policy.table.quoted(),
        policy_roles(&policy.roles),
        policy_expressions(policy)
    )
}

/// `ALTER POLICY name ON t TO roles [USING (…)] [WITH CHECK (…)];`: a policy's roles and
/// expressions in place (its command and kind cannot change, nor can an expression be taken
/// away).
pub fn alter_policy(policy: &Policy) -> String {
    format!(
        "ALTER POLICY {} ON {} TO {}{};",
        quote_ident(&policy.name),
        policy.table.quoted(),
        policy_roles(&policy.roles),
        policy_expressions(policy)
    )
}

pub fn drop_policy(table: &QualifiedName, name: &str) -> String {
    format!("DROP POLICY {} ON {};", quote_ident(name), table.quoted())
}

/// `CREATE DOMAIN` with its collation, default, NOT NULL and valid checks; `NOT VALID`
/// checks follow as `ALTER DOMAIN … ADD … NOT VALID`.
pub fn create_domain(domain: &Domain) -> Vec<String> {
    let name = QualifiedName::new(&domain.schema, &domain.name);
    let mut statements = vec![create_domain_type(domain)];
    statements.extend(
        domain
            .checks
            .iter()
            .filter(|check| check.not_valid)
            .map(|check| add_domain_check(&name, check)),
    );
    statements
}

/// `CREATE DOMAIN` alone, with its collation, default, NOT NULL and valid checks.
pub fn create_domain_type(domain: &Domain) -> String {
    let name = QualifiedName::new(&domain.schema, &domain.name);
    let mut sql = format!("CREATE DOMAIN {} AS {}", name.quoted(), domain.data_type);
    if let Some(collation) = &domain.collation {
        write!(sql, " COLLATE {collation}").ok();
    }
    if let Some(default) = &domain.default {
        write!(sql, " DEFAULT {default}").ok();
    }
    if domain.not_null {
        sql.push_str(" NOT NULL");
    }
    for check in domain.checks.iter().filter(|check| !check.not_valid) {
        write!(
            sql,
            " CONSTRAINT {} {}",
            quote_ident(&check.name),
            check.definition
        )
        .ok();
    }
    sql.push(';');
    sql
}

/// `ALTER DOMAIN d ADD CONSTRAINT c CHECK (…)[ NOT VALID];`
pub fn add_domain_check(domain: &QualifiedName, check: &DomainCheck) -> String {
    let not_valid = if check.not_valid { " NOT VALID" } else { "" };
    format!(
        "ALTER DOMAIN {} ADD CONSTRAINT {} {}{not_valid};",
        domain.quoted(),
        quote_ident(&check.name),
        check.definition
    )
}

/// `CREATE TYPE name AS (attribute type [COLLATE c], …);`
pub fn create_composite_type(composite: &CompositeType) -> String {
    let attributes: Vec<String> = composite
        .attributes
        .iter()
        .map(attribute_definition)
        .collect();
    let body = if attributes.is_empty() {
        String::new()
    } else {
        format!("\n    {}\n", attributes.join(",\n    "))
    };
    format!(
        "CREATE TYPE {} AS ({body});",
        QualifiedName::new(&composite.schema, &composite.name).quoted()
    )
}

/// An attribute as it appears in `CREATE TYPE … AS (…)` or after `ADD ATTRIBUTE`.
pub fn attribute_definition(attribute: &Attribute) -> String {
    let mut sql = format!("{} {}", quote_ident(&attribute.name), attribute.data_type);
    if let Some(collation) = &attribute.collation {
        write!(sql, " COLLATE {collation}").ok();
    }
    sql
}

/// `CREATE TYPE name AS RANGE (SUBTYPE = …, …);`
pub fn create_range_type(range: &RangeType) -> String {
    let mut options = vec![format!("SUBTYPE = {}", range.subtype)];
    let mut option = |key: &str, value: &Option<String>| {
        if let Some(value) = value {
            options.push(format!("{key} = {value}"));
        }
    };
    option("SUBTYPE_OPCLASS", &range.subtype_opclass);
    option("COLLATION", &range.collation);
    option("CANONICAL", &range.canonical);
    option("SUBTYPE_DIFF", &range.subtype_diff);
    option("MULTIRANGE_TYPE_NAME", &range.multirange);
    format!(
        "CREATE TYPE {} AS RANGE ({});",
        QualifiedName::new(&range.schema, &range.name).quoted(),
        options.join(", ")
    )
}

/// `CREATE COLLATION name (provider = …, lc_collate = …, lc_ctype = …[, deterministic = false]);`
pub fn create_collation(collation: &Collation) -> String {
    let mut options = vec![format!("provider = {}", quote_ident(&collation.provider))];
    if collation.collate == collation.ctype {
        options.push(format!("locale = {}", quote_literal(&collation.collate)));
    } else {
        options.push(format!(
            "lc_collate = {}",
            quote_literal(&collation.collate)
        ));
        options.push(format!("lc_ctype = {}", quote_literal(&collation.ctype)));
    }
    if !collation.deterministic {
        options.push("deterministic = false".to_string());
    }
    format!(
        "CREATE COLLATION {} ({});",
        collation.qualified_name().quoted(),
        options.join(", ")
    )
}

/// `CREATE TEXT SEARCH DICTIONARY name (TEMPLATE = …[, option = 'value', …]);`
pub fn create_text_search_dictionary(dictionary: &TextSearchDictionary) -> String {
    let options: Vec<String> = std::iter::once(format!("TEMPLATE = {}", dictionary.template))
        .chain(dictionary.options.iter().cloned())
        .collect();
    format!(
        "CREATE TEXT SEARCH DICTIONARY {} ({});",
        dictionary.qualified_name().quoted(),
        options.join(", ")
    )
}

/// `ALTER TEXT SEARCH DICTIONARY name (option = 'value', other);`: sets the options given
/// with a value, removes those given by name alone.
pub fn alter_text_search_dictionary(name: &QualifiedName, options: &[String]) -> String {
    format!(
        "ALTER TEXT SEARCH DICTIONARY {} ({});",
        name.quoted(),
        options.join(", ")
    )
}

/// `CREATE TEXT SEARCH CONFIGURATION name (PARSER = …);` and its mappings (see
/// [`text_search_mapping`]). `COPY = other` in a source file is only a shorthand for these.
pub fn create_text_search_configuration(configuration: &TextSearchConfiguration) -> Vec<String> {
    let name = configuration.qualified_name();
    std::iter::once(format!(
        "CREATE TEXT SEARCH CONFIGURATION {} (PARSER = {});",
        name.quoted(),
        configuration.parser
    ))
    .chain(text_search_mapping(
        &name,
        MappingAction::Add,
        &configuration.mappings,
    ))
    .collect()
}

/// What `ALTER TEXT SEARCH CONFIGURATION` does to the mappings of some token types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MappingAction {
    Add,
    Alter,
    Drop,
}

/// `ALTER TEXT SEARCH CONFIGURATION name {ADD|ALTER} MAPPING FOR t1, t2 WITH d1, d2;` (token
/// types that share their dictionaries go in one statement, in the order of the first of
/// each group) or `… DROP MAPPING FOR t1, t2;` (all in one).
pub fn text_search_mapping(
    name: &QualifiedName,
    action: MappingAction,
    mappings: &[TextSearchMapping],
) -> Vec<String> {
    if mappings.is_empty() {
        return Vec::new();
    }
    if action == MappingAction::Drop {
        let tokens: Vec<String> = mappings
            .iter()
            .map(|m| quote_ident(&m.token_type))
            .collect();
        return vec![format!(
            "ALTER TEXT SEARCH CONFIGURATION {} DROP MAPPING FOR {};",
            name.quoted(),
            tokens.join(", ")
        )];
    }
    let mut groups: Vec<(&[String], Vec<String>)> = Vec::new();
    for mapping in mappings {
        let token = quote_ident(&mapping.token_type);
        match groups
            .iter_mut()
            .find(|(dictionaries, _)| *dictionaries == mapping.dictionaries.as_slice())
        {
            Some((_, tokens)) => tokens.push(token),
            None => groups.push((&mapping.dictionaries, vec![token])),
        }
    }
    let verb = if action == MappingAction::Add {
        "ADD"
    } else {
        "ALTER"
    };
    groups
        .into_iter()
        .map(|(dictionaries, tokens)| {
            format!(
                "ALTER TEXT SEARCH CONFIGURATION {} {verb} MAPPING FOR {} WITH {};",
                name.quoted(),
                tokens.join(", "),
                dictionaries.join(", ")
            )
        })
        .collect()
}

/// `DROP TYPE name;` (enum, composite or range types), `DROP DOMAIN`, `DROP COLLATION`,
/// `DROP TEXT SEARCH CONFIGURATION|DICTIONARY`.
pub fn drop_type(keyword: &str, name: &QualifiedName) -> String {
    format!("DROP {keyword} {};", name.quoted())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(column: &str) -> IndexKey {
        IndexKey {
            target: IndexTarget::Column(column.to_string()),
            collation: None,
            opclass: None,
            descending: false,
            nulls_first: false,
        }
    }

    #[test]
    fn index_keys_print_only_non_default_ordering() {
        let mut k = key("a");
        assert_eq!(index_key(&k), "\"a\"");
        k.descending = true;
        k.nulls_first = true;
        assert_eq!(index_key(&k), "\"a\" DESC");
        k.nulls_first = false;
        assert_eq!(index_key(&k), "\"a\" DESC NULLS LAST");
        k.descending = false;
        k.nulls_first = true;
        assert_eq!(index_key(&k), "\"a\" NULLS FIRST");
    }

    #[test]
    fn expressions_are_parenthesized_once() {
        assert!(is_parenthesized("((a + b))"));
        assert!(is_parenthesized("(a + b)"));
        assert!(!is_parenthesized("(a) + (b)"));
        assert!(!is_parenthesized("lower(email)"));
        assert!(is_parenthesized("(x = ')(')"));
        assert!(!is_parenthesized("(\"a)\") || (b)"));
        let mut k = key("x");
        k.target = IndexTarget::Expression("lower(email)".into());
        assert_eq!(index_key(&k), "(lower(email))");
        k.target = IndexTarget::Expression("((a + b))".into());
        assert_eq!(index_key(&k), "((a + b))");
    }

    #[test]
    fn storage_parameters_quote_unusual_values() {
        assert_eq!(storage_parameter("fillfactor=70"), "fillfactor=70");
        assert_eq!(storage_parameter("x=a b"), "x='a b'");
    }

    #[test]
    fn empty_names_are_left_to_postgresql() {
        let table = QualifiedName::new("public", "t");
        let unique = UniqueConstraint {
            name: String::new(),
            columns: vec!["a".into()],
            include: vec![],
            nulls_not_distinct: false,
            storage_parameters: vec![],
            deferral: Deferral::Immediate,
            comment: None,
            index_comment: None,
        };
        assert_eq!(unique_definition(&unique), "UNIQUE (\"a\")");
        let index = Index {
            name: String::new(),
            unique: false,
            method: "btree".into(),
            keys: vec![key("a")],
            include: vec![],
            predicate: None,
            nulls_not_distinct: false,
            storage_parameters: vec![],
            comment: None,
        };
        assert_eq!(
            create_index(&table, &index),
            "CREATE INDEX ON \"public\".\"t\" USING btree (\"a\");"
        );
    }

    #[test]
    fn empty_catalog_dumps_nothing() {
        assert_eq!(Catalog::default().to_sql(), "");
    }
}
