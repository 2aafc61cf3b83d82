//! The generated code: inherent constants (and `as_db_str` for enums), or the errors.
//!
//! Only `str`, `Self` and the input's own names appear in the expansion, so it compiles in a
//! crate that depends on nothing but `autogen`.

use autogen_model::derive_support::{EnumInfo, ModelInfo};
use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;
use syn::ext::IdentExt;

/// Every error as a `compile_error!` at its own span.
pub(crate) fn errors(errors: Vec<syn::Error>) -> TokenStream {
    errors.iter().map(syn::Error::to_compile_error).collect()
}

pub(crate) fn model(input: &DeriveInput, info: &ModelInfo) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, type_generics, where_clause) = input.generics.split_for_impl();
    let table = &info.table;
    let schema = &info.schema;
    let qualified = qualified(schema, table);
    let columns: Vec<&str> = info.columns.iter().map(|(_, name)| name.as_str()).collect();

    let table_doc = format!("The table name: `{table}`.");
    let schema_doc = format!("The schema of the table: `{schema}`.");
    let qualified_doc =
        format!("The table name qualified by its schema, quoted for SQL: `{qualified}`.");

    let mut column_consts = Vec::new();
    let mut seen: Vec<(String, &syn::Ident)> = Vec::new();
    let mut problems = Vec::new();
    for (field, column) in &info.columns {
        let field_name = field.unraw().to_string();
        let const_name = format!("COLUMN_{}", field_name.to_uppercase());
        if let Some((_, first)) = seen.iter().find(|(name, _)| *name == const_name) {
            problems.push(syn::Error::new(
                field.span(),
                format!(
                    "fields `{first}` and `{field}` would both get the constant `{const_name}`\n\n\
                     help: rename one of the fields (and keep its column with #[model(column = \"...\")])"
                ),
            ));
            continue;
        }
        // Upper-casing keeps a Rust identifier one, but never panic on it.
        let Ok(mut const_ident) = syn::parse_str::<syn::Ident>(&const_name) else {
            problems.push(syn::Error::new(
                field.span(),
                format!("`{const_name}` is not a Rust identifier; rename field `{field}`"),
            ));
            continue;
        };
        const_ident.set_span(field.span());
        let doc = format!("The column of field `{field_name}`: `{column}`.");
        column_consts.push(quote! {
            #[doc = #doc]
            pub const #const_ident: &'static str = #column;
        });
        seen.push((const_name, field));
    }
    if !problems.is_empty() {
        return errors(problems);
    }

    quote! {
        #[allow(dead_code, deprecated)]
        impl #impl_generics #ident #type_generics #where_clause {
            #[doc = #table_doc]
            pub const TABLE: &'static str = #table;
            #[doc = #schema_doc]
            pub const SCHEMA: &'static str = #schema;
            #[doc = #qualified_doc]
            pub const QUALIFIED_TABLE: &'static str = #qualified;
            /// The column names, in field order (fields with `#[model(skip)]` are not columns).
            pub const COLUMNS: &'static [&'static str] = &[#(#columns),*];
            #(#column_consts)*
        }
    }
}

pub(crate) fn db_enum(input: &DeriveInput, info: &EnumInfo) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, type_generics, where_clause) = input.generics.split_for_impl();
    let type_name = &info.type_name;
    let schema = &info.schema;
    let qualified = qualified(schema, type_name);
    let variants = info.values.iter().map(|(variant, _)| variant);
    let values: Vec<&str> = info
        .values
        .iter()
        .map(|(_, value)| value.as_str())
        .collect();

    let type_doc = format!("The PostgreSQL enum type name: `{type_name}`.");
    let schema_doc = format!("The schema of the enum type: `{schema}`.");
    let qualified_doc =
        format!("The enum type name qualified by its schema, quoted for SQL: `{qualified}`.");

    quote! {
        #[allow(dead_code, deprecated)]
        impl #impl_generics #ident #type_generics #where_clause {
            #[doc = #type_doc]
            pub const TYPE_NAME: &'static str = #type_name;
            #[doc = #schema_doc]
            pub const SCHEMA: &'static str = #schema;
            #[doc = #qualified_doc]
            pub const QUALIFIED_TYPE_NAME: &'static str = #qualified;
            /// The enum values, in declaration order.
            pub const VALUES: &'static [&'static str] = &[#(#values),*];

            /// The PostgreSQL enum value of this variant.
            #[must_use]
            pub fn as_db_str(&self) -> &'static str {
                match *self {
                    #(Self::#variants => #values,)*
                }
            }
        }
    }
}

/// `"schema"."name"`, each part quoted as PostgreSQL's `quote_ident` with forced quoting.
fn qualified(schema: &str, name: &str) -> String {
    format!(
        "{}.{}",
        autogen_schema::quote_ident(schema),
        autogen_schema::quote_ident(name)
    )
}
