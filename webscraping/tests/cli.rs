//! The binary, as a learner runs it. Offline: only the local site is used.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

const EXE: &str = env!("CARGO_BIN_EXE_webscraping");
const README: &str = include_str!("../README.md");

/// Starts `command`, a `serve` that runs until its stdin closes; the child,
/// and the first line it printed (the URL it serves).
fn serve(command: &mut Command) -> (common::child::ChildGuard, String) {
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null());
    let mut child = common::child::ChildGuard::spawn("site", command).unwrap();
    let mut line = String::new();
    BufReader::new(child.take_stdout().unwrap()).read_line(&mut line).unwrap();
    (child, line)
}

#[test]
fn full_quick_run_shows_every_section() {
    // The banners and the README's sample run are checked against the
    // README, then the notebook's lines.
    let stdout = check::sections_run(Command::new(EXE).arg("--quick"), README);
    check::contains_all(
        &stdout,
        &[
            "Fetched 1957 characters from http://127.0.0.1:",
            "Fetched 2747 characters from",
            "Fetched 1567 characters from",
            "Scraped 10 pages in",
            "Scraped 6 pages",
            "6 URLs, 6 results, 3 workers",
            "completion order: ",
            "redirect loop",
            // The lecture's environment: charset_normalizer's guesses.
            "Counts follow BeautifulSoup after `pip install requests beautifulsoup4`",
            "15 characters (cp1006; header: utf-8)",
            "14 characters (windows-1250; header: iso-8859-1)",
            "too large",
            "pages in",
            "async: tokio",
        ],
    );
}

#[test]
fn env_plain_reads_undeclared_pages_as_beautifulsoup_alone_does() {
    let stdout =
        check::run_ok(Command::new(EXE).args(["robust", "--quick", "--env", "plain"]));
    check::contains_all(
        &stdout,
        &[
            "15 characters (windows-1252; header: utf-8)",
            "14 characters (windows-1252; header: iso-8859-1)",
            "Without a charset detector (--env plain)",
        ],
    );
    let lecture =
        check::run_ok(Command::new(EXE).args(["0", "--quick", "--env", "plain"]));
    check::contains_all(
        &lecture,
        &["Counts follow BeautifulSoup after `pip install beautifulsoup4`:"],
    );
    // An unknown environment: clap's one-line error and exit code 2.
    let run =
        check::run(Command::new(EXE).args(["fetch", "--env", "conda", "http://x.test/"]));
    assert_eq!(run.code, Some(2));
    check::contains_all(&run.stderr, &["unknown environment \"conda\""]);
}

#[test]
fn json_output_is_valid_json_with_one_record_per_page() {
    let stdout = check::run_ok(Command::new(EXE).args(["extract", "--json", "--quick"]));
    let records: serde_json::Value =
        serde_json::from_str(&stdout).expect("pure JSON on stdout");
    let records = records.as_array().unwrap();
    assert_eq!(records.len(), 6);
    assert_eq!(records[0]["title"], "Introduction | Local Docs");
    assert_eq!(records[0]["text_chars"], 1957);
}

#[test]
fn crawl_command_respects_max_pages() {
    let stdout = check::run_ok(Command::new(EXE).args([
        "crawl",
        "--max-pages",
        "7",
        "--workers",
        "3",
    ]));
    assert!(stdout.contains("7 pages in"), "{stdout}");
}

#[test]
fn fetch_reports_an_unreachable_url_and_fails() {
    // Port 1 on loopback: refused at once, no internet involved.
    let run = check::run(Command::new(EXE).args(["fetch", "http://127.0.0.1:1/"]));
    assert_eq!(run.code, Some(1));
    // The cause, not only "error sending request": like curl.
    check::contains_all(&run.stderr, &["connect", "Connection refused"]);
    // --json: one record per URL, the error with its causes.
    let run = check::run(Command::new(EXE).args([
        "fetch",
        "--json",
        "--max-bytes",
        "1000",
        "http://127.0.0.1:1/",
    ]));
    let records: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(records.as_array().map(Vec::len), Some(1));
    assert!(records[0]["error"].as_str().unwrap().contains("Connection refused"));
    assert!(records[0]["chars"].is_null());
}

