//! `autogen-bench`: generate large synthetic schemas and time `autogen inspect` against
//! `pg_dump --schema-only`, the in-memory diff, and `autogen diff` against migra on them. See
//! `autogen-bench --help`.

use autogen_bench::{diff, diff_e2e, generate, inspect, measure};
use clap::{Parser, Subcommand};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "autogen-bench", about = "Benchmarks for autogen", version)]
struct Cli {
    #[command(subcommand)]
    command: Commands,
}

#[derive(Subcommand)]
enum Commands {
    /// Print the SQL of a deterministic synthetic schema (same N and seed, same bytes).
    GenSchema {
        /// Number of tables.
        #[arg(long)]
        tables: usize,
        /// Generator seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Print the change script `diff-e2e` applies to database B (the schema of `gen-schema`
    /// with the same N and seed, 5 % of the tables changed).
    GenChanges {
        /// Number of tables.
        #[arg(long)]
        tables: usize,
        /// Generator seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Time `autogen inspect` against `pg_dump --schema-only` on generated schemas and print a
    /// markdown table.
    Inspect {
        /// Schema sizes to benchmark, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "1000,5000")]
        tables: Vec<usize>,
        /// Timed runs per tool and size (the tools alternate: A B A B ...).
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Untimed warm-up runs per tool and size.
        #[arg(long, default_value_t = 1)]
        warmup: usize,
        /// The autogen binary to time.
        #[arg(long)]
        autogen: PathBuf,
        /// The pg_dump to time [default: pg_dump in the dev cluster's bin directory].
        #[arg(long)]
        pg_dump: Option<PathBuf>,
        /// Generator seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Tables per simple-query batch while loading the schema.
        #[arg(long, default_value_t = 100)]
        batch: usize,
    },
    /// Time the in-memory diff+plan of two catalogs of generated schemas (5 % of the tables
    /// changed) and print a markdown table.
    Diff {
        /// Schema sizes, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "1000,5000")]
        tables: Vec<usize>,
        /// Timed runs per size.
        #[arg(long, default_value_t = 20)]
        runs: usize,
        /// Generator seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Tables per simple-query batch while loading the schema.
        #[arg(long, default_value_t = 100)]
        batch: usize,
    },
    /// Time `autogen diff --from URL_A --to URL_B` (with and without verification) end to end
    /// against `migra --unsafe URL_A URL_B` on generated schemas (5 % of the tables changed in
    /// B) and print markdown tables. Without migra, autogen is timed alone.
    DiffE2e {
        /// Schema sizes, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "1000,5000")]
        tables: Vec<usize>,
        /// Timed runs per command and size (the commands alternate: A B C A B C ...).
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Untimed warm-up runs per command and size.
        #[arg(long, default_value_t = 1)]
        warmup: usize,
        /// The autogen binary to time.
        #[arg(long)]
        autogen: PathBuf,
        /// The migra to time [default: migra on PATH; none: autogen alone].
        #[arg(long)]
        migra: Option<PathBuf>,
        /// Also re-enact the steps of `autogen diff` in-process (`runs` times) and print where
        /// the time goes.
        #[arg(long)]
        breakdown: bool,
        /// Generator seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Tables per simple-query batch while loading the schema.
        #[arg(long, default_value_t = 100)]
        batch: usize,
    },
}

fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| {
            eprintln!("error: could not start the async runtime: {error}");
            ExitCode::from(2)
        })
}

fn diff_e2e(options: &diff_e2e::Options) -> ExitCode {
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let command_line = std::env::args().collect::<Vec<_>>().join(" ");
    let report = match runtime.block_on(diff_e2e::run(options, |line| eprintln!("{line}"))) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    println!("Command: `{command_line}`");
    println!();
    let rss_source = if measure::uses_gnu_time() {
        "peak RSS from /usr/bin/time"
    } else {
        "peak RSS from wait4 (includes a floor of this harness's own RSS)"
    };
    println!(
        "PostgreSQL {}, generator seed {}, {} warm-up + {} timed runs per command, alternating; \
         wall time of each process, {rss_source}. `autogen diff --format sql` verifies on its own \
         throwaway cluster, started by each process; the `--dev-url` row verifies on the \
         benchmark's running cluster.",
        report.server_version, options.seed, options.warmup, options.runs,
    );
    println!();
    println!("{}", report.migra.describe());
    println!();
    print!(
        "{}",
        diff_e2e::workload_table(&report.workloads, &report.rows)
    );
    println!();
    print!("{}", diff_e2e::markdown_table(&report.rows));
    for breakdown in &report.breakdowns {
        println!();
        print!("{}", breakdown.markdown_table());
    }
    ExitCode::SUCCESS
}

fn print_sql(sql: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(sql.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        // `autogen-bench gen-schema ... | head` is fine.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: writing to stdout failed: {error}");
            ExitCode::from(2)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Commands::DiffE2e {
            tables,
            runs,
            warmup,
            autogen,
            migra,
            breakdown,
            seed,
            batch,
        } => diff_e2e(&diff_e2e::Options {
            tables,
            runs,
            warmup,
            seed,
            autogen,
            migra,
            batch,
            breakdown,
        }),
        Commands::Diff {
            tables,
            runs,
            seed,
            batch,
        } => {
            let options = diff::Options {
                tables,
                runs: runs.max(1),
                seed,
                batch,
            };
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(error) => {
                    eprintln!("error: could not start the async runtime: {error}");
                    return ExitCode::from(2);
                }
            };
            match runtime.block_on(diff::run(&options, |line| eprintln!("{line}"))) {
                Ok(rows) => {
                    let command_line = std::env::args().collect::<Vec<_>>().join(" ");
                    println!("Command: `{command_line}`");
                    println!();
                    print!("{}", diff::markdown_table(&rows));
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("error: {error}");
                    ExitCode::from(2)
                }
            }
        }
        Commands::GenSchema { tables, seed } => print_sql(&generate::generate_sql(tables, seed)),
        Commands::GenChanges { tables, seed } => {
            print_sql(&diff_e2e::change_script(&generate::generate(tables, seed)).sql)
        }
        Commands::Inspect {
            tables,
            runs,
            warmup,
            autogen,
            pg_dump,
            seed,
            batch,
        } => {
            let options = inspect::Options {
                tables,
                runs,
                warmup,
                seed,
                autogen,
                pg_dump,
                batch,
            };
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(error) => {
                    eprintln!("error: could not start the async runtime: {error}");
                    return ExitCode::from(2);
                }
            };
            let command_line = std::env::args().collect::<Vec<_>>().join(" ");
            match runtime.block_on(inspect::run(&options, |line| eprintln!("{line}"))) {
                Ok(report) => {
                    println!("Command: `{command_line}`");
                    println!();
                    let rss_source = if measure::uses_gnu_time() {
                        "peak RSS from /usr/bin/time"
                    } else {
                        "peak RSS from wait4 (includes a floor of this harness's own RSS)"
                    };
                    println!(
                        "PostgreSQL {}, pg_dump {}, generator seed {}, {} warm-up + {} timed runs \
                         per tool, alternating; wall time of each process, {rss_source}.",
                        report.server_version,
                        report.pg_dump.display(),
                        options.seed,
                        options.warmup,
                        options.runs
                    );
                    println!();
                    print!("{}", inspect::markdown_table(&report.rows));
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("error: {error}");
                    ExitCode::from(2)
                }
            }
        }
    }
}
