//! Default names (Rust -> SQL) and PostgreSQL's identifier quoting for type names.

use crate::problem::{Loc, Problem};
use heck::ToSnakeCase;
use syn::ext::IdentExt;

/// `UserIdentity` -> `user_identity`, `SoSo` -> `so_so`.
pub(crate) fn snake_case(name: &str) -> String {
    name.to_snake_case()
}

/// A Rust identifier as written, without the raw marker: `r#type` -> `type`.
pub(crate) fn unraw(ident: &syn::Ident) -> String {
    ident.unraw().to_string()
}

/// PostgreSQL's `quote_ident` rules (as `format_type` applies them): quote unless the name is
/// lower-case letters, digits and `_` (not starting with a digit) and not a keyword that
/// needs quoting. Quoting a little too often is harmless: the name means the same.
pub(crate) fn quote_ident_if_needed(name: &str) -> String {
    let mut chars = name.chars();
    let simple = chars
        .next()
        .is_some_and(|first| first.is_ascii_lowercase() || first == '_')
        && chars.all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
    if simple && QUOTED_KEYWORDS.binary_search(&name).is_err() {
        name.to_string()
    } else {
        autogen_schema::quote_ident(name)
    }
}

/// `schema.name` the way PostgreSQL prints a type with an empty `search_path`.
pub(crate) fn qualified_type_name(schema: &str, name: &str) -> String {
    format!(
        "{}.{}",
        quote_ident_if_needed(schema),
        quote_ident_if_needed(name)
    )
}

/// Keywords PostgreSQL quotes in identifiers (every category but unreserved), from
/// `pg_get_keywords()` of PostgreSQL 15, plus the ones PostgreSQL 16 and 17 added. Sorted.
#[rustfmt::skip]
const QUOTED_KEYWORDS: &[&str] = &[
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
    "authorization", "between", "bigint", "binary", "bit", "boolean", "both", "case", "cast",
    "char", "character", "check", "coalesce", "collate", "collation", "column", "concurrently",
    "constraint", "create", "cross", "current_catalog", "current_date", "current_role",
    "current_schema", "current_time", "current_timestamp", "current_user", "dec", "decimal",
    "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "exists",
    "extract", "false", "fetch", "float", "for", "foreign", "freeze", "from", "full", "grant",
    "greatest", "group", "grouping", "having", "ilike", "in", "initially", "inner", "inout",
    "int", "integer", "intersect", "interval", "into", "is", "isnull", "join", "json",
    "json_array", "json_arrayagg", "json_exists", "json_object", "json_objectagg", "json_query",
    "json_scalar", "json_serialize", "json_table", "json_value", "lateral", "leading", "least",
    "left", "like", "limit", "localtime", "localtimestamp", "merge_action", "national",
    "natural", "nchar", "none", "normalize", "not", "notnull", "null", "nullif", "numeric",
    "offset", "on", "only", "or", "order", "out", "outer", "overlaps", "overlay", "placing",
    "position", "precision", "primary", "real", "references", "returning", "right", "row",
    "select", "session_user", "setof", "similar", "smallint", "some", "substring", "symmetric",
    "system_user", "table", "tablesample", "then", "time", "timestamp", "to", "trailing",
    "treat", "trim", "true", "union", "unique", "user", "using", "values", "varchar",
    "variadic", "verbose", "when", "where", "window", "with", "xmlattributes", "xmlconcat",
    "xmlelement", "xmlexists", "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot",
    "xmlserialize", "xmltable",
];

/// PostgreSQL keeps at most this many bytes of a name (NAMEDATALEN - 1) and cuts the rest.
const MAX_NAME_BYTES: usize = 63;

/// A problem when `name` cannot be a PostgreSQL name as written.
pub(crate) fn name_problem(name: &str, loc: Loc, what: &str) -> Option<Problem> {
    if name.is_empty() {
        return Some(
            Problem::new(loc, format!("the {what} name is empty"))
                .label("empty name")
                .help("give it a name"),
        );
    }
    if name.contains('\0') {
        return Some(
            Problem::new(loc, format!("the {what} name contains a NUL character"))
                .label("NUL character")
                .help("PostgreSQL names cannot contain NUL"),
        );
    }
    if name.len() > MAX_NAME_BYTES {
        let mut cut = MAX_NAME_BYTES;
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        return Some(
            Problem::new(
                loc,
                format!("the {what} name `{name}` is longer than {MAX_NAME_BYTES} bytes"),
            )
            .label("name too long")
            .help(format!(
                "PostgreSQL would cut it to `{}`; choose a shorter name",
                &name[..cut]
            )),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_list_is_sorted_for_binary_search() {
        assert!(QUOTED_KEYWORDS.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn snake_cases_rust_names() {
        assert_eq!(snake_case("UserIdentity"), "user_identity");
        assert_eq!(snake_case("SoSo"), "so_so");
        assert_eq!(snake_case("HTTPServer"), "http_server");
    }

    #[test]
    fn quotes_like_postgres() {
        assert_eq!(qualified_type_name("public", "mood"), "public.mood");
        assert_eq!(qualified_type_name("public", "Mood"), "public.\"Mood\"");
        assert_eq!(qualified_type_name("public", "user"), "public.\"user\"");
        assert_eq!(
            qualified_type_name("my schema", "a$b"),
            "\"my schema\".\"a$b\""
        );
        assert_eq!(quote_ident_if_needed("_x1"), "_x1");
        assert_eq!(quote_ident_if_needed("1x"), "\"1x\"");
        assert_eq!(quote_ident_if_needed(""), "\"\"");
    }
}
