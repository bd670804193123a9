//! What every chapter's integration tests check the same way: the binary
//! run as a learner runs it (with a time limit, pinned to one CPU, or under
//! load), its banners and its sample output against its README, every
//! printed verdict against its ratio, and the command-line contract. Each
//! function panics with the evidence.
//!
//! A dev-dependency only: none of this is in `common`'s API or in a
//! chapter's build.

use std::io::Read;
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use common::sections::Section;

/// How long one run may take before the test kills it and fails.
pub const RUN_LIMIT: Duration = Duration::from_secs(180);

/// What a finished run printed.
#[derive(Debug)]
pub struct Run {
    /// The process id it ran as.
    pub pid: u32,
    /// The exit code (`None` if a signal ended it).
    pub code: Option<i32>,
    /// Standard output, as text.
    pub stdout: String,
    /// Standard error, as text.
    pub stderr: String,
}

/// Starts `command` with stdin from `/dev/null` and both outputs piped.
fn spawn_piped(command: &mut Command) -> std::process::Child {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| panic!("cannot start {command:?}: {err}"))
}

/// Runs `command` (stdin from `/dev/null`) to its end, or kills it after
/// [`RUN_LIMIT`] and panics.
pub fn run(command: &mut Command) -> Run {
    let mut child = spawn_piped(command);
    // Read both pipes while waiting, so a chatty child never blocks.
    let read = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut bytes = Vec::new();
            pipe.read_to_end(&mut bytes).map(|_| bytes)
        })
    };
    let stdout = read(Box::new(child.stdout.take().expect("piped")));
    let stderr = read(Box::new(child.stderr.take().expect("piped")));
    let text = |reader: thread::JoinHandle<std::io::Result<Vec<u8>>>| {
        let bytes = reader.join().expect("reader thread").expect("reading a pipe");
        String::from_utf8_lossy(&bytes).into_owned()
    };
    let status = match common::child::wait_deadline(&mut child, RUN_LIMIT)
        .expect("waiting for the run")
    {
        Some(status) => status,
        None => {
            child.kill().expect("killing the stuck run");
            child.wait().expect("reaping the stuck run");
            // The pipes closed with the child: the readers end; join them.
            let (stdout, stderr) = (text(stdout), text(stderr));
            panic!("{command:?} ran longer than {RUN_LIMIT:?}\n{stdout}\n{stderr}");
        }
    };
    let pid = child.id();
    Run { pid, code: status.code(), stdout: text(stdout), stderr: text(stderr) }
}

/// Runs `command` as `command | head -n lines` would: reads that many lines
/// of its output, closes the pipe, and waits for it (killing it after
/// [`RUN_LIMIT`]). Then asserts what a reader who stopped reading should see:
/// the run ended with exit code 141 (128 + `SIGPIPE`, `common::stdout`) and
/// said nothing on stderr — no panic, no error caused by the closed pipe.
pub fn stops_quietly_when_output_closes(command: &mut Command, lines: usize) {
    use std::io::BufRead;
    let mut child = spawn_piped(command);
    let mut stderr = child.stderr.take().expect("piped");
    let stderr = thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).map(|_| text)
    });
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("piped"));
    let mut line = String::new();
    for _ in 0..lines {
        line.clear();
        if stdout.read_line(&mut line).expect("reading the output") == 0 {
            break;
        }
    }
    drop(stdout); // the reader goes away, as `head` does
    let status = common::child::wait_deadline(&mut child, RUN_LIMIT)
        .expect("waiting for the run")
        .unwrap_or_else(|| {
            child.kill().expect("killing the stuck run");
            child.wait().expect("reaping the stuck run");
            panic!("{command:?} ran on for {RUN_LIMIT:?} after its output closed")
        });
    let stderr = stderr.join().expect("reader thread").expect("reading stderr");
    assert_eq!(
        status.code(),
        Some(141),
        "{command:?} after {lines} lines: {status}; stderr:\n{stderr}"
    );
    assert!(
        stderr.is_empty(),
        "{command:?} after {lines} lines wrote to stderr:\n{stderr}"
    );
}

/// Runs `command`, asserts it succeeded (showing its stderr if not), and
/// returns its stdout.
pub fn run_ok(command: &mut Command) -> String {
    let run = run(command);
    assert_eq!(run.code, Some(0), "{command:?} failed; stderr:\n{}", run.stderr);
    run.stdout
}

