//! Row-level security policies: created, dropped, altered in place (`ALTER POLICY`: roles,
//! `USING`, `WITH CHECK`) and re-created when what `ALTER POLICY` cannot change differs (the
//! command, permissive or restrictive, an expression taken away).

use crate::Hazard;
use crate::change::Phase;
use autogen_schema::{Policy, QualifiedName, sql};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum PolicyChange {
    Create {
        policy: Policy,
    },
    Drop {
        table: QualifiedName,
        name: String,
    },
    /// `ALTER POLICY … TO … USING … WITH CHECK …`.
    Alter {
        policy: Policy,
    },
}

impl PolicyChange {
    pub(crate) fn phase(&self) -> Phase {
        match self {
            PolicyChange::Drop { .. } => Phase::DropTrigger,
            PolicyChange::Create { .. } | PolicyChange::Alter { .. } => Phase::CreateLateObject,
        }
    }

    pub(crate) fn summary(&self) -> String {
        match self {
            PolicyChange::Create { policy } => {
                format!("create policy {} on {}", policy.name, policy.table)
            }
            PolicyChange::Drop { table, name } => format!("drop policy {name} on {table}"),
            PolicyChange::Alter { policy } => {
                format!("alter policy {} on {}", policy.name, policy.table)
            }
        }
    }

    /// Every form takes an ACCESS EXCLUSIVE lock on the table, and changes which rows
    /// sessions see or may write from the moment it commits.
    pub(crate) fn render(&self) -> (String, Vec<Hazard>) {
        use Hazard::*;
        let sql = match self {
            PolicyChange::Create { policy } => sql::create_policy(policy),
            PolicyChange::Drop { table, name } => sql::drop_policy(table, name),
            PolicyChange::Alter { policy } => sql::alter_policy(policy),
        };
        (sql, vec![AccessExclusiveLock, BehaviorChange])
    }
}

/// Whether `old` becomes `new` only by a drop and a create: `ALTER POLICY` changes roles and
/// expressions, but not the command or the kind, and cannot take an expression away.
pub(crate) fn needs_recreate(old: &Policy, new: &Policy) -> bool {
    old.command != new.command
        || old.restrictive != new.restrictive
        || (old.using.is_some() && new.using.is_none())
        || (old.with_check.is_some() && new.with_check.is_none())
}

/// Whether `ALTER POLICY` has something to change.
pub(crate) fn needs_alter(old: &Policy, new: &Policy) -> bool {
    old.roles != new.roles || old.using != new.using || old.with_check != new.with_check
}
