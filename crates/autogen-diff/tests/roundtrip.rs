//! Property test: random pairs of schemas round-trip through the diff engine on a real
//! PostgreSQL (the dev server of `autogen-testkit`).
//!
//! For each pair (A, B): A and B are created in fresh databases and inspected (catalogs a, b);
//! `plan(a, b)` applied to A's database must give b (columns compared in name order: PostgreSQL
//! appends re-added columns), `plan(b, a)` must then give a again, and the diff of each result
//! with its target must be empty.
//!
//! Cases: `DEFAULT_CASES`, or `PROPTEST_CASES`. The seed is printed, and `PROPTEST_RNG_SEED`
//! replays it. The longer run:
//!
//! ```text
//! PROPTEST_CASES=2000 cargo test -p autogen-diff --test roundtrip -- --nocapture
//! ```

#[path = "roundtrip/apply.rs"]
mod apply;
#[path = "roundtrip/generate.rs"]
mod generate;
#[path = "roundtrip/harness.rs"]
mod harness;
#[path = "roundtrip/model.rs"]
mod model;
#[path = "roundtrip/ops.rs"]
mod ops;
#[path = "roundtrip/render.rs"]
mod render;

use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRunner};
use std::time::Instant;

/// About 40–50 s on the 2-core dev machine (0.25–0.35 s a case, most of it creating the two
/// databases).
const DEFAULT_CASES: u32 = 150;

/// Shrinking a failure re-runs the round trip many times; stop after this long.
const MAX_SHRINK_SECONDS: u32 = 300;

#[test]
fn schema_pairs_round_trip_through_plan_on_postgresql() {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    let seed = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|elapsed| elapsed.as_nanos() as u64)
                .unwrap_or(0)
        });
    let defaults = Config::default();
    let config = Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        // The failing pair is printed in full; nothing is written next to the sources.
        failure_persistence: None,
        max_shrink_time: if std::env::var_os("PROPTEST_MAX_SHRINK_TIME").is_some() {
            defaults.max_shrink_time
        } else {
            MAX_SHRINK_SECONDS * 1000
        },
        max_shrink_iters: if std::env::var_os("PROPTEST_MAX_SHRINK_ITERS").is_some() {
            defaults.max_shrink_iters
        } else {
            u32::MAX - 1
        },
        ..defaults
    };
    eprintln!("roundtrip: {cases} cases, PROPTEST_RNG_SEED={seed}");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let started = Instant::now();
    let databases = harness::Databases::default();
    let mut runner = TestRunner::new(config);
    let result = runner.run(&generate::pair(), |pair| {
        runtime
            .block_on(databases.round_trip(&pair))
            .map_err(TestCaseError::fail)
    });
    runtime.block_on(databases.finish());
    eprintln!(
        "roundtrip: {} cases passed; changes planned (up and down): {}",
        databases.passed(),
        databases.coverage_summary()
    );
    eprintln!(
        "roundtrip: finished in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    match result {
        Ok(()) => {}
        Err(TestError::Fail(reason, pair)) => panic!(
            "a schema pair does not round-trip (replay with PROPTEST_RNG_SEED={seed}).\n\
             {reason}\nminimal failing pair:{pair:?}"
        ),
        Err(TestError::Abort(reason)) => panic!("aborted: {reason} (PROPTEST_RNG_SEED={seed})"),
    }
}