/// Runs a chapter binary (`command` with its arguments) to success and
/// checks its output against the README ([`matches_readme`]); returns its
/// stdout.
pub fn sections_run(command: &mut Command, readme: &str) -> String {
    let stdout = run_ok(command);
    matches_readme(&stdout, readme);
    stdout
}

/// Checks a chapter's output against its README: the banners are the
/// sections its table lists ([`banners_match_readme`]), and its sample run
/// still has the program's shape ([`readme_sample_matches`]). Returns the
/// section numbers.
pub fn matches_readme(stdout: &str, readme: &str) -> Vec<u32> {
    let numbers = banners_match_readme(stdout, readme);
    readme_sample_matches(stdout, readme);
    numbers
}

/// Asserts that `text` contains every one of `expected`, naming the
/// first that is missing.
pub fn contains_all(text: &str, expected: &[&str]) {
    for line in expected {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
}

/// Asserts that the banners in `stdout` are the sections the README's
/// table lists — every one, no other, in order — and returns them.
pub fn banners_match_readme(stdout: &str, readme: &str) -> Vec<u32> {
    let printed = banner_numbers(stdout);
    assert_eq!(
        printed,
        readme_section_numbers(readme),
        "the banners printed are not the README's sections"
    );
    printed
}

/// Runs `command` pinned to one CPU (the first this process may use),
/// as `taskset -c 0` would: the child inherits the CPU set, and so do
/// its threads and its own children.
pub fn run_on_one_cpu(command: &mut Command) -> Run {
    let cpus = common::affinity::allowed_cpus().expect("reading this thread's CPUs");
    // The CPU set is inherited at spawn; this thread gets its own back
    // when the guard drops.
    let _pinned = common::affinity::Pinned::to(cpus[0]).expect("pinning to one CPU");
    run(command)
}

/// Runs `command` while every CPU this process may use is kept busy by
/// another process (one `sh` busy loop per CPU, killed and reaped after),
/// as a learner's machine is while it compiles something else.
pub fn run_under_load(command: &mut Command) -> Run {
    let cpus = common::affinity::allowed_cpus().expect("reading this thread's CPUs");
    let spinners: Vec<common::child::ChildGuard> = cpus
        .iter()
        .map(|_| {
            common::child::ChildGuard::spawn(
                "busy loop",
                Command::new("sh")
                    .args(["-c", "while :; do :; done"])
                    .stdin(Stdio::null()),
            )
            .expect("starting a busy loop")
        })
        .collect();
    let run = run(command);
    drop(spinners); // killed and reaped
    run
}

/// The machine a consistency run sees: a learner's laptop is sometimes one
/// CPU (a small VM, `taskset -c 0`) and often busy (compiling something
/// else). A chapter's verdicts must follow from its numbers on both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Machine {
    /// Pinned to one CPU ([`run_on_one_cpu`]).
    OneCpu,
    /// Every CPU kept busy by another process ([`run_under_load`]).
    Busy,
}

impl Machine {
    /// Runs `command` on this machine.
    pub fn run(self, command: &mut Command) -> Run {
        match self {
            Machine::OneCpu => run_on_one_cpu(command),
            Machine::Busy => run_under_load(command),
        }
    }
}

/// The two consistency tests every chapter has, `verdicts_hold_on_one_cpu`
/// and `verdicts_hold_with_every_cpu_busy`: each calls `$check` (a
/// `fn(Machine)` of the test file) with its [`Machine`].
#[macro_export]
macro_rules! consistency_tests {
    ($check:path) => {
        #[test]
        fn verdicts_hold_on_one_cpu() {
            $check($crate::Machine::OneCpu);
        }

        #[test]
        fn verdicts_hold_with_every_cpu_busy() {
            $check($crate::Machine::Busy);
        }
    };
}

/// Asserts that the README's sample run still has the program's shape:
/// every line of each ```` ```text ```` block under a heading that
/// contains "sample run" (except `…`, which marks an elision) appears
/// in `stdout`, once numbers, durations, PIDs and verdict words are
/// masked (they vary from run to run; labels, rows and methods do not).
pub fn readme_sample_matches(stdout: &str, readme: &str) {
    let printed: std::collections::HashSet<String> = stdout.lines().map(shape).collect();
    let mut checked = 0;
    for line in sample_lines(readme) {
        if line.trim() == "…" || line.trim().is_empty() {
            continue;
        }
        checked += 1;
        assert!(
            printed.contains(&shape(&line)),
            "the README's sample line\n  {line}\nhas no line of the same shape \
             (masked: {:?}) in the output:\n{stdout}",
            shape(&line)
        );
    }
    assert!(checked > 0, "the README has no sample run to check");
}

