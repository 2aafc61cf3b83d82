//! A migration: the plans between two schemas in both directions, computed once, with what the
//! later steps need to know about them (the tables they touch, the views they keep, the
//! renames they would not guess, and whether they were verified).

use crate::data::ValueHint;
use crate::hints::{RenameHint, rename_hints};
use crate::plan::Plan;
use crate::unmanaged::UnmanagedDifference;
use crate::{DiffError, OnlineOptions, diff_renaming, plan_changes, plan_online_changes};
use autogen_schema::{Catalog, ModelIntent, ObjectRef, QualifiedName};
use std::collections::BTreeSet;

/// How to plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanOptions {
    /// Online mode (see `online.rs`); `None` plans plain statements.
    pub online: Option<OnlineOptions>,
}

/// Whether and how a migration was checked on PostgreSQL (set by whoever verifies it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Verification {
    /// Not checked (`--no-verify`, or an empty plan).
    #[default]
    Skipped,
    /// `up` was applied to a copy of the current schema and gave the desired one; `down` too
    /// when `down` is true (false: there is no down plan to check).
    Verified { down: bool },
}

/// The migration from one schema to another.
#[derive(Debug, Clone)]
pub struct Migration {
    pub up: Plan,
    /// The reverse plan; an error when the engine cannot express the reverse.
    pub down: Result<Plan, DiffError>,
    /// The tables the changes of either direction name (a renamed one under both names), with
    /// the tables their foreign keys reference in either catalog: what a copy of the schema
    /// needs for the plans' statements to run.
    pub touched_tables: BTreeSet<QualifiedName>,
    /// The views, routines, triggers, domains, composite and range types and collations
    /// either plan creates, drops, re-creates or alters: a copy of the schema needs them (and
    /// what they use) for the plans' statements to run.
    pub touched_objects: BTreeSet<ObjectRef>,
    /// Drops and adds that look like renames: the diff never guesses them.
    pub hints: Vec<RenameHint>,
    /// Columns `up` requires a value for that nothing gives existing rows (see `data.rs`).
    pub value_hints: Vec<ValueHint>,
    /// Objects of kinds autogen does not model that differ (set by whoever read the two
    /// schemas: the catalogs do not hold them). No plan includes them.
    pub unmanaged: Vec<UnmanagedDifference>,
    pub verification: Verification,
}

impl Migration {
    /// Nothing differs: no statement to plan and no unmanaged object that differs.
    pub fn is_empty(&self) -> bool {
        self.up.is_empty() && self.unmanaged.is_empty()
    }
}

/// The migration from `current` to `desired` with the renames of `intent` (the way back with
/// them reversed): each direction diffed once and planned once.
pub fn migration(
    current: &Catalog,
    desired: &Catalog,
    intent: &ModelIntent,
    options: &PlanOptions,
) -> Result<Migration, DiffError> {
    tracing::debug!("planning a migration (both directions)");
    let plan = |from: &Catalog, to: &Catalog, intent: &ModelIntent| -> Result<Plan, DiffError> {
        let changes = diff_renaming(from, to, intent)?;
        Ok(match &options.online {
            Some(online) => plan_online_changes(&changes, online),
            None => plan_changes(&changes),
        })
    };
    let up = plan(current, desired, intent)?;
    if up.is_empty() {
        return Ok(Migration {
            up,
            down: Ok(Plan::default()),
            touched_tables: BTreeSet::new(),
            touched_objects: BTreeSet::new(),
            hints: Vec::new(),
            value_hints: Vec::new(),
            unmanaged: Vec::new(),
            verification: Verification::Skipped,
        });
    }
    let down = plan(desired, current, &intent.reversed());
    let plans = || std::iter::once(&up).chain(down.as_ref().ok());
    let changes: Vec<_> = plans()
        .flat_map(|plan| plan.changes.iter().cloned())
        .collect();
    let touched_tables = crate::touched_tables(&changes, current, desired, []);
    Ok(Migration {
        hints: rename_hints(current, desired, intent),
        value_hints: crate::data::value_hints(&up.changes),
        up,
        down,
        touched_tables,
        touched_objects: crate::touched::touched_objects(&changes),
        unmanaged: Vec::new(),
        verification: Verification::Skipped,
    })
}
