//! The storage PostgreSQL gives a column of a type (its `typstorage`): what `SET STORAGE`
//! takes a column back to when its model no longer names one. The catalog keeps a column's
//! storage only when it is not its type's, and PostgreSQL 15 has no `SET STORAGE DEFAULT`.

use crate::mentions::TypeName;
use autogen_schema::{Catalog, QualifiedName};
use std::collections::HashMap;

/// The built-in types whose storage is not `plain`, as `format_type` prints them (without a
/// type modifier). Every other built-in type is `plain`.
const MAIN: [&str; 3] = ["numeric", "inet", "cidr"];
const EXTENDED: [&str; 27] = [
    "text",
    "character varying",
    "character",
    "bpchar",
    "bytea",
    "json",
    "jsonb",
    "jsonpath",
    "xml",
    "tsvector",
    "bit",
    "bit varying",
    "path",
    "polygon",
    "refcursor",
    "txid_snapshot",
    "pg_snapshot",
    "int4range",
    "int8range",
    "numrange",
    "tsrange",
    "tstzrange",
    "daterange",
    "int4multirange",
    "int8multirange",
    "nummultirange",
    "datemultirange",
];
/// (`tsmultirange` and `tstzmultirange` are extended too; listed apart to keep the array
/// readable.)
const EXTENDED_MULTIRANGES: [&str; 2] = ["tsmultirange", "tstzmultirange"];

/// The default storage of the types of one catalog.
pub(crate) struct TypeStorage {
    /// The catalog's own types as columns spell them (`public.mood`): enums are `plain`,
    /// composite and range types `extended`, a domain its base type's.
    own: HashMap<String, Own>,
}

enum Own {
    Fixed(&'static str),
    Domain(String),
}

impl TypeStorage {
    pub(crate) fn of(catalog: &Catalog) -> Self {
        let printed = |schema: &str, name: &str| {
            TypeName::printed(&QualifiedName::new(schema, name)).to_string()
        };
        let mut own = HashMap::new();
        for enum_type in &catalog.enums {
            own.insert(
                printed(&enum_type.schema, &enum_type.name),
                Own::Fixed("plain"),
            );
        }
        for composite in &catalog.composite_types {
            own.insert(
                printed(&composite.schema, &composite.name),
                Own::Fixed("extended"),
            );
        }
        for range in &catalog.range_types {
            own.insert(printed(&range.schema, &range.name), Own::Fixed("extended"));
        }
        for table in &catalog.tables {
            // A table's row type is a composite type.
            own.insert(printed(&table.schema, &table.name), Own::Fixed("extended"));
        }
        for domain in &catalog.domains {
            own.insert(
                printed(&domain.schema, &domain.name),
                Own::Domain(domain.data_type.clone()),
            );
        }
        Self { own }
    }

    /// The default storage of `data_type` (as `format_type` prints it), `None` for a type
    /// this catalog does not describe (an extension's).
    pub(crate) fn default_of(&self, data_type: &str) -> Option<&'static str> {
        self.default_within(data_type, 0)
    }

    fn default_within(&self, data_type: &str, depth: usize) -> Option<&'static str> {
        if data_type.ends_with("[]") {
            return Some("extended");
        }
        // `character varying(255)`, `numeric(12,2)`, `timestamp(3) with time zone`.
        let base = match data_type.split_once('(') {
            Some((name, rest)) => {
                let after = rest.split_once(')').map(|(_, after)| after).unwrap_or("");
                format!("{}{after}", name.trim_end())
            }
            None => data_type.to_string(),
        };
        if let Some(own) = self.own.get(&base) {
            return match own {
                Own::Fixed(storage) => Some(storage),
                // A domain over a domain over …: bounded, a cycle cannot exist but costs nothing.
                Own::Domain(base) if depth < 16 => self.default_within(base, depth + 1),
                Own::Domain(_) => None,
            };
        }
        // Built-in types print unqualified; any other qualified name is an extension's.
        if base.contains('.') {
            return None;
        }
        let storage = if MAIN.contains(&base.as_str()) {
            "main"
        } else if EXTENDED.contains(&base.as_str()) || EXTENDED_MULTIRANGES.contains(&base.as_str())
        {
            "extended"
        } else {
            "plain"
        };
        Some(storage)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_and_own_types() {
        let mut catalog = Catalog::default();
        catalog.enums.push(autogen_schema::EnumType {
            schema: "public".into(),
            name: "mood".into(),
            values: vec!["happy".into()],
            comment: None,
            grants: Vec::new(),
            revoked_defaults: Vec::new(),
        });
        let storage = TypeStorage::of(&catalog);
        assert_eq!(storage.default_of("text"), Some("extended"));
        assert_eq!(
            storage.default_of("character varying(20)"),
            Some("extended")
        );
        assert_eq!(storage.default_of("numeric(12,2)"), Some("main"));
        assert_eq!(storage.default_of("integer"), Some("plain"));
        assert_eq!(
            storage.default_of("timestamp(3) with time zone"),
            Some("plain")
        );
        assert_eq!(storage.default_of("integer[]"), Some("extended"));
        assert_eq!(storage.default_of("public.mood"), Some("plain"));
        assert_eq!(storage.default_of("public.citext"), None);
    }
}
