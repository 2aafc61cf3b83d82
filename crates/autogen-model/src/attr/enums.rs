//! The settings of a `DbEnum` and of its variants.

use super::reader::{Context, read_items};
use super::syntax::Meta;
use crate::problem::{Problem, Spanned};

#[derive(Debug, Default)]
pub(crate) struct EnumAttrs {
    pub type_name: Option<Spanned<String>>,
    pub schema: Option<Spanned<String>>,
    pub comment: Option<String>,
    pub renamed_from: Option<Spanned<String>>,
}

#[derive(Debug, Default)]
pub(crate) struct VariantAttrs {
    pub rename: Option<Spanned<String>>,
    pub renamed_from: Option<Spanned<String>>,
}

pub(crate) fn read_enum(items: &[Meta], problems: &mut Vec<Problem>) -> EnumAttrs {
    let mut out = EnumAttrs::default();
    read_items(
        Context::Enum,
        items,
        &[],
        problems,
        |meta, reader| match meta.key.as_str() {
            "type_name" => out.type_name = reader.string(meta),
            "schema" => out.schema = reader.string(meta),
            "comment" => out.comment = reader.string(meta).map(|text| text.value),
            "renamed_from" => out.renamed_from = reader.string(meta),
            _ => reader.unknown(meta),
        },
    );
    out
}

pub(crate) fn read_variant(items: &[Meta], problems: &mut Vec<Problem>) -> VariantAttrs {
    let mut out = VariantAttrs::default();
    read_items(
        Context::Variant,
        items,
        &[],
        problems,
        |meta, reader| match meta.key.as_str() {
            "rename" => out.rename = reader.string(meta),
            "renamed_from" => out.renamed_from = reader.string(meta),
            _ => reader.unknown(meta),
        },
    );
    out
}
