//! Batched statements: `-- batch:` above a DML statement of a `transaction:false` section.
//!
//! ```sql
//! -- migrate:up transaction:false
//! -- batch: pause=100ms lock_timeout=2s statement_timeout=30s
//! UPDATE t SET c = 0 WHERE ctid = ANY (ARRAY(SELECT ctid FROM t WHERE c IS NULL LIMIT 10000));
//! ```
//!
//! The runner executes such a statement again and again, each execution in its own transaction
//! together with the section's progress row (statements done, batches and rows of this one), until
//! one execution changes no row. The statement bounds each batch itself (a `LIMIT` in a subquery)
//! and must stop matching the rows it changed: running it again is then both how it continues
//! and how a killed or failed run resumes. Options: `pause` (sleep between batches),
//! `lock_timeout` and `statement_timeout` (`SET LOCAL` in every batch's transaction); a duration
//! is an integer with `ms`, `s` or `min`.
//!
//! This module reads the directive (`parse_batch_directive`), finds which statement each one
//! belongs to (`attach`, for `split_statements`; `check_section`, for the strict file parser)
//! and runs the batches (`run_batches`, for the runner).

use std::time::{Duration, Instant};

use crate::connection::{RunnerConnection, rollback};
use crate::error::{Direction, ParseProblem};
use crate::progress;
use crate::split::Statement;
use autogen_sql::{Token, TokenKind};

/// The options of a `-- batch:` directive.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchOptions {
    /// Sleep between two batches (after a batch commits); none by default.
    pub pause: Option<Duration>,
    /// `SET LOCAL lock_timeout` in every batch's transaction.
    pub lock_timeout: Option<Duration>,
    /// `SET LOCAL statement_timeout` in every batch's transaction.
    pub statement_timeout: Option<Duration>,
}

impl BatchOptions {
    /// The directive line for these options, as [`parse_batch_directive`] reads it back:
    /// `-- batch:` then the options that are set, each duration in the largest unit that
    /// states it exactly (`-- batch: pause=100ms lock_timeout=2s`).
    pub fn directive(&self) -> String {
        let mut line = "-- batch:".to_owned();
        for (name, value) in [
            ("pause", self.pause),
            ("lock_timeout", self.lock_timeout),
            ("statement_timeout", self.statement_timeout),
        ] {
            if let Some(value) = value {
                line.push_str(&format!(" {name}={}", duration_text(value)));
            }
        }
        line
    }

    /// The `SET LOCAL` statements each batch's transaction starts with.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        [
            ("lock_timeout", self.lock_timeout),
            ("statement_timeout", self.statement_timeout),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.map(|value| (name, format!("{}ms", value.as_millis()))))
        .collect()
    }
}

/// `Some` when `line` is a `-- batch:` directive (`--`, optional spaces, `batch:`), with its
/// options or what is wrong with them; `None` for any other line.
pub fn parse_batch_directive(line: &str) -> Option<Result<BatchOptions, ParseProblem>> {
    let rest = line
        .trim_start()
        .strip_prefix("--")?
        .trim_start()
        .strip_prefix("batch:")?;
    Some(parse_options(rest))
}

fn parse_options(text: &str) -> Result<BatchOptions, ParseProblem> {
    let mut options = BatchOptions::default();
    for option in text.split_whitespace() {
        let Some((key, value)) = option.split_once('=') else {
            return Err(ParseProblem::BatchOptionSyntax(option.to_owned()));
        };
        let slot = match key {
            "pause" => &mut options.pause,
            "lock_timeout" => &mut options.lock_timeout,
            "statement_timeout" => &mut options.statement_timeout,
            _ => return Err(ParseProblem::UnknownBatchOption(key.to_owned())),
        };
        if slot.is_some() {
            return Err(ParseProblem::DuplicateBatchOption(key.to_owned()));
        }
        *slot = Some(
            parse_duration(value).ok_or_else(|| ParseProblem::BadBatchDuration {
                option: key.to_owned(),
                value: value.to_owned(),
            })?,
        );
    }
    Ok(options)
}

/// A duration as the directive writes it: `1min`, `2s` or `100ms` (sub-millisecond parts,
/// which the directive cannot state, are dropped).
fn duration_text(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis > 0 && millis.is_multiple_of(60_000) {
        format!("{}min", millis / 60_000)
    } else if millis.is_multiple_of(1000) {
        format!("{}s", millis / 1000)
    } else {
        format!("{millis}ms")
    }
}

/// `100ms`, `2s`, `1min`.
fn parse_duration(text: &str) -> Option<Duration> {
    let digits = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(digits);
    let number: u64 = number.parse().ok()?;
    match unit {
        "ms" => Some(Duration::from_millis(number)),
        "s" => Some(Duration::from_secs(number)),
        "min" => number.checked_mul(60).map(Duration::from_secs),
        _ => None,
    }
}

/// 1-based section line of the last line of `statement`.
fn end_line(statement: &Statement) -> usize {
    statement.line + statement.sql.matches('\n').count()
}

