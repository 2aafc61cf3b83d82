//! The settings of a struct: table name and schema, and table-level constraints and indexes.

use super::choices;
use super::field::reference;
use super::reader::{Context, FlagOr, read_items};
use super::syntax::Meta;
use crate::problem::{Loc, Problem, Spanned};
use crate::reference::Reference;
use autogen_schema::{Deferral, ReferentialAction, ReplicaIdentity};

#[derive(Debug, Default)]
pub(crate) struct TableAttrs {
    pub table: Option<Spanned<String>>,
    pub schema: Option<Spanned<String>>,
    pub comment: Option<String>,
    pub renamed_from: Option<Spanned<String>>,
    pub primary_key: Option<ColumnsAttr>,
    pub indexes: Vec<IndexAttr>,
    pub uniques: Vec<ColumnsAttr>,
    pub checks: Vec<CheckAttr>,
    pub foreign_keys: Vec<ForeignKeyAttr>,
    pub unlogged: bool,
    /// `row_level_security` (enabled) or `row_level_security = "forced"`.
    pub row_level_security: RowLevelSecurity,
    /// `storage_parameters = ["fillfactor=70", …]`, as written.
    pub storage_parameters: Vec<Spanned<String>>,
    pub replica_identity: Option<ReplicaIdentity>,
    /// `partition_by = "RANGE (created_at)"`: a partitioned table (its partitions are
    /// declared in SQL: `CREATE TABLE … PARTITION OF …`).
    pub partition_by: Option<String>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowLevelSecurity {
    #[default]
    Off,
    Enabled,
    Forced,
}

/// `primary_key = [...]` or `unique(name = ..., columns = [...])`.
#[derive(Debug)]
pub(crate) struct ColumnsAttr {
    pub item: Loc,
    pub name: Option<Spanned<String>>,
    pub columns: Vec<Spanned<String>>,
}

#[derive(Debug)]
pub(crate) struct IndexAttr {
    pub item: Loc,
    pub name: Option<Spanned<String>>,
    /// Column names or expressions, each optionally followed by ASC/DESC/NULLS FIRST/LAST.
    pub keys: Vec<Spanned<String>>,
    pub unique: bool,
    pub predicate: Option<String>,
    pub method: Option<String>,
    pub include: Vec<Spanned<String>>,
}

#[derive(Debug)]
pub(crate) struct CheckAttr {
    pub item: Loc,
    pub name: Option<Spanned<String>>,
    pub expr: String,
}

#[derive(Debug)]
pub(crate) struct ForeignKeyAttr {
    pub item: Loc,
    pub name: Option<Spanned<String>>,
    pub columns: Vec<Spanned<String>>,
    pub references: Spanned<Reference>,
    pub on_delete: ReferentialAction,
    pub on_update: ReferentialAction,
    pub deferral: Deferral,
}

pub(crate) fn read_table(items: &[Meta], problems: &mut Vec<Problem>) -> TableAttrs {
    let mut out = TableAttrs::default();
    // Constraints and indexes may be given any number of times.
    let repeatable = ["index", "unique", "check", "foreign_key"];
    read_items(
        Context::Struct,
        items,
        &repeatable,
        problems,
        |meta, reader| match meta.key.as_str() {
            "table" => out.table = reader.string(meta),
            "schema" => out.schema = reader.string(meta),
            "comment" => out.comment = reader.string(meta).map(|text| text.value),
            "renamed_from" => out.renamed_from = reader.string(meta),
            "unlogged" => out.unlogged = reader.flag(meta),
            "row_level_security" => {
                out.row_level_security = match reader.flag_or_string(meta, "forced") {
                    Some(FlagOr::Flag(true)) => RowLevelSecurity::Enabled,
                    Some(FlagOr::Str(text)) => choices::row_level_security(&text, reader.problems)
                        .unwrap_or(RowLevelSecurity::Off),
                    _ => RowLevelSecurity::Off,
                }
            }
            "storage_parameters" => {
                out.storage_parameters = reader
                    .strings(meta)
                    .map(|items| name_value_items(items, &STORAGE_PARAMETER, reader.problems))
                    .unwrap_or_default()
            }
            "partition_by" => {
                out.partition_by = reader.sql(meta).map(|text| text.value.trim().to_string())
            }
            "replica_identity" => {
                out.replica_identity = reader
                    .string(meta)
                    .and_then(|text| choices::replica_identity(&text, reader.problems))
            }
            "primary_key" => {
                out.primary_key = reader.strings(meta).map(|columns| ColumnsAttr {
                    item: meta.loc,
                    name: None,
                    columns: non_empty(columns, meta, reader.problems),
                })
            }
            "index" => {
                if let Some(items) = reader.nested(meta) {
                    out.indexes.extend(read_index(meta, items, reader.problems));
                }
            }
            "unique" => {
                if let Some(items) = reader.nested(meta) {
                    out.uniques
                        .extend(read_unique(meta, items, reader.problems));
                }
            }
            "check" => {
                if let Some(items) = reader.nested(meta) {
                    out.checks.extend(read_check(meta, items, reader.problems));
                }
            }
            "foreign_key" => {
                if let Some(items) = reader.nested(meta) {
                    out.foreign_keys
                        .extend(read_foreign_key(meta, items, reader.problems));
                }
            }
            _ => reader.unknown(meta),
        },
    );
    out
}

/// What a list of `name=value` items holds, for its messages.
pub(crate) struct NameValueKind {
    /// `a storage parameter`.
    pub what: &'static str,
    /// The help's examples.
    pub examples: &'static str,
}

pub(crate) const STORAGE_PARAMETER: NameValueKind = NameValueKind {
    what: "a storage parameter",
    examples: "`\"fillfactor=70\"` or `\"autovacuum_enabled=false\"`",
};

/// `name=value` items with a parameter name and a plain value (a number, a word): what
/// `WITH (…)` takes for tables and `SET (…)` for columns. PostgreSQL checks the names and
/// values themselves.
pub(crate) fn name_value_items(
    items: Vec<Spanned<String>>,
    kind: &NameValueKind,
    problems: &mut Vec<Problem>,
) -> Vec<Spanned<String>> {
    let plain = |text: &str, extra: &[u8]| {
        !text.is_empty()
            && text.bytes().all(|byte| {
                byte.is_ascii_alphanumeric() || b"_".contains(&byte) || extra.contains(&byte)
            })
    };
    items
        .into_iter()
        .filter_map(|item| {
            let well_formed = item.value.split_once('=').is_some_and(|(name, value)| {
                plain(name.trim(), b".") && plain(value.trim(), b".-+")
            });
            if well_formed {
                let (name, value) = item.value.split_once('=').unwrap_or_default();
                Some(Spanned::new(
                    format!("{}={}", name.trim().to_lowercase(), value.trim()),
                    item.loc,
                ))
            } else {
                problems.push(
                    Problem::new(item.loc, format!("{} is written `name=value`", kind.what))
                        .label("not `name=value`")
                        .help(format!("write e.g. {}", kind.examples)),
                );
                None
            }
        })
        .collect()
}

/// An empty column list is reported (and kept empty, which later steps skip).
fn non_empty(
    columns: Vec<Spanned<String>>,
    meta: &Meta,
    problems: &mut Vec<Problem>,
) -> Vec<Spanned<String>> {
    if columns.is_empty() {
        problems.push(
            Problem::new(meta.loc, format!("`{}` has no columns", meta.key))
                .label("empty column list")
                .help("name at least one column"),
        );
    }
    columns
}

fn missing(meta: &Meta, key: &str, example: &str, problems: &mut Vec<Problem>) {
    problems.push(
        Problem::new(meta.key_loc, format!("`{}(...)` needs `{key}`", meta.key))
            .label(format!("`{key}` is missing"))
            .help(format!("write `{}({example})`", meta.key)),
    );
}

fn read_index(outer: &Meta, items: &[Meta], problems: &mut Vec<Problem>) -> Option<IndexAttr> {
    let mut name = None;
    let mut keys = None;
    let mut unique = false;
    let mut predicate = None;
    let mut method = None;
    let mut include = Vec::new();
    read_items(
        Context::Index,
        items,
        &[],
        problems,
        |meta, reader| match meta.key.as_str() {
            "name" => name = reader.string(meta),
            "columns" => {
                keys = reader
                    .strings(meta)
                    .map(|list| non_empty(list, meta, reader.problems))
            }
            "unique" => unique = reader.flag(meta),
            "where" => predicate = reader.sql(meta).map(|text| text.value),
            // PostgreSQL folds the access method name to lower case.
            "using" => {
                method = reader.string(meta).and_then(|text| {
                    let simple = !text.value.is_empty()
                        && text
                            .value
                            .bytes()
                            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_');
                    if !simple {
                        reader.problems.push(
                            Problem::new(text.loc, "`using` must name an index access method")
                                .label("not a method name")
                                .help(
                                    "write a method name such as `btree`, `hash`, `gin` or `gist`",
                                ),
                        );
                    }
                    simple.then(|| text.value.to_lowercase())
                })
            }
            "include" => include = reader.strings(meta).unwrap_or_default(),
            _ => reader.unknown(meta),
        },
    );
    let Some(keys) = keys else {
        missing(
            outer,
            "columns",
            "columns = [\"a\", \"lower(b)\"]",
            problems,
        );
        return None;
    };
    Some(IndexAttr {
        item: outer.loc,
        name,
        keys,
        unique,
        predicate,
        method,
        include,
    })
}

fn read_unique(outer: &Meta, items: &[Meta], problems: &mut Vec<Problem>) -> Option<ColumnsAttr> {
    let mut name = None;
    let mut columns = None;
    read_items(
        Context::Unique,
        items,
        &[],
        problems,
        |meta, reader| match meta.key.as_str() {
            "name" => name = reader.string(meta),
            "columns" => {
                columns = reader
                    .strings(meta)
                    .map(|list| non_empty(list, meta, reader.problems))
            }
            _ => reader.unknown(meta),
        },
    );
    let Some(columns) = columns else {
        missing(outer, "columns", "columns = [\"a\", \"b\"]", problems);
        return None;
    };
    Some(ColumnsAttr {
        item: outer.loc,
        name,
        columns,
    })
}

fn read_check(outer: &Meta, items: &[Meta], problems: &mut Vec<Problem>) -> Option<CheckAttr> {
    let mut name = None;
    let mut expr = None;
    read_items(
        Context::Check,
        items,
        &[],
        problems,
        |meta, reader| match meta.key.as_str() {
            "name" => name = reader.string(meta),
            "expr" => expr = reader.string(meta),
            _ => reader.unknown(meta),
        },
    );
    let Some(expr) = expr else {
        missing(outer, "expr", "expr = \"age >= 0\"", problems);
        return None;
    };
    if expr.value.trim().is_empty() {
        problems.push(
            Problem::new(expr.loc, "the check expression is empty")
                .label("empty expression")
                .help("write a boolean SQL expression, e.g. `expr = \"age >= 0\"`"),
        );
        return None;
    }
    if let Some(problem) = crate::sql_text::sql_problem("expr", &expr) {
        problems.push(problem);
        return None;
    }
    Some(CheckAttr {
        item: outer.loc,
        name,
        expr: expr.value,
    })
}

fn read_foreign_key(
    outer: &Meta,
    items: &[Meta],
    problems: &mut Vec<Problem>,
) -> Option<ForeignKeyAttr> {
    let mut name = None;
    let mut columns = None;
    let mut references = None;
    let mut on_delete = ReferentialAction::NoAction;
    let mut on_update = ReferentialAction::NoAction;
    let mut deferral = Deferral::Immediate;
    let mut target_given = false;
    read_items(
        Context::ForeignKey,
        items,
        &[],
        problems,
        |meta, reader| match meta.key.as_str() {
            "name" => name = reader.string(meta),
            "columns" => {
                columns = reader
                    .strings(meta)
                    .map(|list| non_empty(list, meta, reader.problems))
            }
            "references" => {
                target_given = true;
                references = reader
                    .string(meta)
                    .and_then(|text| reference(&text, reader.problems));
            }
            "on_delete" | "on_update" => {
                let action = reader.string(meta).and_then(|text| {
                    choices::referential_action(&text, &meta.key, reader.problems)
                });
                if let Some(action) = action {
                    if meta.key == "on_delete" {
                        on_delete = action;
                    } else {
                        on_update = action;
                    }
                }
            }
            "deferrable" => {
                deferral = match reader.flag_or_string(meta, "initially deferred") {
                    Some(FlagOr::Flag(true)) => Deferral::Deferrable,
                    Some(FlagOr::Str(text)) => {
                        choices::deferral(&text, reader.problems).unwrap_or(Deferral::Immediate)
                    }
                    _ => Deferral::Immediate,
                }
            }
            _ => reader.unknown(meta),
        },
    );
    if columns.is_none() {
        missing(
            outer,
            "columns",
            "columns = [\"a\"], references = \"other(id)\"",
            problems,
        );
    }
    if !target_given {
        missing(
            outer,
            "references",
            "columns = [\"a\"], references = \"other(id)\"",
            problems,
        );
    }
    let (columns, references) = (columns?, references?);
    if columns.len() != references.value.columns.len() {
        problems.push(
            Problem::new(
                references.loc,
                format!(
                    "the foreign key has {} column(s) but references {}",
                    columns.len(),
                    references.value.columns.len()
                ),
            )
            .label("different number of columns")
            .help("list as many referenced columns as `columns` has, in the same order"),
        );
        return None;
    }
    Some(ForeignKeyAttr {
        item: outer.loc,
        name,
        columns,
        references,
        on_delete,
        on_update,
        deferral,
    })
}