#[test]
fn fetch_json_is_pure_json_and_names_its_environment() {
    let (_site, line) = serve(Command::new(EXE).args(["serve", "--latency-ms", "0"]));
    let url = format!("{}/fault/big5", line.trim().rsplit(' ').next().unwrap());
    // Big5 that only the header names: the lecture's bs4 guesses Big5 (21
    // characters); bs4 alone reads windows-1252, one character per byte.
    for (env, chars, encoding, header) in [
        ("requests", 21, "big5", serde_json::Value::Null),
        ("plain", 42, "windows-1252", serde_json::Value::from("big5")),
    ] {
        let stdout = check::run_ok(
            Command::new(EXE).args(["fetch", "--json", "--env", env, &url]),
        );
        let records: serde_json::Value =
            serde_json::from_str(&stdout).unwrap_or_else(|err| {
                panic!("--json printed more than JSON ({err}): {stdout}")
            });
        let record = &records[0];
        assert_eq!(record["chars"], chars, "{env}");
        assert_eq!(record["encoding"], encoding, "{env}");
        assert_eq!(record["header_charset"], header, "{env}");
        assert_eq!(record["environment"], env);
    }
}

/// Runs the binary with `args` and asserts a bad argument's contract: exit
/// code 2, one line on stderr containing every one of `expected`, no stdout,
/// no panic.
fn refused_in_one_line(args: &[&str], expected: &[&str]) {
    let run = check::run(Command::new(EXE).args(args));
    assert_eq!(run.code, Some(2), "{args:?}: {}", run.stderr);
    check::contains_all(&run.stderr, expected);
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{args:?}: {}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{args:?}: {}", run.stderr);
    assert!(run.stdout.is_empty(), "{args:?} printed before failing: {}", run.stdout);
}

#[test]
fn a_bad_url_is_one_line_naming_the_argument_and_what_a_url_looks_like() {
    for args in
        [&["fetch", "not-a-url"][..], &["fetch", "https://example.com/", "example.com"]]
    {
        let bad = args[args.len() - 1];
        refused_in_one_line(
            args,
            &[bad, "<URLS>", "not a URL", "https://example.com/page"],
        );
    }
    refused_in_one_line(
        &["crawl", "not-a-url"],
        &["not-a-url", "[START]", "not a URL", "https://example.com/page"],
    );
    refused_in_one_line(&["crawl", "ftp://example.com/"], &["[START]", "ftp: URLs"]);
    for args in [&["fetch", "not-a-url"][..], &["crawl", "not-a-url"]] {
        let run = check::run(Command::new(EXE).args(args));
        for jargon in ["builder error", "other:", "relative URL without a base"] {
            assert!(!run.stderr.contains(jargon), "{args:?}: {}", run.stderr);
        }
    }
}

#[test]
fn an_option_nothing_chosen_uses_is_an_error_naming_it() {
    refused_in_one_line(&["--json"], &["--json", "extract"]);
    refused_in_one_line(&["lecture", "--json"], &["--json", "extract"]);
    refused_in_one_line(&["serve", "--dump", "unused-dir", "--pages", "3"], &["--pages"]);
    refused_in_one_line(&["crawl", "--max-pages", "0"], &["--max-pages", "do nothing"]);
    refused_in_one_line(&["serve", "--pages", "0"], &["--pages", "do nothing"]);
    assert!(!std::path::Path::new("unused-dir").exists());
}