/// Asserts that every verdict printed in `text` agrees with the ratio
/// printed beside it — `2.0× faster`, `1.05×, a tie`, `0.50×: slower`
/// (the forms of [`common::verdict::Comparison`]) — under
/// [`common::verdict::TIE_BAND`], allowing for the rounding of the
/// printed ratio. Returns how many verdicts it checked.
///
/// ```
/// use check::verdicts_agree;
/// assert_eq!(verdicts_agree("x: 2.0× faster; y: 1.05×, a tie"), 2);
/// ```
///
/// ```should_panic
/// check::verdicts_agree("threads: 0.9×, a tie; 1.0× faster");
/// ```
pub fn verdicts_agree(text: &str) -> usize {
    use common::verdict::{TIE_BAND, Verdict};
    let mut checked = 0;
    for (at, _) in text.match_indices('×') {
        let before = &text[..at];
        let digits = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_digit() || *c == '.')
            .last()
            .map_or(at, |(i, _)| i);
        let Ok(ratio) = before[digits..].parse::<f64>() else { continue };
        let after = &text[at + '×'.len_utf8()..];
        let word = if after.starts_with(" faster") {
            Verdict::Faster
        } else if after.starts_with(", a tie") {
            Verdict::Tie
        } else if after.starts_with(": slower") {
            Verdict::Slower
        } else {
            continue;
        };
        // The printed ratio is rounded to 1 or 2 decimals: any ratio
        // that rounds to it may have produced the word.
        let half = if before[digits..].split('.').nth(1).is_some_and(|d| d.len() >= 2) {
            0.005
        } else {
            0.05
        };
        let possible = [ratio - half, ratio, ratio + half].map(Verdict::of_ratio);
        assert!(
            possible.contains(&word),
            "`{}× {}` contradicts its ratio (the tie band is 1/{TIE_BAND}..{TIE_BAND}):\n{text}",
            &before[digits..],
            word.word()
        );
        checked += 1;
    }
    checked
}

/// The duration a chapter printed with [`common::timing::HumanDuration`]
/// (`850 ns`, `12.3 µs`, `4.56 ms`, `1.23 s`, `2 m 05 s`), or `None`.
///
/// ```
/// use std::time::Duration;
/// use check::duration;
/// assert_eq!(duration("4.56 ms"), Some(Duration::from_micros(4560)));
/// assert_eq!(duration("2 m 05 s"), Some(Duration::from_secs(125)));
/// assert_eq!(duration("4 threads"), None);
/// ```
pub fn duration(text: &str) -> Option<Duration> {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        [minutes, "m", seconds, "s"] => Some(Duration::from_secs(
            minutes.parse::<u64>().ok()? * 60 + seconds.parse::<u64>().ok()?,
        )),
        [number, unit] => {
            let scale = match *unit {
                "ns" => 1e-9,
                "µs" => 1e-6,
                "ms" => 1e-3,
                "s" => 1.0,
                _ => return None,
            };
            Some(Duration::from_secs_f64(number.parse::<f64>().ok()? * scale))
        }
        _ => None,
    }
}

/// The lines of the ```` ```text ```` blocks under "sample run" headings.
fn sample_lines(readme: &str) -> Vec<String> {
    let (mut lines, mut in_sample, mut in_block) = (Vec::new(), false, false);
    for line in readme.lines() {
        if line.starts_with('#') {
            in_sample = line.to_lowercase().contains("sample run");
        } else if line.trim_start().starts_with("```") {
            in_block = !in_block && in_sample && line.trim() == "```text";
        } else if in_block {
            lines.push(line.to_string());
        }
    }
    lines
}

