//! `cargo run -p what_is_process_and_threads [SECTION] [--quick]`
//!
//! Thin on purpose: dispatch worker processes, parse the command line, run
//! the chosen sections. Every lesson lives in the library (`src/lib.rs`).

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser};
use common::sections::{self, Section};
use what_is_process_and_threads::{Carry, Config, SECTIONS, processes, run_section};

/// Notebook 244: programs, processes and threads; the GIL, measured; races
/// and the primitives that prevent them.
#[derive(Debug, Parser)]
#[command(name = "what_is_process_and_threads")]
struct Cli {
    /// Run only this section (number or name); all of them when omitted.
    #[arg(value_parser = parse_section)]
    section: Option<Section>,
    /// Shrink every workload (used by the tests).
    #[arg(long)]
    quick: bool,
}

fn parse_section(arg: &str) -> Result<Section, String> {
    sections::parse(SECTIONS, arg)
}

fn main() -> anyhow::Result<ExitCode> {
    // A worker process is this same binary re-run with a hidden first
    // argument. Check for it before anything else: a worker must not parse
    // the user's command line or print the chapter.
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(processes::WORKER_ARG) {
        return Ok(processes::worker_main(&args[2..]));
    }

    let matches = Cli::command().after_help(sections::help(SECTIONS)).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|err| err.exit());
    common::log::init();

    let config = Config { quick: cli.quick, worker_exe: std::env::current_exe()? };
    if let Some(note) = common::report::build_note() {
        println!("{note}");
    }
    let chosen: Vec<&Section> = match &cli.section {
        Some(one) => vec![one],
        None => SECTIONS.iter().collect(),
    };
    let mut carry = Carry::default();
    for section in chosen {
        run_section(section, &config, &mut carry)?;
    }
    Ok(ExitCode::SUCCESS)
}
