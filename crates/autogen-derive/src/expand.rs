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
    let sea_query = if cfg!(feature = "sea-query") {
        sea_query_iden(input, info, &mut problems)
    } else {
        TokenStream::new()
    };
    if !problems.is_empty() {
        return errors(problems);
    }

    quote! {
        #sea_query
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

/// With the `sea-query` feature: `enum <Struct>Iden { Schema, Table, <Field>… }` implementing
/// `sea_query::Iden` with the schema, table and column names, for typed queries.
fn sea_query_iden(
    input: &DeriveInput,
    info: &ModelInfo,
    problems: &mut Vec<syn::Error>,
) -> TokenStream {
    let vis = &input.vis;
    let enum_ident = quote::format_ident!("{}Iden", input.ident);
    let (schema, table) = (&info.schema, &info.table);
    let mut variants: Vec<syn::Ident> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for (field, column) in &info.columns {
        let camel: String = field
            .unraw()
            .to_string()
            .split('_')
            .filter(|part| !part.is_empty())
            .map(|part| {
                let mut chars = part.chars();
                chars
                    .next()
                    .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                    .unwrap_or_default()
            })
            .collect();
        let taken = camel == "Schema"
            || camel == "Table"
            || variants.iter().any(|variant| *variant == camel);
        let parsed = syn::parse_str::<syn::Ident>(&camel);
        match parsed {
            Ok(mut variant) if !taken => {
                variant.set_span(field.span());
                variants.push(variant);
                names.push(column.as_str());
            }
            _ => problems.push(syn::Error::new(
                field.span(),
                format!(
                    "field `{field}` would be the variant `{camel}` of `{enum_ident}`, which is \
                     taken (`Schema` and `Table` name the table)\n\n\
                     help: rename the field (and keep its column with #[model(column = \"...\")])"
                ),
            )),
        }
    }
    let doc = format!(
        "sea-query identifiers of the table `{schema}.{table}` and its columns (one variant \
         per field, named after it)."
    );
    quote! {
        #[doc = #doc]
        #[allow(dead_code)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #vis enum #enum_ident {
            /// The schema.
            Schema,
            /// The table.
            Table,
            #(#variants,)*
        }

        impl ::autogen::sea_query::Iden for #enum_ident {
            fn unquoted(&self) -> &str {
                match self {
                    Self::Schema => #schema,
                    Self::Table => #table,
                    #(Self::#variants => #names,)*
                }
            }
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
