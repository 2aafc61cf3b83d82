//! Triggers: created, dropped, re-created when their definition changes (a drop and a create in
//! the same transaction, which works on every supported server and for constraint triggers),
//! and enabled or disabled in place.

use crate::Hazard;
use crate::change::Phase;
use autogen_schema::{QualifiedName, Trigger, TriggerEnabled, sql};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum TriggerChange {
    Create {
        trigger: Trigger,
    },
    Drop {
        table: QualifiedName,
        name: String,
    },
    /// `ALTER TABLE … ENABLE|DISABLE [REPLICA|ALWAYS] TRIGGER`.
    SetEnabled {
        table: QualifiedName,
        name: String,
        enabled: TriggerEnabled,
    },
}

impl TriggerChange {
    pub(crate) fn phase(&self) -> Phase {
        match self {
            TriggerChange::Drop { .. } => Phase::DropTrigger,
            TriggerChange::Create { .. } | TriggerChange::SetEnabled { .. } => {
                Phase::CreateLateObject
            }
        }
    }

    pub(crate) fn summary(&self) -> String {
        match self {
            TriggerChange::Create { trigger } => {
                format!("create trigger {} on {}", trigger.name, trigger.table)
            }
            TriggerChange::Drop { table, name } => format!("drop trigger {name} on {table}"),
            TriggerChange::SetEnabled {
                table,
                name,
                enabled,
            } => format!(
                "{} trigger {name} on {table}",
                enabled.action().to_lowercase().trim_end_matches(" trigger")
            ),
        }
    }

    pub(crate) fn render(&self) -> (String, Vec<Hazard>) {
        use Hazard::*;
        match self {
            // CREATE TRIGGER takes SHARE ROW EXCLUSIVE: writes wait, reads go on.
            TriggerChange::Create { trigger } => (
                format!("{};", trigger.definition.trim_end_matches(';')),
                vec![BehaviorChange],
            ),
            TriggerChange::Drop { table, name } => (
                sql::drop_trigger(table, name),
                vec![AccessExclusiveLock, BehaviorChange],
            ),
            TriggerChange::SetEnabled {
                table,
                name,
                enabled,
            } => {
                let trigger = Trigger {
                    table: table.clone(),
                    name: name.clone(),
                    definition: String::new(),
                    enabled: *enabled,
                    comment: None,
                };
                // SHARE ROW EXCLUSIVE, like CREATE TRIGGER.
                (sql::trigger_enabled(&trigger), vec![BehaviorChange])
            }
        }
    }
}
