//! `cargo run -p multithreading [SECTION] [--quick]`
//!
//! Thin on purpose: the lessons live in the library, its table of sections
//! (`SECTIONS`) names the function each section runs, and
//! [`common::chapter::Chapter`] does the rest — the same `main` in every
//! chapter.

use std::process::ExitCode;

use common::chapter::Chapter;
use multithreading::{SCALE, SECTIONS, worker};

fn main() -> anyhow::Result<ExitCode> {
    // The daemon demo (section 7) re-runs this binary as a child whose main
    // returns while a detached thread is still running: `Chapter::main`
    // hands it to `worker::main` before it parses the command line.
    let about = env!("CARGO_PKG_DESCRIPTION");
    Chapter::scaled(about, SECTIONS, SCALE).worker(worker::main).main()
}
