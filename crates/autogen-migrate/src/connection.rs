//! What the runner needs from a database connection, as one small trait, so the same runner
//! (lock, tracking table, checksums, `transaction:false` resume, batches) works on a
//! tokio-postgres [`Client`] and, with the `sqlx` feature, on a `sqlx::PgConnection`
//! (`sqlx_connection.rs`).
//!
//! Only three calls: a statement text on the simple-query protocol (several statements, no
//! parameters: how revision SQL runs), one statement with parameters returning the number of
//! rows it changed, and a query returning rows whose columns the SQL casts to `text`. Parameters
//! are cast in the SQL too (`$1::text`, `$2::bigint`), so both drivers send the same types.
//! Transactions are `BEGIN`/`COMMIT`/`ROLLBACK` statements: one code path for every driver.

use std::future::Future;

use tokio_postgres::Client;
use tokio_postgres::types::ToSql;

use crate::MigrateError;

/// A parameter of [`RunnerConnection::execute`] and [`RunnerConnection::query`]; the SQL casts
/// it (`$n::text`, `$n::bigint`, `$n::text[]`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Param<'a> {
    Text(&'a str),
    Int(i64),
    TextList(&'a [&'a str]),
}

/// One row of [`RunnerConnection::query`]: each column as text, `None` for NULL.
pub(crate) type TextRow = Vec<Option<String>>;

/// A connection the runner can work on. The runner holds it for the whole run, since the
/// advisory lock and the progress of a `transaction:false` section belong to its session.
pub(crate) trait RunnerConnection: Send {
    type Error: std::error::Error + Send + Sync + 'static;

    /// Runs `sql` (one or several statements) on the simple-query protocol.
    fn simple_query(&mut self, sql: &str) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// Runs one statement with parameters; the number of rows it changed.
    fn execute(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
    ) -> impl Future<Output = Result<u64, Self::Error>> + Send;

    /// Runs one query with parameters; its rows, every column of which is `text`.
    fn query(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
    ) -> impl Future<Output = Result<Vec<TextRow>, Self::Error>> + Send;

    /// PostgreSQL's message with detail and hint, on one line.
    fn error_text(error: &Self::Error) -> String;

    /// The SQLSTATE of an error the server sent.
    fn sqlstate(error: &Self::Error) -> Option<&str>;
}

/// Wraps a driver error with what was being done.
pub(crate) fn failure<C: RunnerConnection>(
    action: &'static str,
) -> impl FnOnce(C::Error) -> MigrateError {
    move |source| MigrateError::Database {
        action,
        message: C::error_text(&source),
        source: Box::new(source),
    }
}

pub(crate) async fn begin<C: RunnerConnection>(connection: &mut C) -> Result<(), MigrateError> {
    connection
        .simple_query("BEGIN")
        .await
        .map_err(failure::<C>("begin a transaction"))
}

pub(crate) async fn commit<C: RunnerConnection>(
    connection: &mut C,
    action: &'static str,
) -> Result<(), MigrateError> {
    connection
        .simple_query("COMMIT")
        .await
        .map_err(failure::<C>(action))
}

/// Rolls back after a failure. The failure is the error to report; a rollback that fails means
/// the connection is gone, which ends the transaction as well.
pub(crate) async fn rollback<C: RunnerConnection>(connection: &mut C) {
    let _ = connection.simple_query("ROLLBACK").await;
}

/// The single row of a query that returns one, or an error naming `action`.
pub(crate) fn one_row(rows: Vec<TextRow>, action: &'static str) -> Result<TextRow, MigrateError> {
    let count = rows.len();
    rows.into_iter()
        .next()
        .filter(|_| count == 1)
        .ok_or_else(|| unexpected(action, format!("{count} rows where one was expected")))
}

/// Column `index` of `row`, as text (NULL is an error).
pub(crate) fn text_column(
    row: &TextRow,
    index: usize,
    action: &'static str,
) -> Result<String, MigrateError> {
    row.get(index)
        .cloned()
        .flatten()
        .ok_or_else(|| unexpected(action, format!("column {} is NULL or missing", index + 1)))
}

/// Column `index` of `row`, an integer.
pub(crate) fn int_column(
    row: &TextRow,
    index: usize,
    action: &'static str,
) -> Result<i64, MigrateError> {
    let text = text_column(row, index, action)?;
    text.parse().map_err(|_| {
        unexpected(
            action,
            format!("column {} is {text:?}, not an integer", index + 1),
        )
    })
}

/// Column `index` of `row`, a boolean (`true`/`false` as `text` renders them).
pub(crate) fn bool_column(
    row: &TextRow,
    index: usize,
    action: &'static str,
) -> Result<bool, MigrateError> {
    match text_column(row, index, action)?.as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(unexpected(
            action,
            format!("column {} is {other:?}, not a boolean", index + 1),
        )),
    }
}

/// A result the runner's own SQL cannot give (a sign of a changed server or a bug).
#[derive(Debug, thiserror::Error)]
#[error("unexpected result: {0}")]
pub(crate) struct UnexpectedResult(String);

fn unexpected(action: &'static str, what: String) -> MigrateError {
    let error = UnexpectedResult(what);
    MigrateError::Database {
        action,
        message: error.to_string(),
        source: Box::new(error),
    }
}

/// The tokio-postgres [`Client`] (a shared reference: its calls need no more).
impl RunnerConnection for &Client {
    type Error = tokio_postgres::Error;

    async fn simple_query(&mut self, sql: &str) -> Result<(), Self::Error> {
        Client::batch_execute(self, sql).await
    }

    async fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, Self::Error> {
        Client::execute(self, sql, &tokio_params(params)).await
    }

    async fn query(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Vec<TextRow>, Self::Error> {
        Client::query(self, sql, &tokio_params(params))
            .await?
            .iter()
            .map(|row| {
                (0..row.len())
                    .map(|index| row.try_get::<_, Option<String>>(index))
                    .collect()
            })
            .collect()
    }

    fn error_text(error: &Self::Error) -> String {
        autogen_pg::error_text(error)
    }

    fn sqlstate(error: &Self::Error) -> Option<&str> {
        error.code().map(|code| code.code())
    }
}

fn tokio_params<'p>(params: &'p [Param<'_>]) -> Vec<&'p (dyn ToSql + Sync)> {
    params
        .iter()
        .map(|param| -> &(dyn ToSql + Sync) {
            match param {
                Param::Text(text) => text,
                Param::Int(value) => value,
                Param::TextList(list) => list,
            }
        })
        .collect()
}
