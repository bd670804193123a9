//! `cargo run -p webscraping [SECTION] [--quick] [--json]`, or one of the
//! commands: `serve`, `fetch URL…`, `crawl [URL]`.
//!
//! Thin on purpose: parse the command line, start the local site, run the
//! chosen sections. Every lesson lives in the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use common::sections::{self, SectionArgs};
use webscraping::{Config, Context, SECTIONS, client, crawl, pages, run_section, site};

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
    /// Fetch real URLs (needs the network), one thread each.
    Fetch {
        /// The URLs.
        #[arg(required = true)]
        urls: Vec<String>,
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
            serve(latency_ms, pages, dump)
        }
        Some(Command::Fetch { urls }) => fetch(&urls),
        Some(Command::Crawl { start, max_pages, workers }) => {
            let context = Context::start(config)?;
            let start = start.unwrap_or_else(|| context.site.url("/page0"));
            let client = if start.starts_with(&context.site.base_url()) {
                context.client.clone()
            } else {
                client::build(&client::Limits::default(), false)?
            };
            crawl::run_and_print(&client, &start, max_pages, usize::from(workers))?;
            Ok(ExitCode::SUCCESS)
        }
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

fn serve(
    latency_ms: u64,
    pages_count: usize,
    dump: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    if let Some(dir) = dump {
        std::fs::create_dir_all(&dir)?;
        for (path, html) in pages::fixture_pages() {
            let name = path.trim_matches('/').replace('/', "_");
            std::fs::write(dir.join(format!("{name}.html")), html)?;
        }
        println!("wrote the fixture pages to {}", dir.display());
        return Ok(ExitCode::SUCCESS);
    }
    let site = site::Site::start(site::SiteConfig {
        latency: std::time::Duration::from_millis(latency_ms),
        pages: pages_count,
    })?;
    // The first line is read by section 6, which runs the site this way.
    println!("Serving on {}", site.base_url());
    eprintln!(
        "(press Ctrl-D or Ctrl-C to stop; try {} and {})",
        site.url("/docs/introduction/"),
        site.url("/page0")
    );
    // Serve until stdin closes. A parent that runs this site as a child keeps
    // a pipe to our stdin open; when the parent exits, even killed by
    // SIGKILL, the kernel closes that pipe, and the site exits instead of
    // lingering as an orphan. (With stdin at /dev/null it stops at once.)
    std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink())?;
    eprintln!("stdin closed: stopping the site");
    drop(site);
    Ok(ExitCode::SUCCESS)
}

fn fetch(urls: &[String]) -> anyhow::Result<ExitCode> {
    let client = client::build(&client::Limits::default(), false)?;
    let results = webscraping::lecture::with_threads(&client, urls);
    let mut failed = 0;
    for (url, result) in urls.iter().zip(results) {
        if let Err(err) = result {
            failed += 1;
            eprintln!("{url}: {} ({err})", err.kind());
        }
    }
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
