//! `cargo run -p executors [SECTION] [--quick]`
//!
//! Thin on purpose: dispatch pool workers, parse the command line, run the
//! chosen sections. Every lesson lives in the library.

use std::process::ExitCode;

use clap::Parser;
use common::sections::{self, SectionArgs};
use executors::{Config, SECTIONS, jobs, run_section};

/// Notebook 247: ThreadPoolExecutor and ProcessPoolExecutor, built and
/// measured.
#[derive(Debug, Parser)]
#[command(name = "executors")]
struct Cli {
    #[command(flatten)]
    sections: SectionArgs,
}

fn main() -> anyhow::Result<ExitCode> {
    // Process-pool workers are this binary re-run with a hidden argument.
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(jobs::WORKER_ARG) {
        return Ok(jobs::worker_main(&args[2..]));
    }

    let cli: Cli = sections::parse_cli(SECTIONS);
    let chosen = cli.sections.chosen(SECTIONS).unwrap_or_else(|err| err.exit());
    common::log::init();

    let config =
        Config { quick: cli.sections.quick, worker_exe: std::env::current_exe()? };
    if let Some(note) = common::report::build_note() {
        println!("{note}");
    }
    for section in &chosen {
        run_section(section, &config)?;
    }
    Ok(ExitCode::SUCCESS)
}
