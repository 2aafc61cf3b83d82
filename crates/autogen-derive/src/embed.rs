//! `embed_migrations!`: lists a migrations directory when the calling crate compiles and
//! expands to its `*.sql` files, each pulled in with `include_str!` (so editing one rebuilds).
//! Nothing is parsed here: `EmbeddedMigrations::graph` checks the files at run time, with the
//! same code as the CLI, which keeps this crate free of the runner's dependencies.

use std::fs;
use std::path::{Path, PathBuf};

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::LitStr;
use syn::parse::{Parse, ParseStream};

/// The directory used when the macro has no argument.
pub(crate) const DEFAULT_DIR: &str = "migrations";

/// `embed_migrations!()`, `embed_migrations!("dir")` or `embed_migrations!("dir",)`.
pub(crate) struct Input {
    dir: Option<LitStr>,
}

impl Parse for Input {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.is_empty() {
            return Ok(Input { dir: None });
        }
        let dir: LitStr = input.parse().map_err(|error| {
            syn::Error::new(
                error.span(),
                "expected the migrations directory as a string literal, relative to the crate's \
                 Cargo.toml, e.g. `embed_migrations!(\"migrations\")`",
            )
        })?;
        if input.peek(syn::Token![,]) {
            input.parse::<syn::Token![,]>()?;
        }
        if !input.is_empty() {
            return Err(input.error("expected only the migrations directory"));
        }
        Ok(Input { dir: Some(dir) })
    }
}

pub(crate) fn expand(input: &Input) -> TokenStream {
    let (text, span) = match &input.dir {
        Some(literal) => (literal.value(), literal.span()),
        None => (DEFAULT_DIR.to_owned(), Span::call_site()),
    };
    match files(&text) {
        Ok(files) => {
            let entries = files.iter().map(|(name, path)| {
                quote! { (#name, ::core::include_str!(#path)) }
            });
            quote! {
                ::autogen::migrate::EmbeddedMigrations::new(&[#(#entries),*])
            }
        }
        Err(message) => syn::Error::new(span, message).to_compile_error(),
    }
}

/// `(file name, absolute path)` of every `*.sql` file directly in `dir` (relative to the
/// calling crate's `CARGO_MANIFEST_DIR`), sorted by name, each checked to be readable UTF-8
/// so a problem is reported here, at the macro, rather than by `include_str!`.
fn files(dir: &str) -> Result<Vec<(String, String)>, String> {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").ok_or_else(|| {
        "CARGO_MANIFEST_DIR is not set: embed_migrations! resolves its directory relative to \
         the crate's Cargo.toml, so the crate must be built by cargo"
            .to_owned()
    })?;
    let dir_path = Path::new(&manifest_dir).join(dir);
    let entries = fs::read_dir(&dir_path).map_err(|error| {
        if error.kind() == std::io::ErrorKind::NotFound {
            // No absolute path here: it would make the message depend on the checkout.
            format!(
                "migrations directory `{dir}` not found (the path is relative to the directory \
                 of the crate's Cargo.toml)"
            )
        } else {
            format!(
                "could not list the migrations directory {}: {error}",
                dir_path.display()
            )
        }
    })?;
    let mut paths: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|error| {
            format!(
                "could not list the migrations directory {}: {error}",
                dir_path.display()
            )
        })?;
        let path = entry.path();
        // The same selection as `RevisionGraph::load`: `*.sql` files, symlinks followed.
        if path.extension().is_some_and(|ext| ext == "sql") && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let (Some(name), Some(absolute)) = (
                path.file_name().and_then(|name| name.to_str()),
                path.to_str(),
            ) else {
                return Err(format!(
                    "revision file {} has a path that is not UTF-8, which include_str! cannot name",
                    path.display()
                ));
            };
            fs::read_to_string(&path).map_err(|error| {
                format!("could not read revision file {}: {error}", path.display())
            })?;
            Ok((name.to_owned(), absolute.to_owned()))
        })
        .collect()
}
