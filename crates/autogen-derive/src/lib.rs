//! `#[derive(Model)]` and `#[derive(DbEnum)]` for autogen. Use them through the `autogen`
//! crate.
//!
//! Both derives check the `#[model(...)]` attributes with the parser the `autogen` CLI uses
//! (`autogen_model::derive_support`), so a model that compiles is one the CLI accepts, up to the
//! checks that need other items (foreign-key targets, the enum type of a field). Every problem
//! is reported at once, each at its span.
//!
//! On success they generate names as constants, nothing else: no trait, no runtime, no query
//! code, and no path to another crate in the expansion.

mod expand;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// A table: inherent constants `TABLE`, `SCHEMA`, `QUALIFIED_TABLE`, `COLUMNS` and
/// `COLUMN_<FIELD>` for each column. See the `autogen` crate.
#[proc_macro_derive(Model, attributes(model))]
pub fn derive_model(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match autogen_model::derive_support::model_info(&input) {
        Ok(info) => expand::model(&input, &info),
        Err(errors) => expand::errors(errors),
    }
    .into()
}

/// An enum type: inherent constants `TYPE_NAME`, `SCHEMA`, `QUALIFIED_TYPE_NAME`, `VALUES`
/// and the method `as_db_str`. See the `autogen` crate.
#[proc_macro_derive(DbEnum, attributes(model))]
pub fn derive_db_enum(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match autogen_model::derive_support::enum_info(&input) {
        Ok(info) => expand::db_enum(&input, &info),
        Err(errors) => expand::errors(errors),
    }
    .into()
}
