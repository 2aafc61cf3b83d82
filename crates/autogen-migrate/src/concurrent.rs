//! Retrying a failed `CREATE INDEX CONCURRENTLY` cleanly.
//!
//! When a concurrent build fails (duplicate rows for a unique index, a lock or statement
//! timeout, a cancelled run), PostgreSQL leaves the index behind marked INVALID: it is not used
//! by queries but is still maintained by every write, and running the statement again fails
//! with "relation already exists". Before such a statement runs (in a `transaction:false`
//! section), the runner drops an invalid index of the same name on the same table
//! (`DROP INDEX CONCURRENTLY`), so a retry simply builds it again. A valid index is never
//! touched. The runner holds its advisory lock, so the invalid index is not another runner's
//! build in progress.

use crate::MigrateError;
use crate::connection::{Param, RunnerConnection, failure, text_column};
use autogen_sql::{Token, TokenKind};

/// The index name (as PostgreSQL stores it) and the table (as written) of a
/// `CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS] name ON [ONLY] table …` statement.
pub(crate) fn concurrent_index_target(sql: &str) -> Option<(String, String)> {
    let tokens: Vec<Token> = autogen_sql::lex(sql)
        .filter(|token| !token.is_trivia())
        .take(12)
        .collect();
    let mut at = 0;
    let keyword = |word: &str, at: &mut usize| -> bool {
        let found = tokens.get(*at).is_some_and(|token| token.is_keyword(word));
        if found {
            *at += 1;
        }
        found
    };
    if !keyword("create", &mut at) {
        return None;
    }
    keyword("unique", &mut at);
    if !(keyword("index", &mut at) && keyword("concurrently", &mut at)) {
        return None;
    }
    if keyword("if", &mut at) && !(keyword("not", &mut at) && keyword("exists", &mut at)) {
        return None;
    }
    let name = tokens.get(at)?.identifier()?.into_owned();
    at += 1;
    if !keyword("on", &mut at) {
        return None;
    }
    keyword("only", &mut at);
    let mut table = name_text(tokens.get(at)?)?;
    if let (Some(dot), Some(second)) = (tokens.get(at + 1), tokens.get(at + 2))
        && dot.kind == TokenKind::Dot
    {
        table = format!("{table}.{}", name_text(second)?);
    }
    Some((name, table))
}

/// An identifier token as SQL text `to_regclass` reads: unquoted as written (it folds the
/// case itself), otherwise double-quoted.
fn name_text(token: &Token) -> Option<String> {
    let name = token.identifier()?;
    Some(match token.kind {
        TokenKind::Identifier => token.text.to_owned(),
        _ => format!("\"{}\"", name.replace('"', "\"\"")),
    })
}

/// Drops the invalid index a failed build of `sql` left behind, if there is one; returns its
/// name.
pub(crate) async fn drop_invalid_index<C: RunnerConnection>(
    connection: &mut C,
    sql: &str,
) -> Result<Option<String>, MigrateError> {
    let Some((name, table)) = concurrent_index_target(sql) else {
        return Ok(None);
    };
    const LOOK: &str = "look for an invalid index left by a failed build";
    let rows = connection
        .query(
            &index_lookup("'%I.%I'", "$1::text", "$2::text", false),
            &[Param::Text(&table), Param::Text(&name)],
        )
        .await
        .map_err(failure::<C>(LOOK))?;
    let Some(row) = rows.into_iter().next() else {
        return Ok(None);
    };
    let qualified = text_column(&row, 0, LOOK)?;
    connection
        .simple_query(&format!("DROP INDEX CONCURRENTLY {qualified}"))
        .await
        .map_err(failure::<C>(
            "drop the invalid index left by a failed build",
        ))?;
    Ok(Some(qualified))
}

/// Whether the index a `CREATE INDEX CONCURRENTLY` statement builds exists and is valid (the
/// build finished).
pub(crate) async fn valid_index_exists<C: RunnerConnection>(
    connection: &mut C,
    sql: &str,
) -> Result<bool, MigrateError> {
    let Some((name, table)) = concurrent_index_target(sql) else {
        return Ok(false);
    };
    connection
        .query(
            &index_lookup("'%I.%I'", "$1::text", "$2::text", true),
            &[Param::Text(&table), Param::Text(&name)],
        )
        .await
        .map(|rows| !rows.is_empty())
        .map_err(failure::<C>("look for the index a concurrent build made"))
}

/// The query that finds the index named `name` (SQL text) on `table` (SQL text naming it as
/// written), valid or invalid as `valid` says, and selects `format(pattern, schema, index)`.
pub(crate) fn index_lookup(pattern: &str, table: &str, name: &str, valid: bool) -> String {
    let validity = if valid { "" } else { "NOT " };
    format!(
        "SELECT pg_catalog.format({pattern}, n.nspname, c.relname) \
         FROM pg_catalog.pg_index i \
         JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE i.indrelid = pg_catalog.to_regclass({table}) \
           AND c.relname = {name} AND {validity}i.indisvalid"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_builds_are_recognized() {
        assert_eq!(
            concurrent_index_target(
                "CREATE UNIQUE INDEX CONCURRENTLY \"Users_Email\" ON \"public\".\"users\" USING btree (email);"
            ),
            Some(("Users_Email".into(), "\"public\".\"users\"".into()))
        );
        assert_eq!(
            concurrent_index_target(
                "-- hazard: index-build\ncreate index concurrently if not exists Idx on only t (x)"
            ),
            Some(("idx".into(), "t".into()))
        );
        assert_eq!(
            concurrent_index_target("CREATE INDEX idx ON t (x);"),
            None,
            "not concurrent: it runs in a transaction and leaves nothing behind"
        );
        assert_eq!(
            concurrent_index_target("CREATE INDEX CONCURRENTLY ON t (x);"),
            None,
            "unnamed"
        );
    }

    #[test]
    fn names_fold_as_postgresql_folds_them_and_comments_nest() {
        // PostgreSQL folds only ASCII letters of unquoted names in UTF-8.
        assert_eq!(
            concurrent_index_target(
                "CREATE INDEX /* a /* nested */ comment */ CONCURRENTLY Ünï_Idx ON App.\"T\" (x)"
            ),
            Some(("Ünï_idx".into(), "App.\"T\"".into()))
        );
    }
}