/// The 1-based section lines of the comment lines directly above each statement (between it and
/// the end of the statement before, stopping at a blank or other line), outermost last.
fn comment_lines_above<'s>(
    lines: &'s [&'s str],
    statements: &[Statement],
    index: usize,
) -> impl Iterator<Item = (usize, &'s str)> + 's {
    let previous_end = index
        .checked_sub(1)
        .and_then(|previous| statements.get(previous))
        .map_or(0, end_line);
    let start = statements.get(index).map_or(1, |s| s.line);
    (previous_end + 1..start)
        .rev()
        .map(move |line| (line, lines.get(line - 1).copied().unwrap_or("")))
        .take_while(|(_, text)| text.trim_start().starts_with("--"))
}

/// Sets `batch` of each batchable statement that has a valid directive among the comment lines
/// directly above it. (Invalid directives are the strict parser's business: `check_section`.)
pub(crate) fn attach(sql: &str, statements: &mut [Statement]) {
    let lines: Vec<&str> = sql.lines().collect();
    for index in 0..statements.len() {
        let batch = comment_lines_above(&lines, statements, index)
            .find_map(|(_, text)| parse_batch_directive(text))
            .and_then(Result::ok)
            .filter(|_| is_batchable(&statements[index].sql));
        statements[index].batch = batch;
    }
}

/// Every `-- batch:` line of a section that is not inside a statement (inside one it is the
/// statement's text: a comment in it, or a line of a string or body) must be valid, belong to a
/// DML statement right below it and stand in a `transaction:false` section. Returns the problem
/// and its 1-based section line.
pub(crate) fn check_section(
    sql: &str,
    transactional: bool,
    statements: &[Statement],
) -> Result<(), (usize, ParseProblem)> {
    let lines: Vec<&str> = sql.lines().collect();
    let inside_statement = |line: usize| {
        statements
            .iter()
            .any(|s| s.line <= line && line <= end_line(s))
    };
    // Directive line -> the statement it belongs to.
    let mut attached: Vec<(usize, usize)> = Vec::new();
    for index in 0..statements.len() {
        let mut directives: Vec<usize> = comment_lines_above(&lines, statements, index)
            .filter(|(_, text)| parse_batch_directive(text).is_some())
            .map(|(line, _)| line)
            .collect();
        directives.sort_unstable();
        attached.extend(directives.iter().map(|&line| (line, index)));
    }
    let mut seen_for: Vec<usize> = Vec::new();
    for (index, text) in lines.iter().enumerate() {
        let line = index + 1;
        let Some(options) = parse_batch_directive(text) else {
            continue;
        };
        if inside_statement(line) {
            continue;
        }
        options.map_err(|problem| (line, problem))?;
        if transactional {
            return Err((line, ParseProblem::BatchInTransaction));
        }
        let Some(&(_, statement)) = attached.iter().find(|(at, _)| *at == line) else {
            return Err((line, ParseProblem::BatchWithoutStatement));
        };
        if seen_for.contains(&statement) {
            return Err((line, ParseProblem::DuplicateBatchDirective));
        }
        seen_for.push(statement);
        if !is_batchable(&statements[statement].sql) {
            return Err((line, ParseProblem::BatchNotDml));
        }
    }
    Ok(())
}

/// Whether `sql` is one statement whose execution reports the rows it changed: `UPDATE`,
/// `DELETE`, `MERGE` or `INSERT … SELECT`, possibly after a `WITH` clause.
pub fn is_batchable(sql: &str) -> bool {
    let tokens: Vec<Token> = autogen_sql::lex(sql)
        .filter(|token| !token.is_trivia())
        .collect();
    let mut depth = 0usize;
    let mut verb = None;
    let mut selects = false;
    for (at, token) in tokens.iter().enumerate() {
        match token.kind {
            TokenKind::OpenParen => depth += 1,
            TokenKind::CloseParen => depth = depth.saturating_sub(1),
            // A second statement.
            TokenKind::Semicolon if at + 1 < tokens.len() => return false,
            TokenKind::Identifier => {
                let word = token.text.to_ascii_lowercase();
                if word == "select" {
                    selects = true;
                }
                if verb.is_none()
                    && depth == 0
                    && matches!(
                        word.as_str(),
                        "select" | "insert" | "update" | "delete" | "merge" | "values"
                    )
                {
                    verb = Some(word);
                }
            }
            _ => {}
        }
    }
    if !tokens.first().is_some_and(|first| {
        ["with", "insert", "update", "delete", "merge"]
            .iter()
            .any(|word| first.is_keyword(word))
    }) {
        return false;
    }
    match verb.as_deref() {
        Some("update" | "delete" | "merge") => true,
        Some("insert") => selects,
        _ => false,
    }
}

/// Counters of a batched statement, kept in the progress row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct BatchCount {
    /// Executions that changed rows.
    pub batches: u64,
    /// Rows they changed.
    pub rows: u64,
}

/// What `run_batches` reports after each batch: the totals (an earlier run's included) and the
/// time this run has spent on the statement.
pub(crate) type OnBatch<'a> = dyn FnMut(BatchCount, Duration) + Send + 'a;

