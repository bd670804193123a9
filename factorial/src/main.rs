//! `cargo run -p factorial [SECTION] [--n N] [--workers W] [--method M] [--print-digits] [--allow-long] [--quick]`
//!
//! Thin on purpose: the command line is [`factorial::cli::Cli`], every lesson
//! lives in the library, and its table of sections
//! ([`factorial::SECTIONS`]) says which function runs each.

use std::process::ExitCode;

use common::sections::{self, Framing};
use factorial::cli::Cli;
use factorial::{SECTIONS, worker};

fn main() -> anyhow::Result<ExitCode> {
    // Pool workers are this binary re-run with a hidden argument: check for
    // one before parsing the user's command line.
    if let Some(role) = common::worker::role() {
        return Ok(worker::main(&role));
    }
    let cli: Cli = sections::parse_cli(SECTIONS);
    cli.check().unwrap_or_else(|err| sections::exit_on_one_line(err));
    // Before any output: a run estimated past a few minutes is refused here.
    let speed = cli.plan().unwrap_or_else(|err| sections::exit_on_one_line(err));
    let mut config = cli.config(std::env::current_exe()?);
    config.speed = speed;
    sections::run(SECTIONS, &cli.sections, &config, Framing::Banners)
}
