//! The runner on sqlx (the `sqlx` feature): [`RunnerConnection`] for a `sqlx::PgConnection`, and
//! [`EmbeddedMigrations`] applied on a `PgPool` or a `PgConnection` by the very runner the
//! tokio-postgres methods use (same lock, tracking table, checksums, resume and batches).

use sqlx::postgres::{PgConnection, PgDatabaseError, PgPool, PgSeverity};
use sqlx::{AssertSqlSafe, Row};

use crate::connection::{Param, RunnerConnection, TextRow, failure};
use crate::runner::{self, Progress, RunOptions};
use crate::tracking::{self, AppliedRevision};
use crate::{EmbeddedMigrations, MigrateError, RevisionPhase, UpgradeTarget};

impl RunnerConnection for PgConnection {
    type Error = sqlx::Error;

    async fn simple_query(&mut self, sql: &str) -> Result<(), Self::Error> {
        // The revision's own SQL, run as written: `raw_sql` is sqlx's simple-query protocol.
        sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
            .execute(&mut *self)
            .await
            .map(drop)
    }

    async fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, Self::Error> {
        bound(sql, params)
            .execute(&mut *self)
            .await
            .map(|done| done.rows_affected())
    }

    async fn query(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Vec<TextRow>, Self::Error> {
        bound(sql, params)
            .fetch_all(&mut *self)
            .await?
            .iter()
            .map(|row| {
                (0..row.len())
                    .map(|index| row.try_get::<Option<String>, _>(index))
                    .collect()
            })
            .collect()
    }

    fn error_text(error: &Self::Error) -> String {
        let text = match server_error(error) {
            Some(server) => {
                let mut text =
                    format!("{}: {}", severity_name(server.severity()), server.message());
                if let Some(detail) = server.detail() {
                    text.push_str(&format!(" DETAIL: {detail}"));
                }
                if let Some(hint) = server.hint() {
                    text.push_str(&format!(" HINT: {hint}"));
                }
                text
            }
            None => error.to_string(),
        };
        autogen_pg::one_line(&text)
    }

    fn sqlstate(error: &Self::Error) -> Option<&str> {
        server_error(error).map(PgDatabaseError::code)
    }
}

/// As PostgreSQL spells it (and tokio-postgres prints it), so messages read the same on both.
fn severity_name(severity: PgSeverity) -> &'static str {
    match severity {
        PgSeverity::Panic => "PANIC",
        PgSeverity::Fatal => "FATAL",
        PgSeverity::Error => "ERROR",
        PgSeverity::Warning => "WARNING",
        PgSeverity::Notice => "NOTICE",
        PgSeverity::Debug => "DEBUG",
        PgSeverity::Info => "INFO",
        PgSeverity::Log => "LOG",
    }
}

fn server_error(error: &sqlx::Error) -> Option<&PgDatabaseError> {
    error
        .as_database_error()?
        .try_downcast_ref::<PgDatabaseError>()
}

/// `sql` with `params` bound, never kept as a prepared statement: the runner's statements run
/// once, and a cached plan could outlive the DDL a revision runs.
fn bound<'q>(
    sql: &str,
    params: &[Param<'_>],
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    params.iter().fold(
        sqlx::query(AssertSqlSafe(sql.to_owned())).persistent(false),
        |query, param| match param {
            Param::Text(text) => query.bind(text.to_string()),
            Param::Int(value) => query.bind(*value),
            Param::TextList(list) => {
                query.bind(list.iter().map(|item| item.to_string()).collect::<Vec<_>>())
            }
        },
    )
}

/// The tracking table's rows, oldest first, as [`crate::applied_revisions`] reads them; empty
/// when the table does not exist. Takes no lock.
pub async fn applied_revisions_sqlx(
    connection: &mut PgConnection,
) -> Result<Vec<AppliedRevision>, MigrateError> {
    tracking::applied_revisions_on(connection).await
}

