//! Every sentence the chapter prints about a measurement agrees with the
//! numbers printed beside it — on one CPU, and with every CPU kept busy by
//! other processes, where the effects a lesson teaches are hardest to show.

use std::process::Command;

use check::Machine;

use common::verdict::{TIE_BAND, Verdict};

const EXE: &str = env!("CARGO_BIN_EXE_what_is_process_and_threads");

/// The lines of section `number`'s output (banner excluded).
fn section(stdout: &str, number: u32) -> Vec<&str> {
    let start = format!("{number}. ");
    let mut lines = stdout.lines().skip_while(|l| !l.starts_with(&start)).skip(2);
    let mut out = Vec::new();
    for line in lines.by_ref() {
        if line.starts_with("=====") {
            break;
        }
        out.push(line);
    }
    out.pop_if(|l| l.chars().next().is_some_and(|c| c.is_ascii_digit()));
    out
}

/// The speedup printed at the end of the table row labelled `label`.
fn row_speedup(lines: &[&str], label: &str) -> f64 {
    let row = lines
        .iter()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no row {label:?} in:\n{}", lines.join("\n")));
    row.split_whitespace()
        .find_map(|word| word.strip_suffix('×')?.parse().ok())
        .unwrap_or_else(|| panic!("no speedup in {row:?}"))
}

/// The bars of the timeline that follows the line containing `after`:
/// (lane, cells between the `│`s).
fn bars<'a>(lines: &[&'a str], after: &str) -> Vec<(&'a str, Vec<char>)> {
    let from = lines
        .iter()
        .position(|l| l.contains(after))
        .unwrap_or_else(|| panic!("no {after:?} in:\n{}", lines.join("\n")));
    lines[from..]
        .iter()
        .skip_while(|l| !l.contains('│'))
        .take_while(|l| l.contains('│'))
        .map(|l| {
            let (lane, rest) = l.split_once('│').expect("a bar");
            (lane.trim(), rest.trim_end_matches('│').chars().collect())
        })
        .collect()
}

/// Section 3: the free threads' sentences agree with their bars and with
/// the speedup in the table.
fn gil_section(stdout: &str, one_cpu: bool) {
    let lines = section(stdout, 3);
    let text = lines.join("\n");
    let free = bars(&lines, "Free threads");
    assert_eq!(free.len(), 4, "{text}");
    if text.contains("spans the whole run") {
        for (lane, cells) in &free {
            let filled = cells.iter().filter(|&&c| c != '·').count();
            assert!(
                filled * 10 >= cells.len() * 9,
                "says each bar spans the whole run, but {lane} fills {filled} of {} \
                 columns:\n{text}",
                cells.len()
            );
        }
    }
    // "at most N of the 4 bars overlap": some column shows N bars at once.
    let claimed: usize = text
        .split("at most ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no overlap stated:\n{text}"));
    let width = free[0].1.len();
    let most_in_a_column = (0..width)
        .map(|col| free.iter().filter(|(_, cells)| cells[col] != '·').count())
        .max()
        .unwrap_or(0);
    assert!(
        (1..=most_in_a_column).contains(&claimed),
        "claims {claimed} bars overlap; the chart shows at most {most_in_a_column}:\n{text}"
    );

    // The verdict on the free threads is the table's ratio, and a parallel
    // claim needs a speedup on more than one CPU.
    let ratio = row_speedup(&lines, "4 free threads");
    let verdict_line = lines
        .iter()
        .find(|l| l.starts_with("Free threads vs serial:"))
        .unwrap_or_else(|| panic!("no verdict on the free threads:\n{text}"));
    let printed: f64 = verdict_line
        .split_whitespace()
        .find_map(|w| w.trim_end_matches([',', ':', '.']).strip_suffix('×')?.parse().ok())
        .expect("a ratio in the verdict");
    assert!(
        (printed - ratio).abs() <= 0.06 + 0.02 * ratio,
        "the verdict says {printed}×, the table {ratio}×:\n{text}"
    );
    let parallel = text.contains("computed in parallel");
    // Parallelism shows only against the GIL run too, which cannot have it.
    let against_gil = ratio / row_speedup(&lines, "4 threads + simulated GIL");
    assert!(
        !parallel || Verdict::of_ratio(against_gil * 1.1) == Verdict::Faster,
        "claims parallelism, but the free threads were {against_gil:.2}× the GIL run:\n{text}"
    );
    assert!(
        !parallel || (Verdict::of_ratio(printed * 1.02) == Verdict::Faster && !one_cpu),
        "claims parallelism beside {printed}× (one CPU: {one_cpu}):\n{text}"
    );
    if !parallel && Verdict::of_ratio(ratio) != Verdict::Faster {
        assert!(text.contains("No parallel speedup in this run:"), "{text}");
    }
    // A sentence the old chapter printed whatever the numbers said.
    assert!(
        !(one_cpu && text.contains("PARALLELISM: all 4 progress at once")),
        "claims parallelism on one CPU:\n{text}"
    );
}

