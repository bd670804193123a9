//! `cargo run -p multiprocessing [SECTION] [--quick]`
//!
//! Thin on purpose: dispatch worker processes, parse the command line, run
//! the chosen sections. Every lesson lives in the library (`src/lib.rs`).

use std::process::ExitCode;

use clap::Parser;
use common::sections::{self, SectionArgs};
use multiprocessing::{Config, SECTIONS, run_section, worker};

/// Notebook 246: processes that run in parallel — started, connected by
/// pipes and shared memory, pooled, crashed, timed out.
#[derive(Debug, Parser)]
#[command(name = "multiprocessing")]
struct Cli {
    #[command(flatten)]
    sections: SectionArgs,
}

fn main() -> anyhow::Result<ExitCode> {
    // Every child process of this chapter is this same binary re-run with a
    // hidden first argument (Python's `spawn` start method). Check for it
    // before anything else: a worker must not parse the user's command line
    // or print the chapter.
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(worker::WORKER_ARG) {
        return Ok(worker::main(&args[2..]));
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
