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
        )
        .chain(catalog.schemas.iter().flat_map(|schema| &schema.grants))
        .chain(catalog.enums.iter().flat_map(|enum_type| &enum_type.grants))
        .chain(catalog.domains.iter().flat_map(|domain| &domain.grants))
        .chain(
            catalog
                .composite_types
                .iter()
                .flat_map(|composite| &composite.grants),
        )
        .chain(catalog.range_types.iter().flat_map(|range| &range.grants));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grantees_on_schemas_and_types_are_roles_the_dev_database_needs() {
        let catalog = autogen_schema::catalog_from_json(
            r#"{
              "schemas": [{"name": "app", "grants": [
                {"grantee": "schema_reader", "privilege": "USAGE"},
                {"grantee": "public", "privilege": "CREATE"}]}],
              "enums": [{"schema": "app", "name": "mood", "values": ["happy"],
                "grants": [{"grantee": "enum_user", "privilege": "USAGE"}],
                "revoked_defaults": [{"grantee": "public", "privilege": "USAGE"}]}],
              "domains": [{"schema": "app", "name": "cents", "data_type": "bigint",
                "grants": [{"grantee": "domain_user", "privilege": "USAGE"}]}],
              "composite_types": [{"schema": "app", "name": "pair", "attributes": [],
                "grants": [{"grantee": "composite_user", "privilege": "USAGE"}]}],
              "range_types": [{"schema": "app", "name": "span", "subtype": "bigint",
                "grants": [{"grantee": "range_user", "privilege": "USAGE",
                            "grantable": true}]}]
            }"#,
        )
        .expect("a valid catalog");
        assert_eq!(
            of_catalog(&catalog).into_iter().collect::<Vec<_>>(),
            [
                "composite_user",
                "domain_user",
                "enum_user",
                "range_user",
                "schema_reader"
            ]
        );
    }
}
