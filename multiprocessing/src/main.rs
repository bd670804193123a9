//! `cargo run -p multiprocessing [SECTION] [--quick]`
//!
//! Thin on purpose: the lessons live in the library, its table of sections
//! (`SECTIONS`) names the function each section runs, and
//! [`common::chapter::Chapter`] does the rest — the same `main` in every
//! chapter.

use std::process::ExitCode;

use common::chapter::Chapter;
use multiprocessing::{SCALE, SECTIONS, worker};

fn main() -> anyhow::Result<ExitCode> {
    // Every child process of this chapter is this binary re-run as a worker
    // (Python's `spawn` start method): `Chapter::main` hands it to
    // `worker::main` before it parses the command line.
    let about = env!("CARGO_PKG_DESCRIPTION");
    Chapter::scaled(about, SECTIONS, SCALE).worker(worker::main).main()
}
