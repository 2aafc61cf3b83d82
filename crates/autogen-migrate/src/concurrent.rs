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

use tokio_postgres::Client;

use crate::MigrateError;
use crate::error::database;

/// The index name (as PostgreSQL stores it) and the table (as written) of a
/// `CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS] name ON [ONLY] table …` statement.
pub(crate) fn concurrent_index_target(sql: &str) -> Option<(String, String)> {
    let tokens = tokens(sql, 12);
    let mut at = 0;
    let keyword = |word: &str, at: &mut usize| -> bool {
        match tokens.get(*at) {
            Some(Token::Word(w)) if w.eq_ignore_ascii_case(word) => {
                *at += 1;
                true
            }
            _ => false,
        }
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
    let name = tokens.get(at)?.identifier()?;
    at += 1;
    if !keyword("on", &mut at) {
        return None;
    }
    keyword("only", &mut at);
    let mut table = tokens.get(at)?.text()?;
    if let (Some(Token::Dot), Some(second)) = (tokens.get(at + 1), tokens.get(at + 2)) {
        table = format!("{table}.{}", second.text()?);
    }
    Some((name, table))
}

/// Drops the invalid index a failed build of `sql` left behind, if there is one; returns its
/// name.
pub(crate) async fn drop_invalid_index(
    client: &Client,
    sql: &str,
) -> Result<Option<String>, MigrateError> {
    let Some((name, table)) = concurrent_index_target(sql) else {
        return Ok(None);
    };
    let row = client
        .query_opt(
            &index_lookup("'%I.%I'", "$1::text", "$2::text", false),
            &[&table, &name],
        )
        .await
        .map_err(database("look for an invalid index left by a failed build"))?;
    let Some(row) = row else {
        return Ok(None);
    };
    let qualified: String = row.get(0);
    client
        .batch_execute(&format!("DROP INDEX CONCURRENTLY {qualified}"))
        .await
        .map_err(database("drop the invalid index left by a failed build"))?;
    Ok(Some(qualified))
}

/// Whether the index a `CREATE INDEX CONCURRENTLY` statement builds exists and is valid (the
/// build finished).
pub(crate) async fn valid_index_exists(client: &Client, sql: &str) -> Result<bool, MigrateError> {
    let Some((name, table)) = concurrent_index_target(sql) else {
        return Ok(false);
    };
    client
        .query_opt(
            &index_lookup("'%I.%I'", "$1::text", "$2::text", true),
            &[&table, &name],
        )
        .await
        .map(|row| row.is_some())
        .map_err(database("look for the index a concurrent build made"))
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

#[derive(Debug, PartialEq)]
enum Token {
    Word(String),
    Quoted(String),
    Dot,
    Other,
}

impl Token {
    /// The identifier PostgreSQL stores: unquoted words fold to lower case.
    fn identifier(&self) -> Option<String> {
        match self {
            Token::Word(word) => Some(word.to_lowercase()),
            Token::Quoted(name) => Some(name.clone()),
            _ => None,
        }
    }

    /// The identifier as SQL text (for `to_regclass`).
    fn text(&self) -> Option<String> {
        match self {
            Token::Word(word) => Some(word.clone()),
            Token::Quoted(name) => Some(format!("\"{}\"", name.replace('"', "\"\""))),
            _ => None,
        }
    }
}

/// The first `limit` tokens of `sql`, comments skipped.
fn tokens(sql: &str, limit: usize) -> Vec<Token> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() && out.len() < limit {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            i += 2;
        } else if c == '"' {
            let mut name = String::new();
            i += 1;
            while i < chars.len() {
                if chars[i] == '"' {
                    if chars.get(i + 1) == Some(&'"') {
                        name.push('"');
                        i += 2;
                        continue;
                    }
                    break;
                }
                name.push(chars[i]);
                i += 1;
            }
            i += 1;
            out.push(Token::Quoted(name));
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            out.push(Token::Word(chars[start..i].iter().collect()));
        } else {
            out.push(if c == '.' { Token::Dot } else { Token::Other });
            i += 1;
        }
    }
    out
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
}
