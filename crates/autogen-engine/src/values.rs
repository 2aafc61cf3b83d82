//! What a required column without a value would meet on a live database: how many of its rows
//! the new revision would fail on (`autogen check` reports it beside the hint).

use crate::EngineError;
use autogen_diff::ValueHint;
use autogen_pg::tokio_postgres::{self, Client};
use autogen_schema::quote_ident;

/// The rows of the hint's table that get no value: every row for a column added `NOT NULL`,
/// the rows holding NULL for one that becomes `NOT NULL`. `None` when the database has no
/// such table (or column) yet.
pub async fn rows_without_value(
    client: &Client,
    hint: &ValueHint,
) -> Result<Option<i64>, EngineError> {
    let (table, column) = hint.column();
    let filter = match hint {
        ValueHint::RequiredColumnAdded { .. } => None,
        ValueHint::ColumnBecomesRequired { .. } => Some(format!("{} IS NULL", quote_ident(column))),
    };
    let exists = client
        .query_opt(
            "SELECT 1 FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p') \
             AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a \
                 WHERE a.attrelid = c.oid AND a.attname = $3 AND NOT a.attisdropped))",
            &[&table.schema, &table.name, &filter.as_ref().map(|_| column)],
        )
        .await
        .map_err(|error| count_failed(hint, &error))?;
    if exists.is_none() {
        return Ok(None);
    }
    let query = format!(
        "SELECT count(*) FROM {}{}",
        table.quoted(),
        filter
            .map(|filter| format!(" WHERE {filter}"))
            .unwrap_or_default()
    );
    let row = client
        .query_one(query.as_str(), &[])
        .await
        .map_err(|error| count_failed(hint, &error))?;
    row.try_get::<_, i64>(0)
        .map(Some)
        .map_err(|error| count_failed(hint, &error))
}

fn count_failed(hint: &ValueHint, error: &tokio_postgres::Error) -> EngineError {
    let (table, column) = hint.column();
    EngineError::RowCount {
        column: format!("{table}.{column}"),
        detail: autogen_pg::error_text(error),
    }
}
