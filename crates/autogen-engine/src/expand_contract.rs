//! `autogen revision --expand-contract`: the online plan split into an expand and a contract
//! migration (docs/expand-contract.md). The diff crate decides which statements are expand
//! (`autogen_diff::split_expand_contract`); here the expand statements are applied to a copy of
//! the current schema on the dev database, and what PostgreSQL makes of them is the
//! *intermediate* schema: the expand migration goes from the current schema to it (its down
//! planned back from it), the contract migration from it to the desired one. Each is verified
//! like any migration.

use crate::error::EngineError;
use crate::session::{PlanOptions, Session};
use crate::step::step;
use autogen_diff::{DeployPhase, Migration};
use autogen_introspect::Inspection;
use autogen_schema::ModelIntent;
use tracing::Instrument;

/// The migrations `revision --expand-contract` writes. One per command: boxing the larger
/// variant buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Deploy {
    /// One side is empty: one revision, of the side `phase` says (`None` when nothing
    /// changes). A revision holding only contract changes must still wait for the new code.
    Single {
        migration: Migration,
        phase: Option<DeployPhase>,
    },
    /// Two revisions, the contract one a child of the expand one.
    Split {
        expand: Migration,
        contract: Migration,
    },
}

impl Session {
    /// The expand/contract migrations from `current` to `desired` (online mode, with `how`'s
    /// online options or the defaults).
    pub async fn expand_contract(
        &self,
        current: &Inspection,
        desired: &Inspection,
        intent: &ModelIntent,
        how: &PlanOptions,
    ) -> Result<Deploy, EngineError> {
        let how = PlanOptions {
            online: Some(how.online.clone().unwrap_or_default()),
            verify: how.verify,
            current_chain: how.current_chain.clone(),
        };
        let options = autogen_diff::PlanOptions {
            online: how.online.clone(),
        };
        let whole = step("plan").in_scope(|| {
            autogen_diff::migration(&current.catalog, &desired.catalog, intent, &options)
        })?;
        let split = autogen_diff::split_expand_contract(&whole.up, &current.catalog);
        if !split.expands() || !split.contracts() {
            let phase = match (split.expands(), split.contracts()) {
                (true, _) => Some(DeployPhase::Expand),
                (false, true) => Some(DeployPhase::Contract),
                (false, false) => None,
            };
            return Ok(Deploy::Single {
                migration: self.migration(current, desired, intent, &how).await?,
                phase,
            });
        }
        let intermediate =
            crate::verify::applied(self.dev(), self.options(), &current.catalog, &split.expand)
                .instrument(step("expand/contract: apply the expand side to a copy"))
                .await;
        let intermediate = self.dev().attributed(intermediate).await?;
        // No column renames between the current and the intermediate schema: both names are
        // there. Renamed tables are renamed (a view holds the old name).
        let plain = ModelIntent {
            tables: intent.tables.clone(),
            backfills: intent.backfills.clone(),
            conversions: intent.conversions.clone(),
            ..ModelIntent::default()
        };
        let unverified = PlanOptions {
            verify: false,
            ..how.clone()
        };
        let mut expand = self
            .migration(current, &intermediate, &plain, &unverified)
            .await?;
        expand.up = split.expand;
        if let Ok(down) = &mut expand.down {
            autogen_diff::drop_stand_in_views_first(down);
        }
        expand.value_hints.clear();
        expand.hints.clear();
        if how.verify {
            let verified = crate::verify::verify(
                self.dev(),
                self.options(),
                &current.catalog,
                &intermediate.catalog,
                &expand,
                crate::verify::CurrentStart::Dump,
            )
            .await;
            expand.verification = self.dev().attributed(verified).await?;
        }
        let dual_writes = split.dual_writes.clone();
        // The intermediate schema is no chain's head.
        let from_intermediate = PlanOptions {
            current_chain: None,
            ..how.clone()
        };
        let mut contract = self
            .migration(&intermediate, desired, intent, &from_intermediate)
            .await?;
        if contract.up.is_empty() {
            return Ok(Deploy::Single {
                migration: expand,
                phase: Some(DeployPhase::Expand),
            });
        }
        // Its down adds a renamed column's old name back empty: the values are copied back so
        // that the expand side's down finds them (a schema no-op: the verification holds).
        if let Ok(down) = &mut contract.down {
            autogen_diff::refill_old_columns(down, &dual_writes);
        }
        // What the whole change needs to be told about: a drop and an add that look like a
        // rename land on different sides, where neither half looks like one.
        contract.value_hints = whole.value_hints;
        contract.hints = whole.hints;
        // The intermediate schema was re-created from the catalog, without the objects autogen
        // does not manage: those are compared between the two ends only.
        let unmanaged = self.unmanaged(current, desired);
        expand.unmanaged.clone_from(&unmanaged);
        contract.unmanaged = unmanaged;
        Ok(Deploy::Split { expand, contract })
    }
}
