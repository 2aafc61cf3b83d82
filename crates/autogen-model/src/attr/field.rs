//! The settings of one field: `#[model(primary_key, max_length = 255, ...)]`.

use super::choices;
use super::reader::{Context, FlagOr, read_items};
use super::syntax::Meta;
use super::table::{NameValueKind, name_value_items};
use crate::problem::{Loc, Problem, Spanned};
use crate::reference::{Reference, parse_reference};
use autogen_schema::{Deferral, IdentityKind, ReferentialAction};

#[derive(Debug, Default)]
pub(crate) struct FieldAttrs {
    /// Each flag keeps the location of its item: constraints point back at it.
    pub primary_key: Option<Loc>,
    pub identity: Option<Spanned<IdentityKind>>,
    pub unique: Option<Loc>,
    pub index: Option<Loc>,
    pub max_length: Option<Spanned<i64>>,
    pub precision: Option<Spanned<i64>>,
    pub scale: Option<Spanned<i64>>,
    pub default: Option<Spanned<String>>,
    pub generated: Option<Spanned<String>>,
    pub references: Option<ReferenceAttr>,
    pub on_delete: Option<Spanned<ReferentialAction>>,
    pub on_update: Option<Spanned<ReferentialAction>>,
    pub deferrable: Option<Spanned<Deferral>>,
    pub comment: Option<String>,
    pub column: Option<Spanned<String>>,
    pub sql_type: Option<Spanned<String>>,
    pub skip: bool,
    pub renamed_from: Option<Spanned<String>>,
    /// Model intent: the value existing rows get (an SQL expression over the row).
    pub backfill: Option<Spanned<String>>,
    /// Model intent: the `USING` expression of a type change.
    pub using: Option<Spanned<String>>,
    /// `statistics = 1000`: the column's statistics target.
    pub statistics: Option<Spanned<i32>>,
    /// `storage = "external"`, lowercase.
    pub storage: Option<Spanned<String>>,
    /// `compression = "lz4"`, lowercase.
    pub compression: Option<Spanned<String>>,
    /// `column_options = ["n_distinct=-0.02"]`, normalized to `name=value`.
    pub column_options: Vec<Spanned<String>>,
}

/// `references = "schema.table(col)"`: the whole item (for origins) and the parsed target.
#[derive(Debug, Clone)]
pub(crate) struct ReferenceAttr {
    pub item: Loc,
    pub target: Spanned<Reference>,
}

pub(crate) fn read_field(items: &[Meta], problems: &mut Vec<Problem>) -> FieldAttrs {
    let mut out = FieldAttrs::default();
    read_items(Context::Field, items, &[], problems, |meta, reader| {
        let item = meta.loc;
        match meta.key.as_str() {
            "primary_key" => out.primary_key = reader.flag(meta).then_some(item),
            "unique" => out.unique = reader.flag(meta).then_some(item),
            "index" => out.index = reader.flag(meta).then_some(item),
            "skip" => out.skip = reader.flag(meta),
            "identity" => {
                out.identity = match reader.flag_or_string(meta, "always") {
                    Some(FlagOr::Flag(true)) => Some(Spanned::new(IdentityKind::ByDefault, item)),
                    Some(FlagOr::Str(text)) => choices::identity(&text, reader.problems)
                        .map(|kind| Spanned::new(kind, item)),
                    _ => None,
                }
            }
            "deferrable" => {
                out.deferrable = match reader.flag_or_string(meta, "initially deferred") {
                    Some(FlagOr::Flag(true)) => Some(Spanned::new(Deferral::Deferrable, item)),
                    Some(FlagOr::Str(text)) => choices::deferral(&text, reader.problems)
                        .map(|deferral| Spanned::new(deferral, item)),
                    _ => None,
                }
            }
            "max_length" => out.max_length = reader.int(meta, "255"),
            "precision" => out.precision = reader.int(meta, "12"),
            "scale" => out.scale = reader.int(meta, "2"),
            "default" => out.default = reader.sql(meta),
            "generated" => out.generated = reader.sql(meta),
            "comment" => out.comment = reader.string(meta).map(|text| text.value),
            "column" => out.column = reader.string(meta),
            "sql_type" => out.sql_type = reader.sql(meta),
            "renamed_from" => out.renamed_from = reader.string(meta),
            "backfill" => out.backfill = reader.sql(meta),
            "using" => out.using = reader.sql(meta),
            "statistics" => {
                out.statistics = reader
                    .int(meta, "1000")
                    .and_then(|target| choices::statistics_target(&target, reader.problems))
            }
            "storage" => {
                out.storage = reader.string(meta).and_then(|text| {
                    choices::storage(&text, reader.problems)
                        .map(|storage| Spanned::new(storage, item))
                })
            }
            "compression" => {
                out.compression = reader.string(meta).and_then(|text| {
                    choices::compression(&text, reader.problems)
                        .map(|method| Spanned::new(method, item))
                })
            }
            "column_options" => {
                out.column_options = reader
                    .strings(meta)
                    .map(|items| name_value_items(items, &COLUMN_OPTION, reader.problems))
                    .unwrap_or_default()
            }
            "references" => {
                out.references = reader.string(meta).and_then(|text| {
                    reference(&text, reader.problems).map(|target| ReferenceAttr { item, target })
                })
            }
            "on_delete" | "on_update" => {
                let action = reader.string(meta).and_then(|text| {
                    choices::referential_action(&text, &meta.key, reader.problems)
                        .map(|action| Spanned::new(action, item))
                });
                if meta.key == "on_delete" {
                    out.on_delete = action;
                } else {
                    out.on_update = action;
                }
            }
            _ => reader.unknown(meta),
        }
    });
    out
}

const COLUMN_OPTION: NameValueKind = NameValueKind {
    what: "a column option",
    examples: "`\"n_distinct=-0.02\"` or `\"n_distinct_inherited=500\"`",
};

/// Parses a reference string, reporting a malformed one at its literal.
pub(crate) fn reference(
    text: &Spanned<String>,
    problems: &mut Vec<Problem>,
) -> Option<Spanned<Reference>> {
    match parse_reference(&text.value) {
        Ok(target) => Some(Spanned::new(target, text.loc)),
        Err(message) => {
            problems.push(
                Problem::new(
                    text.loc,
                    format!("invalid reference `{}`: {message}", text.value),
                )
                .label("invalid reference")
                .help("write `references = \"table(column)\"` or `\"schema.table(column)\"`"),
            );
            None
        }
    }
}
