//! Free-standing sequences: created, dropped, altered, owned.

use crate::Hazard;
use crate::casts::is_safe_widening;
use crate::change::{Change, Phase};
use crate::family::*;
use crate::sequence_options;
use autogen_schema::{Catalog, QualifiedName, Sequence, SequenceOwner, quote_ident, sql};
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
}

impl SequenceChange {
    pub(crate) fn phase(&self) -> Phase {
        match self {
            SequenceChange::SetOwner { owner: None, .. } => Phase::ReleaseSequence,
            SequenceChange::Create { .. } | SequenceChange::Alter { .. } => Phase::Sequence,
            SequenceChange::SetOwner { owner: Some(_), .. } => Phase::OwnSequence,
            SequenceChange::Drop { .. } => Phase::DropSequence,
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
        }
    }
}

pub(crate) fn diff_sequences(current: &Catalog, desired: &Catalog, changes: &mut Vec<Change>) {
    let key = |s: &autogen_schema::Sequence| (s.schema.clone(), s.name.clone());
    let have: HashMap<_, _> = current.sequences.iter().map(|s| (key(s), s)).collect();
    let want: HashSet<_> = desired.sequences.iter().map(key).collect();
    for sequence in &desired.sequences {
        let name = QualifiedName::new(&sequence.schema, &sequence.name);
        let target = || CommentTarget::Sequence { name: name.clone() };
        match have.get(&key(sequence)) {
            None => {
                changes.push(Change::Sequence(SequenceChange::Create {
                    sequence: sequence.clone(),
                }));
                if sequence.owned_by.is_some() {
                    changes.push(Change::Sequence(SequenceChange::SetOwner {
                        name: name.clone(),
                        owner: sequence.owned_by.clone(),
                    }));
                }
                if sequence.comment.is_some() {
                    changes.push(comment_change(target(), &sequence.comment));
                }
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
        changes.push(Change::Sequence(SequenceChange::Drop { name }));
    }
}
