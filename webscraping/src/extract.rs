//! Section 4: what a scraper extracts — title, headings, links resolved
//! against the page's URL, text length — as a table, or as JSON (`--json`).

use common::report::Table;
use reqwest::blocking::Client;

use crate::Context;
use crate::client::{Limits, fetch};
use crate::pages::{LECTURE_PATHS, page_path};
use crate::text::{PageInfo, extract};

/// Fetches and extracts each URL (on scoped threads, one per URL); results
/// in URL order, errors as strings.
pub fn extract_all(client: &Client, urls: &[String]) -> Vec<Result<PageInfo, String>> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = urls
            .iter()
            .map(|url| {
                scope.spawn(move || {
                    // Html is not Send: parse here, return owned PageInfo.
                    let page = fetch(client, url, &Limits::default())
                        .map_err(|e| e.to_string())?;
                    let mut info = extract(&page.url, &page.body);
                    info.encoding = Some(page.encoding);
                    Ok(info)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("extraction panicked".into())))
            .collect()
    })
}

/// Section 4.
pub fn show(context: &Context) -> anyhow::Result<()> {
    let mut urls: Vec<String> =
        LECTURE_PATHS.iter().map(|p| context.site.url(p)).collect();
    urls.extend((0..3).map(|i| context.site.url(&page_path(i))));
    let results = extract_all(&context.client, &urls);
    if context.config.json {
        let records: Vec<&PageInfo> =
            results.iter().filter_map(|r| r.as_ref().ok()).collect();
        println!("{}", serde_json::to_string_pretty(&records)?);
        return Ok(());
    }
    let mut table = Table::new([
        "page",
        "title",
        "headings",
        "links",
        "text chars",
        "encoding",
        "first link",
    ]);
    table.left_align(0).left_align(1).left_align(5).left_align(6);
    for (url, result) in urls.iter().zip(&results) {
        let path = url.trim_start_matches(&context.site.base_url()).to_string();
        match result {
            Ok(info) => table.row([
                path,
                info.title.clone(),
                info.headings.len().to_string(),
                info.links.len().to_string(),
                info.text_chars.map_or_else(|| "(rejected)".into(), |n| n.to_string()),
                info.encoding.clone().unwrap_or_default(),
                info.links.first().cloned().unwrap_or_default(),
            ]),
            Err(err) => table.row([
                path,
                format!("error: {err}"),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]),
        };
    }
    println!("{table}");
    println!(
        "Links are absolute: \"../concepts/\" on /docs/introduction/ became /docs/concepts/,\n\
         fragments dropped, duplicates removed. `--json` prints the same records as JSON."
    );
    Ok(())
}