/// Applies on one connection of `pool`, held for the whole run (the advisory lock and a
/// `transaction:false` section's progress belong to its session). The connection is closed
/// afterwards instead of going back to the pool: a revision's `SET` (e.g. `lock_timeout` in a
/// `transaction:false` section) stays in its session, and the application's queries must not
/// inherit it; a run stopped halfway would also leave it inside a transaction.
async fn on_pool_connection(
    migrations: &EmbeddedMigrations,
    pool: &PgPool,
    phase: Option<RevisionPhase>,
) -> Result<Vec<String>, MigrateError> {
    let graph = migrations.graph()?;
    let mut connection = pool.acquire().await.map_err(failure::<PgConnection>(
        "acquire a connection from the pool",
    ))?;
    connection.close_on_drop();
    runner::upgrade_on(
        &mut *connection,
        &graph,
        &UpgradeTarget::Head,
        phase,
        &RunOptions::default(),
        &mut |_| {},
    )
    .await
}

/// On sqlx (the `sqlx` feature): the same runner as [`upgrade`](Self::upgrade), so a database
/// migrated through tokio-postgres, sqlx or the CLI has one tracking table that all agree on.
impl EmbeddedMigrations {
    /// [`upgrade`](Self::upgrade) on a sqlx pool: applies every pending revision up to the
    /// single head on one connection of `pool`, which is closed afterwards (so no session
    /// setting a revision made reaches the application's queries); returns the ids applied.
    pub async fn upgrade_sqlx(&self, pool: &PgPool) -> Result<Vec<String>, MigrateError> {
        on_pool_connection(self, pool, None).await
    }

    /// [`upgrade_phase`](Self::upgrade_phase) on a sqlx pool (one connection, closed
    /// afterwards, as [`upgrade_sqlx`](Self::upgrade_sqlx)).
    pub async fn upgrade_phase_sqlx(
        &self,
        pool: &PgPool,
        phase: RevisionPhase,
    ) -> Result<Vec<String>, MigrateError> {
        on_pool_connection(self, pool, Some(phase)).await
    }

    /// [`upgrade`](Self::upgrade) on a sqlx connection. A `SET` a revision runs outside a
    /// transaction stays in effect on it afterwards, as on a tokio-postgres client.
    pub async fn upgrade_sqlx_connection(
        &self,
        connection: &mut PgConnection,
    ) -> Result<Vec<String>, MigrateError> {
        self.upgrade_with_sqlx_connection(
            connection,
            &UpgradeTarget::Head,
            &RunOptions::default(),
            &mut |_| {},
        )
        .await
    }

    /// [`upgrade_with`](Self::upgrade_with) on a sqlx connection: a target, options and a
    /// progress callback.
    pub async fn upgrade_with_sqlx_connection(
        &self,
        connection: &mut PgConnection,
        target: &UpgradeTarget,
        options: &RunOptions,
        progress: &mut (dyn FnMut(Progress<'_>) + Send),
    ) -> Result<Vec<String>, MigrateError> {
        let graph = self.graph()?;
        runner::upgrade_on(connection, &graph, target, None, options, progress).await
    }

    /// [`upgrade_phase`](Self::upgrade_phase) on a sqlx connection.
    pub async fn upgrade_phase_sqlx_connection(
        &self,
        connection: &mut PgConnection,
        phase: RevisionPhase,
    ) -> Result<Vec<String>, MigrateError> {
        let graph = self.graph()?;
        runner::upgrade_on(
            connection,
            &graph,
            &UpgradeTarget::Head,
            Some(phase),
            &RunOptions::default(),
            &mut |_| {},
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlx_upgrade_futures_are_send() {
        fn assert_send<T: Send>(_: &T) {}
        fn check(migrations: &EmbeddedMigrations, pool: &PgPool, connection: &mut PgConnection) {
            assert_send(&migrations.upgrade_sqlx(pool));
            assert_send(&migrations.upgrade_sqlx_connection(connection));
        }
        let _ = check;
    }
}
