//! Free-standing sequences: created, dropped, altered, owned; and a serial's counter handed
//! over to an identity or taken over from one (`crate::handover`): the sequence renamed out of
//! the way or created under a temporary name, its value carried over.

use crate::Hazard;
use crate::casts::is_safe_widening;
use crate::change::{Change, Phase};
use crate::family::privilege::{self, PrivilegeTarget};
use crate::family::*;
use crate::handover::Handovers;
use crate::sequence_options::{self, SequenceRef};
use autogen_schema::{
    Catalog, QualifiedName, Sequence, SequenceOptions, SequenceOwner, quote_ident, sql,
};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

// Changes are few and short-lived (one plan's worth): boxing the large variants buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum SequenceChange {
    Create {
        sequence: Sequence,
    },
    Drop {
        name: QualifiedName,
    },
    /// Data type and/or options differ (ownership and comment are separate changes).
    Alter {
        from: Sequence,
        to: Sequence,
    },
    SetOwner {
        name: QualifiedName,
        owner: Option<SequenceOwner>,
    },
    /// A serial's sequence renamed out of the way of the identity its column becomes, which
    /// takes the name; its value is carried over to the identity, then it is dropped
    /// ([`SequenceChange::DropCarried`]).
    Retire {
        name: QualifiedName,
        to: String,
    },
    /// `setval` of `to` to the position of `from` (moved into the range of `to_options`): a
    /// counter handed over between a serial's sequence and an identity.
    CarryValue {
        from: SequenceRef,
        to: SequenceRef,
        from_options: SequenceOptions,
        to_options: SequenceOptions,
    },
    /// A sequence created under a temporary name (while an identity's sequence holds its name)
    /// gets its name, once the identity is dropped.
    Unstage {
        from: QualifiedName,
        to: String,
    },
    /// A retired sequence whose value was carried over.
    DropCarried {
        name: QualifiedName,
    },
}

impl SequenceChange {
    pub(crate) fn phase(&self) -> Phase {
        match self {
            SequenceChange::SetOwner { owner: None, .. } => Phase::ReleaseSequence,
            SequenceChange::Create { .. } | SequenceChange::Alter { .. } => Phase::Sequence,
            SequenceChange::SetOwner { owner: Some(_), .. } => Phase::OwnSequence,
            SequenceChange::Drop { .. } => Phase::DropSequence,
            SequenceChange::Retire { .. } => Phase::RetireSequence,
            SequenceChange::CarryValue {
                from: SequenceRef::IdentityOf { .. },
                ..
            } => Phase::CarryFromIdentity,
            SequenceChange::CarryValue { .. } => Phase::CarryToIdentity,
            SequenceChange::Unstage { .. } => Phase::UnstageSequence,
            SequenceChange::DropCarried { .. } => Phase::DropCarriedSequence,
        }
    }

    pub(crate) fn summary(&self) -> String {
        match self {
            SequenceChange::Create { sequence } => format!(
                "create sequence {}",
                QualifiedName::new(&sequence.schema, &sequence.name)
            ),
            SequenceChange::Drop { name } => format!("drop sequence {name}"),
            SequenceChange::Alter { to, .. } => format!(
                "alter sequence {}",
                QualifiedName::new(&to.schema, &to.name)
            ),
            SequenceChange::SetOwner { name, owner: None } => {
                format!("release sequence {name} from its owner")
            }
            SequenceChange::SetOwner {
                name,
                owner: Some(owner),
            } => format!(
                "set owner of sequence {name} to {}",
                col(&owner.table, &owner.column)
            ),
            SequenceChange::Retire { name, to } => {
                format!("rename sequence {name} to {to}, freeing its name for an identity's")
            }
            SequenceChange::CarryValue { from, to, .. } => {
                format!("carry the value of {from} over to {to}")
            }
            SequenceChange::Unstage { from, to } => format!("rename sequence {from} to {to}"),
            SequenceChange::DropCarried { name } => {
                format!("drop sequence {name}, its value carried over")
            }
        }
    }

    pub(crate) fn render(&self) -> (String, Vec<Hazard>) {
        use Hazard::*;
        match self {
            SequenceChange::Create { sequence } => (sql::create_sequence(sequence), vec![]),
            SequenceChange::Drop { name } => {
                (format!("DROP SEQUENCE {};", name.quoted()), vec![DataLoss])
            }
            SequenceChange::Alter { from, to } => {
                let narrower = !is_safe_widening(&from.data_type, &to.data_type)
                    || sequence_options::narrows(&from.options, &to.options);
                let hazards = if narrower {
                    vec![MayFailOnExistingRows]
                } else {
                    vec![]
                };
                (sequence_options::alter_sequence(from, to), hazards)
            }
            SequenceChange::SetOwner { name, owner } => {
                let owner = match owner {
                    Some(owner) => {
                        format!("{}.{}", owner.table.quoted(), quote_ident(&owner.column))
                    }
                    None => "NONE".to_string(),
                };
                (
                    format!("ALTER SEQUENCE {} OWNED BY {owner};", name.quoted()),
                    vec![],
                )
            }
            SequenceChange::Retire { name: from, to } | SequenceChange::Unstage { from, to } => (
                format!(
                    "ALTER SEQUENCE {} RENAME TO {};",
                    from.quoted(),
                    quote_ident(to)
                ),
                vec![],
            ),
            SequenceChange::CarryValue {
                from,
                to,
                from_options,
                to_options,
            } => {
                // A position outside the new range is moved to its nearest end: the values
                // past it are no longer given (an insert fails when none is left).
                let hazards = if sequence_options::narrows(from_options, to_options) {
                    vec![MayFailOnExistingRows]
                } else {
                    vec![]
                };
                (sequence_options::carry_value(from, to, to_options), hazards)
            }
            // Nothing is lost: the value lives on in the identity's sequence.
            SequenceChange::DropCarried { name } => {
                (format!("DROP SEQUENCE {};", name.quoted()), vec![])
            }
        }
    }
}

