//! Routine declarations run again as `CREATE OR REPLACE` (to check their bodies once
//! everything exists), with positions in the rewritten text mapped back to the file's.

use autogen_sql::Token;

/// A routine declaration rewritten as `CREATE OR REPLACE`, so it can be run again over the
/// routine it created (to check its body once everything exists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Replacement {
    pub sql: String,
    /// 0-based character index where ` OR REPLACE` was inserted, and how many characters it
    /// has (0 when the statement already said it).
    inserted_at: usize,
    inserted: usize,
}

impl Replacement {
    /// The 1-based character position in the declaration of the 1-based `position` in
    /// [`Replacement::sql`].
    pub fn original_position(&self, position: usize) -> usize {
        let index = position.saturating_sub(1);
        if index >= self.inserted_at + self.inserted {
            position - self.inserted
        } else if index >= self.inserted_at {
            // Inside the insertion: the character after CREATE.
            self.inserted_at + 1
        } else {
            position
        }
    }
}

/// `CREATE [OR REPLACE] FUNCTION|PROCEDURE …` as `CREATE OR REPLACE …`; `None` for any other
/// statement.
pub(crate) fn replaceable_routine(sql: &str) -> Option<Replacement> {
    let tokens: Vec<Token> = autogen_sql::lex(sql)
        .filter(|token| !token.is_trivia())
        .take(4)
        .collect();
    let is = |i: usize, keyword: &str| tokens.get(i).is_some_and(|token| token.is_keyword(keyword));
    let routine = |i: usize| is(i, "function") || is(i, "procedure");
    if !is(0, "create") {
        return None;
    }
    if is(1, "or") && is(2, "replace") && routine(3) {
        return Some(Replacement {
            sql: sql.to_string(),
            inserted_at: 0,
            inserted: 0,
        });
    }
    if !routine(1) {
        return None;
    }
    let create_end = tokens[0].end();
    const OR_REPLACE: &str = " OR REPLACE";
    Some(Replacement {
        sql: format!("{}{OR_REPLACE}{}", &sql[..create_end], &sql[create_end..]),
        inserted_at: sql[..create_end].chars().count(),
        inserted: OR_REPLACE.chars().count(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routines_are_rewritten_as_replacements_and_positions_map_back() {
        let sql = "create  function f() returns int language sql as 'select ü'";
        let replacement = replaceable_routine(sql).expect("a routine");
        assert_eq!(
            replacement.sql,
            "create OR REPLACE  function f() returns int language sql as 'select ü'"
        );
        let position_of =
            |text: &str, needle: &str| text[..text.find(needle).unwrap()].chars().count() + 1;
        assert_eq!(
            replacement.original_position(position_of(&replacement.sql, "'select")),
            position_of(sql, "'select")
        );
        assert_eq!(replacement.original_position(1), 1);
        assert_eq!(
            replacement.original_position(9),
            7,
            "inside the insertion: after CREATE"
        );
        let already = "CREATE OR REPLACE PROCEDURE p() LANGUAGE sql AS $$ $$";
        let replacement = replaceable_routine(already).expect("a routine");
        assert_eq!(replacement.sql, already);
        assert_eq!(replacement.original_position(20), 20);
        for other in [
            "CREATE VIEW v AS SELECT 1",
            "CREATE AGGREGATE a (int) (sfunc = int4pl, stype = int)",
            "ALTER FUNCTION f() STABLE",
            "COMMENT ON FUNCTION f() IS 'x'",
        ] {
            assert_eq!(replaceable_routine(other), None, "{other}");
        }
    }
}
