//! Section banners and aligned tables, so every chapter's output has the same
//! shape as the notebook it translates.
//!
//! The notebooks open each cell with `print("=" * 50)`, an UPPERCASE title and
//! another `"=" * 50`. [`banner`] prints the same, with the section number in
//! front so the output can be read beside the notebook. [`Comparison`] is the
//! table every concurrent demo ends with: each way of running the work, its
//! time, and its speedup over the serial baseline.
//!
//! Nothing here prints: functions return `String`s (or implement
//! [`Display`](std::fmt::Display)) and the chapter's `main` decides what the
//! learner sees.

use std::fmt::{self, Write as _};
use std::time::Duration;

use crate::timing::{HumanDuration, Speedup, speedup};

/// The notebook's banner: `"=" * 50`, `N. TITLE`, `"=" * 50`, preceded by a
/// blank line.
///
/// ```
/// let text = common::report::banner(4, "Threading basics");
/// assert_eq!(text.lines().nth(2), Some("4. THREADING BASICS"));
/// ```
pub fn banner(number: u32, title: &str) -> String {
    let rule = "=".repeat(50);
    format!("\n{rule}\n{number}. {}\n{rule}", title.to_uppercase())
}

/// A note for the top of a run when this binary was not built with
/// `--release`, so timings are read with that in mind. `None` in release.
pub fn build_note() -> Option<&'static str> {
    cfg!(debug_assertions).then_some(
        "note: dev build (this course's code lightly optimised, the libraries it times fully). \
         Timings are representative; use --release for benchmark-grade numbers.",
    )
}

/// The line under the build note that points at the glossary: a word a
/// Python developer may not know (reaping, pinned, a floor, a limb) is
/// explained there, with the section that shows it.
pub const GLOSSARY_NOTE: &str = "Words you may not know (reap, pinned, floor, limb, NTT, Send/Sync…) \
                                 are explained in docs/glossary.md.";

/// A plain text table: the first column left-aligned, the others right-aligned
/// (numbers line up on their last digit).
///
/// ```
/// use common::report::Table;
/// let mut table = Table::new(["n", "digits"]);
/// table.row(["5000", "16326"]);
/// table.row(["700", "1690"]);
/// let text = table.to_string();
/// assert!(text.contains("5000    16326"));
/// assert!(text.contains("700      1690"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    /// Columns (besides the first) that hold text rather than numbers.
    left: Vec<usize>,
}

impl Table {
    /// A table with these column headers.
    pub fn new<I, S>(header: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self { header: header.into_iter().map(Into::into).collect(), ..Self::default() }
    }

    /// Left-aligns column `index` too (for text columns such as names).
    pub fn left_align(&mut self, index: usize) -> &mut Self {
        self.left.push(index);
        self
    }

    /// Appends a row; missing cells are left blank, extra cells are kept.
    pub fn row<I, S>(&mut self, cells: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.rows.push(cells.into_iter().map(Into::into).collect());
        self
    }

