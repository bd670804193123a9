//! The binary, as a learner runs it. Offline: only the local site is used.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use assert_cmd::Command as AssertCommand;
use predicates::prelude::*;

const EXE: &str = env!("CARGO_BIN_EXE_webscraping");

fn webscraping() -> AssertCommand {
    let mut cmd = AssertCommand::new(EXE);
    cmd.timeout(Duration::from_secs(120));
    cmd
}

#[test]
fn full_quick_run_shows_every_section() {
    let output = webscraping().arg("--quick").output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(common::report::banner_numbers(&stdout), (0..=6).collect::<Vec<_>>());
    for expected in [
        "Fetched 1957 characters from http://127.0.0.1:",
        "Fetched 2747 characters from",
        "Fetched 1567 characters from",
        "Scraped 10 pages in",
        "8 URLs, 8 results",
        "redirect loop",
        "invalid UTF-8",
        "too large",
        "pages in",
        "async: tokio",
    ] {
        assert!(stdout.contains(expected), "missing {expected:?} in:\n{stdout}");
    }
}

#[test]
fn json_output_is_valid_json_with_one_record_per_page() {
    let output = webscraping().args(["extract", "--json", "--quick"]).output().unwrap();
    assert!(output.status.success());
    let records: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("pure JSON on stdout");
    let records = records.as_array().unwrap();
    assert_eq!(records.len(), 6);
    assert_eq!(records[0]["title"], "Introduction | Local Docs");
    assert_eq!(records[0]["text_chars"], 1957);
}

#[test]
fn crawl_command_respects_max_pages() {
    webscraping()
        .args(["crawl", "--max-pages", "7", "--workers", "3"])
        .assert()
        .success()
        .stdout(predicate::str::contains("7 pages in"));
}

#[test]
fn fetch_reports_an_unreachable_url_and_fails() {
    // Port 1 on loopback: refused at once, no internet involved.
    webscraping()
        .args(["fetch", "http://127.0.0.1:1/"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("connect"));
}

#[test]
fn bad_arguments_exit_2() {
    webscraping()
        .arg("gil")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no section"));
    webscraping().args(["crawl", "--workers", "0"]).assert().code(2);
}

#[test]
fn serve_prints_a_loopback_url_that_serves_pages() {
    let mut child = Command::new(EXE)
        .args(["serve", "--latency-ms", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");
    let client = webscraping::client::build(&Default::default(), true).unwrap();
    let page = webscraping::client::fetch(
        &client,
        &format!("{url}/docs/concepts/"),
        &Default::default(),
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(page.unwrap().body.contains("Conceptual guide"));
}
