//! Reading back what a chapter printed: durations, ratios and verdict words,
//! so a consistency test can check that every sentence agrees with the
//! numbers printed beside it (the same rule [`crate::verdict`] applies when
//! it writes them).
//!
//! ```
//! use common::readout::{durations, ratios, seconds};
//! assert_eq!(seconds("1.5 s"), Some(1.5));
//! assert!((seconds("2.47 ms").unwrap() - 0.00247).abs() < 1e-12);
//! assert_eq!(durations("  4 threads   4 ms   2.8×").len(), 1);
//! assert_eq!(ratios("CPU: 0.71×: slower with 2 workers"), [0.71]);
//! ```

use crate::verdict::{TIE_BAND, Verdict};

/// Seconds per unit, for the units [`crate::timing::HumanDuration`] prints.
const UNITS: [(&str, f64); 4] = [("ns", 1e-9), ("µs", 1e-6), ("ms", 1e-3), ("s", 1.0)];

/// The number at the start of `text` and the rest of it.
fn number(text: &str) -> Option<(&str, &str)> {
    let end = text
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_digit() || c == '.'))
        .map_or(text.len(), |(i, _)| i);
    let digits = &text[..end];
    (!digits.is_empty() && digits.chars().next()?.is_ascii_digit())
        .then_some((digits, &text[end..]))
}

/// Every duration in `line` (`850 ns`, `12.3 µs`, `4.56 ms`, `1.23 s`), in
/// seconds, in the order printed.
pub fn durations(line: &str) -> Vec<f64> {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    tokens
        .windows(2)
        .filter_map(|pair| {
            let value: f64 = number(pair[0].trim_start_matches('('))
                .filter(|(_, rest)| rest.is_empty())?
                .0
                .parse()
                .ok()?;
            let unit = pair[1].trim_end_matches([',', ';', ')', ':', '.']);
            UNITS.iter().find(|(name, _)| *name == unit).map(|(_, scale)| value * scale)
        })
        .collect()
}

/// The first duration in `text`, in seconds.
pub fn seconds(text: &str) -> Option<f64> {
    durations(text).first().copied()
}

/// Every ratio in `line` (`2.8×`, `0.71×`), in the order printed.
pub fn ratios(line: &str) -> Vec<f64> {
    line.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '×'))
        .filter_map(|token| token.strip_suffix('×')?.parse().ok())
        .collect()
}

/// Half a unit of the last decimal the first ratio in `line` was printed
/// with: what rounding may have moved it by (`1.3×` → 0.05, `0.71×` →
/// 0.005, `3×` → 0.5); `None` when `line` has no ratio.
///
/// ```
/// use common::readout::ratio_rounding;
/// assert_eq!(ratio_rounding("CPU: 1.3× faster"), Some(0.05));
/// assert_eq!(ratio_rounding("async: 0.71×: slower"), Some(0.005));
/// assert_eq!(ratio_rounding("no ratio"), None);
/// ```
pub fn ratio_rounding(line: &str) -> Option<f64> {
    let printed = line
        .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '×'))
        .find_map(|token| token.strip_suffix('×').filter(|n| n.parse::<f64>().is_ok()))?;
    let decimals = printed.split_once('.').map_or(0, |(_, d)| d.len());
    Some(0.5 * 10f64.powi(-(decimals as i32)))
}

/// Significant figures of a printed number: `1` → 1, `0.912` → 3,
/// `11.7` → 3, `108` → 3, `0` → 0.
pub fn significant_figures(printed: &str) -> usize {
    printed.trim_start_matches(['0', '.']).chars().filter(char::is_ascii_digit).count()
}

