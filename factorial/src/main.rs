//! `cargo run -p factorial [SECTION] [--n N] [--workers W] [--method M] [--print-digits] [--quick]`
//!
//! Thin on purpose: dispatch pool workers, parse the command line, size the
//! thread pool, run the chosen sections. Every lesson lives in the library.

use std::process::ExitCode;

use clap::Parser;
use common::sections::{self, SectionArgs};
use factorial::methods::Method;
use factorial::{Config, DEFAULT_N, QUICK_N, SECTIONS, cli, run_section, worker};

/// Notebook 249: factorials with Pool.map, then one huge factorial on every
/// core.
#[derive(Debug, Parser)]
#[command(name = "factorial")]
struct Cli {
    #[command(flatten)]
    sections: SectionArgs,
    /// n for sections 4 and 6 [default: 1000000, or 100000 with --quick]
    #[arg(long, value_parser = cli::parse_n, allow_hyphen_values = true)]
    n: Option<u64>,
    /// Worker threads and processes [default: one per core]
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    workers: Option<u16>,
    /// Only this method in sections 4 and 6 [default: all]
    #[arg(long, value_enum)]
    method: Option<Method>,
    /// Print the full decimal numbers (section 3: the lecture's output)
    #[arg(long)]
    print_digits: bool,
}

fn main() -> anyhow::Result<ExitCode> {
    // Pool workers are this binary re-run with a hidden first argument.
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(worker::WORKER_ARG) {
        return Ok(worker::main(&args[2..]));
    }

    let cli: Cli = sections::parse_cli(SECTIONS);
    let chosen = cli.sections.chosen(SECTIONS).unwrap_or_else(|err| err.exit());
    common::log::init();

    let workers = cli.workers.map_or_else(common::pool::cpu_workers, usize::from);
    // Named threads, so "Computing factorial of …" lines say who computed.
    // `build_global` fails only if a pool already exists; then we use that.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .thread_name(|i| format!("rayon-{i}"))
        .build_global();
    let quick = cli.sections.quick;
    let config = Config {
        quick,
        n: cli.n.unwrap_or(if quick { QUICK_N } else { DEFAULT_N }),
        workers,
        method: cli.method,
        print_digits: cli.print_digits,
        worker_exe: std::env::current_exe()?,
    };
    if let Some(note) = common::report::build_note() {
        println!("{note}");
    }
    for section in &chosen {
        run_section(section, &config)?;
    }
    Ok(ExitCode::SUCCESS)
}