pub(crate) fn diff_sequences(
    current: &Catalog,
    desired: &Catalog,
    handovers: &Handovers,
    changes: &mut Vec<Change>,
) {
    let key = |s: &autogen_schema::Sequence| (s.schema.clone(), s.name.clone());
    let have: HashMap<_, _> = current.sequences.iter().map(|s| (key(s), s)).collect();
    let want: HashSet<_> = desired.sequences.iter().map(key).collect();
    for sequence in &desired.sequences {
        let name = QualifiedName::new(&sequence.schema, &sequence.name);
        let target = || CommentTarget::Sequence { name: name.clone() };
        match have.get(&key(sequence)) {
            None => {
                match handovers.staging(&name) {
                    Some(handover) => {
                        let staged = QualifiedName::new(&name.schema, &handover.staged);
                        changes.extend(
                            [
                                SequenceChange::Create {
                                    sequence: Sequence {
                                        name: handover.staged.clone(),
                                        owned_by: None,
                                        comment: None,
                                        ..sequence.clone()
                                    },
                                },
                                SequenceChange::CarryValue {
                                    from: SequenceRef::IdentityOf {
                                        table: handover.table.clone(),
                                        column: handover.column.clone(),
                                    },
                                    to: SequenceRef::Named {
                                        name: staged.clone(),
                                    },
                                    from_options: handover.from.clone(),
                                    to_options: handover.to.clone(),
                                },
                                SequenceChange::Unstage {
                                    from: staged,
                                    to: name.name.clone(),
                                },
                            ]
                            .map(Change::Sequence),
                        );
                    }
                    None => changes.push(Change::Sequence(SequenceChange::Create {
                        sequence: sequence.clone(),
                    })),
                }
                if sequence.owned_by.is_some() {
                    changes.push(Change::Sequence(SequenceChange::SetOwner {
                        name: name.clone(),
                        owner: sequence.owned_by.clone(),
                    }));
                }
                if sequence.comment.is_some() {
                    changes.push(comment_change(target(), &sequence.comment));
                }
                changes.extend(privilege::changes(
                    &PrivilegeTarget::Sequence { name: name.clone() },
                    (&[], &[]),
                    (&sequence.grants, &[]),
                ));
            }
            Some(old) => {
                if old.data_type != sequence.data_type || old.options != sequence.options {
                    changes.push(Change::Sequence(SequenceChange::Alter {
                        from: (*old).clone(),
                        to: sequence.clone(),
                    }));
                }
                if old.owned_by != sequence.owned_by {
                    // Release first, so dropping the old owner does not drop the sequence.
                    if old.owned_by.is_some() {
                        changes.push(Change::Sequence(SequenceChange::SetOwner {
                            name: name.clone(),
                            owner: None,
                        }));
                    }
                    if sequence.owned_by.is_some() {
                        changes.push(Change::Sequence(SequenceChange::SetOwner {
                            name: name.clone(),
                            owner: sequence.owned_by.clone(),
                        }));
                    }
                }
                if old.comment != sequence.comment {
                    changes.push(comment_change(target(), &sequence.comment));
                }
                changes.extend(privilege::changes(
                    &PrivilegeTarget::Sequence { name: name.clone() },
                    (&old.grants, &[]),
                    (&sequence.grants, &[]),
                ));
            }
        }
    }
    for sequence in &current.sequences {
        if want.contains(&key(sequence)) {
            continue;
        }
        let name = QualifiedName::new(&sequence.schema, &sequence.name);
        if sequence.owned_by.is_some() {
            changes.push(Change::Sequence(SequenceChange::SetOwner {
                name: name.clone(),
                owner: None,
            }));
        }
        match handovers.retiring(&name) {
            Some(handover) => {
                let retired = QualifiedName::new(&name.schema, &handover.retired);
                changes.extend(
                    [
                        SequenceChange::Retire {
                            name,
                            to: handover.retired.clone(),
                        },
                        SequenceChange::CarryValue {
                            from: SequenceRef::Named {
                                name: retired.clone(),
                            },
                            to: SequenceRef::IdentityOf {
                                table: handover.table.clone(),
                                column: handover.column.clone(),
                            },
                            from_options: handover.from.clone(),
                            to_options: handover.to.clone(),
                        },
                        SequenceChange::DropCarried { name: retired },
                    ]
                    .map(Change::Sequence),
                );
            }
            None => changes.push(Change::Sequence(SequenceChange::Drop { name })),
        }
    }
}