/// Section 5: "a process cost N× a thread" is the per-spawn ratio printed.
fn spawn_cost_section(stdout: &str) {
    let lines = section(stdout, 5);
    let text = lines.join("\n");
    let per_spawn = |label: &str| {
        let row = lines.iter().find(|l| l.trim_start().starts_with(label)).expect(label);
        let words: Vec<&str> = row.split_whitespace().collect();
        check::duration(&words[words.len() - 2..].join(" ")).expect("a duration")
    };
    let ratio = per_spawn("process:").as_secs_f64() / per_spawn("thread:").as_secs_f64();
    let claimed: Option<f64> = text.split(" cost").nth(1).and_then(|rest| {
        rest.split_whitespace().find_map(|w| w.strip_suffix('×')?.parse().ok())
    });
    if let Some(claimed) = claimed.filter(|_| !text.contains("no more than a thread")) {
        // Both durations are printed to 3 figures: allow 1 % each, and the
        // rounding of the printed factor.
        assert!(
            (claimed - ratio).abs() <= 0.5 + 0.03 * ratio,
            "says a process costs {claimed}×, the table gives {ratio:.1}×:\n{text}"
        );
        assert!(ratio > TIE_BAND, "{text}");
    }
}

/// Section 6: every speedup claim sits beside a "faster" verdict.
fn workloads_section(stdout: &str, one_cpu: bool) {
    let lines = section(stdout, 6);
    let text = lines.join("\n");
    for (i, line) in lines.iter().enumerate() {
        if line.contains("computed in parallel") {
            assert!(!one_cpu, "claims parallelism on one CPU:\n{text}");
            assert!(lines[i - 1].contains("× faster"), "{text}");
        }
    }
    assert!(
        !text.contains("threads speed up BOTH")
            || row_speedup(&lines, "4 threads") > TIE_BAND,
        "says threads speed up the CPU loop beside {}×:\n{text}",
        row_speedup(&lines, "4 threads")
    );
}

/// Section 7: the lesson on lost updates loses updates, and says how many.
fn race_section(stdout: &str) {
    let lines = section(stdout, 7);
    let text = lines.join("\n");
    let lost: Vec<u64> = lines
        .iter()
        .filter(|l| l.trim_start().starts_with("run "))
        .map(|l| {
            let (value, expected) = l
                .split_once("Counter value: ")
                .and_then(|(_, rest)| rest.split_once(" (Expected: "))
                .expect("a counter line");
            let expected: u64 = expected.split(')').next().unwrap().parse().unwrap();
            expected - value.parse::<u64>().unwrap()
        })
        .collect();
    assert_eq!(lost.len(), 3, "{text}");
    assert!(lost.iter().any(|&n| n > 0), "the race lesson lost no update:\n{text}");
    let losing = lost.iter().filter(|&&n| n > 0).count();
    assert!(text.contains(&format!("{losing} of 3 runs lost updates")), "{text}");
}

fn consistent(machine: Machine) {
    let one_cpu = machine == Machine::OneCpu;
    let run = machine.run(Command::new(EXE).arg("--quick"));
    assert_eq!(run.code, Some(0), "stderr:\n{}", run.stderr);
    let stdout = &run.stdout;
    gil_section(stdout, one_cpu);
    spawn_cost_section(stdout);
    workloads_section(stdout, one_cpu);
    race_section(stdout);
    // Sections 3 (twice), 4 and 6 (twice) state a verdict beside a ratio.
    assert!(check::verdicts_agree(stdout) >= 5, "too few verdicts:\n{stdout}");
}

check::consistency_tests!(consistent);