/// Whether `word` (`faster`, `a tie`, `slower`) is what [`Verdict`] says
/// of `ratio` — or `ratio` is so close to the tie band's edge that the
/// printed rounding could tip it either way.
pub fn verdict_agrees(ratio: f64, word: &str) -> bool {
    let near_edge = |edge: f64| (ratio - edge).abs() <= 0.011 * edge.max(1.0) + 0.006;
    if near_edge(TIE_BAND) || near_edge(1.0 / TIE_BAND) {
        return true;
    }
    Verdict::of_ratio(ratio).word() == word
}

/// The verdict word in `text`, if it has one.
pub fn verdict_word(text: &str) -> Option<&'static str> {
    ["a tie", "faster", "slower"].into_iter().find(|word| text.contains(word))
}

/// Nouns whose plural after a count of 1 gives away a fixed `"{n} …s"`.
const NOUNS: [&str; 16] = [
    "link",
    "page",
    "thread",
    "worker",
    "core",
    "CPU",
    "process",
    "task",
    "item",
    "digit",
    "result",
    "error",
    "update",
    "tick",
    "method",
    "trailing zero",
];

/// Lines of `text` that say "1 links", "1 pages", …: a count printed with a
/// fixed plural instead of [`crate::verdict::plural`].
pub fn plural_mistakes(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            words.windows(2).any(|pair| {
                let noun = pair[1].trim_end_matches([',', ';', ')', ':', '.']);
                pair[0].trim_start_matches('(') == "1"
                    && NOUNS
                        .iter()
                        .any(|n| noun == format!("{n}s") || noun == format!("{n}es"))
            }) || (line.contains(" 1 trailing zeros"))
        })
        .collect()
}

/// Lines of `text` where Rust's `Debug` formatting leaks into what a learner
/// reads: `Some(…)`, `["…"]`, `{"…": …}`, durations like `200ms`.
pub fn debug_leaks(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|line| {
            line.contains("Some(")
                || line.contains("[\"")
                || line.contains("{\"")
                || line.split(|c: char| !c.is_alphanumeric() && c != '.').any(|token| {
                    ["ns", "µs", "ms"].iter().any(|unit| {
                        token.strip_suffix(unit).is_some_and(|n| {
                            !n.is_empty()
                                && n.chars().all(|c| c.is_ascii_digit() || c == '.')
                        })
                    })
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_figures_are_read_as_printed() {
        assert_eq!(durations("took 850 ns, then 1.23 s (4 ms)"), [850e-9, 1.23, 0.004]);
        assert_eq!(durations("5 workers  and 3 ms"), [0.003]);
        assert_eq!(significant_figures("1"), 1);
        assert_eq!(significant_figures("0"), 0);
        assert_eq!(significant_figures("0.912"), 3);
        assert_eq!(significant_figures("7.41"), 3);
        assert_eq!(ratios("1.05×, a tie; 12× and 3"), [1.05, 12.0]);
    }

    #[test]
    fn verdicts_are_checked_against_the_band() {
        assert!(verdict_agrees(2.0, "faster"));
        assert!(!verdict_agrees(2.0, "a tie"));
        assert!(!verdict_agrees(1.0, "faster"));
        assert!(verdict_agrees(1.15, "faster"), "at the edge rounding decides");
        assert!(verdict_agrees(0.5, "slower"));
        assert_eq!(verdict_word("0.71×: slower with 2"), Some("slower"));
    }

    #[test]
    fn fixed_plurals_and_debug_output_are_found() {
        assert_eq!(
            plural_mistakes("x\n25 pages; 1 links skipped\n1 link ok"),
            ["25 pages; 1 links skipped"]
        );
        assert_eq!(plural_mistakes("5! has 3 digits, 1 trailing zeros").len(), 1);
        assert!(plural_mistakes("1 page, 2 pages, 10 links").is_empty());
        assert_eq!(debug_leaks("value=Some(1)\nok\n(latency 100ms per page)").len(), 2);
        assert_eq!(debug_leaks("skipped [\"http://a\"]").len(), 1);
        assert!(debug_leaks("latency 100 ms, 1.5× [0, 1]").is_empty());
    }
}
