//! In-memory diff+plan timing: two catalogs of N generated tables are read from PostgreSQL,
//! the second after changing 5 % of the tables (a new column, an index on it, a comment),
//! and `autogen_diff::plan` is timed in this process. Reading the catalogs is not timed: that
//! is what `inspect` measures.

use crate::generate::{GeneratedSchema, generate};
use crate::inspect::BenchError;
use autogen_pg::DevServer;
use std::time::Instant;

pub struct Options {
    pub tables: Vec<usize>,
    pub runs: usize,
    pub seed: u64,
    pub batch: usize,
}

pub struct Row {
    pub tables: usize,
    pub changed_tables: usize,
    pub statements: usize,
    pub median_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
}

fn failed(what: &str, error: impl std::fmt::Display) -> BenchError {
    BenchError(format!("{what}: {error}"))
}

/// Every 20th table, changed: 5 % of the schema.
fn changes(schema: &GeneratedSchema) -> (String, usize) {
    let mut sql = String::new();
    let mut count = 0;
    for table in schema.tables.iter().step_by(20) {
        let name = format!("\"{}\".\"{}\"", table.schema, table.name);
        sql.push_str(&format!(
            "ALTER TABLE {name} ADD COLUMN bench_note text;\n\
             CREATE INDEX ON {name} (bench_note);\n\
             COMMENT ON TABLE {name} IS 'changed by the diff benchmark';\n"
        ));
        count += 1;
    }
    (sql, count)
}

async fn catalog(
    server: &DevServer,
    batches: &[String],
    extra: &str,
) -> Result<autogen_schema::Catalog, BenchError> {
    let database = server
        .create_database()
        .await
        .map_err(|e| failed("create database", e))?;
    let mut client = database.connect().await.map_err(|e| failed("connect", e))?;
    for batch in batches {
        client
            .batch_execute(batch)
            .await
            .map_err(|e| failed("load schema", e))?;
    }
    client
        .batch_execute(extra)
        .await
        .map_err(|e| failed("apply changes", e))?;
    let inspection = autogen_introspect::inspect(&mut client, &Default::default())
        .await
        .map_err(|e| failed("inspect", e))?;
    Ok(inspection.catalog)
}

pub async fn run(
    options: &Options,
    mut progress: impl FnMut(&str),
) -> Result<Vec<Row>, BenchError> {
    let server = DevServer::start(None)
        .await
        .map_err(|e| failed("start the dev server", e))?;
    let mut rows = Vec::new();
    for &tables in &options.tables {
        let schema = generate(tables, options.seed);
        let batches = schema.batches(options.batch);
        let (changed_sql, changed_tables) = changes(&schema);
        progress(&format!(
            "N={tables}: loading the current and the changed schema"
        ));
        let current = catalog(&server, &batches, "").await?;
        let desired = catalog(&server, &batches, &changed_sql).await?;
        let warm = autogen_diff::plan(&current, &desired).map_err(|e| failed("plan", e))?;
        let mut samples = Vec::with_capacity(options.runs);
        for _ in 0..options.runs {
            let started = Instant::now();
            let plan = autogen_diff::plan(&current, &desired).map_err(|e| failed("plan", e))?;
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(plan);
        }
        samples.sort_by(f64::total_cmp);
        rows.push(Row {
            tables,
            changed_tables,
            statements: warm.statements.len(),
            median_ms: samples[samples.len() / 2],
            min_ms: samples[0],
            max_ms: samples[samples.len() - 1],
        });
    }
    Ok(rows)
}

pub fn markdown_table(rows: &[Row]) -> String {
    let mut text = String::from(
        "| tables | changed tables | statements | median ms | min ms | max ms |\n|---:|---:|---:|---:|---:|---:|\n",
    );
    for row in rows {
        text.push_str(&format!(
            "| {} | {} | {} | {:.1} | {:.1} | {:.1} |\n",
            row.tables, row.changed_tables, row.statements, row.median_ms, row.min_ms, row.max_ms
        ));
    }
    text
}
