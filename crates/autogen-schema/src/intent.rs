//! Rename intent: what the models say was renamed (`#[model(renamed_from = "…")]`). A database
//! never holds it, so it is not part of a [`crate::Catalog`]: it is an input to the diff beside
//! the two catalogs, and the way back (a `down` plan) uses it [`RenameIntent::reversed`].

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

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenameIntent {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<Rename>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<MemberRename>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enums: Vec<Rename>,
    /// Values of an enum type, the type named by its new name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enum_values: Vec<MemberRename>,
}

impl RenameIntent {
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
            && self.columns.is_empty()
            && self.enums.is_empty()
            && self.enum_values.is_empty()
    }

    /// The same renames the other way (for the `down` plan): every `from` and `to` swapped,
    /// members named in their owner's old name.
    pub fn reversed(&self) -> RenameIntent {
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
        RenameIntent {
            tables: swap(&self.tables),
            columns: members(&self.columns, &self.tables),
            enums: swap(&self.enums),
            enum_values: members(&self.enum_values, &self.enums),
        }
    }

    /// Both intents (e.g. of the two sides of `autogen diff`, one of them reversed).
    pub fn merged(mut self, other: RenameIntent) -> RenameIntent {
        self.tables.extend(other.tables);
        self.columns.extend(other.columns);
        self.enums.extend(other.enums);
        self.enum_values.extend(other.enum_values);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reversing_names_members_by_their_owners_old_name() {
        let intent = RenameIntent {
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
            ..RenameIntent::default()
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
