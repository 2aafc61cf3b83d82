//! The change families. Each module owns one kind of object: its change type (what can change),
//! its comparison (which changes two catalogs need), the SQL of each change with its hazards,
//! and its summary. Adding a kind of object means adding a module here and a variant to
//! [`crate::Change`].

pub(crate) mod column;
pub(crate) mod comment;
pub(crate) mod constraint;
pub(crate) mod domain;
pub(crate) mod enums;
pub(crate) mod index;
pub(crate) mod inheritance;
pub(crate) mod items;
pub(crate) mod objects;
pub(crate) mod partition;
pub(crate) mod policy;
pub(crate) mod privilege;
pub(crate) mod routine;
pub(crate) mod schema;
pub(crate) mod sequence;
pub(crate) mod table;
pub(crate) mod text_search;
pub(crate) mod trigger;
pub(crate) mod types;
pub(crate) mod view;

pub(crate) use column::*;
pub(crate) use comment::*;
pub(crate) use constraint::*;
pub(crate) use enums::*;
pub(crate) use index::*;
pub(crate) use items::*;
pub(crate) use schema::*;
pub(crate) use sequence::*;
pub(crate) use table::*;

use autogen_schema::{Catalog, QualifiedName, quote_ident};
use std::collections::HashSet;

/// `ALTER TABLE t <action>;`
pub(crate) fn alter_table_sql(table: &QualifiedName, action: &str) -> String {
    format!("ALTER TABLE {} {action};", table.quoted())
}

/// `ALTER TABLE t ALTER COLUMN c <action>;`
pub(crate) fn alter_column_sql(table: &QualifiedName, column: &str, action: &str) -> String {
    alter_table_sql(
        table,
        &format!("ALTER COLUMN {} {action}", quote_ident(column)),
    )
}

/// `schema.table.column`, for summaries.
pub(crate) fn col(table: &QualifiedName, column: &str) -> String {
    format!("{table}.{column}")
}

/// The suffix of the name an object takes while a new one of its name replaces it (an enum type
/// re-created, a serial's sequence whose column becomes an identity).
pub(crate) const RETIRED: &str = "_autogen_old";

/// The suffix of the name a new sequence is created under while an identity's sequence still
/// holds its name.
pub(crate) const STAGED: &str = "_autogen_new";

/// A name for `name`'s object to have for a moment, `<name><suffix>` (then `<name><suffix>2`,
/// …; shortened to PostgreSQL's 63 bytes): free in its schema on both sides among types,
/// tables, sequences, indexes and constraints' indexes (which share PostgreSQL's namespaces of
/// types and relations), and not `claimed` already by this plan (the name is claimed).
pub(crate) fn free_name(
    name: &QualifiedName,
    suffix: &str,
    catalogs: [&Catalog; 2],
    claimed: &mut HashSet<QualifiedName>,
) -> String {
    let taken = |candidate: &str| {
        claimed.contains(&QualifiedName::new(&name.schema, candidate))
            || catalogs.iter().any(|catalog| {
                let here = |schema: &str, other: &str| schema == name.schema && other == candidate;
                catalog.enums.iter().any(|e| here(&e.schema, &e.name))
                    || catalog.sequences.iter().any(|s| here(&s.schema, &s.name))
                    || catalog.tables.iter().any(|t| {
                        let index = |other: &str| here(&t.schema, other);
                        index(&t.name)
                            || t.indexes.iter().any(|i| index(&i.name))
                            || t.primary_key.iter().any(|p| index(&p.name))
                            || t.uniques.iter().any(|u| index(&u.name))
                            || t.exclusions.iter().any(|e| index(&e.name))
                    })
            })
    };
    let mut attempt = 1;
    loop {
        let suffix = match attempt {
            1 => suffix.to_string(),
            n => format!("{suffix}{n}"),
        };
        let mut base = name.name.clone();
        while base.len() + suffix.len() > 63 {
            base.pop();
        }
        let candidate = base + &suffix;
        if !taken(&candidate) {
            claimed.insert(QualifiedName::new(&name.schema, &candidate));
            return candidate;
        }
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use autogen_schema::{Sequence, SequenceOptions};

    fn sequence(name: &str) -> Sequence {
        Sequence {
            schema: "public".into(),
            name: name.into(),
            data_type: "integer".into(),
            options: SequenceOptions::defaults_for("integer"),
            owned_by: None,
            grants: Vec::new(),
            comment: None,
        }
    }

    #[test]
    fn a_free_name_is_shortened_to_63_bytes_and_never_given_twice() {
        let long = "s".repeat(63);
        let name = QualifiedName::new("public", &long);
        let mut catalog = Catalog::default();
        catalog.sequences.push(sequence(&long));
        let mut claimed = HashSet::new();
        let first = free_name(&name, RETIRED, [&catalog, &catalog], &mut claimed);
        assert_eq!(first, format!("{}_autogen_old", "s".repeat(51)));
        // Another object whose name shortens to the same prefix, in the same plan.
        let second = free_name(&name, RETIRED, [&catalog, &catalog], &mut claimed);
        assert_eq!(second, format!("{}_autogen_old2", "s".repeat(50)));
        // A name a relation of either side has (here the sequence itself) is skipped.
        let mut taken = Catalog::default();
        taken.sequences.push(sequence("t_id_seq_autogen_new"));
        let name = QualifiedName::new("public", "t_id_seq");
        let staged = free_name(&name, STAGED, [&Catalog::default(), &taken], &mut claimed);
        assert_eq!(staged, "t_id_seq_autogen_new2");
        // Multi-byte characters are never cut in half.
        let name = QualifiedName::new("public", "é".repeat(31));
        let shortened = free_name(&name, RETIRED, [&catalog, &catalog], &mut claimed);
        assert_eq!(shortened, format!("{}_autogen_old", "é".repeat(25)));
    }
}
