//! The change families. Each module owns one kind of object: its change type (what can change),
//! its comparison (which changes two catalogs need), the SQL of each change with its hazards,
//! and its summary. Adding a kind of object means adding a module here and a variant to
//! [`crate::Change`].

pub(crate) mod column;
pub(crate) mod comment;
pub(crate) mod constraint;
pub(crate) mod enums;
pub(crate) mod index;
pub(crate) mod items;
pub(crate) mod schema;
pub(crate) mod sequence;
pub(crate) mod table;

pub(crate) use column::*;
pub(crate) use comment::*;
pub(crate) use constraint::*;
pub(crate) use enums::*;
pub(crate) use index::*;
pub(crate) use items::*;
pub(crate) use schema::*;
pub(crate) use sequence::*;
pub(crate) use table::*;

use autogen_schema::{QualifiedName, quote_ident};

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
