//! `cargo run -p multithreading [SECTION] [--quick]`
//!
//! Thin on purpose: dispatch the daemon demo's child, parse the command
//! line, run the chosen sections. Every lesson lives in the library.

use std::process::ExitCode;

use clap::Parser;
use common::sections::{self, SectionArgs};
use multithreading::{Config, SECTIONS, daemon, run_section};

/// Notebook 245: threads and synchronization, and what Rust adds.
#[derive(Debug, Parser)]
#[command(name = "multithreading")]
struct Cli {
    #[command(flatten)]
    sections: SectionArgs,
}

fn main() -> anyhow::Result<ExitCode> {
    // The daemon demo (section 7) re-runs this binary as a child whose main
    // returns while a detached thread is still running. Dispatch it first.
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(daemon::CHILD_ARG) {
        daemon::child_main(&args[2..]);
        return Ok(ExitCode::SUCCESS);
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
