//! `cargo run -p webscraping [SECTION] [--quick] [--json]`, or one of the
//! commands: `serve`, `fetch URL…`, `crawl [URL]`.
//!
//! Thin on purpose: the command line and the commands are in
//! [`webscraping::commands`], every lesson lives in the library, and its
//! table of sections ([`webscraping::SECTIONS`]) says which function runs
//! each.

use std::process::ExitCode;

use common::sections::{self, Framing};
use webscraping::commands::Cli;
use webscraping::{Config, Context, SECTIONS};

fn main() -> anyhow::Result<ExitCode> {
    let cli: Cli = sections::parse_cli(SECTIONS);
    cli.check().unwrap_or_else(|err| sections::exit_on_one_line(err));
    let mut config = Config::new(cli.sections.quick, std::env::current_exe()?);
    if let Some(command) = cli.command {
        return command.run(config);
    }
    config.json = cli.json;
    // With --json, section 4's output is pure JSON: no note, no banner.
    let framing = if cli.json { Framing::Bare } else { Framing::Banners };
    // Every section scrapes the local site, started here once.
    let context = Context::start(config)?;
    sections::run(SECTIONS, &cli.sections, &context, framing)
}
