//! Starts an ephemeral dev server, creates a database, connects, runs `SELECT 1`, drops
//! everything, and prints the elapsed time to stderr, with a per-step breakdown. A benchmark of
//! the zero-config path (warm initdb cache: the first run on a machine fills it).
//!
//! `cargo run --release -p autogen-pg --example dev_start`

use std::time::Instant;

use autogen_pg::{DevServer, PgError};

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    // RUST_LOG=autogen_pg=debug shows what happens.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dev_start: error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), PgError> {
    let started = Instant::now();
    let mut steps: Vec<(&str, f64)> = Vec::new();
    let mut last = Instant::now();
    let mut step = |name: &'static str| {
        steps.push((name, last.elapsed().as_secs_f64() * 1000.0));
        last = Instant::now();
    };

    let server = DevServer::start(None).await?;
    step("start");
    let database = server.create_database().await?;
    step("create database");
    let client = database.connect().await?;
    let one: i32 = client
        .query_one("SELECT 1", &[])
        .await
        .map_err(|e| PgError::Internal(format!("SELECT 1 failed: {e}")))?
        .get(0);
    if one != 1 {
        return Err(PgError::Internal(format!("SELECT 1 returned {one}")));
    }
    step("connect + SELECT 1");
    drop(client);
    database.drop_database().await?;
    step("drop database");
    drop(server);
    step("stop + remove");

    let breakdown: Vec<String> = steps
        .iter()
        .map(|(name, ms)| format!("{name} {ms:.1}"))
        .collect();
    eprintln!(
        "dev_start: {:.1} ms ({} ms)",
        started.elapsed().as_secs_f64() * 1000.0,
        breakdown.join(", ")
    );
    Ok(())
}
