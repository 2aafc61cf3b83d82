//! What the derive crate (autogen-derive) needs: the same attribute parsing and per-item
//! checks as the CLI, on a `DeriveInput`, so compile-time and CLI validation agree.
//! Checks that need other items (foreign-key targets, enum types of fields, duplicate tables)
//! only run in the CLI.

use crate::decl::enums::analyze_enum;
use crate::decl::table::analyze_struct;
use crate::decl::wrong_item_kind;
use crate::problem::{Loc, Problem};
use syn::{Data, DeriveInput};

/// What `#[derive(Model)]` learns about a struct.
#[derive(Debug, Clone)]
pub struct ModelInfo {
    pub table: String,
    pub schema: String,
    /// Non-skipped fields and their column names.
    pub columns: Vec<(syn::Ident, String)>,
}

/// What `#[derive(DbEnum)]` learns about an enum.
#[derive(Debug, Clone)]
pub struct EnumInfo {
    pub type_name: String,
    pub schema: String,
    /// Each variant and its value.
    pub values: Vec<(syn::Ident, String)>,
}

/// Parses and validates one struct's `#[model(...)]` attributes as the derive sees it
/// (no cross-file checks). Every problem is returned, each with its span.
pub fn model_info(input: &DeriveInput) -> Result<ModelInfo, Vec<syn::Error>> {
    let mut problems = Vec::new();
    let decl = match &input.data {
        Data::Struct(data) => {
            analyze_struct(&input.attrs, &input.ident, &data.fields, &mut problems)
        }
        Data::Enum(_) => return Err(wrong_kind("Model", "an enum", input)),
        Data::Union(_) => return Err(wrong_kind("Model", "a union", input)),
    };
    finish(problems, || ModelInfo {
        table: decl.table.name,
        schema: decl.table.schema,
        columns: decl.fields,
    })
}

/// Parses and validates one enum's `#[model(...)]` attributes as the derive sees it.
pub fn enum_info(input: &DeriveInput) -> Result<EnumInfo, Vec<syn::Error>> {
    let mut problems = Vec::new();
    let decl = match &input.data {
        Data::Enum(data) => analyze_enum(&input.attrs, &input.ident, &data.variants, &mut problems),
        Data::Struct(_) => return Err(wrong_kind("DbEnum", "a struct", input)),
        Data::Union(_) => return Err(wrong_kind("DbEnum", "a union", input)),
    };
    finish(problems, || EnumInfo {
        type_name: decl.ty.name,
        schema: decl.ty.schema,
        values: decl.values,
    })
}

fn wrong_kind(derive: &str, kind: &str, input: &DeriveInput) -> Vec<syn::Error> {
    vec![wrong_item_kind(derive, kind, Loc::span(input.ident.span())).to_syn_error()]
}

fn finish<T>(problems: Vec<Problem>, ok: impl FnOnce() -> T) -> Result<T, Vec<syn::Error>> {
    if problems.is_empty() {
        Ok(ok())
    } else {
        Err(problems.iter().map(Problem::to_syn_error).collect())
    }
}
