//! Typed access to parsed attribute items, reporting every misuse as a [`Problem`]:
//! unknown keys (with suggestions), repeated keys and values of the wrong kind.

use super::syntax::{Lit, LitKind, Meta, Value};
use crate::problem::{Problem, Spanned};
use crate::suggest;

/// Where an attribute item appears; decides which keys are valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Context {
    Struct,
    Field,
    Enum,
    Variant,
    Index,
    Unique,
    Check,
    ForeignKey,
}

impl Context {
    pub fn keys(self) -> &'static [&'static str] {
        match self {
            Context::Struct => &[
                "table",
                "schema",
                "comment",
                "renamed_from",
                "primary_key",
                "index",
                "unique",
                "check",
                "foreign_key",
                "unlogged",
                "row_level_security",
                "storage_parameters",
                "replica_identity",
                "partition_by",
            ],
            Context::Field => &[
                "primary_key",
                "identity",
                "unique",
                "index",
                "max_length",
                "precision",
                "scale",
                "default",
                "generated",
                "references",
                "on_delete",
                "on_update",
                "deferrable",
                "comment",
                "column",
                "sql_type",
                "skip",
                "renamed_from",
                "backfill",
                "using",
                "statistics",
                "storage",
                "compression",
                "column_options",
            ],
            Context::Enum => &["type_name", "schema", "comment", "renamed_from"],
            Context::Variant => &["rename", "renamed_from"],
            Context::Index => &["name", "columns", "unique", "where", "using", "include"],
            Context::Unique => &["name", "columns"],
            Context::Check => &["name", "expr"],
            Context::ForeignKey => &[
                "name",
                "columns",
                "references",
                "on_delete",
                "on_update",
                "deferrable",
            ],
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Context::Struct => "a struct (table) setting",
            Context::Field => "a field (column) setting",
            Context::Enum => "an enum (type) setting",
            Context::Variant => "an enum variant setting",
            Context::Index => "a setting of `index(...)`",
            Context::Unique => "a setting of `unique(...)`",
            Context::Check => "a setting of `check(...)`",
            Context::ForeignKey => "a setting of `foreign_key(...)`",
        }
    }

    fn placement(self) -> &'static str {
        match self {
            Context::Struct => "in #[model(...)] above the struct",
            Context::Field => "in #[model(...)] above a field",
            Context::Enum => "in #[model(...)] above the enum",
            Context::Variant => "in #[model(...)] above a variant",
            Context::Index => "inside #[model(index(...))] on the struct",
            Context::Unique => "inside #[model(unique(...))] on the struct",
            Context::Check => "inside #[model(check(...))] on the struct",
            Context::ForeignKey => "inside #[model(foreign_key(...))] on the struct",
        }
    }
}

const ALL_CONTEXTS: [Context; 8] = [
    Context::Struct,
    Context::Field,
    Context::Enum,
    Context::Variant,
    Context::Index,
    Context::Unique,
    Context::Check,
    Context::ForeignKey,
];

/// A flag that may also carry a string: `identity` / `identity = "always"`.
pub(crate) enum FlagOr {
    Flag(bool),
    Str(Spanned<String>),
}

/// Reads the items of one context, collecting problems.
pub(crate) struct Reader<'p> {
    pub problems: &'p mut Vec<Problem>,
    context: Context,
    seen: Vec<String>,
}

impl<'p> Reader<'p> {
    pub fn new(context: Context, problems: &'p mut Vec<Problem>) -> Self {
        Self {
            problems,
            context,
            seen: Vec::new(),
        }
    }

    /// False (and a problem) when this key was already given in this context.
    pub fn first_time(&mut self, meta: &Meta) -> bool {
        if self.seen.contains(&meta.key) {
            self.problems.push(
                Problem::new(meta.key_loc, format!("`{}` is given twice", meta.key))
                    .label("given again here")
                    .help("remove one of them"),
            );
            return false;
        }
        self.seen.push(meta.key.clone());
        true
    }

    /// Reports a key this context does not know, suggesting the closest one.
    pub fn unknown(&mut self, meta: &Meta) {
        let context = self.context;
        let elsewhere = ALL_CONTEXTS
            .iter()
            .find(|other| **other != context && other.keys().contains(&meta.key.as_str()));
        let problem = match elsewhere {
            Some(other) => Problem::new(
                meta.key_loc,
                format!(
                    "`{}` is not {}; it is {}",
                    meta.key,
                    context.describe(),
                    other.describe()
                ),
            )
            .label("not valid here")
            .help(format!("move it {}", other.placement())),
            None => Problem::new(
                meta.key_loc,
                format!("unknown model setting `{}`", meta.key),
            )
            .label("unknown setting")
            .help(
                suggest::did_you_mean(&meta.key, context.keys().iter().copied())
                    .unwrap_or_else(|| format!("valid here: {}", context.keys().join(", "))),
            ),
        };
        self.problems.push(problem);
    }

