//! The semantic diff: two catalogs -> changes keyed by identity. Renames come first
//! (`renames.rs`), then each family compares its objects (`family/`).

use crate::DiffError;
use crate::change::Change;
use crate::family::{
    TableContext, diff_enums, diff_extensions, diff_schemas, diff_sequences, diff_tables,
};
use crate::handover::Handovers;
use crate::mentions::TypeName;
use crate::renames::apply_renames;
use autogen_schema::{Catalog, ModelIntent, QualifiedName};

/// The changes that turn `current` into `desired` when nothing was renamed on purpose (no
/// rename intent; constraints and indexes identical but for the name are still renamed).
pub fn diff(current: &Catalog, desired: &Catalog) -> Result<Vec<Change>, DiffError> {
    diff_renaming(current, desired, &ModelIntent::default())
}

/// The changes that turn `current` into `desired`, applying the renames of `intent` that
/// apply: renames first, then everything else in name order per kind.
/// [`crate::plan_changes`] orders them for execution.
pub fn diff_renaming(
    current: &Catalog,
    desired: &Catalog,
    intent: &ModelIntent,
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
    let objects = crate::family::objects::prepare(&current, &desired)?;
    let enum_types = current
        .enums
        .iter()
        .chain(&desired.enums)
        .map(|e| TypeName::printed(&QualifiedName::new(&e.schema, &e.name)))
        .collect();
    let context = TableContext {
        recreated: &recreated,
        handovers: &handovers,
        forced_parts: &objects.forced_parts,
        enum_types,
        type_storage: crate::type_storage::TypeStorage::of(&desired),
        desired_tables: &desired.tables,
    };
    diff_tables(&current, &desired, &context, &mut changes)?;
    crate::family::objects::finish(objects, &current, &desired, &mut changes);
    crate::family::privilege::diff_default_privileges(&current, &desired, &mut changes);
    Ok(crate::data::apply_data_intent(changes, intent))
}
