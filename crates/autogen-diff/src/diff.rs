//! The semantic diff: two catalogs -> changes keyed by identity. Renames come first
//! (`renames.rs`), then each family compares its objects (`family/`).

use crate::DiffError;
use crate::change::Change;
use crate::family::{diff_enums, diff_extensions, diff_schemas, diff_sequences, diff_tables};
use crate::handover::Handovers;
use crate::renames::apply_renames;
use autogen_schema::{Catalog, RenameIntent};

/// The changes that turn `current` into `desired` when nothing was renamed on purpose (no
/// rename intent; constraints and indexes identical but for the name are still renamed).
pub fn diff(current: &Catalog, desired: &Catalog) -> Result<Vec<Change>, DiffError> {
    diff_renaming(current, desired, &RenameIntent::default())
}

/// The changes that turn `current` into `desired`, applying the renames of `intent` that
/// apply: renames first, then everything else in name order per kind.
/// [`crate::plan_changes`] orders them for execution.
pub fn diff_renaming(
    current: &Catalog,
    desired: &Catalog,
    intent: &RenameIntent,
) -> Result<Vec<Change>, DiffError> {
    tracing::debug!("diff: comparing two catalogs");
    let desired = desired.canonical();
    let current = current.canonical();
    let current = crate::equivalence::align_equivalent_defaults(&current, &desired);
    let mut changes = Vec::new();
    let current = apply_renames(&current, &desired, intent, &mut changes);
    let handovers = Handovers::find(&current, &desired);
    diff_schemas(&current, &desired, &mut changes);
    diff_extensions(&current, &desired, &mut changes);
    let recreated = diff_enums(&current, &desired, &mut changes);
    diff_sequences(&current, &desired, &handovers, &mut changes);
    diff_tables(&current, &desired, &recreated, &handovers, &mut changes)?;
    Ok(changes)
}
