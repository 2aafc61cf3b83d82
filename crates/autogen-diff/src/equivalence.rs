//! Expressions PostgreSQL stores differently but evaluates identically. The catalogs hold
//! PostgreSQL's own spelling, so almost every equivalence is already resolved by PostgreSQL;
//! these are the ones it is not: `DEFAULT CURRENT_TIMESTAMP` is kept as an SQL value
//! function, `DEFAULT now()` as a function call, yet both are the transaction's start time.

use autogen_schema::{Catalog, Column, Table};

/// The one spelling the diff compares for `expression`.
fn canonical(expression: &str) -> Option<&'static str> {
    match expression {
        // Without a precision, CURRENT_TIMESTAMP is exactly now() (CURRENT_TIMESTAMP(3)
        // rounds, so it is not).
        "CURRENT_TIMESTAMP" | "transaction_timestamp()" => Some("now()"),
        _ => None,
    }
}

/// `catalog` with equivalent column defaults spelled one way, so that comparing two
/// catalogs — by the diff, or by plan verification — does not see a difference there.
pub fn normalize_equivalences(catalog: &Catalog) -> Catalog {
    let mut catalog = catalog.clone();
    for table in &mut catalog.tables {
        for column in &mut table.columns {
            if let Some(spelling) = column.default.as_deref().and_then(canonical) {
                column.default = Some(spelling.to_string());
            }
        }
    }
    catalog
}

/// `catalog` in the form two schemas are compared in to tell whether they are the same: the
/// equivalences above spelled one way, columns in name order (PostgreSQL appends every added
/// column and cannot move one, so column order is never a difference).
pub fn comparable(catalog: &Catalog) -> Catalog {
    let mut catalog = normalize_equivalences(catalog);
    // What uses what follows from the definitions compared here; left out, it would only
    // differ where a copy of part of a schema lacks an edge's far end.
    catalog.dependencies.clear();
    for table in &mut catalog.tables {
        table.columns.sort_by(|a, b| a.name.cmp(&b.name));
    }
    catalog
}

/// Whether `a` and `b` are the same schema (see [`comparable`]): the one answer verification,
/// the benchmarks and the tests use.
pub fn equivalent(a: &Catalog, b: &Catalog) -> bool {
    comparable(a) == comparable(b)
}

/// `current` with each column default that is equivalent to the same column's default in
/// `desired` spelled as `desired` spells it, so the diff sees no change there while every
/// statement it renders keeps the desired spelling. Both catalogs are in canonical order.
pub(crate) fn align_equivalent_defaults<'a>(
    current: &'a Catalog,
    desired: &Catalog,
) -> std::borrow::Cow<'a, Catalog> {
    let spelled = |text: &str| canonical(text).unwrap_or(text).to_string();
    let aligned = |default: &String, wanted: &String| {
        default != wanted && spelled(default) == spelled(wanted)
    };
    let pairs = crate::pairs::paired_tables(&current.tables, &desired.tables);
    // Two defaults align only when one of them has another spelling: look up just those.
    let needs_alignment = |(have, want): &crate::pairs::TablePair| {
        let (Some(have), Some(want)) = (have, want) else {
            return false;
        };
        respelled(have).chain(respelled(want)).any(|column| {
            matches!(
                (default_of(have, &column.name), default_of(want, &column.name)),
                (Some(d), Some(w)) if aligned(d, w)
            )
        })
    };
    // Cloning a large catalog is the expensive part: only when something is to be aligned.
    if !pairs.iter().any(needs_alignment) {
        return std::borrow::Cow::Borrowed(current);
    }
    let wanted_tables: std::collections::HashMap<(&str, &str), &Table> = desired
        .tables
        .iter()
        .map(|table| ((table.schema.as_str(), table.name.as_str()), table))
        .collect();
    let mut current = current.clone();
    for table in &mut current.tables {
        let Some(wanted) = wanted_tables.get(&(table.schema.as_str(), table.name.as_str())) else {
            continue;
        };
        for column in &mut table.columns {
            let Some(wanted_default) = wanted.column(&column.name).and_then(|c| c.default.as_ref())
            else {
                continue;
            };
            if let Some(default) = &column.default
                && aligned(default, wanted_default)
            {
                column.default = Some(wanted_default.clone());
            }
        }
    }
    std::borrow::Cow::Owned(current)
}

/// The columns of `table` whose default has another spelling.
fn respelled(table: &Table) -> impl Iterator<Item = &Column> {
    table
        .columns
        .iter()
        .filter(|c| c.default.as_deref().and_then(canonical).is_some())
}

fn default_of<'a>(table: &'a Table, column: &str) -> Option<&'a String> {
    table.column(column).and_then(|c| c.default.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_exact_equivalents_are_rewritten() {
        assert_eq!(canonical("CURRENT_TIMESTAMP"), Some("now()"));
        assert_eq!(canonical("transaction_timestamp()"), Some("now()"));
        assert_eq!(canonical("CURRENT_TIMESTAMP(3)"), None);
        assert_eq!(canonical("statement_timestamp()"), None);
        assert_eq!(canonical("now()"), None);
    }
}