/// A line with what varies from run to run masked: every number
/// (with its unit, if it is a duration or a size) becomes `#`, verdict
/// words become `<verdict>`, a table's rule of dashes becomes `---`, and
/// runs of spaces become one.
///
/// ```
/// use check::shape;
/// assert_eq!(shape("  rayon, 2 threads    918 µs      1.7×"), "rayon, # threads # #×");
/// assert_eq!(shape("took 1.02 ms, 3.0× faster"), shape("took 850 ns, 1.05× a tie"));
/// assert_eq!(shape("x: 1.05×, a tie."), shape("x: 0.50×: slower."));
/// ```
pub fn shape(line: &str) -> String {
    const UNITS: [&str; 12] =
        ["ns", "µs", "ms", "s", "m", "KiB", "MiB", "GiB", "KB", "MB", "GB", "B"];
    let mut numbers_masked = String::new();
    let mut chars = line.trim().chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            while chars
                .peek()
                .is_some_and(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '_'))
            {
                chars.next();
            }
            numbers_masked.push('#');
        } else {
            numbers_masked.push(c);
        }
    }
    let mut tokens: Vec<&str> = Vec::new();
    for token in numbers_masked.split_whitespace() {
        // A table's rule is as wide as its widest cell, which varies.
        if token.len() > 1 && token.chars().all(|c| c == '-') {
            tokens.push("---");
            continue;
        }
        let unit = token.trim_end_matches([',', ';', ')', ':', '.']);
        if tokens.last() == Some(&"#") && UNITS.contains(&unit) {
            continue;
        }
        tokens.push(token);
    }
    let joined = tokens.join(" ").replace("a tie", "<verdict>");
    let joined = joined.replace("faster", "<verdict>").replace("slower", "<verdict>");
    // `Comparison`'s forms: "2.0× faster", "1.05×, a tie", "0.50×: slower".
    joined
        .replace("#×, <verdict>", "#× <verdict>")
        .replace("#×: <verdict>", "#× <verdict>")
}

/// The command-line contract of a chapter binary: `--help` lists every
/// section by number and name; an unknown section is one line on stderr
/// and exit code 2, never a panic; an unknown worker role fails with a
/// message, never a panic.
pub fn command_line<C>(exe: &str, sections: &[Section<C>]) {
    let help = run_ok(Command::new(exe).arg("--help"));
    for section in sections {
        let row = format!("{:>2}  {}", section.number, section.name);
        assert!(help.contains(&row), "--help lacks `{row}`:\n{help}");
    }

    let bad = run(Command::new(exe).arg("no-such-section"));
    assert_eq!(bad.code, Some(2), "stderr: {}", bad.stderr);
    assert!(bad.stderr.contains("no section `no-such-section`"), "{}", bad.stderr);
    assert_eq!(bad.stderr.trim_end().lines().count(), 1, "{}", bad.stderr);
    assert!(bad.stdout.is_empty(), "printed before failing: {}", bad.stdout);

    let role = run(Command::new(exe).args([common::worker::WORKER_ARG, "no-such-role"]));
    assert_ne!(role.code, Some(0), "an unknown worker role succeeded");
    assert!(!role.stderr.is_empty(), "an unknown worker role failed silently");
    assert!(!role.stderr.contains("panicked"), "{}", role.stderr);
}

/// The section numbers of every [`banner`](common::report::banner) in a
/// run's output, in order — the inverse of `banner`, for tests that check a
/// chapter printed all its sections.
///
/// ```
/// use check::banner_numbers;
/// use common::report::banner;
/// let out = format!("{}\nbody\n1. not a banner\n{}", banner(1, "a"), banner(2, "b"));
/// assert_eq!(banner_numbers(&out), [1, 2]);
/// ```
pub fn banner_numbers(output: &str) -> Vec<u32> {
    let rule = "=".repeat(50);
    let lines: Vec<&str> = output.lines().collect();
    lines
        .windows(3)
        .filter(|w| w[0] == rule && w[2] == rule)
        .filter_map(|w| w[1].split_once(". ")?.0.parse().ok())
        .collect()
}

/// The section numbers a chapter README's section table lists, in order.
///
/// The section table is the Markdown table whose header starts with `| §`;
/// its rows start with the section's number. Each chapter's CLI test runs the
/// binary and compares these numbers with [`banner_numbers`] of its output,
/// so the README's table cannot drift from what the program prints.
///
/// ```
/// use check::readme_section_numbers;
/// let readme = "intro\n\n| § | notebook | Rust |\n|---|---|---|\n| 1 | a | b |\n| 2 | c | d |\n\n| 9 | not | this |";
/// assert_eq!(readme_section_numbers(readme), [1, 2]);
/// ```
pub fn readme_section_numbers(readme: &str) -> Vec<u32> {
    readme
        .lines()
        .skip_while(|line| !line.trim_start().starts_with("| §"))
        .skip(2) // the header and the |---| line
        .take_while(|line| line.trim_start().starts_with('|'))
        .filter_map(|line| {
            line.trim().trim_start_matches('|').split('|').next()?.trim().parse().ok()
        })
        .collect()
}
