//! `cargo run -p webscraping [SECTION] [--quick] [--json]`, or one of the
//! commands: `serve`, `fetch URL…`, `crawl [URL]`.
//!
//! Thin on purpose: parse the command line, start the local site, run the
//! chosen sections. Every lesson lives in the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use common::sections::{self, SectionArgs};
use webscraping::{Config, Context, SECTIONS, commands, run_section};

/// Notebook 248: web scraping with threads — offline, against a local site.
#[derive(Debug, Parser)]
#[command(name = "webscraping", args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    sections: SectionArgs,
    /// Section 4 prints its records as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the local site alone, and print its URL (open it in a browser).
    Serve {
        /// Latency added to every page.
        #[arg(long, default_value_t = 100)]
        latency_ms: u64,
        /// Number of /pageN pages.
        #[arg(long, default_value_t = 500)]
        pages: usize,
        /// Instead of serving, write the fixture pages into this directory.
        #[arg(long)]
        dump: Option<PathBuf>,
    },
    /// Fetch real URLs (needs the network), one thread each, and print
    /// BeautifulSoup's text length for each.
    Fetch {
        /// The URLs.
        #[arg(required = true)]
        urls: Vec<String>,
        /// Largest body accepted, in bytes.
        #[arg(long, default_value_t = 16 << 20)]
        max_bytes: usize,
        /// Print one JSON record per URL (count, encoding, bytes, error).
        #[arg(long)]
        json: bool,
    },
    /// Crawl from a URL (default: the local site).
    Crawl {
        /// Where to start.
        start: Option<String>,
        /// At most this many pages.
        #[arg(long, default_value_t = 30)]
        max_pages: usize,
        /// Worker threads.
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
        workers: u16,
    },
}

fn main() -> anyhow::Result<ExitCode> {
    let cli: Cli = sections::parse_cli(SECTIONS);
    common::log::init();
    let config = Config {
        quick: cli.sections.quick,
        json: cli.json,
        exe: std::env::current_exe()?,
    };
    match cli.command {
        Some(Command::Serve { latency_ms, pages, dump }) => {
            commands::serve(latency_ms, pages, dump.as_deref())
        }
        Some(Command::Fetch { urls, max_bytes, json }) => {
            commands::fetch(&urls, max_bytes, json)
        }
        Some(Command::Crawl { start, max_pages, workers }) => commands::crawl(
            &Context::start(config)?,
            start,
            max_pages,
            usize::from(workers),
        ),
        None => {
            let chosen = cli.sections.chosen(SECTIONS).unwrap_or_else(|err| err.exit());
            let context = Context::start(config)?;
            if !cli.json
                && let Some(note) = common::report::build_note()
            {
                println!("{note}");
            }
            for section in &chosen {
                run_section(section, &context)?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
