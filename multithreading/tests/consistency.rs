//! Every sentence the chapter prints about a measurement agrees with the
//! numbers printed beside it — on one CPU, and with every CPU kept busy by
//! other processes, where the effects a lesson teaches are hardest to show.

use std::process::Command;

use check::Machine;
use std::time::Duration;

use common::verdict::{Verdict, compare};

const EXE: &str = env!("CARGO_BIN_EXE_multithreading");

/// The lines of section `number`'s output (banner excluded).
fn section(stdout: &str, number: u32) -> Vec<&str> {
    let start = format!("{number}. ");
    let mut out: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with(&start))
        .skip(2)
        .take_while(|l| !l.starts_with("====="))
        .collect();
    out.pop_if(|l| l.chars().next().is_some_and(|c| c.is_ascii_digit()));
    out
}

/// The duration after `marker` on the line that starts with `label`.
fn duration_after(lines: &[&str], label: &str, marker: &str) -> Duration {
    let line = lines
        .iter()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no {label:?} line in:\n{}", lines.join("\n")));
    let rest = line.split(marker).nth(1).expect(marker);
    let words: Vec<&str> = rest.split_whitespace().take(2).collect();
    check::duration(&words.join(" ")).unwrap_or_else(|| panic!("no duration in {line:?}"))
}

/// The number before " tick" on the line that starts with `label`.
fn ticks(lines: &[&str], label: &str) -> u32 {
    let line = lines.iter().find(|l| l.trim_start().starts_with(label)).expect(label);
    line.split(':')
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no tick count in {line:?}"))
}

/// Section 7: the flag is slower to stop than the channel when the output
/// says so, for the reason it gives, and different tick counts are explained.
fn stop_section(stdout: &str) {
    let lines = section(stdout, 7);
    let text = lines.join("\n");
    let flag = duration_after(&lines, "AtomicBool flag:", "stopped ");
    let channel = duration_after(&lines, "closed channel:", "stopped ");
    // The tick the workers sleep: printed, or the quick run's 10 ms.
    let tick = text
        .split("every ")
        .nth(1)
        .and_then(|rest| {
            let words: Vec<&str> = rest.split_whitespace().take(2).collect();
            check::duration(words.join(" ").trim_end_matches([';', ',']))
        })
        .unwrap_or(Duration::from_millis(10));
    let claims_difference = text.contains("the channel wakes the sleeper at once")
        || text.contains("faster than the flag");
    if claims_difference {
        assert_eq!(
            compare(flag, channel).verdict,
            Verdict::Faster,
            "claims the channel stops sooner: flag {flag:?}, channel {channel:?}\n{text}"
        );
        // The reason given: the flag's worker slept out the rest of a tick.
        assert!(
            flag >= tick / 4,
            "blames the flag's sleep, but it stopped {flag:?} after being asked with a \
             {tick:?} tick:\n{text}"
        );
    } else {
        assert!(text.contains("This run did not show the difference"), "{text}");
    }
    let (flag_ticks, channel_ticks) =
        (ticks(&lines, "AtomicBool flag:"), ticks(&lines, "closed channel:"));
    assert!(
        flag_ticks == channel_ticks || text.contains("The tick counts differ"),
        "{flag_ticks} against {channel_ticks} ticks, unexplained:\n{text}"
    );
}

/// Section 16: the sentence on lost updates states the count printed.
fn counter_section(stdout: &str) {
    let lines = section(stdout, 16);
    let text = lines.join("\n");
    let lost: u64 = lines
        .iter()
        .find(|l| l.contains("RacyCounter"))
        .and_then(|l| l.split_whitespace().rev().nth(1)?.parse().ok())
        .expect("the racy counter's row");
    let said = if lost == 0 {
        "This run lost none".to_string()
    } else {
        format!("This run lost {lost} update")
    };
    assert!(text.contains(&said), "{lost} lost, but:\n{text}");
}

fn consistent(machine: Machine) {
    let run = machine.run(Command::new(EXE).arg("--quick"));
    assert_eq!(run.code, Some(0), "stderr:\n{}", run.stderr);
    let stdout = &run.stdout;
    stop_section(stdout);
    counter_section(stdout);
    // Section 9's speedup, and the 7th's channel-against-flag factor.
    assert!(check::verdicts_agree(stdout) >= 2, "too few verdicts:\n{stdout}");
}

check::consistency_tests!(consistent);

#[test]
fn rust_log_debug_shows_more_as_the_logging_section_says() {
    let lines = |filter: &str| {
        let run = check::run(
            Command::new(EXE).args(["logging", "--quick"]).env("RUST_LOG", filter),
        );
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        assert!(run.stdout.contains("=debug") || run.stdout.contains("RUST_LOG=debug"));
        run.stderr.lines().count()
    };
    let (info, debug) = (lines("info"), lines("debug"));
    assert!(debug > info, "RUST_LOG=debug printed {debug} lines, info {info}");
    assert_eq!(lines("warn"), 2, "RUST_LOG=warn shows only the two failures");
}
