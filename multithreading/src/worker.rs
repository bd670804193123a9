//! The child side: this binary re-run as a worker process.
//!
//! Section 7 needs a whole process to end under a running thread, so it
//! starts `<this binary> __worker daemon-child …` ([`common::worker`]).
//! `main` checks for a role before parsing the command line and hands over
//! to [`main`](fn@main) here.

use std::process::ExitCode;

use crate::daemon::{CHILD_ROLE, child_main};

/// Runs the role named in `args` (everything after the hidden argument).
pub fn main(args: &[String]) -> ExitCode {
    match args.split_first() {
        Some((role, rest)) if role == CHILD_ROLE => {
            child_main(rest);
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("error: unknown worker role {args:?}");
            ExitCode::FAILURE
        }
    }
}
