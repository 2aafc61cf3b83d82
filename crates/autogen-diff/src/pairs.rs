//! Matching the tables of two catalogs by identity in one ordered pass.
//!
//! Both catalogs are in canonical order (tables sorted by schema, then name), so a merge join
//! pairs them without hashing: at 5,000 tables the hash maps this replaces were a fifth of the
//! whole diff.

use autogen_schema::Table;
use std::cmp::Ordering;

/// A table on one side or both, in canonical order.
pub(crate) type TablePair<'a> = (Option<&'a Table>, Option<&'a Table>);

/// Every table of `current` and `desired`, paired by (schema, name). Both slices must be
/// sorted by (schema, name), as `Catalog::canonicalize` leaves them.
pub(crate) fn paired_tables<'a>(current: &'a [Table], desired: &'a [Table]) -> Vec<TablePair<'a>> {
    let key = |table: &'a Table| (table.schema.as_str(), table.name.as_str());
    let mut pairs = Vec::with_capacity(current.len().max(desired.len()));
    let (mut have, mut want) = (current.iter().peekable(), desired.iter().peekable());
    loop {
        let order = match (have.peek(), want.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(&a), Some(&b)) => key(a).cmp(&key(b)),
        };
        pairs.push(match order {
            Ordering::Less => (have.next(), None),
            Ordering::Greater => (None, want.next()),
            Ordering::Equal => (have.next(), want.next()),
        });
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(schema: &str, name: &str) -> Table {
        Table {
            schema: schema.into(),
            name: name.into(),
            unlogged: false,
            row_level_security: false,
            force_row_level_security: false,
            storage_parameters: Vec::new(),
            replica_identity: Default::default(),
            grants: Vec::new(),
            partition_by: None,
            partition_of: None,
            inherits: Vec::new(),
            columns: vec![],
            primary_key: None,
            uniques: vec![],
            foreign_keys: vec![],
            checks: vec![],
            exclusions: vec![],
            indexes: vec![],
            comment: None,
        }
    }

    #[test]
    fn tables_pair_by_schema_and_name() {
        let current = [table("a", "x"), table("a", "y"), table("b", "x")];
        let desired = [
            table("a", "y"),
            table("a", "z"),
            table("b", "x"),
            table("c", "a"),
        ];
        let names = |t: Option<&Table>| t.map(|t| format!("{}.{}", t.schema, t.name));
        let pairs: Vec<_> = paired_tables(&current, &desired)
            .into_iter()
            .map(|(a, b)| (names(a), names(b)))
            .collect();
        let some = |s: &str| Some(s.to_string());
        assert_eq!(
            pairs,
            [
                (some("a.x"), None),
                (some("a.y"), some("a.y")),
                (None, some("a.z")),
                (some("b.x"), some("b.x")),
                (None, some("c.a")),
            ]
        );
    }
}
