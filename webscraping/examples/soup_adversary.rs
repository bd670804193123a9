//! Times the soup on each adversarial page (`webscraping::soup::adversary`),
//! and can write the pages out for `python/soup_adversary.py`, which times
//! BeautifulSoup on the same files.
//!
//! ```text
//! cargo run --release -p webscraping --example soup_adversary -- [SIZE] [--dump DIR]
//! ```
//!
//! SIZE is in bytes (default 1048576). Each page is parsed three times; the
//! fastest run is printed, with the work the parse took.

use std::time::Instant;

use webscraping::soup::{self, adversary::FAMILIES};

fn main() {
    let mut size = 1 << 20;
    let mut dump = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--dump" {
            let Some(dir) = args.next() else {
                eprintln!("error: --dump needs a directory");
                std::process::exit(2);
            };
            dump = Some(std::path::PathBuf::from(dir));
        } else if let Ok(bytes) = arg.parse::<usize>() {
            size = bytes;
        } else {
            eprintln!("error: SIZE must be a number of bytes, got '{arg}'");
            std::process::exit(2);
        }
    }
    if let Some(dir) = &dump
        && let Err(err) = std::fs::create_dir_all(dir)
    {
        eprintln!("error: --dump {}: {err}", dir.display());
        std::process::exit(1);
    }
    println!(
        "{:<22} {:>10} {:>9} {:>12} {:>10} {:>7}",
        "page", "bytes", "count", "work", "work/byte", "time"
    );
    for family in FAMILIES {
        let page = family.page(size);
        if let Some(dir) = &dump {
            let path = dir.join(format!("{}.html", family.name));
            if let Err(err) = std::fs::write(&path, &page) {
                eprintln!("error: {}: {err}", path.display());
                std::process::exit(1);
            }
        }
        let mut best = f64::INFINITY;
        let mut result = None;
        for _ in 0..3 {
            let started = Instant::now();
            let parsed = soup::text_len_within(&page, soup::default_budget(page.len()));
            best = best.min(started.elapsed().as_secs_f64());
            result = Some(parsed);
        }
        match result {
            Some(Ok(parsed)) => println!(
                "{:<22} {:>10} {:>9} {:>12} {:>10.2} {:>5.1} ms",
                family.name,
                page.len(),
                parsed.text_len,
                parsed.work,
                parsed.work as f64 / page.len() as f64,
                best * 1e3
            ),
            Some(Err(err)) => {
                println!("{:<22} {:>10} error: {err}", family.name, page.len())
            }
            None => {}
        }
    }
}
