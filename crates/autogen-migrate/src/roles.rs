//! The roles SQL text names as grantees, policy roles, owners and authorizations. Roles belong
//! to the whole server, so no revision creates them: the dev database creates the ones a
//! schema names (so normalization and verification can run it), and `upgrade` checks that
//! the target server has them before running anything.
//!
//! Read from `autogen_sql` tokens: the role lists after `TO` in `GRANT` and
//! `CREATE`/`ALTER POLICY`, after `FROM` in `REVOKE`, after `FOR ROLE`/`FOR USER` in
//! `ALTER DEFAULT PRIVILEGES`, after `OWNER TO` and `AUTHORIZATION`. `PUBLIC`, `CURRENT_USER`,
//! `CURRENT_ROLE` and `SESSION_USER` are not role names.

use autogen_sql::{Token, TokenKind};
use std::collections::BTreeSet;

/// The role names (as PostgreSQL folds them) that `sql` refers to, sorted.
pub fn roles_named(sql: &str) -> BTreeSet<String> {
    let mut roles = BTreeSet::new();
    let tokens: Vec<Token> = autogen_sql::lex_psql(sql)
        .filter(|token| !token.is_trivia())
        .collect();
    for statement in tokens.split(|token| token.kind == TokenKind::Semicolon) {
        statement_roles(statement, &mut roles);
    }
    roles
}

/// The roles `sql` itself creates (`CREATE ROLE|USER|GROUP name`): a hand-written revision
/// may, and those must not be created beforehand nor reported missing.
pub fn roles_created(sql: &str) -> BTreeSet<String> {
    let tokens: Vec<Token> = autogen_sql::lex_psql(sql)
        .filter(|token| !token.is_trivia())
        .collect();
    tokens
        .split(|token| token.kind == TokenKind::Semicolon)
        .filter(|statement| {
            statement.first().is_some_and(|t| t.is_keyword("create"))
                && statement.get(1).is_some_and(|t| {
                    t.is_keyword("role") || t.is_keyword("user") || t.is_keyword("group")
                })
                && !statement.get(2).is_some_and(|t| t.is_keyword("mapping"))
        })
        .filter_map(|statement| statement.get(2)?.identifier())
        .map(|name| name.into_owned())
        .collect()
}

/// The roles the SQL of `sections` names but does not create itself: what must exist before
/// it runs.
pub fn roles_needed<'a>(sections: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    let mut created = BTreeSet::new();
    for sql in sections {
        named.extend(roles_named(sql));
        created.extend(roles_created(sql));
    }
    named.difference(&created).cloned().collect()
}

fn statement_roles(tokens: &[Token], roles: &mut BTreeSet<String>) {
    let keyword = |i: usize, word: &str| tokens.get(i).is_some_and(|t| t.is_keyword(word));
    let policy = (keyword(0, "create") || keyword(0, "alter")) && keyword(1, "policy");
    let default_privileges = keyword(0, "alter") && keyword(1, "default");
    let grant = keyword(0, "grant");
    let revoke = keyword(0, "revoke");
    for i in 0..tokens.len() {
        let list_after = if keyword(i, "owner") && keyword(i + 1, "to") {
            Some(i + 2)
        } else if keyword(i, "authorization") {
            Some(i + 1)
        } else if default_privileges
            && keyword(i, "for")
            && (keyword(i + 1, "role") || keyword(i + 1, "user"))
        {
            Some(i + 2)
        } else if ((policy || grant || default_privileges) && keyword(i, "to"))
            || ((revoke || default_privileges) && keyword(i, "from"))
        {
            Some(i + 1)
        } else {
            None
        };
        if let Some(start) = list_after {
            role_list(&tokens[start.min(tokens.len())..], roles);
        }
    }
}

/// `[GROUP] role [, [GROUP] role …]` at the start of `tokens`.
fn role_list(tokens: &[Token], roles: &mut BTreeSet<String>) {
    let mut expect_role = true;
    for token in tokens {
        match token.kind {
            TokenKind::Comma if !expect_role => expect_role = true,
            TokenKind::Identifier if expect_role && token.is_keyword("group") => {}
            TokenKind::Identifier | TokenKind::QuotedIdentifier | TokenKind::UnicodeIdentifier
                if expect_role =>
            {
                if let Some(name) = token.identifier() {
                    let special = token.kind == TokenKind::Identifier
                        && ["public", "current_user", "current_role", "session_user"]
                            .contains(&name.as_ref());
                    if !special {
                        roles.insert(name.into_owned());
                    }
                }
                expect_role = false;
            }
            _ => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(sql: &str) -> Vec<String> {
        roles_named(sql).into_iter().collect()
    }

    #[test]
    fn grantees_policy_roles_owners_and_authorizations_are_found() {
        assert_eq!(
            names(
                "GRANT SELECT, UPDATE (a) ON TABLE t TO app_reader, GROUP \"Ops Team\" WITH GRANT OPTION;\n\
                 REVOKE ALL ON FUNCTION f(int) FROM PUBLIC, auditor CASCADE;\n\
                 CREATE POLICY p ON t AS RESTRICTIVE FOR SELECT TO tenant, CURRENT_USER USING (true);\n\
                 ALTER POLICY p ON t TO Tenant2 WITH CHECK (a > 0);\n\
                 ALTER DEFAULT PRIVILEGES FOR ROLE migrator IN SCHEMA s GRANT SELECT ON TABLES TO reporting;\n\
                 ALTER TABLE t OWNER TO owner_role;\n\
                 CREATE SCHEMA app AUTHORIZATION app_owner;"
            ),
            [
                "Ops Team",
                "app_owner",
                "app_reader",
                "auditor",
                "migrator",
                "owner_role",
                "reporting",
                "tenant",
                "tenant2",
            ]
        );
    }

    #[test]
    fn grantees_on_schemas_and_types_are_found() {
        assert_eq!(
            names(
                "GRANT USAGE, CREATE ON SCHEMA app TO schema_user WITH GRANT OPTION;\n\
                 GRANT USAGE ON TYPE app.mood TO type_user;\n\
                 REVOKE USAGE ON TYPE app.mood FROM PUBLIC;\n\
                 REVOKE CREATE ON SCHEMA app FROM former_user;"
            ),
            ["former_user", "schema_user", "type_user"]
        );
    }

    #[test]
    fn roles_a_revision_creates_are_not_needed_beforehand() {
        let sql = "CREATE ROLE reporting NOLOGIN; CREATE USER MAPPING FOR app SERVER s; \
                   GRANT SELECT ON t TO reporting, auditor;";
        // (`CREATE USER MAPPING` creates no role.)
        assert_eq!(
            roles_needed([sql]).into_iter().collect::<Vec<_>>(),
            ["auditor"]
        );
    }

    #[test]
    fn words_that_are_not_role_lists_are_left_alone() {
        assert!(
            names("SELECT a FROM t; INSERT INTO t VALUES (1); UPDATE t SET a = 1 FROM u;")
                .is_empty()
        );
        assert!(names("CREATE POLICY p ON t TO PUBLIC USING (owner = current_user);").is_empty());
        // A policy's expression reading a table is not a role list.
        assert!(names("CREATE POLICY p ON t USING (EXISTS (SELECT 1 FROM members m));").is_empty());
    }
}
