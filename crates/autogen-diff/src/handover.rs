//! Counters handed over between a serial's sequence and an identity: a column that owns a
//! sequence the plan drops and becomes an identity, or an identity column that becomes the
//! owner of a sequence the plan creates (`serial` ↔ `GENERATED … AS IDENTITY`).
//!
//! The new sequence must continue where the old one was, and end with the name PostgreSQL
//! gives it in a fresh database (`<table>_<column>_seq`, which the old one holds). So:
//!
//! - to an identity: the old sequence is renamed out of the way ([`ToIdentity::retired`]), the
//!   identity added (its sequence takes the name), given the old one's position, and the old one
//!   dropped;
//! - from an identity: the new sequence is created under a free name ([`FromIdentity::staged`]),
//!   given the identity's position, the identity dropped (with its sequence), and the new one
//!   renamed to its name.
//!
//! The sequence family ([`crate::family::sequence`]) and the column family emit the changes;
//! this module only decides which columns hand their counter over and the temporary names.

use crate::family::{RETIRED, STAGED, free_name};
use autogen_schema::{Catalog, Column, QualifiedName, SequenceOptions, SequenceOwner};
use std::collections::HashSet;

/// A serial column that becomes an identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ToIdentity {
    pub(crate) table: QualifiedName,
    pub(crate) column: String,
    /// The sequence the column owns, which the plan drops.
    pub(crate) sequence: QualifiedName,
    /// The name it has from the start of the plan until it is dropped.
    pub(crate) retired: String,
    /// The old sequence's options and the identity's.
    pub(crate) from: SequenceOptions,
    pub(crate) to: SequenceOptions,
}

/// An identity column that becomes a serial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FromIdentity {
    pub(crate) table: QualifiedName,
    pub(crate) column: String,
    /// The sequence the column will own, which the plan creates.
    pub(crate) sequence: QualifiedName,
    /// The name it is created under, until the identity's sequence has freed `sequence`.
    pub(crate) staged: String,
    /// The identity's options and the new sequence's.
    pub(crate) from: SequenceOptions,
    pub(crate) to: SequenceOptions,
}

/// The counters one plan hands over.
#[derive(Debug, Default)]
pub(crate) struct Handovers {
    to_identity: Vec<ToIdentity>,
    from_identity: Vec<FromIdentity>,
}

impl Handovers {
    /// The handovers between `current` (renames applied) and `desired`. Only sequences the plan
    /// drops or creates are looked at, so a large unchanged schema costs a set lookup per
    /// sequence.
    pub(crate) fn find(current: &Catalog, desired: &Catalog) -> Handovers {
        let names = |catalog: &Catalog| -> HashSet<QualifiedName> {
            catalog
                .sequences
                .iter()
                .map(|s| QualifiedName::new(&s.schema, &s.name))
                .collect()
        };
        let (have, want) = (names(current), names(desired));
        let mut claimed = HashSet::new();
        let mut handovers = Handovers::default();
        for sequence in &current.sequences {
            let name = QualifiedName::new(&sequence.schema, &sequence.name);
            let Some(owner) = &sequence.owned_by else {
                continue;
            };
            if want.contains(&name) || handovers.covers(owner) {
                continue;
            }
            let Some((old, new)) = kept_column(current, desired, owner) else {
                continue;
            };
            let (None, Some(identity)) = (&old.identity, &new.identity) else {
                continue;
            };
            handovers.to_identity.push(ToIdentity {
                table: owner.table.clone(),
                column: owner.column.clone(),
                retired: free_name(&name, RETIRED, [current, desired], &mut claimed),
                sequence: name,
                from: sequence.options.clone(),
                to: identity.options.clone(),
            });
        }
        for sequence in &desired.sequences {
            let name = QualifiedName::new(&sequence.schema, &sequence.name);
            let Some(owner) = &sequence.owned_by else {
                continue;
            };
            if have.contains(&name) || handovers.covers(owner) {
                continue;
            }
            let Some((old, new)) = kept_column(current, desired, owner) else {
                continue;
            };
            // (A column that becomes generated is replaced: its values are computed again.)
            let (Some(identity), None, None) = (&old.identity, &new.identity, &new.generated)
            else {
                continue;
            };
            handovers.from_identity.push(FromIdentity {
                table: owner.table.clone(),
                column: owner.column.clone(),
                staged: free_name(&name, STAGED, [current, desired], &mut claimed),
                sequence: name,
                from: identity.options.clone(),
                to: sequence.options.clone(),
            });
        }
        handovers
    }

    /// The handover of the serial sequence `name` (of the current schema) to an identity.
    pub(crate) fn retiring(&self, name: &QualifiedName) -> Option<&ToIdentity> {
        self.to_identity.iter().find(|h| h.sequence == *name)
    }

    /// The handover of an identity to the serial sequence `name` (of the desired schema).
    pub(crate) fn staging(&self, name: &QualifiedName) -> Option<&FromIdentity> {
        self.from_identity.iter().find(|h| h.sequence == *name)
    }

    /// Whether the identity of `table.column` hands its counter over to a sequence.
    pub(crate) fn hands_over_identity(&self, table: &QualifiedName, column: &str) -> bool {
        self.from_identity
            .iter()
            .any(|h| h.table == *table && h.column == column)
    }

    /// Whether the counter of `owner`'s column is handed over already (a column may own more
    /// than one sequence: the first carries its counter).
    fn covers(&self, owner: &SequenceOwner) -> bool {
        let column =
            |table: &QualifiedName, column: &str| *table == owner.table && column == owner.column;
        self.to_identity.iter().any(|h| column(&h.table, &h.column))
            || self
                .from_identity
                .iter()
                .any(|h| column(&h.table, &h.column))
    }
}

/// The owner column as it is and as it will be, when the plan keeps it.
fn kept_column<'a>(
    current: &'a Catalog,
    desired: &'a Catalog,
    owner: &SequenceOwner,
) -> Option<(&'a Column, &'a Column)> {
    let column = |catalog: &'a Catalog| {
        catalog
            .table(&owner.table.schema, &owner.table.name)?
            .column(&owner.column)
    };
    Some((column(current)?, column(desired)?))
}
