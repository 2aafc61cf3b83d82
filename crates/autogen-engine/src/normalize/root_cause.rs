//! Which failure to report when a pass changes nothing. Several statements are usually still
//! failing then, most of them because of one another (a view over a table whose `CREATE
//! TABLE` failed, a function returning that table's rows, the table's indexes): the one worth
//! reporting is a failure no other failing statement explains.

use crate::declarations::{created_name, mentioned_names};

/// The index in `failing` (the statements' SQL in the order they ran) of the first statement
/// that mentions no name another failing statement would create; the first when each one does
/// (a cycle).
pub(super) fn root_cause(failing: &[&str]) -> usize {
    let created: Vec<Option<String>> = failing.iter().map(|sql| created_name(sql)).collect();
    failing
        .iter()
        .enumerate()
        .position(|(i, sql)| {
            let mentioned = mentioned_names(sql);
            !created.iter().enumerate().any(|(j, name)| {
                j != i && name.as_ref().is_some_and(|name| mentioned.contains(name))
            })
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_failure_no_other_failure_explains_is_reported() {
        // The model's check calls a misspelled function: the function over its rows and the
        // view over it fail because the table is missing.
        let failing = [
            "CREATE FUNCTION named(n text) RETURNS SETOF users LANGUAGE sql AS $$ SELECT 1 $$;",
            "CREATE TABLE \"public\".\"users\" (\n    \"email\" text,\n    CHECK (is_valid_mail(email))\n);",
            "CREATE VIEW active AS SELECT * FROM users;",
        ];
        assert_eq!(root_cause(&failing), 1);
        // The function's argument type is misspelled: the table fails because of it.
        let failing = [
            "CREATE FUNCTION is_valid(a email_adress) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;",
            "CREATE TABLE \"public\".\"users\" (\"email\" text, CHECK (is_valid(email)));",
        ];
        assert_eq!(root_cause(&failing), 0);
        // A cycle: the first.
        let failing = [
            "CREATE VIEW a AS SELECT * FROM b;",
            "CREATE VIEW b AS SELECT * FROM a;",
        ];
        assert_eq!(root_cause(&failing), 0);
    }
}