/// Where a batched statement's progress goes: the section's progress row, which says
/// `statements_before` statements (hashing `hash_before`) are done while batches run, and
/// `statements_before + 1` (`hash_after`) once the statement is.
pub(crate) struct ProgressRow<'a> {
    pub revision: &'a str,
    pub direction: Direction,
    pub statements_before: usize,
    pub hash_before: &'a str,
    pub hash_after: &'a str,
}

/// Runs `statement` batch after batch from `count` (what an earlier run did), each batch in its
/// own transaction together with its progress row, until an execution changes no row; returns
/// the totals. The error is PostgreSQL's message.
pub(crate) async fn run_batches<C: RunnerConnection>(
    connection: &mut C,
    statement: &Statement,
    options: &BatchOptions,
    mut count: BatchCount,
    row: &ProgressRow<'_>,
    on_batch: &mut OnBatch<'_>,
) -> Result<BatchCount, String> {
    let started = Instant::now();
    let settings: String = options
        .settings()
        .into_iter()
        .map(|(name, value)| format!("SET LOCAL {name} = '{value}';"))
        .collect();
    loop {
        connection
            .simple_query("BEGIN")
            .await
            .map_err(|e| C::error_text(&e))?;
        let changed = async {
            if !settings.is_empty() {
                connection.simple_query(&settings).await?;
            }
            connection.execute(statement.sql.as_str(), &[]).await
        }
        .await;
        let changed = match changed {
            Ok(changed) => changed,
            Err(error) => {
                rollback(connection).await;
                return Err(C::error_text(&error));
            }
        };
        // The execution that changes nothing ends the statement; it is not counted as a batch.
        let finished = changed == 0;
        let saved = if finished {
            progress::save(
                connection,
                row.revision,
                row.direction,
                row.statements_before + 1,
                row.hash_after,
            )
            .await
        } else {
            count.batches += 1;
            count.rows += changed;
            progress::save_batches(
                connection,
                row.revision,
                row.direction,
                row.statements_before,
                row.hash_before,
                count,
            )
            .await
        };
        if let Err(error) = saved {
            rollback(connection).await;
            return Err(error.to_string());
        }
        connection
            .simple_query("COMMIT")
            .await
            .map_err(|e| C::error_text(&e))?;
        if finished {
            return Ok(count);
        }
        on_batch(count, started.elapsed());
        if let Some(pause) = options.pause {
            tokio::time::sleep(pause).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_and_their_options() {
        assert_eq!(
            parse_batch_directive("-- batch:"),
            Some(Ok(BatchOptions::default()))
        );
        assert_eq!(
            parse_batch_directive("  --batch: pause=100ms lock_timeout=2s statement_timeout=1min"),
            Some(Ok(BatchOptions {
                pause: Some(Duration::from_millis(100)),
                lock_timeout: Some(Duration::from_secs(2)),
                statement_timeout: Some(Duration::from_secs(60)),
            }))
        );
        assert_eq!(parse_batch_directive("-- batching is good"), None);
        assert_eq!(parse_batch_directive("-- hazard: none"), None);
        assert_eq!(
            parse_batch_directive("-- batch: size=10"),
            Some(Err(ParseProblem::UnknownBatchOption("size".into())))
        );
        assert_eq!(
            parse_batch_directive("-- batch: pause=2h"),
            Some(Err(ParseProblem::BadBatchDuration {
                option: "pause".into(),
                value: "2h".into()
            }))
        );
        assert_eq!(
            parse_batch_directive("-- batch: pause"),
            Some(Err(ParseProblem::BatchOptionSyntax("pause".into())))
        );
    }

    #[test]
    fn directives_render_and_read_back() {
        let options = BatchOptions {
            pause: Some(Duration::from_millis(1500)),
            lock_timeout: Some(Duration::from_secs(2)),
            statement_timeout: Some(Duration::from_secs(120)),
        };
        assert_eq!(
            options.directive(),
            "-- batch: pause=1500ms lock_timeout=2s statement_timeout=2min"
        );
        assert_eq!(
            parse_batch_directive(&options.directive()),
            Some(Ok(options))
        );
        assert_eq!(BatchOptions::default().directive(), "-- batch:");
    }

    #[test]
    fn only_dml_that_counts_rows_is_batchable() {
        assert!(is_batchable("UPDATE t SET a = 1 WHERE a IS NULL;"));
        assert!(is_batchable(
            "delete from t where id in (select id from t limit 10)"
        ));
        assert!(is_batchable("INSERT INTO a SELECT * FROM b LIMIT 10"));
        assert!(is_batchable(
            "WITH b AS (SELECT id FROM t LIMIT 10) UPDATE t SET a = 1 FROM b WHERE t.id = b.id"
        ));
        assert!(is_batchable(
            "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE"
        ));
        assert!(!is_batchable("INSERT INTO a VALUES (1)"));
        assert!(!is_batchable(
            "WITH d AS (DELETE FROM t RETURNING *) SELECT count(*) FROM d"
        ));
        assert!(!is_batchable("SELECT 1"));
        assert!(!is_batchable("ALTER TABLE t ADD COLUMN a int"));
        assert!(!is_batchable("UPDATE t SET a = 1; UPDATE t SET b = 1"));
    }
}
