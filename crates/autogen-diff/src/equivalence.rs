//! Expressions PostgreSQL stores differently but evaluates identically. The catalogs hold
//! PostgreSQL's own spelling, so almost every equivalence is already resolved by PostgreSQL;
//! these are the ones it is not: `DEFAULT CURRENT_TIMESTAMP` is kept as an SQL value
//! function, `DEFAULT now()` as a function call, yet both are the transaction's start time.

use autogen_schema::Catalog;

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

/// `current` with each column default that is equivalent to the same column's default in
/// `desired` spelled as `desired` spells it, so the diff sees no change there while every
/// statement it renders keeps the desired spelling.
pub(crate) fn align_equivalent_defaults<'a>(
    current: &'a Catalog,
    desired: &Catalog,
) -> std::borrow::Cow<'a, Catalog> {
    let wanted_tables: std::collections::HashMap<(&str, &str), &autogen_schema::Table> = desired
        .tables
        .iter()
        .map(|table| ((table.schema.as_str(), table.name.as_str()), table))
        .collect();
    let spelled = |text: &str| canonical(text).unwrap_or(text).to_string();
    let needs_alignment = |table: &autogen_schema::Table, column: &autogen_schema::Column| {
        let wanted = wanted_tables
            .get(&(table.schema.as_str(), table.name.as_str()))
            .and_then(|wanted| wanted.column(&column.name))
            .and_then(|wanted| wanted.default.as_ref());
        match (&column.default, wanted) {
            (Some(default), Some(wanted)) => {
                default != wanted && spelled(default) == spelled(wanted)
            }
            _ => false,
        }
    };
    // Cloning a large catalog is the expensive part: only when something is to be aligned.
    if !current.tables.iter().any(|table| {
        table
            .columns
            .iter()
            .any(|column| needs_alignment(table, column))
    }) {
        return std::borrow::Cow::Borrowed(current);
    }
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
                && default != wanted_default
                && spelled(default) == spelled(wanted_default)
            {
                column.default = Some(wanted_default.clone());
            }
        }
    }
    std::borrow::Cow::Owned(current)
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
