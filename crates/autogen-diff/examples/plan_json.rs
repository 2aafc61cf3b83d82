//! Times `autogen_diff::plan` on two catalogs saved with `autogen inspect --format json`, in
//! process, for profiling the diff without a database:
//!
//! ```sh
//! cargo run --release -p autogen-diff --example plan_json -- a.json b.json [RUNS]
//! ```

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [from, to, rest @ ..] = args.as_slice() else {
        return Err("usage: plan_json FROM.json TO.json [RUNS]".into());
    };
    let runs: usize = rest.first().map(|r| r.parse()).transpose()?.unwrap_or(20);
    let current = autogen_schema::catalog_from_json(&std::fs::read_to_string(from)?)?;
    let desired = autogen_schema::catalog_from_json(&std::fs::read_to_string(to)?)?;
    let mut samples = Vec::with_capacity(runs);
    let mut statements = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let plan = autogen_diff::plan(&current, &desired)?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
        statements = plan.statements.len();
    }
    samples.sort_by(f64::total_cmp);
    println!(
        "{} tables, {statements} statements: median {:.1} ms, min {:.1} ms, max {:.1} ms ({runs} runs)",
        desired.tables.len(),
        samples[samples.len() / 2],
        samples[0],
        samples[samples.len() - 1]
    );
    Ok(())
}
