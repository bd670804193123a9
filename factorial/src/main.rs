//! `cargo run -p factorial [SECTION] [--n N] [--workers W] [--method M] [--print-digits] [--allow-long] [--quick]`
//!
//! Thin on purpose: the options are [`factorial::cli::Options`], every
//! lesson lives in the library, its table of sections
//! ([`factorial::SECTIONS`]) says which function runs each, and
//! [`common::chapter::Chapter`] does the rest — the same `main` in every
//! chapter.

use std::process::ExitCode;

use common::chapter::Chapter;
use factorial::{Config, SECTIONS, worker};

fn main() -> anyhow::Result<ExitCode> {
    // `Config::from_args` checks the options and estimates the run before
    // any output; `start_rayon` sizes rayon's pool before the first
    // section; pool workers are this binary re-run with a hidden argument,
    // handed to `worker::main` before the command line is parsed.
    let about = env!("CARGO_PKG_DESCRIPTION");
    Chapter::checked(about, SECTIONS, Config::from_args)
        .start(Config::start_rayon)
        .worker(worker::main)
        .main()
}
