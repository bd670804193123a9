//! The rest of `concurrent.futures`, checked against CPython itself: the
//! same scenarios run by `executors/python/futures_semantics.py` (through
//! `python3` when there is one; otherwise against its recorded output,
//! `futures_semantics.expected`) and by `executors::semantics`, compared
//! line by line. Where the outcomes differ on purpose, both must be exactly
//! what `semantics::DIFFERENCES` says.

use std::path::{Path, PathBuf};
use std::process::Command;

use executors::support::semantics::{self, DIFFERENCES};

const EXE: &str = env!("CARGO_BIN_EXE_executors");

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("python/futures_semantics.py")
}

/// CPython's lines: a live run if `python3` runs, else the recording.
fn python_lines() -> (Vec<String>, &'static str) {
    match Command::new("python3").arg(script()).output() {
        Ok(output) if output.status.success() => {
            let text = String::from_utf8(output.stdout).expect("utf-8");
            (text.lines().map(str::to_string).collect(), "python3, live")
        }
        _ => {
            let text = include_str!("../python/futures_semantics.expected");
            (text.lines().map(str::to_string).collect(), "the recorded output")
        }
    }
}

#[test]
fn every_scenario_matches_cpython_or_differs_exactly_as_documented() {
    let (python, source) = python_lines();
    let rust = semantics::run(Path::new(EXE)).expect("the scenarios run");
    let rust: Vec<String> =
        rust.into_iter().map(|(name, outcome)| format!("{name}: {outcome}")).collect();
    assert_eq!(
        rust.len(),
        python.len(),
        "Rust:\n{rust:#?}\nCPython ({source}):\n{python:#?}"
    );
    for (rust_line, python_line) in rust.iter().zip(&python) {
        let name = python_line.split(": ").next().expect("NAME: OUTCOME");
        assert!(
            rust_line.starts_with(&format!("{name}: ")),
            "{rust_line} vs {python_line}"
        );
        match DIFFERENCES.iter().find(|d| d.name == name) {
            None => assert_eq!(rust_line, python_line, "CPython from {source}"),
            Some(difference) => {
                assert_eq!(
                    python_line,
                    &format!("{name}: {}", difference.python),
                    "{source}"
                );
                assert_eq!(rust_line, &format!("{name}: {}", difference.rust));
            }
        }
    }
}

#[test]
fn the_recording_is_what_the_script_prints() {
    // Guards the fallback: if the script changes, the recording must too.
    let Ok(output) = Command::new("python3").arg(script()).output() else {
        eprintln!("no python3 here: the recording cannot be checked");
        return;
    };
    assert!(output.status.success());
    let live = String::from_utf8(output.stdout).expect("utf-8");
    assert_eq!(live, include_str!("../python/futures_semantics.expected"));
}
