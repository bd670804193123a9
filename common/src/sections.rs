//! The list of a chapter's sections, and choosing one from the command line.
//!
//! Every chapter binary runs its notebook's sections in order when given no
//! argument, and runs one section when given its number (`4`) or its name
//! (`threading-basics`). The chapter declares its sections once, as a
//! `const` slice of [`Section`], flattens [`SectionArgs`] into its clap
//! `Cli`, and reads the command line with [`parse_cli`]:
//!
//! ```no_run
//! use clap::Parser;
//! use common::sections::{self, Section, SectionArgs};
//!
//! const SECTIONS: &[Section] = &[Section { number: 1, name: "intro", title: "Intro" }];
//!
//! #[derive(Debug, Parser)]
//! struct Cli {
//!     #[command(flatten)]
//!     sections: SectionArgs,
//! }
//!
//! let cli: Cli = sections::parse_cli(SECTIONS);
//! for section in cli.sections.chosen(SECTIONS).unwrap_or_else(|err| err.exit()) {
//!     println!("{}", common::report::banner(section.number, section.title));
//! }
//! ```
//!
//! A bad section becomes a clap error: one line on stderr, exit code 2.

use std::fmt::Write as _;

use clap::Parser;
use clap::error::ErrorKind;

/// One numbered section of a chapter, mirroring a notebook cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section {
    /// The number shown in the banner, as in the notebook ("## 4. …").
    pub number: u32,
    /// A short kebab-case name to select it on the command line.
    pub name: &'static str,
    /// The banner title.
    pub title: &'static str,
}

/// Finds the section named or numbered by `arg`.
///
/// ```
/// use common::sections::{parse, Section};
/// const SECTIONS: &[Section] = &[
///     Section { number: 1, name: "intro", title: "Introduction" },
///     Section { number: 2, name: "gil", title: "The GIL" },
/// ];
/// assert_eq!(parse(SECTIONS, "2").unwrap().name, "gil");
/// assert_eq!(parse(SECTIONS, "intro").unwrap().number, 1);
/// assert!(parse(SECTIONS, "nine").unwrap_err().contains("expected one of"));
/// ```
pub fn parse(sections: &[Section], arg: &str) -> Result<Section, String> {
    let arg = arg.trim();
    sections
        .iter()
        .find(|s| {
            arg.parse::<u32>().is_ok_and(|n| n == s.number)
                || s.name.eq_ignore_ascii_case(arg)
        })
        .copied()
        .ok_or_else(|| {
            let names: Vec<String> =
                sections.iter().map(|s| format!("{}|{}", s.number, s.name)).collect();
            format!("no section `{arg}`; expected one of: {}", names.join(", "))
        })
}

/// The arguments every chapter takes: an optional section and `--quick`.
/// Flatten it into a chapter's own clap `Cli` (`#[command(flatten)]`), next
/// to the chapter's extra flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SectionArgs {
    /// Run only this section (number or name); all of them when omitted.
    pub section: Option<String>,
    /// Shrink every workload (used by the tests).
    #[arg(long)]
    pub quick: bool,
}

impl SectionArgs {
    /// The sections to run: the one named, or all of them in order. An
    /// unknown section is a clap error (`err.exit()` prints it on one line
    /// and exits with code 2).
    pub fn chosen(&self, sections: &[Section]) -> Result<Vec<Section>, clap::Error> {
        match &self.section {
            None => Ok(sections.to_vec()),
            Some(arg) => parse(sections, arg).map(|one| vec![one]).map_err(|msg| {
                clap::Error::raw(ErrorKind::InvalidValue, format!("{msg}\n"))
            }),
        }
    }
}

/// Parses the command line into a chapter's `Cli`, with the section list
/// appended to `--help`. Exits (code 2) on a bad argument, as clap does.
pub fn parse_cli<T: Parser>(sections: &[Section]) -> T {
    let matches = T::command().after_help(help(sections)).get_matches();
    T::from_arg_matches(&matches).unwrap_or_else(|err| err.exit())
}

/// The section list for `--help`: `  4  threading-basics    Threading basics`.
pub fn help(sections: &[Section]) -> String {
    let width = sections.iter().map(|s| s.name.len()).max().unwrap_or(0);
    let mut text =
        String::from("Sections (run one by number or name; none runs them all):\n");
    for s in sections {
        let _ = writeln!(text, "  {:>2}  {:width$}  {}", s.number, s.name, s.title);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECTIONS: &[Section] = &[
        Section { number: 0, name: "lecture", title: "The lecture script" },
        Section { number: 10, name: "deadlock", title: "Deadlock" },
    ];

    #[test]
    fn number_and_name_both_select() {
        assert_eq!(parse(SECTIONS, "0").unwrap().name, "lecture");
        assert_eq!(parse(SECTIONS, "10").unwrap().name, "deadlock");
        assert_eq!(parse(SECTIONS, "DEADLOCK").unwrap().number, 10);
    }

    #[test]
    fn unknown_section_lists_the_choices() {
        let err = parse(SECTIONS, "7").unwrap_err();
        assert_eq!(err, "no section `7`; expected one of: 0|lecture, 10|deadlock");
    }

    #[test]
    fn chosen_is_all_sections_or_the_one_named() {
        let all = SectionArgs::default();
        assert_eq!(all.chosen(SECTIONS).unwrap(), SECTIONS);
        let one = SectionArgs { section: Some("deadlock".into()), quick: false };
        assert_eq!(one.chosen(SECTIONS).unwrap(), [SECTIONS[1]]);
        let bad = SectionArgs { section: Some("7".into()), quick: false };
        let err = bad.chosen(SECTIONS).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue);
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("no section `7`"), "{err}");
    }

    #[test]
    fn help_lists_every_section() {
        let text = help(SECTIONS);
        assert!(text.contains("   0  lecture   The lecture script"), "{text}");
        assert!(text.contains("  10  deadlock  Deadlock"), "{text}");
    }
}
