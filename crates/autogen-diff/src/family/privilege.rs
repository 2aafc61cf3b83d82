//! Privileges held by roles other than the owner on tables (and their columns), sequences and
//! routines: `GRANT` what the desired schema holds and the current does not, `REVOKE` the rest.
//! A routine's default `EXECUTE` to PUBLIC taken away is a revoke, given back a grant.

use crate::Hazard;
use crate::change::{Change, Phase};
use autogen_schema::{FunctionId, FunctionKind, Grant, QualifiedName, sql};
use serde::Serialize;

/// What a privilege is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "object", rename_all = "snake_case")]
pub enum PrivilegeTarget {
    Table { name: QualifiedName },
    Sequence { name: QualifiedName },
    Routine { kind: FunctionKind, id: FunctionId },
}

impl PrivilegeTarget {
    fn on(&self) -> sql::GrantOn<'_> {
        match self {
            PrivilegeTarget::Table { name } => sql::GrantOn::Table(name),
            PrivilegeTarget::Sequence { name } => sql::GrantOn::Sequence(name),
            PrivilegeTarget::Routine { kind, id } => sql::GrantOn::Function(*kind, id),
        }
    }

    fn describe(&self) -> String {
        match self {
            PrivilegeTarget::Table { name } => format!("table {name}"),
            PrivilegeTarget::Sequence { name } => format!("sequence {name}"),
            PrivilegeTarget::Routine { id, .. } => format!("routine {id}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum PrivilegeChange {
    Grant { on: PrivilegeTarget, grant: Grant },
    Revoke { on: PrivilegeTarget, grant: Grant },
}

impl PrivilegeChange {
    pub(crate) fn phase(&self) -> Phase {
        Phase::Privilege
    }

    pub(crate) fn summary(&self) -> String {
        let (verb, on, grant) = match self {
            PrivilegeChange::Grant { on, grant } => ("grant", on, grant),
            PrivilegeChange::Revoke { on, grant } => ("revoke", on, grant),
        };
        let column = grant
            .column
            .as_ref()
            .map(|column| format!(" ({column})"))
            .unwrap_or_default();
        let direction = if verb == "grant" { "to" } else { "from" };
        format!(
            "{verb} {}{column} on {} {direction} {}",
            grant.privilege,
            on.describe(),
            grant.grantee
        )
    }

    /// A catalog update: no lock beyond an instant, nothing rewritten.
    pub(crate) fn render(&self) -> (String, Vec<Hazard>) {
        let sql = match self {
            PrivilegeChange::Grant { on, grant } => sql::grant(on.on(), grant),
            PrivilegeChange::Revoke { on, grant } => sql::revoke(on.on(), grant),
        };
        (sql, Vec::new())
    }
}

/// The changes that take `on`'s privileges from (`old_grants`, `old_revoked`) to
/// (`new_grants`, `new_revoked`): revokes first (a grant option taken away is a revoke of the
/// privilege and a grant without it), then grants.
pub(crate) fn changes(
    on: &PrivilegeTarget,
    (old_grants, old_revoked): (&[Grant], &[Grant]),
    (new_grants, new_revoked): (&[Grant], &[Grant]),
) -> Vec<Change> {
    let revoke = |grant: &Grant| {
        Change::Privilege(PrivilegeChange::Revoke {
            on: on.clone(),
            grant: grant.clone(),
        })
    };
    let grant = |grant: &Grant| {
        Change::Privilege(PrivilegeChange::Grant {
            on: on.clone(),
            grant: grant.clone(),
        })
    };
    let mut out: Vec<Change> = old_grants
        .iter()
        .filter(|g| !new_grants.contains(g))
        .map(revoke)
        .collect();
    out.extend(
        new_revoked
            .iter()
            .filter(|r| !old_revoked.contains(r))
            .map(revoke),
    );
    out.extend(
        old_revoked
            .iter()
            .filter(|r| !new_revoked.contains(r))
            .map(grant),
    );
    out.extend(
        new_grants
            .iter()
            .filter(|g| !old_grants.contains(g))
            .map(grant),
    );
    out
}