    /// Number of data rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when the table has no data rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let columns =
            self.rows.iter().map(Vec::len).chain([self.header.len()]).max().unwrap_or(0);
        let cell = |row: &[String], i: usize| row.get(i).cloned().unwrap_or_default();
        let widths: Vec<usize> = (0..columns)
            .map(|i| {
                std::iter::once(&self.header)
                    .chain(&self.rows)
                    .map(|r| cell(r, i).chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |row: &[String]| {
            let mut text = String::from("  ");
            for (i, width) in widths.iter().enumerate() {
                let value = cell(row, i);
                if i == 0 {
                    let _ = write!(text, "{value:<width$}");
                } else if self.left.contains(&i) {
                    let _ = write!(text, "   {value:<width$}");
                } else {
                    let _ = write!(text, "   {value:>width$}");
                }
            }
            text.trim_end().to_string()
        };
        writeln!(f, "{}", line(&self.header))?;
        let rule_width =
            widths.iter().sum::<usize>() + 3 * widths.len().saturating_sub(1);
        writeln!(f, "  {}", "-".repeat(rule_width))?;
        for row in &self.rows {
            writeln!(f, "{}", line(row))?;
        }
        Ok(())
    }
}

/// The table a concurrent demo ends with: a serial baseline, then each other
/// way of doing the same work, with its time and speedup.
///
/// ```
/// use std::time::Duration;
/// use common::report::Comparison;
/// let mut cmp = Comparison::new("sequential", Duration::from_millis(600));
/// cmp.add("3 threads", Duration::from_millis(200));
/// let text = cmp.to_string();
/// assert!(text.contains("sequential   600 ms      1.0×"));
/// assert!(text.contains("3 threads    200 ms      3.0×"));
/// assert!((cmp.speedup_of("3 threads").unwrap() - 3.0).abs() < 1e-9);
/// ```
#[derive(Debug, Clone)]
pub struct Comparison {
    baseline: Duration,
    rows: Vec<(String, Duration, Option<String>)>,
}

impl Comparison {
    /// Starts the table with the serial baseline every other row is compared to.
    pub fn new(label: impl Into<String>, baseline: Duration) -> Self {
        Self { baseline, rows: vec![(label.into(), baseline, None)] }
    }

    /// Adds a row.
    pub fn add(&mut self, label: impl Into<String>, took: Duration) -> &mut Self {
        self.rows.push((label.into(), took, None));
        self
    }

    /// Adds a row with a note in a last column (e.g. "result checked ✓").
    pub fn add_with_note(
        &mut self,
        label: impl Into<String>,
        took: Duration,
        note: impl Into<String>,
    ) -> &mut Self {
        self.rows.push((label.into(), took, Some(note.into())));
        self
    }

    /// The speedup of the row with this label over the baseline.
    pub fn speedup_of(&self, label: &str) -> Option<f64> {
        self.rows
            .iter()
            .find(|(l, ..)| l == label)
            .map(|(_, took, _)| speedup(self.baseline, *took))
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let with_notes = self.rows.iter().any(|(.., note)| note.is_some());
        let mut header = vec!["", "time", "speedup"];
        if with_notes {
            header.push("");
        }
        let mut table = Table::new(header);
        for (label, took, note) in &self.rows {
            let mut cells = vec![
                label.clone(),
                HumanDuration(*took).to_string(),
                Speedup(speedup(self.baseline, *took)).to_string(),
            ];
            if let Some(note) = note {
                cells.push(note.clone());
            }
            table.row(cells);
        }
        write!(f, "{table}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn banner_matches_the_notebook_shape() {
        let text = banner(1, "Sequential execution");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            ["", &"=".repeat(50), "1. SEQUENTIAL EXECUTION", &"=".repeat(50)]
        );
    }

    #[test]
    fn table_aligns_columns() {
        let mut table = Table::new(["label", "value"]);
        table.row(["a", "1"]).row(["longer", "12345"]);
        let text = table.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "  label    value");
        assert_eq!(lines[1], "  --------------");
        assert_eq!(lines[2], "  a            1");
        assert_eq!(lines[3], "  longer   12345");
        assert_eq!(table.len(), 2);
    }

    #[test]
    fn text_columns_can_be_left_aligned() {
        let mut table = Table::new(["n", "name", "v"]);
        table.left_align(1).row(["1", "ab", "7"]).row(["2", "abcd", "10"]);
        let text = table.to_string();
        assert!(text.contains("  1   ab      7"), "{text}");
        assert!(text.contains("  2   abcd   10"), "{text}");
    }

    #[test]
    fn table_tolerates_ragged_rows() {
        let mut table = Table::new(["a"]);
        table.row(["x", "extra"]).row(Vec::<String>::new());
        assert_eq!(table.to_string().lines().count(), 4);
    }

    #[test]
    fn comparison_notes_column_appears_only_when_used() {
        let mut cmp = Comparison::new("serial", Duration::from_secs(2));
        assert!(!cmp.to_string().contains('✓'));
        cmp.add_with_note("parallel", Duration::from_secs(1), "✓ same result");
        let text = cmp.to_string();
        assert!(text.contains("parallel   1.00 s      2.0×   ✓ same result"), "{text}");
        assert_eq!(cmp.speedup_of("missing"), None);
    }
}
