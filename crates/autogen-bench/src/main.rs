//! `autogen-bench`: generate large synthetic schemas and time `autogen inspect` against
//! `pg_dump --schema-only`, the in-memory diff, and `autogen diff` against migra on them. See
//! `autogen-bench --help`.

use autogen_bench::{
    adopt, backfill, diff, diff_e2e, e2e, generate, history, inspect, measure, models, plans,
    roundtrip,
};
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
        /// `tables` (tables only) or `objects` (also views, functions and triggers).
        #[arg(long, default_value = "tables", value_parser = workload)]
        workload: generate::Workload,
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
    /// Write Rust model files (`#[derive(Model)]` structs, 100 per file) declaring exactly the
    /// schema of `gen-schema` with the same N and seed (with --changed: 5 % of the tables
    /// changed as `gen-changes` changes them).
    GenModels {
        /// Number of tables.
        #[arg(long)]
        tables: usize,
        /// Generator seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The directory to write `tables_NNNNN.rs` into (created if missing).
        #[arg(long, default_value = "models")]
        out: PathBuf,
        /// Apply the model-side counterpart of `gen-changes` (every 20th table changed).
        #[arg(long)]
        changed: bool,
    },
    /// Time `autogen inspect` against `pg_dump --schema-only` on generated schemas and print a
    /// markdown table.
    Inspect {
        /// Schema sizes to benchmark, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "1000,5000")]
        tables: Vec<usize>,
        /// Workloads at each size, comma-separated: `tables` (tables only) and `objects`
        /// (also views, functions and triggers every 100 tables).
        #[arg(long, value_delimiter = ',', default_value = "tables,objects", value_parser = workload)]
        workloads: Vec<generate::Workload>,
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
    /// Time every tool on the same generated databases in one run: autogen inspect / diff /
    /// check / revision (the last two in an autogen project whose models declare the schema),
    /// pg_dump --schema-only, migra and Alembic's compare_metadata; print markdown tables.
    /// Tools that are not installed (migra, Alembic) are skipped with a note.
    E2e {
        /// Schema sizes, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "100,1000,5000")]
        tables: Vec<usize>,
        /// Timed runs per tool and size (the tools alternate).
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Untimed warm-up rounds per size.
        #[arg(long, default_value_t = 1)]
        warmup: usize,
        /// The autogen binary to time.
        #[arg(long)]
        autogen: PathBuf,
        /// The pg_dump to time [default: pg_dump in the dev cluster's bin directory].
        #[arg(long)]
        pg_dump: Option<PathBuf>,
        /// The migra to time [default: migra on PATH; none: row skipped].
        #[arg(long)]
        migra: Option<PathBuf>,
        /// A Python with alembic, sqlalchemy and psycopg2 [default: python3; without them the
        /// row is skipped].
        #[arg(long)]
        alembic_python: Option<PathBuf>,
        /// An existing PostgreSQL server for autogen diff/check/revision's scratch databases
        /// [default: autogen's own throwaway cluster in each process].
        #[arg(long)]
        dev_url: Option<String>,
        /// Stop running a tool at a size once its runs there (warm-up included) took more
        /// than this many seconds (at least one timed run always happens).
        #[arg(long)]
        budget_secs: Option<f64>,
        /// Only these tools (inspect, pg_dump, diff, migra, alembic, check, check-warm,
        /// revision), comma-separated [default: all].
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
        /// Write the projects under this directory and keep them [default: a removed
        /// temporary directory].
        #[arg(long)]
        keep_projects: Option<PathBuf>,
        /// Generator seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Tables per simple-query batch while loading the schema.
        #[arg(long, default_value_t = 100)]
        batch: usize,
    },
    /// Time `autogen check` twice in a row (first and second run) on a project with a long
    /// revision history (chained revisions, each creating a table or adding a column and an
    /// index) whose models match the head.
    /// A backfill of a required column over `rows` rows while a writer keeps updating random
    /// rows: autogen's batched plan (plain and --online) against one `UPDATE` in one
    /// transaction; total time, batches, the migration's longest transaction, the writer's
    /// commits and its longest wait, as a markdown table.
    Backfill {
        /// Rows in the table.
        #[arg(long, default_value_t = 1_000_000)]
        rows: usize,
        /// The autogen binary to run.
        #[arg(long)]
        autogen: PathBuf,
        /// An existing PostgreSQL server [default: an ephemeral dev cluster].
        #[arg(long)]
        dev_url: Option<String>,
    },
    History {
        /// Revisions in the chain.
        #[arg(long, default_value_t = 500)]
        revisions: usize,
        /// Repetitions, each on a freshly written project.
        #[arg(long, default_value_t = 1)]
        runs: usize,
        /// The autogen binary to time.
        #[arg(long)]
        autogen: PathBuf,
        /// An existing PostgreSQL server for autogen's scratch databases.
        #[arg(long)]
        dev_url: Option<String>,
        /// Write the project here and keep it (emptied first).
        #[arg(long)]
        keep_project: Option<PathBuf>,
    },
    /// The inspect round trip on real schema files (not part of the test suite): load each
    /// file with psql into a fresh database A, run A's dump on a fresh database B, compare the
    /// catalogs of A and B kind by kind and list what A holds that autogen does not model.
    /// Exits 1 when a file fails to load or replay, or A and B differ.
    Roundtrip {
        /// The schema files (psql scripts, loaded with `psql -v ON_ERROR_STOP=1 -f FILE`).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// An existing PostgreSQL server [default: an ephemeral dev cluster].
        #[arg(long)]
        dev_url: Option<String>,
        /// The psql to load files with [default: psql next to the PostgreSQL binaries found].
        #[arg(long)]
        psql: Option<PathBuf>,
        /// SQL run on B before the dump: objects autogen does not model that the dump needs.
        #[arg(long)]
        prelude: Option<PathBuf>,
    },
    /// The adoption proof on real schema files (not part of the test suite), with the real
    /// autogen binary in a temporary project per file: load the file with psql into a fresh
    /// database A, `autogen pull` it, write autogen.toml, optionally a hand-written first
    /// revision (--prelude-up/--prelude-down), `autogen revision -m baseline`, `stamp head` and
    /// `check` on A, `upgrade` a fresh database B and `diff --from A --to B --exit-code`; then
    /// compare `pg_dump --schema-only` of A and B (informational). Prints each step's outcome
    /// and wall time as a markdown table. Exits 1 when a step (other than pg_dump) fails.
    Adopt {
        /// The schema files (psql scripts, loaded with `psql -v ON_ERROR_STOP=1 -q -f FILE`).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The autogen binary to drive [default: `autogen` next to this executable].
        #[arg(long)]
        autogen: Option<PathBuf>,
        /// An existing PostgreSQL server for A, B and autogen's scratch databases [default: an
        /// ephemeral dev cluster].
        #[arg(long)]
        dev_url: Option<String>,
        /// The psql to load files with [default: psql next to the PostgreSQL binaries found].
        #[arg(long)]
        psql: Option<PathBuf>,
        /// The pg_dump of the cross-check [default: pg_dump next to the PostgreSQL binaries
        /// found].
        #[arg(long)]
        pg_dump: Option<PathBuf>,
        /// A hand-written SQL declaration file (objects autogen does not model that the
        /// schema uses): copied into the project's sql/ and passed to `autogen pull
        /// --with-sql`. Repeatable; applied to every file.
        #[arg(long = "with-sql", value_name = "FILE")]
        with_sql: Vec<PathBuf>,
        /// The search_path the schema's sessions use (`autogen pull --search-path`, and
        /// `[models] search_path` in autogen.toml); applied to every file.
        #[arg(long, value_delimiter = ',', value_name = "SCHEMA,…")]
        search_path: Vec<String>,
        /// SQL for the `-- migrate:up` section of a hand-written first revision (`autogen
        /// revision --empty`), before the baseline.
        #[arg(long, value_name = "FILE")]
        prelude_up: Option<PathBuf>,
        /// SQL for that revision's `-- migrate:down` section.
        #[arg(long, value_name = "FILE")]
        prelude_down: Option<PathBuf>,
        /// Write the baseline with `autogen revision --no-verify`.
        #[arg(long)]
        no_verify: bool,
        /// Keep the projects in DIR/<file stem>/project (DIR/<file stem> must not exist).
        #[arg(long, value_name = "DIR")]
        keep: Option<PathBuf>,
        /// Print up to N of the differing pg_dump lines per file (`-v` alone: 40).
        #[arg(
            short = 'v',
            long,
            value_name = "N",
            num_args = 0..=1,
            require_equals = true,
            default_missing_value = "40",
            default_value_t = 0
        )]
        show_dump_diff: usize,
    },
    /// autogen's plans on real schema files (not part of the test suite), both ways: load each
    /// file with psql into a fresh database S beside an empty database E, plan E → S and S → E
    /// as `autogen diff` does, each verified on the dev database (up applied to a copy of the
    /// source and compared with the target, then down), and report the statements, the
    /// verification (or its exact error), the time and the objects autogen does not manage that
    /// it reported. Each file gets its own throwaway cluster. Exits 1 when a file fails to
    /// load or a plan fails or does not verify.
    Plans {
        /// The schema files (psql scripts, loaded with `psql -v ON_ERROR_STOP=1 -f FILE`).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The psql to load files with [default: psql next to the PostgreSQL binaries found].
        #[arg(long)]
        psql: Option<PathBuf>,
        /// SQL of objects autogen does not model that the schema needs: run on the cluster's
        /// template0 once S and E exist, so every scratch database verification creates
        /// starts with it.
        #[arg(long)]
        prelude: Option<PathBuf>,
        /// SQL run on S after the file, before it is read: drop the unmodeled objects managed
        /// ones use (with CASCADE), so the plans of the rest can be verified whole.
        #[arg(long)]
        strip: Option<PathBuf>,
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
        /// Also run `autogen diff` in-process through autogen-engine (`runs` times) and print where
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

fn workload(text: &str) -> Result<generate::Workload, String> {
    generate::Workload::parse(text)
        .ok_or_else(|| format!("unknown workload `{text}` (expected tables or objects)"))
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

fn rss_source() -> &'static str {
    if measure::uses_gnu_time() {
        "peak RSS from /usr/bin/time"
    } else {
        "peak RSS from wait4 (includes a floor of this harness's own RSS)"
    }
}

fn e2e(options: &e2e::Options) -> ExitCode {
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let command_line = std::env::args().collect::<Vec<_>>().join(" ");
    let report = match runtime.block_on(e2e::run(options, |line| eprintln!("{line}"))) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    println!("Command: `{command_line}`");
    println!();
    println!(
        "PostgreSQL {}, pg_dump {}, generator seed {}, {} warm-up round(s) + {} timed runs per \
         tool and size{}, tools alternating; wall time of each process, {}. autogen diff, \
         check and revision use {}.",
        report.server_version,
        report.pg_dump.display(),
        options.seed,
        options.warmup,
        options.runs,
        options.budget_secs.map_or_else(String::new, |b| format!(
            " (budget {b:.0} s per tool and size)"
        )),
        rss_source(),
        if options.dev_url.is_some() {
            "the --dev-url server"
        } else {
            "their own throwaway cluster (started by each process)"
        }
    );
    println!();
    println!("{}", report.migra.describe());
    println!("{}", report.alembic.describe());
    println!();
    print!("{}", e2e::markdown_table(&report.rows));
    println!();
    print!("{}", e2e::growth_table(&report.rows));
    println!();
    println!("Set-up, untimed (one run each):");
    println!();
    for (tables, steps) in &report.setup {
        for (step, secs) in steps {
            println!("- N={tables}: {step}: {secs:.1} s");
        }
    }
    ExitCode::SUCCESS
}

fn backfill_bench(options: &backfill::Options) -> ExitCode {
    let command_line = std::env::args().collect::<Vec<_>>().join(" ");
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: could not start a runtime: {error}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(backfill::run(options, |line| eprintln!("{line}"))) {
        Ok(outcomes) => {
            println!("Command: `{command_line}`");
            println!();
            print!("{}", backfill::markdown_table(options.rows, &outcomes));
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

fn history(options: &history::Options) -> ExitCode {
    let command_line = std::env::args().collect::<Vec<_>>().join(" ");
    match history::run(options, |line| eprintln!("{line}")) {
        Ok(pairs) => {
            println!("Command: `{command_line}`");
            println!();
            println!("Wall time of each process, {}.", rss_source());
            println!();
            print!("{}", history::markdown_table(options.revisions, &pairs));
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
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

fn gen_models(tables: usize, seed: u64, out: &std::path::Path, changed: bool) -> ExitCode {
    let schema = generate::generate(tables, seed);
    let result = models::model_tables(&schema).and_then(|mut tables| {
        if changed {
            models::change_models(&mut tables);
        }
        models::write_models(out, &tables)
    });
    match result {
        Ok(files) => {
            eprintln!(
                "wrote {tables} model structs in {} files to {}",
                files.len(),
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

fn round_trip(options: &roundtrip::Options) -> ExitCode {
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    match runtime.block_on(roundtrip::run(options, |line| eprintln!("{line}"))) {
        Ok(reports) => {
            print!("{}", roundtrip::markdown(&reports));
            let clean = reports.iter().all(|report| {
                report.failure.is_none()
                    && report.replay_errors.is_empty()
                    && report.kinds.iter().all(|kind| kind.identical())
            });
            if clean {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

fn adopt(options: &adopt::Options) -> ExitCode {
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let command_line = std::env::args().collect::<Vec<_>>().join(" ");
    match runtime.block_on(adopt::run(options, |line| eprintln!("{line}"))) {
        Ok(reports) => {
            println!("Command: `{command_line}`");
            println!();
            print!("{}", adopt::markdown(&reports, options.show_dump_diff));
            if reports.iter().all(adopt::FileReport::passed) {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

fn plans(options: &plans::Options) -> ExitCode {
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let command_line = std::env::args().collect::<Vec<_>>().join(" ");
    match runtime.block_on(plans::run(options, |line| eprintln!("{line}"))) {
        Ok(reports) => {
            println!("Command: `{command_line}`");
            println!();
            print!("{}", plans::markdown(&reports));
            let clean = reports.iter().all(|report| {
                report.failure.is_none() && report.directions.iter().all(plans::Direction::verified)
            });
            if clean {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Commands::Adopt {
            files,
            autogen,
            dev_url,
            psql,
            pg_dump,
            with_sql,
            search_path,
            prelude_up,
            prelude_down,
            no_verify,
            keep,
            show_dump_diff,
        } => adopt(&adopt::Options {
            files,
            autogen,
            dev_url,
            psql,
            pg_dump,
            with_sql,
            search_path,
            prelude_up,
            prelude_down,
            no_verify,
            keep,
            show_dump_diff,
        }),
        Commands::Plans {
            files,
            psql,
            prelude,
            strip,
        } => plans(&plans::Options {
            files,
            psql,
            prelude,
            strip,
        }),
        Commands::Roundtrip {
            files,
            dev_url,
            psql,
            prelude,
        } => round_trip(&roundtrip::Options {
            files,
            dev_url,
            psql,
            prelude,
        }),
        Commands::E2e {
            tables,
            runs,
            warmup,
            autogen,
            pg_dump,
            migra,
            alembic_python,
            dev_url,
            budget_secs,
            only,
            keep_projects,
            seed,
            batch,
        } => e2e(&e2e::Options {
            tables,
            runs,
            warmup,
            seed,
            autogen,
            pg_dump,
            migra,
            alembic_python,
            dev_url,
            budget_secs,
            only,
            batch,
            keep_projects,
        }),
        Commands::Backfill {
            rows,
            autogen,
            dev_url,
        } => backfill_bench(&backfill::Options {
            rows,
            autogen,
            dev_url,
        }),
        Commands::History {
            revisions,
            runs,
            autogen,
            dev_url,
            keep_project,
        } => history(&history::Options {
            revisions,
            runs,
            autogen,
            dev_url,
            keep_project,
        }),
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
        Commands::GenModels {
            tables,
            seed,
            out,
            changed,
        } => gen_models(tables, seed, &out, changed),
        Commands::GenSchema {
            tables,
            seed,
            workload,
        } => print_sql(&generate::generate_workload(workload, tables, seed).to_sql()),
        Commands::GenChanges { tables, seed } => {
            print_sql(&diff_e2e::change_script(&generate::generate(tables, seed)).sql)
        }
        Commands::Inspect {
            tables,
            workloads,
            runs,
            warmup,
            autogen,
            pg_dump,
            seed,
            batch,
        } => {
            let options = inspect::Options {
                tables,
                workloads,
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