    /// `key` or `key = true/false`.
    pub fn flag(&mut self, meta: &Meta) -> bool {
        match &meta.value {
            Value::Flag => true,
            Value::Lit(Lit {
                kind: LitKind::Bool(value),
                ..
            }) => *value,
            _ => {
                self.wrong(meta, "is a flag", format!("write just `{}`", meta.key));
                false
            }
        }
    }

    /// `key = "text"`.
    pub fn string(&mut self, meta: &Meta) -> Option<Spanned<String>> {
        match &meta.value {
            Value::Lit(Lit {
                kind: LitKind::Str(text),
                loc,
            }) => Some(Spanned::new(text.clone(), *loc)),
            _ => {
                self.wrong(
                    meta,
                    "expects a string",
                    format!("write `{} = \"...\"`", meta.key),
                );
                None
            }
        }
    }

    /// `key = "SQL"`: a string pasted into DDL, which must be one self-contained piece of
    /// SQL (see `sql_text`).
    pub fn sql(&mut self, meta: &Meta) -> Option<Spanned<String>> {
        let text = self.string(meta)?;
        match crate::sql_text::sql_problem(&meta.key, &text) {
            Some(problem) => {
                self.problems.push(problem);
                None
            }
            None => Some(text),
        }
    }

    /// `key = 12` (also negative).
    pub fn int(&mut self, meta: &Meta, example: &str) -> Option<Spanned<i64>> {
        match &meta.value {
            Value::Lit(Lit {
                kind: LitKind::Int(value),
                loc,
            }) => Some(Spanned::new(*value, *loc)),
            _ => {
                self.wrong(
                    meta,
                    "expects an integer",
                    format!("write `{} = {example}`", meta.key),
                );
                None
            }
        }
    }

    /// `key = ["a", "b"]`.
    pub fn strings(&mut self, meta: &Meta) -> Option<Vec<Spanned<String>>> {
        let Value::Array(elements, _) = &meta.value else {
            self.wrong(
                meta,
                "expects a list of strings",
                format!("write `{} = [\"a\", \"b\"]`", meta.key),
            );
            return None;
        };
        let mut out = Vec::with_capacity(elements.len());
        for element in elements {
            match &element.kind {
                LitKind::Str(text) => out.push(Spanned::new(text.clone(), element.loc)),
                other => {
                    self.problems.push(
                        Problem::new(
                            element.loc,
                            format!(
                                "`{}` expects a list of strings, but this is {}",
                                meta.key,
                                other.describe()
                            ),
                        )
                        .label("not a string")
                        .help("put each entry in double quotes"),
                    );
                    return None;
                }
            }
        }
        Some(out)
    }

    /// `key` or `key = "text"` (or `key = true/false`).
    pub fn flag_or_string(&mut self, meta: &Meta, example: &str) -> Option<FlagOr> {
        match &meta.value {
            Value::Flag => Some(FlagOr::Flag(true)),
            Value::Lit(Lit {
                kind: LitKind::Bool(value),
                ..
            }) => Some(FlagOr::Flag(*value)),
            Value::Lit(Lit {
                kind: LitKind::Str(text),
                loc,
            }) => Some(FlagOr::Str(Spanned::new(text.clone(), *loc))),
            _ => {
                self.wrong(
                    meta,
                    "expects no value or a string",
                    format!("write `{}` or `{} = \"{example}\"`", meta.key, meta.key),
                );
                None
            }
        }
    }

    /// `key(...)`.
    pub fn nested<'m>(&mut self, meta: &'m Meta) -> Option<&'m [Meta]> {
        match &meta.value {
            Value::List(items) => Some(items),
            _ => {
                self.wrong(
                    meta,
                    "expects settings in parentheses",
                    format!("write `{}(...)`", meta.key),
                );
                None
            }
        }
    }

    /// A value of the wrong kind: points at the value (or the key when there is none).
    fn wrong(&mut self, meta: &Meta, expects: &str, help: String) {
        let (loc, found) = match &meta.value {
            Value::Flag => (meta.key_loc, "no value".to_string()),
            Value::Lit(lit) => (lit.loc, lit.kind.describe()),
            Value::Array(_, loc) => (*loc, "a list".to_string()),
            Value::List(_) => (meta.loc, "a parenthesized list".to_string()),
        };
        self.problems.push(
            Problem::new(loc, format!("`{}` {expects}, but got {found}", meta.key))
                .label(format!("`{}` {expects}", meta.key))
                .help(help),
        );
    }
}

/// Calls `each` for every item of `context` with a known key, once per key unless the key is
/// `repeatable`; unknown and repeated keys become problems.
pub(crate) fn read_items(
    context: Context,
    items: &[Meta],
    repeatable: &[&str],
    problems: &mut Vec<Problem>,
    mut each: impl FnMut(&Meta, &mut Reader),
) {
    let mut reader = Reader::new(context, problems);
    for meta in items {
        if !context.keys().contains(&meta.key.as_str()) {
            reader.unknown(meta);
        } else if repeatable.contains(&meta.key.as_str()) || reader.first_time(meta) {
            each(meta, &mut reader);
        }
    }
}
