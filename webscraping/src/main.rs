//! `cargo run -p webscraping [SECTION] [--quick] [--json]`, or one of the
//! commands: `serve`, `fetch URL…`, `crawl [URL]`.
//!
//! Thin on purpose: the options and the commands are in
//! [`webscraping::commands`], every lesson lives in the library, its table
//! of sections ([`webscraping::SECTIONS`]) says which function runs each,
//! and [`common::chapter::Chapter`] does the rest — the same `main` in
//! every chapter.

use std::process::ExitCode;

use common::chapter::Chapter;
use webscraping::commands::{Command, Options};
use webscraping::{Config, Context, SECTIONS};

fn main() -> anyhow::Result<ExitCode> {
    // `Config::from_args` checks `--json` before any output; every section
    // scrapes the local site, which `Context::start` starts once; with
    // `--json`, section 4's output is pure JSON (no note, no banner).
    let about = env!("CARGO_PKG_DESCRIPTION");
    Chapter::checked(about, SECTIONS, Config::from_args)
        .start(Context::start)
        .framing(Options::framing)
        .commands(Command::run)
        .main()
}
