//! Privileges held by roles other than the owner on tables (and their columns), sequences,
//! routines, schemas and types (enums, domains, composite and range types): `GRANT` what the
//! desired schema holds and the current does not, `REVOKE` the rest. A default taken away (a
//! routine's `EXECUTE` or a type's `USAGE` to PUBLIC, the `public` schema's `USAGE`) is a
//! revoke, given back a grant.

use crate::Hazard;
use crate::change::{Change, Phase};
use autogen_schema::{
    Catalog, DefaultObjectType, DefaultPrivileges, FunctionId, FunctionKind, Grant, QualifiedName,
    sql,
};
use serde::Serialize;

/// What a privilege is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "object", rename_all = "snake_case")]
pub enum PrivilegeTarget {
    Table {
        name: QualifiedName,
    },
    Sequence {
        name: QualifiedName,
    },
    Routine {
        kind: FunctionKind,
        id: FunctionId,
    },
    Schema {
        name: String,
    },
    /// An enum, domain, composite or range type.
    Type {
        name: QualifiedName,
    },
    /// `ALTER DEFAULT PRIVILEGES [FOR ROLE role] [IN SCHEMA schema] … ON kind`.
    Defaults {
        role: Option<String>,
        schema: Option<String>,
        object_type: DefaultObjectType,
    },
}

impl PrivilegeTarget {
    /// The statement that grants (`grant`) or revokes `privilege` on this.
    fn sql(&self, privilege: &Grant, grant: bool) -> String {
        let on = match self {
            PrivilegeTarget::Table { name } => sql::GrantOn::Table(name),
            PrivilegeTarget::Sequence { name } => sql::GrantOn::Sequence(name),
            PrivilegeTarget::Routine { kind, id } => sql::GrantOn::Function(*kind, id),
            PrivilegeTarget::Schema { name } => sql::GrantOn::Schema(name),
            PrivilegeTarget::Type { name } => sql::GrantOn::Type(name),
            PrivilegeTarget::Defaults {
                role,
                schema,
                object_type,
            } => {
                let defaults = DefaultPrivileges {
                    role: role.clone(),
                    schema: schema.clone(),
                    object_type: *object_type,
                    grants: Vec::new(),
                    revoked_defaults: Vec::new(),
                };
                return if grant {
                    sql::grant_default(&defaults, privilege)
                } else {
                    sql::revoke_default(&defaults, privilege)
                };
            }
        };
        if grant {
            sql::grant(on, privilege)
        } else {
            sql::revoke(on, privilege)
        }
    }

    fn describe(&self) -> String {
        match self {
            PrivilegeTarget::Table { name } => format!("table {name}"),
            PrivilegeTarget::Sequence { name } => format!("sequence {name}"),
            PrivilegeTarget::Routine { id, .. } => format!("routine {id}"),
            PrivilegeTarget::Schema { name } => format!("schema {name}"),
            PrivilegeTarget::Type { name } => format!("type {name}"),
            PrivilegeTarget::Defaults {
                role,
                schema,
                object_type,
            } => format!(
                "{} created{}{} (default privileges)",
                object_type.keyword().to_lowercase(),
                role.as_ref()
                    .map(|role| format!(" by {role}"))
                    .unwrap_or_default(),
                schema
                    .as_ref()
                    .map(|schema| format!(" in {schema}"))
                    .unwrap_or_default()
            ),
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
            PrivilegeChange::Grant { on, grant } => on.sql(grant, true),
            PrivilegeChange::Revoke { on, grant } => on.sql(grant, false),
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

/// The default privileges of both catalogs, matched by role, schema and kind of object.
pub(crate) fn diff_default_privileges(
    current: &Catalog,
    desired: &Catalog,
    changes: &mut Vec<Change>,
) {
    let key = |d: &DefaultPrivileges| (d.role.clone(), d.schema.clone(), d.object_type);
    let find = |catalog: &'_ Catalog, k: &(Option<String>, Option<String>, DefaultObjectType)| {
        catalog
            .default_privileges
            .iter()
            .find(|d| key(d) == *k)
            .map(|d| (d.grants.clone(), d.revoked_defaults.clone()))
            .unwrap_or_default()
    };
    let mut keys: Vec<_> = current
        .default_privileges
        .iter()
        .chain(&desired.default_privileges)
        .map(key)
        .collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        let (old_grants, old_revoked) = find(current, &k);
        let (new_grants, new_revoked) = find(desired, &k);
        let (role, schema, object_type) = k;
        changes.extend(self::changes(
            &PrivilegeTarget::Defaults {
                role,
                schema,
                object_type,
            },
            (&old_grants, &old_revoked),
            (&new_grants, &new_revoked),
        ));
    }
}
