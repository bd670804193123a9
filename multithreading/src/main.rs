//! `cargo run -p multithreading [SECTION] [--quick]`
//!
//! Thin on purpose: dispatch the daemon demo's child, parse the command
//! line, run the chosen sections. Every lesson lives in the library.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser};
use common::sections::{self, Section};
use multithreading::{Config, SECTIONS, daemon, run_section};

/// Notebook 245: threads and synchronization, and what Rust adds.
#[derive(Debug, Parser)]
#[command(name = "multithreading")]
struct Cli {
    /// Run only this section (number or name); all of them when omitted.
    #[arg(value_parser = parse_section)]
    section: Option<Section>,
    /// Shrink every sleep and workload (used by the tests).
    #[arg(long)]
    quick: bool,
}

fn parse_section(arg: &str) -> Result<Section, String> {
    sections::parse(SECTIONS, arg)
}

fn main() -> anyhow::Result<ExitCode> {
    // The daemon demo (section 7) re-runs this binary as a child whose main
    // returns while a detached thread is still running. Dispatch it first.
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(daemon::CHILD_ARG) {
        daemon::child_main(&args[2..]);
        return Ok(ExitCode::SUCCESS);
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
    for section in chosen {
        run_section(section, &config)?;
    }
    Ok(ExitCode::SUCCESS)
}
