//! `cargo run -p what_is_process_and_threads [SECTION] [--quick]`
//!
//! Thin on purpose: the lessons live in the library, its table of sections
//! (`SECTIONS`) names the function each section runs, and
//! [`common::chapter::Chapter`] does the rest — the same `main` in every
//! chapter.

use std::process::ExitCode;

use common::chapter::Chapter;
use what_is_process_and_threads::{Config, SECTIONS, worker};

fn main() -> anyhow::Result<ExitCode> {
    // Section 5's child processes are this binary re-run as workers:
    // `Chapter::main` hands them to `worker::main` before it parses the
    // command line.
    let about = env!("CARGO_PKG_DESCRIPTION");
    Chapter::new(about, SECTIONS, Config::from_args).worker(worker::main).main()
}
