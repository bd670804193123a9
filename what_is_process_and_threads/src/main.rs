//! `cargo run -p what_is_process_and_threads [SECTION] [--quick]`
//!
//! Thin on purpose: dispatch worker processes, parse the command line, run
//! the chosen sections. Every lesson lives in the library (`src/lib.rs`).

use std::process::ExitCode;

use clap::Parser;
use common::sections::{self, SectionArgs};
use what_is_process_and_threads::{Carry, Config, SECTIONS, processes, run_section};

/// Notebook 244: programs, processes and threads; the GIL, measured; races
/// and the primitives that prevent them.
#[derive(Debug, Parser)]
#[command(name = "what_is_process_and_threads")]
struct Cli {
    #[command(flatten)]
    sections: SectionArgs,
}

fn main() -> anyhow::Result<ExitCode> {
    // A worker process is this same binary re-run with a hidden first
    // argument. Check for it before anything else: a worker must not parse
    // the user's command line or print the chapter.
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(processes::WORKER_ARG) {
        return Ok(processes::worker_main(&args[2..]));
    }

    let cli: Cli = sections::parse_cli(SECTIONS);
    let chosen = cli.sections.chosen(SECTIONS).unwrap_or_else(|err| err.exit());
    common::log::init();

    let config =
        Config { quick: cli.sections.quick, worker_exe: std::env::current_exe()? };
    if let Some(note) = common::report::build_note() {
        println!("{note}");
    }
    let mut carry = Carry::default();
    for section in &chosen {
        run_section(section, &config, &mut carry)?;
    }
    Ok(ExitCode::SUCCESS)
}
