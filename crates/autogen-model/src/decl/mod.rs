//! Per-item analysis shared by the derive and the CLI: one struct or enum at a time, with
//! every check that needs no other item.

pub(crate) mod column;
mod constraints;
pub(crate) mod enums;
mod lookup;
pub(crate) mod table;

use crate::problem::{Loc, Problem};

/// Locations parallel to the table's lists (see `crate::TableOrigins`).
#[derive(Debug, Clone)]
pub(crate) struct TableLocs {
    pub table: Loc,
    pub columns: Vec<Loc>,
    pub primary_key: Option<Loc>,
    pub uniques: Vec<Loc>,
    pub foreign_keys: Vec<Loc>,
    pub checks: Vec<Loc>,
    pub indexes: Vec<Loc>,
}

/// The problem when a derive sits on the wrong kind of item (`Model` on an enum, ...).
pub(crate) fn wrong_item_kind(derive: &str, item_kind: &str, loc: Loc) -> Problem {
    let fix = match derive {
        "Model" => {
            "#[derive(Model)] goes on a struct with named fields; use #[derive(DbEnum)] for an enum type"
        }
        _ => {
            "#[derive(DbEnum)] goes on an enum with unit variants; use #[derive(Model)] for a table"
        }
    };
    Problem::new(loc, format!("`{derive}` cannot be derived for {item_kind}"))
        .label(format!("not valid on {item_kind}"))
        .help(fix)
}