#[test]
fn crawl_and_fetch_both_fail_when_every_page_failed() {
    // Port 9 on loopback (discard): nothing listens, refused at once.
    let url = "http://127.0.0.1:9/";
    for args in [["fetch", url], ["crawl", url]] {
        let run = check::run(Command::new(EXE).args(args));
        assert_eq!(run.code, Some(1), "{args:?}: {}\n{}", run.stdout, run.stderr);
        assert!(!run.stderr.contains("panicked"), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn bad_arguments_exit_2() {
    // --help lists every section; a bad section is a one-line error.
    check::command_line(EXE, webscraping::SECTIONS);
    let zero = check::run(Command::new(EXE).args(["crawl", "--workers", "0"]));
    assert_eq!(zero.code, Some(2), "{}", zero.stderr);
}

#[test]
fn serve_prints_a_loopback_url_that_serves_pages_until_its_stdin_closes() {
    let (mut child, line) = serve(Command::new(EXE).args(["serve", "--latency-ms", "0"]));
    let url = line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");
    let client = webscraping::client::build(
        &Default::default(),
        webscraping::client::Network::Loopback,
    )
    .unwrap();
    let page = webscraping::client::fetch(
        &client,
        &format!("{url}/docs/concepts/"),
        &Default::default(),
    );
    assert!(page.unwrap().body.contains("Conceptual guide"));
    // The URL it prints, as printed (what a learner opens in a browser),
    // answers 200 with an index that links the pages.
    let index = webscraping::client::fetch(&client, &url, &Default::default())
        .unwrap_or_else(|err| panic!("{url} did not answer with a page: {err}"));
    check::contains_all(
        &index.body,
        &["href=\"/docs/introduction/\"", "href=\"/page0\"", "/fault/hang"],
    );
    // Closing its stdin — what happens when the parent dies, even by
    // SIGKILL — stops the site: no orphan server.
    drop(child.take_stdin());
    let status = child.wait_timeout(std::time::Duration::from_secs(10)).unwrap();
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
}

/// CPU time (user + system, in clock ticks) the process has used.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised name: state is the 1st, utime the 12th.
    let fields: Vec<&str> =
        stat.rsplit_once(") ").map_or(Vec::new(), |(_, rest)| rest.split(' ').collect());
    let field = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    field(11) + field(12)
}

#[test]
fn a_site_out_of_file_descriptors_backs_off_instead_of_spinning() {
    // The site alone, allowed only 16 open files: a few idle connections use
    // them up, and accept() fails with EMFILE for every connection after.
    let (mut site, line) = serve(Command::new("sh").args([
        "-c",
        r#"ulimit -n 16 && exec "$0" serve --latency-ms 0"#,
        EXE,
    ]));
    let addr = line.trim().rsplit("//").next().unwrap().to_string();
    // Idle connections (no request sent): the handlers wait for one, each
    // holding a descriptor; the rest wait in the listen queue.
    let idle: Vec<_> =
        (0..30).filter_map(|_| std::net::TcpStream::connect(&addr).ok()).collect();
    assert!(idle.len() > 16, "only {} connections", idle.len());
    std::thread::sleep(Duration::from_millis(200)); // the acceptor meets EMFILE
    let before = cpu_ticks(site.id());
    std::thread::sleep(Duration::from_secs(1));
    let used = cpu_ticks(site.id()) - before;
    // A loop retrying accept() at once burns the whole second (~100 ticks);
    // backing off 50 ms between tries costs next to nothing.
    assert!(
        used < 30,
        "the site used {used} ticks of CPU in 1 s while out of descriptors"
    );
    drop(idle);
    drop(site.take_stdin()); // the site exits when its stdin closes
    let status = site.wait_timeout(Duration::from_secs(15)).unwrap();
    assert!(status.is_some(), "the site did not exit");
}

/// `cargo run -p <chapter> | head -3`: the reader stops reading; the run
/// stops too, with exit code 141 and nothing on stderr — no panic, and no
/// error from a child process that printed into the same closed pipe.
#[test]
fn closing_the_output_early_stops_the_run_quietly() {
    for lines in [3, 40] {
        check::stops_quietly_when_output_closes(Command::new(EXE).arg("--quick"), lines);
    }
}
