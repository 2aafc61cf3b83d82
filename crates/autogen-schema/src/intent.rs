//! Model intent: what the models say beyond the schema itself — what was renamed
//! (`#[model(renamed_from = "…")]`), how existing rows get a value for a column
//! (`backfill = "…"`) and how a retyped column's values are converted (`using = "…"`). A
//! database never holds it, so it is not part of a [`crate::Catalog`]: it is an input to the
//! diff beside the two catalogs, and the way back (a `down` plan) uses it
//! [`ModelIntent::reversed`].

use crate::ident::QualifiedName;
use serde::{Deserialize, Serialize};

/// A table or type renamed within its schema.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Rename {
    pub schema: String,
    pub from: String,
    pub to: String,
}

/// A column (or an enum value) renamed, in the table (type) named by its name after the
/// renames of the same intent.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MemberRename {
    pub owner: QualifiedName,
    pub from: String,
    pub to: String,
}

/// An SQL expression over a table's row, declared for one of its columns.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ColumnExpression {
    pub table: QualifiedName,
    pub column: String,
    pub expression: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelIntent {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<Rename>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<MemberRename>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enums: Vec<Rename>,
    /// Values of an enum type, the type named by its new name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enum_values: Vec<MemberRename>,
    /// The value existing rows get when the column is added to a table that has rows, or
    /// becomes `NOT NULL` (`backfill = "first_name || ' ' || last_name"`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backfills: Vec<ColumnExpression>,
    /// The `USING` expression of a type change of the column (`using = "price_cents / 100.0"`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conversions: Vec<ColumnExpression>,
}

impl ModelIntent {
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
            && self.columns.is_empty()
            && self.enums.is_empty()
            && self.enum_values.is_empty()
            && self.backfills.is_empty()
            && self.conversions.is_empty()
    }

    /// The backfill declared for `table.column`.
    pub fn backfill(&self, table: &QualifiedName, column: &str) -> Option<&str> {
        find_expression(&self.backfills, table, column)
    }

    /// The `USING` expression declared for a type change of `table.column`.
    pub fn conversion(&self, table: &QualifiedName, column: &str) -> Option<&str> {
        find_expression(&self.conversions, table, column)
    }

    /// The same renames the other way (for the `down` plan): every `from` and `to` swapped,
    /// members named in their owner's old name. Backfills and conversions describe the way
    /// to the models, not back: the reverse has none.
    pub fn reversed(&self) -> ModelIntent {
        let swap = |renames: &[Rename]| -> Vec<Rename> {
            renames
                .iter()
                .map(|rename| Rename {
                    schema: rename.schema.clone(),
                    from: rename.to.clone(),
                    to: rename.from.clone(),
                })
                .collect()
        };
        let members = |renames: &[MemberRename], owners: &[Rename]| -> Vec<MemberRename> {
            renames
                .iter()
                .map(|rename| {
                    let owner = owners
                        .iter()
                        .find(|owner| {
                            owner.schema == rename.owner.schema && owner.to == rename.owner.name
                        })
                        .map_or_else(
                            || rename.owner.clone(),
                            |owner| QualifiedName::new(&owner.schema, &owner.from),
                        );
                    MemberRename {
                        owner,
                        from: rename.to.clone(),
                        to: rename.from.clone(),
                    }
                })
                .collect()
        };
        ModelIntent {
            tables: swap(&self.tables),
            columns: members(&self.columns, &self.tables),
            enums: swap(&self.enums),
            enum_values: members(&self.enum_values, &self.enums),
            backfills: Vec::new(),
            conversions: Vec::new(),
        }
    }

    /// Both intents (e.g. of the two sides of `autogen diff`, one of them reversed).
    pub fn merged(mut self, other: ModelIntent) -> ModelIntent {
        self.tables.extend(other.tables);
        self.columns.extend(other.columns);
        self.enums.extend(other.enums);
        self.enum_values.extend(other.enum_values);
        self.backfills.extend(other.backfills);
        self.conversions.extend(other.conversions);
        self
    }
}

fn find_expression<'a>(
    expressions: &'a [ColumnExpression],
    table: &QualifiedName,
    column: &str,
) -> Option<&'a str> {
    expressions
        .iter()
        .find(|expression| expression.table == *table && expression.column == column)
        .map(|expression| expression.expression.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reversing_names_members_by_their_owners_old_name() {
        let intent = ModelIntent {
            tables: vec![Rename {
                schema: "s".into(),
                from: "accounts".into(),
                to: "users".into(),
            }],
            columns: vec![MemberRename {
                owner: QualifiedName::new("s", "users"),
                from: "nick".into(),
                to: "display_name".into(),
            }],
            ..ModelIntent::default()
        };
        let back = intent.reversed();
        assert_eq!(back.tables[0].from, "users");
        assert_eq!(back.tables[0].to, "accounts");
        assert_eq!(back.columns[0].owner, QualifiedName::new("s", "accounts"));
        assert_eq!(back.columns[0].from, "display_name");
        assert_eq!(back.columns[0].to, "nick");
        assert_eq!(back.reversed(), intent);
    }
}
