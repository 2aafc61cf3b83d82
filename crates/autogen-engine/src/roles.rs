//! Roles on the dev database. A schema names roles (a policy's `TO`, a grant's grantee) that
//! belong to the server, not to the schema, so neither models nor revisions create them; the
//! dev server creates the ones it is about to need, `NOLOGIN`, so what names them runs there
//! as it will on the real server. Never used on a user's database.

use crate::EngineError;
use autogen_schema::Catalog;
use std::collections::BTreeSet;

/// The roles `catalog` names: its policies' roles and the grantees of its privileges.
pub(crate) fn of_catalog(catalog: &Catalog) -> BTreeSet<String> {
    let mut roles: BTreeSet<String> = catalog
        .policies
        .iter()
        .flat_map(|policy| policy.roles.iter())
        .filter(|role| *role != "public")
        .cloned()
        .collect();
    let grants = catalog
        .tables
        .iter()
        .flat_map(|table| &table.grants)
        .chain(
            catalog
                .sequences
                .iter()
                .flat_map(|sequence| &sequence.grants),
        )
        .chain(
            catalog
                .functions
                .iter()
                .flat_map(|function| function.grants.iter().chain(&function.revoked_defaults)),
        )
        .chain(
            catalog
                .default_privileges
                .iter()
                .flat_map(|defaults| defaults.grants.iter().chain(&defaults.revoked_defaults)),
        );
    roles.extend(
        catalog
            .default_privileges
            .iter()
            .filter_map(|defaults| defaults.role.clone()),
    );
    roles.extend(
        grants
            .filter(|grant| grant.grantee != "public")
            .map(|grant| grant.grantee.clone()),
    );
    for view in &catalog.views {
        for grant in &view.grants {
            roles.extend(autogen_migrate::roles_named(grant));
        }
    }
    roles
}

/// Creates the roles of `roles` the dev server does not have (`NOLOGIN`). Tests and commands
/// share one server, so a role created meanwhile by another session is not an error.
pub(crate) async fn ensure(
    client: &autogen_pg::Client,
    roles: BTreeSet<String>,
) -> Result<(), EngineError> {
    if roles.is_empty() {
        return Ok(());
    }
    let failed = |error: autogen_pg::tokio_postgres::Error| EngineError::DevRoles {
        roles: roles.iter().cloned().collect::<Vec<_>>().join(", "),
        detail: autogen_pg::error_text(&error),
    };
    let wanted: Vec<&str> = roles.iter().map(String::as_str).collect();
    let existing: BTreeSet<String> = client
        .query(
            "SELECT rolname::text FROM pg_catalog.pg_roles WHERE rolname = ANY($1::text[])",
            &[&wanted],
        )
        .await
        .map_err(failed)?
        .iter()
        .filter_map(|row| row.try_get::<_, String>(0).ok())
        .collect();
    for role in roles.iter().filter(|role| !existing.contains(*role)) {
        let create = format!(
            "DO $autogen$ BEGIN CREATE ROLE {} NOLOGIN; \
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $autogen$",
            autogen_schema::quote_ident(role)
        );
        client.batch_execute(&create).await.map_err(failed)?;
    }
    Ok(())
}
