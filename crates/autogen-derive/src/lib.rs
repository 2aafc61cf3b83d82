//! `#[derive(Model)]`, `#[derive(DbEnum)]` and `embed_migrations!` for autogen. Use them
//! through the `autogen` crate.
//!
//! Both derives check the `#[model(...)]` attributes with the parser the `autogen` CLI uses
//! (`autogen_model::derive_support`), so a model that compiles is one the CLI accepts, up to the
//! checks that need other items (foreign-key targets, the enum type of a field). Every problem
//! is reported at once, each at its span.
//!
//! On success they generate names as constants, nothing else: no trait, no runtime, no query
//! code, and no path to another crate in the expansion.
//!
//! [`embed_migrations!`] only embeds revision files (it does not depend on the runner, to keep
//! this crate light); its expansion names `::autogen::migrate`, which needs the `autogen`
//! crate's `migrate` feature.

mod embed;
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

/// The revision files of a migrations directory, compiled into the program: an
/// `autogen::migrate::EmbeddedMigrations` to run at start-up with `.upgrade(&mut client)`.
///
/// `embed_migrations!("db/migrations")` names a directory relative to the calling crate's
/// `Cargo.toml` (its `CARGO_MANIFEST_DIR`); `embed_migrations!()` means `"migrations"`. Every
/// `*.sql` file directly in it is embedded with `include_str!`, in name order, so editing a
/// file rebuilds the crate. A missing directory or an unreadable file is a compile error;
/// the files themselves are checked when the migrations run (`EmbeddedMigrations::graph`),
/// exactly as `autogen upgrade` checks them.
///
/// The expansion is `::autogen::migrate::EmbeddedMigrations::new(&[("<file name>",
/// include_str!("<absolute path>")), ...])`, so the crate must depend on `autogen` with the
/// `migrate` feature. It is a constant expression:
/// `static MIGRATIONS: EmbeddedMigrations = embed_migrations!();` works.
///
/// A proc macro cannot ask cargo (on stable Rust) to watch a directory, so a *new* revision
/// file is not noticed until something else rebuilds the crate. Add a `build.rs` next to
/// `Cargo.toml` that watches the directory:
///
/// ```no_run
/// // build.rs
/// fn main() {
///     println!("cargo:rerun-if-changed=migrations");
/// }
/// ```
// The snippet above is a whole build.rs, so it is a `fn main`.
#[allow(clippy::needless_doctest_main)]
#[proc_macro]
pub fn embed_migrations(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as embed::Input);
    embed::expand(&input).into()
}
