//! The deploy phase of a revision (`-- phase: expand|contract`, written by `autogen revision
//! --expand-contract`) and what `upgrade --phase` selects by it.
//!
//! An *expand* revision is safe while the old application version still runs; its child, the
//! *contract* revision, is applied once the new version is deployed. A revision without the
//! header is an ordinary one.

use std::collections::BTreeSet;

use crate::RevisionFile;

/// The `-- phase:` header's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RevisionPhase {
    Expand,
    Contract,
}

impl RevisionPhase {
    /// The header spellings.
    pub const NAMES: [&'static str; 2] = ["expand", "contract"];

    /// The header value; strict (lower case, exact).
    pub fn parse(text: &str) -> Option<RevisionPhase> {
        match text {
            "expand" => Some(RevisionPhase::Expand),
            "contract" => Some(RevisionPhase::Contract),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            RevisionPhase::Expand => "expand",
            RevisionPhase::Contract => "contract",
        }
    }
}

impl std::fmt::Display for RevisionPhase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// An upgrade plan cut down to one phase (`upgrade --phase`): what runs and what is left for
/// later.
#[derive(Debug, Clone, Default)]
pub struct PhasePlan<'g> {
    pub run: Vec<&'g RevisionFile>,
    /// Pending revisions of the plan that this phase leaves alone, in plan order.
    pub skipped: Vec<&'g RevisionFile>,
}

/// `plan` (parents first, as [`crate::RevisionGraph::upgrade_plan`] gives it) restricted to
/// `phase`:
///
/// - [`RevisionPhase::Expand`]: everything up to the contract revisions; a contract revision
///   and every revision of the plan descending from it are skipped (the new code is not
///   deployed yet).
/// - [`RevisionPhase::Contract`]: only contract revisions whose parents are all `applied`
///   (their expand side ran, and the new code has been deployed since).
pub fn restrict_to_phase<'g>(
    plan: Vec<&'g RevisionFile>,
    applied: &BTreeSet<String>,
    phase: RevisionPhase,
) -> PhasePlan<'g> {
    let mut out = PhasePlan::default();
    match phase {
        RevisionPhase::Expand => {
            let mut held_back: BTreeSet<&str> = BTreeSet::new();
            for file in plan {
                let revision = &file.revision;
                let behind_contract = revision.phase == Some(RevisionPhase::Contract)
                    || revision
                        .parents
                        .iter()
                        .any(|parent| held_back.contains(parent.as_str()));
                if behind_contract {
                    held_back.insert(&revision.id);
                    out.skipped.push(file);
                } else {
                    out.run.push(file);
                }
            }
        }
        RevisionPhase::Contract => {
            for file in plan {
                let revision = &file.revision;
                if revision.phase == Some(RevisionPhase::Contract)
                    && revision
                        .parents
                        .iter()
                        .all(|parent| applied.contains(parent))
                {
                    out.run.push(file);
                } else {
                    out.skipped.push(file);
                }
            }
        }
    }
    out
}
